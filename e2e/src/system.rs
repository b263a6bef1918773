//! The real system under test: an MCP server and a bridge serving the release build
//! of the web app, both in-process on loopback ports.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use miricat_server::{Config as ServerConfig, RunningServer};
use tempfile::TempDir;
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::wait;

/// The root account's password in every test system.
pub const ROOT_PASSWORD: &str = "root-password-for-tests";

/// Where `trunk build --release` puts the app.
pub fn dist_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("dist")
}

/// A server plus a bridge in front of it.
pub struct System {
    // Field order is drop order: the bridge and server stop before the temp dir goes.
    bridge: Option<Bridge>,
    server: RunningServer,
    bridge_addr: SocketAddr,
    _dir: TempDir,
}

impl System {
    /// Starts a server on a fresh database and a bridge serving `dist/`. Fails with
    /// instructions when the app has not been built.
    pub async fn start() -> Result<Self> {
        Self::start_with(|_| {}).await
    }

    /// [`System::start`] with the server announcing `heartbeat_ms` (and closing
    /// connections silent for three times that).
    pub async fn start_with_heartbeat(heartbeat_ms: u64) -> Result<Self> {
        Self::start_with(|config| config.heartbeat_ms = heartbeat_ms).await
    }

    /// [`System::start`] for tests whose TCP peers send in bulk: no rate limit (the
    /// default is for people) and a long heartbeat, since the peers idle between
    /// steps without sending heartbeats.
    pub async fn start_for_bulk_senders() -> Result<Self> {
        Self::start_with(|config| {
            config.heartbeat_ms = 60_000;
            without_rate_limit(config);
        })
        .await
    }

    /// [`System::start`] with the server's configuration adjusted by `configure`.
    pub async fn start_with(configure: impl FnOnce(&mut ServerConfig)) -> Result<Self> {
        let dist = dist_dir();
        if !dist.join("index.html").is_file() {
            bail!(
                "{} has no index.html: build the web app first with `trunk build --release` \
                 (at the workspace root; `cargo xtask test` does this)",
                dist.display()
            );
        }
        let dir = tempfile::tempdir().context("creating the test directory")?;
        let mut config = ServerConfig::for_tests(dir.path().join("miricat.db"), ROOT_PASSWORD);
        // Short enough that the heartbeat actually runs during a test.
        config.heartbeat_ms = 5_000;
        configure(&mut config);
        let server = RunningServer::start(config)
            .await
            .context("starting the MCP server")?;
        let bridge = Bridge::start(None, server.addr()).await?;
        Ok(Self {
            bridge_addr: bridge.addr,
            bridge: Some(bridge),
            server,
            _dir: dir,
        })
    }

    /// The MCP server's own address (plain TCP, no bridge).
    pub fn server_addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// The app's address, served by the bridge.
    pub fn url(&self) -> String {
        format!("http://{}/", self.bridge_addr)
    }

    /// A second bridge to the same server, on its own port (for a browser that must
    /// stay connected while the first bridge restarts).
    pub async fn extra_bridge(&self) -> Result<Bridge> {
        Bridge::start(None, self.server.addr()).await
    }

    /// Stops the bridge (its connections close with 1001), leaving the server up.
    pub async fn stop_bridge(&mut self) -> Result<()> {
        match self.bridge.take() {
            Some(bridge) => bridge.stop().await,
            None => Ok(()),
        }
    }

    /// Starts the bridge again on the same port as before.
    pub async fn start_bridge(&mut self) -> Result<()> {
        if self.bridge.is_none() {
            self.bridge = Some(Bridge::start(Some(self.bridge_addr), self.server.addr()).await?);
        }
        Ok(())
    }
}

/// One in-process bridge.
pub struct Bridge {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), miricat_bridge::BridgeError>>,
}

impl Bridge {
    /// Starts a bridge to `upstream` serving `dist/`, on `addr` (a restart) or on a
    /// fresh port.
    async fn start(addr: Option<SocketAddr>, upstream: SocketAddr) -> Result<Self> {
        let listener = match addr {
            None => TcpListener::bind("127.0.0.1:0").await?,
            // The old socket may linger briefly after a stop: retry for a while.
            Some(addr) => {
                wait::until(
                    "the bridge's port to be free again",
                    Duration::from_secs(10),
                    || async move { Ok(bind_reusable(addr).ok()) },
                )
                .await?
            }
        };
        let addr = listener.local_addr()?;
        let mut config =
            miricat_bridge::Config::for_upstream(upstream.to_string()).with_static_dir(dist_dir());
        // A restart in a test should not wait for the production grace period.
        config.shutdown_grace = Duration::from_millis(500);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(miricat_bridge::run(listener, config, async move {
            let _ = stopped.await;
        }));
        Ok(Self {
            addr,
            stop: Some(stop),
            task,
        })
    }

    /// A bridge serving the app in front of `upstream`, which need not be up (to
    /// test what the app says when the chat server is down).
    pub async fn in_front_of(upstream: SocketAddr) -> Result<Self> {
        Self::start(None, upstream).await
    }

    /// Stops this bridge and starts another on the same port in front of
    /// `upstream`: to the browser, the same bridge address now reaches another
    /// server (say, one that was upgraded).
    pub async fn restart_in_front_of(self, upstream: SocketAddr) -> Result<Self> {
        let addr = self.addr;
        self.stop().await?;
        Self::start(Some(addr), upstream).await
    }

    /// The app's address on this bridge.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Shuts the bridge down and waits until it has released its port.
    pub async fn stop(mut self) -> Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(Duration::from_secs(10), &mut self.task)
            .await
            .context("the bridge did not stop within 10 s")?
            .context("the bridge task panicked")?
            .context("the bridge failed")
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Binds `addr` with SO_REUSEADDR, so a restarted bridge gets its old port back even
/// while closed connections from the previous one are in TIME_WAIT.
fn bind_reusable(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}

/// A loopback address where nothing listens (bound, then released).
pub fn dead_address() -> Result<SocketAddr> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?)
}

/// Lets the server take messages as fast as a test's peers send them.
pub fn without_rate_limit(config: &mut ServerConfig) {
    config.rate_limit = miricat_server::RateLimit {
        per_second: 1_000_000.0,
        burst: 1_000_000,
    };
}
