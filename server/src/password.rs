//! Password hashing with argon2id. Hashing is deliberately slow and memory-hungry, so it
//! runs on the blocking pool, and a semaphore bounds how many run at once: a login
//! flood queues instead of starving the reactor or exhausting memory.
//!
//! Each client address gets only a share of that queue ([`Passwords::per_address`]
//! permits, waited for before the global one), so a storm of guesses from one address
//! holds at most that many places and a sign-in from anywhere else waits behind a
//! verification or two, not behind the storm.
//!
//! An unknown username is checked against a dummy hash made at start with the same
//! parameters ([`Passwords::verify_unknown`]), so its answer takes as long as a
//! wrong password's.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use thiserror::Error;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::PasswordHashing;
use crate::stats::Stats;

/// Why a password could not be hashed or checked.
#[derive(Debug, Error)]
pub enum PasswordError {
    /// Bad parameters or a malformed stored hash.
    #[error("argon2: {0}")]
    Argon2(String),
    /// The system random source failed.
    #[error(transparent)]
    Random(#[from] crate::random::RandomError),
    /// The blocking task was cancelled (shutdown).
    #[error("password task did not finish")]
    Cancelled,
}

/// Hashes and verifies passwords off the reactor.
#[derive(Clone, Debug)]
pub struct Passwords {
    params: Params,
    permits: Arc<Semaphore>,
    per_address: usize,
    /// Each address's share of `permits`, present only while someone uses it.
    shares: Arc<Mutex<HashMap<IpAddr, Arc<Semaphore>>>>,
    /// A hash of a random password with `params`, for unknown usernames.
    dummy_hash: Arc<str>,
    /// Counts every verification run.
    stats: Arc<Stats>,
}

/// An address's place in the queue; gives the share back (and forgets the address
/// when nobody else from it waits) on drop.
struct SharePermit {
    ip: IpAddr,
    share: Arc<Semaphore>,
    permit: Option<OwnedSemaphorePermit>,
    shares: Arc<Mutex<HashMap<IpAddr, Arc<Semaphore>>>>,
}

impl Drop for SharePermit {
    fn drop(&mut self) {
        drop(self.permit.take());
        let mut shares = self.shares.lock().unwrap_or_else(|e| e.into_inner());
        // The map holds one reference and this permit another: nobody else waits.
        if Arc::strong_count(&self.share) == 2 {
            shares.remove(&self.ip);
        }
    }
}

impl Passwords {
    /// A hasher producing argon2id hashes with the given cost, counting its
    /// verifications in `stats`.
    pub fn new(config: PasswordHashing, stats: Arc<Stats>) -> Result<Self, PasswordError> {
        let params = Params::new(
            config.memory_kib,
            config.iterations,
            config.parallelism,
            None,
        )
        .map_err(|e| PasswordError::Argon2(e.to_string()))?;
        let max_concurrent = config.max_concurrent.max(1);
        let mut this = Self {
            params,
            permits: Arc::new(Semaphore::new(max_concurrent)),
            // Half the verifiers (at least one) per address: the rest stay free for
            // everyone else.
            per_address: (max_concurrent / 2).max(1),
            shares: Arc::default(),
            dummy_hash: Arc::from(""),
            stats,
        };
        let mut random = [0u8; 16];
        crate::random::fill(&mut random)?;
        let dummy_password: String = random.iter().map(|b| format!("{b:02x}")).collect();
        this.dummy_hash = Arc::from(this.hash_blocking(&dummy_password)?);
        Ok(this)
    }

    /// Waits for a place in `ip`'s share of the queue.
    async fn share(&self, ip: IpAddr) -> Result<SharePermit, PasswordError> {
        let share = {
            let mut shares = self.shares.lock().unwrap_or_else(|e| e.into_inner());
            shares
                .entry(crate::connect_rate::address_key(ip))
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_address)))
                .clone()
        };
        let mut permit = SharePermit {
            ip: crate::connect_rate::address_key(ip),
            share: share.clone(),
            permit: None,
            shares: self.shares.clone(),
        };
        permit.permit = Some(
            share
                .acquire_owned()
                .await
                .map_err(|_| PasswordError::Cancelled)?,
        );
        Ok(permit)
    }

    /// Addresses holding or waiting for a share right now (for tests).
    pub fn addresses_waiting(&self) -> usize {
        self.shares.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// A PHC-format argon2id hash of `password` with a fresh random salt.
    pub fn hash_blocking(&self, password: &str) -> Result<String, PasswordError> {
        let mut salt = [0u8; 16];
        crate::random::fill(&mut salt)?;
        let salt =
            SaltString::encode_b64(&salt).map_err(|e| PasswordError::Argon2(e.to_string()))?;
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| PasswordError::Argon2(e.to_string()))
    }

    /// Hashes on the blocking pool for a request from `ip`, waiting for a place in
    /// its share of the queue, then for a permit.
    pub async fn hash(&self, password: String, ip: IpAddr) -> Result<String, PasswordError> {
        let _share = self.share(ip).await?;
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| PasswordError::Cancelled)?;
        let this = self.clone();
        tokio::task::spawn_blocking(move || this.hash_blocking(&password))
            .await
            .map_err(|_| PasswordError::Cancelled)?
    }

    /// Runs the same verification against the dummy hash, for a username that does
    /// not exist; always `false`. Costs what a wrong password costs.
    pub async fn verify_unknown(
        &self,
        password: String,
        ip: IpAddr,
    ) -> Result<bool, PasswordError> {
        self.verify(password, self.dummy_hash.to_string(), ip)
            .await
            .map(|_| false)
    }

    /// Whether `password` matches `stored` (constant-time comparison inside argon2;
    /// the cost parameters come from the stored hash), for a sign-in from `ip`:
    /// waits for a place in its share of the queue, then for a permit.
    pub async fn verify(
        &self,
        password: String,
        stored: String,
        ip: IpAddr,
    ) -> Result<bool, PasswordError> {
        let _share = self.share(ip).await?;
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| PasswordError::Cancelled)?;
        self.stats.password_check();
        tokio::task::spawn_blocking(move || {
            let parsed =
                PasswordHash::new(&stored).map_err(|e| PasswordError::Argon2(e.to_string()))?;
            Ok(Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok())
        })
        .await
        .map_err(|_| PasswordError::Cancelled)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[tokio::test]
    async fn hashes_verify_and_wrong_passwords_fail() {
        let p = Passwords::new(PasswordHashing::fast_for_tests(), Arc::default()).unwrap();
        let me = ip("127.0.0.1");
        let hash = p.hash("hunter2".into(), me).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(p.verify("hunter2".into(), hash.clone(), me).await.unwrap());
        assert!(!p.verify("hunter3".into(), hash, me).await.unwrap());
        assert!(p.verify("x".into(), "garbage".into(), me).await.is_err());
        assert!(!p.verify_unknown("hunter2".into(), me).await.unwrap());
        assert!(p.dummy_hash.starts_with("$argon2id$"));
        assert_eq!(p.addresses_waiting(), 0, "shares are forgotten once unused");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_storm_from_one_address_does_not_queue_ahead_of_another() {
        let hashing = PasswordHashing {
            max_concurrent: 2,
            ..PasswordHashing::fast_for_tests()
        };
        let p = Passwords::new(hashing, Arc::default()).unwrap();
        let hash = p.hash("right".into(), ip("10.0.0.1")).await.unwrap();
        let finished = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = tokio::task::JoinSet::new();
        for n in 0..40 {
            let (p, hash, finished) = (p.clone(), hash.clone(), finished.clone());
            tasks.spawn(async move {
                p.verify("wrong".into(), hash, ip("127.0.0.2"))
                    .await
                    .unwrap();
                finished.lock().unwrap().push(n);
            });
        }
        // Wait until the storm is queued, then sign in from elsewhere.
        for _ in 0..1000 {
            if p.addresses_waiting() == 1 {
                break;
            }
            tokio::task::yield_now().await;
        }
        assert!(
            p.verify("right".into(), hash, ip("127.0.0.1"))
                .await
                .unwrap()
        );
        let done_before_honest = finished.lock().unwrap().len();
        // The storm's one share ran beside the honest check (a few may finish while it
        // runs on a loaded machine); without shares it would wait behind all 40.
        assert!(
            done_before_honest <= 5,
            "{done_before_honest} storm checks first"
        );
        while tasks.join_next().await.is_some() {}
        assert_eq!(p.addresses_waiting(), 0);
    }
}
