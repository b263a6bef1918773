//! The real `miricat-server` binary: flags, the generated root password, and a
//! graceful exit on SIGTERM.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;

const BIN: &str = env!("CARGO_BIN_EXE_miricat-server");

fn free_port() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

fn command() -> Command {
    let mut cmd = Command::new(BIN);
    for (key, _) in std::env::vars() {
        if key.starts_with("MIRICAT_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("RUST_LOG", "warn");
    // Cheap hashes: a debug build takes seconds per default-cost argon2 hash.
    cmd.env("MIRICAT_ARGON2_MEMORY_KIB", "256");
    cmd.env("MIRICAT_ARGON2_ITERATIONS", "1");
    cmd
}

/// Waits until the server accepts connections.
async fn wait_listening(addr: SocketAddr) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "server never listened"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Sends SIGTERM and waits for a clean exit.
async fn terminate(mut child: Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(exit.success(), "exit status {exit:?}");
}

#[test]
fn help_explains_every_flag() {
    let out = command().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--listen",
        "--db",
        "--root-user",
        "--root-password",
        "--heartbeat-ms",
        "--no-register",
        "--max-image-bytes",
        "--max-line-bytes",
        "--max-connections",
        "--image-ttl",
        "--trusted-bridge",
        "MIRICAT_ROOT_PASSWORD",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}");
    }
}

#[tokio::test]
async fn generates_a_root_password_once_then_keeps_it_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("miricat.db");
    let addr = free_port();
    let mut child = command()
        .args(["--listen", &addr.to_string(), "--db"])
        .arg(&db)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        line
    });
    let line = tokio::time::timeout(WAIT, line).await.unwrap().unwrap();
    let password = line.trim().rsplit(' ').next().unwrap().to_owned();
    assert_eq!(password.len(), 24, "{line}");
    wait_listening(addr).await;
    Client::connect(addr)
        .await
        .login_ok("root", &password)
        .await;
    terminate(child).await;

    // Second start: nothing printed, the same password works.
    let addr = free_port();
    let child = command()
        .args(["--listen", &addr.to_string(), "--db"])
        .arg(&db)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    wait_listening(addr).await;
    Client::connect(addr)
        .await
        .login_ok("root", &password)
        .await;
    terminate(child).await;

    // The environment variable replaces it.
    let addr = free_port();
    let child = command()
        .args(["--listen", &addr.to_string()])
        .env("MIRICAT_DB", &db)
        .env("MIRICAT_ROOT_PASSWORD", "from-env")
        .env("MIRICAT_NO_REGISTER", "true")
        .spawn()
        .unwrap();
    wait_listening(addr).await;
    let mut c = Client::connect(addr).await;
    let event = c.ask_event(|s| s.register("eve", "pw")).await;
    let miricat_shared::session::Event::Reply { packet, .. } = event else {
        panic!()
    };
    assert_eq!(error_kind(&packet), "AccessDenied");
    c.login_ok("root", "from-env").await;
    terminate(child).await;
}
