//! Every check CI runs, in order from quickest to slowest, so a mistake fails fast.

use anyhow::Result;

use crate::{command, step};

const WASM: &str = "wasm32-unknown-unknown";

/// Formatting, lints, native tests, wasm tests, the release web build and the
/// browser end-to-end tests.
pub fn all() -> Result<()> {
    step(
        "format check",
        command("cargo", &["fmt", "--all", "--", "--check"]),
    )?;
    step(
        "clippy (native, whole workspace)",
        command(
            "cargo",
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        ),
    )?;
    step(
        "clippy (wasm32: shared library and tests)",
        command(
            "cargo",
            &[
                "clippy",
                "-p",
                "miricat-shared",
                "--lib",
                "--tests",
                "--target",
                WASM,
                "--",
                "-D",
                "warnings",
            ],
        ),
    )?;
    step(
        "clippy (wasm32: web app)",
        command(
            "cargo",
            &[
                "clippy",
                "-p",
                "miricat-web",
                "--target",
                WASM,
                "--",
                "-D",
                "warnings",
            ],
        ),
    )?;
    step(
        "native tests",
        command(
            "cargo",
            &["test", "--workspace", "--exclude", "miricat-e2e"],
        ),
    )?;
    step(
        "protocol vectors compiled to wasm32 (node)",
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
            ],
        ),
    )?;
    crate::run::build_web_app()?;
    step(
        "end-to-end tests in headless Chromium",
        command("cargo", &["test", "-p", "miricat-e2e"]),
    )?;
    println!("\nall checks passed");
    Ok(())
}
