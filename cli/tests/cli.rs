//! The real `miricat` binary against a real server, directly over TCP and through the
//! real bridge, plus an MCP 2.0 server fixture for the version fallback.

mod support;

use support::{ROOT_PASSWORD, System, miricat, spawn_miricat};

/// Root creates a room and returns its ID.
async fn create_room(server: &str, name: &str) -> u64 {
    let run = miricat(
        &[
            "--server",
            server,
            "--user",
            "root",
            "--json",
            "admin",
            "create-room",
            name,
        ],
        Some(ROOT_PASSWORD),
        None,
    )
    .await
    .ok();
    run.json_lines()[0]["room"].as_u64().unwrap()
}

/// Registers `user` with password `pw` (by listing rooms once).
async fn register(server: &str, user: &str, pw: &str) {
    miricat(
        &["--server", server, "--user", user, "--register", "rooms"],
        Some(pw),
        None,
    )
    .await
    .ok();
}

#[tokio::test]
async fn rooms_lists_ids_names_and_members_as_text_and_json() {
    let system = System::start().await;
    let room = create_room(&system.tcp, "lobby").await;
    let text = miricat(
        &["--server", &system.tcp, "--user", "root", "rooms"],
        Some(ROOT_PASSWORD),
        None,
    )
    .await
    .ok();
    assert!(
        text.stdout.contains(&format!("{room}\tlobby")),
        "{}",
        text.stdout
    );
    let json = miricat(
        &["--server", &system.ws, "--user", "root", "--json", "rooms"],
        Some(ROOT_PASSWORD),
        None,
    )
    .await
    .ok();
    assert!(
        json.json_lines()
            .iter()
            .any(|r| r["id"] == room && r["name"] == "lobby")
    );
}

#[tokio::test]
async fn send_and_listen_both_ways_over_tcp_and_through_the_bridge() {
    let system = System::start().await;
    let room = create_room(&system.tcp, "talk").await;
    register(&system.tcp, "ann", "ann-pw").await;
    register(&system.ws, "bob", "bob-pw").await;
    let room_arg = room.to_string();
    for (listener_server, sender_server, sender, pw) in [
        (&system.ws, &system.tcp, "ann", "ann-pw"),
        (&system.tcp, &system.ws, "bob", "bob-pw"),
    ] {
        let listener_user = if sender == "ann" { "bob" } else { "ann" };
        let listener_pw = if sender == "ann" { "bob-pw" } else { "ann-pw" };
        let args = [
            "--server",
            listener_server.as_str(),
            "--user",
            listener_user,
            "--json",
            "listen",
            "--room",
            &room_arg,
            "--count",
            "1",
            "--timeout",
            "30",
        ];
        let listen = spawn_miricat(&args, listener_pw);
        // The listener joins at some point after it starts: send until it has heard one.
        let text = format!("hello from {sender}");
        let mut sent = 0;
        while !listen.is_finished() && sent < 50 {
            miricat(
                &[
                    "--server",
                    sender_server,
                    "--user",
                    sender,
                    "send",
                    "--room",
                    &room_arg,
                    &text,
                ],
                Some(pw),
                None,
            )
            .await
            .ok();
            sent += 1;
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let heard = listen.await.unwrap().ok();
        let message = &heard
            .json_lines()
            .into_iter()
            .find(|l| l["event"] == "message")
            .unwrap();
        assert_eq!(message["text"], text.as_str());
        assert_eq!(message["user"], sender);
        assert_eq!(message["room"], room);
    }
}

#[tokio::test]
async fn admin_commands_work_for_root_and_are_refused_to_others() {
    let system = System::start().await;
    let tcp = system.tcp.as_str();
    let root = |args: &'static [&'static str]| async move {
        let mut all = vec!["--server", tcp, "--user", "root", "--json", "admin"];
        all.extend_from_slice(args);
        miricat(&all, Some(ROOT_PASSWORD), None).await
    };
    let room = root(&["create-room", "old-name"]).await.ok().json_lines()[0]["room"]
        .as_u64()
        .unwrap();
    let id = room.to_string();
    let renamed = miricat(
        &[
            "--server",
            tcp,
            "--user",
            "root",
            "admin",
            "rename-room",
            &id,
            "new-name",
        ],
        Some(ROOT_PASSWORD),
        None,
    )
    .await
    .ok();
    assert!(renamed.stdout.contains("new-name"));
    miricat(
        &[
            "--server",
            tcp,
            "--user",
            "root",
            "admin",
            "delete-room",
            &id,
        ],
        Some(ROOT_PASSWORD),
        None,
    )
    .await
    .ok();

    let mut create_user = tokio::process::Command::new(env!("CARGO_BIN_EXE_miricat"));
    create_user
        .args([
            "--server",
            tcp,
            "--user",
            "root",
            "admin",
            "create-user",
            "carol",
        ])
        .env("MIRICAT_PASSWORD", ROOT_PASSWORD)
        .env("MIRICAT_NEW_PASSWORD", "carol-pw");
    assert!(create_user.status().await.unwrap().success());
    // Carol can sign in with the password root chose, and is not root.
    let denied = miricat(
        &[
            "--server",
            tcp,
            "--user",
            "carol",
            "admin",
            "create-room",
            "x",
        ],
        Some("carol-pw"),
        None,
    )
    .await;
    assert_eq!(denied.code, 4, "{}", denied.stderr);
    assert!(denied.stderr.contains("AccessDenied"), "{}", denied.stderr);
    root(&["delete-user", "carol"]).await.ok();
    let gone = miricat(
        &["--server", tcp, "--user", "carol", "rooms"],
        Some("carol-pw"),
        None,
    )
    .await;
    assert_eq!(gone.code, 3, "{}", gone.stderr);
    // Deleting a room that no longer exists is the server's error.
    let missing = miricat(
        &[
            "--server",
            tcp,
            "--user",
            "root",
            "admin",
            "delete-room",
            &id,
        ],
        Some(ROOT_PASSWORD),
        None,
    )
    .await;
    assert_eq!(missing.code, 4);
}

#[tokio::test]
async fn upload_then_download_round_trips_the_bytes() {
    let system = System::start().await;
    let room = create_room(&system.tcp, "pics").await.to_string();
    let dir = tempfile::tempdir().unwrap();
    // A PNG signature followed by 150 KiB of varied bytes: several 48 KiB parts.
    let mut image = b"\x89PNG\r\n\x1a\n".to_vec();
    image.extend((0..150 * 1024u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    let source = dir.path().join("cat.png");
    std::fs::write(&source, &image).unwrap();
    for server in [&system.tcp, &system.ws] {
        let uploaded = miricat(
            &[
                "--server",
                server,
                "--user",
                "root",
                "--json",
                "upload",
                source.to_str().unwrap(),
                "--room",
                &room,
            ],
            Some(ROOT_PASSWORD),
            None,
        )
        .await
        .ok();
        let id = uploaded.json_lines()[0]["image"]
            .as_str()
            .unwrap()
            .to_owned();
        let target = dir.path().join(format!("copy-{id}.png"));
        miricat(
            &[
                "--server",
                server,
                "--user",
                "root",
                "download",
                &id,
                "-o",
                target.to_str().unwrap(),
            ],
            Some(ROOT_PASSWORD),
            None,
        )
        .await
        .ok();
        assert_eq!(std::fs::read(&target).unwrap(), image);
    }
    let not_an_image = dir.path().join("page.svg");
    std::fs::write(&not_an_image, "<svg/>").unwrap();
    let refused = miricat(
        &[
            "--server",
            &system.tcp,
            "--user",
            "root",
            "upload",
            not_an_image.to_str().unwrap(),
            "--room",
            &room,
        ],
        Some(ROOT_PASSWORD),
        None,
    )
    .await;
    assert_eq!(refused.code, 1, "{}", refused.stderr);
}

#[tokio::test]
async fn chat_joins_sends_and_quits_from_piped_input() {
    let system = System::start().await;
    let room = create_room(&system.tcp, "chatroom").await.to_string();
    register(&system.tcp, "dana", "dana-pw").await;
    let args = [
        "--server",
        system.tcp.as_str(),
        "--user",
        "dana",
        "--json",
        "listen",
        "--room",
        room.as_str(),
        "--count",
        "1",
        "--timeout",
        "30",
    ];
    let listen = spawn_miricat(&args, "dana-pw");
    let mut tries = 0;
    while !listen.is_finished() && tries < 50 {
        let input = "/rooms\n/join chatroom\nhi from chat\n/leave\n/quit\n";
        let chat = miricat(
            &["--server", &system.ws, "--user", "root", "chat"],
            Some(ROOT_PASSWORD),
            Some(input),
        )
        .await
        .ok();
        assert!(chat.stdout.contains("joined chatroom"), "{}", chat.stdout);
        assert!(
            chat.stdout.contains("root: hi from chat"),
            "{}",
            chat.stdout
        );
        tries += 1;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let heard = listen.await.unwrap().ok();
    assert!(
        heard
            .json_lines()
            .iter()
            .any(|l| l["text"] == "hi from chat")
    );
}

#[tokio::test]
async fn exit_codes_say_what_went_wrong() {
    let system = System::start().await;
    let tcp = system.tcp.as_str();
    // 1: usage.
    assert_eq!(
        miricat(&["--server", tcp, "frobnicate"], None, None)
            .await
            .code,
        1
    );
    assert_eq!(
        miricat(
            &["--server", "localhost:1", "--user", "x", "rooms"],
            Some("pw"),
            None
        )
        .await
        .code,
        1
    );
    assert_eq!(miricat(&["--help"], None, None).await.code, 0);
    // 2: nothing listening; a version this server refuses.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let down = miricat(
        &[
            "--server",
            &format!("tcp://{closed}"),
            "--user",
            "x",
            "rooms",
        ],
        Some("pw"),
        None,
    )
    .await;
    assert_eq!(down.code, 2, "{}", down.stderr);
    let old = miricat(
        &[
            "--server",
            tcp,
            "--protocol",
            "2.0.0",
            "--user",
            "root",
            "rooms",
        ],
        Some(ROOT_PASSWORD),
        None,
    )
    .await;
    assert_eq!(old.code, 2, "{}", old.stderr);
    assert!(old.stderr.contains("UnsupportedVersion"), "{}", old.stderr);
    // 3: wrong password, unknown user.
    assert_eq!(
        miricat(
            &["--server", tcp, "--user", "root", "rooms"],
            Some("wrong"),
            None
        )
        .await
        .code,
        3
    );
    assert_eq!(
        miricat(
            &["--server", tcp, "--user", "nobody", "rooms"],
            Some("pw"),
            None
        )
        .await
        .code,
        3
    );
    // 4: the server refuses (no such room).
    let room = create_room(tcp, "quiet").await.to_string();
    let missing_room = miricat(
        &[
            "--server", tcp, "--user", "root", "send", "--room", "999999", "x",
        ],
        Some(ROOT_PASSWORD),
        None,
    )
    .await;
    assert_eq!(missing_room.code, 4, "{}", missing_room.stderr);
    // 5: listen --count that times out.
    let quiet = miricat(
        &[
            "--server",
            tcp,
            "--user",
            "root",
            "listen",
            "--room",
            &room,
            "--count",
            "1",
            "--timeout",
            "1",
        ],
        Some(ROOT_PASSWORD),
        None,
    )
    .await;
    assert_eq!(quiet.code, 5, "{}", quiet.stderr);
}

#[tokio::test]
async fn falls_back_to_mcp_2_0_against_a_2_0_server() {
    let old_server = support::mcp20::start().await;
    let sent = miricat(
        &[
            "--server",
            &old_server,
            "--user",
            "root",
            "--json",
            "send",
            "--room",
            "1",
            "hello 2.0",
        ],
        Some("secret"),
        None,
    )
    .await
    .ok();
    let echo = &sent.json_lines()[0];
    assert_eq!(echo["text"], "hello 2.0");
    assert_eq!(
        echo["room"], 1,
        "the ID-less echo is attributed to the request's room"
    );
    let strict = miricat(
        &[
            "--server",
            &old_server,
            "--protocol",
            "2.1.0",
            "--user",
            "root",
            "rooms",
        ],
        Some("secret"),
        None,
    )
    .await;
    assert_eq!(strict.code, 2, "{}", strict.stderr);
    let explicit = miricat(
        &[
            "--server",
            &old_server,
            "--protocol",
            "2.0.0",
            "--user",
            "root",
            "rooms",
        ],
        Some("secret"),
        None,
    )
    .await;
    assert!(explicit.ok().stdout.contains("general"));
}

#[tokio::test]
async fn bench_runs_small_directly_and_through_the_bridge() {
    let system = System::start().await;
    for server in [&system.tcp, &system.ws] {
        let run = miricat(
            &[
                "--server",
                server,
                "--user",
                "root",
                "--json",
                "bench",
                "--clients",
                "20",
                "--messages",
                "100",
                "--rate",
                "200",
            ],
            Some(ROOT_PASSWORD),
            None,
        )
        .await
        .ok();
        let report = &run.json_lines()[0];
        assert_eq!(report["delivered"], 2000, "{report}");
        assert!(report["delivery_latency"]["p99_ms"].as_f64().unwrap() > 0.0);
    }
}
