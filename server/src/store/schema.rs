//! Schema migrations. `PRAGMA user_version` records how many of [`MIGRATIONS`] have
//! run; new migrations are appended, never edited.

use rusqlite::Connection;

use super::StoreError;

/// Every migration in order; entry `n` moves the schema from version `n` to `n + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: users, rooms, images and messages.
    "CREATE TABLE users (
        username      TEXT PRIMARY KEY NOT NULL,
        password_hash TEXT NOT NULL,
        created_ms    INTEGER NOT NULL
    );
    CREATE TABLE rooms (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        name       TEXT NOT NULL UNIQUE,
        created_ms INTEGER NOT NULL
    );
    CREATE TABLE images (
        id         TEXT PRIMARY KEY NOT NULL,
        name       TEXT NOT NULL,
        size       INTEGER NOT NULL,
        mime       TEXT NOT NULL,
        uploader   TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        referenced INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX images_unreferenced ON images (created_ms) WHERE referenced = 0;
    CREATE TABLE messages (
        id       INTEGER PRIMARY KEY,
        room     INTEGER NOT NULL,
        username TEXT NOT NULL,
        time_ms  INTEGER NOT NULL,
        kind     TEXT NOT NULL CHECK (kind IN ('text', 'image')),
        body     TEXT NOT NULL
    );
    CREATE INDEX messages_room_time ON messages (room, time_ms);",
    // 2: history/1 pages walk a room's messages by ID: (room, id) keeps a page of
    // `limit` messages an index range scan, O(limit + log n), with no sort.
    "CREATE INDEX messages_room_id ON messages (room, id);",
];

/// Runs the migrations the database has not seen yet, each in its own transaction.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let supported = MIGRATIONS.len() as i64;
    if current > supported {
        return Err(StoreError::TooNew {
            found: current,
            supported,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
        tracing::info!(version = index + 1, "database migrated");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_once_and_refuses_newer_files() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, MIGRATIONS.len() as i64);
        conn.pragma_update(None, "user_version", 99).unwrap();
        assert!(matches!(
            migrate(&mut conn),
            Err(StoreError::TooNew { found: 99, .. })
        ));
    }
}
