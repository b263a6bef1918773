//! Open file descriptors: raising the process's limit at start, fitting the
//! connection cap under it, and what the accept loop does when it runs out anyway.
//!
//! Every connection holds its socket and up to
//! [`MAX_UPLOADS_PER_CONNECTION`] open upload files. At the common soft limit of
//! 1024, 250 connections uploading could stop every accept. So the binary raises
//! the soft limit to the hard one ([`raise_open_file_limit`]), and the server
//! lowers its connection cap, with a warning, to what the limit can carry
//! ([`connection_cap`]). If accept still fails for want of descriptors (other
//! processes, a lowered limit), [`SpareDescriptor`] closes the waiting connection at
//! once instead of leaving it in the backlog while accept fails in a loop.

use std::io;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::time::Instant;

use crate::images::MAX_UPLOADS_PER_CONNECTION;

/// Descriptors kept for everything but connections: the listener, the database
/// and its journal, standard streams, the spare, image downloads in flight.
pub const RESERVED_DESCRIPTORS: u64 = 32;

/// Descriptors one connection may hold at once: its socket and its uploads.
pub const DESCRIPTORS_PER_CONNECTION: u64 = 1 + MAX_UPLOADS_PER_CONNECTION as u64;

/// How long accept pauses after running out of descriptors.
pub const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// The process's open-file limit before and after [`raise_open_file_limit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenFileLimit {
    /// The soft limit found at start.
    pub soft_before: u64,
    /// The soft limit now in force.
    pub soft: u64,
    /// The hard limit (the most the soft one may be raised to).
    pub hard: u64,
}

/// Raises the soft open-file limit to the hard limit. Call it once at start, from
/// the binary: it changes the whole process. `u64::MAX` stands for "unlimited".
#[cfg(unix)]
pub fn raise_open_file_limit() -> io::Result<OpenFileLimit> {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let found = getrlimit(Resource::Nofile);
    let soft_before = found.current.unwrap_or(u64::MAX);
    let hard = found.maximum.unwrap_or(u64::MAX);
    if soft_before < hard {
        setrlimit(
            Resource::Nofile,
            Rlimit {
                current: found.maximum,
                maximum: found.maximum,
            },
        )?;
    }
    Ok(OpenFileLimit {
        soft_before,
        soft: current_open_file_limit().unwrap_or(u64::MAX),
        hard,
    })
}

/// Not on this platform.
#[cfg(not(unix))]
pub fn raise_open_file_limit() -> io::Result<OpenFileLimit> {
    Err(io::Error::other("open-file limits are not supported here"))
}

/// The soft open-file limit in force, `None` where there is none to read (or it
/// is unlimited).
pub fn current_open_file_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        rustix::process::getrlimit(rustix::process::Resource::Nofile).current
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The connection cap the server can keep under `open_file_limit` (`None`: no
/// limit known), given the `configured` one: the configured cap when it fits,
/// otherwise as many connections as fit (at least one).
pub fn connection_cap(configured: usize, open_file_limit: Option<u64>) -> usize {
    let configured = configured.max(1);
    let Some(limit) = open_file_limit else {
        return configured;
    };
    let fits = limit.saturating_sub(RESERVED_DESCRIPTORS) / DESCRIPTORS_PER_CONNECTION;
    usize::try_from(fits)
        .unwrap_or(usize::MAX)
        .clamp(1, configured)
}

/// Whether an accept error means the process (or system) is out of descriptors.
pub fn is_out_of_descriptors(error: &io::Error) -> bool {
    // EMFILE (24) and ENFILE (23) on Linux and the BSDs.
    matches!(error.raw_os_error(), Some(23 | 24))
}

/// One descriptor held in reserve, so the accept loop can still take a waiting
/// connection off the backlog and close it when the process is at its limit.
#[derive(Debug)]
pub struct SpareDescriptor {
    spare: Option<std::fs::File>,
    last_warning: Option<Instant>,
}

impl SpareDescriptor {
    /// Opens the spare (the null device, or nothing where there is none).
    pub fn new() -> Self {
        Self {
            spare: open_spare(),
            last_warning: None,
        }
    }

    /// Called after accept failed with `error` for want of descriptors: frees the
    /// spare, accepts and closes one waiting connection (it is refused at once, not
    /// left to time out in the backlog), takes the spare back, and pauses accept for
    /// [`ACCEPT_BACKOFF`]. Warns at most every ten seconds.
    pub async fn refuse_one(&mut self, listener: &TcpListener, error: &io::Error) {
        let now = Instant::now();
        if self
            .last_warning
            .is_none_or(|last| now.saturating_duration_since(last) >= Duration::from_secs(10))
        {
            tracing::warn!(%error, "out of file descriptors: refusing new connections until some close");
            self.last_warning = Some(now);
        }
        self.spare = None;
        if let Ok(Ok((socket, _))) =
            tokio::time::timeout(Duration::from_millis(1), listener.accept()).await
        {
            drop(socket);
        }
        self.spare = open_spare();
        tokio::time::sleep(ACCEPT_BACKOFF).await;
    }
}

impl Default for SpareDescriptor {
    fn default() -> Self {
        Self::new()
    }
}

fn open_spare() -> Option<std::fs::File> {
    let null = if cfg!(windows) { "NUL" } else { "/dev/null" };
    std::fs::File::open(null).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_fits_under_the_limit() {
        assert_eq!(connection_cap(10_000, None), 10_000);
        assert_eq!(connection_cap(10_000, Some(1_048_576)), 10_000);
        // The usual soft limit of 1024 carries (1024 - 32) / 5 connections.
        assert_eq!(connection_cap(10_000, Some(1024)), 198);
        assert_eq!(connection_cap(100, Some(1024)), 100);
        assert_eq!(connection_cap(100, Some(3)), 1);
    }

    #[test]
    fn emfile_and_enfile_are_out_of_descriptors() {
        assert!(is_out_of_descriptors(&io::Error::from_raw_os_error(24)));
        assert!(is_out_of_descriptors(&io::Error::from_raw_os_error(23)));
        assert!(!is_out_of_descriptors(&io::Error::from_raw_os_error(104)));
    }

    #[cfg(unix)]
    #[test]
    fn the_limit_can_be_read_and_raised() {
        let limit = raise_open_file_limit().unwrap();
        assert!(limit.soft >= limit.soft_before && limit.soft <= limit.hard);
        assert_eq!(current_open_file_limit(), Some(limit.soft));
    }
}
