//! The SQLite store: one connection owned by a dedicated thread, reached through a
//! cheap [`Store`] handle whose async methods never block the reactor.
//!
//! History pages ([`history`]) are read on a second, read-only connection with its
//! own thread: WAL lets it read while the first writes, so however many pages
//! clients ask for, storing (and fanning out) messages never waits behind them.
//!
//! - [`schema`]: the `user_version`-based migration list.
//! - [`users`], [`rooms`], [`images`], [`messages`]: the queries, one table each.
//! - [`history`]: `history/1` pages of the `messages` table.

pub mod history;
pub mod images;
pub mod messages;
pub mod rooms;
pub mod schema;
pub mod users;

use std::path::Path;
use std::sync::mpsc as std_mpsc;
use std::thread::JoinHandle;

use rusqlite::Connection;
use thiserror::Error;
use tokio::sync::oneshot;

/// Why a store operation failed.
#[derive(Debug, Error)]
pub enum StoreError {
    /// SQLite reported an error.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database thread is gone (the server is shutting down).
    #[error("the database thread has stopped")]
    Closed,
    /// The database directory could not be created.
    #[error("cannot create the database directory: {0}")]
    Io(#[from] std::io::Error),
    /// The database was written by a newer server.
    #[error("database schema version {found} is newer than this server's {supported}")]
    TooNew {
        /// `user_version` in the file.
        found: i64,
        /// The newest this build knows.
        supported: i64,
    },
}

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// What the database thread is asked to do.
enum Msg {
    /// Run this.
    Job(Job),
    /// Checkpoint, close the database and end the thread.
    Stop,
}

/// A handle on the database thread. Clones share the thread; the thread ends (after a
/// WAL checkpoint) when [`Store::close`] is called or every handle is dropped.
#[derive(Clone)]
pub struct Store {
    jobs: std_mpsc::Sender<Msg>,
    thread: std::sync::Arc<std::sync::Mutex<Option<JoinHandle<()>>>>,
    /// The read-only connection for history pages (`None` on the reader itself).
    reader: Option<Box<Store>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store(..)")
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path`, switches it to WAL mode and
    /// runs pending migrations.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // WAL + NORMAL: a committed transaction survives a process crash; only an OS
        // crash or power loss can drop the last few.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        schema::migrate(&mut conn)?;
        let reader = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        reader.busy_timeout(std::time::Duration::from_secs(5))?;
        let reader = Self::spawn(reader, "miricat-store-reader", None)?;
        Self::spawn(conn, "miricat-store", Some(Box::new(reader)))
    }

    /// Hands `conn` to a new thread named `name`.
    fn spawn(
        mut conn: Connection,
        name: &str,
        reader: Option<Box<Store>>,
    ) -> Result<Self, StoreError> {
        let (jobs, receiver) = std_mpsc::channel::<Msg>();
        let thread = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                while let Ok(Msg::Job(job)) = receiver.recv() {
                    job(&mut conn);
                }
                if !conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(true)
                    && let Err(e) = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
                {
                    tracing::warn!(error = %e, "WAL checkpoint at close failed");
                }
                if let Err((_, e)) = conn.close() {
                    tracing::warn!(error = %e, "closing the database failed");
                }
            })?;
        Ok(Self {
            jobs,
            thread: std::sync::Arc::new(std::sync::Mutex::new(Some(thread))),
            reader,
        })
    }

    /// The handle reads of history pages go to.
    fn reader(&self) -> &Store {
        self.reader.as_deref().unwrap_or(self)
    }

    /// Runs `f` on the database thread and returns its result.
    pub async fn call<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let _ = tx.send(f(conn));
        });
        self.jobs
            .send(Msg::Job(job))
            .map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }

    /// Runs `f` on the database thread, blocking the calling thread. For start-up,
    /// before the runtime serves anyone.
    pub fn call_blocking<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (tx, rx) = std_mpsc::channel();
        let job: Job = Box::new(move |conn| {
            let _ = tx.send(f(conn));
        });
        self.jobs
            .send(Msg::Job(job))
            .map_err(|_| StoreError::Closed)?;
        rx.recv().map_err(|_| StoreError::Closed)?
    }

    /// Finishes queued work, checkpoints the WAL and closes the database. Calls on
    /// any handle fail with [`StoreError::Closed`] afterwards.
    pub async fn close(&self) {
        if let Some(reader) = &self.reader {
            Box::pin(reader.close()).await;
        }
        let thread = self.thread.lock().ok().and_then(|mut t| t.take());
        let _ = self.jobs.send(Msg::Stop);
        if let Some(thread) = thread {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

/// Whether an error is a UNIQUE constraint violation (a name already taken).
pub fn is_unique_violation(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(e, _)
            if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    )
}

/// Milliseconds since the Unix epoch, the server's clock for stamps.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
