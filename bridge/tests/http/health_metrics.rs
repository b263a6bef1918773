//! `/healthz` and `/metrics`.

use crate::support::*;

#[tokio::test]
async fn healthz_is_200_when_every_upstream_is_up_and_503_naming_the_down_ones() {
    let up = Upstream::start().await;
    let down_addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let bridge = Bridge::start(up.config()).await;
    let health = http_get(bridge.addr, "/healthz", &[]).await;
    assert_eq!(health.status, 200);
    assert_eq!(health.header("Content-Type"), Some("application/json"));
    assert_eq!(
        health.text(),
        "{\"status\":\"ok\",\"upstreams\":{\"/ws\":\"up\"}}\n"
    );
    bridge.stop().await;

    let bridge = Bridge::start(up.config().with_upstream("eu", down_addr.to_string())).await;
    let health = http_get(bridge.addr, "/healthz", &[]).await;
    assert_eq!(health.status, 503);
    assert_eq!(
        health.text(),
        "{\"status\":\"unavailable\",\"down\":[\"/ws/eu\"],\"upstreams\":{\"/ws\":\"up\",\"/ws/eu\":\"down\"}}\n"
    );
    bridge.stop().await;
}

#[tokio::test]
async fn metrics_count_connections_frames_bytes_refusals_and_close_codes() {
    let upstream = echo_upstream().await;
    let bridge = Bridge::start(quick_close(miricat_bridge::Config::for_upstream(
        upstream.to_string(),
    )))
    .await;
    let mut ws = connect(&bridge.url("/ws")).await;
    send_text(&mut ws, "12345").await;
    assert_eq!(next_text(&mut ws).await, "12345");
    let _ = connect_with(&bridge.url("/ws"), &[("Origin", "https://evil.example")]).await;
    let normal = tokio_tungstenite::tungstenite::protocol::CloseFrame {
        code: 1000.into(),
        reason: "bye".into(),
    };
    within(ws.close(Some(normal))).await.unwrap();
    while futures_util::StreamExt::next(&mut ws).await.is_some() {}

    let text = within(async {
        loop {
            let text = http_get(bridge.addr, "/metrics", &[]).await.text();
            if text.contains("miricat_bridge_connections_open 0\n") {
                return text;
            }
            tokio::task::yield_now().await;
        }
    })
    .await;
    for expected in [
        "miricat_bridge_connections_total 1\n",
        "miricat_bridge_connections_refused_total{reason=\"origin\"} 1\n",
        "miricat_bridge_frames_total{direction=\"to_upstream\"} 1\n",
        "miricat_bridge_frames_total{direction=\"to_browser\"} 1\n",
        "miricat_bridge_bytes_total{direction=\"to_upstream\"} 5\n",
        "miricat_bridge_bytes_total{direction=\"to_browser\"} 5\n",
        "miricat_bridge_close_codes_total{code=\"1000\"} 1\n",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    bridge.stop().await;
}
