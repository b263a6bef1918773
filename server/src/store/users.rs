//! The `users` table: accounts and their argon2id password hashes.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, is_unique_violation, now_ms};

/// What creating a user can end in besides success.
#[derive(Debug, PartialEq, Eq)]
pub enum CreateUser {
    /// The user now exists.
    Created,
    /// The name is taken.
    AlreadyExists,
}

impl Store {
    /// The stored password hash of `username`, `None` for an unknown user.
    pub async fn password_hash(&self, username: &str) -> Result<Option<String>, StoreError> {
        let username = username.to_owned();
        self.call(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT password_hash FROM users WHERE username = ?1",
                    [&username],
                    |row| row.get(0),
                )
                .optional()?)
        })
        .await
    }

    /// Adds a user; a taken name is reported, not an error.
    pub async fn create_user(
        &self,
        username: &str,
        password_hash: String,
    ) -> Result<CreateUser, StoreError> {
        let username = username.to_owned();
        self.call(move |conn| {
            match conn.execute(
                "INSERT INTO users (username, password_hash, created_ms) VALUES (?1, ?2, ?3)",
                params![username, password_hash, now_ms() as i64],
            ) {
                Ok(_) => Ok(CreateUser::Created),
                Err(e) if is_unique_violation(&e) => Ok(CreateUser::AlreadyExists),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    /// Removes a user; `false` when there was none.
    pub async fn delete_user(&self, username: &str) -> Result<bool, StoreError> {
        let username = username.to_owned();
        self.call(move |conn| {
            Ok(conn.execute("DELETE FROM users WHERE username = ?1", [&username])? > 0)
        })
        .await
    }

    /// Sets (creating the account if needed) a user's password hash. Used for root.
    pub fn upsert_user_blocking(
        &self,
        username: &str,
        password_hash: String,
    ) -> Result<(), StoreError> {
        let username = username.to_owned();
        self.call_blocking(move |conn| {
            conn.execute(
                "INSERT INTO users (username, password_hash, created_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash",
                params![username, password_hash, now_ms() as i64],
            )?;
            Ok(())
        })
    }

    /// Whether a user exists, blocking (start-up only).
    pub fn user_exists_blocking(&self, username: &str) -> Result<bool, StoreError> {
        let username = username.to_owned();
        self.call_blocking(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT 1 FROM users WHERE username = ?1",
                    [&username],
                    |_| Ok(()),
                )
                .optional()?
                .is_some())
        })
    }
}
