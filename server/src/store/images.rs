//! The `images` table: metadata of completed uploads. The bytes are files in the image
//! directory, named by the image ID.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, now_ms};

/// An image the sweep deleted: the caller removes its file and gives its bytes back to
/// its uploader's quota.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweptImage {
    /// Opaque random ID (the file name).
    pub id: String,
    /// Who uploaded it.
    pub uploader: String,
    /// Size in bytes.
    pub size: u64,
}

/// A stored image's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredImage {
    /// Opaque random ID.
    pub id: String,
    /// File name given by the uploader.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// MIME type.
    pub mime: String,
}

impl Store {
    /// Records a completed upload.
    pub async fn insert_image(&self, image: StoredImage, uploader: &str) -> Result<(), StoreError> {
        let uploader = uploader.to_owned();
        self.call(move |conn| {
            conn.execute(
                "INSERT INTO images (id, name, size, mime, uploader, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![image.id, image.name, image.size as i64, image.mime, uploader, now_ms() as i64],
            )?;
            Ok(())
        })
        .await
    }

    /// An image's metadata, `None` when unknown.
    pub async fn image(&self, id: &str) -> Result<Option<StoredImage>, StoreError> {
        let id = id.to_owned();
        self.call(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT id, name, size, mime FROM images WHERE id = ?1",
                    [&id],
                    |row| {
                        Ok(StoredImage {
                            id: row.get(0)?,
                            name: row.get(1)?,
                            size: row.get::<_, i64>(2)? as u64,
                            mime: row.get(3)?,
                        })
                    },
                )
                .optional()?)
        })
        .await
    }

    /// Bytes of stored images per uploader, for the quotas at start-up.
    pub fn image_usage_blocking(&self) -> Result<Vec<(String, u64)>, StoreError> {
        self.call_blocking(|conn| {
            let mut stmt =
                conn.prepare("SELECT uploader, SUM(size) FROM images GROUP BY uploader")?;
            let rows = stmt
                .query_map([], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, i64>(1)?.max(0) as u64,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// Deletes the rows of images no message references that were uploaded before
    /// `cutoff_ms`, returning them so the caller removes the files.
    pub async fn take_unreferenced_images(
        &self,
        cutoff_ms: u64,
    ) -> Result<Vec<SweptImage>, StoreError> {
        self.call(move |conn| {
            let tx = conn.transaction()?;
            let ids = {
                let mut stmt = tx.prepare(
                    "DELETE FROM images WHERE referenced = 0 AND created_ms < ?1 \
                     RETURNING id, uploader, size",
                )?;
                stmt.query_map([cutoff_ms as i64], |row| {
                    Ok(SweptImage {
                        id: row.get(0)?,
                        uploader: row.get(1)?,
                        size: row.get::<_, i64>(2)?.max(0) as u64,
                    })
                })?
                .collect::<Result<Vec<SweptImage>, _>>()?
            };
            tx.commit()?;
            Ok(ids)
        })
        .await
    }
}
