//! `File.*`: uploading and downloading images in parts (`WIRE.md` section 9).

use serde::{Deserialize, Serialize};

use super::lenient::string_or_number;

/// Largest raw part size: each part's `data` is base64 of at most this many bytes.
pub const MAX_IMAGE_PART_BYTES: usize = 48 * 1024;

/// The image types a server accepts. Never SVG, which can carry scripts.
pub const ALLOWED_IMAGE_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/// Whether `mime` is one of [`ALLOWED_IMAGE_TYPES`] (case-insensitive).
pub fn is_allowed_image_type(mime: &str) -> bool {
    ALLOWED_IMAGE_TYPES
        .iter()
        .any(|t| t.eq_ignore_ascii_case(mime.trim()))
}

/// The MIME type of an image from its first bytes (only [`ALLOWED_IMAGE_TYPES`]).
///
/// Clients check the bytes rather than trusting a file name or a browser's guess, so
/// what they announce in `File.RequestImageUpload` is what they send.
pub fn sniff_image_type(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0x89, b'P', b'N', b'G', ..] => Some("image/png"),
        [0xff, 0xd8, 0xff, ..] => Some("image/jpeg"),
        [b'G', b'I', b'F', b'8', ..] => Some("image/gif"),
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => Some("image/webp"),
        _ => None,
    }
}

/// `File.RequestImageUpload` data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageUploadRequest {
    /// File name, for display.
    pub name: String,
    /// Total size in bytes.
    pub size: u64,
    /// MIME type.
    #[serde(rename = "type")]
    pub mime: String,
}

/// An image's metadata: `File.ImageUploadAccepted` and `File.ImageDownloadMeta`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageMeta {
    /// The server's image ID.
    #[serde(deserialize_with = "string_or_number")]
    pub id: String,
    /// File name.
    pub name: String,
    /// Total size in bytes.
    pub size: u64,
    /// MIME type.
    #[serde(rename = "type")]
    pub mime: String,
}

/// One part of an image, both directions (`ImageUploadPart`, `ImageDownloadPart`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImagePart {
    /// The image ID.
    #[serde(deserialize_with = "string_or_number")]
    pub id: String,
    /// Part number, counting from 1.
    pub part: u32,
    /// Base64 of at most [`MAX_IMAGE_PART_BYTES`] raw bytes.
    pub data: String,
}

/// Data that names one image: upload/download completion and download requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageRef {
    /// The image ID.
    #[serde(deserialize_with = "string_or_number")]
    pub id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_matches_the_spec_fixture_and_reads_numeric_ids() {
        let json = r#"{"id":"9","name":"cat.png","size":123,"type":"image/png"}"#;
        let m: ImageMeta = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), json);
        let r: ImageRef = serde_json::from_str(r#"{"id":9}"#).unwrap();
        assert_eq!(r.id, "9");
    }

    #[test]
    fn sniffs_the_allowed_image_types_only() {
        assert_eq!(sniff_image_type(b"\x89PNG\r\n\x1a\n"), Some("image/png"));
        assert_eq!(sniff_image_type(b"\xff\xd8\xff\xe0"), Some("image/jpeg"));
        assert_eq!(sniff_image_type(b"GIF89a"), Some("image/gif"));
        assert_eq!(
            sniff_image_type(b"RIFF\0\0\0\0WEBPVP8 "),
            Some("image/webp")
        );
        assert_eq!(sniff_image_type(b"<svg xmlns="), None);
    }

    #[test]
    fn allows_only_raster_image_types() {
        assert!(is_allowed_image_type("image/PNG"));
        assert!(!is_allowed_image_type("image/svg+xml"));
        assert!(!is_allowed_image_type("text/html"));
    }
}
