//! Packet type strings and IDs (`WIRE.md` section 6).
//!
//! A type is `Major.Minor.ID`, split on the first two dots: the ID is everything after
//! the second dot and may itself contain dots. MCP 2.0 types have no ID part.

use std::fmt;

/// The ID that marks packets answering nothing: replies to unparseable lines, the
/// heartbeat timeout and pushes caused by other users.
pub const DONT_HAVE_ID: &str = "DontHaveID";

/// A packet's ID, as carried in its type string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum PacketId {
    /// No ID part at all (MCP 2.0, or a request that left it out).
    #[default]
    None,
    /// The literal `DontHaveID`.
    DontHaveId,
    /// A client-chosen ID, echoed in the reply.
    Value(String),
}

impl PacketId {
    /// Reads the part after the second dot (`None` when absent or empty).
    pub fn parse(raw: Option<&str>) -> Self {
        match raw {
            None | Some("") => Self::None,
            Some(DONT_HAVE_ID) => Self::DontHaveId,
            Some(id) => Self::Value(id.to_owned()),
        }
    }

    /// The ID a reply to a packet with this ID carries: the same ID, or `DontHaveID`
    /// when the request had none.
    pub fn reply_id(&self) -> Self {
        match self {
            Self::Value(id) => Self::Value(id.clone()),
            Self::None | Self::DontHaveId => Self::DontHaveId,
        }
    }

    /// The client-chosen ID, if any.
    pub fn value(&self) -> Option<&str> {
        match self {
            Self::Value(id) => Some(id),
            Self::None | Self::DontHaveId => None,
        }
    }
}

impl From<&str> for PacketId {
    fn from(id: &str) -> Self {
        Self::parse(Some(id))
    }
}

impl From<u64> for PacketId {
    fn from(id: u64) -> Self {
        Self::Value(id.to_string())
    }
}

impl fmt::Display for PacketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => Ok(()),
            Self::DontHaveId => f.write_str(DONT_HAVE_ID),
            Self::Value(id) => f.write_str(id),
        }
    }
}

/// A type string split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeString<'a> {
    /// `Room`, `Message`, ...
    pub major: &'a str,
    /// `Join`, `TextMessage`, ...
    pub minor: &'a str,
    /// Everything after the second dot.
    pub id: PacketId,
}

impl<'a> TypeString<'a> {
    /// Splits `Major.Minor[.ID]`; `None` when there is no `Major.Minor` pair.
    pub fn parse(raw: &'a str) -> Option<Self> {
        let mut parts = raw.splitn(3, '.');
        let major = parts.next().filter(|s| !s.is_empty())?;
        let minor = parts.next().filter(|s| !s.is_empty())?;
        Some(Self {
            major,
            minor,
            id: PacketId::parse(parts.next()),
        })
    }
}

/// Writes `Major.Minor` or `Major.Minor.ID`.
pub fn format_type(major: &str, minor: &str, id: &PacketId) -> String {
    match id {
        PacketId::None => format!("{major}.{minor}"),
        id => format!("{major}.{minor}.{id}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_the_first_two_dots() {
        let t = TypeString::parse("Room.Join.a.b.c").unwrap();
        assert_eq!(
            (t.major, t.minor, t.id),
            ("Room", "Join", PacketId::Value("a.b.c".into()))
        );
        let t = TypeString::parse("Message.TextMessage").unwrap();
        assert_eq!(t.id, PacketId::None);
        let t = TypeString::parse("Error.HeartbeatTimeout.DontHaveID").unwrap();
        assert_eq!(t.id, PacketId::DontHaveId);
        assert_eq!(TypeString::parse("Room.Join.").unwrap().id, PacketId::None);
    }

    #[test]
    fn rejects_types_without_a_pair() {
        for bad in ["", "Room", "Room.", ".Join", "..x"] {
            assert_eq!(TypeString::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn replies_carry_the_request_id_or_dont_have_id() {
        assert_eq!(PacketId::from(7).reply_id(), PacketId::Value("7".into()));
        assert_eq!(PacketId::None.reply_id(), PacketId::DontHaveId);
        assert_eq!(format_type("Room", "Join", &PacketId::None), "Room.Join");
        assert_eq!(
            format_type("Room", "Join", &PacketId::DontHaveId),
            "Room.Join.DontHaveID"
        );
    }
}
