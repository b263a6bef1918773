//! A room and its timeline as the views show them.

use std::collections::BTreeSet;
use std::rc::Rc;

use miricat_shared::RoomId;

/// Entries kept per room; older ones are dropped so a very long session stays light.
/// The timeline view renders only a window of them, so this bounds memory, not speed.
pub const MAX_TIMELINE_ENTRIES: usize = 20_000;

/// What became of a message we wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Queued or on its way; not yet confirmed by the server.
    Pending,
    /// The server stamped it.
    Sent,
    /// Not delivered (refused, unanswered, or cut off by a close); the reason, and
    /// the user can retry.
    Failed(String),
    /// Refused for good (too large or malformed): the reason, and no retry, since
    /// the same text would be refused again.
    Refused(String),
}

/// One line of a room's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// When it happened (server time for messages, local time for events).
    pub time_ms: u64,
    /// What it is.
    pub kind: EntryKind,
}

/// The kinds of timeline lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// A chat message.
    Message {
        /// Who wrote it.
        sender: String,
        /// What it says or shows.
        content: Content,
        /// Set for messages written in this tab: their local ID and delivery state.
        own: Option<(u64, Delivery)>,
    },
    /// Someone joined the room.
    Joined(String),
    /// Someone left the room.
    Left(String),
    /// A note from the app itself (the `/help` text, say).
    Notice(String),
}

/// What a message carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// Text, rendered as text only (links made clickable).
    Text(String),
    /// An image: `mcp_image://<id>` (stored on the MCP server) or an http(s) URL,
    /// exactly as the sender gave it.
    Image(String),
}

impl Content {
    /// A one-line description, for announcements and notifications.
    pub fn summary(&self) -> &str {
        match self {
            Self::Text(text) => text,
            Self::Image(_) => "sent an image",
        }
    }
}

/// Our membership of a room, including the in-between states so buttons can wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Membership {
    /// Not joined.
    #[default]
    Out,
    /// Join sent (or queued while offline), not confirmed yet.
    Joining,
    /// Joined.
    In,
    /// Leave sent, not confirmed yet.
    Leaving,
}

impl Membership {
    /// Joined or about to be: the room sorts with the joined ones and accepts input.
    pub fn is_in(self) -> bool {
        matches!(self, Self::In | Self::Joining)
    }
}

/// One room as the sidebar, timeline and members panel show it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Room {
    /// Server ID.
    pub id: RoomId,
    /// Display name.
    pub name: String,
    /// Users present (from Accepted, then Joined/Left).
    pub members: BTreeSet<String>,
    /// Whether we are in it.
    pub membership: Membership,
    /// Why our last join or leave of this room failed, shown by its button until
    /// the next attempt.
    pub refusal: Option<String>,
    /// Messages that arrived while another room was open.
    pub unread: u32,
    /// Messages and events, oldest first. Entries sit behind `Rc` because the
    /// reducer copies a room on every change while views still hold the previous
    /// state: with 10,000 entries that copy must be pointer bumps, not string copies.
    pub timeline: Vec<Rc<Entry>>,
    /// How many entries were ever dropped from the front: `first_seq + i` numbers
    /// `timeline[i]` for as long as the room is shown, so views can key and anchor
    /// on it.
    pub first_seq: u64,
}

impl Room {
    pub(super) fn push(&mut self, entry: Entry) {
        self.timeline.push(Rc::new(entry));
        if self.timeline.len() > MAX_TIMELINE_ENTRIES {
            let excess = self.timeline.len() - MAX_TIMELINE_ENTRIES;
            self.timeline.drain(..excess);
            self.first_seq += excess as u64;
        }
    }

    /// The sequence number the next entry will get.
    pub fn end_seq(&self) -> u64 {
        self.first_seq + self.timeline.len() as u64
    }
}

/// A room as the server lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomListing {
    /// Server ID.
    pub id: RoomId,
    /// Name.
    pub name: String,
    /// Users present, when the listing says (Accepted does, Room.List does not).
    pub members: Option<Vec<String>>,
}
