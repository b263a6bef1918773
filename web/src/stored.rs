//! What this browser keeps of an account between visits (issue 14, part 1), its
//! bounds and its encoding, without touching the browser: `services::store` puts
//! the records in IndexedDB, [`crate::state`] turns them back into rooms.
//!
//! # What is kept, per bridge address and username ([`AccountKey`])
//! - One [`StoredRoom`] record per room: its name, whether we were in it, its
//!   unread count and read position, and its newest timeline entries, at most
//!   [`MAX_STORED_ENTRIES`] and [`MAX_STORED_ROOM_BYTES`] (oldest dropped first).
//!   Messages of ours the server had not confirmed yet (the outbox) are entries
//!   marked pending, so they come back as pending and are sent on the next
//!   connection.
//! - One [`StoredAccount`] record: when it was written (where "new since you
//!   left" begins), the open room and the drafts.
//!
//! Never the password: nothing here has a field for it. App notices (the `/help`
//! text) are not kept either: they are not part of the conversation.
//!
//! Records are strings of length-prefixed fields ([`codec`]), read back with a
//! size limit and a version number: a record of another version or that does not
//! parse is dropped, not trusted.

mod codec;

use std::collections::HashMap;

use miricat_shared::RoomId;
use miricat_shared::packet::message::MessageId;

use self::codec::{FieldReader, FieldWriter};
use crate::state::{Content, Delivery, Entry, EntryKind, Room};

/// The format of the records; others are ignored (and overwritten).
pub const STORE_VERSION: u32 = 1;

/// Timeline entries kept per room.
pub const MAX_STORED_ENTRIES: usize = 5_000;

/// What a room's kept entries may weigh ([`Entry::weight`]): 5,000 messages at
/// the 64 KiB text limit would be 320 MiB, far past what a browser grants a site.
pub const MAX_STORED_ROOM_BYTES: usize = 2 * 1024 * 1024;

/// Rooms kept per account: a server with thousands of rooms does not fill the disk
/// with their names (rooms we were in come first).
pub const MAX_STORED_ROOMS: usize = 500;

/// Drafts kept, and the bytes of each (longer ones are cut at a character edge).
pub const MAX_DRAFTS: usize = 100;
/// See [`MAX_DRAFTS`].
pub const MAX_DRAFT_BYTES: usize = 16 * 1024;

/// The largest record read back: a room's byte cap plus its length prefixes.
/// Anything larger was not written by this code.
pub const MAX_RECORD_BYTES: usize = 2 * MAX_STORED_ROOM_BYTES + 64 * 1024;

/// What a room record starts with.
const ROOM_RECORD: &str = "room";
/// What the account record starts with.
const ACCOUNT_RECORD: &str = "account";

/// Why a record was not read back.
#[derive(Debug, thiserror::Error)]
pub enum StoredError {
    /// Larger than [`MAX_RECORD_BYTES`].
    #[error("a stored record of {0} bytes is larger than any this app writes")]
    TooLarge(usize),
    /// Not of the expected shape.
    #[error("a stored record does not parse: {0}")]
    Malformed(&'static str),
    /// Written by another version of the app.
    #[error("a stored record has format {0}, this app reads {STORE_VERSION}")]
    OtherVersion(u64),
}

/// Whose data a record is: the same username on another bridge is another
/// account (and another server's message IDs).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccountKey {
    /// The bridge's WebSocket address, as signed in with.
    pub bridge_url: String,
    /// The username.
    pub username: String,
}

impl AccountKey {
    /// What every record key of this account starts with. The separator cannot
    /// appear in a URL or a username typed into a form.
    pub fn prefix(&self) -> String {
        format!("{}\u{1}{}\u{1}", self.bridge_url, self.username)
    }

    /// The key of the account record.
    pub fn account_record(&self) -> String {
        format!("{}account", self.prefix())
    }

    /// The key of room `id`'s record.
    pub fn room_record(&self, id: RoomId) -> String {
        format!("{}room\u{1}{id}", self.prefix())
    }

    /// The name of the Web Lock held by the one tab that writes this account.
    pub fn writer_lock(&self) -> String {
        format!("miricat-store {}", self.prefix())
    }
}

/// The account record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoredAccount {
    /// [`STORE_VERSION`].
    pub version: u32,
    /// When the tab last wrote (epoch ms): what arrives later is "new since you
    /// left".
    pub saved_at_ms: u64,
    /// The room that was open.
    pub active: Option<RoomId>,
    /// Unsent text per room.
    pub drafts: Vec<(RoomId, String)>,
}

/// A room record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRoom {
    /// [`STORE_VERSION`].
    pub version: u32,
    /// Server ID.
    pub id: RoomId,
    /// Its name when written.
    pub name: String,
    /// We were in it (or joining): rejoined after the reload.
    pub joined: bool,
    /// Messages not yet read.
    pub unread: u32,
    /// The latest time among the entries read: entries after them and later
    /// than this are new.
    pub read_up_to_ms: u64,
    /// The newest entries, oldest first.
    pub entries: Vec<StoredEntry>,
}

/// A timeline entry as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    /// When it happened.
    pub time_ms: u64,
    /// The server's ID of it (`history/1`), to merge with the server's history.
    pub message_id: Option<MessageId>,
    /// What it is.
    pub kind: StoredKind,
}

/// What an entry is, as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredKind {
    /// A text message.
    Text {
        /// Who wrote it.
        from: String,
        /// What it says.
        text: String,
        /// Ours, written in this browser: its local ID and what became of it.
        own: Option<StoredOwn>,
    },
    /// An image message (its address).
    Image {
        /// Who posted it.
        from: String,
        /// `mcp_image://…` or an http(s) address.
        image: String,
    },
    /// Someone joined.
    Joined {
        /// Who.
        user: String,
    },
    /// Someone left.
    Left {
        /// Who.
        user: String,
    },
}

/// One of our messages, as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOwn {
    /// The local ID it had (new local IDs start above every kept one).
    pub local_id: u64,
    /// Confirmed by the server.
    pub sent: bool,
    /// Not delivered, with the reason; `refused` if no retry can help.
    pub failed: Option<String>,
    /// See `failed`.
    pub refused: bool,
}

/// A message of ours that was not confirmed when the record was written: it goes
/// back into the client's outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsentMessage {
    /// Its local ID, as shown.
    pub local_id: u64,
    /// Its room.
    pub room: RoomId,
    /// Its text.
    pub text: String,
    /// It had failed (waits for a retry) rather than waiting to be sent.
    pub failed: bool,
}

impl StoredRoom {
    /// What to keep of `room`: its newest entries within the bounds (the newest
    /// one always). `open` says the reader is looking at it, so all of it is read.
    pub fn from_room(room: &Room, open: bool) -> Self {
        let mut bytes = 0usize;
        let mut kept: Vec<StoredEntry> = Vec::new();
        for entry in room.timeline.iter().rev() {
            let Some(stored) = StoredEntry::from_entry(entry) else {
                continue;
            };
            bytes = bytes.saturating_add(entry.weight());
            if !kept.is_empty()
                && (kept.len() >= MAX_STORED_ENTRIES || bytes > MAX_STORED_ROOM_BYTES)
            {
                break;
            }
            kept.push(stored);
        }
        kept.reverse();
        let unread = if open { 0 } else { room.unread };
        let unread_len = usize::try_from(unread).unwrap_or(usize::MAX);
        // The latest time among the entries read, not the last one's: events carry
        // the browser's clock and messages the server's, so a join seen just
        // before a message can carry a later time than the message.
        let read_len = room.timeline.len().saturating_sub(unread_len);
        let read_up_to_ms = room.timeline[..read_len]
            .iter()
            .map(|e| e.time_ms)
            .max()
            .unwrap_or(0);
        Self {
            version: STORE_VERSION,
            id: room.id,
            name: room.name.clone(),
            joined: room.membership.is_in(),
            unread,
            read_up_to_ms,
            entries: kept,
        }
    }

    /// The entries as the timeline holds them.
    pub fn timeline(&self) -> Vec<Entry> {
        self.entries.iter().map(StoredEntry::to_entry).collect()
    }

    /// Our messages in it not yet confirmed by the server.
    pub fn unsent(&self) -> impl Iterator<Item = UnsentMessage> + '_ {
        self.entries.iter().filter_map(|e| match &e.kind {
            StoredKind::Text {
                text,
                own: Some(own),
                ..
            } if !own.sent && !own.refused => Some(UnsentMessage {
                local_id: own.local_id,
                room: self.id,
                text: text.clone(),
                failed: own.failed.is_some(),
            }),
            _ => None,
        })
    }

    /// The highest local ID of ours in it.
    pub fn highest_local_id(&self) -> u64 {
        self.entries
            .iter()
            .filter_map(|e| match &e.kind {
                StoredKind::Text { own: Some(own), .. } => Some(own.local_id),
                _ => None,
            })
            .max()
            .unwrap_or(0)
    }

    /// The lowest and highest server message IDs in it (`history/1` pages from
    /// there: older ones on scrolling up, the gap after the newest on rejoining).
    pub fn message_id_range(&self) -> Option<(MessageId, MessageId)> {
        let mut ids = self.entries.iter().filter_map(|e| e.message_id);
        let first = ids.next()?;
        Some(ids.fold((first, first), |(lo, hi), id| (lo.min(id), hi.max(id))))
    }
}

impl StoredEntry {
    /// `entry` as kept, or `None` for what is not kept (app notices).
    pub fn from_entry(entry: &Entry) -> Option<Self> {
        let kind = match &entry.kind {
            EntryKind::Message {
                sender,
                content: Content::Text(text),
                own,
            } => StoredKind::Text {
                from: sender.clone(),
                text: text.clone(),
                own: own.as_ref().map(|(local_id, delivery)| StoredOwn {
                    local_id: *local_id,
                    sent: *delivery == Delivery::Sent,
                    failed: match delivery {
                        Delivery::Failed(why) | Delivery::Refused(why) => Some(why.clone()),
                        Delivery::Pending | Delivery::Sent => None,
                    },
                    refused: matches!(delivery, Delivery::Refused(_)),
                }),
            },
            EntryKind::Message {
                sender,
                content: Content::Image(image),
                ..
            } => StoredKind::Image {
                from: sender.clone(),
                image: image.clone(),
            },
            EntryKind::Joined(user) => StoredKind::Joined { user: user.clone() },
            EntryKind::Left(user) => StoredKind::Left { user: user.clone() },
            EntryKind::Notice(_) => return None,
        };
        Some(Self {
            time_ms: entry.time_ms,
            message_id: entry.message_id,
            kind,
        })
    }

    /// The entry as the timeline holds it.
    pub fn to_entry(&self) -> Entry {
        let kind = match &self.kind {
            StoredKind::Text { from, text, own } => EntryKind::Message {
                sender: from.clone(),
                content: Content::Text(text.clone()),
                own: own.as_ref().map(|own| {
                    let delivery = match (&own.failed, own.sent, own.refused) {
                        (_, true, _) => Delivery::Sent,
                        (Some(why), _, true) => Delivery::Refused(why.clone()),
                        (Some(why), _, false) => Delivery::Failed(why.clone()),
                        (None, _, _) => Delivery::Pending,
                    };
                    (own.local_id, delivery)
                }),
            },
            StoredKind::Image { from, image } => EntryKind::Message {
                sender: from.clone(),
                content: Content::Image(image.clone()),
                own: None,
            },
            StoredKind::Joined { user } => EntryKind::Joined(user.clone()),
            StoredKind::Left { user } => EntryKind::Left(user.clone()),
        };
        Entry {
            time_ms: self.time_ms,
            message_id: self.message_id,
            kind,
        }
    }
}

impl StoredAccount {
    /// The account record at `now_ms`, with the drafts within their bounds.
    pub fn new(now_ms: u64, active: Option<RoomId>, drafts: &HashMap<RoomId, String>) -> Self {
        let mut drafts: Vec<(RoomId, String)> = drafts
            .iter()
            .filter(|(_, text)| !text.trim().is_empty())
            .map(|(room, text)| (*room, cut_at_char(text, MAX_DRAFT_BYTES).to_owned()))
            .collect();
        // The same ones every time: by room (unique, so this is the order of the
        // pairs; one draft per room with text, few enough for an insertion sort).
        crate::search::insertion_sort(&mut drafts, |(room, _)| *room);
        drafts.truncate(MAX_DRAFTS);
        Self {
            version: STORE_VERSION,
            saved_at_ms: now_ms,
            active,
            drafts,
        }
    }
}

/// The longest start of `text` of at most `max` bytes that ends on a character.
fn cut_at_char(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Encodes a room record.
pub fn encode_room(room: &StoredRoom) -> String {
    let mut w = FieldWriter::default();
    w.text(ROOM_RECORD)
        .number(STORE_VERSION.into())
        .number(room.id)
        .text(&room.name)
        .number(room.joined.into())
        .number(room.unread.into())
        .number(room.read_up_to_ms)
        .number(room.entries.len() as u64);
    for entry in &room.entries {
        w.number(entry.time_ms).maybe(entry.message_id);
        match &entry.kind {
            StoredKind::Text { from, text, own } => {
                w.text("t").text(from).text(text);
                match own {
                    Some(own) => {
                        let state = match (own.sent, own.refused, &own.failed) {
                            (true, _, _) => "s",
                            (_, true, _) => "r",
                            (_, _, Some(_)) => "f",
                            _ => "p",
                        };
                        w.number(own.local_id)
                            .text(state)
                            .text(own.failed.as_deref().unwrap_or(""));
                    }
                    None => {
                        w.text("").text("").text("");
                    }
                }
            }
            StoredKind::Image { from, image } => {
                w.text("i").text(from).text(image);
            }
            StoredKind::Joined { user } => {
                w.text("j").text(user).text("");
            }
            StoredKind::Left { user } => {
                w.text("l").text(user).text("");
            }
        }
    }
    w.finish()
}

/// Reads a room record back.
pub fn decode_room(record: &str) -> Result<StoredRoom, StoredError> {
    let mut r = reader(record, ROOM_RECORD)?;
    let id = r.number()?;
    let name = r.text()?.to_owned();
    let joined = r.number()? == 1;
    let unread = u32::try_from(r.number()?).unwrap_or(u32::MAX);
    let read_up_to_ms = r.number()?;
    let count = r.number()?;
    // Each entry takes at least a dozen bytes: a count past that is damage.
    if count > (record.len() / 12) as u64 {
        return Err(StoredError::Malformed("more entries than the record holds"));
    }
    let mut entries = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    for _ in 0..count {
        let time_ms = r.number()?;
        let message_id = r.maybe()?;
        let kind = r.text()?;
        let who = r.text()?.to_owned();
        let what = r.text()?.to_owned();
        let kind = match kind {
            "t" => {
                let local_id = r.maybe()?;
                let state = r.text()?;
                let why = r.text()?;
                let own = local_id.map(|local_id| StoredOwn {
                    local_id,
                    sent: state == "s",
                    failed: matches!(state, "f" | "r").then(|| why.to_owned()),
                    refused: state == "r",
                });
                StoredKind::Text {
                    from: who,
                    text: what,
                    own,
                }
            }
            "i" => StoredKind::Image {
                from: who,
                image: what,
            },
            "j" => StoredKind::Joined { user: who },
            "l" => StoredKind::Left { user: who },
            _ => return Err(StoredError::Malformed("an entry of an unknown kind")),
        };
        entries.push(StoredEntry {
            time_ms,
            message_id,
            kind,
        });
    }
    finished(&r)?;
    Ok(StoredRoom {
        version: STORE_VERSION,
        id,
        name,
        joined,
        unread,
        read_up_to_ms,
        entries,
    })
}

/// Encodes the account record.
pub fn encode_account(account: &StoredAccount) -> String {
    let mut w = FieldWriter::default();
    w.text(ACCOUNT_RECORD)
        .number(STORE_VERSION.into())
        .number(account.saved_at_ms)
        .maybe(account.active)
        .number(account.drafts.len() as u64);
    for (room, text) in &account.drafts {
        w.number(*room).text(text);
    }
    w.finish()
}

/// Reads the account record back.
pub fn decode_account(record: &str) -> Result<StoredAccount, StoredError> {
    let mut r = reader(record, ACCOUNT_RECORD)?;
    let saved_at_ms = r.number()?;
    let active = r.maybe()?;
    let count = r.number()?;
    if count > MAX_DRAFTS as u64 {
        return Err(StoredError::Malformed("more drafts than are kept"));
    }
    let mut drafts = Vec::new();
    for _ in 0..count {
        let room = r.number()?;
        drafts.push((room, r.text()?.to_owned()));
    }
    finished(&r)?;
    Ok(StoredAccount {
        version: STORE_VERSION,
        saved_at_ms,
        active,
        drafts,
    })
}

/// A reader past the record's kind and version, once both are right.
fn reader<'a>(record: &'a str, kind: &str) -> Result<FieldReader<'a>, StoredError> {
    if record.len() > MAX_RECORD_BYTES {
        return Err(StoredError::TooLarge(record.len()));
    }
    let mut r = FieldReader::new(record);
    if r.text()? != kind {
        return Err(StoredError::Malformed("not a record of this kind"));
    }
    let version = r.number()?;
    if version != u64::from(STORE_VERSION) {
        return Err(StoredError::OtherVersion(version));
    }
    Ok(r)
}

fn finished(r: &FieldReader<'_>) -> Result<(), StoredError> {
    if r.is_done() {
        Ok(())
    } else {
        Err(StoredError::Malformed("fields past the record's end"))
    }
}

/// Which rooms to keep, at most [`MAX_STORED_ROOMS`]: the ones we were in first,
/// then the others that hold entries (a room never opened has nothing to keep:
/// the server lists it again).
pub fn rooms_to_keep<'a>(rooms: impl Iterator<Item = &'a Room> + Clone) -> Vec<RoomId> {
    let joined = rooms.clone().filter(|r| r.membership.is_in());
    let others = rooms.filter(|r| !r.membership.is_in() && !r.timeline.is_empty());
    joined
        .chain(others)
        .take(MAX_STORED_ROOMS)
        .map(|r| r.id)
        .collect()
}

#[cfg(test)]
mod tests;
