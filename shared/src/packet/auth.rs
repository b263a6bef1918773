//! `Authentication.*`: Login, Register and the server's Accepted.

use serde::{Deserialize, Serialize};

use super::room::RoomInfo;

/// A username and password: Login, Register and `User.Create` all carry this.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    /// The account name.
    pub username: String,
    /// The password in clear (the line itself is encrypted).
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Passwords never reach a log through Debug.
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// `Authentication.Accepted`: the rooms that exist and the heartbeat rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accepted {
    /// Every room on the server with the users present in it.
    #[serde(default)]
    pub rooms: Vec<RoomInfo>,
    /// How often the client must ping, in milliseconds.
    #[serde(rename = "heartbeatRate")]
    pub heartbeat_rate: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_matches_the_spec_fixture_and_reads_room_for_id() {
        let json =
            r#"{"rooms":[{"id":1,"name":"general","allUsers":["a","b"]}],"heartbeatRate":30000}"#;
        let a: Accepted = serde_json::from_str(json).unwrap();
        assert_eq!(a.rooms[0].id, 1);
        assert_eq!(a.rooms[0].all_users, ["a", "b"]);
        assert_eq!(serde_json::to_string(&a).unwrap(), json);
        // An MCP 2.0 server adds fields and may say `room` for `id`.
        let a: Accepted = serde_json::from_str(
            r#"{"http":"x","rooms":[{"room":2,"name":"r"}],"heartbeatRate":5}"#,
        )
        .unwrap();
        assert_eq!((a.rooms[0].id, a.rooms[0].all_users.len()), (2, 0));
    }

    #[test]
    fn credentials_hide_the_password_from_debug() {
        let c = Credentials {
            username: "u".into(),
            password: "hunter2".into(),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
