//! The app's state and its reducer: what the views show, changed only through
//! [`Action`]s (from the connection service and from the user).
//!
//! Pure and browser-free, so the reducer is tested natively. Times are Unix epoch
//! milliseconds, given by the caller. The types live in [`phase`], [`room`] and
//! [`action`]; this file holds [`ChatState`] and the reducer.

mod action;
mod admin;
mod arrival;
mod history;
mod media;
mod phase;
mod restore;
mod room;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use miricat_shared::RoomId;
use miricat_shared::session::ProtocolVersion;
use yew::Reducible;

use crate::search::fold::fold;

pub use action::Action;
pub use admin::AdminOutcome;
pub use arrival::Arrival;
pub use history::{HistoryView, PastMessage};
pub use media::{ImageView, UploadStage, UploadView};
pub use phase::Phase;
pub use restore::Restored;
pub use room::{Content, Delivery, Entry, EntryKind, FIRST_SEQ, Membership, Room, RoomListing};

/// Figures the app measures about itself (shown as `data-*` attributes for tests).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Metrics {
    /// Key generation plus shared secret, in ms, for the last handshake.
    pub handshake_ms: Option<f64>,
    /// From pressing sign in to `Accepted`, in ms (first sign-in of the tab).
    pub sign_in_ms: Option<f64>,
    /// From navigation start to the first signed-in render, in ms.
    pub page_to_signed_in_ms: Option<f64>,
}
/// Everything the views render.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChatState {
    /// Bumped by every action: the context compares this instead of every room.
    pub revision: u64,
    /// Connection phase.
    pub phase: Phase,
    /// A sentence about the phase ("Reconnecting in 2 s: the bridge restarted").
    pub status_detail: Option<String>,
    /// Our username, once a sign-in started.
    pub me: Option<String>,
    /// True once this tab signed in: from then on the chat view stays up through
    /// reconnects.
    pub signed_in: bool,
    /// Every room the server told us about.
    pub rooms: BTreeMap<RoomId, Rc<Room>>,
    /// The open room.
    pub active: Option<RoomId>,
    /// The error banner's text.
    pub error: Option<String>,
    /// `mcp_image://` images by server ID: downloading, ready or failed.
    pub images: HashMap<String, ImageView>,
    /// The upload in progress, if any.
    pub upload: Option<UploadView>,
    /// What root's last administrative request did, in plain words.
    pub admin_notice: Option<String>,
    /// Self-measurements.
    pub metrics: Metrics,
    /// The MCP version of the current (or last) connection, once signed in.
    pub protocol: Option<ProtocolVersion>,
    /// The latest message from someone else, for the announcer and notifications.
    pub last_arrival: Option<Arrival>,
    /// Whether `http(s)` images load by themselves. Off by default: loading one
    /// tells its host the reader's address, and anyone can post one.
    pub load_external_images: bool,
    /// Unsent text per room from before a reload, for the composer to bring back.
    pub restored_drafts: HashMap<RoomId, String>,
}
impl ChatState {
    /// Rooms in sidebar order: joined ones first, then by name without regard to
    /// case, in every script (the search's folding).
    pub fn room_order(&self) -> Vec<RoomId> {
        // Each name folded once, not once per comparison: the sidebar asks at every
        // render, and in the browser a non-ASCII name is folded by a call into
        // JavaScript. Unstable sort: the keys are unique (IDs), so the result is
        // the stable one, and its code is about half the size of the stable sort's.
        let mut rooms: Vec<(bool, String, RoomId)> = self
            .rooms
            .values()
            .map(|room| (!room.membership.is_in(), fold(&room.name), room.id))
            .collect();
        rooms.sort_unstable();
        rooms.into_iter().map(|(_, _, id)| id).collect()
    }

    /// The open room.
    pub fn active_room(&self) -> Option<&Room> {
        self.active.and_then(|id| self.rooms.get(&id)).map(|r| &**r)
    }

    /// Whether we are root, who alone may administer rooms and users. MCP has no
    /// is-root signal: the server's root account is the user named "root".
    pub fn is_root(&self) -> bool {
        self.me.as_deref() == Some("root")
    }

    fn room_mut(&mut self, id: RoomId) -> Option<&mut Room> {
        self.rooms.get_mut(&id).map(Rc::make_mut)
    }

    fn is_me(&self, user: &str) -> bool {
        self.me.as_deref() == Some(user)
    }

    /// Where our message `local_id` is: its room and its index in the timeline.
    fn own_message_at(&self, local_id: u64) -> Option<(RoomId, usize)> {
        self.rooms.iter().find_map(|(id, room)| {
            let at = room
                .timeline
                .iter()
                .rposition(|e| own_id(&e.kind) == Some(local_id))?;
            Some((*id, at))
        })
    }

    /// Removes a room, closing it if it was open. Returns it and whether it was open.
    fn remove_room(&mut self, id: RoomId) -> Option<(Rc<Room>, bool)> {
        let room = self.rooms.remove(&id)?;
        let was_open = self.active == Some(id);
        if was_open {
            self.active = None;
        }
        self.settle_active();
        Some((room, was_open))
    }

    /// Keeps an open room when it still exists, else opens the first joined one.
    fn settle_active(&mut self) {
        if self.active.is_some_and(|id| self.rooms.contains_key(&id)) {
            return;
        }
        self.active = self.room_order().first().copied();
    }

    fn merge_listing(&mut self, listing: Vec<RoomListing>, complete: bool) {
        // Sets are built by inserting (`extend`), not `collect`: collecting sorts
        // first, which compiles a stable sort per element type into the wasm.
        let mut ids = BTreeSet::new();
        ids.extend(listing.iter().map(|l| l.id));
        if complete {
            self.rooms.retain(|id, _| ids.contains(id));
        }
        for l in listing {
            let room = Rc::make_mut(self.rooms.entry(l.id).or_insert_with(|| {
                Rc::new(Room {
                    id: l.id,
                    first_seq: FIRST_SEQ,
                    ..Room::default()
                })
            }));
            room.name = l.name;
            if let Some(members) = l.members {
                room.members.clear();
                room.members.extend(members);
            }
        }
    }

    fn apply(&mut self, action: Action) {
        match action {
            Action::Phase(phase, detail) => {
                self.phase = phase;
                self.status_detail = detail;
            }
            Action::SignInStarted { username } => {
                if self.me.as_deref() != Some(username.as_str()) {
                    self.rooms.clear();
                    self.active = None;
                }
                // Possibly another server (the form names the bridge): its images
                // are downloaded afresh.
                self.images.clear();
                self.upload = None;
                self.me = Some(username);
                self.error = None;
            }
            Action::SignedIn(rooms) => {
                self.signed_in = true;
                self.error = None;
                self.merge_listing(rooms, true);
                self.settle_active();
            }
            Action::Stopped(reason) => {
                self.phase = Phase::Idle;
                self.status_detail = None;
                self.error = Some(reason);
                self.signed_in = false;
            }
            Action::SignedOut => {
                *self = Self {
                    metrics: self.metrics,
                    load_external_images: self.load_external_images,
                    ..Self::default()
                };
            }
            Action::Restored(restored) => self.restore(*restored),
            Action::Error(text) => self.error = Some(text),
            Action::DismissError => self.error = None,
            Action::RoomsListed(rooms) => {
                self.merge_listing(rooms, true);
                self.settle_active();
            }
            Action::RoomUpserted { id, name } => self.upsert_room(id, name),
            Action::RoomRemoved(id) => {
                if let Some((room, true)) = self.remove_room(id) {
                    self.error = Some(format!("The room \"{}\" was deleted.", room.name));
                }
            }
            Action::AdminDone(outcome) => self.apply_admin(outcome),
            Action::DismissAdminNotice => self.admin_notice = None,
            Action::JoinRequested(id) => self.set_membership(id, Membership::Joining, None),
            Action::JoinFailed { room, why } => {
                self.set_membership(room, Membership::Out, Some(why));
            }
            Action::LeaveRequested(id) => self.set_membership(id, Membership::Leaving, None),
            Action::LeaveFailed { room, why } => {
                self.set_membership(room, Membership::In, Some(why));
            }
            Action::ProtocolInUse(version) => self.protocol = Some(version),
            Action::MemberJoined {
                room,
                user,
                all_users,
                time_ms,
            } => {
                let me = self.is_me(&user);
                let Some(r) = self.room_mut(room) else { return };
                // A rejoin after a reconnect (or from another tab) is not news.
                let known = last_membership_event_is_join(&r.timeline, &user)
                    || (!me && r.members.contains(&user));
                // Inserted, not collected (see merge_listing).
                r.members.clear();
                r.members.extend(all_users);
                r.members.insert(user.clone());
                if me {
                    r.membership = Membership::In;
                    r.refusal = None;
                }
                if !known {
                    r.push(Entry {
                        time_ms,
                        message_id: None,
                        kind: EntryKind::Joined(user),
                    });
                }
                if me && self.active.is_none() {
                    self.active = Some(room);
                }
            }
            Action::MemberLeft {
                room,
                user,
                time_ms,
            } => {
                let me = self.is_me(&user);
                let Some(r) = self.room_mut(room) else { return };
                r.members.remove(&user);
                if me {
                    r.membership = Membership::Out;
                    r.refusal = None;
                }
                r.push(Entry {
                    time_ms,
                    message_id: None,
                    kind: EntryKind::Left(user),
                });
            }
            Action::Message {
                room,
                sender,
                content,
                time_ms,
                message_id,
            } => {
                let shown = |r: &Rc<Room>| message_id.is_some_and(|id| r.shows_message(id));
                if self.rooms.get(&room).is_some_and(shown) {
                    // A page of history brought it first.
                    return;
                }
                let active = self.active == Some(room);
                let arrival = (!self.is_me(&sender)).then(|| Arrival {
                    revision: self.revision,
                    room,
                    sender: sender.clone(),
                    gist: arrival::gist(content.summary()),
                });
                let Some(r) = self.room_mut(room) else { return };
                if !active {
                    r.unread = r.unread.saturating_add(1);
                }
                r.push(Entry {
                    time_ms,
                    message_id,
                    kind: EntryKind::Message {
                        sender,
                        content,
                        own: None,
                    },
                });
                if arrival.is_some() {
                    self.last_arrival = arrival;
                }
            }
            Action::OwnMessageQueued {
                local_id,
                room,
                text,
                time_ms,
            } => {
                let sender = self.me.clone().unwrap_or_default();
                let Some(r) = self.room_mut(room) else { return };
                r.push(Entry {
                    time_ms,
                    message_id: None,
                    kind: EntryKind::Message {
                        sender,
                        content: Content::Text(text),
                        own: Some((local_id, Delivery::Pending)),
                    },
                });
            }
            Action::OwnMessageDelivery {
                local_id,
                delivery,
                time_ms: _,
            } => {
                // The server's stamp is not applied: moving a sent message's time
                // could reorder it away from where the user saw it appear.
                let Some((room, at)) = self.own_message_at(local_id) else {
                    return;
                };
                if let Some(r) = self.room_mut(room) {
                    r.change_entry(at, |entry| {
                        if let EntryKind::Message { own, .. } = &mut entry.kind {
                            *own = Some((local_id, delivery));
                        }
                    });
                }
            }
            Action::OwnMessageIdentified {
                local_id,
                message_id,
            } => {
                if let Some((room, at)) = self.own_message_at(local_id)
                    && let Some(r) = self.room_mut(room)
                {
                    r.identify_own(at, message_id);
                }
            }
            Action::HistoryLoading(room) => {
                if let Some(r) = self.room_mut(room) {
                    r.history = HistoryView::Loading;
                }
            }
            Action::HistoryPage {
                room,
                messages,
                older,
            } => {
                let Some(r) = self.room_mut(room) else { return };
                let cut = r.merge_history(messages);
                if cut {
                    r.history = HistoryView::Full;
                } else if let Some(more) = older {
                    r.history = if more {
                        HistoryView::More
                    } else {
                        HistoryView::Start
                    };
                } else if r.history == HistoryView::Unavailable {
                    // A gap filled after a reload: the server keeps history, and
                    // what is older than the stored timeline can be fetched.
                    r.history = HistoryView::More;
                }
            }
            Action::HistoryFailed { room, why } => {
                if let Some(r) = self.room_mut(room) {
                    r.history = HistoryView::Failed(why);
                }
            }
            Action::OpenRoom(id) => {
                if let Some(r) = self.room_mut(id) {
                    r.unread = 0;
                    self.active = Some(id);
                }
            }
            Action::SwitchRoom(step) => {
                let order = self.room_order();
                if order.is_empty() {
                    return;
                }
                let len = i64::try_from(order.len()).unwrap_or(i64::MAX);
                let at = self
                    .active
                    .and_then(|id| order.iter().position(|r| *r == id))
                    .and_then(|i| i64::try_from(i).ok())
                    .unwrap_or(0);
                let next = (at + i64::from(step)).rem_euclid(len);
                if let Some(id) = usize::try_from(next).ok().and_then(|i| order.get(i)) {
                    self.apply(Action::OpenRoom(*id));
                }
            }
            Action::Notice {
                room,
                text,
                time_ms,
            } => {
                if let Some(r) = self.room_mut(room) {
                    r.push(Entry {
                        time_ms,
                        message_id: None,
                        kind: EntryKind::Notice(text),
                    });
                }
            }
            Action::Image { id, view } => {
                self.images.insert(id, view);
            }
            Action::LoadExternalImages(load) => self.load_external_images = load,
            Action::Upload(view) => self.upload = view,
            Action::HandshakeMeasured(ms) => self.metrics.handshake_ms = Some(ms),
            Action::SignInMeasured {
                sign_in_ms,
                page_ms,
            } => {
                self.metrics.sign_in_ms.get_or_insert(sign_in_ms);
                self.metrics.page_to_signed_in_ms.get_or_insert(page_ms);
            }
        }
    }

    fn set_membership(&mut self, id: RoomId, membership: Membership, refusal: Option<String>) {
        if let Some(r) = self.room_mut(id) {
            r.membership = membership;
            r.refusal = refusal;
        }
    }
}

/// Whether `user`'s latest join/leave line in `timeline` is a join.
fn last_membership_event_is_join(timeline: &[Rc<Entry>], user: &str) -> bool {
    timeline
        .iter()
        .rev()
        .find_map(|e| match &e.kind {
            EntryKind::Joined(u) if u == user => Some(true),
            EntryKind::Left(u) if u == user => Some(false),
            _ => None,
        })
        .unwrap_or(false)
}

fn own_id(kind: &EntryKind) -> Option<u64> {
    match kind {
        EntryKind::Message {
            own: Some((id, _)), ..
        } => Some(*id),
        _ => None,
    }
}

impl Reducible for ChatState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut state = Rc::unwrap_or_clone(self);
        state.apply(action);
        state.revision = state.revision.wrapping_add(1);
        Rc::new(state)
    }
}

#[cfg(test)]
mod tests;
