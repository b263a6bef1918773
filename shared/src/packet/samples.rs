//! Test support: a valid sample packet of every kind (see also `mutation`, which
//! changes their JSON at random for the property tests).

use super::auth::{Accepted, Credentials};
use super::extension::{Extension, ExtensionNames, ExtensionSet};
use super::file::{ImageMeta, ImagePart, ImageRef, ImageUploadRequest};
use super::handshake::Handshake;
use super::history::{History, HistoryEntry, HistoryMessage, RequireHistory};
use super::lenient::Timestamp;
use super::message::{CreateImageMessage, CreateTextMessage, ImageMessage, TextMessage};
use super::room::{Joined, Left, RoomInfo, RoomName, RoomRef, RoomSummary};
use super::user::Username;
use super::{Body, Packet, PacketId, PacketKind, RoomField};

/// A valid packet of `kind` (any kind in [`PacketKind::ALL`]), with ID `42.x`.
pub(crate) fn sample(kind: PacketKind) -> Packet {
    let creds = || Credentials::new("alice", "pw");
    let offer = || {
        Some(
            ["history/1", "other/2"]
                .into_iter()
                .collect::<ExtensionNames>(),
        )
    };
    let text = || TextMessage {
        text: "hi".into(),
        user: "a".into(),
        time: Timestamp(1),
        message_id: Some(9),
    };
    let meta = || ImageMeta {
        id: "7".into(),
        name: "a.png".into(),
        size: 3,
        mime: "image/png".into(),
    };
    let part = || ImagePart {
        id: "7".into(),
        part: 1,
        data: "AAEC".into(),
    };
    let image = || ImageRef { id: "7".into() };
    let summary = || RoomSummary {
        room: 2,
        name: "lobby".into(),
    };
    let user = || Username {
        username: "bob".into(),
    };
    let body = match kind {
        PacketKind::Handshake => Body::Handshake(Handshake {
            version: "2.1.0".into(),
            public_key: "ab".into(),
        }),
        PacketKind::Ping => Body::Ping,
        PacketKind::Login => Body::Login(Credentials {
            extensions: offer(),
            ..creds()
        }),
        PacketKind::Register => Body::Register(creds()),
        PacketKind::Accepted => Body::Accepted(Accepted {
            rooms: vec![RoomInfo {
                id: 1,
                name: "general".into(),
                all_users: vec!["a".into()],
            }],
            heartbeat_rate: 30_000,
            extensions: Some(ExtensionSet::from_iter([Extension::History]).to_names()),
        }),
        PacketKind::CreateTextMessage => Body::CreateTextMessage(CreateTextMessage {
            text: "hi\nthere".into(),
        }),
        PacketKind::TextMessage => Body::TextMessage(text()),
        PacketKind::CreateImageMessage => {
            Body::CreateImageMessage(CreateImageMessage::uploaded("7"))
        }
        PacketKind::ImageMessage => Body::ImageMessage(ImageMessage {
            image: "mcp_image://7".into(),
            user: "a".into(),
            time: Timestamp(2),
            message_id: None,
        }),
        PacketKind::RequireHistory => Body::RequireHistory(RequireHistory {
            before: Some(4711),
            after: Some(3),
            limit: Some(2),
        }),
        PacketKind::History => Body::History(History {
            messages: vec![HistoryEntry {
                message: HistoryMessage::Text(text()),
                room: 2,
            }],
            more: true,
        }),
        PacketKind::RequestImageUpload => Body::RequestImageUpload(ImageUploadRequest {
            name: "a.png".into(),
            size: 3,
            mime: "image/png".into(),
        }),
        PacketKind::ImageUploadAccepted => Body::ImageUploadAccepted(meta()),
        PacketKind::ImageUploadRejected => Body::ImageUploadRejected,
        PacketKind::ImageUploadPart => Body::ImageUploadPart(part()),
        PacketKind::ImageUploadCompleted => Body::ImageUploadCompleted(image()),
        PacketKind::RequestImageDownload => Body::RequestImageDownload(image()),
        PacketKind::ImageDownloadMeta => Body::ImageDownloadMeta(meta()),
        PacketKind::ImageDownloadPart => Body::ImageDownloadPart(part()),
        PacketKind::ImageDownloadCompleted => Body::ImageDownloadCompleted(image()),
        PacketKind::UserCreate => Body::UserCreate(creds()),
        PacketKind::UserCreated => Body::UserCreated(user()),
        PacketKind::UserDelete => Body::UserDelete(user()),
        PacketKind::UserDeleted => Body::UserDeleted(user()),
        PacketKind::RoomCreate => Body::RoomCreate(RoomName {
            name: "lobby".into(),
        }),
        PacketKind::RoomCreated => Body::RoomCreated(summary()),
        PacketKind::RoomJoin => Body::RoomJoin(RoomRef { room: 2 }),
        PacketKind::RoomJoined => Body::RoomJoined(Joined {
            room: 2,
            user: "a".into(),
            all_users: vec!["a".into()],
        }),
        PacketKind::RoomLeave => Body::RoomLeave(RoomRef { room: 2 }),
        PacketKind::RoomLeft => Body::RoomLeft(Left {
            room: 2,
            user: "a".into(),
        }),
        PacketKind::RoomDelete => Body::RoomDelete(RoomRef { room: 2 }),
        PacketKind::RoomDeleted => Body::RoomDeleted(RoomRef { room: 2 }),
        PacketKind::RoomUpdate => Body::RoomUpdate(summary()),
        PacketKind::RoomUpdated => Body::RoomUpdated(summary()),
        PacketKind::RoomRequireList => Body::RoomRequireList,
        PacketKind::RoomList => Body::RoomList(vec![summary()]),
        PacketKind::Error | PacketKind::Unknown => unreachable!("not in the table"),
    };
    let id = PacketId::from("42.x");
    match kind.room_field() {
        RoomField::Absent => Packet::new(id, body),
        RoomField::Required | RoomField::Optional => Packet::in_room(id, 2, body),
    }
}
