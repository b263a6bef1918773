//! The `rooms` table. Room IDs are never reused (`AUTOINCREMENT`), so a client holding
//! a deleted room's ID cannot end up talking in a new room.

use miricat_shared::RoomId;
use rusqlite::params;

use super::{Store, StoreError, is_unique_violation, now_ms};

/// A stored room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRoom {
    /// Its ID.
    pub id: RoomId,
    /// Its name, unique.
    pub name: String,
}

/// The outcome of a room change that can collide with another room's name.
#[derive(Debug, PartialEq, Eq)]
pub enum RoomWrite<T> {
    /// Done.
    Done(T),
    /// Another room has that name.
    NameTaken,
    /// No room has that ID.
    NotFound,
}

impl Store {
    /// Every room, by ID.
    pub fn rooms_blocking(&self) -> Result<Vec<StoredRoom>, StoreError> {
        self.call_blocking(|conn| {
            let mut stmt = conn.prepare("SELECT id, name FROM rooms ORDER BY id")?;
            let rooms = stmt
                .query_map([], |row| {
                    Ok(StoredRoom {
                        id: row.get::<_, i64>(0)? as RoomId,
                        name: row.get(1)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rooms)
        })
    }

    /// Creates a room and returns its new ID.
    pub async fn create_room(&self, name: &str) -> Result<RoomWrite<RoomId>, StoreError> {
        let name = name.to_owned();
        self.call(move |conn| {
            match conn.execute(
                "INSERT INTO rooms (name, created_ms) VALUES (?1, ?2)",
                params![name, now_ms() as i64],
            ) {
                Ok(_) => Ok(RoomWrite::Done(conn.last_insert_rowid() as RoomId)),
                Err(e) if is_unique_violation(&e) => Ok(RoomWrite::NameTaken),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    /// Renames a room.
    pub async fn rename_room(&self, id: RoomId, name: &str) -> Result<RoomWrite<()>, StoreError> {
        let name = name.to_owned();
        self.call(move |conn| {
            match conn.execute(
                "UPDATE rooms SET name = ?1 WHERE id = ?2",
                params![name, id as i64],
            ) {
                Ok(0) => Ok(RoomWrite::NotFound),
                Ok(_) => Ok(RoomWrite::Done(())),
                Err(e) if is_unique_violation(&e) => Ok(RoomWrite::NameTaken),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    /// Deletes a room (its messages stay in the history); `false` when there was none.
    pub async fn delete_room(&self, id: RoomId) -> Result<bool, StoreError> {
        self.call(move |conn| Ok(conn.execute("DELETE FROM rooms WHERE id = ?1", [id as i64])? > 0))
            .await
    }
}
