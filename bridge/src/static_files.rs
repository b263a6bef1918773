//! Serving the built web app (`--static DIR`) next to the socket, so one origin
//! carries the page and its WebSocket.
//!
//! Never outside DIR: the path is decoded, any `..` or hidden segment refused, and
//! the resolved file must lie under the canonical DIR (which also stops symlinks
//! pointing out).
//!
//! Files are read (and compressible ones gzipped) once and kept in memory until the
//! file on disk changes: every request shares the one cached copy, so a client
//! pipelining requests for the largest asset costs no memory per request. The
//! cache is bounded ([`CACHE_BYTES`] in all, [`MAX_CACHED_FILE_BYTES`] per file);
//! what does not fit is streamed from disk in small chunks, never gzipped.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use flate2::Compression;
use flate2::write::GzEncoder;

use crate::http::request::RequestHead;
use crate::http::response::{Body, Response};
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

/// Most bytes the cache holds (raw and gzipped copies together): far above a
/// built web app (a few MiB), far below what would hurt the host.
pub(crate) const CACHE_BYTES: usize = 64 << 20;

/// Larger files are streamed from disk rather than cached.
pub(crate) const MAX_CACHED_FILE_BYTES: u64 = 16 << 20;

/// One cached copy of a file, valid while the file keeps its size and time.
#[derive(Debug)]
struct Cached {
    len: u64,
    modified: SystemTime,
    body: Arc<Vec<u8>>,
}

/// The cached copies, keyed by file and whether the copy is gzipped.
#[derive(Debug, Default)]
struct Cache {
    entries: HashMap<(PathBuf, bool), Cached>,
    bytes: usize,
}

impl Cache {
    fn get(&self, key: &(PathBuf, bool), len: u64, modified: SystemTime) -> Option<Arc<Vec<u8>>> {
        self.entries
            .get(key)
            .filter(|c| c.len == len && c.modified == modified)
            .map(|c| Arc::clone(&c.body))
    }

    /// Keeps `cached` if it fits in the budget (replacing an outdated copy).
    fn insert(&mut self, key: (PathBuf, bool), cached: Cached) {
        if let Some(old) = self.entries.remove(&key) {
            self.bytes -= old.body.len();
        }
        if self.bytes + cached.body.len() <= CACHE_BYTES {
            self.bytes += cached.body.len();
            self.entries.insert(key, cached);
        }
    }
}

/// A static directory and the cache of its files.
#[derive(Debug)]
pub(crate) struct StaticFiles {
    root: PathBuf,
    cache: Mutex<Cache>,
}

impl StaticFiles {
    pub(crate) fn new(dir: &Path) -> io::Result<Self> {
        Ok(Self {
            root: dir.canonicalize()?,
            cache: Mutex::default(),
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
        let cacheable = meta.len() <= MAX_CACHED_FILE_BYTES;
        let gzip =
            is_compressible(kind) && head.accepts_gzip && meta.len() >= MIN_GZIP_BYTES && cacheable;
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
            let body = self.cached(file, meta.len(), modified, true).await?;
            let mut response = Response::new(200, kind, body);
            response.header("Content-Encoding", "gzip");
            response
        } else if cacheable {
            Response::new(
                200,
                kind,
                self.cached(file, meta.len(), modified, false).await?,
            )
        } else {
            let opened = tokio::fs::File::open(file).await?;
            Response::new(200, kind, Body::File(opened, meta.len()))
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

    /// The bytes of `file` (gzipped if `gzip`), read and compressed (off the async
    /// threads) on first use and cached until the file's size or time changes.
    async fn cached(
        &self,
        file: &Path,
        len: u64,
        modified: SystemTime,
        gzip: bool,
    ) -> io::Result<Arc<Vec<u8>>> {
        let key = (file.to_owned(), gzip);
        if let Some(hit) = self.lock().get(&key, len, modified) {
            return Ok(hit);
        }
        let raw = tokio::fs::read(file).await?;
        let body = if gzip {
            tokio::task::spawn_blocking(move || {
                let mut encoder =
                    GzEncoder::new(Vec::with_capacity(raw.len() / 3), Compression::default());
                encoder.write_all(&raw)?;
                encoder.finish()
            })
            .await
            .map_err(io::Error::other)??
        } else {
            raw
        };
        let body = Arc::new(body);
        self.lock().insert(
            key,
            Cached {
                len,
                modified,
                body: Arc::clone(&body),
            },
        );
        Ok(body)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
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

    #[tokio::test]
    async fn every_request_shares_one_cached_copy() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("app.wasm"), vec![7u8; 100_000]).unwrap();
        let files = StaticFiles::new(dir.path()).unwrap();
        let file = dir.path().canonicalize().unwrap().join("app.wasm");
        let meta = std::fs::metadata(&file).unwrap();
        let modified = meta.modified().unwrap();
        let first = files
            .cached(&file, meta.len(), modified, false)
            .await
            .unwrap();
        let second = files
            .cached(&file, meta.len(), modified, false)
            .await
            .unwrap();
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(first.len(), 100_000);
        assert_eq!(files.lock().bytes, 100_000);
    }

    #[test]
    fn the_cache_keeps_to_its_budget() {
        let mut cache = Cache::default();
        let entry = |n: usize| Cached {
            len: n as u64,
            modified: UNIX_EPOCH,
            body: Arc::new(vec![0; n]),
        };
        cache.insert(("a".into(), false), entry(CACHE_BYTES - 10));
        cache.insert(("b".into(), false), entry(11));
        assert!(cache.get(&("b".into(), false), 11, UNIX_EPOCH).is_none());
        // Replacing an outdated copy frees its bytes first.
        cache.insert(("a".into(), false), entry(5));
        cache.insert(("b".into(), false), entry(11));
        assert_eq!(cache.bytes, 16);
        assert!(cache.get(&("a".into(), false), 6, UNIX_EPOCH).is_none());
    }

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
