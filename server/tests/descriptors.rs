//! Issue 12 item 7: open file descriptors. The real binary under a lowered
//! `ulimit -n`: it raises the soft limit it can, logs both, and fits its connection
//! cap under what it cannot raise, still serving an honest client on 127.0.0.1
//! while silent sockets from 127.0.0.2 hold what slots there are.

mod common;

use common::*;

#[tokio::test]
async fn the_soft_limit_is_raised_to_the_hard_one_and_logged() {
    // 100 connections fit under any hard limit a test machine has.
    let server = ServerProcess::start(Some("-Sn 256"), &["--max-connections", "100"]);
    assert!(server.wait_for_log("open-file limit").await);
    let log = server.log();
    let line = log.lines().find(|l| l.contains("open-file limit")).unwrap();
    assert!(line.contains("soft_before=256"), "{line}");
    let hard = line.split("hard=").nth(1).unwrap().trim();
    assert!(line.contains(&format!("soft={hard}")), "{line}");
    assert!(!log.contains("lowered the connection cap"), "{log}");
    let mut c = Client::connect(server.addr()).await;
    c.login_ok("root", ROOT_PASSWORD).await;
}

#[tokio::test]
async fn a_limit_that_cannot_carry_the_connections_lowers_the_cap_and_serving_goes_on() {
    // 64 descriptors, soft and hard: (64 - 32 reserved) / 5 per connection = 6.
    let server = ServerProcess::start(
        Some("-n 64"),
        &[
            "--max-connections",
            "1000",
            "--max-connections-per-ip",
            "0",
            "--handshake-timeout",
            "1s",
        ],
    );
    assert!(server.wait_for_log("lowered the connection cap").await);
    let log = server.log();
    assert!(log.contains("soft_before=64 soft=64 hard=64"), "{log}");
    assert!(log.contains("effective=6"), "{log}");
    // More silent sockets than slots: they take the six, the rest wait, and every
    // one is closed at its handshake deadline, so the honest client gets its turn.
    let mut silent = Vec::new();
    for _ in 0..10 {
        silent.push(connect_from(server.addr(), attacker_ip()).await);
    }
    let mut c = Client::connect(server.addr()).await;
    c.login_ok("root", ROOT_PASSWORD).await;
    for s in &mut silent {
        assert!(closed_within(s, WAIT).await);
    }
    assert!(!server.log().contains("accept failed"), "{}", server.log());
}
