//! MCP packets as typed Rust.
//!
//! A packet is `{"type": "Major.Minor.ID", "data": ..., "room": N}`; `room` only for
//! the Message family. [`Packet::decode`] reads one line's JSON text and
//! [`Packet::encode`] writes it.
//!
//! Decoding tells two failures apart, because a server answers them differently
//! (`WIRE.md` section 6): a line that is not a packet at all ([`DecodeError::reply_id`]
//! is `DontHaveID`) and a packet of a known type whose data is malformed (answered
//! with the request's own ID and the error [`DecodeError::reply_error`] names).
//!
//! One file per message family: [`handshake`], [`auth`], [`message`], [`file`],
//! [`user`], [`room`], [`error`]; [`kind`] is the table that ties types to data.
//! Negotiated extensions (`docs/extensions.md`): [`extension`] (the negotiation) and
//! [`history`] (`history/1`'s request and page; its entries' reader is
//! `history_serde`).

pub mod auth;
pub mod error;
pub mod extension;
pub mod file;
pub mod handshake;
pub mod history;
mod history_serde;
pub mod id;
pub mod kind;
pub mod lenient;
pub mod message;
pub mod room;
pub mod user;

use serde::Deserialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::value::RawValue;
use std::borrow::Cow;
use thiserror::Error;

pub use error::{ErrorKind, ErrorPacket};
pub use id::{DONT_HAVE_ID, PacketId, TypeString};
pub use kind::{Body, PacketKind, RoomField, UnknownPacket};
pub use room::RoomId;

/// One MCP packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    /// The ID from the type string.
    pub id: PacketId,
    /// The top-level `room` (Message family only).
    pub room: Option<RoomId>,
    /// The typed data.
    pub body: Body,
}

/// Why a line's JSON text is not a usable packet.
#[derive(Debug, Error)]
pub enum DecodeError {
    /// Not a JSON object with a string `type`: unparseable, answered with `DontHaveID`.
    #[error("not an MCP packet: {0}")]
    NotAPacket(#[source] serde_json::Error),
    /// A `type` that is not `Major.Minor[.ID]`.
    #[error("malformed packet type {0:?}")]
    BadType(String),
    /// A known type whose `data` or `room` is malformed.
    #[error("{kind} has malformed data: {source}")]
    BadData {
        /// The packet's kind.
        kind: PacketKind,
        /// The packet's ID, for the error reply.
        id: PacketId,
        /// What serde found wrong.
        #[source]
        source: serde_json::Error,
    },
}

impl DecodeError {
    /// The ID an error reply to this line carries.
    pub fn reply_id(&self) -> PacketId {
        match self {
            Self::BadData { id, .. } => id.reply_id(),
            Self::NotAPacket(_) | Self::BadType(_) => PacketId::DontHaveId,
        }
    }

    /// The error a server answers this line with (`WIRE.md` sections 6 and 8).
    pub fn reply_error(&self) -> ErrorKind {
        match self {
            Self::BadData {
                kind: PacketKind::Login | PacketKind::Register,
                ..
            } => ErrorKind::AuthDataIncorrect,
            Self::BadData {
                kind: PacketKind::CreateTextMessage | PacketKind::CreateImageMessage,
                ..
            } => ErrorKind::MessageDataIncorrect,
            _ => ErrorKind::PacketDataIncorrect,
        }
    }
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "type", borrow)]
    type_string: Cow<'a, str>,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
    #[serde(borrow, default)]
    room: Option<&'a RawValue>,
}

impl Packet {
    /// A packet with no room.
    pub fn new(id: PacketId, body: Body) -> Self {
        Self {
            id,
            room: None,
            body,
        }
    }

    /// A Message-family packet for `room`.
    pub fn in_room(id: PacketId, room: RoomId, body: Body) -> Self {
        Self {
            id,
            room: Some(room),
            body,
        }
    }

    /// An `Error.*` packet.
    pub fn error(id: PacketId, kind: ErrorKind, message: impl Into<String>) -> Self {
        Self::new(id, Body::Error(ErrorPacket::new(kind, message)))
    }

    /// The packet's kind.
    pub fn kind(&self) -> PacketKind {
        self.body.kind()
    }

    /// The `Major.Minor[.ID]` type string.
    pub fn type_string(&self) -> String {
        let (major, minor) = match &self.body {
            Body::Error(e) => ("Error", e.kind.as_str()),
            Body::Unknown(u) => (u.major.as_str(), u.minor.as_str()),
            body => (body.kind().major(), body.kind().minor()),
        };
        id::format_type(major, minor, &self.id)
    }

    /// Reads one packet from its JSON text (already decrypted and trimmed).
    pub fn decode(json: &str) -> Result<Self, DecodeError> {
        Self::decode_kinds(json, |_| true, Body::decode_data)
    }

    /// [`Packet::decode`] for a client: a kind only clients send (a request) is
    /// read as [`Body::Unknown`], like a kind this crate does not know, since a
    /// client has no use for it; and a client's code holds no readers for them.
    pub fn decode_from_server(json: &str) -> Result<Self, DecodeError> {
        Self::decode_kinds(
            json,
            PacketKind::is_sent_by_servers,
            Body::decode_server_data,
        )
    }

    /// Reads a packet whose kind is one of `known`, each read by `read`; the other
    /// kinds are [`Body::Unknown`].
    fn decode_kinds(
        json: &str,
        known: fn(PacketKind) -> bool,
        read: fn(PacketKind, Option<&RawValue>) -> Result<Body, serde_json::Error>,
    ) -> Result<Self, DecodeError> {
        let envelope: Envelope<'_> = serde_json::from_str(json).map_err(DecodeError::NotAPacket)?;
        let Some(parts) = TypeString::parse(&envelope.type_string) else {
            return Err(DecodeError::BadType(envelope.type_string.into_owned()));
        };
        let data = envelope.data.filter(|raw| raw.get() != "null");
        if parts.major == "Error" {
            let data: error::ErrorData = match data {
                Some(raw) => serde_json::from_str(raw.get()).unwrap_or_default(),
                None => error::ErrorData::default(),
            };
            return Ok(Self::new(
                parts.id,
                Body::Error(ErrorPacket::new(
                    ErrorKind::from_minor(parts.minor),
                    data.message.unwrap_or_default(),
                )),
            ));
        }
        let Some(kind) = PacketKind::from_names(parts.major, parts.minor).filter(|&k| known(k))
        else {
            return Ok(Self::new(
                parts.id,
                Body::Unknown(UnknownPacket {
                    major: parts.major.to_owned(),
                    minor: parts.minor.to_owned(),
                    data: data.map_or_else(|| "null".to_owned(), |raw| raw.get().to_owned()),
                }),
            ));
        };
        let bad_data = |source| DecodeError::BadData {
            kind,
            id: parts.id.clone(),
            source,
        };
        let room = match (
            kind.room_field(),
            envelope.room.filter(|raw| raw.get() != "null"),
        ) {
            (RoomField::Absent, _) | (RoomField::Optional, None) => None,
            (RoomField::Required, None) => {
                return Err(bad_data(serde::de::Error::missing_field("room")));
            }
            (_, Some(raw)) => Some(serde_json::from_str::<RoomId>(raw.get()).map_err(bad_data)?),
        };
        let body = read(kind, data).map_err(bad_data)?;
        Ok(Self {
            id: parts.id,
            room,
            body,
        })
    }

    /// The packet's JSON text (one line: JSON never contains a raw newline).
    pub fn encode(&self) -> String {
        // Serialising these types cannot fail: every map key is a string.
        serde_json::to_string(&Written::<false>(self)).unwrap_or_default()
    }

    /// [`Packet::encode`] for a request, what a client sends: the data of other
    /// kinds is left out, so a client's code holds no writers for them (the wasm
    /// is about 1 KB gzip smaller). [`ClientSession`](crate::session::ClientSession)
    /// sends nothing but requests.
    pub(crate) fn encode_request(&self) -> String {
        serde_json::to_string(&Written::<true>(self)).unwrap_or_default()
    }
}

impl serde::Serialize for Packet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&Written::<false>(self), serializer)
    }
}

/// A packet as written; with `REQUESTS_ONLY`, the data of requests only (see
/// [`Packet::encode_request`]).
struct Written<'a, const REQUESTS_ONLY: bool>(&'a Packet);

impl<const REQUESTS_ONLY: bool> serde::Serialize for Written<'_, REQUESTS_ONLY> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let packet = self.0;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", &packet.type_string())?;
        match &packet.body {
            Body::Error(e) => map.serialize_entry(
                "data",
                &error::ErrorData {
                    message: Some(e.message.clone()),
                },
            )?,
            Body::Unknown(u) => {
                let raw: Option<&RawValue> = serde_json::from_str(&u.data).ok();
                map.serialize_entry("data", &raw)?;
            }
            Body::ImageUploadRejected => map.serialize_entry("data", &())?,
            body => body.serialize_data::<_, REQUESTS_ONLY>(&mut map)?,
        }
        if let Some(room) = packet.room {
            map.serialize_entry("room", &room)?;
        }
        map.end()
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
pub(crate) mod mutation;
#[cfg(test)]
pub(crate) mod samples;
#[cfg(test)]
mod tests;
