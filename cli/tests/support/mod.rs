//! What the terminal client's tests start: a real server and bridge in-process and
//! the real `miricat` binary as a child process. Fixtures that behave like foreign
//! servers come from `miricat-testkit`.

#![allow(dead_code)]

use std::process::{Output, Stdio};
use std::time::Duration;

use miricat_server::{Config, RunningServer};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub const ROOT_PASSWORD: &str = "root-pw";

/// A server with a bridge in front of it.
pub struct System {
    _dir: tempfile::TempDir,
    pub server: RunningServer,
    pub tcp: String,
    pub ws: String,
    _bridge_stop: oneshot::Sender<()>,
}

impl System {
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::for_tests(dir.path().join("miricat.db"), ROOT_PASSWORD);
        let server = RunningServer::start(config).await.unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let ws = format!("ws://{}/ws", listener.local_addr().unwrap());
        let bridge_config = miricat_bridge::Config::for_upstream(server.addr().to_string());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(miricat_bridge::run(listener, bridge_config, async {
            let _ = stopped.await;
        }));
        Self {
            tcp: format!("tcp://{}", server.addr()),
            _dir: dir,
            server,
            ws,
            _bridge_stop: stop,
        }
    }
}

/// One run of the `miricat` binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "miricat failed:\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }

    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

/// Runs `miricat` with `args`, `password` in MIRICAT_PASSWORD and optional stdin.
pub async fn miricat(args: &[&str], password: Option<&str>, stdin: Option<&str>) -> Run {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_miricat"));
    command
        .args(args)
        .env_remove("MIRICAT_PASSWORD")
        .env_remove("MIRICAT_SERVER")
        .env_remove("MIRICAT_USER")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(password) = password {
        command.env("MIRICAT_PASSWORD", password);
    }
    let mut child = command.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).await.unwrap();
    }
    drop(input);
    let output: Output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("miricat did not finish within 60 s")
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `miricat` in the background (for `listen` while another process sends).
pub fn spawn_miricat(args: &[&str], password: &str) -> tokio::task::JoinHandle<Run> {
    let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    let password = password.to_owned();
    tokio::spawn(async move {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        miricat(&args, Some(&password), None).await
    })
}

/// `miricat --server S --user U` with U's password: the prefix of most test runs.
#[derive(Clone, Copy)]
pub struct As<'a> {
    pub server: &'a str,
    pub user: &'a str,
    pub password: &'a str,
}

impl<'a> As<'a> {
    pub fn new(server: &'a str, user: &'a str, password: &'a str) -> Self {
        Self {
            server,
            user,
            password,
        }
    }

    fn full_args(&self, args: &[&'a str]) -> Vec<&'a str> {
        let mut all = vec!["--server", self.server, "--user", self.user];
        all.extend_from_slice(args);
        all
    }

    /// Runs `miricat` with these arguments after the prefix.
    pub async fn run(&self, args: &[&'a str]) -> Run {
        miricat(&self.full_args(args), Some(self.password), None).await
    }

    /// Like [`As::run`] with piped input.
    pub async fn run_with_input(&self, args: &[&'a str], input: &str) -> Run {
        miricat(&self.full_args(args), Some(self.password), Some(input)).await
    }

    /// Runs `miricat` in the background.
    pub fn spawn(&self, args: &[&'a str]) -> tokio::task::JoinHandle<Run> {
        spawn_miricat(&self.full_args(args), self.password)
    }
}
