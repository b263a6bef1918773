//! A room's past messages from a server that agreed to `history/1`
//! (`docs/extensions.md` section 2): which page to ask for, and when.
//!
//! - Joining a room (or rejoining it after a reconnect) fills its timeline: with
//!   the newest page the first time, and with the messages missed since the newest
//!   one this tab has (`after`) on a rejoin, paging back through that gap.
//! - Scrolling up past the oldest entry ([`ChatClient::load_older`]) asks for the
//!   page before it, until the server says nothing older exists.
//!
//! Pages are merged by server message ID in the state (`state::history`); requests
//! have the session's deadline, and one that fails says so at the top of the room.
//! Against a server that did not agree to `history/1` nothing here sends anything.

use std::collections::HashMap;

use miricat_shared::RoomId;
use miricat_shared::packet::extension::{Extension, ExtensionSet};
use miricat_shared::packet::history::{History, HistoryMessage, MAX_HISTORY_LIMIT, RequireHistory};
use miricat_shared::packet::message::MessageId;

use super::failure::Failure;
use super::{ChatClient, Effect, Purpose};
use crate::state::{Action, Content, EntryKind, PastMessage, Phase};

/// Messages asked for when opening a room: a few screens.
pub const FIRST_PAGE: u64 = 100;

/// Entries kept of one page: the most we ever ask for. (`MAX_HISTORY_LIMIT` is 200,
/// so the cast cannot truncate.)
const MAX_PAGE_ENTRIES: usize = MAX_HISTORY_LIMIT as usize;

/// Most pages fetched to fill one gap (200 each): a day away in a busy room is
/// filled; past that the oldest part of the gap is left out rather than holding
/// the connection's request pacing for minutes.
pub const MAX_GAP_PAGES: u32 = 25;

/// Which page a `Message.RequireHistory` asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Page {
    /// The room's newest messages.
    Newest,
    /// The page before `before`, the oldest message held.
    Older,
    /// Messages after `after` (the newest held before a reconnect), this gap's
    /// `number`th page.
    Gap { after: MessageId, number: u32 },
}

/// What this tab knows of one room's history on the server.
#[derive(Debug, Clone, Default)]
pub(super) struct RoomHistory {
    /// The lowest and highest message IDs seen in the room (pages, pushes, echoes).
    oldest: Option<MessageId>,
    newest: Option<MessageId>,
    /// The server said nothing older than `oldest` exists.
    at_start: bool,
    /// A page going back in time, or one filling a gap, is on its way.
    older_in_flight: bool,
    gap_in_flight: bool,
}

impl RoomHistory {
    fn saw(&mut self, id: MessageId) {
        self.oldest = Some(self.oldest.map_or(id, |o| o.min(id)));
        self.newest = Some(self.newest.map_or(id, |n| n.max(id)));
    }
}

impl RoomHistory {
    /// What the browser's store held of the room: its oldest and newest message
    /// IDs, so a rejoin fills the gap after the newest and scrolling up asks for
    /// what is before the oldest.
    pub(super) fn restored(oldest: MessageId, newest: MessageId) -> Self {
        Self {
            oldest: Some(oldest),
            newest: Some(newest),
            ..Self::default()
        }
    }
}

/// The history of every room this tab has been in, for this sign-in.
pub(super) type Histories = HashMap<RoomId, RoomHistory>;

/// What the web app offers at sign-in.
pub(super) fn offered_extensions() -> ExtensionSet {
    [Extension::History].into_iter().collect()
}

impl ChatClient {
    /// Whether the current connection may ask for history.
    fn history_agreed(&self) -> bool {
        self.session
            .as_ref()
            .is_some_and(|s| s.agreed_extensions().contains(Extension::History))
    }

    /// We are in `room` on this connection: fill its timeline from the server.
    pub(super) fn history_on_join(&mut self, room: RoomId) -> Vec<Effect> {
        if !self.history_agreed() {
            return Vec::new();
        }
        let known = self.histories.entry(room).or_default();
        if known.older_in_flight || known.gap_in_flight {
            return Vec::new();
        }
        match known.newest {
            Some(after) => self.request_page(room, Page::Gap { after, number: 1 }, None),
            None => self.request_page(room, Page::Newest, None),
        }
    }

    /// The reader scrolled up past the oldest entry of `room`: asks for the page
    /// before it, unless one is on its way, nothing older exists, or the server
    /// keeps no history. Also how a failed page is tried again.
    pub fn load_older(&mut self, room: RoomId) -> Vec<Effect> {
        if self.phase != Phase::Online || !self.history_agreed() || !self.joined_here(room) {
            return Vec::new();
        }
        let known = self.histories.entry(room).or_default();
        if known.older_in_flight || known.gap_in_flight || known.at_start {
            return Vec::new();
        }
        match known.oldest {
            Some(before) => self.request_page(room, Page::Older, Some(before)),
            None => self.request_page(room, Page::Newest, None),
        }
    }

    /// A message with server ID `id` is in `room` (a push or our own message's
    /// echo): a rejoin fills the gap after the newest one.
    pub(super) fn history_saw(&mut self, room: RoomId, id: Option<MessageId>) {
        if let Some(id) = id
            && self.history_agreed()
        {
            self.histories.entry(room).or_default().saw(id);
        }
    }

    fn request_page(&mut self, room: RoomId, page: Page, before: Option<MessageId>) -> Vec<Effect> {
        let range = match page {
            Page::Newest => RequireHistory {
                limit: Some(FIRST_PAGE),
                ..RequireHistory::default()
            },
            Page::Older => RequireHistory {
                before,
                limit: Some(FIRST_PAGE),
                after: None,
            },
            Page::Gap { after, .. } => RequireHistory {
                before,
                after: Some(after),
                limit: Some(MAX_HISTORY_LIMIT),
            },
        };
        let known = self.histories.entry(room).or_default();
        match page {
            Page::Gap { .. } => known.gap_in_flight = true,
            Page::Newest | Page::Older => known.older_in_flight = true,
        }
        let mut effects = Vec::new();
        if !matches!(page, Page::Gap { .. }) {
            // A gap is filled quietly: the top of the room is not what loads.
            effects.push(Effect::Ui(Action::HistoryLoading(room)));
        }
        effects.extend(self.request(Purpose::History { room, page }, |s| {
            s.require_history(room, range)
        }));
        effects
    }

    /// The server's page for `page` of `room`.
    pub(super) fn history_page(
        &mut self,
        room: RoomId,
        page: Page,
        history: History,
    ) -> Vec<Effect> {
        let mut messages: Vec<PastMessage> = history
            .messages
            .into_iter()
            .filter(|entry| entry.room == room)
            .filter_map(|entry| past_message(entry.message))
            .collect();
        // We never ask for more than a full page: a server sending more (a 1 MiB
        // line holds thousands of short entries) gets its newest ones kept, by
        // position, so every later pass over the page (its sort among them) stays
        // a page long.
        if messages.len() > MAX_PAGE_ENTRIES {
            messages.drain(..messages.len() - MAX_PAGE_ENTRIES);
        }
        let known = self.histories.entry(room).or_default();
        for m in &messages {
            known.saw(m.message_id);
        }
        let first = messages.first().map(|m| m.message_id);
        let (older, next) = match page {
            Page::Newest | Page::Older => {
                known.older_in_flight = false;
                // A page with nothing in it cannot be paged back from.
                known.at_start = !history.more || first.is_none();
                (Some(!known.at_start), None)
            }
            Page::Gap { after, number } => {
                known.gap_in_flight = false;
                let next = match first {
                    Some(before) if history.more && number < MAX_GAP_PAGES => Some((
                        Page::Gap {
                            after,
                            number: number + 1,
                        },
                        before,
                    )),
                    _ => None,
                };
                (None, next)
            }
        };
        let mut effects = vec![Effect::Ui(Action::HistoryPage {
            room,
            messages,
            older,
        })];
        if let Some((page, before)) = next {
            effects.extend(self.request_page(room, page, Some(before)));
        }
        effects
    }

    /// The page for `page` of `room` did not come: said at the top of the room
    /// (the reader can scroll up to try again; a rejoin fills a gap again).
    pub(super) fn history_failed(
        &mut self,
        room: RoomId,
        page: Page,
        failure: &Failure,
    ) -> Vec<Effect> {
        let known = self.histories.entry(room).or_default();
        let what = match page {
            Page::Gap { .. } => {
                known.gap_in_flight = false;
                "Messages sent while you were away did not load"
            }
            Page::Newest | Page::Older => {
                known.older_in_flight = false;
                "Earlier messages did not load"
            }
        };
        vec![Effect::Ui(Action::HistoryFailed {
            room,
            why: format!("{what}: {}", failure.why()),
        })]
    }
}

/// A history entry as the timeline keeps it; entries without an ID (another
/// server's idea of history) are left out, since they could not be merged.
fn past_message(message: HistoryMessage) -> Option<PastMessage> {
    let message_id = message.message_id()?;
    let (time_ms, sender, content) = match message {
        HistoryMessage::Text(m) => (m.time.millis(), m.user, Content::Text(m.text)),
        HistoryMessage::Image(m) => (m.time.millis(), m.user, Content::Image(m.image)),
    };
    Some(PastMessage {
        message_id,
        time_ms,
        kind: EntryKind::Message {
            sender,
            content,
            own: None,
        },
    })
}
