//! Frames to lines and lines to frames, however TCP cuts or joins them.

use futures_util::SinkExt;
use tokio::io::AsyncWriteExt;
use tokio_tungstenite::tungstenite::Message;

use crate::support::*;

#[tokio::test]
async fn browser_frames_become_lines_and_lines_become_frames() {
    let upstream = Upstream::start().await;
    let bridge = Bridge::start(upstream.config()).await;
    let mut ws = connect(&bridge.url("/ws")).await;
    let mut server = upstream.accept().await;

    send_text(&mut ws, "{\"hello\":1}").await;
    send_text(&mut ws, "second é").await;
    let expected = "{\"hello\":1}\nsecond é\n";
    assert_eq!(
        read_exactly(&mut server, expected.len()).await,
        expected.as_bytes()
    );

    server.write_all(b"{\"reply\":2}\n").await.unwrap();
    assert_eq!(next_text(&mut ws).await, "{\"reply\":2}");
    bridge.stop().await;
}

#[tokio::test]
async fn fragmented_and_coalesced_upstream_reads_give_whole_lines() {
    let upstream = Upstream::start().await;
    let bridge = Bridge::start(upstream.config()).await;
    let mut ws = connect(&bridge.url("/ws")).await;
    let mut server = upstream.accept().await;

    // Fragmented: one line in three writes, a CRLF split between writes.
    for piece in [&b"hel"[..], b"lo wor", b"ld\r", b"\n"] {
        server.write_all(piece).await.unwrap();
        server.flush().await.unwrap();
    }
    assert_eq!(next_text(&mut ws).await, "hello world");

    // Coalesced: many lines and blank lines in one write.
    let mut many = String::new();
    for i in 0..100 {
        many.push_str(&format!("line {i}\r\n\n"));
    }
    server.write_all(many.as_bytes()).await.unwrap();
    for i in 0..100 {
        assert_eq!(next_text(&mut ws).await, format!("line {i}"));
    }
    bridge.stop().await;
}

#[tokio::test]
async fn many_browser_frames_sent_at_once_arrive_in_order() {
    let upstream = Upstream::start().await;
    let bridge = Bridge::start(upstream.config()).await;
    let mut ws = connect(&bridge.url("/ws")).await;
    let mut server = upstream.accept().await;

    let mut expected = Vec::new();
    for i in 0..500 {
        let line = format!("{{\"n\":{i},\"pad\":\"{}\"}}", "x".repeat(i % 50));
        ws.feed(Message::text(line.clone())).await.unwrap();
        expected.extend_from_slice(line.as_bytes());
        expected.push(b'\n');
    }
    within(ws.flush()).await.unwrap();
    assert_eq!(read_exactly(&mut server, expected.len()).await, expected);
    bridge.stop().await;
}

#[tokio::test]
async fn empty_lines_are_skipped_and_a_partial_last_line_is_dropped() {
    let upstream = Upstream::start().await;
    let bridge = Bridge::start(upstream.config()).await;
    let mut ws = connect(&bridge.url("/ws")).await;
    let mut server = upstream.accept().await;

    server
        .write_all(b"\n\r\n  \nfirst\n\nsecond\npartial")
        .await
        .unwrap();
    drop(server);
    let (code, _, texts) = close_of(&mut ws).await;
    assert_eq!(texts, ["first", "second"]);
    assert_eq!(code, 1000);
    bridge.stop().await;
}

#[tokio::test]
async fn named_upstreams_are_reached_by_path_and_nothing_else_is() {
    let default = Upstream::start().await;
    let eu = Upstream::start().await;
    let config = default.config().with_upstream("eu", eu.addr.to_string());
    let bridge = Bridge::start(config).await;

    let mut ws = connect(&bridge.url("/ws/eu")).await;
    let mut server = eu.accept().await;
    send_text(&mut ws, "to eu").await;
    assert_eq!(read_exactly(&mut server, 6).await, b"to eu\n");

    assert_eq!(
        refusal_status(connect_with(&bridge.url("/ws/us"), &[]).await),
        404
    );
    assert_eq!(
        refusal_status(connect_with(&bridge.url("/ws/../ws"), &[]).await),
        404
    );
    bridge.stop().await;

    // Without an unnamed upstream, /ws is 404 too.
    let only_named =
        quick_close(miricat_bridge::Config::default().with_upstream("eu", eu.addr.to_string()));
    let bridge = Bridge::start(only_named).await;
    assert_eq!(
        refusal_status(connect_with(&bridge.url("/ws"), &[]).await),
        404
    );
    bridge.stop().await;
}
