//! One MCP line in, one line out: over plain TCP (newline-framed) or through the
//! bridge (one WebSocket text frame per line), exactly as the browser does.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use miricat_shared::LineDecoder;
use miricat_shared::codec::DEFAULT_MAX_LINE_BYTES;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::CliError;

/// Size of the TCP read buffer: many chat lines per read, small per connection.
const READ_BUF_BYTES: usize = 16 * 1024;

/// A parsed `--server` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerAddr {
    /// `tcp://HOST:PORT`: straight to an MCP server.
    Tcp(String),
    /// `ws://...` or `wss://...`: through a bridge.
    WebSocket(String),
}

impl ServerAddr {
    /// Parses `tcp://HOST:PORT`, `ws://HOST:PORT/PATH` or `wss://...`.
    pub fn parse(text: &str) -> Result<Self, CliError> {
        if let Some(addr) = text.strip_prefix("tcp://") {
            if addr.is_empty() || !addr.contains(':') {
                return Err(CliError::Usage(format!(
                    "--server {text:?}: expected tcp://HOST:PORT"
                )));
            }
            return Ok(Self::Tcp(addr.trim_end_matches('/').to_owned()));
        }
        if text.starts_with("ws://") || text.starts_with("wss://") {
            return Ok(Self::WebSocket(text.to_owned()));
        }
        Err(CliError::Usage(format!(
            "--server {text:?}: expected tcp://HOST:PORT, ws://HOST:PORT/ws or wss://HOST/ws"
        )))
    }
}

/// An open line transport.
#[derive(Debug)]
pub enum Transport {
    /// Newline-framed TCP.
    Tcp {
        /// The socket.
        stream: TcpStream,
        /// Splits received bytes into lines, bounded.
        decoder: LineDecoder,
        /// Reused for every read.
        read_buf: Box<[u8]>,
    },
    /// One text frame per line.
    WebSocket(Box<WebSocketStream<MaybeTlsStream<TcpStream>>>),
}

impl Transport {
    /// Connects, giving up after `timeout`.
    pub async fn connect(server: &ServerAddr, timeout: Duration) -> Result<Self, CliError> {
        let connect = async {
            match server {
                ServerAddr::Tcp(addr) => {
                    let stream = TcpStream::connect(addr)
                        .await
                        .map_err(|e| CliError::Connection(format!("{addr}: {e}")))?;
                    let _ = stream.set_nodelay(true);
                    Ok(Self::Tcp {
                        stream,
                        decoder: LineDecoder::new(DEFAULT_MAX_LINE_BYTES),
                        read_buf: vec![0; READ_BUF_BYTES].into_boxed_slice(),
                    })
                }
                ServerAddr::WebSocket(url) => {
                    // The process-wide TLS provider for wss:// (ring); ignore "already set".
                    let _ = rustls::crypto::ring::default_provider().install_default();
                    let (stream, _response) = tokio_tungstenite::connect_async(url.as_str())
                        .await
                        .map_err(|e| CliError::Connection(format!("{url}: {e}")))?;
                    if let MaybeTlsStream::Plain(tcp) = stream.get_ref() {
                        let _ = tcp.set_nodelay(true);
                    }
                    Ok(Self::WebSocket(Box::new(stream)))
                }
            }
        };
        tokio::time::timeout(timeout, connect)
            .await
            .map_err(|_| CliError::Connection(format!("no connection within {timeout:?}")))?
    }

    /// Sends one line (without its terminator).
    pub async fn send(&mut self, line: &str) -> Result<(), CliError> {
        let result = match self {
            Self::Tcp { stream, .. } => {
                let mut framed = Vec::with_capacity(line.len() + 1);
                framed.extend_from_slice(line.as_bytes());
                framed.push(b'\n');
                stream.write_all(&framed).await.map_err(|e| e.to_string())
            }
            Self::WebSocket(ws) => ws
                .send(Message::text(line))
                .await
                .map_err(|e| e.to_string()),
        };
        result.map_err(|e| CliError::Connection(format!("send failed: {e}")))
    }

    /// The next line; `Ok(None)` when the peer closed normally. Cancel-safe.
    pub async fn recv(&mut self) -> Result<Option<String>, CliError> {
        match self {
            Self::Tcp {
                stream,
                decoder,
                read_buf,
            } => loop {
                if let Some(line) = decoder
                    .next_line()
                    .map_err(|e| CliError::Connection(format!("bad line from server: {e}")))?
                {
                    return Ok(Some(line));
                }
                let n = stream
                    .read(read_buf)
                    .await
                    .map_err(|e| CliError::Connection(format!("read failed: {e}")))?;
                if n == 0 {
                    return Ok(None);
                }
                decoder.push(&read_buf[..n]);
            },
            Self::WebSocket(ws) => loop {
                match ws.next().await {
                    None => return Ok(None),
                    Some(Err(e)) => return Err(CliError::Connection(format!("websocket: {e}"))),
                    Some(Ok(Message::Text(text))) => return Ok(Some(text.to_string())),
                    Some(Ok(Message::Close(frame))) => {
                        return match frame {
                            Some(f) if f.code != CloseCode::Normal => {
                                Err(CliError::Connection(format!(
                                    "bridge closed the connection: {} {}",
                                    u16::from(f.code),
                                    f.reason
                                )))
                            }
                            _ => Ok(None),
                        };
                    }
                    // Pings are answered by tungstenite itself; binary frames are not MCP.
                    Some(Ok(_)) => continue,
                }
            },
        }
    }

    /// Closes the connection politely.
    pub async fn close(&mut self) {
        match self {
            Self::Tcp { stream, .. } => {
                let _ = stream.shutdown().await;
            }
            Self::WebSocket(ws) => {
                // The inherent close (with a close frame), not `SinkExt::close` on the Box.
                let _ = WebSocketStream::close(ws.as_mut(), None).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_server_addresses() {
        assert_eq!(
            ServerAddr::parse("tcp://127.0.0.1:3072").unwrap(),
            ServerAddr::Tcp("127.0.0.1:3072".into())
        );
        assert_eq!(
            ServerAddr::parse("ws://h:8080/ws").unwrap(),
            ServerAddr::WebSocket("ws://h:8080/ws".into())
        );
        for bad in ["127.0.0.1:3072", "tcp://", "http://x/ws", "tcp://host"] {
            assert!(
                matches!(ServerAddr::parse(bad), Err(CliError::Usage(_))),
                "{bad}"
            );
        }
    }
}
