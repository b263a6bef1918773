//! Secrets and identifiers from the operating system's CSPRNG: the generated root
//! password and image IDs.

use thiserror::Error;

/// The operating system's random source failed.
#[derive(Debug, Error)]
#[error("random source failed: {0}")]
pub struct RandomError(String);

/// Fills `bytes` from the OS CSPRNG.
pub fn fill(bytes: &mut [u8]) -> Result<(), RandomError> {
    getrandom::fill(bytes).map_err(|e| RandomError(e.to_string()))
}

/// A random root password: 24 characters from a 62-letter alphabet (about 142 bits).
pub fn generate_password() -> Result<String, RandomError> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(24);
    while out.len() < 24 {
        let mut byte = [0u8; 1];
        fill(&mut byte)?;
        // Rejection sampling keeps every letter equally likely.
        if usize::from(byte[0]) < 248 {
            out.push(char::from(ALPHABET[usize::from(byte[0]) % ALPHABET.len()]));
        }
    }
    Ok(out)
}

/// A random 128-bit ID as 32 lowercase hex digits: image IDs must not be guessable.
pub fn random_id() -> Result<String, RandomError> {
    let mut bytes = [0u8; 16];
    fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_look_right() {
        let pw = generate_password().unwrap();
        assert_eq!(pw.len(), 24);
        assert!(pw.chars().all(|c| c.is_ascii_alphanumeric()));
        let id = random_id().unwrap();
        assert_eq!(id.len(), 32);
        assert_ne!(id, random_id().unwrap());
    }
}
