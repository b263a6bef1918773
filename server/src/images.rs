//! Image bytes on disk: uploads in progress (one file per upload, named
//! `<id>.part`), completed images (`<id>`), and the sweep that removes uploads no
//! message references once they are older than the configured time to live.
//!
//! Metadata lives in SQLite ([`crate::store::images`]); IDs are 128-bit random hex, so
//! an ID is both unguessable and a safe file name ([`is_image_id`] is checked before
//! any path is built).

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use tokio::io::AsyncWriteExt;

use crate::image_quota::{ImageQuota, Reservation};
use crate::store::Store;
use crate::store::images::StoredImage;

/// Most uploads one connection may have in progress.
pub const MAX_UPLOADS_PER_CONNECTION: usize = 4;

/// Whether `id` has the shape of a server-made image ID (32 lowercase hex digits).
pub fn is_image_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The image directory.
#[derive(Debug, Clone)]
pub struct ImageFiles {
    dir: PathBuf,
}

impl ImageFiles {
    /// Creates the directory if needed and removes uploads a previous run left
    /// unfinished.
    pub fn open(dir: PathBuf) -> std::io::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "part") {
                let _ = std::fs::remove_file(&path);
            }
        }
        Ok(Self { dir })
    }

    /// Where a completed image's bytes are. `id` must satisfy [`is_image_id`].
    pub fn path(&self, id: &str) -> PathBuf {
        self.dir.join(id)
    }

    fn part_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.part"))
    }

    /// The directory itself (for the free-space floor).
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// Starts an upload: creates its part file. `reservation` holds the announced
    /// size against the quotas while the upload runs.
    pub async fn begin(
        &self,
        meta: StoredImage,
        reservation: Reservation,
    ) -> std::io::Result<Upload> {
        let path = self.part_path(&meta.id);
        let file = tokio::fs::File::create(&path).await?;
        Ok(Upload {
            meta,
            file: Some(file),
            path,
            received: 0,
            next_part: 1,
            reservation: Some(reservation),
        })
    }

    /// Deletes an image's file (the sweep, after its row is gone).
    pub async fn remove(&self, id: &str) {
        if is_image_id(id) {
            let _ = tokio::fs::remove_file(self.path(id)).await;
        }
    }
}

/// Why an upload part or completion was refused (all answered with
/// `Error.PacketDataIncorrect`; the upload stays as it was).
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// Parts must arrive in order from 1.
    #[error("expected part {expected}")]
    OutOfOrder {
        /// The part number the server waits for.
        expected: u32,
    },
    /// The part's data is not base64 or too big.
    #[error("part data is not base64 of at most 48 KiB")]
    BadData,
    /// More bytes than the announced size.
    #[error("more bytes than the announced size")]
    TooLarge,
    /// Completion before every byte arrived.
    #[error("{received} of {size} bytes received")]
    Incomplete {
        /// Bytes so far.
        received: u64,
        /// Announced size.
        size: u64,
    },
    /// Disk trouble.
    #[error("storage error: {0}")]
    Io(#[from] std::io::Error),
}

/// One upload in progress. Dropping it unfinished deletes its part file.
#[derive(Debug)]
pub struct Upload {
    /// What was announced.
    pub meta: StoredImage,
    file: Option<tokio::fs::File>,
    path: PathBuf,
    received: u64,
    next_part: u32,
    /// The announced size, counted against the quotas until the upload is dropped.
    reservation: Option<Reservation>,
}

impl Upload {
    /// Appends part `part` (raw bytes, already decoded).
    pub async fn write_part(&mut self, part: u32, bytes: &[u8]) -> Result<(), UploadError> {
        if part != self.next_part {
            return Err(UploadError::OutOfOrder {
                expected: self.next_part,
            });
        }
        if self.received + bytes.len() as u64 > self.meta.size {
            return Err(UploadError::TooLarge);
        }
        let file = self.file.as_mut().ok_or(UploadError::TooLarge)?;
        file.write_all(bytes).await?;
        self.received += bytes.len() as u64;
        self.next_part += 1;
        Ok(())
    }

    /// Checks every byte arrived, syncs the file and moves it to its final name.
    pub async fn finish(&mut self, files: &ImageFiles) -> Result<(), UploadError> {
        if self.received != self.meta.size {
            return Err(UploadError::Incomplete {
                received: self.received,
                size: self.meta.size,
            });
        }
        if let Some(mut file) = self.file.take() {
            file.flush().await?;
            file.sync_all().await?;
        }
        tokio::fs::rename(&self.path, files.path(&self.meta.id)).await?;
        self.path = PathBuf::new();
        Ok(())
    }
}

impl Upload {
    /// The image is stored: its bytes stay counted against the quotas (until the
    /// sweep deletes it) instead of being given back when this upload is dropped.
    pub fn keep_storage(&mut self) {
        if let Some(reservation) = self.reservation.take() {
            reservation.keep();
        }
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// A connection's uploads in progress, by image ID.
pub type Uploads = HashMap<String, Upload>;

/// Removes, every `interval`, the images no message references that are older than
/// `ttl`, giving their bytes back to `quota`. Runs until the task is aborted.
pub async fn sweep_unreferenced(
    store: Store,
    files: ImageFiles,
    quota: std::sync::Arc<ImageQuota>,
    ttl: Duration,
) {
    let interval = (ttl / 4).clamp(Duration::from_millis(50), Duration::from_secs(600));
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        let cutoff = crate::store::now_ms().saturating_sub(ttl_ms);
        match store.take_unreferenced_images(cutoff).await {
            Ok(ids) => {
                for image in &ids {
                    files.remove(&image.id).await;
                    quota.release(&image.uploader, image.size);
                }
                if !ids.is_empty() {
                    tracing::info!(count = ids.len(), "removed unreferenced images");
                }
            }
            Err(e) => tracing::warn!(error = %e, "image sweep failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_server_ids_are_accepted_as_file_names() {
        assert!(is_image_id("0123456789abcdef0123456789abcdef"));
        assert!(!is_image_id("../../etc/passwd"));
        assert!(!is_image_id("0123456789ABCDEF0123456789ABCDEF"));
        assert!(!is_image_id("1"));
    }

    #[tokio::test]
    async fn uploads_check_order_and_size_and_clean_up() {
        let dir = tempfile::tempdir().unwrap();
        let files = ImageFiles::open(dir.path().join("img")).unwrap();
        let quota = std::sync::Arc::new(ImageQuota::new(Default::default(), []));
        let meta = StoredImage {
            id: "0123456789abcdef0123456789abcdef".into(),
            name: "a.png".into(),
            size: 5,
            mime: "image/png".into(),
        };
        let mut up = files
            .begin(meta.clone(), quota.reserve("ann", 5).unwrap())
            .await
            .unwrap();
        assert!(matches!(
            up.write_part(2, b"ab").await,
            Err(UploadError::OutOfOrder { expected: 1 })
        ));
        up.write_part(1, b"abc").await.unwrap();
        assert!(matches!(
            up.write_part(2, b"def").await,
            Err(UploadError::TooLarge)
        ));
        assert!(matches!(
            up.finish(&files).await,
            Err(UploadError::Incomplete { .. })
        ));
        up.write_part(2, b"de").await.unwrap();
        up.finish(&files).await.unwrap();
        up.keep_storage();
        drop(up);
        assert_eq!(quota.used_by("ann"), 5, "a stored image stays counted");
        assert_eq!(std::fs::read(files.path(&meta.id)).unwrap(), b"abcde");
        let abandoned = files
            .begin(
                StoredImage {
                    id: "ffffffffffffffffffffffffffffffff".into(),
                    ..meta
                },
                quota.reserve("ann", 5).unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(quota.used_by("ann"), 10);
        drop(abandoned);
        assert_eq!(
            quota.used_by("ann"),
            5,
            "an abandoned upload gives its bytes back"
        );
        assert_eq!(
            std::fs::read_dir(dir.path().join("img")).unwrap().count(),
            1
        );
    }
}
