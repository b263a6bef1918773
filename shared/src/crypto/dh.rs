//! RFC 3526 group 5 ("modp5") Diffie-Hellman as MCP uses it (`WIRE.md` sections 2, 3).

use super::CryptoError;
use super::cipher::{MCP_KEY_LEN, McpKey};
use miricat_modp5 as modp5;

/// The 1536-bit modp5 prime from RFC 3526, big-endian hex.
pub use miricat_modp5::MODP5_PRIME_HEX;

/// The group generator.
pub const GENERATOR: u32 = 2;

/// Length of the shared secret and of a public key in bytes (1536 bits).
pub const SHARED_SECRET_LEN: usize = 192;

/// A public key is always sent as exactly this many hex digits.
pub const PUBLIC_KEY_HEX_LEN: usize = SHARED_SECRET_LEN * 2;

/// Size of our private exponents: 256 bits.
///
/// RFC 3526 rates modp5 at roughly 90 to 120 bits of strength and advises an exponent
/// of at least twice that; 256 bits clears the upper estimate (OpenSSL uses about 200
/// for this group). Modular exponentiation costs time linear in the exponent's bits,
/// so this is six times cheaper than a full 1536-bit exponent, which matters in the
/// browser where every handshake runs in wasm.
pub const PRIVATE_EXPONENT_BYTES: usize = 32;

/// The prime as [`SHARED_SECRET_LEN`] big-endian bytes.
const _: () = assert!(SHARED_SECRET_LEN == miricat_modp5::MODP5_LEN);
pub(crate) const MODP5_PRIME_BE: [u8; SHARED_SECRET_LEN] = miricat_modp5::MODP5_PRIME_BE;

/// `p - 2`, the largest public key we accept.
const LARGEST_PUBLIC_KEY: [u8; SHARED_SECRET_LEN] = {
    let mut bytes = MODP5_PRIME_BE;
    // p ends in 0xff, so this never borrows.
    bytes[SHARED_SECRET_LEN - 1] -= 2;
    bytes
};

/// One side's Diffie-Hellman key pair. Make a fresh one per connection (`WIRE.md`
/// section 2): reusing one would give every session the same long-term secret.
#[derive(Clone)]
pub struct KeyPair {
    /// Big-endian; its length is public, its bits are not.
    private: Box<[u8]>,
    public: PublicKey,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the private exponent.
        f.debug_struct("KeyPair")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl KeyPair {
    /// A fresh key pair with a [`PRIVATE_EXPONENT_BYTES`]-byte exponent from the
    /// platform CSPRNG (the OS natively, Web Crypto in the browser).
    pub fn generate() -> Result<Self, CryptoError> {
        let mut bytes = [0u8; PRIVATE_EXPONENT_BYTES];
        getrandom::fill(&mut bytes).map_err(|e| CryptoError::Random(e.to_string()))?;
        // Force the top bit so every exponent has the full size; an exponent below 2
        // is then impossible too.
        bytes[0] |= 0x80;
        Ok(Self::from_private_bytes(&bytes))
    }

    /// The key pair for a given private exponent (big-endian, any length). For test
    /// vectors and for replaying captured sessions.
    pub fn from_private_bytes(private_be: &[u8]) -> Self {
        let public = PublicKey(modp5::generator_power(private_be));
        Self {
            private: private_be.into(),
            public,
        }
    }

    /// Our public key.
    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// `peer ^ private mod p`, the secret both sides share.
    pub fn shared_secret(&self, peer: &PublicKey) -> SharedSecret {
        SharedSecret(modp5::power(&peer.0, &self.private))
    }
}

/// A validated public key `Y` with `2 <= Y <= p-2`, as fixed-width big-endian bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey([u8; SHARED_SECRET_LEN]);

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({}…)", &self.to_hex()[..16])
    }
}

impl PublicKey {
    /// Exactly [`PUBLIC_KEY_HEX_LEN`] lowercase hex digits, zero-padded on the left:
    /// some servers parse hex two digits at a time and break on odd lengths.
    pub fn to_hex(&self) -> String {
        let mut hex = String::with_capacity(PUBLIC_KEY_HEX_LEN);
        for byte in self.0 {
            hex.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
            hex.push(char::from_digit(u32::from(byte & 0xf), 16).unwrap_or('0'));
        }
        hex
    }

    /// Parses a peer's key as `WIRE.md` section 2 says: any case, any length (odd
    /// lengths read as if a `0` were prefixed), an optional leading `00` byte; then
    /// rejects values outside `2 ..= p-2`.
    pub fn from_hex(hex: &str) -> Result<Self, CryptoError> {
        let hex = hex.trim();
        // 384 digits, plus the `00` a Java server prepends when the top bit is set.
        let max = PUBLIC_KEY_HEX_LEN + 2;
        if hex.len() > max {
            return Err(CryptoError::KeyTooLong { max });
        }
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(CryptoError::KeyNotHex);
        }
        // Right-aligned nibbles: an odd length reads as if a `0` were prefixed.
        let mut wide = [0u8; SHARED_SECRET_LEN + 1];
        for (position, digit) in hex.bytes().rev().enumerate() {
            let value = (digit as char).to_digit(16).unwrap_or(0) as u8;
            let byte = &mut wide[SHARED_SECRET_LEN - position / 2];
            *byte |= if position % 2 == 0 { value } else { value << 4 };
        }
        // The extra byte is the optional `00`; anything else is at least 2^1536.
        let mut value = [0u8; SHARED_SECRET_LEN];
        value.copy_from_slice(&wide[1..]);
        let at_least_two = value[..SHARED_SECRET_LEN - 1].iter().any(|&b| b != 0)
            || value[SHARED_SECRET_LEN - 1] >= 2;
        if wide[0] != 0 || !at_least_two || value > LARGEST_PUBLIC_KEY {
            return Err(CryptoError::KeyOutOfRange);
        }
        Ok(Self(value))
    }
}

/// The shared secret `Z`, always [`SHARED_SECRET_LEN`] bytes big-endian with leading
/// zero bytes kept: the MCP Key is taken from this fixed-width form.
#[derive(Clone, PartialEq, Eq)]
pub struct SharedSecret([u8; SHARED_SECRET_LEN]);

impl std::fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedSecret(..)")
    }
}

impl SharedSecret {
    /// The 192 bytes.
    pub fn as_bytes(&self) -> &[u8; SHARED_SECRET_LEN] {
        &self.0
    }

    /// The MCP Key: the first 32 bytes of the zero-padded secret (`WIRE.md` section 3).
    pub fn mcp_key(&self) -> McpKey {
        let mut key = [0u8; MCP_KEY_LEN];
        key.copy_from_slice(&self.0[..MCP_KEY_LEN]);
        McpKey::from_bytes(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_agree_and_are_fresh() {
        let a = KeyPair::generate().unwrap();
        let b = KeyPair::generate().unwrap();
        assert_ne!(a.public(), b.public());
        assert_eq!(a.shared_secret(b.public()), b.shared_secret(a.public()));
        assert_eq!(a.public().to_hex().len(), PUBLIC_KEY_HEX_LEN);
    }

    fn hex_of(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn rejects_keys_that_force_a_known_secret() {
        let mut p_minus_1 = MODP5_PRIME_BE;
        p_minus_1[SHARED_SECRET_LEN - 1] -= 1;
        let p_minus_1 = hex_of(&p_minus_1);
        let two_to_1536 = format!("1{}", "0".repeat(PUBLIC_KEY_HEX_LEN));
        let all_ones = "f".repeat(PUBLIC_KEY_HEX_LEN);
        for bad in [
            "0",
            "1",
            "00",
            p_minus_1.as_str(),
            MODP5_PRIME_HEX,
            &all_ones,
            &two_to_1536,
        ] {
            assert_eq!(
                PublicKey::from_hex(bad),
                Err(CryptoError::KeyOutOfRange),
                "{bad}"
            );
        }
        assert!(PublicKey::from_hex("2").is_ok());
        let largest = PublicKey::from_hex(&hex_of(&LARGEST_PUBLIC_KEY)).unwrap();
        assert_eq!(largest.to_hex(), hex_of(&LARGEST_PUBLIC_KEY));
        let java_style = format!("00{}", hex_of(&LARGEST_PUBLIC_KEY));
        assert_eq!(PublicKey::from_hex(&java_style).unwrap(), largest);
    }

    #[test]
    fn rejects_non_hex_and_over_long_keys() {
        assert_eq!(PublicKey::from_hex(""), Err(CryptoError::KeyNotHex));
        assert_eq!(PublicKey::from_hex("12g4"), Err(CryptoError::KeyNotHex));
        assert_eq!(PublicKey::from_hex("+12"), Err(CryptoError::KeyNotHex));
        assert_eq!(
            PublicKey::from_hex(&"0".repeat(387)),
            Err(CryptoError::KeyTooLong { max: 386 })
        );
    }

    #[test]
    fn reads_odd_lengths_and_upper_case() {
        assert_eq!(
            PublicKey::from_hex("abc").unwrap(),
            PublicKey::from_hex("0ABC").unwrap()
        );
        assert_eq!(
            PublicKey::from_hex("abc").unwrap().to_hex(),
            format!("{:0>384}", "abc")
        );
    }
}
