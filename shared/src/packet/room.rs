//! `Room.*`: room administration, membership and the room list.
//!
//! Readers accept `id` or `room` for a room's ID in every room object (`WIRE.md`
//! section 8).

use serde::{Deserialize, Serialize};

/// Room IDs are JSON numbers.
pub type RoomId = u64;

/// A room in `Authentication.Accepted`: `{"id","name","allUsers"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomInfo {
    /// Room ID.
    #[serde(alias = "room")]
    pub id: RoomId,
    /// Room name.
    pub name: String,
    /// Users with at least one connection in the room.
    #[serde(rename = "allUsers", default)]
    pub all_users: Vec<String>,
}

/// `{"room","name"}`: `Room.Created`, `Room.Update`, `Room.Updated` and `Room.List`
/// entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomSummary {
    /// Room ID.
    #[serde(alias = "id")]
    pub room: RoomId,
    /// Room name.
    pub name: String,
}

/// `Room.Create` data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomName {
    /// The new room's name.
    pub name: String,
}

/// `{"room"}`: Join, Leave, Delete and Deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomRef {
    /// Room ID.
    #[serde(alias = "id")]
    pub room: RoomId,
}

/// `Room.Joined` data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Joined {
    /// Room ID.
    #[serde(alias = "id")]
    pub room: RoomId,
    /// Who joined.
    pub user: String,
    /// Everyone now in the room.
    #[serde(rename = "allUsers", default)]
    pub all_users: Vec<String>,
}

/// `Room.Left` data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Left {
    /// Room ID.
    #[serde(alias = "id")]
    pub room: RoomId,
    /// Who left.
    pub user: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_objects_match_the_spec_fixtures() {
        let j = r#"{"room":1,"user":"a","allUsers":["a"]}"#;
        assert_eq!(
            serde_json::to_string(&serde_json::from_str::<Joined>(j).unwrap()).unwrap(),
            j
        );
        let l = r#"{"room":1,"user":"a"}"#;
        assert_eq!(
            serde_json::to_string(&serde_json::from_str::<Left>(l).unwrap()).unwrap(),
            l
        );
    }

    #[test]
    fn reads_id_for_room_and_room_for_id() {
        let s: RoomSummary = serde_json::from_str(r#"{"id":3,"name":"x"}"#).unwrap();
        assert_eq!(s.room, 3);
        let r: RoomRef = serde_json::from_str(r#"{"id":4}"#).unwrap();
        assert_eq!(r.room, 4);
        let i: RoomInfo = serde_json::from_str(r#"{"room":5,"name":"y"}"#).unwrap();
        assert_eq!(i.id, 5);
    }
}
