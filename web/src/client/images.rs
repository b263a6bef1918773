//! Images (`WIRE.md` section 9) going out: the one upload of this tab, sent in
//! parts as fast as the socket drains and then posted, and images posted by their
//! http(s) address. Downloads are in [`super::downloads`].

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use miricat_shared::packet::ErrorPacket;
use miricat_shared::packet::file::{MAX_IMAGE_PART_BYTES, sniff_image_type};
use miricat_shared::packet::message::{CreateImageMessage, ImageMessage};
use miricat_shared::{Body, PacketId, RoomId};

use super::{ChatClient, Effect, Purpose};
use crate::failures::explain_error;
use crate::sizes::human_bytes;
use crate::state::{Action, Content, Phase, UploadStage, UploadView};

/// The largest file this client uploads: our server's default limit (servers may
/// set a lower one and refuse with `File.ImageUploadRejected`).
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

/// Longest image URL accepted for posting.
const MAX_URL_LEN: usize = 2048;

/// Why a file of `len` bytes cannot be uploaded, if it cannot. Checked before the
/// file is read (so a huge file is never loaded) and again on its bytes.
pub fn upload_size_refusal(name: &str, len: u64) -> Option<String> {
    if len == 0 {
        return Some(format!("\"{name}\" is empty."));
    }
    (len > MAX_UPLOAD_BYTES as u64).then(|| {
        format!(
            "\"{name}\" is {}; images up to {} can be sent.",
            human_bytes(len),
            human_bytes(MAX_UPLOAD_BYTES as u64)
        )
    })
}

/// The upload in progress.
#[derive(Debug)]
pub(super) struct Upload {
    /// Numbers this tab's uploads: replies meant for a cancelled one are ignored.
    number: u64,
    room: RoomId,
    name: String,
    mime: &'static str,
    bytes: Vec<u8>,
    /// The server's image ID, once it accepted the upload.
    image_id: Option<String>,
    /// Bytes handed to the socket.
    sent: usize,
    stage: UploadStage,
    /// Request IDs of the first and the latest part sent. Parts get no reply; an
    /// error carrying one of these IDs is about this upload.
    part_ids: Option<(u64, u64)>,
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
        } else {
            upload_size_refusal(name, bytes.len() as u64)
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
        self.uploads_started += 1;
        let number = self.uploads_started;
        let upload = Upload {
            number,
            room,
            name: name.to_owned(),
            mime,
            bytes,
            image_id: None,
            sent: 0,
            stage: UploadStage::Requesting,
            part_ids: None,
        };
        let view = upload.view();
        self.upload = Some(upload);
        let mut effects = vec![Effect::Ui(Action::Upload(Some(view)))];
        let request = self.request(Purpose::UploadSlot(number), |s| {
            s.request_image_upload(name, size, mime)
        });
        effects.extend(self.upload_request_sent(request));
        effects
    }

    /// Passes on a request of the upload, or fails the upload when it could not be
    /// sent (it would otherwise wait forever for a reply).
    fn upload_request_sent(&mut self, effects: Vec<Effect>) -> Vec<Effect> {
        if effects.iter().any(|e| matches!(e, Effect::Send(_))) {
            return effects;
        }
        let mut failed = effects;
        failed.extend(self.fail_upload("it could not be sent on this connection"));
        failed
    }

    /// Whether the upload has parts waiting for room on the socket.
    pub fn upload_has_parts(&self) -> bool {
        // Sending starts only once the server gave the upload its image ID.
        self.upload
            .as_ref()
            .is_some_and(|u| u.stage == UploadStage::Sending)
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
            Ok(out) => {
                let first = upload.part_ids.map_or(out.id, |(first, _)| first);
                upload.part_ids = Some((first, out.id));
                vec![Effect::Send(out.line)]
            }
            Err(e) => return self.fail_upload(&format!("it could not be sent ({e})")),
        };
        upload.sent = end;
        if upload.sent == upload.bytes.len() {
            upload.stage = UploadStage::Posting;
            let number = upload.number;
            let request = self.request(Purpose::UploadComplete(number), |s| {
                s.complete_image_upload(&image_id)
            });
            effects.extend(self.upload_request_sent(request));
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
        self.request(Purpose::PostImageUrl(room), |s| {
            s.send_image(room, CreateImageMessage::url(url))
        })
    }

    /// The connection dropped: the upload fails (its parts went to a session that is
    /// gone), downloads start over once reconnected.
    pub(super) fn images_on_close(&mut self) -> Vec<Effect> {
        self.downloads_on_close();
        if self.upload.is_some() {
            self.fail_upload("the connection dropped; send it again once reconnected")
        } else {
            Vec::new()
        }
    }

    /// Replies to image requests.
    pub(super) fn image_reply(&mut self, purpose: Purpose, body: Body) -> Vec<Effect> {
        match (purpose, body) {
            (Purpose::UploadSlot(number), body) if !self.is_current_upload(number) => {
                vec![Effect::Log(format!(
                    "{} for a cancelled upload",
                    body.kind()
                ))]
            }
            (Purpose::UploadSlot(_), Body::ImageUploadAccepted(meta)) => {
                let Some(upload) = self.upload.as_mut() else {
                    return Vec::new();
                };
                upload.image_id = Some(meta.id);
                upload.stage = UploadStage::Sending;
                vec![
                    Effect::Ui(Action::Upload(Some(upload.view()))),
                    Effect::PumpUpload,
                ]
            }
            (Purpose::UploadSlot(_), Body::ImageUploadRejected) => {
                self.fail_upload("the server refused it (too big, or a type it does not take)")
            }
            (Purpose::UploadComplete(number), Body::ImageUploadCompleted(done)) => {
                let Some(upload) = self.upload.as_mut().filter(|u| u.number == number) else {
                    return Vec::new();
                };
                let room = upload.room;
                let shown = ImageBytes {
                    id: done.id.clone(),
                    mime: upload.mime.to_owned(),
                    bytes: std::mem::take(&mut upload.bytes),
                };
                // Our own image needs no download: show the bytes we sent.
                self.image_shown(&done.id, shown.bytes.len() as u64);
                let mut effects = vec![Effect::ShowImage(shown)];
                let request = self.request(Purpose::PostImage { number, room }, |s| {
                    s.send_image(room, CreateImageMessage::uploaded(&done.id))
                });
                effects.extend(self.upload_request_sent(request));
                effects
            }
            (Purpose::PostImage { number, room }, Body::ImageMessage(message)) => {
                let mut effects = Vec::new();
                if self.is_current_upload(number) {
                    self.upload = None;
                    effects.push(Effect::Ui(Action::Upload(None)));
                }
                effects.push(posted(room, message));
                effects
            }
            (Purpose::PostImageUrl(room), Body::ImageMessage(message)) => {
                vec![posted(room, message)]
            }
            (Purpose::Download { id, attempt }, body) => self.download_reply(&id, attempt, body),
            (purpose, body) => vec![Effect::Log(format!(
                "unexpected {} reply to {purpose:?}",
                body.kind()
            ))],
        }
    }

    /// An image request came to nothing, for `why` (in plain words).
    pub(super) fn image_failed(&mut self, purpose: Purpose, why: &str) -> Vec<Effect> {
        match purpose {
            Purpose::Download { id, attempt } => {
                self.download_failed(&id, attempt, why.trim_end_matches('.'))
            }
            Purpose::PostImageUrl(_) => vec![Effect::Ui(Action::Error(format!(
                "Could not post the image: {why}"
            )))],
            Purpose::UploadSlot(number)
            | Purpose::UploadComplete(number)
            | Purpose::PostImage { number, .. }
                if self.is_current_upload(number) =>
            {
                self.fail_upload(why)
            }
            _ => vec![Effect::Log(format!("{why} (for a cancelled upload)"))],
        }
    }

    /// An error pushed with the ID of one of the upload's parts (parts get no
    /// reply otherwise): the upload stops at once. `None` when it is not about one.
    pub(super) fn part_failed(
        &mut self,
        id: &PacketId,
        error: &ErrorPacket,
    ) -> Option<Vec<Effect>> {
        let PacketId::Value(raw) = id else {
            return None;
        };
        let id: u64 = raw.parse().ok()?;
        let (first, last) = self.upload.as_ref()?.part_ids?;
        (first..=last)
            .contains(&id)
            .then(|| self.fail_upload(&explain_error(error)))
    }

    fn is_current_upload(&self, number: u64) -> bool {
        self.upload.as_ref().is_some_and(|u| u.number == number)
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
        message_id: message.message_id,
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

/// The host part of a web image address (`example.org:8080` of
/// `https://user@example.org:8080/a.png`), to say where an image would be loaded
/// from before the reader agrees to it.
pub fn web_image_host(url: &str) -> &str {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    authority.rsplit('@').next().unwrap_or(authority)
}
