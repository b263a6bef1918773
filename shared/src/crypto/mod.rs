//! MCP cryptography (`WIRE.md` sections 2 to 4): modp5 Diffie-Hellman, the MCP Key,
//! and AES-256-CTR line encryption.
//!
//! - [`dh`]: key pairs, public-key hex encoding/parsing/validation, the shared secret
//!   (the exponentiation itself is the `miricat-modp5` crate).
//! - [`cipher`]: the MCP Key and encrypting/decrypting one line.

pub mod cipher;
pub mod dh;

pub use cipher::{LineCipher, MCP_KEY_LEN, McpKey};
pub use dh::{
    KeyPair, PRIVATE_EXPONENT_BYTES, PUBLIC_KEY_HEX_LEN, PublicKey, SHARED_SECRET_LEN, SharedSecret,
};

use thiserror::Error;

/// Everything that can go wrong in key exchange or line encryption. Each variant is
/// a property of the input, never a bug: callers report it and go on.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CryptoError {
    /// The platform's random source failed (for example no Web Crypto in the page).
    #[error("random number source failed: {0}")]
    Random(String),
    /// The peer's public key is not hexadecimal.
    #[error("public key is not hexadecimal")]
    KeyNotHex,
    /// The peer's public key is longer than the group allows.
    #[error("public key is longer than {max} hex digits")]
    KeyTooLong {
        /// Largest accepted length (384 digits plus an optional `00` byte).
        max: usize,
    },
    /// The peer's public key is outside `2 ..= p-2` and would force a known secret.
    #[error("public key is outside 2..=p-2")]
    KeyOutOfRange,
    /// An encrypted line is not valid base64.
    #[error("line is not valid base64")]
    NotBase64,
    /// A decrypted line is not UTF-8 (usually: it was encrypted with another key).
    #[error("decrypted line is not UTF-8 (wrong key?)")]
    NotUtf8,
}
