//! The WebSocket upgrade on `/ws` and `/ws/NAME`: every refusal (404, 403, 429,
//! 503, 400/426) is answered in plain HTTP before the upgrade, then the 101 is
//! written here and the socket handed to the relay with any bytes already read.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tracing::{debug, info};

use crate::client_ip::{canonical, client_ip};
use crate::http::request::RequestHead;
use crate::http::response::Response;
use crate::limits::LimitExceeded;
use crate::metrics::Refusal;
use crate::relay::{RelayTarget, relay};
use crate::server::Shared;
use crate::shutdown::ShutdownSignal;

/// tungstenite's buffers sized for chat lines rather than bulk transfer: the
/// read buffer is allocated up front for every connection (its default is 128 KiB),
/// and writes are gathered to a few KiB before a syscall.
pub(crate) fn websocket_config(max_frame_bytes: usize) -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(8 * 1024)
        // Room for one maximal frame on top of the gathered writes: beyond that the
        // sink waits for the browser instead of buffering.
        .max_write_buffer_size(max_frame_bytes + 64 * 1024)
        .max_message_size(Some(max_frame_bytes))
        .max_frame_size(Some(max_frame_bytes))
}

/// Where the request came from, as the TCP connection tells it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Peer {
    pub(crate) remote: SocketAddr,
    pub(crate) local: SocketAddr,
}

/// Answers a request on a WebSocket path: a refusal, or the upgrade and then the
/// whole relayed connection.
pub(crate) async fn upgrade<S>(
    mut stream: S,
    already_read: Vec<u8>,
    head: RequestHead,
    upstream_name: &str,
    peer: Peer,
    shared: Arc<Shared>,
    shutdown: ShutdownSignal,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let client = client_ip(
        peer.remote.ip(),
        head.forwarded_for.as_deref(),
        &shared.config.trusted_proxies,
    );
    let refuse = |status: u16, text: &str, why: Refusal| {
        shared.metrics.refused(why);
        info!(client = %client, path = %head.path, status, reason = text, "upgrade refused");
        Response::text(status, text)
    };
    let Some(upstream_addr) = shared.config.upstreams.get(upstream_name) else {
        let response = refuse(404, "no such WebSocket endpoint", Refusal::NotFound);
        let _ = response.write_to(&mut stream, false, true).await;
        return;
    };
    if let Some(response) = check_handshake(&head, refuse) {
        let _ = response.write_to(&mut stream, false, true).await;
        return;
    }
    // Our own origin is the request's Host only when that is a name we answer for.
    let own_host = head
        .host
        .as_deref()
        .filter(|host| shared.hosts.allows(Some(host)));
    if !shared.origins.allows(head.origin.as_deref(), own_host) {
        let response = refuse(403, "origin not allowed", Refusal::Origin);
        let _ = response.write_to(&mut stream, false, true).await;
        return;
    }
    let permit = match shared.limits.acquire(client) {
        Ok(permit) => permit,
        Err(LimitExceeded::PerIp) => {
            let response = refuse(
                429,
                "too many connections from your address",
                Refusal::PerIp,
            );
            let _ = response.write_to(&mut stream, false, true).await;
            return;
        }
        Err(LimitExceeded::Total) => {
            let mut response = refuse(503, "bridge is full, retry later", Refusal::Capacity);
            response.header("Retry-After", "5");
            let _ = response.write_to(&mut stream, false, true).await;
            return;
        }
    };
    let key = head.websocket_key.as_deref().unwrap_or_default();
    let switching = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\r\n",
        derive_accept_key(key.as_bytes())
    );
    if let Err(error) = async {
        stream.write_all(switching.as_bytes()).await?;
        stream.flush().await
    }
    .await
    {
        debug!(%error, "writing the 101 failed");
        return;
    }
    let ws = WebSocketStream::from_partially_read(
        stream,
        already_read,
        Role::Server,
        Some(websocket_config(shared.config.max_frame_bytes)),
    )
    .await;
    // The PROXY header carries the peer's port only when the address is the peer's.
    let client_port = if client == canonical(peer.remote.ip()) {
        peer.remote.port()
    } else {
        0
    };
    let target = RelayTarget {
        id: shared.next_connection_id(),
        client: SocketAddr::new(client, client_port),
        local: peer.local,
        upstream_path: if upstream_name.is_empty() {
            "/ws".to_owned()
        } else {
            format!("/ws/{upstream_name}")
        },
        upstream_addr: upstream_addr.clone(),
    };
    relay(ws, target, Arc::clone(&shared), shutdown).await;
    drop(permit);
}

/// The request must be a WebSocket version 13 upgrade by GET over HTTP/1.1.
fn check_handshake(
    head: &RequestHead,
    refuse: impl Fn(u16, &str, Refusal) -> Response,
) -> Option<Response> {
    if head.method != "GET" {
        let mut response = refuse(405, "WebSocket upgrades use GET", Refusal::BadRequest);
        response.header("Allow", "GET");
        return Some(response);
    }
    if !head.http11 || !head.upgrade_websocket || !head.connection_upgrade {
        let mut response = refuse(426, "WebSocket upgrade required", Refusal::BadRequest);
        response.header("Upgrade", "websocket");
        return Some(response);
    }
    if head.websocket_version.as_deref() != Some("13") {
        let mut response = refuse(426, "WebSocket version 13 required", Refusal::BadRequest);
        response.header("Sec-WebSocket-Version", "13");
        return Some(response);
    }
    if head.websocket_key.as_deref().is_none_or(|k| k.len() != 24) || head.has_body {
        return Some(refuse(400, "bad WebSocket handshake", Refusal::BadRequest));
    }
    None
}
