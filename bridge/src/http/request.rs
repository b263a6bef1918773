//! Reading one HTTP request head, bounded in size, with httparse.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt};

/// Longest request head accepted. Browsers send well under 2 KiB to a WebSocket
/// endpoint; 8 KiB is what nginx and most servers allow by default.
pub(crate) const MAX_HEAD_BYTES: usize = 8 * 1024;

/// At most this many headers are looked at; more is refused.
const MAX_HEADERS: usize = 48;

/// The parts of a request head the bridge uses, copied out so the read buffer can
/// be reused or handed over to the WebSocket.
#[derive(Debug, Default)]
pub(crate) struct RequestHead {
    pub(crate) method: String,
    /// The path without the query string, still percent-encoded.
    pub(crate) path: String,
    /// HTTP/1.1 (as opposed to 1.0).
    pub(crate) http11: bool,
    /// `Connection: close` (1.1) or no `Connection: keep-alive` (1.0).
    pub(crate) wants_close: bool,
    /// `Connection` lists `upgrade`.
    pub(crate) connection_upgrade: bool,
    /// `Upgrade: websocket`.
    pub(crate) upgrade_websocket: bool,
    pub(crate) host: Option<String>,
    pub(crate) origin: Option<String>,
    /// All `X-Forwarded-For` headers, joined with commas as RFC 9110 allows.
    pub(crate) forwarded_for: Option<String>,
    pub(crate) websocket_key: Option<String>,
    pub(crate) websocket_version: Option<String>,
    pub(crate) accepts_gzip: bool,
    pub(crate) if_none_match: Option<String>,
    /// The request announces a body, which no route of the bridge accepts.
    pub(crate) has_body: bool,
}

/// Why no request head could be read.
#[derive(Debug)]
pub(crate) enum HeadError {
    /// The client closed the connection between requests: not an error.
    Closed,
    /// The head is larger than [`MAX_HEAD_BYTES`] (HTTP 431).
    TooLarge,
    /// Not HTTP (HTTP 400).
    Malformed,
    /// The socket failed.
    Io(io::Error),
}

/// Reads until `buf` holds a complete head, then removes that head from `buf`,
/// leaving any bytes after it (a pipelined request, or early WebSocket frames).
pub(crate) async fn read_head<S: AsyncRead + Unpin>(
    stream: &mut S,
    buf: &mut Vec<u8>,
) -> Result<RequestHead, HeadError> {
    loop {
        if !buf.is_empty()
            && let Some((head, len)) = parse(buf)?
        {
            buf.drain(..len);
            return Ok(head);
        }
        if buf.len() >= MAX_HEAD_BYTES {
            return Err(HeadError::TooLarge);
        }
        if buf.capacity() - buf.len() < 256 {
            buf.reserve((MAX_HEAD_BYTES - buf.len()).min(1024));
        }
        let n = stream.read_buf(buf).await.map_err(HeadError::Io)?;
        if n == 0 {
            return Err(if buf.is_empty() {
                HeadError::Closed
            } else {
                HeadError::Io(io::ErrorKind::UnexpectedEof.into())
            });
        }
    }
}

/// Parses a complete head at the start of `bytes`; `Ok(None)` if more is needed.
fn parse(bytes: &[u8]) -> Result<Option<(RequestHead, usize)>, HeadError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    let len = match request.parse(bytes) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => return Err(HeadError::TooLarge),
        Err(_) => return Err(HeadError::Malformed),
    };
    let (Some(method), Some(target), Some(version)) =
        (request.method, request.path, request.version)
    else {
        return Err(HeadError::Malformed);
    };
    let path = target.split(['?', '#']).next().unwrap_or_default();
    let mut head = RequestHead {
        method: method.to_owned(),
        path: path.to_owned(),
        http11: version == 1,
        wants_close: version == 0,
        ..RequestHead::default()
    };
    for header in request.headers.iter() {
        let Ok(value) = std::str::from_utf8(header.value) else {
            continue;
        };
        let value = value.trim();
        let name = header.name;
        if name.eq_ignore_ascii_case("connection") {
            for token in value.split(',').map(str::trim) {
                if token.eq_ignore_ascii_case("close") {
                    head.wants_close = true;
                } else if token.eq_ignore_ascii_case("keep-alive") {
                    head.wants_close = false;
                } else if token.eq_ignore_ascii_case("upgrade") {
                    head.connection_upgrade = true;
                }
            }
        } else if name.eq_ignore_ascii_case("upgrade") {
            head.upgrade_websocket = value
                .split(',')
                .any(|p| p.trim().eq_ignore_ascii_case("websocket"));
        } else if name.eq_ignore_ascii_case("host") {
            head.host.get_or_insert_with(|| value.to_owned());
        } else if name.eq_ignore_ascii_case("origin") {
            head.origin.get_or_insert_with(|| value.to_owned());
        } else if name.eq_ignore_ascii_case("x-forwarded-for") {
            match &mut head.forwarded_for {
                Some(all) => {
                    all.push(',');
                    all.push_str(value);
                }
                None => head.forwarded_for = Some(value.to_owned()),
            }
        } else if name.eq_ignore_ascii_case("sec-websocket-key") {
            head.websocket_key = Some(value.to_owned());
        } else if name.eq_ignore_ascii_case("sec-websocket-version") {
            head.websocket_version = Some(value.to_owned());
        } else if name.eq_ignore_ascii_case("accept-encoding") {
            head.accepts_gzip = value.split(',').any(|coding| {
                let mut parts = coding.split(';');
                let name = parts.next().unwrap_or_default().trim();
                let refused = parts.any(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q == 0.0))
                });
                name.eq_ignore_ascii_case("gzip") && !refused
            });
        } else if name.eq_ignore_ascii_case("if-none-match") {
            head.if_none_match = Some(value.to_owned());
        } else if name.eq_ignore_ascii_case("transfer-encoding")
            || (name.eq_ignore_ascii_case("content-length") && value != "0")
        {
            head.has_body = true;
        }
    }
    Ok(Some((head, len)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_a_head_split_across_reads_and_keeps_what_follows() {
        let (mut client, mut server) = tokio::io::duplex(64);
        let writer = tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            client
                .write_all(b"GET /ws?x=1 HTTP/1.1\r\nHost: a:1\r\nOrigin: http://a:1\r\n")
                .await
                .unwrap();
            client
                .write_all(b"X-Forwarded-For: 1.1.1.1\r\nX-Forwarded-For: 2.2.2.2\r\nConnection: keep-alive, Upgrade\r\nUpgrade: WebSocket\r\nAccept-Encoding: br, gzip;q=0.5\r\n\r\nEXTRA")
                .await
                .unwrap();
            client
        });
        let mut buf = Vec::new();
        let head = read_head(&mut server, &mut buf).await.unwrap();
        let _client = writer.await.unwrap();
        assert_eq!(head.method, "GET");
        assert_eq!(head.path, "/ws");
        assert!(head.http11 && !head.wants_close && head.connection_upgrade);
        assert!(head.upgrade_websocket && head.accepts_gzip && !head.has_body);
        assert_eq!(head.host.as_deref(), Some("a:1"));
        assert_eq!(head.forwarded_for.as_deref(), Some("1.1.1.1,2.2.2.2"));
        assert_eq!(buf, b"EXTRA");
    }

    #[tokio::test]
    async fn refuses_oversized_heads_and_garbage() {
        let mut big = b"GET / HTTP/1.1\r\n".to_vec();
        big.extend(std::iter::repeat_n(b'a', MAX_HEAD_BYTES));
        let mut buf = Vec::new();
        let err = read_head(&mut big.as_slice(), &mut buf).await.unwrap_err();
        assert!(matches!(err, HeadError::TooLarge));
        let mut buf = Vec::new();
        let err = read_head(&mut &b"\x16\x03\x01garbage\r\n\r\n"[..], &mut buf)
            .await
            .unwrap_err();
        assert!(matches!(err, HeadError::Malformed));
        let mut buf = Vec::new();
        let err = read_head(&mut &b""[..], &mut buf).await.unwrap_err();
        assert!(matches!(err, HeadError::Closed));
    }

    #[test]
    fn gzip_with_q_zero_is_refused() {
        let (head, _) = parse(b"GET / HTTP/1.1\r\nAccept-Encoding: gzip;q=0, br\r\n\r\n")
            .unwrap()
            .unwrap();
        assert!(!head.accepts_gzip);
    }
}
