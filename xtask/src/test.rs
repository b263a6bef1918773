//! Every check CI runs, in order from quickest to slowest, so a mistake fails fast.

use anyhow::Result;

use crate::{TestCounts, command, step, test_step, workspace_root};

const WASM: &str = "wasm32-unknown-unknown";

/// `cargo clippy <args> -- -D warnings`.
fn clippy(args: &[&str]) -> std::process::Command {
    let mut all = vec!["clippy"];
    all.extend_from_slice(args);
    all.extend(["--", "-D", "warnings"]);
    command("cargo", &all)
}

/// The protocol vectors and the exponentiation's seeded reference checks compiled
/// to wasm32, run under node by wasm-bindgen-test.
fn wasm_vectors() -> std::process::Command {
    command(
        "cargo",
        &[
            "test",
            "-p",
            "miricat-shared",
            "--target",
            WASM,
            "--test",
            "vectors",
            "--test",
            "dh_reference",
        ],
    )
}

/// Formatting, lints, native tests, wasm tests, the release web build and the
/// browser end-to-end tests.
pub fn all() -> Result<()> {
    step(
        "format check",
        command("cargo", &["fmt", "--all", "--", "--check"]),
    )?;
    step(
        "clippy (native, whole workspace)",
        clippy(&["--workspace", "--all-targets"]),
    )?;
    step(
        "clippy (wasm32: shared library, its arithmetic, every target)",
        clippy(&[
            "-p",
            "miricat-shared",
            "-p",
            "miricat-modp5",
            "--all-targets",
            "--target",
            WASM,
        ]),
    )?;
    step(
        "clippy (wasm32: web app, every target)",
        clippy(&["-p", "miricat-web", "--all-targets", "--target", WASM]),
    )?;

    let mut counts = TestCounts::default();
    counts.add(test_step(
        "native tests",
        command(
            "cargo",
            &["test", "--workspace", "--exclude", "miricat-e2e"],
        ),
    )?);
    counts.add(test_step(
        "protocol vectors compiled to wasm32 (node)",
        wasm_vectors(),
    )?);
    // The same vectors through the scalar arithmetic (`shared/modp5/src/columns.rs`),
    // the path for browsers without 128-bit SIMD: RUSTFLAGS replaces the config's
    // flags, so this build has getrandom's backend and no simd128. Its own target
    // directory keeps the two builds from invalidating each other.
    let mut scalar = wasm_vectors();
    scalar
        .env("RUSTFLAGS", r#"--cfg getrandom_backend="wasm_js""#)
        .env(
            "CARGO_TARGET_DIR",
            workspace_root().join("target/wasm-scalar"),
        );
    counts.add(test_step(
        "protocol vectors compiled to wasm32 without simd128 (node)",
        scalar,
    )?);
    // A measurement (it prints its figure and checks only that ours, JS BigInt and
    // OpenSSL agree), built with the profile the browser gets.
    counts.add(test_step(
        "handshake speed in V8 (wasm32, node)",
        command(
            "cargo",
            &[
                "test",
                "-p",
                "miricat-web",
                "--profile",
                "web-release",
                "--target",
                WASM,
                "--test",
                "handshake_speed",
                "--",
                "--nocapture",
            ],
        ),
    )?);
    crate::run::build_web_app()?;
    counts.add(test_step(
        "end-to-end tests in headless Chromium",
        command("cargo", &["test", "-p", "miricat-e2e"]),
    )?);
    println!("\nall checks passed");
    // One closing line for the whole run, so CI reads its tally rather than the last
    // test binary's (often a doc-test run with nothing in it).
    println!("{} passed, {} failed", counts.passed, counts.failed);
    Ok(())
}
