//! The outbox: every message written in this tab, from the moment it is typed until
//! the server confirms it, and the rules for sending it again.
//!
//! # Sending again after a close
//! A message in flight when the connection closes may or may not have reached the
//! server. The reconnect sends it again (after rejoining its room), with one
//! exception: the request the close came *right after* — the last one sent, when
//! nothing at all arrived from the server after it — is taken to have caused the
//! close (the bridge refusing an oversized frame with 1009, or a server that drops
//! the connection on it). That message is marked failed with the close explained,
//! and is never sent again by itself: doing so would only close the next
//! connection too, for ever. The user can retry it, unless the bridge or the
//! server said it is too large or malformed (close 1009,
//! `Error.MessageDataIncorrect`), which no retry can fix.

use miricat_shared::RoomId;
use miricat_shared::packet::message::MessageId;
use miricat_shared::session::RequestId;

use super::failure::Failure;
use super::{ChatClient, Effect, Purpose, delivery};
use crate::state::{Action, Delivery, Phase};

/// Where a written message is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum OutboxState {
    /// Waiting for a connection (and the room's join) to send it.
    Queued,
    /// Sent on the current connection as this request.
    InFlight(RequestId),
    /// Not delivered; kept for the user to retry.
    Failed,
    /// Refused for good (too large or malformed): never sent again.
    Refused,
}

#[derive(Debug, Clone)]
pub(super) struct OutboxMessage {
    local_id: u64,
    room: RoomId,
    text: String,
    state: OutboxState,
}

impl OutboxMessage {
    /// A message of ours brought back from this browser's store after a reload:
    /// waiting to be sent, or failed (waiting for the user's retry).
    pub(super) fn restored(local_id: u64, room: RoomId, text: String, failed: bool) -> Self {
        Self {
            local_id,
            room,
            text,
            state: if failed {
                OutboxState::Failed
            } else {
                OutboxState::Queued
            },
        }
    }

    /// Its local ID.
    pub(super) fn local_id(&self) -> u64 {
        self.local_id
    }
}

impl ChatClient {
    /// Writes a message to `room`: shown at once as pending, sent when possible.
    pub fn send_text(&mut self, room: RoomId, text: &str, now: u64) -> Vec<Effect> {
        self.next_local_id += 1;
        let local_id = self.next_local_id;
        self.outbox.push(OutboxMessage {
            local_id,
            room,
            text: text.to_owned(),
            state: OutboxState::Queued,
        });
        let mut effects = vec![Effect::Ui(Action::OwnMessageQueued {
            local_id,
            room,
            text: text.to_owned(),
            time_ms: now,
        })];
        effects.extend(self.flush_room(room));
        effects
    }

    /// Sends a failed message again, joining its room again first if that join
    /// failed meanwhile (it would otherwise wait for a join nobody asked for).
    pub fn retry(&mut self, local_id: u64) -> Vec<Effect> {
        let Some(message) = self
            .outbox
            .iter_mut()
            .find(|m| m.local_id == local_id && m.state == OutboxState::Failed)
        else {
            return Vec::new();
        };
        message.state = OutboxState::Queued;
        let room = message.room;
        let mut effects = vec![delivery(local_id, Delivery::Pending, None)];
        if self.wanted_rooms.contains(&room) {
            effects.extend(self.flush_room(room));
        } else {
            effects.extend(self.join(room));
        }
        effects
    }

    /// Messages not yet confirmed by the server (queued, in flight or failed).
    #[cfg(test)]
    pub fn unconfirmed_messages(&self) -> usize {
        self.outbox.len()
    }

    /// Sends every queued message for `room`, if it is joined on this connection.
    pub(super) fn flush_room(&mut self, room: RoomId) -> Vec<Effect> {
        if self.phase != Phase::Online || !self.joined_here(room) {
            return Vec::new();
        }
        let queued: Vec<(u64, String)> = self
            .outbox
            .iter()
            .filter(|m| m.room == room && m.state == OutboxState::Queued)
            .map(|m| (m.local_id, m.text.clone()))
            .collect();
        queued
            .into_iter()
            .flat_map(|(local_id, text)| self.send_message(local_id, room, &text))
            .collect()
    }

    fn send_message(&mut self, local_id: u64, room: RoomId, text: &str) -> Vec<Effect> {
        match self.send_request(Purpose::Message(local_id), |s| s.send_text(room, text)) {
            Ok((id, line)) => {
                if let Some(m) = self.outbox.iter_mut().find(|m| m.local_id == local_id) {
                    m.state = OutboxState::InFlight(id);
                }
                vec![Effect::Send(line)]
            }
            Err(log) => vec![log],
        }
    }

    /// The server confirmed message `local_id` (stamped at `time_ms`, numbered
    /// `message_id` by a `history/1` server).
    pub(super) fn message_sent(
        &mut self,
        local_id: u64,
        time_ms: u64,
        message_id: Option<MessageId>,
    ) -> Vec<Effect> {
        self.outbox.retain(|m| m.local_id != local_id);
        let mut effects = vec![delivery(local_id, Delivery::Sent, Some(time_ms))];
        if let Some(message_id) = message_id {
            effects.push(Effect::Ui(Action::OwnMessageIdentified {
                local_id,
                message_id,
            }));
        }
        effects
    }

    /// Message `local_id` was not delivered: failed (the user may retry) or refused
    /// for good, with the reason next to it.
    pub(super) fn message_failed(&mut self, local_id: u64, failure: &Failure) -> Vec<Effect> {
        let (state, shown) = if failure.retryable() {
            (OutboxState::Failed, Delivery::Failed(failure.why()))
        } else {
            (OutboxState::Refused, Delivery::Refused(failure.why()))
        };
        if let Some(m) = self.outbox.iter_mut().find(|m| m.local_id == local_id) {
            m.state = state;
        }
        vec![delivery(local_id, shown, None)]
    }

    /// Marks every unsent message for `room` failed with `why`.
    pub(super) fn fail_room(&mut self, room: RoomId, why: &str) -> Vec<Effect> {
        self.outbox
            .iter_mut()
            .filter(|m| {
                m.room == room && matches!(m.state, OutboxState::Queued | OutboxState::InFlight(_))
            })
            .map(|m| {
                m.state = OutboxState::Failed;
                delivery(m.local_id, Delivery::Failed(why.to_owned()), None)
            })
            .collect()
    }

    /// The connection closed: messages in flight wait for the next one, except the
    /// one the close came right after (`culprit`, see the module docs), which fails
    /// with `failure`.
    pub(super) fn outbox_on_close(
        &mut self,
        culprit: Option<RequestId>,
        failure: &Failure,
    ) -> Vec<Effect> {
        let mut effects = Vec::new();
        let mut failed = Vec::new();
        for message in &mut self.outbox {
            let OutboxState::InFlight(id) = message.state else {
                continue;
            };
            if Some(id) == culprit {
                failed.push(message.local_id);
            } else {
                message.state = OutboxState::Queued;
            }
        }
        for local_id in failed {
            effects.extend(self.message_failed(local_id, failure));
        }
        effects
    }
}
