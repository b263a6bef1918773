//! `Authentication.*`: Login, Register and the server's Accepted.

use serde::{Deserialize, Serialize};

use super::extension::ExtensionNames;
use super::room::RoomInfo;

/// A username and password: Login, Register and `User.Create` all carry this.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    /// The account name.
    pub username: String,
    /// The password in clear (the line itself is encrypted).
    pub password: String,
    /// The extensions a client offers at Login/Register (`docs/extensions.md`); absent
    /// unless set, so a plain Login is exactly as before. Servers that do not know the
    /// field ignore it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<ExtensionNames>,
}

impl Credentials {
    /// Plain credentials, offering no extension.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            password: password.into(),
            extensions: None,
        }
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Passwords never reach a log through Debug.
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("extensions", &self.extensions)
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
    /// The extensions the server agreed to for this connection; only present when the
    /// Login/Register offered some (absent: agreed to nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<ExtensionNames>,
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
        let c = Credentials::new("u", "hunter2");
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn extensions_are_absent_unless_offered_and_match_the_document() {
        let plain = r#"{"username":"ann","password":"..."}"#;
        let c: Credentials = serde_json::from_str(plain).unwrap();
        assert_eq!(c.extensions, None);
        assert_eq!(serde_json::to_string(&c).unwrap(), plain);
        let offer = r#"{"username":"ann","password":"...","extensions":["history/1"]}"#;
        let c: Credentials = serde_json::from_str(offer).unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), offer);
        // `null` is no offer at all; a value of another shape offers nothing known.
        let c: Credentials =
            serde_json::from_str(r#"{"username":"a","password":"b","extensions":null}"#).unwrap();
        assert_eq!(c.extensions, None);
        let c: Credentials =
            serde_json::from_str(r#"{"username":"a","password":"b","extensions":"history/1"}"#)
                .unwrap();
        assert_eq!(c.extensions.map(|e| e.len()), Some(0));

        let agreed = r#"{"rooms":[{"id":1,"name":"general","allUsers":["ann"]}],"heartbeatRate":30000,"extensions":["history/1"]}"#;
        let a: Accepted = serde_json::from_str(agreed).unwrap();
        let names: Vec<&str> = a.extensions.iter().flat_map(|e| e.iter()).collect();
        assert_eq!(names, ["history/1"]);
        assert_eq!(serde_json::to_string(&a).unwrap(), agreed);
    }
}
