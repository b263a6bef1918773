//! A fixture that answers like the public Java MCP 2.0 server captured in the test
//! vectors: version 2.0.0 only, no packet IDs, messages without `room`, plaintext
//! errors each followed by an empty line, and decrypted packets ending in `\n`.

use miricat_shared::packet::auth::Accepted;
use miricat_shared::packet::handshake::Handshake;
use miricat_shared::packet::lenient::Timestamp;
use miricat_shared::packet::message::TextMessage;
use miricat_shared::packet::room::{Joined, RoomInfo};
use miricat_shared::packet::{Body, ErrorKind, Packet, PacketId};
use miricat_shared::{KeyPair, LineCipher, LineDecoder, PublicKey};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Starts the fixture; returns its `tcp://` address.
pub async fn start() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(serve(socket));
        }
    });
    format!("tcp://{addr}")
}

async fn serve(mut socket: TcpStream) {
    let mut decoder = LineDecoder::default();
    let mut buf = [0u8; 4096];
    let mut cipher: Option<LineCipher> = None;
    let mut user = String::new();
    loop {
        let Ok(n) = socket.read(&mut buf).await else {
            return;
        };
        if n == 0 {
            return;
        }
        decoder.push(&buf[..n]);
        while let Ok(Some(line)) = decoder.next_line() {
            let mut replies: Vec<String> = Vec::new();
            match &cipher {
                None => {
                    let Ok(Packet {
                        body: Body::Handshake(h),
                        ..
                    }) = Packet::decode(&line)
                    else {
                        return;
                    };
                    if h.version != "2.0.0" {
                        let error = Packet::new(
                            PacketId::None,
                            Body::Error(miricat_shared::packet::ErrorPacket::new(
                                ErrorKind::UnsupportedVersion,
                                "",
                            )),
                        );
                        let _ = socket
                            .write_all(format!("{}\n\n", error.encode()).as_bytes())
                            .await;
                        return;
                    }
                    let keys = KeyPair::generate().unwrap();
                    let peer = PublicKey::from_hex(&h.public_key).unwrap();
                    cipher = Some(LineCipher::new(&keys.shared_secret(&peer).mcp_key()));
                    let reply = Packet::new(
                        PacketId::None,
                        Body::Handshake(Handshake {
                            version: "2.0.0".into(),
                            public_key: keys.public().to_hex().to_uppercase(),
                        }),
                    );
                    let _ = socket
                        .write_all(format!("{}\n\n", reply.encode()).as_bytes())
                        .await;
                }
                Some(c) => {
                    let Ok(json) = c.decrypt_line(&line) else {
                        let _ = socket
                            .write_all(
                                b"{\"type\":\"Error.PacketDataIncorrect\",\"data\":null}\n\n",
                            )
                            .await;
                        continue;
                    };
                    let Ok(packet) = Packet::decode(json.trim()) else {
                        continue;
                    };
                    let reply = |body| Packet::new(PacketId::None, body).encode() + "\n";
                    match packet.body {
                        Body::Login(credentials) => {
                            user = credentials.username;
                            replies.push(reply(Body::Accepted(Accepted {
                                rooms: vec![RoomInfo {
                                    id: 1,
                                    name: "general".into(),
                                    all_users: vec![],
                                }],
                                heartbeat_rate: 10_000,
                            })));
                            replies.push(
                                r#"{"type":"Authentication.UpdateAccessToken","data":{"accessToken":"x"}}"#.to_owned()
                                    + "\n",
                            );
                        }
                        Body::RoomJoin(r) => replies.push(reply(Body::RoomJoined(Joined {
                            room: r.room,
                            user: user.clone(),
                            all_users: vec![user.clone()],
                        }))),
                        Body::CreateTextMessage(m) => {
                            replies.push(reply(Body::TextMessage(TextMessage {
                                text: m.text,
                                user: user.clone(),
                                time: Timestamp(1_795_930_454_842),
                            })))
                        }
                        _ => {}
                    }
                    for r in replies {
                        let line = c.encrypt_line(&r);
                        let _ = socket.write_all(format!("{line}\n").as_bytes()).await;
                    }
                }
            }
        }
    }
}
