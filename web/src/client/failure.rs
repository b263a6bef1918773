//! Why one of our requests came to nothing, and whether trying it again could help.
//! Each failure is shown next to what failed (a message, a room's Join button),
//! not in the banner that the next error would overwrite.

use miricat_shared::ErrorKind;
use miricat_shared::packet::ErrorPacket;

use crate::failures::{NO_ANSWER, explain_error};

/// What became of a request that got no useful reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Failure {
    /// The server answered it with an error.
    Refused(ErrorPacket),
    /// The server did not answer before the deadline.
    NoAnswer,
    /// The connection closed right after it was sent, before any answer (see the
    /// replay rule in `outbox`), so it may be what made the connection close.
    ClosedRightAfter {
        /// The close in plain words.
        close: String,
        /// The bridge said our frame was over its size limit.
        too_large: bool,
    },
    /// The connection closed while it waited for an answer; whether the server
    /// carried it out is unknown.
    Closed {
        /// The close in plain words.
        close: String,
    },
}

impl Failure {
    /// The failure in plain words.
    pub(super) fn why(&self) -> String {
        match self {
            Self::Refused(error) => explain_error(error),
            Self::NoAnswer => NO_ANSWER.to_owned(),
            Self::ClosedRightAfter {
                too_large: true, ..
            } => "It is too large for the bridge.".to_owned(),
            Self::ClosedRightAfter { close, .. } => {
                format!(
                    "{close} That happened right after it was sent, so it is not sent again by itself."
                )
            }
            Self::Closed { close } => {
                format!("The connection closed before the server answered. {close}")
            }
        }
    }

    /// Whether sending the same thing again could succeed: not when the server or
    /// the bridge found it malformed or too large.
    pub(super) fn retryable(&self) -> bool {
        match self {
            Self::Refused(error) => error.kind != ErrorKind::MessageDataIncorrect,
            Self::ClosedRightAfter { too_large, .. } => !too_large,
            Self::NoAnswer | Self::Closed { .. } => true,
        }
    }

    /// The server's error, if it answered with one.
    pub(super) fn error_kind(&self) -> Option<&ErrorKind> {
        match self {
            Self::Refused(error) => Some(&error.kind),
            Self::NoAnswer | Self::ClosedRightAfter { .. } | Self::Closed { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_or_too_large_is_final_the_rest_can_be_retried() {
        let refused = |kind| Failure::Refused(ErrorPacket::new(kind, ""));
        assert!(!refused(ErrorKind::MessageDataIncorrect).retryable());
        assert!(refused(ErrorKind::AccessDenied).retryable());
        assert!(Failure::NoAnswer.retryable());
        let closed = |too_large| Failure::ClosedRightAfter {
            close: "The chat server closed the connection.".into(),
            too_large,
        };
        assert!(!closed(true).retryable());
        assert!(closed(false).retryable());
        assert_eq!(closed(true).why(), "It is too large for the bridge.");
        assert!(
            closed(false)
                .why()
                .starts_with("The chat server closed the connection. ")
        );
        assert_eq!(Failure::NoAnswer.why(), "The server did not answer.");
    }
}
