//! `Error.*`: the server's error replies. The error's kind is the type's minor part;
//! `data` is `{"message": "..."}` (readers also accept `{"error": ...}`, `null` and
//! no data at all, `WIRE.md` section 8).

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! error_kinds {
    ($( $(#[$doc:meta])* $kind:ident => $explanation:literal, )*) => {
        /// Every `Error.*` minor type of the spec, plus any other a server may send.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum ErrorKind {
            $( $(#[$doc])* $kind, )*
            /// An error type this crate does not know; kept, never fatal.
            Other(String),
        }

        impl ErrorKind {
            /// Reads the minor part of an `Error.*` type.
            pub fn from_minor(minor: &str) -> Self {
                match minor {
                    $( stringify!($kind) => Self::$kind, )*
                    other => Self::Other(other.to_owned()),
                }
            }

            /// The minor part of the type string.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$kind => stringify!($kind), )*
                    Self::Other(other) => other,
                }
            }

            /// A sentence for people, used by the web app and the terminal client.
            pub fn explanation(&self) -> &'static str {
                match self {
                    $( Self::$kind => $explanation, )*
                    Self::Other(_) => "The server reported an error.",
                }
            }
        }
    };
}

error_kinds! {
    /// Login or Register with an empty password.
    UserPasswordRequired => "A password is required.",
    /// Wrong password.
    UserPasswordInvalid => "Wrong password.",
    /// No such user.
    UserNotFound => "No user with that name exists.",
    /// The server does not speak the offered protocol version.
    UnsupportedVersion => "The server does not support this protocol version.",
    /// Register or `User.Create` of a taken name.
    UserAlreadyExists => "That username is already taken.",
    /// A line that could not be parsed, or malformed data.
    PacketDataIncorrect => "The server could not understand a request.",
    /// Malformed Login/Register data.
    AuthDataIncorrect => "The sign-in data was malformed.",
    /// A message with no text or no image.
    MessageDataIncorrect => "The message is empty or malformed.",
    /// Sending to or leaving a room one has not joined.
    UserDontConnected => "You have not joined that room.",
    /// No room with that ID.
    RoomNotFound => "That room does not exist.",
    /// A room name already in use.
    RoomAlreadyExists => "A room with that name already exists.",
    /// A room name that is empty or too long.
    RoomDataIncorrect => "The room name is empty or too long.",
    /// The spec's other name for a missing room.
    RoomDontExists => "That room does not exist.",
    /// Not allowed (not root, or not signed in).
    AccessDenied => "Access denied.",
    /// The connection was silent for too long.
    HeartbeatTimeout => "The connection timed out.",
}

impl ErrorKind {
    /// `RoomNotFound` or the spec's `RoomDontExists`, which mean the same.
    pub fn is_room_missing(&self) -> bool {
        matches!(self, Self::RoomNotFound | Self::RoomDontExists)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An `Error.*` packet's contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorPacket {
    /// What went wrong (from the type string).
    pub kind: ErrorKind,
    /// The server's message, empty when it sent none.
    pub message: String,
}

impl ErrorPacket {
    /// An error with a message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for ErrorPacket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            write!(f, "Error.{}", self.kind)
        } else {
            write!(f, "Error.{}: {}", self.kind, self.message)
        }
    }
}

/// The wire form of an error's `data`.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct ErrorData {
    #[serde(default, alias = "error")]
    pub message: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_error_data_form() {
        for json in [r#"{"message":"m"}"#, r#"{"error":"m"}"#] {
            let d: ErrorData = serde_json::from_str(json).unwrap();
            assert_eq!(d.message.as_deref(), Some("m"));
        }
        let d: Option<ErrorData> = serde_json::from_str("null").unwrap();
        assert!(d.is_none());
    }

    #[test]
    fn kinds_round_trip_and_unknown_ones_are_kept() {
        assert_eq!(
            ErrorKind::from_minor("RoomNotFound"),
            ErrorKind::RoomNotFound
        );
        assert_eq!(ErrorKind::RoomNotFound.as_str(), "RoomNotFound");
        assert_eq!(ErrorKind::from_minor("Weird").as_str(), "Weird");
        assert!(ErrorKind::from_minor("RoomDontExists").is_room_missing());
    }
}
