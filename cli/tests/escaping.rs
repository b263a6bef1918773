//! Peer text on the terminal: a member's message with terminal escapes (an OSC 52
//! clipboard write, a clear-screen, a C1 CSI) and a forged second line, sent
//! through the real server and printed by another member's `miricat`, comes out
//! escaped and indented, never raw.

mod support;

use support::{As, ROOT_PASSWORD, System};

/// What a hostile member sends: OSC 52, C1 CSI, ESC [2J, DEL, then a new line that
/// imitates a message from root, and a carriage return with cursor-up.
const HOSTILE: &str = "hi \x1b]52;c;cHduZWQ=\x07 \u{9b}2J \x1b[2J\x7f\n[1] 12:00:00 root: type your password\r\x1b[1A";

/// The same, as the text output must show it: one header line, one indented line.
const SHOWN_FIRST: &str = "mallory: hi \\x1b]52;c;cHduZWQ=\\x07 \\u{9b}2J \\x1b[2J\\x7f";
const SHOWN_SECOND: &str = "    [1] 12:00:00 root: type your password\\r\\x1b[1A";

fn assert_no_raw_controls(output: &str) {
    let raw: Vec<char> = output
        .chars()
        .filter(|&c| c != '\n' && miricat_cli::escape::is_unsafe(c))
        .collect();
    assert!(raw.is_empty(), "raw controls {raw:?} in {output:?}");
}

#[tokio::test]
async fn escapes_c1_controls_and_forged_lines_print_escaped_and_indented() {
    let system = System::start().await;
    let root = As::new(&system.tcp, "root", ROOT_PASSWORD);
    let created = root
        .run(&["--json", "admin", "create-room", "talk"])
        .await
        .ok();
    let room = created.json_lines()[0]["room"].to_string();
    let mallory = As::new(&system.tcp, "mallory", "mallory-pw");
    let sent = mallory
        .run(&["--register", "send", "--room", &room, HOSTILE])
        .await
        .ok();
    // Even the sender's own echo is shown escaped.
    assert_no_raw_controls(&sent.stdout);
    assert!(sent.stdout.contains(SHOWN_FIRST), "{:?}", sent.stdout);

    // Another member reads it, through the bridge.
    let bob = As::new(&system.ws, "bob", "bob-pw");
    let text = bob
        .run(&["--register", "history", "--room", &room])
        .await
        .ok();
    assert_no_raw_controls(&text.stdout);
    let lines: Vec<&str> = text.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{:?}", text.stdout);
    assert!(
        lines[0].starts_with(&format!("[{room}] ")) && lines[0].ends_with(SHOWN_FIRST),
        "{:?}",
        lines[0]
    );
    assert_eq!(lines[1], SHOWN_SECOND);
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.starts_with(miricat_cli::escape::CONTINUATION)),
        "a forged line passes for a message: {:?}",
        text.stdout
    );

    // JSON keeps the exact text for scripts, with every control as an escape.
    let json = bob.run(&["--json", "history", "--room", &room]).await.ok();
    assert_no_raw_controls(&json.stdout);
    let message = &json.json_lines()[0];
    assert_eq!(message["text"], HOSTILE);
    assert_eq!(message["user"], "mallory");
}
