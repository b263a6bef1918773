//! The MCP Key and per-line AES-256-CTR (`WIRE.md` section 4).
//!
//! Every line is `base64(AES-256-CTR(key, counter = 16 zero bytes, utf8(json)))` with a
//! fresh cipher per line. This reuses one keystream for every packet, which is what the
//! protocol mandates; see the README's security section for what that means.

use aes::Aes256;
use aes::cipher::{InnerIvInit, KeyInit, StreamCipher};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::CryptoError;

/// Length of the MCP Key in bytes (AES-256).
pub const MCP_KEY_LEN: usize = 32;

type Aes256Ctr = ctr::Ctr128BE<Aes256>;

/// The 32-byte AES key both sides derive from the shared secret.
#[derive(Clone, PartialEq, Eq)]
pub struct McpKey([u8; MCP_KEY_LEN]);

impl std::fmt::Debug for McpKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.write_str("McpKey(..)")
    }
}

impl McpKey {
    /// Wraps raw key bytes (normally from [`super::SharedSecret::mcp_key`]).
    pub fn from_bytes(bytes: [u8; MCP_KEY_LEN]) -> Self {
        Self(bytes)
    }

    /// The raw bytes, for test vectors.
    pub fn as_bytes(&self) -> &[u8; MCP_KEY_LEN] {
        &self.0
    }
}

/// Encrypts and decrypts lines under one MCP Key.
///
/// The AES key schedule is expanded once here and reused for every line; each line
/// still starts a fresh counter at zero, as the protocol requires.
#[derive(Clone)]
pub struct LineCipher {
    aes: Aes256,
}

impl std::fmt::Debug for LineCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LineCipher(..)")
    }
}

impl LineCipher {
    /// A cipher for the given key.
    pub fn new(key: &McpKey) -> Self {
        Self {
            aes: Aes256::new(&key.0.into()),
        }
    }

    fn apply_keystream(&self, bytes: &mut [u8]) {
        let core = ctr::CtrCore::<Aes256, ctr::flavors::Ctr128BE>::inner_iv_init(
            self.aes.clone(),
            &[0u8; 16].into(),
        );
        let mut ctr = Aes256Ctr::from_core(core);
        ctr.apply_keystream(bytes);
    }

    /// The encrypted line (base64, no terminator) for one packet's JSON text.
    pub fn encrypt_line(&self, plaintext: &str) -> String {
        let mut bytes = plaintext.as_bytes().to_vec();
        self.apply_keystream(&mut bytes);
        BASE64.encode(bytes)
    }

    /// The JSON text of one encrypted line. Surrounding whitespace around the base64
    /// is ignored; the decrypted text is returned as it is (callers trim it).
    pub fn decrypt_line(&self, line: &str) -> Result<String, CryptoError> {
        let mut bytes = BASE64
            .decode(line.trim())
            .map_err(|_| CryptoError::NotBase64)?;
        self.apply_keystream(&mut bytes);
        String::from_utf8(bytes).map_err(|_| CryptoError::NotUtf8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher(byte: u8) -> LineCipher {
        LineCipher::new(&McpKey::from_bytes([byte; MCP_KEY_LEN]))
    }

    #[test]
    fn round_trips_and_restarts_the_counter_per_line() {
        let c = cipher(7);
        let a = c.encrypt_line("{\"type\":\"Heartbeat.Ping.1\"}");
        let b = c.encrypt_line("{\"type\":\"Heartbeat.Ping.1\"}");
        assert_eq!(
            a, b,
            "same plaintext, same line: the counter restarts at zero"
        );
        assert_eq!(
            c.decrypt_line(&a).unwrap(),
            "{\"type\":\"Heartbeat.Ping.1\"}"
        );
    }

    #[test]
    fn reports_bad_base64_and_wrong_keys() {
        assert_eq!(
            cipher(1).decrypt_line("not base64 !!"),
            Err(CryptoError::NotBase64)
        );
        // 200 bytes of JSON decrypted under another key are (overwhelmingly) not UTF-8.
        let line = cipher(1).encrypt_line(&"x".repeat(200));
        assert_eq!(cipher(2).decrypt_line(&line), Err(CryptoError::NotUtf8));
    }

    #[test]
    fn never_prints_key_material() {
        assert_eq!(format!("{:?}", McpKey::from_bytes([9; 32])), "McpKey(..)");
    }
}
