//! `Handshake.Handshake`: the one plaintext exchange that sets up encryption.

use serde::{Deserialize, Serialize};

/// The protocol version this project speaks.
pub const VERSION_2_1: &str = "2.1.0";
/// The version our client falls back to against older servers (`WIRE.md` section 10).
pub const VERSION_2_0: &str = "2.0.0";

/// Both directions of the handshake carry the same object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handshake {
    /// MCP version, `2.1.0` here.
    pub version: String,
    /// The sender's Diffie-Hellman public key, hex.
    #[serde(rename = "publicKey")]
    pub public_key: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_spec_fixture() {
        let json = r#"{"version":"2.1.0","publicKey":"0abc"}"#;
        let h: Handshake = serde_json::from_str(json).unwrap();
        assert_eq!(h.version, VERSION_2_1);
        assert_eq!(serde_json::to_string(&h).unwrap(), json);
    }
}
