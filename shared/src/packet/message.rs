//! `Message.*`: text and image messages (the `history/1` request and page are in
//! [`super::history`]). Their room travels in the packet's top-level `room` field (see
//! [`super::Packet::room`]), not in `data`.

use serde::{Deserialize, Serialize};

use super::lenient::{Timestamp, optional_message_id};

/// A message's stable server ID (`history/1`): positive, at most
/// [`super::lenient::MAX_MESSAGE_ID`], increasing in the order the server stored them.
pub type MessageId = u64;

/// The scheme of an image stored on the MCP server (`WIRE.md` section 9).
pub const MCP_IMAGE_SCHEME: &str = "mcp_image://";

/// The longest text (in bytes of UTF-8) our server accepts in a message by default,
/// and the web app lets one type: a long message is a document, and every accepted
/// message is stored for good. Servers may be configured otherwise; a longer text
/// gets `Error.MessageDataIncorrect`.
pub const DEFAULT_MAX_TEXT_BYTES: usize = 16 * 1024;

/// `Message.CreateTextMessage` data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateTextMessage {
    /// The message text.
    pub text: String,
}

/// `Message.TextMessage` data, stamped by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextMessage {
    /// The message text.
    pub text: String,
    /// Who sent it.
    pub user: String,
    /// When the server accepted it.
    pub time: Timestamp,
    /// The server's ID of the message, sent only to connections that agreed to
    /// `history/1` (never written when absent, so plain packets stay as they were).
    #[serde(
        rename = "messageId",
        default,
        deserialize_with = "optional_message_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub message_id: Option<MessageId>,
}

/// `Message.CreateImageMessage` data: exactly one of `image` (an uploaded image,
/// `mcp_image://<id>`) or `url` (an image hosted elsewhere).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CreateImageMessage {
    /// `mcp_image://<id>` of an uploaded image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// A direct URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl CreateImageMessage {
    /// A message for an image uploaded to the MCP server.
    pub fn uploaded(image_id: &str) -> Self {
        Self {
            image: Some(format!("{MCP_IMAGE_SCHEME}{image_id}")),
            url: None,
        }
    }

    /// A message for an image hosted elsewhere.
    pub fn url(url: impl Into<String>) -> Self {
        Self {
            image: None,
            url: Some(url.into()),
        }
    }

    /// The reference the resulting `ImageMessage` carries, if the data has one.
    pub fn reference(&self) -> Option<&str> {
        self.image
            .as_deref()
            .or(self.url.as_deref())
            .filter(|r| !r.trim().is_empty())
    }
}

/// `Message.ImageMessage` data, stamped by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageMessage {
    /// `mcp_image://<id>` or a URL, as the sender gave it.
    pub image: String,
    /// Who sent it.
    pub user: String,
    /// When the server accepted it.
    pub time: Timestamp,
    /// As [`TextMessage::message_id`].
    #[serde(
        rename = "messageId",
        default,
        deserialize_with = "optional_message_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub message_id: Option<MessageId>,
}

impl ImageMessage {
    /// The image ID when the image is stored on the MCP server.
    pub fn stored_image_id(&self) -> Option<&str> {
        stored_image_id(&self.image)
    }
}

/// The image ID in an `mcp_image://<id>` reference (`None` for URLs and for an
/// empty ID).
pub fn stored_image_id(reference: &str) -> Option<&str> {
    reference
        .strip_prefix(MCP_IMAGE_SCHEME)
        .filter(|id| !id.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_message_reads_the_transcript_shape() {
        let m: TextMessage =
            serde_json::from_str(r#"{"text":"hello","user":"root","time":1795930454842}"#).unwrap();
        assert_eq!(
            (m.user.as_str(), m.time.millis()),
            ("root", 1_795_930_454_842)
        );
        let m: TextMessage =
            serde_json::from_str(r#"{"text":"hi","user":"r","time":"2026-01-01T00:00:00Z"}"#)
                .unwrap();
        assert_eq!(m.time.millis(), 1_767_225_600_000);
    }

    #[test]
    fn image_messages_carry_one_reference() {
        let up = CreateImageMessage::uploaded("42");
        assert_eq!(
            serde_json::to_string(&up).unwrap(),
            r#"{"image":"mcp_image://42"}"#
        );
        let url = CreateImageMessage::url("https://x/y.png");
        assert_eq!(
            serde_json::to_string(&url).unwrap(),
            r#"{"url":"https://x/y.png"}"#
        );
        assert_eq!(CreateImageMessage::default().reference(), None);
        let m = ImageMessage {
            image: "mcp_image://42".into(),
            user: "u".into(),
            time: Timestamp(1),
            message_id: None,
        };
        assert_eq!(m.stored_image_id(), Some("42"));
    }

    #[test]
    fn message_ids_are_written_only_when_set() {
        let plain = r#"{"text":"hello","user":"bob","time":1764698400000}"#;
        let m: TextMessage = serde_json::from_str(plain).unwrap();
        assert_eq!(m.message_id, None);
        assert_eq!(serde_json::to_string(&m).unwrap(), plain);
        // The document's live message.
        let with_id = r#"{"text":"hello","user":"bob","time":1764698400000,"messageId":4711}"#;
        let m: TextMessage = serde_json::from_str(with_id).unwrap();
        assert_eq!(m.message_id, Some(4711));
        assert_eq!(serde_json::to_string(&m).unwrap(), with_id);
        // A foreign server's `messageId` of another shape costs nothing.
        let m: ImageMessage =
            serde_json::from_str(r#"{"image":"u","user":"b","time":1,"messageId":"a-b"}"#).unwrap();
        assert_eq!(m.message_id, None);
    }
}
