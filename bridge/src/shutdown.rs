//! The shutdown signal every connection task listens to: set once, seen by all.

use tokio::sync::watch;

/// Starts the shutdown of every task holding a [`ShutdownSignal`] from
/// [`shutdown_channel`].
#[derive(Debug)]
pub(crate) struct ShutdownTrigger(watch::Sender<bool>);

/// A task's view of the shutdown; cheap to clone into each connection.
#[derive(Debug, Clone)]
pub(crate) struct ShutdownSignal(watch::Receiver<bool>);

pub(crate) fn shutdown_channel() -> (ShutdownTrigger, ShutdownSignal) {
    let (tx, rx) = watch::channel(false);
    (ShutdownTrigger(tx), ShutdownSignal(rx))
}

impl ShutdownTrigger {
    pub(crate) fn trigger(&self) {
        self.0.send_replace(true);
    }
}

impl ShutdownSignal {
    /// Completes once shutdown has started (at once if it already has). Cancel-safe.
    pub(crate) async fn wait(&mut self) {
        // An error means the trigger is gone, which only happens once `run` ends:
        // that is a shutdown too.
        let _ = self.0.wait_for(|&stopping| stopping).await;
    }
}
