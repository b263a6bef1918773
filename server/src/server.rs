//! The listener: opening the store, the accept loop, the connection cap, and
//! graceful shutdown (mini-redis style).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, broadcast, mpsc};

use crate::config::Config;
use crate::hub::Hub;
use crate::image_quota::ImageQuota;
use crate::images::{ImageFiles, sweep_unreferenced};
use crate::ip_limit::IpLimits;
use crate::membership_rate::MembershipRate;
use crate::password::{PasswordError, Passwords};
use crate::random::{RandomError, generate_password};
use crate::shutdown::Shutdown;
use crate::store::{Store, StoreError};

/// How long shutdown waits for connections to finish before closing the database.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Why the server could not start or run.
#[derive(Debug, Error)]
pub enum ServerError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Password hashing failed (bad parameters or no randomness).
    #[error(transparent)]
    Password(#[from] PasswordError),
    /// The system random source failed.
    #[error(transparent)]
    Random(#[from] RandomError),
    /// The image directory could not be prepared.
    #[error("image directory: {0}")]
    Images(#[source] std::io::Error),
    /// The configuration is unusable.
    #[error("invalid configuration: {0}")]
    Config(String),
}

/// State every connection shares.
#[derive(Debug)]
pub struct Shared {
    /// The configuration.
    pub config: Config,
    /// The database.
    pub store: Store,
    /// Connections and rooms.
    pub hub: Hub,
    /// Password hashing.
    pub passwords: Passwords,
    /// Image files.
    pub images: ImageFiles,
    /// Image bytes held per user and in total.
    pub image_quota: Arc<ImageQuota>,
    /// Per-address connection counts.
    pub ip_limits: IpLimits,
    /// Per-user membership change buckets.
    pub membership: MembershipRate,
    /// Source of connection numbers.
    pub next_conn_id: AtomicU64,
    /// Bounds the handshakes computing keys at once (big-number work on the blocking
    /// pool), so a connection flood queues instead of spawning hundreds of threads.
    pub handshake_permits: Semaphore,
}

/// A server whose database is open and ready, not yet listening.
#[derive(Debug)]
pub struct Server {
    shared: Arc<Shared>,
    generated_root_password: Option<String>,
}

impl Server {
    /// Opens (or creates) the database, runs migrations, sets up the root account and
    /// the image directory. Blocking (file I/O and one password hash): call it before
    /// serving, or from `spawn_blocking`.
    pub fn open(config: Config) -> Result<Self, ServerError> {
        if config.root_user.is_empty() {
            return Err(ServerError::Config("the root username is empty".into()));
        }
        if config.root_password.as_deref() == Some("") {
            return Err(ServerError::Config("the root password is empty".into()));
        }
        let store = Store::open(&config.db_path)?;
        let images = ImageFiles::open(config.image_dir()).map_err(ServerError::Images)?;
        let passwords = Passwords::new(config.password_hashing)?;
        let generated_root_password = match &config.root_password {
            Some(password) => {
                store
                    .upsert_user_blocking(&config.root_user, passwords.hash_blocking(password)?)?;
                None
            }
            None if store.user_exists_blocking(&config.root_user)? => None,
            None => {
                let password = generate_password()?;
                store
                    .upsert_user_blocking(&config.root_user, passwords.hash_blocking(&password)?)?;
                Some(password)
            }
        };
        let hub = Hub::new(store.rooms_blocking()?);
        let image_quota = Arc::new(ImageQuota::new(
            config.image_storage,
            store.image_usage_blocking()?,
        ));
        let ip_limits = IpLimits::new(config.max_connections_per_ip);
        let membership = MembershipRate::new(config.membership_rate);
        Ok(Self {
            shared: Arc::new(Shared {
                config,
                store,
                hub,
                passwords,
                images,
                image_quota,
                ip_limits,
                membership,
                next_conn_id: AtomicU64::new(1),
                handshake_permits: Semaphore::new(
                    std::thread::available_parallelism().map_or(2, |n| n.get() * 2),
                ),
            }),
            generated_root_password,
        })
    }

    /// The root password this start generated (the database had none and none was
    /// configured). The operator must be shown it once; it is not stored in clear.
    pub fn generated_root_password(&self) -> Option<&str> {
        self.generated_root_password.as_deref()
    }

    /// Serves `listener` until `shutdown` completes, then stops accepting, closes every
    /// connection and closes the database.
    pub async fn run(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), ServerError> {
        let shared = self.shared;
        let (notify_shutdown, _) = broadcast::channel::<()>(1);
        let (done_tx, mut done_rx) = mpsc::channel::<()>(1);
        let limit = Arc::new(Semaphore::new(shared.config.max_connections.max(1)));
        let sweeper = tokio::spawn(sweep_unreferenced(
            shared.store.clone(),
            shared.images.clone(),
            shared.image_quota.clone(),
            shared.config.image_ttl,
        ));
        if let Ok(addr) = listener.local_addr() {
            tracing::info!(%addr, "listening");
        }
        tokio::pin!(shutdown);
        loop {
            let permit = tokio::select! {
                permit = limit.clone().acquire_owned() => permit,
                () = &mut shutdown => break,
            };
            let Ok(permit) = permit else { break };
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                () = &mut shutdown => break,
            };
            let (socket, peer) = match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: back off, keep serving.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let _ = socket.set_nodelay(true);
            let shared = shared.clone();
            let shutdown = Shutdown::new(notify_shutdown.subscribe());
            let done = done_tx.clone();
            tokio::spawn(async move {
                crate::connection::serve(shared, socket, peer, shutdown).await;
                drop(permit);
                drop(done);
            });
        }
        tracing::info!("shutting down");
        drop(listener);
        drop(notify_shutdown);
        shared.hub.close_all();
        drop(done_tx);
        if tokio::time::timeout(SHUTDOWN_GRACE, done_rx.recv())
            .await
            .is_err()
        {
            tracing::warn!("some connections did not close in time");
        }
        sweeper.abort();
        let _ = sweeper.await;
        shared.store.close().await;
        tracing::info!("database closed");
        Ok(())
    }
}

/// Opens the server with `config` and serves `listener` until `shutdown` completes.
/// See [`Server`] to learn a generated root password first.
pub async fn run(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServerError> {
    let server = tokio::task::spawn_blocking(move || Server::open(config))
        .await
        .map_err(|e| ServerError::Config(format!("start-up task failed: {e}")))??;
    server.run(listener, shutdown).await
}
