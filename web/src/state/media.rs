//! Images as the views show them: downloads of `mcp_image://` images and the
//! upload in progress.

/// Where an `mcp_image://` image is, by server image ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageView {
    /// Downloading: bytes received so far, and the size once the server said it.
    Loading {
        /// Bytes received.
        received: u64,
        /// Announced size (`File.ImageDownloadMeta`).
        total: Option<u64>,
    },
    /// Downloaded: an object URL (`blob:`) holding the verified bytes.
    Ready(String),
    /// Larger than an automatic download may be: loaded when the reader asks, and
    /// its size (from the server's announcement) is shown on the button.
    Offered {
        /// Bytes, as announced.
        size: u64,
    },
    /// Was shown, then freed to keep the page's memory bounded: shown again on
    /// request, or when its message comes into view again.
    Freed,
    /// Could not be loaded; why, in plain words.
    Failed(String),
}

/// The upload shown above the composer (one at a time per tab).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadView {
    /// The file's name.
    pub name: String,
    /// Bytes handed to the connection.
    pub sent: u64,
    /// The file's size.
    pub total: u64,
    /// Where it is.
    pub stage: UploadStage,
}

/// The steps of an upload, for the words next to the progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadStage {
    /// Asked the server for an upload slot.
    Requesting,
    /// Sending parts.
    Sending,
    /// All parts sent; waiting for the server to confirm and the message to post.
    Posting,
}

impl UploadView {
    /// Progress as a fraction in `[0, 1]`.
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            return 1.0;
        }
        (self.sent as f64 / self.total as f64).clamp(0.0, 1.0)
    }
}
