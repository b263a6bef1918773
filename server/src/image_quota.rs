//! How much image storage uploads may take: a quota per user, a cap on the total, and
//! a floor of free disk space under which no upload is accepted (issue 12, item 2).
//!
//! Every accepted image is kept until no message references it and its time to live
//! passes, so without these one registered user could fill the disk. An upload
//! *reserves* its announced size when it is requested ([`ImageQuota::reserve`]): its
//! parts can never take more than that (a part past the announced size is refused),
//! so the quota and the cap hold however many uploads run at once. The reservation
//! is given back when the upload is abandoned, and kept ([`Reservation::keep`]) once
//! the image is stored; the sweep gives the bytes back when it deletes the image
//! ([`ImageQuota::release`]). Nothing already accepted is ever removed to make room:
//! a limit only refuses new uploads (`File.ImageUploadRejected`).
//!
//! The free-space floor is checked against the disk itself ([`free_disk_bytes`]) when
//! an upload is requested and again before each part is written, since anything else
//! on the machine (logs, the database) may fill the disk meanwhile.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

/// Default image storage one user may hold: ten uploads of the largest size.
pub const DEFAULT_IMAGE_QUOTA_PER_USER: u64 = 100 * 1024 * 1024;
/// Default total image storage: enough for a community, small next to today's disks.
pub const DEFAULT_IMAGE_STORAGE_TOTAL: u64 = 10 * 1024 * 1024 * 1024;
/// Default free disk space kept: below it the database and the logs could not grow.
pub const DEFAULT_MIN_FREE_DISK: u64 = 1024 * 1024 * 1024;

/// The storage bounds ([`crate::Config::image_storage`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageStorageLimits {
    /// Most bytes of images (stored or being uploaded) one user may hold.
    pub per_user_bytes: u64,
    /// Most bytes of images all users together may hold.
    pub total_bytes: u64,
    /// Uploads are refused while the image directory's disk has less free space than
    /// this (counting the upload's own bytes).
    pub min_free_disk_bytes: u64,
}

impl Default for ImageStorageLimits {
    fn default() -> Self {
        Self {
            per_user_bytes: DEFAULT_IMAGE_QUOTA_PER_USER,
            total_bytes: DEFAULT_IMAGE_STORAGE_TOTAL,
            min_free_disk_bytes: DEFAULT_MIN_FREE_DISK,
        }
    }
}

/// Why an upload (or one of its parts) was refused. Only sizes, never names: these
/// reach the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuotaError {
    /// The user's images would go past the per-user quota.
    #[error("user quota: {used} bytes used, {size} more asked, quota {quota}")]
    UserQuota {
        /// Bytes the user holds (stored and reserved).
        used: u64,
        /// The upload's size.
        size: u64,
        /// The quota.
        quota: u64,
    },
    /// All images together would go past the total cap.
    #[error("total image storage: {used} bytes used, {size} more asked, cap {cap}")]
    TotalCap {
        /// Bytes all users hold.
        used: u64,
        /// The upload's size.
        size: u64,
        /// The cap.
        cap: u64,
    },
    /// Writing these bytes would leave less free disk space than the floor.
    #[error("low disk space: {free} bytes free, {size} to write, floor {floor}")]
    LowDisk {
        /// Free bytes on the image directory's disk.
        free: u64,
        /// The bytes about to be written.
        size: u64,
        /// The floor.
        floor: u64,
    },
    /// The free space could not be read: refuse rather than risk filling the disk.
    #[error("cannot read the free disk space: {0}")]
    DiskUnknown(String),
}

#[derive(Debug, Default)]
struct Usage {
    total: u64,
    per_user: HashMap<String, u64>,
}

/// Image bytes held per user and in total. See the module docs.
#[derive(Debug)]
pub struct ImageQuota {
    limits: ImageStorageLimits,
    usage: Mutex<Usage>,
}

impl ImageQuota {
    /// Starts from what the database holds: `(uploader, bytes)` per user.
    pub fn new(
        limits: ImageStorageLimits,
        stored: impl IntoIterator<Item = (String, u64)>,
    ) -> Self {
        let mut usage = Usage::default();
        for (user, bytes) in stored {
            usage.total = usage.total.saturating_add(bytes);
            *usage.per_user.entry(user).or_default() += bytes;
        }
        Self {
            limits,
            usage: Mutex::new(usage),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Usage> {
        // Every update is a pair of additions: a panic cannot leave it half done.
        self.usage.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The limits in force.
    pub fn limits(&self) -> ImageStorageLimits {
        self.limits
    }

    /// Reserves `size` bytes for an upload by `user`, or says which bound it would
    /// break. The bytes stay counted until the [`Reservation`] is dropped, or for as
    /// long as the image is stored once it is [kept](Reservation::keep).
    pub fn reserve(self: &Arc<Self>, user: &str, size: u64) -> Result<Reservation, QuotaError> {
        let mut usage = self.lock();
        let used = usage.per_user.get(user).copied().unwrap_or(0);
        if used.saturating_add(size) > self.limits.per_user_bytes {
            return Err(QuotaError::UserQuota {
                used,
                size,
                quota: self.limits.per_user_bytes,
            });
        }
        if usage.total.saturating_add(size) > self.limits.total_bytes {
            return Err(QuotaError::TotalCap {
                used: usage.total,
                size,
                cap: self.limits.total_bytes,
            });
        }
        usage.total += size;
        *usage.per_user.entry(user.to_owned()).or_default() += size;
        Ok(Reservation {
            quota: self.clone(),
            user: user.to_owned(),
            size,
            kept: false,
        })
    }

    /// Gives back the bytes of a stored image that was deleted.
    pub fn release(&self, user: &str, size: u64) {
        let mut usage = self.lock();
        usage.total = usage.total.saturating_sub(size);
        if let Some(used) = usage.per_user.get_mut(user) {
            *used = used.saturating_sub(size);
            if *used == 0 {
                usage.per_user.remove(user);
            }
        }
    }

    /// Bytes `user` holds, stored and reserved.
    pub fn used_by(&self, user: &str) -> u64 {
        self.lock().per_user.get(user).copied().unwrap_or(0)
    }

    /// Bytes all users hold, stored and reserved.
    pub fn used_total(&self) -> u64 {
        self.lock().total
    }

    /// Checks that writing `size` more bytes leaves the floor of free space on the
    /// disk holding `dir`.
    pub fn check_disk(&self, dir: &Path, size: u64) -> Result<(), QuotaError> {
        let free = free_disk_bytes(dir).map_err(|e| QuotaError::DiskUnknown(e.to_string()))?;
        check_free_space(free, size, self.limits.min_free_disk_bytes)
    }
}

/// The floor rule on its own: `size` more bytes may be written when at least `floor`
/// bytes stay free afterwards.
pub fn check_free_space(free: u64, size: u64, floor: u64) -> Result<(), QuotaError> {
    if free.saturating_sub(size) < floor || size > free {
        Err(QuotaError::LowDisk { free, size, floor })
    } else {
        Ok(())
    }
}

/// Bytes an unprivileged process may still write on the file system holding `dir`
/// (`statvfs`: available blocks times the fragment size).
#[cfg(unix)]
pub fn free_disk_bytes(dir: &Path) -> std::io::Result<u64> {
    let stat = rustix::fs::statvfs(dir)?;
    Ok(stat.f_bavail.saturating_mul(stat.f_frsize))
}

/// Without `statvfs` the floor cannot be checked; the quota and the cap still hold.
#[cfg(not(unix))]
pub fn free_disk_bytes(_dir: &Path) -> std::io::Result<u64> {
    Ok(u64::MAX)
}

/// Bytes held for one upload in progress, or for a stored image once kept.
#[derive(Debug)]
pub struct Reservation {
    quota: Arc<ImageQuota>,
    user: String,
    size: u64,
    kept: bool,
}

impl Reservation {
    /// The image is stored: its bytes stay counted until the sweep deletes it.
    pub fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if !self.kept {
            self.quota.release(&self.user, self.size);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quota(per_user: u64, total: u64) -> Arc<ImageQuota> {
        Arc::new(ImageQuota::new(
            ImageStorageLimits {
                per_user_bytes: per_user,
                total_bytes: total,
                min_free_disk_bytes: 0,
            },
            [("ann".to_owned(), 40)],
        ))
    }

    #[test]
    fn stored_images_count_against_their_uploader() {
        let q = quota(100, 1000);
        assert_eq!(q.used_by("ann"), 40);
        assert!(matches!(
            q.reserve("ann", 61),
            Err(QuotaError::UserQuota {
                used: 40,
                size: 61,
                quota: 100
            })
        ));
        let kept = q.reserve("ann", 60).unwrap();
        kept.keep();
        assert_eq!(q.used_by("ann"), 100);
        assert!(q.reserve("ann", 1).is_err());
        q.release("ann", 60);
        assert_eq!(q.used_by("ann"), 40);
    }

    #[test]
    fn abandoned_uploads_give_their_bytes_back() {
        let q = quota(100, 1000);
        let a = q.reserve("bob", 70).unwrap();
        assert!(q.reserve("bob", 31).is_err(), "the reservation counts");
        drop(a);
        assert_eq!(q.used_by("bob"), 0);
        assert_eq!(q.used_total(), 40);
        assert!(q.reserve("bob", 100).is_ok());
    }

    #[test]
    fn the_total_cap_holds_across_users() {
        let q = quota(100, 150);
        let _b = q.reserve("bob", 100).unwrap();
        assert!(matches!(
            q.reserve("cid", 11),
            Err(QuotaError::TotalCap {
                used: 140,
                size: 11,
                cap: 150
            })
        ));
        assert!(q.reserve("cid", 10).is_ok());
    }

    #[test]
    fn the_floor_counts_the_bytes_about_to_be_written() {
        assert!(check_free_space(1000, 100, 900).is_ok());
        assert!(check_free_space(1000, 101, 900).is_err());
        assert!(check_free_space(10, 11, 0).is_err());
        assert!(check_free_space(0, 0, 0).is_ok());
    }

    #[test]
    fn the_disk_reports_free_space() {
        let dir = tempfile::tempdir().unwrap();
        assert!(free_disk_bytes(dir.path()).unwrap() > 0);
        let q = Arc::new(ImageQuota::new(
            ImageStorageLimits {
                min_free_disk_bytes: u64::MAX,
                ..ImageStorageLimits::default()
            },
            [],
        ));
        assert!(matches!(
            q.check_disk(dir.path(), 1),
            Err(QuotaError::LowDisk { .. })
        ));
    }
}
