//! One accepted TCP connection: optional TLS, then HTTP requests (keep-alive) until
//! one of them upgrades to a WebSocket, which then owns the connection.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tracing::{debug, warn};

use crate::http::request::{HeadError, RequestHead, read_head};
use crate::http::response::Response;
use crate::log_limit::LOG_PERIOD;
use crate::metrics::Refusal;
use crate::server::Shared;
use crate::shutdown::ShutdownSignal;
use crate::upgrade::{Peer, upgrade};
use crate::write_deadline::WriteDeadline;

/// A refused host name is logged cut to this many characters.
const MAX_LOGGED_HOST_CHARS: usize = 64;

/// Serves one accepted connection to its end. Errors end this connection only.
pub(crate) async fn serve_tcp(
    stream: TcpStream,
    remote: SocketAddr,
    shared: Arc<Shared>,
    shutdown: ShutdownSignal,
) {
    // Chat lines are small and latency matters: never wait for Nagle.
    let _ = stream.set_nodelay(true);
    let local = match stream.local_addr() {
        Ok(local) => local,
        Err(error) => {
            debug!(%error, "accepted socket has no local address");
            return;
        }
    };
    let peer = Peer { remote, local };
    // Under TLS, so that TLS records are bound by the deadline too.
    let stream = WriteDeadline::new(stream, shared.config.write_timeout);
    if shared.config.tls.is_some() {
        // Boxed: rustls state is large, and plain connections should not reserve
        // room for it in every task.
        Box::pin(serve_tls(stream, peer, shared, shutdown)).await;
    } else {
        serve_http(stream, peer, shared, shutdown).await;
    }
}

async fn serve_tls(
    stream: WriteDeadline<TcpStream>,
    peer: Peer,
    shared: Arc<Shared>,
    shutdown: ShutdownSignal,
) {
    let Some(tls) = &shared.config.tls else {
        return;
    };
    let handshake = timeout(shared.config.request_timeout, tls.acceptor.accept(stream));
    match handshake.await {
        Ok(Ok(stream)) => serve_http(stream, peer, Arc::clone(&shared), shutdown).await,
        Ok(Err(error)) => debug!(client = %peer.remote.ip(), %error, "TLS handshake failed"),
        Err(_) => debug!(client = %peer.remote.ip(), "TLS handshake timed out"),
    }
}

/// The WebSocket path a request is for: `Some("")` for `/ws`, `Some(NAME)` for
/// `/ws/NAME`, `None` for anything else.
fn websocket_path(path: &str) -> Option<&str> {
    if path == "/ws" {
        return Some("");
    }
    path.strip_prefix("/ws/").filter(|name| !name.is_empty())
}

async fn serve_http<S>(mut stream: S, peer: Peer, shared: Arc<Shared>, mut shutdown: ShutdownSignal)
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let mut buf = Vec::new();
    loop {
        let read = tokio::select! {
            r = timeout(shared.config.request_timeout, read_head(&mut stream, &mut buf)) => r,
            () = shutdown.wait() => return,
        };
        let head = match read {
            Ok(Ok(head)) => head,
            Ok(Err(HeadError::Closed)) => return,
            Ok(Err(HeadError::Io(error))) => {
                debug!(client = %peer.remote.ip(), %error, "reading request failed");
                return;
            }
            Ok(Err(HeadError::TooLarge)) => {
                let response = Response::text(431, "request head too large");
                let _ = response.write_to(&mut stream, false, true).await;
                return;
            }
            Ok(Err(HeadError::Malformed)) => {
                let _ = Response::text(400, "bad request")
                    .write_to(&mut stream, false, true)
                    .await;
                return;
            }
            Err(_elapsed) => {
                if !buf.is_empty() {
                    let response = Response::text(408, "request timeout");
                    let _ = response.write_to(&mut stream, false, true).await;
                }
                return;
            }
        };
        if !shared.hosts.allows(head.host.as_deref()) {
            misdirected(&head, peer, &shared);
            let response = Response::text(421, "this bridge does not answer for that host name");
            let _ = response.write_to(&mut stream, false, true).await;
            return;
        }
        if let Some(name) = websocket_path(&head.path) {
            let name = name.to_owned();
            let already_read = std::mem::take(&mut buf);
            upgrade(stream, already_read, head, &name, peer, shared, shutdown).await;
            return;
        }
        shared.metrics.http_request();
        let close = head.wants_close || head.has_body;
        let head_only = head.method == "HEAD";
        let response = respond(&head, &shared).await;
        if response
            .write_to(&mut stream, head_only, close)
            .await
            .is_err()
            || close
        {
            return;
        }
    }
}

/// Counts and logs a request for a host name we do not answer for: one warning a
/// minute at most (with the name cut short and escaped), naming the flag that would
/// allow it; the rest at debug level.
fn misdirected(head: &RequestHead, peer: Peer, shared: &Shared) {
    shared.metrics.refused(Refusal::Host);
    let host = head.host.as_deref().unwrap_or_default();
    let shown: String = host.chars().take(MAX_LOGGED_HOST_CHARS).collect();
    if shared
        .host_warning
        .should_log(std::time::Instant::now(), LOG_PERIOD)
    {
        warn!(client = %peer.remote.ip(), host = ?shown, "refused a request for an unknown host name with 421 (DNS rebinding?); if it is this bridge's name, add --public-host NAME");
    } else {
        debug!(client = %peer.remote.ip(), host = ?shown, "421 for an unknown host name");
    }
}

/// Answers a plain HTTP request: health, metrics or a static file.
async fn respond(head: &RequestHead, shared: &Shared) -> Response {
    if head.has_body {
        return Response::text(413, "request bodies are not accepted");
    }
    if head.method != "GET" && head.method != "HEAD" {
        let mut response = Response::text(405, "method not allowed");
        response.header("Allow", "GET, HEAD");
        return response;
    }
    match head.path.as_str() {
        "/healthz" => shared.health.respond(&shared.config).await,
        "/metrics" => {
            let mut response = Response::new(
                200,
                "text/plain; version=0.0.4; charset=utf-8",
                shared.metrics.render(),
            );
            response.header("Cache-Control", "no-store");
            response
        }
        _ => match &shared.static_files {
            // Boxed: file serving has large futures that an idle relayed
            // connection should not carry in its task.
            Some(files) => Box::pin(files.respond(head)).await,
            None => Response::text(404, "not found"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websocket_paths() {
        assert_eq!(websocket_path("/ws"), Some(""));
        assert_eq!(websocket_path("/ws/eu"), Some("eu"));
        assert_eq!(websocket_path("/ws/"), None);
        assert_eq!(websocket_path("/wsx"), None);
        assert_eq!(websocket_path("/"), None);
    }
}
