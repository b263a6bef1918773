//! `cargo xtask <task>`: one entry point for setting up a machine, running every test
//! and running the whole system locally. See `cargo xtask help`.
//!
//! Layout: [`tools`] installs what a fresh Debian 12 machine lacks; [`test`] runs the
//! checks CI runs; [`run`] starts server + bridge serving the built web app.

mod run;
mod test;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{Context, Result, bail};

const HELP: &str = "\
cargo xtask <task>

Tasks:
  setup   Install what this machine lacks to build and test everything: the wasm32
          target, trunk 0.21.14, wasm-bindgen-cli at Cargo.lock's version, and
          Debian's chromium, chromium-driver and binaryen. Skips what is present.
  test    Run every check CI runs: formatting, clippy (native and wasm32), all native
          tests, the protocol tests compiled to wasm32, a release build of the web app
          and the end-to-end tests in headless Chromium. Runs `setup` first.
  run     Build the web app and start the MCP server (127.0.0.1:3072) and the bridge
          serving the app (http://127.0.0.1:8080), printing the URL and the root
          password. Ctrl-C stops both. Runs `setup` first.
";

fn main() -> ExitCode {
    let task = std::env::args().nth(1).unwrap_or_default();
    let result = match task.as_str() {
        "setup" => tools::ensure_all(),
        "test" => tools::ensure_all().and_then(|()| test::all()),
        "run" => tools::ensure_all().and_then(|()| run::system()),
        "help" | "--help" | "-h" | "" => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        other => {
            eprint!("unknown task {other:?}\n\n{HELP}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask {task}: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (xtask lives one level below it).
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// A command run from the workspace root.
fn command(program: &str, args: &[&str]) -> Command {
    let mut command = Command::new(program);
    command.args(args).current_dir(workspace_root());
    command
}

/// Runs a command as one named step, printing its duration; fails if it fails.
fn step(name: &str, mut command: Command) -> Result<()> {
    println!("\n==> {name}");
    let started = Instant::now();
    let status = command
        .status()
        .with_context(|| format!("could not start {:?}", command.get_program()))?;
    println!(
        "<== {name}: {} in {:.0?}",
        if status.success() { "ok" } else { "FAILED" },
        started.elapsed()
    );
    if !status.success() {
        bail!("step {name:?} failed ({status})");
    }
    Ok(())
}

/// Whether `program` runs at all (is on PATH).
fn has_program(program: &str, version_arg: &str) -> bool {
    Command::new(program)
        .arg(version_arg)
        .output()
        .is_ok_and(|out| out.status.success())
}

/// The stdout of a command, trimmed; empty if it cannot run.
fn output_of(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .unwrap_or_default()
}
