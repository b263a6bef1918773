//! Counters for `/metrics`, rendered as Prometheus text.
//!
//! Plain relaxed atomics: each is exact on its own, and a scrape needs no lock.
//! Pumps add per batch, not per frame, to keep the shared cache lines quiet.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

/// Why an HTTP request did not become a bridged connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// 403: the browser's `Origin` is not allowed.
    Origin,
    /// 429: too many connections from this client address.
    PerIp,
    /// 503: the bridge is at `max_connections`.
    Capacity,
    /// 404: no such WebSocket path (or upstream name).
    NotFound,
    /// 400/405/426: not a valid WebSocket upgrade.
    BadRequest,
    /// A new socket closed at once: too many open sockets in total or from its
    /// address (see `HTTP_HEADROOM` in `server.rs`).
    Sockets,
    /// 421: a `Host` this bridge does not answer for (see `host_policy.rs`).
    Host,
}

impl Refusal {
    const ALL: [Refusal; 7] = [
        Refusal::Origin,
        Refusal::PerIp,
        Refusal::Capacity,
        Refusal::NotFound,
        Refusal::BadRequest,
        Refusal::Sockets,
        Refusal::Host,
    ];

    fn label(self) -> &'static str {
        match self {
            Refusal::Origin => "origin",
            Refusal::PerIp => "per_ip",
            Refusal::Capacity => "max_connections",
            Refusal::NotFound => "not_found",
            Refusal::BadRequest => "bad_request",
            Refusal::Sockets => "sockets",
            Refusal::Host => "host",
        }
    }
}

/// What went wrong on the upstream side of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpstreamError {
    /// Could not connect (refused, unresolvable or timed out).
    Connect,
    /// Reading or writing failed after connecting.
    Io,
    /// The server sent a line that is not UTF-8.
    InvalidUtf8,
    /// The server sent a line over the limit.
    TooLong,
}

impl UpstreamError {
    const ALL: [UpstreamError; 4] = [
        UpstreamError::Connect,
        UpstreamError::Io,
        UpstreamError::InvalidUtf8,
        UpstreamError::TooLong,
    ];

    fn label(self) -> &'static str {
        match self {
            UpstreamError::Connect => "connect",
            UpstreamError::Io => "io",
            UpstreamError::InvalidUtf8 => "invalid_utf8",
            UpstreamError::TooLong => "too_long",
        }
    }
}

/// The close codes the bridge sends or receives, counted by code.
const CLOSE_CODES: [u16; 9] = [1000, 1001, 1002, 1003, 1005, 1006, 1007, 1009, 1011];

/// All counters of one bridge instance.
#[derive(Debug, Default)]
pub struct Metrics {
    open: AtomicU64,
    total: AtomicU64,
    refused: [AtomicU64; 7],
    frames_to_upstream: AtomicU64,
    bytes_to_upstream: AtomicU64,
    frames_to_browser: AtomicU64,
    bytes_to_browser: AtomicU64,
    upstream_errors: [AtomicU64; 4],
    /// One slot per entry of `CLOSE_CODES`, plus one for any other code.
    close_codes: [AtomicU64; 10],
    http_requests: AtomicU64,
}

impl Metrics {
    pub(crate) fn connection_opened(&self) {
        self.open.fetch_add(1, Ordering::Relaxed);
        self.total.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn connection_closed(&self, code: u16) {
        self.open.fetch_sub(1, Ordering::Relaxed);
        let slot = CLOSE_CODES
            .iter()
            .position(|&c| c == code)
            .unwrap_or(CLOSE_CODES.len());
        self.close_codes[slot].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn refused(&self, why: Refusal) {
        let slot = Refusal::ALL.iter().position(|&r| r == why).unwrap_or(0);
        self.refused[slot].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn upstream_error(&self, what: UpstreamError) {
        let slot = UpstreamError::ALL
            .iter()
            .position(|&e| e == what)
            .unwrap_or(0);
        self.upstream_errors[slot].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn to_upstream(&self, frames: u64, bytes: u64) {
        self.frames_to_upstream.fetch_add(frames, Ordering::Relaxed);
        self.bytes_to_upstream.fetch_add(bytes, Ordering::Relaxed);
    }

    pub(crate) fn to_browser(&self, frames: u64, bytes: u64) {
        self.frames_to_browser.fetch_add(frames, Ordering::Relaxed);
        self.bytes_to_browser.fetch_add(bytes, Ordering::Relaxed);
    }

    pub(crate) fn http_request(&self) {
        self.http_requests.fetch_add(1, Ordering::Relaxed);
    }

    /// The Prometheus text exposition of every counter.
    pub fn render(&self) -> String {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let mut out = String::with_capacity(2048);
        let mut metric = |name: &str, kind: &str, help: &str, samples: &[(String, u64)]| {
            let _ = writeln!(out, "# HELP miricat_bridge_{name} {help}");
            let _ = writeln!(out, "# TYPE miricat_bridge_{name} {kind}");
            for (labels, value) in samples {
                let _ = writeln!(out, "miricat_bridge_{name}{labels} {value}");
            }
        };
        metric(
            "connections_open",
            "gauge",
            "Bridged WebSocket connections open now.",
            &[(String::new(), get(&self.open))],
        );
        metric(
            "connections_total",
            "counter",
            "Bridged WebSocket connections accepted.",
            &[(String::new(), get(&self.total))],
        );
        let refused: Vec<_> = Refusal::ALL
            .iter()
            .zip(&self.refused)
            .map(|(r, n)| (format!("{{reason=\"{}\"}}", r.label()), get(n)))
            .collect();
        metric(
            "connections_refused_total",
            "counter",
            "Requests on WebSocket paths refused before the upgrade, requests for unknown host names, and sockets closed at once.",
            &refused,
        );
        metric(
            "frames_total",
            "counter",
            "Frames relayed (one frame is one line).",
            &[
                (
                    "{direction=\"to_upstream\"}".into(),
                    get(&self.frames_to_upstream),
                ),
                (
                    "{direction=\"to_browser\"}".into(),
                    get(&self.frames_to_browser),
                ),
            ],
        );
        metric(
            "bytes_total",
            "counter",
            "Payload bytes relayed, line terminators excluded.",
            &[
                (
                    "{direction=\"to_upstream\"}".into(),
                    get(&self.bytes_to_upstream),
                ),
                (
                    "{direction=\"to_browser\"}".into(),
                    get(&self.bytes_to_browser),
                ),
            ],
        );
        let upstream: Vec<_> = UpstreamError::ALL
            .iter()
            .zip(&self.upstream_errors)
            .map(|(e, n)| (format!("{{kind=\"{}\"}}", e.label()), get(n)))
            .collect();
        metric(
            "upstream_errors_total",
            "counter",
            "Upstream connections that failed, by cause.",
            &upstream,
        );
        let closes: Vec<_> = CLOSE_CODES
            .iter()
            .map(|c| c.to_string())
            .chain(["other".to_owned()])
            .zip(&self.close_codes)
            .map(|(code, n)| (format!("{{code=\"{code}\"}}"), get(n)))
            .collect();
        metric(
            "close_codes_total",
            "counter",
            "Bridged connections closed, by WebSocket close code.",
            &closes,
        );
        metric(
            "http_requests_total",
            "counter",
            "Plain HTTP requests answered (static files, health, metrics, refusals).",
            &[(String::new(), get(&self.http_requests))],
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_family_with_labels() {
        let m = Metrics::default();
        m.connection_opened();
        m.to_browser(3, 30);
        m.refused(Refusal::Origin);
        m.upstream_error(UpstreamError::Connect);
        m.connection_closed(1011);
        let text = m.render();
        assert!(text.contains("miricat_bridge_connections_open 0\n"));
        assert!(text.contains("miricat_bridge_connections_total 1\n"));
        assert!(text.contains("miricat_bridge_connections_refused_total{reason=\"origin\"} 1\n"));
        assert!(text.contains("miricat_bridge_frames_total{direction=\"to_browser\"} 3\n"));
        assert!(text.contains("miricat_bridge_bytes_total{direction=\"to_browser\"} 30\n"));
        assert!(text.contains("miricat_bridge_upstream_errors_total{kind=\"connect\"} 1\n"));
        assert!(text.contains("miricat_bridge_close_codes_total{code=\"1011\"} 1\n"));
    }
}
