//! The server side of the handshake (`WIRE.md` section 2).

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

/// Reads the first line of a connection, which must be the client's handshake.
///
/// `keypair` must be fresh for this connection. Only MCP 2.1.0 is accepted.
pub fn accept_handshake(
    line: &str,
    keypair: &KeyPair,
) -> Result<ServerHandshake, HandshakeRejection> {
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
                format!("expected a handshake: {e}"),
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
            format!("version {version:?} is not supported; this server speaks {VERSION_2_1}"),
        ));
    }
    let peer = PublicKey::from_hex(&public_key).map_err(|e| {
        reject(
            reply_id.clone(),
            ErrorKind::PacketDataIncorrect,
            format!("bad public key: {e}"),
        )
    })?;
    let reply = Packet::new(
        reply_id,
        Body::Handshake(Handshake {
            version: VERSION_2_1.to_owned(),
            public_key: keypair.public().to_hex(),
        }),
    );
    Ok(ServerHandshake {
        reply_line: reply.encode(),
        cipher: LineCipher::new(&keypair.shared_secret(&peer).mcp_key()),
    })
}
