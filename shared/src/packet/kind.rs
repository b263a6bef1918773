//! The table of every `Major.Minor` type in the spec, and the typed [`Body`] each one
//! carries. One macro invocation is the single place that lists them, so the kind
//! enum, the body enum and their (de)serialisation cannot drift apart.

use serde::ser::SerializeMap;
use serde_json::value::RawValue;

use super::auth::{Accepted, Credentials};
use super::error::ErrorPacket;
use super::extension::Extension;
use super::file::{ImageMeta, ImagePart, ImageRef, ImageUploadRequest};
use super::handshake::Handshake;
use super::history::{History, RequireHistory};
use super::message::{CreateImageMessage, CreateTextMessage, ImageMessage, TextMessage};
use super::room::{Joined, Left, RoomName, RoomRef, RoomSummary};
use super::user::Username;

macro_rules! packet_table {
    ($( $(#[$doc:meta])* $variant:ident = $major:ident . $minor:ident $( ( $data:ty ) )?, )*) => {
        /// What a packet is: its `Major.Minor` type. Errors are one kind whose detail
        /// is in [`ErrorPacket::kind`]; types this crate does not know are `Unknown`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum PacketKind {
            $( $(#[$doc])* $variant, )*
            /// `Error.*`.
            Error,
            /// A type this crate does not know.
            Unknown,
        }

        impl PacketKind {
            /// Every known non-error kind.
            pub const ALL: &'static [PacketKind] = &[$( PacketKind::$variant, )*];

            /// The major part of the type string.
            pub fn major(self) -> &'static str {
                match self {
                    $( Self::$variant => stringify!($major), )*
                    Self::Error => "Error",
                    Self::Unknown => "Unknown",
                }
            }

            /// The minor part of the type string (`Error`/`Unknown` have none of their own).
            pub fn minor(self) -> &'static str {
                match self {
                    $( Self::$variant => stringify!($minor), )*
                    Self::Error | Self::Unknown => "",
                }
            }

            /// The kind for a `Major.Minor` pair of the spec's table (plus the spec's
            /// stray `File.ImageDownloadAccepted`, read as `ImageDownloadMeta`).
            pub fn from_names(major: &str, minor: &str) -> Option<Self> {
                match (major, minor) {
                    $( (stringify!($major), stringify!($minor)) => Some(Self::$variant), )*
                    ("File", "ImageDownloadAccepted") => Some(Self::ImageDownloadMeta),
                    _ => None,
                }
            }
        }

        /// A packet's typed data, one variant per kind.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Body {
            $( $(#[$doc])* $variant $( ($data) )?, )*
            /// `Error.*`.
            Error(ErrorPacket),
            /// A type this crate does not know, kept with its raw data.
            Unknown(UnknownPacket),
        }

        impl Body {
            /// The body's kind.
            pub fn kind(&self) -> PacketKind {
                match self {
                    $( Self::$variant { .. } => PacketKind::$variant, )*
                    Self::Error(_) => PacketKind::Error,
                    Self::Unknown(_) => PacketKind::Unknown,
                }
            }

            /// Reads the `data` of a known, non-error kind.
            pub(crate) fn decode_data(kind: PacketKind, data: Option<&RawValue>) -> Result<Self, serde_json::Error> {
                match kind {
                    $( PacketKind::$variant => packet_table!(@decode $variant, data $(, $data)?), )*
                    PacketKind::Error | PacketKind::Unknown => Err(serde::de::Error::custom("not a table kind")),
                }
            }

            /// [`Body::decode_data`] for the kinds servers send (see
            /// [`PacketKind::is_sent_by_servers`]; the others never get here, see
            /// [`super::Packet::decode_from_server`]). Without readers for the
            /// requests, a client's code is smaller (the wasm by 12 KB, 3.0 KB gzip).
            pub(crate) fn decode_server_data(kind: PacketKind, data: Option<&RawValue>) -> Result<Self, serde_json::Error> {
                match kind {
                    $( PacketKind::$variant => if const { PacketKind::$variant.is_sent_by_servers() } {
                        packet_table!(@decode $variant, data $(, $data)?)
                    } else {
                        Err(serde::de::Error::custom("a kind only clients send"))
                    }, )*
                    PacketKind::Error | PacketKind::Unknown => Err(serde::de::Error::custom("not a table kind")),
                }
            }

            /// Writes the `data` entry of a known, non-error kind (nothing for kinds
            /// without data). With `REQUESTS_ONLY`, only a request's: what a client
            /// sends, whose code then holds no writers for the server's kinds.
            pub(crate) fn serialize_data<M: SerializeMap, const REQUESTS_ONLY: bool>(&self, map: &mut M) -> Result<(), M::Error> {
                match self {
                    $( Self::$variant $( (packet_table!(@bind $data, inner)) )? => {
                        if !REQUESTS_ONLY || const { PacketKind::$variant.is_client_request() } {
                            $( let inner: &$data = inner; map.serialize_entry("data", inner)?; )?
                        }
                        Ok(())
                    } )*
                    Self::Error(_) | Self::Unknown(_) => Ok(()),
                }
            }
        }
    };
    (@decode $variant:ident, $raw:ident, $data:ty) => {
        serde_json::from_str::<$data>($raw.map_or("null", RawValue::get)).map(Body::$variant)
    };
    (@decode $variant:ident, $raw:ident) => {
        Ok(Body::$variant)
    };
    (@bind $data:ty, $name:ident) => {
        $name
    };
}

packet_table! {
    /// `Handshake.Handshake`, both directions.
    Handshake = Handshake.Handshake(Handshake),
    /// `Heartbeat.Ping`: the client's keepalive; never answered.
    Ping = Heartbeat.Ping,
    /// `Authentication.Login`.
    Login = Authentication.Login(Credentials),
    /// `Authentication.Register`.
    Register = Authentication.Register(Credentials),
    /// `Authentication.Accepted`.
    Accepted = Authentication.Accepted(Accepted),
    /// `Message.CreateTextMessage` (room required).
    CreateTextMessage = Message.CreateTextMessage(CreateTextMessage),
    /// `Message.TextMessage`.
    TextMessage = Message.TextMessage(TextMessage),
    /// `Message.CreateImageMessage` (room required).
    CreateImageMessage = Message.CreateImageMessage(CreateImageMessage),
    /// `Message.ImageMessage`.
    ImageMessage = Message.ImageMessage(ImageMessage),
    /// `Message.RequireHistory` (extension `history/1`; room required).
    RequireHistory = Message.RequireHistory(RequireHistory),
    /// `Message.History` (extension `history/1`): one page of a room's messages.
    History = Message.History(History),
    /// `File.RequestImageUpload`.
    RequestImageUpload = File.RequestImageUpload(ImageUploadRequest),
    /// `File.ImageUploadAccepted`.
    ImageUploadAccepted = File.ImageUploadAccepted(ImageMeta),
    /// `File.ImageUploadRejected` (data `null`).
    ImageUploadRejected = File.ImageUploadRejected,
    /// `File.ImageUploadPart`.
    ImageUploadPart = File.ImageUploadPart(ImagePart),
    /// `File.ImageUploadCompleted`, both directions.
    ImageUploadCompleted = File.ImageUploadCompleted(ImageRef),
    /// `File.RequestImageDownload`.
    RequestImageDownload = File.RequestImageDownload(ImageRef),
    /// `File.ImageDownloadMeta`.
    ImageDownloadMeta = File.ImageDownloadMeta(ImageMeta),
    /// `File.ImageDownloadPart`.
    ImageDownloadPart = File.ImageDownloadPart(ImagePart),
    /// `File.ImageDownloadCompleted`.
    ImageDownloadCompleted = File.ImageDownloadCompleted(ImageRef),
    /// `User.Create` (root only).
    UserCreate = User.Create(Credentials),
    /// `User.Created`.
    UserCreated = User.Created(Username),
    /// `User.Delete` (root only).
    UserDelete = User.Delete(Username),
    /// `User.Deleted`.
    UserDeleted = User.Deleted(Username),
    /// `Room.Create` (root only).
    RoomCreate = Room.Create(RoomName),
    /// `Room.Created`.
    RoomCreated = Room.Created(RoomSummary),
    /// `Room.Join`.
    RoomJoin = Room.Join(RoomRef),
    /// `Room.Joined`.
    RoomJoined = Room.Joined(Joined),
    /// `Room.Leave`.
    RoomLeave = Room.Leave(RoomRef),
    /// `Room.Left`.
    RoomLeft = Room.Left(Left),
    /// `Room.Delete` (root only).
    RoomDelete = Room.Delete(RoomRef),
    /// `Room.Deleted`.
    RoomDeleted = Room.Deleted(RoomRef),
    /// `Room.Update` (root only): rename.
    RoomUpdate = Room.Update(RoomSummary),
    /// `Room.Updated`.
    RoomUpdated = Room.Updated(RoomSummary),
    /// `Room.RequireList`.
    RoomRequireList = Room.RequireList,
    /// `Room.List`.
    RoomList = Room.List(Vec<RoomSummary>),
}

/// A packet of a type this crate does not know (`Authentication.UpdateAccessToken`
/// from MCP 2.0 servers, say), or a request read by a client
/// ([`super::Packet::decode_from_server`]): kept so callers can log it, never an
/// error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownPacket {
    /// Major part of its type.
    pub major: String,
    /// Minor part of its type.
    pub minor: String,
    /// Its `data`, as raw JSON text (`null` when absent).
    pub data: String,
}

/// Where a kind's `room` field stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomField {
    /// The kind has no top-level room.
    Absent,
    /// A request that must name its room.
    Required,
    /// A server message: MCP 2.0 servers leave the room out.
    Optional,
}

impl PacketKind {
    /// Whether this kind carries a top-level `room` (the Message family).
    pub fn room_field(self) -> RoomField {
        match self {
            Self::CreateTextMessage | Self::CreateImageMessage | Self::RequireHistory => {
                RoomField::Required
            }
            Self::TextMessage | Self::ImageMessage | Self::History => RoomField::Optional,
            _ => RoomField::Absent,
        }
    }

    /// Kinds a client may send: the ones a server acts on.
    pub const fn is_client_request(self) -> bool {
        matches!(
            self,
            Self::Handshake
                | Self::Ping
                | Self::Login
                | Self::Register
                | Self::CreateTextMessage
                | Self::CreateImageMessage
                | Self::RequireHistory
                | Self::RequestImageUpload
                | Self::ImageUploadPart
                | Self::ImageUploadCompleted
                | Self::RequestImageDownload
                | Self::UserCreate
                | Self::UserDelete
                | Self::RoomCreate
                | Self::RoomJoin
                | Self::RoomLeave
                | Self::RoomDelete
                | Self::RoomUpdate
                | Self::RoomRequireList
        )
    }

    /// Kinds a server may send: every kind but the requests, and of those the ones
    /// both sides send (the handshake, and `File.ImageUploadCompleted`, the
    /// client's last part and the server's answer) and `Heartbeat.Ping`, which
    /// carries nothing (a server echoing it is no harm).
    pub const fn is_sent_by_servers(self) -> bool {
        !self.is_client_request()
            || matches!(
                self,
                Self::Handshake | Self::ImageUploadCompleted | Self::Ping
            )
    }

    /// The reply kinds (besides `Error`) that can answer a request of this kind
    /// (`WIRE.md` sections 6, 7 and 9). Empty for kinds that are never answered.
    pub fn reply_kinds(self) -> &'static [PacketKind] {
        use PacketKind as K;
        match self {
            K::Handshake => &[K::Handshake],
            K::Login | K::Register => &[K::Accepted],
            K::CreateTextMessage => &[K::TextMessage],
            K::CreateImageMessage => &[K::ImageMessage],
            K::RequireHistory => &[K::History],
            K::RequestImageUpload => &[K::ImageUploadAccepted, K::ImageUploadRejected],
            K::ImageUploadCompleted => &[K::ImageUploadCompleted],
            K::RequestImageDownload => &[
                K::ImageDownloadMeta,
                K::ImageDownloadPart,
                K::ImageDownloadCompleted,
            ],
            K::UserCreate => &[K::UserCreated],
            K::UserDelete => &[K::UserDeleted],
            K::RoomCreate => &[K::RoomCreated],
            K::RoomJoin => &[K::RoomJoined],
            K::RoomLeave => &[K::RoomLeft],
            K::RoomDelete => &[K::RoomDeleted],
            K::RoomUpdate => &[K::RoomUpdated],
            K::RoomRequireList => &[K::RoomList],
            _ => &[],
        }
    }

    /// The negotiated extension a kind belongs to: a client sends such a request, and
    /// a server serves it, only on a connection that agreed to that extension.
    pub fn extension(self) -> Option<Extension> {
        match self {
            Self::RequireHistory | Self::History => Some(Extension::History),
            _ => None,
        }
    }

    /// Whether `reply` ends the exchange a request of this kind started. Only an
    /// image download has several replies (meta, parts, completion).
    pub fn is_final_reply(self, reply: PacketKind) -> bool {
        self != Self::RequestImageDownload
            || matches!(reply, Self::ImageDownloadCompleted | Self::Error)
    }
}

impl std::fmt::Display for PacketKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Error | Self::Unknown => f.write_str(self.major()),
            _ => write!(f, "{}.{}", self.major(), self.minor()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_names() {
        for &kind in PacketKind::ALL {
            assert_eq!(
                PacketKind::from_names(kind.major(), kind.minor()),
                Some(kind)
            );
        }
        assert_eq!(PacketKind::ALL.len(), 36);
    }

    #[test]
    fn every_request_has_replies_except_ping_and_parts() {
        for &kind in PacketKind::ALL.iter().filter(|k| k.is_client_request()) {
            let silent = matches!(kind, PacketKind::Ping | PacketKind::ImageUploadPart);
            assert_eq!(kind.reply_kinds().is_empty(), silent, "{kind}");
        }
    }
}
