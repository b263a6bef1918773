//! Which MCP version to offer (`WIRE.md` section 10): 2.1.0, or the version that
//! worked with this bridge last time; when the server answers
//! `Error.UnsupportedVersion`, the other one on a new connection, once per
//! connection attempt. So an MCP 2.0 server (the public Java one) works, and a
//! remembered 2.0.0 still recovers once that server was upgraded to 2.1 only.

use miricat_shared::ErrorKind;
use miricat_shared::session::{HandshakeFailure, ProtocolVersion};

use super::{ChatClient, Effect};
use crate::failures::explain_error;

/// The version on offer in the current connection attempt.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Offer {
    current: ProtocolVersion,
    /// The other version was offered too in this attempt (and refused).
    fell_back: bool,
}

impl Offer {
    pub(super) fn new(first: ProtocolVersion) -> Self {
        Self {
            current: first,
            fell_back: false,
        }
    }

    pub(super) fn current(self) -> ProtocolVersion {
        self.current
    }

    /// A new attempt (a reconnect): the version in use goes first, and the other
    /// may be tried again if it is refused.
    pub(super) fn new_attempt(&mut self) {
        self.fell_back = false;
    }

    /// The server refused the current version: the other one, unless it was
    /// already tried in this attempt.
    fn fall_back(&mut self) -> Option<ProtocolVersion> {
        if self.fell_back {
            return None;
        }
        self.fell_back = true;
        self.current = match self.current {
            ProtocolVersion::V2_1 => ProtocolVersion::V2_0,
            ProtocolVersion::V2_0 => ProtocolVersion::V2_1,
        };
        Some(self.current)
    }
}

impl ChatClient {
    /// The server refused the handshake: offer the other version if that may
    /// help, else back to the sign-in form with the reason.
    pub(super) fn handshake_rejected(&mut self, failure: &HandshakeFailure) -> Vec<Effect> {
        let why = match failure {
            HandshakeFailure::Refused(error) if error.kind == ErrorKind::UnsupportedVersion => {
                let refused = self.protocol.current();
                if let Some(next) = self.protocol.fall_back() {
                    let note = format!(
                        "the server does not speak MCP {}; offering {} instead",
                        refused.as_str(),
                        next.as_str()
                    );
                    let mut effects = vec![Effect::Log(note)];
                    effects.extend(self.open());
                    return effects;
                }
                format!(
                    "{} (it refused both {} and {}).",
                    explain_error(error).trim_end_matches('.'),
                    ProtocolVersion::V2_1.as_str(),
                    ProtocolVersion::V2_0.as_str()
                )
            }
            HandshakeFailure::Refused(error) => explain_error(error),
            HandshakeFailure::BadServerKey(e) => format!("the server's key is unusable ({e})."),
        };
        self.stop(format!("The server refused the secure connection: {why}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_attempt_tries_the_other_version_once() {
        let mut offer = Offer::new(ProtocolVersion::V2_0);
        assert_eq!(offer.fall_back(), Some(ProtocolVersion::V2_1));
        assert_eq!(offer.fall_back(), None, "both refused: stop");
        assert_eq!(offer.current(), ProtocolVersion::V2_1);
        offer.new_attempt();
        assert_eq!(
            offer.current(),
            ProtocolVersion::V2_1,
            "what worked goes first"
        );
        assert_eq!(offer.fall_back(), Some(ProtocolVersion::V2_0));
    }
}
