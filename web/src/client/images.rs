//! Images (`WIRE.md` section 9): the one upload of this tab, sent in parts as fast
//! as the socket drains and then posted, and downloads of `mcp_image://` images in
//! parts, verified against the announced size before anything is shown.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use miricat_shared::packet::ErrorPacket;
use miricat_shared::packet::file::{
    ImageMeta, ImagePart, MAX_IMAGE_PART_BYTES, is_allowed_image_type, sniff_image_type,
};
use miricat_shared::packet::message::{CreateImageMessage, ImageMessage};
use miricat_shared::{Body, RoomId};

use super::{ChatClient, Effect, Purpose};
use crate::failures::explain_error;
use crate::state::{Action, Content, ImageView, Phase, UploadStage, UploadView};

/// The largest file this client uploads: our server's default limit (servers may
/// set a lower one and refuse with `File.ImageUploadRejected`).
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

/// The largest image this client downloads. A server announcing more is not
/// believed: the bytes would all sit in this tab's memory.
pub const MAX_DOWNLOAD_BYTES: u64 = 32 * 1024 * 1024;

/// Longest image URL accepted for posting.
const MAX_URL_LEN: usize = 2048;

/// The upload in progress.
#[derive(Debug)]
pub(super) struct Upload {
    room: RoomId,
    name: String,
    mime: &'static str,
    bytes: Vec<u8>,
    /// The server's image ID, once it accepted the upload.
    image_id: Option<String>,
    /// Bytes handed to the socket.
    sent: usize,
    stage: UploadStage,
}

impl Upload {
    fn view(&self) -> UploadView {
        UploadView {
            name: self.name.clone(),
            sent: self.sent as u64,
            total: self.bytes.len() as u64,
            stage: self.stage,
        }
    }
}

/// Where one `mcp_image://` download is.
#[derive(Debug)]
pub(super) enum Download {
    /// Wanted, to be requested once online.
    Wanted,
    /// Requested on the current connection; the announced metadata once it came.
    Receiving {
        meta: Option<ImageMeta>,
        bytes: Vec<u8>,
    },
    /// Shown (or failed for good): never requested again in this tab.
    Settled,
}

/// What a finished download or upload hands to the page to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageBytes {
    /// The server's image ID.
    pub id: String,
    /// The verified MIME type (one of the allowed raster types).
    pub mime: String,
    /// The image itself.
    pub bytes: Vec<u8>,
}

impl ChatClient {
    /// Starts uploading `bytes` (a file named `name`) to post it in `room`.
    ///
    /// The type comes from the bytes, never the name: only PNG, JPEG, GIF and WebP
    /// are sent. One upload runs at a time.
    pub fn start_upload(&mut self, room: RoomId, name: &str, bytes: Vec<u8>) -> Vec<Effect> {
        let refusal = if self.phase != Phase::Online {
            Some("You are offline: send the image once reconnected.".to_owned())
        } else if self.upload.is_some() {
            Some("Another image is still uploading: wait for it or cancel it.".to_owned())
        } else if !self.wanted_rooms.contains(&room) {
            Some("Join the room before sending images to it.".to_owned())
        } else if bytes.is_empty() {
            Some(format!("\"{name}\" is empty."))
        } else if bytes.len() > MAX_UPLOAD_BYTES {
            Some(format!(
                "\"{name}\" is {:.1} MiB; images up to {} MiB can be sent.",
                bytes.len() as f64 / 1_048_576.0,
                MAX_UPLOAD_BYTES / 1_048_576
            ))
        } else {
            None
        };
        if let Some(why) = refusal {
            return vec![Effect::Ui(Action::Error(why))];
        }
        let Some(mime) = sniff_image_type(&bytes) else {
            return vec![Effect::Ui(Action::Error(format!(
                "\"{name}\" is not a PNG, JPEG, GIF or WebP image."
            )))];
        };
        let size = bytes.len() as u64;
        let upload = Upload {
            room,
            name: name.to_owned(),
            mime,
            bytes,
            image_id: None,
            sent: 0,
            stage: UploadStage::Requesting,
        };
        let view = upload.view();
        self.upload = Some(upload);
        let mut effects = vec![Effect::Ui(Action::Upload(Some(view)))];
        effects.extend(self.request(Purpose::UploadSlot, |s| {
            s.request_image_upload(name, size, mime)
        }));
        effects
    }

    /// Whether the upload has parts waiting for room on the socket.
    pub fn upload_has_parts(&self) -> bool {
        self.upload
            .as_ref()
            .is_some_and(|u| u.stage == UploadStage::Sending && u.image_id.is_some())
    }

    /// The next part of the upload (or, after the last part, the completion
    /// request). Call while [`ChatClient::upload_has_parts`] and the socket has room.
    pub fn next_upload_part(&mut self) -> Vec<Effect> {
        if !self.upload_has_parts() {
            return Vec::new();
        }
        let Some((session, upload)) = self.session.as_mut().zip(self.upload.as_mut()) else {
            return Vec::new();
        };
        let Some(image_id) = upload.image_id.clone() else {
            return Vec::new();
        };
        let end = (upload.sent + MAX_IMAGE_PART_BYTES).min(upload.bytes.len());
        let part_number = u32::try_from(upload.sent / MAX_IMAGE_PART_BYTES + 1).unwrap_or(u32::MAX);
        let data = BASE64.encode(&upload.bytes[upload.sent..end]);
        let mut effects = match session.upload_image_part(&image_id, part_number, data) {
            Ok(out) => vec![Effect::Send(out.line)],
            Err(e) => return self.fail_upload(&format!("it could not be sent ({e})")),
        };
        upload.sent = end;
        if upload.sent == upload.bytes.len() {
            upload.stage = UploadStage::Posting;
            effects.extend(self.request(Purpose::UploadComplete, |s| {
                s.complete_image_upload(&image_id)
            }));
        }
        if let Some(upload) = &self.upload {
            effects.push(Effect::Ui(Action::Upload(Some(upload.view()))));
        }
        effects
    }

    /// Stops the upload. Parts already sent are dropped by the server later (its
    /// unreferenced-upload sweep); once the image is being posted it is too late.
    pub fn cancel_upload(&mut self) -> Vec<Effect> {
        match &self.upload {
            Some(upload) if upload.stage != UploadStage::Posting => {
                self.upload = None;
                vec![Effect::Ui(Action::Upload(None))]
            }
            _ => Vec::new(),
        }
    }

    /// Posts an image hosted elsewhere, by its http(s) URL.
    pub fn post_image_url(&mut self, room: RoomId, url: &str) -> Vec<Effect> {
        let url = url.trim();
        let refusal = if !is_web_image_url(url) {
            Some("Give the image's full address, starting with https:// or http://.")
        } else if self.phase != Phase::Online {
            Some("You are offline: post the image once reconnected.")
        } else if !self.wanted_rooms.contains(&room) {
            Some("Join the room before sending images to it.")
        } else {
            None
        };
        if let Some(why) = refusal {
            return vec![Effect::Ui(Action::Error(why.to_owned()))];
        }
        self.request(Purpose::PostImage(room), |s| {
            s.send_image(room, CreateImageMessage::url(url))
        })
    }

    /// Shows the `mcp_image://` image `id`: downloads it now or once online, once.
    pub fn load_image(&mut self, id: &str) -> Vec<Effect> {
        if self.downloads.contains_key(id) {
            return Vec::new();
        }
        self.downloads.insert(id.to_owned(), Download::Wanted);
        let mut effects = vec![image(
            id,
            ImageView::Loading {
                received: 0,
                total: None,
            },
        )];
        effects.extend(self.request_download(id));
        effects
    }

    /// Requests `id` if it is wanted and we are online.
    pub(super) fn request_download(&mut self, id: &str) -> Vec<Effect> {
        let wanted = matches!(self.downloads.get(id), Some(Download::Wanted));
        if !wanted || self.phase != Phase::Online {
            return Vec::new();
        }
        let effects = self.request(Purpose::Download(id.to_owned()), |s| {
            s.request_image_download(id)
        });
        if !effects.is_empty() {
            self.downloads.insert(
                id.to_owned(),
                Download::Receiving {
                    meta: None,
                    bytes: Vec::new(),
                },
            );
        }
        effects
    }

    /// Requests every wanted image (after a reconnect).
    pub(super) fn request_wanted_downloads(&mut self) -> Vec<Effect> {
        let wanted: Vec<String> = self
            .downloads
            .iter()
            .filter(|(_, d)| matches!(d, Download::Wanted))
            .map(|(id, _)| id.clone())
            .collect();
        wanted
            .iter()
            .flat_map(|id| self.request_download(id))
            .collect()
    }

    /// The connection dropped: the upload fails (its parts went to a session that is
    /// gone), downloads start over once reconnected.
    pub(super) fn images_on_close(&mut self) -> Vec<Effect> {
        for download in self.downloads.values_mut() {
            if matches!(download, Download::Receiving { .. }) {
                *download = Download::Wanted;
            }
        }
        if self.upload.is_some() {
            self.fail_upload("the connection dropped; send it again once reconnected")
        } else {
            Vec::new()
        }
    }

    /// Replies to image requests.
    pub(super) fn image_reply(&mut self, purpose: Purpose, body: Body) -> Vec<Effect> {
        match (purpose, body) {
            (Purpose::UploadSlot, Body::ImageUploadAccepted(meta)) => {
                let Some(upload) = self.upload.as_mut() else {
                    return Vec::new(); // cancelled meanwhile
                };
                upload.image_id = Some(meta.id);
                upload.stage = UploadStage::Sending;
                vec![
                    Effect::Ui(Action::Upload(Some(upload.view()))),
                    Effect::PumpUpload,
                ]
            }
            (Purpose::UploadSlot, Body::ImageUploadRejected) => {
                self.fail_upload("the server refused it (too big, or a type it does not take)")
            }
            (Purpose::UploadComplete, Body::ImageUploadCompleted(done)) => {
                let Some(upload) = self.upload.as_mut() else {
                    return Vec::new();
                };
                let room = upload.room;
                let shown = ImageBytes {
                    id: done.id.clone(),
                    mime: upload.mime.to_owned(),
                    bytes: std::mem::take(&mut upload.bytes),
                };
                // Our own image needs no download: show the bytes we sent.
                self.downloads.insert(done.id.clone(), Download::Settled);
                let mut effects = vec![Effect::ShowImage(shown)];
                effects.extend(self.request(Purpose::PostImage(room), |s| {
                    s.send_image(room, CreateImageMessage::uploaded(&done.id))
                }));
                effects
            }
            (Purpose::PostImage(room), Body::ImageMessage(message)) => {
                let mut effects = Vec::new();
                if self
                    .upload
                    .as_ref()
                    .is_some_and(|u| u.stage == UploadStage::Posting)
                {
                    self.upload = None;
                    effects.push(Effect::Ui(Action::Upload(None)));
                }
                effects.push(posted(room, message));
                effects
            }
            (Purpose::Download(id), Body::ImageDownloadMeta(meta)) => {
                if meta.size > MAX_DOWNLOAD_BYTES || !is_allowed_image_type(&meta.mime) {
                    return self.fail_download(&id, "it is too big or not a picture");
                }
                let total = meta.size;
                if let Some(Download::Receiving { meta: slot, bytes }) = self.downloads.get_mut(&id)
                {
                    bytes.reserve_exact(usize::try_from(total).unwrap_or(0));
                    *slot = Some(meta);
                }
                vec![image(
                    &id,
                    ImageView::Loading {
                        received: 0,
                        total: Some(total),
                    },
                )]
            }
            (Purpose::Download(id), Body::ImageDownloadPart(part)) => self.download_part(&id, part),
            (Purpose::Download(id), Body::ImageDownloadCompleted(_)) => self.download_done(&id),
            (purpose, body) => vec![Effect::Log(format!(
                "unexpected {} reply to {purpose:?}",
                body.kind()
            ))],
        }
    }

    /// An error reply to an image request.
    pub(super) fn image_failed(&mut self, purpose: Purpose, error: &ErrorPacket) -> Vec<Effect> {
        let why = explain_error(error);
        match purpose {
            Purpose::Download(id) => self.fail_download(&id, &why),
            _ => self.fail_upload(&why),
        }
    }

    fn download_part(&mut self, id: &str, part: ImagePart) -> Vec<Effect> {
        let Some(Download::Receiving { meta, bytes }) = self.downloads.get_mut(id) else {
            return Vec::new();
        };
        let total = meta.as_ref().map(|m| m.size);
        let decoded = match BASE64.decode(part.data.as_bytes()) {
            Ok(decoded) => decoded,
            Err(_) => return self.fail_download(id, "the server sent a damaged part"),
        };
        bytes.extend_from_slice(&decoded);
        let received = bytes.len() as u64;
        if received > total.unwrap_or(MAX_DOWNLOAD_BYTES) {
            return self.fail_download(id, "the server sent more than it announced");
        }
        vec![image(id, ImageView::Loading { received, total })]
    }

    fn download_done(&mut self, id: &str) -> Vec<Effect> {
        let Some(Download::Receiving {
            meta: Some(meta),
            bytes,
        }) = self.downloads.insert(id.to_owned(), Download::Settled)
        else {
            return self.fail_download(id, "the server sent no image information");
        };
        if bytes.len() as u64 != meta.size {
            return self.fail_download(id, "it arrived incomplete");
        }
        // Announced type and bytes must agree: a mislabelled file is not shown.
        let Some(mime) = sniff_image_type(&bytes).filter(|m| m.eq_ignore_ascii_case(&meta.mime))
        else {
            return self.fail_download(id, "its contents are not the picture type announced");
        };
        vec![Effect::ShowImage(ImageBytes {
            id: id.to_owned(),
            mime: mime.to_owned(),
            bytes,
        })]
    }

    fn fail_download(&mut self, id: &str, why: &str) -> Vec<Effect> {
        self.downloads.insert(id.to_owned(), Download::Settled);
        vec![image(
            id,
            ImageView::Failed(format!("The image could not be loaded: {why}.")),
        )]
    }

    fn fail_upload(&mut self, why: &str) -> Vec<Effect> {
        let Some(upload) = self.upload.take() else {
            return Vec::new();
        };
        vec![
            Effect::Ui(Action::Upload(None)),
            Effect::Ui(Action::Error(format!(
                "\"{}\" was not sent: {why}",
                upload.name
            ))),
        ]
    }
}

/// Our posted image, in the room we posted it to (the reply's own room field may be
/// missing on some servers; the request's room is the one).
fn posted(room: RoomId, message: ImageMessage) -> Effect {
    Effect::Ui(Action::Message {
        room,
        sender: message.user,
        content: Content::Image(message.image),
        time_ms: message.time.millis(),
    })
}

fn image(id: &str, view: ImageView) -> Effect {
    Effect::Ui(Action::Image {
        id: id.to_owned(),
        view,
    })
}

/// Whether `url` is an absolute http(s) URL with a host and no spaces: the only
/// image references, besides `mcp_image://`, this client posts or loads.
pub fn is_web_image_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|rest| {
        url.len() <= MAX_URL_LEN
            && !rest.is_empty()
            && !rest.starts_with('/')
            && !url
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '"')
    })
}
