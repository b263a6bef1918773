//! `/healthz`: whether every upstream accepts TCP connections right now.
//!
//! Anyone can call it, so one probe serves all callers for a second: the endpoint
//! cannot be used to make the bridge hammer the MCP server with connections.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::Mutex;
use tokio::time::{Instant, timeout};

use crate::config::Config;
use crate::http::response::Response;
use crate::proxy_protocol::local_header;

/// How long one probe's answer is reused.
const CACHE_FOR: Duration = Duration::from_secs(1);

/// Longest a probe waits for one upstream.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Each upstream's WebSocket path and whether it accepted a connection.
type Report = Arc<Vec<(String, bool)>>;

/// The cached probe result; the async mutex makes concurrent callers share one probe.
#[derive(Debug, Default)]
pub(crate) struct HealthCheck {
    last: Mutex<Option<(Instant, Report)>>,
}

impl HealthCheck {
    /// 200 with `{"status":"ok",...}` when every upstream is up, else 503 naming
    /// the ones that are down.
    pub(crate) async fn respond(&self, config: &Config) -> Response {
        let report = self.report(config).await;
        let mut upstreams = Vec::new();
        let mut down = Vec::new();
        for (path, up) in report.iter() {
            // Paths are `/ws` or `/ws/NAME` with NAME from a safe alphabet: no escaping.
            upstreams.push(format!(
                "\"{path}\":\"{}\"",
                if *up { "up" } else { "down" }
            ));
            if !up {
                down.push(format!("\"{path}\""));
            }
        }
        let (status, body) = if down.is_empty() {
            (
                200,
                format!(
                    "{{\"status\":\"ok\",\"upstreams\":{{{}}}}}\n",
                    upstreams.join(",")
                ),
            )
        } else {
            (
                503,
                format!(
                    "{{\"status\":\"unavailable\",\"down\":[{}],\"upstreams\":{{{}}}}}\n",
                    down.join(","),
                    upstreams.join(",")
                ),
            )
        };
        let mut response = Response::new(status, "application/json", body);
        response.header("Cache-Control", "no-store");
        response
    }

    async fn report(&self, config: &Config) -> Report {
        let mut last = self.last.lock().await;
        if let Some((at, report)) = &*last
            && at.elapsed() < CACHE_FOR
        {
            return Arc::clone(report);
        }
        let probes = config.upstreams.iter().map(|(name, address)| async move {
            let path = if name.is_empty() {
                "/ws".to_owned()
            } else {
                format!("/ws/{name}")
            };
            let wait = config.connect_timeout.min(PROBE_TIMEOUT);
            let up = probe(address, config.upstream_proxy_protocol, wait).await;
            (path, up)
        });
        let report = Arc::new(futures_util::future::join_all(probes).await);
        *last = Some((Instant::now(), Arc::clone(&report)));
        report
    }
}

/// Connects and hangs up. With the PROXY protocol on, the connection announces
/// itself as the bridge's own (LOCAL), as the protocol intends for health checks.
async fn probe(address: &str, proxy_protocol: bool, wait: Duration) -> bool {
    let attempt = async {
        let mut tcp = TcpStream::connect(address).await?;
        if proxy_protocol {
            tcp.write_all(&local_header()).await?;
        }
        tcp.shutdown().await
    };
    matches!(timeout(wait, attempt).await, Ok(Ok(())))
}
