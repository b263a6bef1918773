//! `cargo xtask <task>`: one entry point for setting up a machine, running every test
//! and running the whole system locally. See `cargo xtask help`.
//!
//! Layout: [`tools`] installs what a fresh Debian 12 machine lacks; [`test`] runs the
//! checks CI runs; [`run`] starts server + bridge serving the built web app.

mod run;
mod test;
mod tools;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

const HELP: &str = "\
cargo xtask <task>

Tasks:
  setup   Install what this machine lacks to build and test everything: the wasm32
          target, trunk 0.21.14, wasm-bindgen-cli at Cargo.lock's version, Debian's
          chromium, chromium-driver and npm, and npm's binaryen 132 (wasm-opt) under
          .tools/binaryen. Skips what is present.
  test    Run every check CI runs: formatting, clippy (native and wasm32), all native
          tests, the protocol tests compiled to wasm32, the handshake timing in V8
          (printed, never asserted), a release build of the web app
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
fn step(name: &str, command: Command) -> Result<()> {
    test_step(name, command).map(|_| ())
}

/// Passed and failed test counts, summed over every `test result:` line.
#[derive(Debug, Default, Clone, Copy)]
pub struct TestCounts {
    passed: u64,
    failed: u64,
}

impl TestCounts {
    fn add(&mut self, other: Self) {
        self.passed += other.passed;
        self.failed += other.failed;
    }

    /// Reads libtest's `test result: ok. 3 passed; 0 failed; ...` line.
    fn parse(line: &str) -> Option<Self> {
        let rest = line.trim().strip_prefix("test result: ")?;
        let count = |label: &str| {
            rest.split(';')
                .find_map(|part| {
                    part.trim()
                        .trim_start_matches(|c: char| !c.is_ascii_digit())
                        .strip_suffix(label)
                })
                .and_then(|n| n.trim().parse().ok())
        };
        Some(Self {
            passed: count(" passed")?,
            failed: count(" failed")?,
        })
    }
}

/// Like [`step`], passing the command's output through while counting the test
/// results it reports.
fn test_step(name: &str, mut command: Command) -> Result<TestCounts> {
    println!("\n==> {name}");
    let started = Instant::now();
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("could not start {:?}", command.get_program()))?;
    let mut counts = TestCounts::default();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("{line}");
            if let Some(found) = TestCounts::parse(&line) {
                counts.add(found);
            }
        }
    }
    let status = child.wait().context("waiting for the step")?;
    println!(
        "<== {name}: {} in {:.0?}",
        if status.success() { "ok" } else { "FAILED" },
        started.elapsed()
    );
    if !status.success() {
        bail!("step {name:?} failed ({status})");
    }
    Ok(counts)
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

#[cfg(test)]
mod tests {
    use super::TestCounts;

    #[test]
    fn reads_libtest_and_wasm_runner_summaries() {
        let native = TestCounts::parse("test result: ok. 21 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 6.39s").unwrap();
        assert_eq!((native.passed, native.failed), (21, 0));
        let wasm = TestCounts::parse(
            "test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 filtered out; finished in 1.44s",
        )
        .unwrap();
        assert_eq!((wasm.passed, wasm.failed), (2, 1));
        assert!(TestCounts::parse("running 3 tests").is_none());
    }
}
