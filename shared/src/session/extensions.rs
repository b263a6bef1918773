//! A client's side of extension negotiation (`docs/extensions.md` section 1): what it
//! offers at sign-in, what the server agreed to, and the rule that holds the rest of
//! the connection: extension requests go out, and extension fields are believed, only
//! once agreed.

use crate::packet::auth::Accepted;
use crate::packet::extension::{Extension, ExtensionNames, ExtensionSet};
use crate::packet::{Body, Packet, PacketKind};

use super::client::SessionError;

/// The negotiation state of one connection.
#[derive(Debug, Default)]
pub(super) struct Negotiation {
    offered: ExtensionSet,
    agreed: ExtensionSet,
}

impl Negotiation {
    /// Offer `extensions` at the next Login/Register.
    pub(super) fn offer(&mut self, extensions: ExtensionSet) {
        self.offered = extensions;
    }

    /// The `extensions` field of a Login/Register: absent when offering nothing, so a
    /// plain client's sign-in is byte-identical to the spec's.
    pub(super) fn offer_field(&self) -> Option<ExtensionNames> {
        (!self.offered.is_empty()).then(|| self.offered.to_names())
    }

    /// Reads the server's answer: what it agreed to among what we offered (names we did
    /// not offer, or a server that says nothing, agree to nothing).
    pub(super) fn accepted(&mut self, accepted: &Accepted) {
        self.agreed = accepted
            .extensions
            .as_ref()
            .map_or(ExtensionSet::EMPTY, ExtensionSet::from_names)
            .intersection(self.offered);
    }

    pub(super) fn agreed(&self) -> ExtensionSet {
        self.agreed
    }

    /// Refuses a request of an extension the server has not agreed to.
    pub(super) fn check_request(&self, kind: PacketKind) -> Result<(), SessionError> {
        match kind.extension() {
            Some(extension) if !self.agreed.contains(extension) => {
                Err(SessionError::NotAgreed(extension))
            }
            _ => Ok(()),
        }
    }

    /// Drops extension fields a server sent without having agreed to them: a foreign
    /// server's `messageId` may mean something else entirely, and a client merging
    /// timelines by it must not be misled.
    pub(super) fn strip_unagreed(&self, packet: &mut Packet) {
        if self.agreed.contains(Extension::History) {
            return;
        }
        match &mut packet.body {
            Body::TextMessage(m) => m.message_id = None,
            Body::ImageMessage(m) => m.message_id = None,
            _ => {}
        }
    }
}
