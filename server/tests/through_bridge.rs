//! The real bridge in front of the server, with PROXY protocol v2 on: the browser's
//! address (here taken from a trusted `X-Forwarded-For`) reaches the server and its
//! per-address limit.

mod common;

use common::*;
use futures_util::{SinkExt, StreamExt};
use miricat_shared::KeyPair;
use miricat_shared::session::{ClientSession, Event, ProtocolVersion};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

async fn connect(url: &str, forwarded_for: &str) -> Ws {
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "X-Forwarded-For",
        HeaderValue::from_str(forwarded_for).unwrap(),
    );
    let (ws, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(request))
        .await
        .unwrap()
        .unwrap();
    ws
}

/// The next text frame, `None` once the bridge closes.
async fn next_text(ws: &mut Ws) -> Option<String> {
    loop {
        match tokio::time::timeout(WAIT, ws.next()).await.unwrap() {
            Some(Ok(Message::Text(text))) => return Some(text.to_string()),
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
            Some(Ok(_)) => {}
        }
    }
}

/// Handshakes and signs in as root over the WebSocket; `None` when the server
/// closed the connection instead.
async fn sign_in(ws: &mut Ws) -> Option<()> {
    let mut session = ClientSession::new(ProtocolVersion::V2_1, KeyPair::generate().unwrap());
    ws.send(Message::text(session.handshake_line()))
        .await
        .ok()?;
    let reply = next_text(ws).await?;
    assert!(matches!(
        session.handle_line(&reply, 0),
        Some(Event::Secured)
    ));
    let login = session.login("root", ROOT_PASSWORD).unwrap();
    ws.send(Message::text(login.line)).await.ok()?;
    let reply = next_text(ws).await?;
    assert!(matches!(
        session.handle_line(&reply, 0),
        Some(Event::Accepted { .. })
    ));
    Some(())
}

#[tokio::test]
async fn the_bridge_carries_the_browser_address_to_the_server() {
    let server = TestServer::start_with(|c| {
        c.trusted_bridges = vec!["127.0.0.0/8".parse().unwrap()];
        c.max_connections_per_ip = 1;
    })
    .await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/ws", listener.local_addr().unwrap());
    let config = miricat_bridge::Config {
        upstream_proxy_protocol: true,
        trusted_proxies: vec!["127.0.0.0/8".parse().unwrap()],
        ..miricat_bridge::Config::for_upstream(server.addr().to_string())
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let bridge = tokio::spawn(miricat_bridge::run(listener, config, async {
        let _ = stopped.await;
    }));

    let mut first = connect(&url, "203.0.113.7").await;
    assert!(sign_in(&mut first).await.is_some());
    // Same browser address again: over the server's per-address limit.
    let mut again = connect(&url, "203.0.113.7").await;
    assert!(sign_in(&mut again).await.is_none());
    // Another browser behind the same bridge is served.
    let mut other = connect(&url, "203.0.113.8").await;
    assert!(sign_in(&mut other).await.is_some());

    let _ = stop.send(());
    let _ = bridge.await;
}
