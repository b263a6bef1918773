//! Why a bridged connection ended, and the WebSocket close code that says so
//! (`WIRE.md` section 11 and the bridge's issue list every case).

use tokio_tungstenite::tungstenite::Error as WsError;
use tokio_tungstenite::tungstenite::error::{CapacityError, ProtocolError};

/// The one reason a bridged connection ended. Each maps to the close code sent to
/// the browser, a short reason text, and a label for the close log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CloseReason {
    /// The browser sent a close frame with this code (1005 if it gave none).
    BrowserClosed(u16),
    /// The browser's TCP connection ended or failed without a close frame.
    BrowserGone,
    /// A binary frame: the relay carries text lines only.
    BinaryFrame,
    /// A text frame containing `\n` or `\r`, which would split into several lines.
    LineBreakInFrame,
    /// A text frame that is not UTF-8 (tungstenite checks).
    InvalidUtf8Frame,
    /// A frame or message over `max_frame_bytes`.
    FrameTooLong,
    /// Any other WebSocket protocol violation.
    Protocol,
    /// A line from the server over `max_frame_bytes`.
    LineTooLong,
    /// The upstream could not be connected to.
    UpstreamUnreachable,
    /// Reading from or writing to the upstream failed.
    UpstreamFailed,
    /// The server sent a line that is not UTF-8.
    UpstreamInvalidUtf8,
    /// The server closed its side normally.
    UpstreamClosed,
    /// The bridge is shutting down.
    Shutdown,
    /// No frame either way for `idle_timeout`.
    Idle,
    /// The browser did not answer a ping before the next one was due.
    PongTimeout,
}

impl CloseReason {
    /// The close code sent to the browser (or received from it).
    pub(crate) fn code(self) -> u16 {
        match self {
            CloseReason::BrowserClosed(code) => code,
            CloseReason::BrowserGone => 1006,
            CloseReason::UpstreamClosed => 1000,
            CloseReason::Shutdown | CloseReason::Idle | CloseReason::PongTimeout => 1001,
            CloseReason::Protocol => 1002,
            CloseReason::BinaryFrame => 1003,
            CloseReason::LineBreakInFrame | CloseReason::InvalidUtf8Frame => 1007,
            CloseReason::FrameTooLong | CloseReason::LineTooLong => 1009,
            CloseReason::UpstreamUnreachable
            | CloseReason::UpstreamFailed
            | CloseReason::UpstreamInvalidUtf8 => 1011,
        }
    }

    /// The reason text of the close frame: short, and safe to show a user.
    pub(crate) fn text(self) -> &'static str {
        match self {
            CloseReason::BrowserClosed(_) => "browser closed",
            CloseReason::BrowserGone => "browser connection lost",
            CloseReason::BinaryFrame => "text frames only",
            CloseReason::LineBreakInFrame => "frame contains a line break",
            CloseReason::InvalidUtf8Frame => "frame is not UTF-8",
            CloseReason::FrameTooLong => "frame too long",
            CloseReason::Protocol => "protocol error",
            CloseReason::LineTooLong => "server line too long",
            CloseReason::UpstreamUnreachable => "server unreachable",
            CloseReason::UpstreamFailed => "server connection failed",
            CloseReason::UpstreamInvalidUtf8 => "server sent invalid UTF-8",
            CloseReason::UpstreamClosed => "server closed the connection",
            CloseReason::Shutdown => "bridge shutting down",
            CloseReason::Idle => "idle timeout",
            CloseReason::PongTimeout => "ping timeout",
        }
    }

    /// Whether the bridge sends a close frame. Not when the browser already sent
    /// one (tungstenite echoes it) or its connection is gone.
    pub(crate) fn bridge_sends_close(self) -> bool {
        !matches!(
            self,
            CloseReason::BrowserClosed(_) | CloseReason::BrowserGone
        )
    }

    /// Whether the browser's input stopped being readable as frames: tungstenite
    /// refused a frame part-way (too long, bad UTF-8, bad framing), so the rest of
    /// that frame is still to come and can only be discarded.
    pub(crate) fn reader_is_lost(self) -> bool {
        matches!(
            self,
            CloseReason::FrameTooLong | CloseReason::InvalidUtf8Frame | CloseReason::Protocol
        )
    }

    /// Classifies an error from reading the browser's WebSocket.
    pub(crate) fn from_ws_error(error: &WsError) -> Self {
        match error {
            WsError::Capacity(CapacityError::MessageTooLong { .. }) => CloseReason::FrameTooLong,
            WsError::Capacity(_) => CloseReason::FrameTooLong,
            WsError::Utf8(_) => CloseReason::InvalidUtf8Frame,
            WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake) => {
                CloseReason::BrowserGone
            }
            WsError::Protocol(_) | WsError::AttackAttempt => CloseReason::Protocol,
            _ => CloseReason::BrowserGone,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_the_bridge_contract() {
        assert_eq!(CloseReason::BinaryFrame.code(), 1003);
        assert_eq!(CloseReason::LineBreakInFrame.code(), 1007);
        assert_eq!(CloseReason::FrameTooLong.code(), 1009);
        assert_eq!(CloseReason::LineTooLong.code(), 1009);
        assert_eq!(CloseReason::UpstreamUnreachable.code(), 1011);
        assert_eq!(CloseReason::UpstreamInvalidUtf8.code(), 1011);
        assert_eq!(CloseReason::UpstreamClosed.code(), 1000);
        assert_eq!(CloseReason::PongTimeout.code(), 1001);
        let texts = [
            CloseReason::UpstreamInvalidUtf8,
            CloseReason::LineBreakInFrame,
            CloseReason::UpstreamClosed,
        ];
        assert!(texts.iter().all(|r| r.text().len() <= 123));
    }
}
