//! Property test of the relay's framing over real sockets: however the server's
//! byte stream is cut into writes, the browser gets exactly its non-blank complete
//! lines; whatever frames the browser sends, the server gets them joined by `\n`.

#[path = "support/mod.rs"]
mod support;

use futures_util::SinkExt;
use proptest::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;

use support::*;

struct Fixture {
    runtime: tokio::runtime::Runtime,
    upstream: Upstream,
    bridge: Bridge,
}

fn fixture() -> Fixture {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (upstream, bridge) = runtime.block_on(async {
        let upstream = Upstream::start().await;
        let bridge = Bridge::start(upstream.config()).await;
        (upstream, bridge)
    });
    Fixture {
        runtime,
        upstream,
        bridge,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn server_lines_arrive_as_frames_under_any_chunking(
        lines in proptest::collection::vec("[^\n\r]{0,40}", 0..24),
        cuts in proptest::collection::vec(0usize..2000, 0..24),
        crlf in any::<bool>(),
        partial_tail in "[^\n\r]{0,10}",
    ) {
        thread_local!(static FIXTURE: Fixture = fixture());
        let terminator = if crlf { "\r\n" } else { "\n" };
        let mut stream: String = lines.iter().map(|l| format!("{l}{terminator}")).collect();
        stream.push_str(&partial_tail);
        let bytes = stream.into_bytes();
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (bytes.len() + 1)).collect();
        cuts.push(bytes.len());
        cuts.sort_unstable();
        let expected: Vec<String> = lines
            .iter()
            .filter(|l| !l.bytes().all(|b| b.is_ascii_whitespace()))
            .cloned()
            .collect();

        let (code, got) = FIXTURE.with(|f| f.runtime.block_on(async {
            let mut ws = connect(&f.bridge.url("/ws")).await;
            let mut server = f.upstream.accept().await;
            let mut from = 0;
            for cut in cuts {
                server.write_all(&bytes[from..cut]).await.unwrap();
                from = cut;
                tokio::task::yield_now().await;
            }
            drop(server);
            let (code, _, texts) = close_of(&mut ws).await;
            (code, texts)
        }));
        prop_assert_eq!(code, 1000);
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn browser_frames_arrive_as_lines(
        frames in proptest::collection::vec("[^\n\r]{0,60}", 1..40),
    ) {
        thread_local!(static FIXTURE: Fixture = fixture());
        let expected: String = frames.iter().map(|f| format!("{f}\n")).collect();
        let got = FIXTURE.with(|f| f.runtime.block_on(async {
            let mut ws = connect(&f.bridge.url("/ws")).await;
            let mut server = f.upstream.accept().await;
            for frame in &frames {
                ws.feed(Message::text(frame.clone())).await.unwrap();
            }
            within(ws.close(None)).await.unwrap();
            let mut got = Vec::new();
            within(server.read_to_end(&mut got)).await.unwrap();
            got
        }));
        prop_assert_eq!(String::from_utf8(got).unwrap(), expected);
    }
}
