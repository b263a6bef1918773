//! `miricat history` with the real binary: against our server (directly and through
//! the bridge), against our server started with history switched off, and against a
//! fixture MCP 2.1 server that knows no extensions.

mod support;

use miricat_server::{Config, RunningServer};
use miricat_shared::packet::PacketKind;
use miricat_testkit::{Behaviour, FixtureServer};
use support::{As, ROOT_PASSWORD, System};

/// The exit code `history` gives when the server does not offer it.
const EXIT_NOT_OFFERED: i32 = 6;

/// Root creates a room; `ann` (registered) sends `count` messages to it.
async fn room_with_messages(server: &str, count: usize) -> (String, As<'_>) {
    let root = As::new(server, "root", ROOT_PASSWORD);
    let created = root
        .run(&["--json", "admin", "create-room", "talk"])
        .await
        .ok();
    let room = created.json_lines()[0]["room"].to_string();
    let ann = As::new(server, "ann", "ann-pw");
    ann.run(&["--register", "rooms"]).await.ok();
    for i in 0..count {
        ann.run(&["send", "--room", &room, &format!("message {i}")])
            .await
            .ok();
    }
    (room, ann)
}

#[tokio::test]
async fn history_prints_past_messages_oldest_first_and_pages_back() {
    let system = System::start().await;
    let (room, ann) = room_with_messages(&system.tcp, 6).await;

    // Text, through the bridge: the newest four, oldest first, and a hint to go on.
    let bob = As::new(&system.ws, "bob", "bob-pw");
    let text = bob
        .run(&["--register", "history", "--room", &room, "--limit", "4"])
        .await
        .ok();
    let lines: Vec<&str> = text.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", text.stdout);
    for (line, i) in lines.iter().zip(2..) {
        assert!(
            line.starts_with(&format!("[{room}] ")) && line.ends_with(&format!("ann: message {i}")),
            "{line}"
        );
    }
    assert!(
        text.stderr.contains("older messages exist"),
        "{}",
        text.stderr
    );

    // JSON: every message with its ID, then where the page ends.
    let json = ann
        .run(&["--json", "history", "--room", &room, "--limit", "4"])
        .await
        .ok()
        .json_lines();
    let messages: Vec<_> = json.iter().filter(|l| l["event"] == "message").collect();
    assert_eq!(messages.len(), 4);
    let ids: Vec<u64> = messages
        .iter()
        .map(|m| m["messageId"].as_u64().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    let end = json.last().unwrap();
    assert_eq!(
        (end["event"].as_str(), end["more"].as_bool()),
        (Some("history"), Some(true))
    );
    assert_eq!(end["oldest"].as_u64(), Some(ids[0]));

    // --before the oldest printed gives the rest, and says nothing is left.
    let before = ids[0].to_string();
    let rest = ann
        .run(&["--json", "history", "--room", &room, "--before", &before])
        .await
        .ok()
        .json_lines();
    let texts: Vec<&str> = rest.iter().filter_map(|l| l["text"].as_str()).collect();
    assert_eq!(texts, ["message 0", "message 1"]);
    assert_eq!(rest.last().unwrap()["more"], false);
}

#[tokio::test]
async fn a_limit_over_one_page_is_fetched_in_pages() {
    let system = System::start().await;
    let (room, ann) = room_with_messages(&system.tcp, 0).await;
    let lines: String = (0..230).map(|i| format!("line {i}\n")).collect();
    ann.run_with_input(&["chat", "--room", &room], &lines)
        .await
        .ok();
    let all = ann
        .run(&["--json", "history", "--room", &room, "--limit", "10000"])
        .await
        .ok()
        .json_lines();
    let texts: Vec<&str> = all.iter().filter_map(|l| l["text"].as_str()).collect();
    let expected: Vec<String> = (0..230).map(|i| format!("line {i}")).collect();
    assert_eq!(texts, expected, "two pages (200 + 30), oldest first");
    assert_eq!(all.last().unwrap()["more"], false);
    let newest = ann
        .run(&["--json", "history", "--room", &room, "--limit", "201"])
        .await
        .ok()
        .json_lines();
    let texts: Vec<&str> = newest.iter().filter_map(|l| l["text"].as_str()).collect();
    assert_eq!((texts.len(), texts[0]), (201, "line 29"));
    assert_eq!(newest.last().unwrap()["more"], true);
    let refused = ann.run(&["history", "--room", &room, "--limit", "0"]).await;
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    let empty = ann.run(&["history", "--room", "999"]).await;
    assert_eq!(
        empty.code, 4,
        "an unknown room is the server's error: {}",
        empty.stderr
    );
}

#[tokio::test]
async fn servers_without_history_get_a_clear_message_and_exit_6() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(dir.path().join("miricat.db"), ROOT_PASSWORD);
    config.history = false;
    let off = RunningServer::start(config).await.unwrap();
    let tcp = format!("tcp://{}", off.addr());
    let run = As::new(&tcp, "root", ROOT_PASSWORD)
        .run(&["history", "--room", "1"])
        .await;
    assert_eq!(run.code, EXIT_NOT_OFFERED, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("does not offer the history/1 extension"),
        "{}",
        run.stderr
    );

    // A foreign MCP 2.1 server: asked nothing it does not know, and no history
    // request is sent to it.
    let fixture = FixtureServer::start(Behaviour::mcp_2_1(), "secret")
        .await
        .unwrap();
    let url = fixture.tcp_url();
    let run = As::new(&url, "root", "secret")
        .run(&["history", "--room", "1"])
        .await;
    assert_eq!(run.code, EXIT_NOT_OFFERED, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert_eq!(fixture.count(PacketKind::RequireHistory), 0);
    assert_eq!(fixture.count(PacketKind::RoomJoin), 0);
}
