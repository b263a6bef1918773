//! The accept loop and graceful shutdown: [`run`] and the state every connection
//! shares.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio::time::{sleep, timeout};
use tracing::{debug, error, info, warn};

use crate::client_ip::canonical;
use crate::config::Config;
use crate::connection::serve_tcp;
use crate::error::BridgeError;
use crate::health::HealthCheck;
use crate::host_policy::HostPolicy;
use crate::limits::ConnectionLimits;
use crate::log_limit::RateLimitedLog;
use crate::metrics::{Metrics, Refusal};
use crate::origin::OriginPolicy;
use crate::shutdown::shutdown_channel;
use crate::static_files::StaticFiles;

/// Sockets allowed on top of `max_connections` (in total) and `max_per_ip` (per
/// client address) for connections still in their HTTP phase: page loads, health
/// checks, refusals. Beyond that a new socket is closed at once, so idle or slow
/// HTTP clients cannot exhaust file descriptors. Trusted proxies, which carry many
/// clients, are exempt from the per-address cap.
const HTTP_HEADROOM: usize = 1024;
const HTTP_HEADROOM_PER_IP: usize = 8;

/// State shared by all connections of one bridge.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) metrics: Metrics,
    pub(crate) limits: Arc<ConnectionLimits>,
    pub(crate) origins: OriginPolicy,
    pub(crate) hosts: HostPolicy,
    /// When a refused `Host` was last logged at warn level (see `connection.rs`).
    pub(crate) host_warning: RateLimitedLog,
    pub(crate) static_files: Option<StaticFiles>,
    pub(crate) health: HealthCheck,
    next_id: AtomicU64,
}

impl Shared {
    pub(crate) fn next_connection_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }
}

/// Serves `listener` with `config` until `shutdown` completes, then stops accepting,
/// closes every bridged connection with 1001 and waits up to
/// `config.shutdown_grace` for them to finish.
///
/// Returns an error only for an unusable configuration, before accepting anything;
/// errors on a connection close that connection only.
pub async fn run(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()>,
) -> Result<(), BridgeError> {
    config.validate()?;
    let static_files =
        match &config.static_dir {
            Some(dir) => Some(StaticFiles::new(dir).map_err(|_| {
                BridgeError::Config(crate::error::ConfigError::StaticDir(dir.clone()))
            })?),
            None => None,
        };
    let shared = Arc::new(Shared {
        metrics: Metrics::default(),
        limits: Arc::new(ConnectionLimits::new(
            config.max_connections,
            config.max_per_ip,
        )),
        origins: OriginPolicy::new(&config.allowed_origins),
        hosts: HostPolicy::new(&config.public_hosts),
        host_warning: RateLimitedLog::default(),
        static_files,
        health: HealthCheck::default(),
        next_id: AtomicU64::new(1),
        config,
    });
    let address = listener.local_addr().map_err(BridgeError::Listener)?;
    info!(%address, upstreams = ?shared.config.upstreams, tls = shared.config.tls.is_some(), "bridge listening");
    let sockets = Arc::new(ConnectionLimits::new(
        shared.config.max_connections.saturating_add(HTTP_HEADROOM),
        shared
            .config
            .max_per_ip
            .saturating_add(HTTP_HEADROOM_PER_IP),
    ));
    let (trigger, signal) = shutdown_channel();
    let mut tasks = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, remote)) => {
                    let ip = canonical(remote.ip());
                    let trusted = shared.config.trusted_proxies.iter().any(|net| net.contains(&ip));
                    match sockets.acquire_for(ip, !trusted) {
                        Ok(permit) => {
                            let (shared, signal) = (Arc::clone(&shared), signal.clone());
                            // The serving future is made inside the task: awaiting a
                            // future captured from outside would store it twice.
                            tasks.spawn(async move {
                                let _permit = permit;
                                serve_tcp(stream, remote, shared, signal).await;
                            });
                        }
                        Err(_) => {
                            shared.metrics.refused(Refusal::Sockets);
                            debug!(client = %ip, "too many open sockets: closing a new one");
                        }
                    }
                }
                Err(error) => accept_failed(&error).await,
            },
            Some(finished) = tasks.join_next(), if !tasks.is_empty() => {
                if let Err(error) = finished {
                    error!(%error, "connection task failed");
                }
            }
        }
    }
    drop(listener);
    info!(open = tasks.len(), "shutting down: closing connections");
    trigger.trigger();
    let drain = async { while tasks.join_next().await.is_some() {} };
    if timeout(shared.config.shutdown_grace, drain).await.is_err() {
        warn!(
            open = tasks.len(),
            "shutdown grace period over: dropping connections"
        );
        tasks.shutdown().await;
    }
    info!("bridge stopped");
    Ok(())
}

/// Accept errors are about one socket or a momentary shortage (file descriptors,
/// memory): log, give the system a moment, and keep serving.
async fn accept_failed(error: &io::Error) {
    warn!(%error, "accept failed");
    sleep(Duration::from_millis(50)).await;
}
