//! Which downloaded images the page keeps in memory (as `blob:` URLs): the most
//! recently shown ones, bounded both in count and in bytes, so a room full of
//! pictures cannot fill the tab's memory (200 images of up to 32 MiB each would be
//! over 6 GiB).
//!
//! Pure bookkeeping: the connection service frees the URLs this hands back.

use std::collections::VecDeque;

/// Most images held.
pub const MAX_IMAGES: usize = 200;

/// Most image bytes held: dozens of screenfuls of pictures.
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// One image held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedImage {
    /// The server's image ID.
    pub id: String,
    /// Its `blob:` URL.
    pub url: String,
    /// Its size.
    pub bytes: u64,
}

/// What holding one more image let go.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Inserted {
    /// An older copy of the same image (its URL must be freed; the image stays).
    pub replaced: Option<CachedImage>,
    /// Other images that had to go, least recently shown first.
    pub evicted: Vec<CachedImage>,
}

/// The images held, least recently shown first.
#[derive(Debug, Default)]
pub struct ImageCache {
    images: VecDeque<CachedImage>,
    bytes: u64,
}

impl ImageCache {
    /// Holds `image` as the most recent one, letting go of the least recently
    /// shown ones past [`MAX_IMAGES`] or [`MAX_BYTES`]. The newest image always
    /// stays, even alone over the bound.
    pub fn insert(&mut self, image: CachedImage) -> Inserted {
        let replaced = self.remove(&image.id);
        let mut evicted = Vec::new();
        self.bytes += image.bytes;
        self.images.push_back(image);
        while self.images.len() > 1 && (self.images.len() > MAX_IMAGES || self.bytes > MAX_BYTES) {
            if let Some(old) = self.images.pop_front() {
                self.bytes -= old.bytes;
                evicted.push(old);
            }
        }
        Inserted { replaced, evicted }
    }

    /// Marks `id` as just shown, so it is the last to go.
    pub fn touch(&mut self, id: &str) {
        if let Some(image) = self.remove(id) {
            self.bytes += image.bytes;
            self.images.push_back(image);
        }
    }

    /// Lets every image go (sign-out, another server).
    pub fn clear(&mut self) -> Vec<CachedImage> {
        self.bytes = 0;
        self.images.drain(..).collect()
    }

    /// Bytes held.
    #[cfg(test)]
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    fn remove(&mut self, id: &str) -> Option<CachedImage> {
        let at = self.images.iter().position(|image| image.id == id)?;
        let image = self.images.remove(at)?;
        self.bytes -= image.bytes;
        Some(image)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(id: usize, bytes: u64) -> CachedImage {
        CachedImage {
            id: id.to_string(),
            url: format!("blob:{id}"),
            bytes,
        }
    }

    fn ids(images: &[CachedImage]) -> Vec<String> {
        images.iter().map(|i| i.id.clone()).collect()
    }

    #[test]
    fn the_byte_bound_lets_the_least_recently_shown_go() {
        let mut cache = ImageCache::default();
        let size = 2 * 1024 * 1024;
        let fit = (MAX_BYTES / size) as usize;
        for id in 0..fit {
            assert_eq!(cache.insert(image(id, size)), Inserted::default());
        }
        assert_eq!(cache.bytes(), fit as u64 * size);
        cache.touch("0");
        let evicted = cache.insert(image(fit, size)).evicted;
        assert_eq!(ids(&evicted), ["1"], "0 was shown again, 1 is the oldest");
        assert!(cache.bytes() <= MAX_BYTES);
    }

    #[test]
    fn the_count_bound_holds_for_small_images() {
        let mut cache = ImageCache::default();
        let evicted: Vec<CachedImage> = (0..MAX_IMAGES + 3)
            .flat_map(|id| cache.insert(image(id, 10)).evicted)
            .collect();
        assert_eq!(ids(&evicted), ["0", "1", "2"]);
        assert_eq!(cache.bytes(), MAX_IMAGES as u64 * 10);
    }

    #[test]
    fn one_huge_image_stays_and_pushes_out_the_rest() {
        let mut cache = ImageCache::default();
        cache.insert(image(1, 10));
        let evicted = cache.insert(image(2, MAX_BYTES + 1)).evicted;
        assert_eq!(ids(&evicted), ["1"]);
        assert_eq!(cache.bytes(), MAX_BYTES + 1);
    }

    #[test]
    fn a_second_copy_replaces_the_first_and_clear_returns_all() {
        let mut cache = ImageCache::default();
        cache.insert(image(1, 10));
        let inserted = cache.insert(image(1, 20));
        assert_eq!(
            inserted.replaced,
            Some(image(1, 10)),
            "its old URL must be freed"
        );
        assert!(inserted.evicted.is_empty());
        assert_eq!(cache.bytes(), 20);
        cache.insert(image(2, 5));
        assert_eq!(ids(&cache.clear()), ["1", "2"]);
        assert_eq!(cache.bytes(), 0);
    }
}
