//! The server side of the handshake (`WIRE.md` section 2).

use crate::clip::clip;
use crate::crypto::{KeyPair, LineCipher, PublicKey};
use crate::packet::handshake::{Handshake, VERSION_2_1};
use crate::packet::{Body, ErrorKind, Packet, PacketId};

/// A handshake the server accepted.
#[derive(Debug)]
pub struct ServerHandshake {
    /// The plaintext reply to send.
    pub reply_line: String,
    /// The cipher for every later line.
    pub cipher: LineCipher,
}

/// A handshake the server refused: send `reply_line` (plaintext, with the
/// handshake's ID) and close the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeRejection {
    /// The plaintext error reply.
    pub reply_line: String,
    /// Which error it is.
    pub error: ErrorKind,
    /// Why, for the server's log.
    pub reason: String,
}

/// A well-formed client handshake, checked before the server spends anything on it:
/// no key pair exists yet. [`ClientHandshake::accept`] makes the reply.
#[derive(Debug, Clone)]
pub struct ClientHandshake {
    reply_id: PacketId,
    peer: PublicKey,
}

/// Reads the first line of a connection, which must be the client's handshake, and
/// checks it (shape, version, key range) without generating anything: a server calls
/// this first and makes its key pair only for a handshake that passed, so a flood of
/// garbage first lines costs it no big-number work. Only MCP 2.1.0 is accepted.
///
/// The rejection's reply and reason quote the peer's text only through
/// [`crate::clip::clip`], so they stay short whatever the line held.
pub fn parse_handshake(line: &str) -> Result<ClientHandshake, HandshakeRejection> {
    let reject = |id: PacketId, error: ErrorKind, reason: String| {
        let reply_line = Packet::error(id, error.clone(), reason.clone()).encode();
        HandshakeRejection {
            reply_line,
            error,
            reason,
        }
    };
    let packet = match Packet::decode(line.trim()) {
        Ok(packet) => packet,
        Err(e) => {
            return Err(reject(
                e.reply_id(),
                ErrorKind::PacketDataIncorrect,
                format!("expected a handshake: {}", clip(&e.to_string())),
            ));
        }
    };
    let reply_id = packet.id.reply_id();
    let Body::Handshake(Handshake {
        version,
        public_key,
    }) = packet.body
    else {
        return Err(reject(
            reply_id,
            ErrorKind::PacketDataIncorrect,
            "the first packet must be Handshake.Handshake".to_owned(),
        ));
    };
    if version != VERSION_2_1 {
        return Err(reject(
            reply_id,
            ErrorKind::UnsupportedVersion,
            format!(
                "version {:?} is not supported; this server speaks {VERSION_2_1}",
                clip(&version)
            ),
        ));
    }
    let peer = PublicKey::from_hex(&public_key).map_err(|e| {
        reject(
            reply_id.clone(),
            ErrorKind::PacketDataIncorrect,
            format!("bad public key: {e}"),
        )
    })?;
    Ok(ClientHandshake { reply_id, peer })
}

impl ClientHandshake {
    /// The reply carrying `keypair`'s public key, and the cipher for every later
    /// line. `keypair` must be fresh for this connection.
    pub fn accept(self, keypair: &KeyPair) -> ServerHandshake {
        let reply = Packet::new(
            self.reply_id,
            Body::Handshake(Handshake {
                version: VERSION_2_1.to_owned(),
                public_key: keypair.public().to_hex(),
            }),
        );
        ServerHandshake {
            reply_line: reply.encode(),
            cipher: LineCipher::new(&keypair.shared_secret(&self.peer).mcp_key()),
        }
    }
}

/// [`parse_handshake`] then [`ClientHandshake::accept`], for callers that already
/// hold a key pair (tests, the browser app's in-memory peers).
pub fn accept_handshake(
    line: &str,
    keypair: &KeyPair,
) -> Result<ServerHandshake, HandshakeRejection> {
    Ok(parse_handshake(line)?.accept(keypair))
}
