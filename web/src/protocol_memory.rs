//! Which MCP version worked with a bridge, remembered across visits so a second
//! sign-in to an MCP 2.0 server offers 2.0.0 at once instead of being refused
//! first.
//!
//! The memory is a hint, never a lock-in: a remembered 2.0.0 is offered with the
//! fallback to 2.1.0 still armed (a server upgraded to 2.1 only is recovered from at
//! the next sign-in), and after [`RECHECK_AFTER_MS`] 2.1.0 is offered first again,
//! so a server upgraded to one that speaks both is noticed too. Pure, so it is
//! tested natively; `services::storage` keeps the text.

use miricat_shared::session::ProtocolVersion;

/// How long a remembered 2.0.0 is trusted before 2.1.0 is tried first again.
pub const RECHECK_AFTER_MS: u64 = 24 * 60 * 60 * 1000;

/// The stored form: `"<version>@<epoch ms>"`.
pub fn encode(version: ProtocolVersion, at_ms: u64) -> String {
    format!("{}@{at_ms}", version.as_str())
}

/// The version to offer first at `now_ms`, given what was stored (if anything).
/// Anything unreadable means 2.1.0, the version we prefer.
pub fn first_offer(stored: Option<&str>, now_ms: u64) -> ProtocolVersion {
    let remembered = stored.and_then(|text| {
        let (version, at) = text.split_once('@')?;
        let at: u64 = at.parse().ok()?;
        (version == ProtocolVersion::V2_0.as_str()).then_some(at)
    });
    match remembered {
        Some(at) if now_ms.saturating_sub(at) < RECHECK_AFTER_MS => ProtocolVersion::V2_0,
        _ => ProtocolVersion::V2_1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_2_0_is_offered_first_until_it_is_old() {
        let stored = encode(ProtocolVersion::V2_0, 1_000);
        assert_eq!(stored, "2.0.0@1000");
        assert_eq!(first_offer(Some(&stored), 1_000), ProtocolVersion::V2_0);
        assert_eq!(
            first_offer(Some(&stored), 1_000 + RECHECK_AFTER_MS - 1),
            ProtocolVersion::V2_0
        );
        assert_eq!(
            first_offer(Some(&stored), 1_000 + RECHECK_AFTER_MS),
            ProtocolVersion::V2_1,
            "a day later 2.1.0 goes first again"
        );
    }

    #[test]
    fn nothing_2_1_or_garbage_means_2_1() {
        let v21 = encode(ProtocolVersion::V2_1, 5);
        for stored in [
            None,
            Some(v21.as_str()),
            Some("2.0.0"),
            Some("2.0.0@x"),
            Some(""),
        ] {
            assert_eq!(first_offer(stored, 10), ProtocolVersion::V2_1, "{stored:?}");
        }
    }
}
