//! The real `miricat` binary against a real server, directly over TCP and through the
//! real bridge, plus an MCP 2.0 server fixture for the version fallback.

mod support;

use std::time::Duration;

use miricat_shared::packet::PacketKind;
use miricat_testkit::{Behaviour, FixtureServer, Reaction};
use support::{As, ROOT_PASSWORD, System, miricat};

/// Root creates a room and returns its ID.
async fn create_room(server: &str, name: &str) -> String {
    let run = As::new(server, "root", ROOT_PASSWORD)
        .run(&["--json", "admin", "create-room", name])
        .await
        .ok();
    run.json_lines()[0]["room"].as_u64().unwrap().to_string()
}

/// Signs `user` up (by listing rooms once with `--register`).
async fn register<'a>(server: &'a str, user: &'a str, password: &'a str) -> As<'a> {
    let client = As::new(server, user, password);
    client.run(&["--register", "rooms"]).await.ok();
    client
}

/// `listen` arguments that wait (up to 30 s) for one message in `room`, as JSON.
fn listen_for_one(room: &str) -> [&str; 8] {
    [
        "--json", "listen", "--room", room, "--count", "1", "--for", "30",
    ]
}

/// Runs `speak` until `listener` (already started) has heard a message, then returns
/// what it printed: the listener joins the room at some point after it starts.
async fn until_heard<F, Fut>(
    listener: tokio::task::JoinHandle<support::Run>,
    mut speak: F,
) -> Vec<serde_json::Value>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..50 {
        if listener.is_finished() {
            break;
        }
        speak().await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    listener.await.unwrap().ok().json_lines()
}

#[tokio::test]
async fn rooms_lists_ids_names_and_members_as_text_and_json() {
    let system = System::start().await;
    let room = create_room(&system.tcp, "lobby").await;
    let text = As::new(&system.tcp, "root", ROOT_PASSWORD)
        .run(&["rooms"])
        .await
        .ok();
    assert!(
        text.stdout.contains(&format!("{room}\tlobby")),
        "{}",
        text.stdout
    );
    let json = As::new(&system.ws, "root", ROOT_PASSWORD)
        .run(&["--json", "rooms"])
        .await
        .ok();
    assert!(
        json.json_lines()
            .iter()
            .any(|r| r["id"] == room.parse::<u64>().unwrap() && r["name"] == "lobby")
    );
}

#[tokio::test]
async fn send_and_listen_both_ways_over_tcp_and_through_the_bridge() {
    let system = System::start().await;
    let room = create_room(&system.tcp, "talk").await;
    let ann_tcp = register(&system.tcp, "ann", "ann-pw").await;
    let bob_ws = register(&system.ws, "bob", "bob-pw").await;
    let ann_ws = As::new(&system.ws, "ann", "ann-pw");
    let bob_tcp = As::new(&system.tcp, "bob", "bob-pw");
    for (listener, sender) in [(bob_ws, ann_tcp), (ann_ws, bob_tcp)] {
        let listen = listener.spawn(&listen_for_one(&room));
        let text = format!("hello from {}", sender.user);
        let heard = until_heard(listen, || async {
            sender.run(&["send", "--room", &room, &text]).await.ok();
        })
        .await;
        let message = heard.iter().find(|l| l["event"] == "message").unwrap();
        assert_eq!(message["text"], text.as_str());
        assert_eq!(message["user"], sender.user);
        assert_eq!(message["room"].to_string(), room);
    }
}

#[tokio::test]
async fn admin_commands_work_for_root_and_are_refused_to_others() {
    let system = System::start().await;
    let root = As::new(&system.tcp, "root", ROOT_PASSWORD);
    let room = create_room(&system.tcp, "old-name").await;
    let renamed = root
        .run(&["admin", "rename-room", &room, "new-name"])
        .await
        .ok();
    assert!(renamed.stdout.contains("new-name"));
    root.run(&["admin", "delete-room", &room]).await.ok();
    // Deleting it again is the server's error.
    assert_eq!(root.run(&["admin", "delete-room", &room]).await.code, 4);

    let mut create_user = tokio::process::Command::new(env!("CARGO_BIN_EXE_miricat"));
    create_user
        .args([
            "--server",
            &system.tcp,
            "--user",
            "root",
            "admin",
            "create-user",
            "carol",
        ])
        .env("MIRICAT_PASSWORD", ROOT_PASSWORD)
        .env("MIRICAT_NEW_PASSWORD", "carol-pw");
    assert!(create_user.status().await.unwrap().success());
    // Carol signs in with the password root chose, and is not root.
    let carol = As::new(&system.tcp, "carol", "carol-pw");
    let denied = carol.run(&["admin", "create-room", "x"]).await;
    assert_eq!(denied.code, 4, "{}", denied.stderr);
    assert!(denied.stderr.contains("AccessDenied"), "{}", denied.stderr);
    root.run(&["admin", "delete-user", "carol"]).await.ok();
    let gone = carol.run(&["rooms"]).await;
    assert_eq!(gone.code, 3, "{}", gone.stderr);
}

#[tokio::test]
async fn upload_then_download_round_trips_the_bytes() {
    let system = System::start().await;
    let room = create_room(&system.tcp, "pics").await;
    let dir = tempfile::tempdir().unwrap();
    // A PNG signature followed by 150 KiB of varied bytes: several 48 KiB parts.
    let mut image = b"\x89PNG\r\n\x1a\n".to_vec();
    image.extend((0..150 * 1024u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    let source = dir.path().join("cat.png");
    std::fs::write(&source, &image).unwrap();
    let source = source.to_str().unwrap();
    for server in [&system.tcp, &system.ws] {
        let root = As::new(server, "root", ROOT_PASSWORD);
        let uploaded = root
            .run(&["--json", "upload", source, "--room", &room])
            .await
            .ok();
        let id = uploaded.json_lines()[0]["image"]
            .as_str()
            .unwrap()
            .to_owned();
        let target = dir.path().join(format!("copy-{id}.png"));
        root.run(&["download", &id, "-o", target.to_str().unwrap()])
            .await
            .ok();
        assert_eq!(std::fs::read(&target).unwrap(), image);
    }
    let not_an_image = dir.path().join("page.svg");
    std::fs::write(&not_an_image, "<svg/>").unwrap();
    let root = As::new(&system.tcp, "root", ROOT_PASSWORD);
    let refused = root
        .run(&["upload", not_an_image.to_str().unwrap(), "--room", &room])
        .await;
    assert_eq!(refused.code, 1, "{}", refused.stderr);
}

#[tokio::test]
async fn chat_joins_sends_and_quits_from_piped_input() {
    let system = System::start().await;
    let room = create_room(&system.tcp, "chatroom").await;
    let dana = register(&system.tcp, "dana", "dana-pw").await;
    let listen = dana.spawn(&listen_for_one(&room));
    let root = As::new(&system.ws, "root", ROOT_PASSWORD);
    let heard = until_heard(listen, || async {
        let input = "/rooms\n/join chatroom\nhi from chat\n/leave\n/quit\n";
        let chat = root.run_with_input(&["chat"], input).await.ok();
        assert!(chat.stdout.contains("joined chatroom"), "{}", chat.stdout);
        assert!(
            chat.stdout.contains("root: hi from chat"),
            "{}",
            chat.stdout
        );
    })
    .await;
    assert!(heard.iter().any(|l| l["text"] == "hi from chat"));
}

#[tokio::test]
async fn exit_codes_say_what_went_wrong() {
    let system = System::start().await;
    let root = As::new(&system.tcp, "root", ROOT_PASSWORD);
    // 0 for help; 1 for usage errors.
    assert_eq!(miricat(&["--help"], None, None).await.code, 0);
    assert_eq!(root.run(&["frobnicate"]).await.code, 1);
    assert_eq!(
        As::new("localhost:1", "x", "pw").run(&["rooms"]).await.code,
        1
    );
    // 2: nothing listening; a version this server refuses.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let down = As::new(&format!("tcp://{closed}"), "x", "pw")
        .run(&["rooms"])
        .await;
    assert_eq!(down.code, 2, "{}", down.stderr);
    let old = root.run(&["--protocol", "2.0.0", "rooms"]).await;
    assert_eq!(old.code, 2, "{}", old.stderr);
    assert!(old.stderr.contains("UnsupportedVersion"), "{}", old.stderr);
    // 3: wrong password, unknown user.
    assert_eq!(
        As::new(&system.tcp, "root", "wrong")
            .run(&["rooms"])
            .await
            .code,
        3
    );
    assert_eq!(
        As::new(&system.tcp, "nobody", "pw")
            .run(&["rooms"])
            .await
            .code,
        3
    );
    // 4: the server refuses (no such room).
    let missing_room = root.run(&["send", "--room", "999999", "x"]).await;
    assert_eq!(missing_room.code, 4, "{}", missing_room.stderr);
    // 5: listen --count that hears too few within --for.
    let room = create_room(&system.tcp, "quiet").await;
    let quiet = root
        .run(&["listen", "--room", &room, "--count", "1", "--for", "1"])
        .await;
    assert_eq!(quiet.code, 5, "{}", quiet.stderr);
}

#[tokio::test]
async fn falls_back_to_mcp_2_0_against_a_2_0_server() {
    let fixture = FixtureServer::start(Behaviour::java_2_0(), "secret")
        .await
        .unwrap();
    let old_server = fixture.tcp_url();
    let root = As::new(&old_server, "root", "secret");
    let sent = root
        .run(&["--json", "send", "--room", "1", "hello 2.0"])
        .await
        .ok();
    let echo = &sent.json_lines()[0];
    assert_eq!(echo["text"], "hello 2.0");
    assert_eq!(
        echo["room"], 1,
        "the ID-less echo is attributed to the request's room"
    );
    let strict = root.run(&["--protocol", "2.1.0", "rooms"]).await;
    assert_eq!(strict.code, 2, "{}", strict.stderr);
    let explicit = root.run(&["--protocol", "2.0.0", "rooms"]).await.ok();
    assert!(explicit.stdout.contains("general"));
}

#[tokio::test]
async fn bench_runs_small_directly_and_through_the_bridge() {
    let system = System::start().await;
    for server in [&system.tcp, &system.ws] {
        let root = As::new(server, "root", ROOT_PASSWORD);
        let args = [
            "--json",
            "bench",
            "--clients",
            "20",
            "--messages",
            "100",
            "--rate",
            "200",
        ];
        let run = root.run(&args).await.ok();
        let report = &run.json_lines()[0];
        assert_eq!(report["delivered"], 2000, "{report}");
        assert!(report["delivery_latency"]["p99_ms"].as_f64().unwrap() > 0.0);
    }
}

/// A server that accepts the connection and then stays silent: each step gives up
/// after `--timeout` with exit code 2 and says which step the server left
/// unanswered, instead of waiting for ever.
#[tokio::test]
async fn every_step_the_server_leaves_unanswered_ends_with_exit_2() {
    // Accepts TCP and never says a word.
    let mute = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mute_server = format!("tcp://{}", mute.local_addr().unwrap());
    let held = tokio::spawn(async move {
        let mut sockets = Vec::new();
        while let Ok((socket, _)) = mute.accept().await {
            sockets.push(socket);
        }
    });
    let ignores = |kind: PacketKind| {
        Behaviour::mcp_2_1().reacting(move |p| p.kind() == kind, Reaction::Ignore)
    };
    let no_sign_in = FixtureServer::start(ignores(PacketKind::Login), "pw")
        .await
        .unwrap();
    let no_join = FixtureServer::start(ignores(PacketKind::RoomJoin), "pw")
        .await
        .unwrap();
    let cases = [
        (mute_server, vec!["rooms"], "the handshake"),
        (no_sign_in.tcp_url(), vec!["rooms"], "the sign-in"),
        (
            no_join.tcp_url(),
            vec!["send", "--room", "1", "hi"],
            "Room.Join",
        ),
    ];
    for (server, command, step) in cases {
        let mut args = vec!["--timeout", "1"];
        args.extend(command);
        let started = std::time::Instant::now();
        let run = As::new(&server, "root", "pw").run(&args).await;
        let took = started.elapsed();
        assert_eq!(run.code, 2, "{step}: {}", run.stderr);
        assert!(
            run.stderr
                .contains(&format!("the server did not answer {step} within 1s")),
            "{step}: {}",
            run.stderr
        );
        assert!(
            took < Duration::from_secs(10),
            "{step}: gave up after {took:?}, not after about a second"
        );
    }
    assert_eq!(
        no_join.count(PacketKind::RoomJoin),
        1,
        "asked once, not retried"
    );
    held.abort();
}
