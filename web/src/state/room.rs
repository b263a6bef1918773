//! A room and its timeline as the views show them.

use std::collections::BTreeSet;
use std::rc::Rc;

use miricat_shared::RoomId;
use miricat_shared::packet::message::MessageId;

use super::history::HistoryView;

/// Entries kept per room; older ones are dropped so a very long session stays light.
/// The timeline view renders only a window of them, so this bounds memory, not speed.
pub const MAX_TIMELINE_ENTRIES: usize = 20_000;

/// Bytes of text kept per room (see [`Entry::weight`]): the entry bound alone would
/// let 20,000 long messages hold hundreds of MiB. The newest entry is always kept.
pub const MAX_TIMELINE_BYTES: usize = 8 * 1024 * 1024;

/// The sequence number of a new room's first entry: older entries fetched later
/// (`history/1`) are numbered below it, so no entry shown ever changes number.
pub const FIRST_SEQ: u64 = 1 << 40;

/// What an entry costs besides its strings: the `Rc`, the enum, string headers.
const ENTRY_OVERHEAD_BYTES: usize = 96;

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
    /// The server's ID of this message (`history/1` servers give one): merges the
    /// server's history with what is shown without showing anything twice.
    pub message_id: Option<MessageId>,
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

impl Entry {
    /// The memory this entry holds, roughly: its strings plus a fixed overhead.
    pub fn weight(&self) -> usize {
        let strings = match &self.kind {
            EntryKind::Message {
                sender,
                content: Content::Text(text) | Content::Image(text),
                own,
            } => {
                let reason = match own {
                    Some((_, Delivery::Failed(why))) => why.len(),
                    _ => 0,
                };
                sender.len() + text.len() + reason
            }
            EntryKind::Joined(text) | EntryKind::Left(text) | EntryKind::Notice(text) => text.len(),
        };
        ENTRY_OVERHEAD_BYTES + strings
    }
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
    /// `first_seq + i` numbers `timeline[i]` for as long as the room is shown, so
    /// views can key and anchor on it. Grows as entries are dropped from the front,
    /// shrinks as older ones from the server's history are put there; a room starts
    /// at [`FIRST_SEQ`] to leave room for those.
    pub first_seq: u64,
    /// The summed [`Entry::weight`] of `timeline`, kept under [`MAX_TIMELINE_BYTES`].
    pub timeline_bytes: usize,
    /// The server IDs of the entries in `timeline` that have one, to drop a message
    /// shown already (a live push also in a history page).
    pub(super) message_ids: BTreeSet<MessageId>,
    /// Whether older messages can be had from the server (`history/1`).
    pub history: HistoryView,
    /// For a room brought back from this browser's store: the time of the newest
    /// entry read before the reload; later ones are "new since you left".
    pub read_up_to_ms: Option<u64>,
}

impl Room {
    /// Adds an entry at the end, dropping the oldest ones past either bound.
    pub(super) fn push(&mut self, entry: Entry) {
        if let Some(id) = entry.message_id {
            self.message_ids.insert(id);
        }
        self.timeline_bytes += entry.weight();
        self.timeline.push(Rc::new(entry));
        self.trim_front();
    }

    /// Drops the oldest entries past either bound (the newest always stays);
    /// returns how many.
    pub(super) fn trim_front(&mut self) -> usize {
        let mut excess = self.timeline.len().saturating_sub(MAX_TIMELINE_ENTRIES);
        let mut bytes = self.timeline_bytes;
        for dropped in &self.timeline[..excess] {
            bytes -= dropped.weight();
        }
        while bytes > MAX_TIMELINE_BYTES && excess + 1 < self.timeline.len() {
            bytes -= self.timeline[excess].weight();
            excess += 1;
        }
        if excess > 0 {
            for dropped in self.timeline.drain(..excess) {
                if let Some(id) = dropped.message_id {
                    self.message_ids.remove(&id);
                }
            }
            self.first_seq += excess as u64;
            self.timeline_bytes = bytes;
        }
        excess
    }

    /// Whether the entry with server ID `id` is shown already.
    pub fn shows_message(&self, id: MessageId) -> bool {
        self.message_ids.contains(&id)
    }

    /// Changes the entry `at` (an index into `timeline`) through `change`, keeping
    /// the byte count right (a failure reason may be added).
    pub(super) fn change_entry(&mut self, at: usize, change: impl FnOnce(&mut Entry)) {
        let Some(entry) = self.timeline.get_mut(at) else {
            return;
        };
        let entry = Rc::make_mut(entry);
        self.timeline_bytes -= entry.weight();
        change(entry);
        self.timeline_bytes += entry.weight();
    }

    /// A room holding `entries`, for tests outside the state.
    #[cfg(test)]
    pub fn with_timeline(id: RoomId, membership: Membership, entries: Vec<Entry>) -> Self {
        let mut room = Self {
            id,
            name: format!("room {id}"),
            membership,
            first_seq: FIRST_SEQ,
            ..Self::default()
        };
        for entry in entries {
            room.push(entry);
        }
        room
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
