//! Writing plain HTTP/1.1 responses: refusals, health, metrics and static files.

use std::io;
use std::sync::Arc;

use tokio::io::{AsyncWrite, AsyncWriteExt};

/// A response about to be written. Headers are few and known, so a `Vec` of pairs
/// is all the structure needed.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Body,
}

/// A response body: built for this response, or shared with a cache (gzipped
/// assets are sent from memory without a copy per request).
#[derive(Debug)]
pub(crate) enum Body {
    Owned(Vec<u8>),
    Shared(Arc<Vec<u8>>),
}

impl Body {
    fn as_slice(&self) -> &[u8] {
        match self {
            Body::Owned(bytes) => bytes,
            Body::Shared(bytes) => bytes,
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
    /// connection ends after it.
    pub(crate) async fn write_to<S: AsyncWrite + Unpin>(
        &self,
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
            head.push_str(&format!(
                "Content-Length: {}\r\n",
                self.body.as_slice().len()
            ));
        }
        head.push_str(if close {
            "Connection: close\r\n\r\n"
        } else {
            "Connection: keep-alive\r\n\r\n"
        });
        let body: &[u8] = if head_only || self.status == 304 {
            &[]
        } else {
            self.body.as_slice()
        };
        if body.len() <= 16 * 1024 {
            let mut all = head.into_bytes();
            all.extend_from_slice(body);
            stream.write_all(&all).await?;
        } else {
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(body).await?;
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
