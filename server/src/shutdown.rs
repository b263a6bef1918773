//! Listening for the server's shutdown signal (mini-redis style): every connection
//! holds a [`Shutdown`] fed by one broadcast channel.

use tokio::sync::broadcast;

/// Resolves once the server starts shutting down.
#[derive(Debug)]
pub struct Shutdown {
    is_shutdown: bool,
    notify: broadcast::Receiver<()>,
}

impl Shutdown {
    /// Listens on `notify`; the server sends one value or drops the sender to stop.
    pub fn new(notify: broadcast::Receiver<()>) -> Self {
        Self {
            is_shutdown: false,
            notify,
        }
    }

    /// Waits for the signal (returns at once if it was already received).
    pub async fn recv(&mut self) {
        if self.is_shutdown {
            return;
        }
        let _ = self.notify.recv().await;
        self.is_shutdown = true;
    }
}
