//! Points where a test can hold the server mid-request, to place a racing request in
//! the exact window it is about (instead of a sleep that only probably lands there).
//! Every hook is off (`None`) unless a test sets it; a server started from flags has
//! none.

use std::sync::Arc;

use tokio::sync::Notify;

/// A place the server stops at until released: it signals [`Pause::reached`] and
/// waits for [`Pause::release`]. One use per signal: each arrival takes one release.
#[derive(Debug, Clone, Default)]
pub struct Pause {
    reached: Arc<Notify>,
    release: Arc<Notify>,
}

impl Pause {
    /// A pause nobody has reached yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Waits until the server arrives at the pause.
    pub async fn reached(&self) {
        self.reached.notified().await;
    }

    /// Lets the server (now or next time it arrives) go on.
    pub fn release(&self) {
        self.release.notify_one();
    }

    /// The server side: signal arrival, then wait to be released.
    pub(crate) async fn hold(&self) {
        self.reached.notify_one();
        self.release.notified().await;
    }
}

/// The hooks ([`crate::Config::hooks`]).
#[derive(Debug, Clone, Default)]
pub struct Hooks {
    /// Between a sign-in's password check and the connection being registered as
    /// signed in (where a racing `User.Delete` finds no connection to close).
    pub before_sign_in: Option<Pause>,
}
