//! Test helpers shared by the integration test binaries: a bridge started
//! in-process on 127.0.0.1:0, a real TCP upstream, WebSocket and raw HTTP clients,
//! and waits that fail after a timeout instead of sleeping.
#![allow(dead_code)]

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use miricat_bridge::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long any awaited event may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(10);

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Awaits `future`, failing the test if it takes longer than [`WAIT`].
pub async fn within<F: Future>(future: F) -> F::Output {
    tokio::time::timeout(WAIT, future)
        .await
        .expect("timed out waiting for an event")
}

/// A bridge running in-process.
pub struct Bridge {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), miricat_bridge::BridgeError>>,
}

impl Bridge {
    pub async fn start(config: Config) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(miricat_bridge::run(listener, config, async {
            let _ = stopped.await;
        }));
        Self {
            addr,
            stop: Some(stop),
            task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("ws://{}{path}", self.addr)
    }

    /// Starts the shutdown and waits for `run` to return.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        within(&mut self.task).await.unwrap().unwrap();
    }
}

/// A real TCP upstream on 127.0.0.1:0.
pub struct Upstream {
    pub listener: TcpListener,
    pub addr: SocketAddr,
}

impl Upstream {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        Self { listener, addr }
    }

    pub async fn accept(&self) -> TcpStream {
        let (stream, _) = within(self.listener.accept()).await.unwrap();
        stream.set_nodelay(true).unwrap();
        stream
    }

    /// A bridge configuration for this upstream, with a short close timeout:
    /// test clients often stop reading, and shutdown would wait for their answer.
    pub fn config(&self) -> Config {
        quick_close(Config::for_upstream(self.addr.to_string()))
    }
}

/// `config` with a close handshake timeout short enough for tests.
pub fn quick_close(config: Config) -> Config {
    Config {
        close_timeout: Duration::from_millis(200),
        ..config
    }
}

/// An upstream that echoes every byte back, on its own task.
pub async fn echo_upstream() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (mut r, mut w) = stream.split();
                let _ = tokio::io::copy(&mut r, &mut w).await;
            });
        }
    });
    addr
}

pub async fn connect(url: &str) -> Ws {
    connect_with(url, &[]).await.unwrap()
}

/// Connects with extra request headers; the error carries the HTTP refusal.
pub async fn connect_with(url: &str, headers: &[(&'static str, &str)]) -> Result<Ws, WsError> {
    let mut request = url.into_client_request().unwrap();
    for (name, value) in headers {
        request
            .headers_mut()
            .insert(*name, HeaderValue::from_str(value).unwrap());
    }
    within(tokio_tungstenite::connect_async(request))
        .await
        .map(|(ws, _)| ws)
}

/// The HTTP status of a refused upgrade.
pub fn refusal_status(result: Result<Ws, WsError>) -> u16 {
    match result {
        Err(WsError::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("expected an HTTP refusal, got {other}"),
        Ok(_) => panic!("expected an HTTP refusal, got an upgrade"),
    }
}

pub async fn send_text(ws: &mut Ws, text: &str) {
    within(ws.send(Message::text(text))).await.unwrap();
}

/// The next text frame, skipping pings.
pub async fn next_text(ws: &mut Ws) -> String {
    loop {
        match within(ws.next()).await {
            Some(Ok(Message::Text(text))) => return text.to_string(),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            other => panic!("expected a text frame, got {other:?}"),
        }
    }
}

/// Reads until the close frame and returns its code and reason; text frames before
/// it are returned too.
pub async fn close_of(ws: &mut Ws) -> (u16, String, Vec<String>) {
    let mut texts = Vec::new();
    loop {
        match within(ws.next()).await {
            Some(Ok(Message::Close(Some(CloseFrame { code, reason })))) => {
                return (u16::from(code), reason.to_string(), texts);
            }
            Some(Ok(Message::Close(None))) => return (1005, String::new(), texts),
            Some(Ok(Message::Text(text))) => texts.push(text.to_string()),
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

/// Reads from the upstream side until `want` bytes arrived.
pub async fn read_exactly(stream: &mut TcpStream, want: usize) -> Vec<u8> {
    let mut buf = vec![0; want];
    within(stream.read_exact(&mut buf)).await.unwrap();
    buf
}

/// Waits for the upstream side to see the connection end (EOF or reset).
pub async fn expect_eof(stream: &mut TcpStream) {
    let mut buf = [0u8; 1024];
    loop {
        match within(stream.read(&mut buf)).await {
            Ok(0) | Err(_) => return,
            Ok(_) => continue,
        }
    }
}

/// A plain HTTP/1.1 response, read to the end (`Connection: close`).
#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `GET path` with extra header lines and `Connection: close`.
pub async fn http_get(addr: SocketAddr, path: &str, extra: &[&str]) -> HttpResponse {
    let stream = TcpStream::connect(addr).await.unwrap();
    http_get_on(stream, &addr.to_string(), path, extra).await
}

/// Sends `GET path` naming `host` over `stream` (from [`connect_from`], say) and
/// reads the response to the end.
pub async fn http_get_on(
    mut stream: TcpStream,
    host: &str,
    path: &str,
    extra: &[&str],
) -> HttpResponse {
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for line in extra {
        request.push_str(line);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    within(stream.read_to_end(&mut raw)).await.unwrap();
    parse_response(&raw).0
}

/// Socket buffer sizes for a hostile client; `None` leaves the kernel's.
#[derive(Debug, Clone, Copy, Default)]
pub struct Buffers {
    pub send: Option<u32>,
    pub recv: Option<u32>,
}

/// A TCP connection to `addr` from `127.0.0.N`: hostile clients use N >= 2, so the
/// honest ones on 127.0.0.1 are a different address for every per-IP limit.
pub async fn connect_from(n: u8, addr: SocketAddr, buffers: Buffers) -> TcpStream {
    assert!(n >= 2, "127.0.0.1 is for honest clients");
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    if let Some(size) = buffers.send {
        socket.set_send_buffer_size(size).unwrap();
    }
    if let Some(size) = buffers.recv {
        socket.set_recv_buffer_size(size).unwrap();
    }
    socket.bind(SocketAddr::from(([127, 0, 0, n], 0))).unwrap();
    within(socket.connect(addr)).await.unwrap()
}

/// A WebSocket to `url` over `stream` (from [`connect_from`]), with extra headers.
pub async fn websocket_on(
    stream: TcpStream,
    url: &str,
    headers: &[(&'static str, &str)],
) -> Result<WebSocketStream<TcpStream>, WsError> {
    let mut request = url.into_client_request().unwrap();
    for (name, value) in headers {
        request
            .headers_mut()
            .insert(*name, HeaderValue::from_str(value).unwrap());
    }
    within(tokio_tungstenite::client_async(request, stream))
        .await
        .map(|(ws, _)| ws)
}

/// The value of one sample in the bridge's `/metrics`, asked from 127.0.0.1.
pub async fn metric(addr: SocketAddr, sample: &str) -> u64 {
    let text = http_get(addr, "/metrics", &[]).await.text();
    let prefix = format!("{sample} ");
    text.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no sample {sample} in {text}"))
        .parse()
        .unwrap()
}

/// Polls `/metrics` until `sample` has `value`, failing after [`WAIT`] (500 polls
/// 20 ms apart at most).
pub async fn wait_for_metric(addr: SocketAddr, sample: &str, value: u64) {
    let polled = within(async {
        for _ in 0..500 {
            if metric(addr, sample).await == value {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        false
    })
    .await;
    assert!(polled, "{sample} never became {value}");
}

/// Parses one response off the front of `raw`; returns it and the bytes used.
pub fn parse_response(raw: &[u8]) -> (HttpResponse, usize) {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut headers);
    let httparse::Status::Complete(head_len) = response.parse(raw).unwrap() else {
        panic!("incomplete response: {:?}", String::from_utf8_lossy(raw));
    };
    let headers: Vec<(String, String)> = response
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_owned(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect();
    let status = response.code.unwrap();
    let len = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map_or(raw.len() - head_len, |(_, v)| v.parse().unwrap());
    let len = if status == 304 { 0 } else { len };
    let body = raw[head_len..head_len + len].to_vec();
    (
        HttpResponse {
            status,
            headers,
            body,
        },
        head_len + len,
    )
}
