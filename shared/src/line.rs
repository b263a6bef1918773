//! Reading one line after the handshake (`WIRE.md` section 5).
//!
//! Servers send some packets in plaintext even once encryption is on, so a line whose
//! first non-blank character is `{` is JSON as it stands and any other line is base64
//! ciphertext.

/// What a received line is, before any JSON parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineForm<'a> {
    /// Whitespace only: skip it.
    Blank,
    /// Plaintext JSON (trimmed).
    Plain(&'a str),
    /// Base64 ciphertext (trimmed).
    Cipher(&'a str),
}

/// Classifies a line as [`LineForm`].
pub fn classify(line: &str) -> LineForm<'_> {
    let line = line.trim();
    if line.is_empty() {
        LineForm::Blank
    } else if line.starts_with('{') {
        LineForm::Plain(line)
    } else {
        LineForm::Cipher(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_lines() {
        assert_eq!(classify("  \t"), LineForm::Blank);
        assert_eq!(classify(" {\"type\":1} "), LineForm::Plain("{\"type\":1}"));
        assert_eq!(classify("eyJ0eXBl\r"), LineForm::Cipher("eyJ0eXBl"));
    }
}
