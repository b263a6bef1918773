//! Hostile HTTP clients, from 127.0.0.2 and up, while an honest client on
//! 127.0.0.1 keeps working.

use std::time::Duration;

use tokio::io::AsyncWriteExt;

use crate::support::*;

/// Pipelined requests a client writes at most (10 MiB of them).
const REQUESTS: usize = 200_000;

/// What a client that reads nothing may get the bridge to take: the two kernel
/// buffers between them (the client's small send buffer, the bridge's receive
/// buffer, which does not grow while the bridge reads little) and one request head.
const TAKEN_AT_MOST: usize = 4 << 20;

#[tokio::test]
async fn pipelined_requests_from_a_client_that_does_not_read_are_bounded_and_closed() {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("big.bin"), vec![7u8; 1 << 20]).unwrap();
    let upstream = echo_upstream().await;
    let config = quick_close(miricat_bridge::Config {
        write_timeout: Duration::from_millis(300),
        ..miricat_bridge::Config::for_upstream(upstream.to_string()).with_static_dir(dist.path())
    });
    let bridge = Bridge::start(config).await;
    let small = Buffers {
        send: Some(32 * 1024),
        recv: Some(16 * 1024),
    };
    let mut stream = connect_from(3, bridge.addr, small).await;
    let request = b"GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    let written = within(async {
        let mut written = 0;
        for _ in 0..REQUESTS {
            if stream.write_all(request).await.is_err() {
                return written;
            }
            written += request.len();
        }
        panic!("the bridge took {written} bytes of requests it could not answer");
    })
    .await;
    assert!(
        written <= TAKEN_AT_MOST,
        "the bridge took {written} bytes of requests from a client that reads nothing"
    );
    let health = http_get(bridge.addr, "/healthz", &[]).await;
    assert_eq!(health.status, 200);
    bridge.stop().await;
}
