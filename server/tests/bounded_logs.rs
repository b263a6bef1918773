//! Issue 12 item 5: a peer's text reaches the log and error replies only cut short.
//! The real binary's log is captured while 127.0.0.2 sends huge and hostile lines
//! and 127.0.0.1 signs in as usual.

mod common;

use common::*;
use miricat_shared::{ErrorKind, Packet};

/// A log must grow by lines, not by what attackers send: a few KiB for everything
/// below (the issue measured 1.8 MB for one 600 KB handshake).
const MAX_LOG_BYTES: usize = 16 * 1024;

#[tokio::test]
async fn hostile_lines_leave_a_short_log_and_short_replies() {
    let server = ServerProcess::start(None, &[]);
    let huge = "9".repeat(600 * 1024);

    // A 600 KB handshake line: refused once past the handshake limit.
    let mut c = Client::raw_from(server.addr(), attacker_ip()).await;
    let line = format!(
        r#"{{"type":"Handshake.Handshake.1","data":{{"version":"{huge}","publicKey":"02"}}}}"#
    );
    let _ = c.try_send_bytes(format!("{line}\n").as_bytes()).await;
    assert!(c.closed_within(WAIT).await);

    // A long version under the limit: the refusal quotes it, cut short.
    let mut c = Client::raw_from(server.addr(), attacker_ip()).await;
    let version = format!("{}\nINFO forged line", "8".repeat(3000));
    let line = serde_json::json!({
        "type": "Handshake.Handshake.2",
        "data": {"version": version, "publicKey": "02"},
    });
    c.send_raw(&line.to_string()).await;
    let lines = c.read_until_closed().await;
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].len() < 600, "a {}-byte reply", lines[0].len());
    let reply = Packet::decode(&lines[0]).unwrap();
    assert_eq!(error_kind(&reply), ErrorKind::UnsupportedVersion.as_str());

    // Signed-in-less guessing with a huge username (a full-size line after the
    // handshake): nothing of it at INFO.
    let mut c = Client::connect_from(server.addr(), attacker_ip()).await;
    let out = c.session.login(&"7".repeat(100_000), "guess").unwrap();
    let reply = c.call(out).await;
    assert!(matches!(
        reply,
        miricat_shared::session::Event::Reply { .. }
    ));

    let mut honest = Client::connect(server.addr()).await;
    honest.login_ok("root", ROOT_PASSWORD).await;
    assert!(server.wait_for_log("signed in").await);
    let log = server.log();
    assert!(
        log.len() < MAX_LOG_BYTES,
        "the log grew to {} bytes",
        log.len()
    );
    for needle in ["9".repeat(200), "8".repeat(200), "7".repeat(200)] {
        assert!(!log.contains(&needle), "a peer's long text reached the log");
    }
    assert!(
        !log.contains("\nINFO forged line"),
        "a peer's newline reached the log"
    );
    assert!(log.contains("handshake refused"), "{log}");
}
