//! Hostile `history/1` clients on 127.0.0.2 asking for full pages as fast as they can
//! while an honest client on 127.0.0.1 chats: its messages are served in between,
//! not after the flood.

mod common;
mod history_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use common::*;
use history_support::*;
use miricat_shared::packet::extension::ExtensionSet;
use miricat_shared::session::{ClientSession, Event, ProtocolVersion};
use miricat_shared::{KeyPair, LineDecoder};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// A connection from 127.0.0.2, signed in as `name` with `history/1`, joined to `room`.
async fn hostile(server: &TestServer, name: &str, room: u64) -> (ClientSession, TcpStream) {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.2:0".parse().unwrap()).unwrap();
    let mut stream = socket.connect(server.addr()).await.unwrap();
    let mut session = ClientSession::new(ProtocolVersion::V2_1, KeyPair::generate().unwrap());
    session.offer_extensions(ExtensionSet::all());
    let mut decoder = LineDecoder::new(4 * 1024 * 1024);
    let hello = session.handshake_line();
    stream
        .write_all(format!("{hello}\n").as_bytes())
        .await
        .unwrap();
    let mut buf = vec![0u8; 64 * 1024];
    let mut step = 0;
    let deadline = Instant::now() + WAIT;
    while step < 3 {
        assert!(Instant::now() < deadline, "hostile client setup timed out");
        let n = tokio::time::timeout(WAIT, stream.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0, "closed during setup");
        decoder.push(&buf[..n]);
        while let Ok(Some(line)) = decoder.next_line() {
            let next = match session.handle_line(&line, 0) {
                Some(Event::Secured) => Some(session.register(name, "pw").unwrap()),
                Some(Event::Accepted { .. }) => Some(session.join_room(room).unwrap()),
                Some(Event::Reply { .. }) => None,
                _ => continue,
            };
            step += 1;
            if let Some(out) = next {
                stream
                    .write_all(format!("{}\n", out.line).as_bytes())
                    .await
                    .unwrap();
            }
        }
    }
    (session, stream)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_history_requests_does_not_delay_honest_messages() {
    // Slower than the default pace (10 a second after 20): encrypting one 512 KiB
    // page takes about 70 ms in a debug build, so three attackers at the default pace
    // would use both cores of a test machine; in release it takes about 1 ms.
    let server = TestServer::start_with(|c| {
        c.history_rate = miricat_server::RateLimit {
            per_second: 2.0,
            burst: 4,
        }
    })
    .await;
    let room = create_room(&server, "general").await;
    let mut honest = history_user(&server, "honest").await;
    join(&mut honest, room).await;
    for i in 0..40 {
        say(
            &mut honest,
            room,
            &format!("{i:04} {}", "x".repeat(16 * 1024 - 8)),
        )
        .await;
    }
    // Three hostile connections each queue 100 requests for 512 KiB pages, and read
    // the replies as fast as they come. Paced, they would need most of a minute.
    const REQUESTS: usize = 100;
    let lines_read = Arc::new(AtomicUsize::new(0));
    let mut attackers = Vec::new();
    for name in ["eve", "mallory", "trudy"] {
        let (mut session, mut stream) = hostile(&server, name, room).await;
        let mut burst = String::new();
        for _ in 0..REQUESTS {
            let out = session
                .require_history(room, range(None, None, Some(200)))
                .unwrap();
            burst.push_str(&out.line);
            burst.push('\n');
        }
        stream.write_all(burst.as_bytes()).await.unwrap();
        let lines_read = lines_read.clone();
        attackers.push(tokio::spawn(async move {
            let mut buf = vec![0u8; 256 * 1024];
            while let Ok(Ok(n)) = tokio::time::timeout(WAIT, stream.read(&mut buf)).await {
                if n == 0 {
                    break;
                }
                let lines = buf[..n].iter().filter(|&&b| b == b'\n').count();
                lines_read.fetch_add(lines, Ordering::Relaxed);
            }
        }));
    }
    // Meanwhile the honest client chats; each of its waits is bounded (WAIT), and it
    // is done long before the flood is.
    for i in 0..30 {
        let echo = say(&mut honest, room, &format!("still here {i}")).await;
        assert!(echo.is_some());
    }
    let served = lines_read.load(Ordering::Relaxed);
    assert!(
        served < 3 * REQUESTS,
        "the honest client waited for all {served} pages"
    );
    for attacker in attackers {
        attacker.abort();
    }
}
