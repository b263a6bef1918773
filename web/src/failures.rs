//! Plain-words explanations of everything that can go wrong with a connection:
//! WebSocket close codes from the bridge and MCP `Error.*` replies.

use miricat_shared::packet::ErrorPacket;

/// Why a WebSocket closed, for people.
///
/// `ever_opened` tells "could not reach the bridge at all" (wrong address, bridge
/// down) from "the connection dropped".
pub fn explain_close(code: u16, reason: &str, ever_opened: bool) -> String {
    // The codes the bridge sends, and why (bridge/src/close.rs); the reason text it
    // adds is short and safe to show, so it is appended.
    let what = match code {
        1000 => "The chat server closed the connection.",
        1001 => "The bridge closed the connection (restarting, shutting down or idle).",
        1002 => "The bridge reported a WebSocket protocol error.",
        1003 | 1007 => "The bridge refused a message this app sent (bad data).",
        1008 => "The bridge refused this connection.",
        1009 => "A message was too large for the bridge.",
        1011 => "The bridge cannot reach the chat server, which may be down.",
        1012 => "The bridge is restarting.",
        1013 => "The bridge is busy.",
        1014 => "The bridge could not reach the chat server.",
        1006 | 1005 if !ever_opened => {
            "Cannot reach the bridge: it may be down, the address may be wrong, or it may not allow this page."
        }
        1006 | 1005 => "The connection to the bridge was lost.",
        _ => "The connection closed unexpectedly.",
    };
    let reason = reason.trim();
    if reason.is_empty() {
        what.to_owned()
    } else {
        format!("{what} ({reason})")
    }
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
    fn unreachable_bridge_is_told_apart_from_a_dropped_one() {
        assert!(explain_close(1006, "", false).contains("Cannot reach the bridge"));
        assert!(explain_close(1006, "", true).contains("lost"));
        assert_eq!(
            explain_close(1011, "server unreachable", true),
            "The bridge cannot reach the chat server, which may be down. (server unreachable)"
        );
        assert!(explain_close(4999, "", true).contains("unexpectedly"));
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
