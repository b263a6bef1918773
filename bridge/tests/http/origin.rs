//! The Origin check: 403 before the upgrade for foreign pages.

use crate::support::*;

#[tokio::test]
async fn foreign_origins_are_refused_with_403_and_own_or_listed_ones_pass() {
    let upstream = echo_upstream().await;
    let config = quick_close(miricat_bridge::Config {
        allowed_origins: vec!["https://app.example.com".into()],
        ..miricat_bridge::Config::for_upstream(upstream.to_string())
    });
    let bridge = Bridge::start(config).await;
    let url = bridge.url("/ws");

    let refused = connect_with(&url, &[("Origin", "https://evil.example")]).await;
    assert_eq!(refusal_status(refused), 403);
    let refused = connect_with(&url, &[("Origin", "null")]).await;
    assert_eq!(refusal_status(refused), 403);

    // The bridge's own origin (as the Host header names it), a listed one, and a
    // non-browser client without Origin all pass.
    let own = format!("http://{}", bridge.addr);
    for origin in [Some(own.as_str()), Some("https://app.example.com"), None] {
        let headers: Vec<_> = origin.map(|o| ("Origin", o)).into_iter().collect();
        let mut ws = connect_with(&url, &headers).await.unwrap();
        let text = format!("echo for {origin:?}");
        send_text(&mut ws, &text).await;
        assert_eq!(next_text(&mut ws).await, text);
    }
    bridge.stop().await;
}

#[tokio::test]
async fn the_wildcard_allows_any_origin() {
    let upstream = echo_upstream().await;
    let config = quick_close(miricat_bridge::Config {
        allowed_origins: vec!["*".into()],
        ..miricat_bridge::Config::for_upstream(upstream.to_string())
    });
    let bridge = Bridge::start(config).await;
    let mut ws = connect_with(
        &bridge.url("/ws"),
        &[("Origin", "https://anywhere.example")],
    )
    .await
    .expect("any origin may upgrade");
    // The upgraded socket is relayed, not just accepted.
    send_text(&mut ws, "from anywhere").await;
    assert_eq!(next_text(&mut ws).await, "from anywhere");
    bridge.stop().await;
}
