//! Downloads of `mcp_image://` images (`WIRE.md` section 9), in parts, verified
//! against the announced size and type before anything is shown, and the media
//! policy that bounds what a room full of pictures costs the reader.
//!
//! - An image is downloaded by itself only up to [`AUTO_DOWNLOAD_BYTES`]. MCP has no
//!   way to ask for an image's size alone, so the size is read from the
//!   `File.ImageDownloadMeta` that opens every download: a larger image is then
//!   offered on click with its size, and the rest of its parts are discarded
//!   unread (not decoded, not kept). The size is remembered, so it is learnt once
//!   per tab.
//! - Nothing over [`MAX_DOWNLOAD_BYTES`] is downloaded, even on click.
//! - At most [`MAX_DOWNLOADS_IN_FLIGHT`] downloads run at once.
//! - The page frees images past its cache bound ([`ChatClient::forget_image`]);
//!   a freed one is downloaded again only when asked again.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use miricat_shared::Body;
use miricat_shared::packet::file::{ImageMeta, ImagePart, is_allowed_image_type, sniff_image_type};

use super::{ChatClient, Effect, ImageBytes, Purpose};
use crate::sizes::human_bytes;
use crate::state::{Action, ImageView, Phase};

/// The largest image downloaded without the reader asking for it.
pub const AUTO_DOWNLOAD_BYTES: u64 = 2 * 1024 * 1024;

/// The largest image this client downloads at all. A server announcing more is
/// not believed: the bytes would all sit in this tab's memory.
pub const MAX_DOWNLOAD_BYTES: u64 = 32 * 1024 * 1024;

/// Downloads requested at once; the rest wait their turn. A room full of pictures
/// must not ask for all of them (and hold all their bytes) at the same time.
const MAX_DOWNLOADS_IN_FLIGHT: usize = 4;

/// Who wants an image shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownloadAsk {
    /// Its message came into view: only up to [`AUTO_DOWNLOAD_BYTES`].
    Automatic,
    /// The reader pressed its button: up to [`MAX_DOWNLOAD_BYTES`].
    Clicked,
}

/// Where one `mcp_image://` download is.
#[derive(Debug)]
pub(super) enum Download {
    /// Wanted, to be requested once online and a slot is free.
    Wanted(DownloadAsk),
    /// Requested on the current connection as download number `attempt`; the
    /// announced metadata once it came.
    Receiving {
        attempt: u64,
        ask: DownloadAsk,
        meta: Option<ImageMeta>,
        bytes: Vec<u8>,
    },
    /// Larger than an automatic download may be: waits for a click.
    Offered { size: u64 },
    /// Shown (its bytes are the page's now).
    Shown { size: u64 },
    /// Could not be loaded: not requested again in this tab.
    Failed,
}

impl ChatClient {
    /// Shows the `mcp_image://` image `id`, downloading it when `ask` allows: once
    /// online and a download slot is free (first asked, first served; a click goes
    /// to the front).
    pub fn load_image(&mut self, id: &str, ask: DownloadAsk) -> Vec<Effect> {
        let total = match (self.downloads.get_mut(id), ask) {
            (None, _) => None,
            (Some(Download::Offered { size }), DownloadAsk::Clicked) => Some(*size),
            (Some(Download::Wanted(wanted)), DownloadAsk::Clicked) => {
                *wanted = DownloadAsk::Clicked;
                return Vec::new();
            }
            (Some(_), _) => return Vec::new(),
        };
        self.downloads.insert(id.to_owned(), Download::Wanted(ask));
        match ask {
            DownloadAsk::Automatic => self.download_queue.push_back(id.to_owned()),
            DownloadAsk::Clicked => self.download_queue.push_front(id.to_owned()),
        }
        let waiting = ImageView::Loading { received: 0, total };
        let mut effects = vec![image(id, waiting)];
        effects.extend(self.request_wanted_downloads());
        effects
    }

    /// The page freed a shown image's bytes: what to show in its place. A small
    /// one downloads again when its message is shown again; a large one is offered
    /// again (its size is known).
    pub fn forget_image(&mut self, id: &str) -> ImageView {
        match self.downloads.get(id) {
            Some(Download::Shown { size }) if *size > AUTO_DOWNLOAD_BYTES => {
                let size = *size;
                self.downloads
                    .insert(id.to_owned(), Download::Offered { size });
                ImageView::Offered { size }
            }
            _ => {
                self.downloads.remove(id);
                ImageView::Freed
            }
        }
    }

    /// Remembers an image this tab showed without downloading it (our own upload).
    pub(super) fn image_shown(&mut self, id: &str, size: u64) {
        self.downloads
            .insert(id.to_owned(), Download::Shown { size });
    }

    /// Requests waiting images while online and under [`MAX_DOWNLOADS_IN_FLIGHT`].
    pub(super) fn request_wanted_downloads(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        while self.phase == Phase::Online {
            let in_flight = self
                .downloads
                .values()
                .filter(|d| matches!(d, Download::Receiving { .. }))
                .count();
            if in_flight >= MAX_DOWNLOADS_IN_FLIGHT {
                break;
            }
            let Some(id) = self.download_queue.pop_front() else {
                break;
            };
            let Some(&Download::Wanted(ask)) = self.downloads.get(&id) else {
                continue;
            };
            self.downloads_started += 1;
            let attempt = self.downloads_started;
            let purpose = Purpose::Download {
                id: id.clone(),
                attempt,
            };
            let sent = self.request(purpose, |s| s.request_image_download(&id));
            let went_out = sent.iter().any(|e| matches!(e, Effect::Send(_)));
            effects.extend(sent);
            if !went_out {
                self.download_queue.push_front(id);
                break;
            }
            let receiving = Download::Receiving {
                attempt,
                ask,
                meta: None,
                bytes: Vec::new(),
            };
            self.downloads.insert(id, receiving);
        }
        effects
    }

    /// The connection dropped: downloads start over once reconnected.
    pub(super) fn downloads_on_close(&mut self) {
        for (id, download) in &mut self.downloads {
            if let Download::Receiving { ask, .. } = download {
                *download = Download::Wanted(*ask);
                self.download_queue.push_front(id.clone());
            }
        }
    }

    /// A reply to download number `attempt` of `id`.
    pub(super) fn download_reply(&mut self, id: &str, attempt: u64, body: Body) -> Vec<Effect> {
        let current = matches!(
            self.downloads.get(id),
            Some(Download::Receiving { attempt: a, .. }) if *a == attempt
        );
        match body {
            // Given up on (too big, offered, damaged): the rest is dropped unread.
            Body::ImageDownloadPart(_) if !current => Vec::new(),
            body if !current => vec![Effect::Log(format!(
                "{} for abandoned image {id}",
                body.kind()
            ))],
            Body::ImageDownloadMeta(meta) => self.download_meta(id, meta),
            Body::ImageDownloadPart(part) => self.download_part(id, part),
            Body::ImageDownloadCompleted(_) => self.download_done(id),
            body => vec![Effect::Log(format!(
                "unexpected {} reply to the download of {id}",
                body.kind()
            ))],
        }
    }

    /// An error reply to download number `attempt` of `id`.
    pub(super) fn download_failed(&mut self, id: &str, attempt: u64, why: &str) -> Vec<Effect> {
        match self.downloads.get(id) {
            Some(Download::Receiving { attempt: a, .. }) if *a == attempt => {
                self.fail_download(id, why)
            }
            _ => vec![Effect::Log(format!("{why} (for abandoned image {id})"))],
        }
    }

    fn download_meta(&mut self, id: &str, meta: ImageMeta) -> Vec<Effect> {
        if meta.size > MAX_DOWNLOAD_BYTES || !is_allowed_image_type(&meta.mime) {
            return self.fail_download(id, "it is too big or not a picture");
        }
        let size = meta.size;
        let Some(Download::Receiving {
            ask, meta: slot, ..
        }) = self.downloads.get_mut(id)
        else {
            return Vec::new();
        };
        if size > AUTO_DOWNLOAD_BYTES && *ask == DownloadAsk::Automatic {
            self.downloads
                .insert(id.to_owned(), Download::Offered { size });
            let mut effects = vec![
                Effect::Log(format!(
                    "image {id} is {}: shown on click",
                    human_bytes(size)
                )),
                image(id, ImageView::Offered { size }),
            ];
            effects.extend(self.request_wanted_downloads());
            return effects;
        }
        *slot = Some(meta);
        vec![image(
            id,
            ImageView::Loading {
                received: 0,
                total: Some(size),
            },
        )]
    }

    fn download_part(&mut self, id: &str, part: ImagePart) -> Vec<Effect> {
        let Some(Download::Receiving { meta, bytes, .. }) = self.downloads.get_mut(id) else {
            return Vec::new();
        };
        let total = meta.as_ref().map(|m| m.size);
        let decoded = match BASE64.decode(part.data.as_bytes()) {
            Ok(decoded) => decoded,
            Err(_) => return self.fail_download(id, "the server sent a damaged part"),
        };
        bytes.extend_from_slice(&decoded);
        let received = bytes.len() as u64;
        if received > total.unwrap_or(AUTO_DOWNLOAD_BYTES) {
            return self.fail_download(id, "the server sent more than it announced");
        }
        vec![image(id, ImageView::Loading { received, total })]
    }

    fn download_done(&mut self, id: &str) -> Vec<Effect> {
        let Some(Download::Receiving {
            meta: Some(meta),
            bytes,
            ..
        }) = self.downloads.remove(id)
        else {
            return self.fail_download(id, "the server sent no image information");
        };
        // Announced type and bytes must agree: a mislabelled file is not shown.
        let mime = sniff_image_type(&bytes).filter(|m| m.eq_ignore_ascii_case(&meta.mime));
        match mime {
            _ if bytes.len() as u64 != meta.size => self.fail_download(id, "it arrived incomplete"),
            None => self.fail_download(id, "its contents are not the picture type announced"),
            Some(mime) => {
                self.image_shown(id, meta.size);
                let mut effects = vec![Effect::ShowImage(ImageBytes {
                    id: id.to_owned(),
                    mime: mime.to_owned(),
                    bytes,
                })];
                effects.extend(self.request_wanted_downloads());
                effects
            }
        }
    }

    /// Gives up on `id` for this tab and lets the next waiting image start.
    fn fail_download(&mut self, id: &str, why: &str) -> Vec<Effect> {
        self.downloads.insert(id.to_owned(), Download::Failed);
        let mut effects = vec![image(
            id,
            ImageView::Failed(format!("The image could not be loaded: {why}.")),
        )];
        effects.extend(self.request_wanted_downloads());
        effects
    }
}

fn image(id: &str, view: ImageView) -> Effect {
    Effect::Ui(Action::Image {
        id: id.to_owned(),
        view,
    })
}
