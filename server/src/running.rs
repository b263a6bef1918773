//! A server running in the background of the caller's tokio runtime: what other
//! crates' tests (the terminal client, the browser end-to-end tests) start.

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::server::{Server, ServerError};
use crate::stats::{Stats, StatsSnapshot};
use std::sync::Arc;

/// A server listening on `127.0.0.1:<random port>` until [`RunningServer::stop`].
/// Dropping it without stopping shuts the server down in the background too.
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    generated_root_password: Option<String>,
    stats: Arc<Stats>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), ServerError>>,
}

impl RunningServer {
    /// Opens the database of `config` and starts serving on a fresh loopback port.
    pub async fn start(config: Config) -> Result<Self, ServerError> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| ServerError::Config(format!("cannot bind 127.0.0.1:0: {e}")))?;
        Self::start_on(listener, config).await
    }

    /// Like [`RunningServer::start`] on a listener the caller bound.
    pub async fn start_on(listener: TcpListener, config: Config) -> Result<Self, ServerError> {
        let addr = listener
            .local_addr()
            .map_err(|e| ServerError::Config(format!("listener has no address: {e}")))?;
        let server = tokio::task::spawn_blocking(move || Server::open(config))
            .await
            .map_err(|e| ServerError::Config(format!("start-up task failed: {e}")))??;
        let generated_root_password = server.generated_root_password().map(str::to_owned);
        let stats = server.stats();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run(listener, async move {
            let _ = stopped.await;
        }));
        Ok(Self {
            addr,
            generated_root_password,
            stats,
            stop: Some(stop),
            task,
        })
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The root password generated at start, when the config gave none and the
    /// database had none.
    pub fn generated_root_password(&self) -> Option<&str> {
        self.generated_root_password.as_deref()
    }

    /// What the server has spent so far (key pairs, password checks): lets a test
    /// check what an attack cost without timing it.
    pub fn stats(&self) -> StatsSnapshot {
        self.stats.snapshot()
    }

    /// Shuts down gracefully (closes clients, flushes the database) and waits.
    pub async fn stop(mut self) -> Result<(), ServerError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task)
            .await
            .map_err(|e| ServerError::Config(format!("server task failed: {e}")))?
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
