//! Counters of costly work the server has done, so tests (and an operator's
//! debugger) can check what an attack made it spend without timing anything.

use std::sync::atomic::{AtomicU64, Ordering};

/// Work counters, shared by every connection.
#[derive(Debug, Default)]
pub struct Stats {
    key_pairs: AtomicU64,
    password_checks: AtomicU64,
}

/// A snapshot of [`Stats`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatsSnapshot {
    /// Diffie-Hellman key pairs generated (one per accepted handshake).
    pub key_pairs: u64,
    /// Argon2 verifications run at sign-in, against a stored hash or the dummy one
    /// an unknown username is checked against.
    pub password_checks: u64,
}

impl Stats {
    /// Counts a key pair generated.
    pub fn key_pair(&self) {
        self.key_pairs.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a password verification.
    pub fn password_check(&self) {
        self.password_checks.fetch_add(1, Ordering::Relaxed);
    }

    /// The counts so far.
    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            key_pairs: self.key_pairs.load(Ordering::Relaxed),
            password_checks: self.password_checks.load(Ordering::Relaxed),
        }
    }
}
