//! Requests that come to nothing: refused by the server, left unanswered past
//! their deadline, or cut off by a closing connection. Each returns the UI to a
//! state the user can act on, with the reason next to what failed (the message,
//! the room's Join button); nothing is retried blindly.

use std::collections::BTreeSet;

use miricat_shared::ErrorKind;
use miricat_shared::PacketKind;
use miricat_shared::session::{RequestId, TimedOut};

use super::failure::Failure;
use super::{ChatClient, Effect, Purpose};
use crate::failures::is_own_frame_too_large;
use crate::state::Action;

impl ChatClient {
    /// Marks failed every request not answered in time at `now` (and starts the
    /// deadline of requests just sent). An unanswered handshake or sign-in makes
    /// the connection useless: it is closed, and reconnected after a backoff once
    /// this tab has signed in before (`jitter` spreads that out).
    pub fn poll_timeouts(&mut self, now: u64, jitter: f64) -> Vec<Effect> {
        let Some(session) = self.session.as_mut() else {
            return Vec::new();
        };
        let mut effects = Vec::new();
        for TimedOut {
            request,
            request_kind,
        } in session.poll_timeouts(now)
        {
            if self.last_unanswered == Some(request) {
                self.last_unanswered = None;
            }
            let purpose = self.requests.get(&request).cloned();
            let step = match (request_kind, purpose) {
                (PacketKind::Handshake, _) => "the secure connection request",
                (_, Some(Purpose::SignIn)) => "the sign-in",
                (_, Some(purpose)) => {
                    effects.extend(self.failed(purpose, &Failure::NoAnswer, now));
                    continue;
                }
                (_, None) => continue,
            };
            effects.extend(self.abandon_connection(
                format!("The server did not answer {step}."),
                now,
                jitter,
            ));
            return effects;
        }
        effects
    }

    /// When to call [`ChatClient::poll_timeouts`] next (epoch ms; `0` means at
    /// once), while requests wait.
    pub fn next_timeout_at(&self) -> Option<u64> {
        self.session.as_ref()?.next_timeout_at()
    }

    /// Closes a connection that stopped being useful, for `why`.
    fn abandon_connection(&mut self, why: String, now: u64, jitter: f64) -> Vec<Effect> {
        let mut effects = vec![Effect::Close];
        effects.extend(self.settle_requests(None, now));
        effects.extend(self.fail_remaining(&why, now));
        effects.extend(self.images_on_close());
        effects.extend(self.connection_lost(why, jitter));
        effects
    }

    /// The socket closed (`close` explains `code` and `reason`): what becomes of
    /// each request it carried. Messages and joins wait for the next connection,
    /// except the request the close came right after (see `outbox`), which fails;
    /// the rest fail with the close explained.
    pub(super) fn settle_interrupted(
        &mut self,
        code: u16,
        reason: &str,
        close: &str,
        now: u64,
    ) -> Vec<Effect> {
        let culprit = self.last_unanswered.take().map(|id| {
            let failure = Failure::ClosedRightAfter {
                close: close.to_owned(),
                too_large: is_own_frame_too_large(code, reason),
            };
            (id, failure)
        });
        let mut effects = self.settle_requests(culprit, now);
        effects.extend(self.fail_remaining(close, now));
        effects
    }

    /// Fails the request the connection closed on (`culprit`) and requeues the
    /// messages and joins it carried. Requests left in the map afterwards need the
    /// close explained ([`Self::fail_remaining`]).
    fn settle_requests(&mut self, culprit: Option<(RequestId, Failure)>, now: u64) -> Vec<Effect> {
        let (culprit_id, culprit_failure) = culprit.unzip();
        let mut effects = match &culprit_failure {
            Some(failure) => self.outbox_on_close(culprit_id, failure),
            None => self.outbox_on_close(None, &Failure::NoAnswer),
        };
        // A join the close came right after fails (the others are repeated); any
        // other culprit fails with the rest, in `fail_remaining`.
        if let (Some(id), Some(failure)) = (culprit_id, culprit_failure)
            && let Some(Purpose::Join(room)) = self.requests.get(&id).cloned()
        {
            self.requests.remove(&id);
            effects.extend(self.failed(Purpose::Join(room), &failure, now));
        }
        // Messages are the outbox's; joins are repeated after the reconnect; the
        // sign-in and the room list are asked again; images have `images_on_close`.
        self.requests.retain(|_, purpose| {
            !matches!(
                purpose,
                Purpose::Message(_)
                    | Purpose::Join(_)
                    | Purpose::SignIn
                    | Purpose::RoomList
                    | Purpose::UploadSlot(_)
                    | Purpose::UploadComplete(_)
                    | Purpose::PostImage { .. }
                    | Purpose::Download { .. }
            )
        });
        effects
    }

    /// Every other request in flight fails: its outcome is unknown, and the user
    /// should see that rather than wait for a reply that will not come.
    fn fail_remaining(&mut self, close: &str, now: u64) -> Vec<Effect> {
        // In the order they were sent (by ID). Inserted one by one into a set of
        // u64, whose code the wasm has already, rather than sorted: however many
        // requests a silent server left in flight, this stays n log n, and no sort
        // of these pairs is compiled in.
        let mut remaining = std::mem::take(&mut self.requests);
        let mut ids = BTreeSet::new();
        ids.extend(remaining.keys().copied());
        let failure = Failure::Closed {
            close: close.to_owned(),
        };
        ids.into_iter()
            .filter_map(|id| remaining.remove(&id))
            .flat_map(|purpose| match purpose {
                // The next connection is not in the room: the leave is done.
                Purpose::Leave(room) => self.left(room, now).into_iter().collect(),
                purpose => self.failed(purpose, &failure, now),
            })
            .collect()
    }

    /// One request came to nothing: undo what waited for it and say why, next to
    /// what failed.
    pub(super) fn failed(&mut self, purpose: Purpose, failure: &Failure, now: u64) -> Vec<Effect> {
        let why = failure.why();
        match purpose {
            Purpose::SignIn => match failure {
                Failure::Refused(_) => self.stop(why),
                // The connection's fate is decided by whoever noticed.
                _ => Vec::new(),
            },
            Purpose::Message(local_id) => self.message_failed(local_id, failure),
            Purpose::Join(room) => {
                // Not rejoined after reconnects: the user decides whether to try again.
                self.wanted_rooms.remove(&room);
                let mut effects = vec![Effect::Ui(Action::JoinFailed {
                    room,
                    why: why.clone(),
                })];
                effects.extend(self.fail_room(room, &why));
                effects
            }
            Purpose::Leave(room) if failure.error_kind() == Some(&ErrorKind::UserDontConnected) => {
                // Already out: the server agrees with what the user wanted.
                self.left(room, now).into_iter().collect()
            }
            Purpose::Leave(room) => {
                // Still in: wanted again, so a reconnect keeps it.
                self.wanted_rooms.insert(room);
                vec![Effect::Ui(Action::LeaveFailed { room, why })]
            }
            Purpose::Admin(request) => Self::admin_failed(&request, &why),
            Purpose::RoomList => vec![Effect::Ui(Action::Error(format!(
                "Could not refresh the room list: {why}"
            )))],
            Purpose::UploadSlot(_)
            | Purpose::UploadComplete(_)
            | Purpose::PostImage { .. }
            | Purpose::PostImageUrl(_)
            | Purpose::Download { .. } => self.image_failed(purpose, &why),
            Purpose::History { room, page } => self.history_failed(room, page, failure),
        }
    }
}
