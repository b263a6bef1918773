//! Plain-words explanations of everything that can go wrong with a connection, told
//! apart by who failed: the bridge cannot be reached, the bridge closed the socket
//! (its close code says why), the chat server closed the connection, the server
//! refused a request (an MCP `Error.*`), or the server did not answer one in time.

use miricat_shared::packet::ErrorPacket;

/// What a request left unanswered past its deadline says. The heartbeat keeps a
/// live connection busy, so silence means the server lost or ignored the request.
pub const NO_ANSWER: &str = "The server did not answer.";

/// The bridge's reason text for a line from the server over its frame limit: the
/// only 1009 that is not about something this app sent (bridge/src/close.rs).
const SERVER_LINE_TOO_LONG: &str = "server line too long";

/// The bridge's reason text when the chat server closed its side.
const SERVER_CLOSED: &str = "server closed the connection";

/// Why a WebSocket closed, for people.
///
/// `ever_opened` tells "could not reach the bridge at all" (wrong address, bridge
/// down) from "the connection dropped". Close codes the bridge sends are named with
/// the reason text it adds, which is short and safe to show.
pub fn explain_close(code: u16, reason: &str, ever_opened: bool) -> String {
    let reason = reason.trim();
    let what = match code {
        1005 | 1006 if !ever_opened => {
            return "Cannot reach the bridge: it may be down, the address may be wrong, or it may not allow this page.".to_owned();
        }
        1005 | 1006 => {
            return "The connection to the bridge was lost (it ended without a close code)."
                .to_owned();
        }
        1000 if reason.is_empty() || reason == SERVER_CLOSED => {
            return "The chat server closed the connection.".to_owned();
        }
        1000 => "The connection was closed",
        1001 => {
            "The bridge closed the connection: it is restarting or shutting down, or the connection was idle"
        }
        1002 => "The bridge closed the connection: it saw a WebSocket protocol error",
        1003 | 1007 => {
            "The bridge closed the connection: it refused a message this app sent (bad data)"
        }
        1008 => "The bridge refused this connection",
        1009 if reason == SERVER_LINE_TOO_LONG => {
            "The bridge closed the connection: the chat server sent something too large for it"
        }
        1009 => "The bridge closed the connection: a message was too large for it",
        1011 => "The bridge cannot reach the chat server, which may be down",
        1012 => "The bridge is restarting",
        1013 => "The bridge is busy",
        1014 => "The bridge could not reach the chat server",
        _ => "The bridge closed the connection unexpectedly",
    };
    if reason.is_empty() {
        format!("{what} (close code {code}).")
    } else {
        format!("{what} (close code {code}: {reason}).")
    }
}

/// Whether a close says this app's own frame was over the bridge's size limit, so
/// the message in flight must not be sent again.
pub fn is_own_frame_too_large(code: u16, reason: &str) -> bool {
    code == 1009 && reason.trim() != SERVER_LINE_TOO_LONG
}

/// An MCP error in plain words, with the server's own message when it adds
/// something.
pub fn explain_error(error: &ErrorPacket) -> String {
    let plain = error.kind.explanation();
    let message = error.message.trim();
    let same = |a: &str, b: &str| {
        a.trim_end_matches('.')
            .eq_ignore_ascii_case(b.trim_end_matches('.'))
    };
    if message.is_empty() || same(plain, message) {
        plain.to_owned()
    } else {
        format!("{plain} ({message})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use miricat_shared::ErrorKind;

    #[test]
    fn unreachable_bridge_bridge_close_and_server_close_are_told_apart() {
        assert!(explain_close(1006, "", false).starts_with("Cannot reach the bridge"));
        assert!(explain_close(1006, "", true).contains("lost"));
        assert_eq!(
            explain_close(1000, "server closed the connection", true),
            "The chat server closed the connection."
        );
        assert_eq!(
            explain_close(1011, "server unreachable", true),
            "The bridge cannot reach the chat server, which may be down (close code 1011: server unreachable)."
        );
        assert_eq!(
            explain_close(1001, "", true),
            "The bridge closed the connection: it is restarting or shutting down, or the connection was idle (close code 1001)."
        );
        assert!(explain_close(4999, "", true).contains("unexpectedly (close code 4999)"));
    }

    #[test]
    fn only_a_1009_about_our_own_frame_blames_what_we_sent() {
        assert!(is_own_frame_too_large(1009, "frame too long"));
        assert!(is_own_frame_too_large(1009, ""));
        assert!(!is_own_frame_too_large(1009, "server line too long"));
        assert!(!is_own_frame_too_large(1006, ""));
        assert!(explain_close(1009, "server line too long", true).contains("the chat server sent"));
        assert!(explain_close(1009, "frame too long", true).contains("a message was too large"));
    }

    #[test]
    fn mcp_errors_use_the_shared_explanations() {
        let e = ErrorPacket::new(ErrorKind::UserPasswordInvalid, "");
        assert_eq!(explain_error(&e), "Wrong password.");
        let e = ErrorPacket::new(ErrorKind::UserPasswordInvalid, "wrong password");
        assert_eq!(
            explain_error(&e),
            "Wrong password.",
            "no echo of the same words"
        );
        let e = ErrorPacket::new(ErrorKind::RoomNotFound, "no room 9");
        assert_eq!(explain_error(&e), "That room does not exist. (no room 9)");
    }
}
