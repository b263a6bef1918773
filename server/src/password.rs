//! Password hashing with argon2id. Hashing is deliberately slow and memory-hungry, so it
//! runs on the blocking pool, and a semaphore bounds how many run at once: a login
//! flood queues instead of starving the reactor or exhausting memory.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use thiserror::Error;
use tokio::sync::Semaphore;

use crate::config::PasswordHashing;

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
}

impl Passwords {
    /// A hasher producing argon2id hashes with the given cost.
    pub fn new(config: PasswordHashing) -> Result<Self, PasswordError> {
        let params = Params::new(
            config.memory_kib,
            config.iterations,
            config.parallelism,
            None,
        )
        .map_err(|e| PasswordError::Argon2(e.to_string()))?;
        Ok(Self {
            params,
            permits: Arc::new(Semaphore::new(config.max_concurrent.max(1))),
        })
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

    /// Hashes on the blocking pool, waiting for a permit first.
    pub async fn hash(&self, password: String) -> Result<String, PasswordError> {
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

    /// Whether `password` matches `stored` (constant-time comparison inside argon2;
    /// the cost parameters come from the stored hash).
    pub async fn verify(&self, password: String, stored: String) -> Result<bool, PasswordError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| PasswordError::Cancelled)?;
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

    #[tokio::test]
    async fn hashes_verify_and_wrong_passwords_fail() {
        let p = Passwords::new(PasswordHashing::fast_for_tests()).unwrap();
        let hash = p.hash("hunter2".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(p.verify("hunter2".into(), hash.clone()).await.unwrap());
        assert!(!p.verify("hunter3".into(), hash).await.unwrap());
        assert!(p.verify("x".into(), "garbage".into()).await.is_err());
    }
}
