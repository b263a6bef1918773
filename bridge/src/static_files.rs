//! Serving the built web app (`--static DIR`) next to the socket, so one origin
//! carries the page and its WebSocket.
//!
//! Never outside DIR: the path is decoded, any `..` or hidden segment refused, and
//! the resolved file must lie under the canonical DIR (which also stops symlinks
//! pointing out). Compressible files are gzipped once and kept in memory until
//! the file on disk changes.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use flate2::Compression;
use flate2::write::GzEncoder;

use crate::http::request::RequestHead;
use crate::http::response::Response;
use crate::mime::{content_type, is_compressible};

/// The page's Content-Security-Policy: only our own scripts (plus wasm compilation),
/// images from anywhere over http(s) and from downloaded bytes (`blob:`/`data:`),
/// and sockets back to us.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' https: http: data: blob:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// Files smaller than this are sent as they are: gzip would not pay for itself.
const MIN_GZIP_BYTES: u64 = 512;

/// Hashed asset names (trunk's `name-<16 hex>.ext`) never change content, so
/// browsers may keep them for a year; everything else is revalidated.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

#[derive(Debug)]
struct Gzipped {
    len: u64,
    modified: SystemTime,
    body: Arc<Vec<u8>>,
}

/// A static directory and the gzip cache of its files.
#[derive(Debug)]
pub(crate) struct StaticFiles {
    root: PathBuf,
    gzip_cache: Mutex<HashMap<PathBuf, Gzipped>>,
}

impl StaticFiles {
    pub(crate) fn new(dir: &Path) -> io::Result<Self> {
        Ok(Self {
            root: dir.canonicalize()?,
            gzip_cache: Mutex::default(),
        })
    }

    /// The response for a GET or HEAD of `head.path`.
    pub(crate) async fn respond(&self, head: &RequestHead) -> Response {
        let Some(file) = self.resolve(&head.path).await else {
            return Response::text(404, "not found");
        };
        match self.serve(&file, head).await {
            Ok(response) => response,
            Err(_) => Response::text(404, "not found"),
        }
    }

    /// Maps a URL path to a file under the root. Directories serve their
    /// `index.html`; an unknown path without a file extension is an app route and
    /// serves the root `index.html`.
    async fn resolve(&self, url_path: &str) -> Option<PathBuf> {
        let decoded = percent_decode(url_path)?;
        let mut path = self.root.clone();
        let mut last = "";
        for segment in decoded.split('/').filter(|s| !s.is_empty()) {
            if segment.starts_with('.') || segment.contains(['\\', '\0']) {
                return None;
            }
            path.push(segment);
            last = segment;
        }
        let candidate = match tokio::fs::metadata(&path).await {
            Ok(meta) if meta.is_dir() => path.join("index.html"),
            Ok(_) => path,
            Err(_) if !last.contains('.') => self.root.join("index.html"),
            Err(_) => return None,
        };
        let real = tokio::fs::canonicalize(&candidate).await.ok()?;
        let meta = tokio::fs::metadata(&real).await.ok()?;
        (real.starts_with(&self.root) && meta.is_file()).then_some(real)
    }

    async fn serve(&self, file: &Path, head: &RequestHead) -> io::Result<Response> {
        let meta = tokio::fs::metadata(file).await?;
        let modified = meta.modified().unwrap_or(UNIX_EPOCH);
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let kind = content_type(name);
        let gzip = is_compressible(kind) && head.accepts_gzip && meta.len() >= MIN_GZIP_BYTES;
        let etag = etag(meta.len(), modified, gzip);
        let cache_control = if is_hashed_asset(name) {
            IMMUTABLE
        } else {
            REVALIDATE
        };
        let mut response = if head
            .if_none_match
            .as_deref()
            .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
        {
            Response::new(304, kind, Vec::new())
        } else if gzip {
            let body = self.gzipped(file, meta.len(), modified).await?;
            let mut response = Response::new(200, kind, body);
            response.header("Content-Encoding", "gzip");
            response
        } else {
            Response::new(200, kind, tokio::fs::read(file).await?)
        };
        response
            .header("ETag", etag)
            .header("Cache-Control", cache_control)
            .header("X-Content-Type-Options", "nosniff")
            .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            .header("Referrer-Policy", "no-referrer");
        if is_compressible(kind) {
            response.header("Vary", "Accept-Encoding");
        }
        Ok(response)
    }

    /// The gzipped bytes of `file`, compressed on first use (off the async
    /// threads) and cached until the file's size or time changes.
    async fn gzipped(
        &self,
        file: &Path,
        len: u64,
        modified: SystemTime,
    ) -> io::Result<Arc<Vec<u8>>> {
        if let Some(hit) = self
            .gzip_cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(file)
            .filter(|g| g.len == len && g.modified == modified)
        {
            return Ok(Arc::clone(&hit.body));
        }
        let raw = tokio::fs::read(file).await?;
        let body = tokio::task::spawn_blocking(move || {
            let mut encoder =
                GzEncoder::new(Vec::with_capacity(raw.len() / 3), Compression::default());
            encoder.write_all(&raw)?;
            encoder.finish()
        })
        .await
        .map_err(io::Error::other)??;
        let body = Arc::new(body);
        self.gzip_cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(
                file.to_owned(),
                Gzipped {
                    len,
                    modified,
                    body: Arc::clone(&body),
                },
            );
        Ok(body)
    }
}

fn etag(len: u64, modified: SystemTime, gzip: bool) -> String {
    let nanos = modified
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("\"{len:x}-{nanos:x}{}\"", if gzip { "-gz" } else { "" })
}

/// Whether a file name carries a content hash (16 or more hex digits in one of its
/// `-`, `_` or `.` separated parts), as trunk's hashed outputs do.
fn is_hashed_asset(name: &str) -> bool {
    name.split(['-', '_', '.'])
        .any(|part| part.len() >= 16 && part.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Decodes `%XX` escapes; `None` for bad escapes or a result that is not UTF-8.
fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names() {
        assert!(is_hashed_asset("miricat-web-5f3c9e2a1b4d6e7f_bg.wasm"));
        assert!(is_hashed_asset("index-5f3c9e2a1b4d6e7f.js"));
        assert!(!is_hashed_asset("index.html"));
        assert!(!is_hashed_asset("favicon.ico"));
    }

    #[test]
    fn decoding() {
        assert_eq!(percent_decode("/a%20b").as_deref(), Some("/a b"));
        assert_eq!(percent_decode("/%2e%2e/x").as_deref(), Some("/../x"));
        assert_eq!(percent_decode("/%zz"), None);
        assert_eq!(percent_decode("/%2"), None);
        assert_eq!(percent_decode("/%ff"), None);
    }
}
