//! Writing plain HTTP/1.1 responses: refusals, health, metrics and static files.

use std::io;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// A response about to be written. Headers are few and known, so a `Vec` of pairs
/// is all the structure needed.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Body,
}

/// A response body: built for this response, shared with a cache (static files
/// are sent from memory without a copy per request), or streamed from an open file
/// of this length (files too large for the cache).
#[derive(Debug)]
pub(crate) enum Body {
    Owned(Vec<u8>),
    Shared(Arc<Vec<u8>>),
    File(tokio::fs::File, u64),
}

/// Bodies up to this size go out in the same write as the head.
const COALESCE_BYTES: usize = 16 * 1024;

impl Body {
    fn len(&self) -> u64 {
        match self {
            Body::Owned(bytes) => bytes.len() as u64,
            Body::Shared(bytes) => bytes.len() as u64,
            Body::File(_, len) => *len,
        }
    }

    fn in_memory(&self) -> Option<&[u8]> {
        match self {
            Body::Owned(bytes) => Some(bytes),
            Body::Shared(bytes) => Some(bytes),
            Body::File(..) => None,
        }
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Self {
        Body::Owned(bytes)
    }
}

impl From<String> for Body {
    fn from(text: String) -> Self {
        Body::Owned(text.into_bytes())
    }
}

impl From<Arc<Vec<u8>>> for Body {
    fn from(bytes: Arc<Vec<u8>>) -> Self {
        Body::Shared(bytes)
    }
}

impl Response {
    pub(crate) fn new(status: u16, content_type: &str, body: impl Into<Body>) -> Self {
        Self {
            status,
            headers: vec![("Content-Type", content_type.to_owned())],
            body: body.into(),
        }
    }

    /// A short plain-text response, for refusals.
    pub(crate) fn text(status: u16, body: &str) -> Self {
        let mut body = body.to_owned();
        body.push('\n');
        let mut response = Self::new(status, "text/plain; charset=utf-8", body);
        response.header("Cache-Control", "no-store");
        response
    }

    pub(crate) fn header(&mut self, name: &'static str, value: impl Into<String>) -> &mut Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Writes the response; `head_only` for HEAD requests, `close` when the
    /// connection ends after it. A file body is copied in small chunks; a file that
    /// shrank meanwhile fails the write (the length was promised).
    pub(crate) async fn write_to<S: AsyncWrite + Unpin>(
        self,
        stream: &mut S,
        head_only: bool,
        close: bool,
    ) -> io::Result<()> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (name, value) in &self.headers {
            head.push_str(name);
            head.push_str(": ");
            head.push_str(value);
            head.push_str("\r\n");
        }
        if self.status != 304 {
            head.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        }
        head.push_str(if close {
            "Connection: close\r\n\r\n"
        } else {
            "Connection: keep-alive\r\n\r\n"
        });
        if head_only || self.status == 304 {
            stream.write_all(head.as_bytes()).await?;
            return stream.flush().await;
        }
        match self.body {
            Body::File(file, len) => {
                stream.write_all(head.as_bytes()).await?;
                let copied = tokio::io::copy(&mut file.take(len), stream).await?;
                if copied < len {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
            }
            ref body => {
                let body = body.in_memory().unwrap_or_default();
                if body.len() <= COALESCE_BYTES {
                    let mut all = head.into_bytes();
                    all.extend_from_slice(body);
                    stream.write_all(&all).await?;
                } else {
                    stream.write_all(head.as_bytes()).await?;
                    stream.write_all(body).await?;
                }
            }
        }
        stream.flush().await
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        101 => "Switching Protocols",
        200 => "OK",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        421 => "Misdirected Request",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn writes_status_headers_length_and_body() {
        let mut out = Vec::new();
        let mut r = Response::text(403, "origin not allowed");
        r.header("X-Test", "1");
        r.write_to(&mut out, false, true).await.unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 403 Forbidden\r\n"));
        assert!(text.contains("X-Test: 1\r\n"));
        assert!(text.contains("Content-Length: 19\r\n"));
        assert!(text.ends_with("Connection: close\r\n\r\norigin not allowed\n"));
    }

    #[tokio::test]
    async fn file_bodies_are_streamed_and_a_shrunken_file_fails_the_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.bin");
        let bytes: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        let file = tokio::fs::File::open(&path).await.unwrap();
        let mut out = Vec::new();
        Response::new(200, "application/octet-stream", Body::File(file, 100_000))
            .write_to(&mut out, false, false)
            .await
            .unwrap();
        assert!(out.ends_with(&bytes));
        assert!(String::from_utf8_lossy(&out).contains("Content-Length: 100000\r\n"));
        // The length promised in the head is more than the file now holds.
        let file = tokio::fs::File::open(&path).await.unwrap();
        let result = Response::new(200, "application/octet-stream", Body::File(file, 100_001))
            .write_to(&mut Vec::new(), false, false)
            .await;
        assert_eq!(result.unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
    }

    #[tokio::test]
    async fn head_requests_get_no_body() {
        let mut out = Vec::new();
        Response::text(200, "hello")
            .write_to(&mut out, true, false)
            .await
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("Content-Length: 6\r\n"));
        assert!(text.ends_with("\r\n\r\n"));
    }
}
