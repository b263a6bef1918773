//! Installing what a fresh Debian 12 machine lacks, skipping what is present.
//!
//! Trunk cannot download its own tools on our machines, so wasm-bindgen-cli is
//! installed at exactly the `wasm-bindgen` version in Cargo.lock and wasm-opt comes
//! from npm's binaryen package (Debian's binaryen 108 cannot read our module),
//! installed under `.tools/binaryen`.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

use crate::{command, has_program, output_of, step, workspace_root};

/// npm's binaryen release; Trunk.toml's `wasm_opt = "version_132"` must match it.
const BINARYEN_VERSION: &str = "132.0.0";

/// Where npm's binaryen puts `wasm-opt`: the xtask's web build puts this first on
/// PATH so trunk finds it (trunk takes tools from PATH in offline mode).
pub fn binaryen_bin_dir() -> PathBuf {
    workspace_root()
        .join(".tools")
        .join("binaryen")
        .join("node_modules")
        .join(".bin")
}

/// The trunk release we build with: 0.22 needs a newer rustc than our 1.95.
pub const TRUNK_VERSION: &str = "0.21.14";

/// Debian packages the browser build and end-to-end tests need (npm runs binaryen),
/// each with the program it provides.
const APT_PACKAGES: [(&str, &str); 3] = [
    ("chromium", "chromium"),
    ("chromedriver", "chromium-driver"),
    ("npm", "npm"),
];

/// Ensures every tool is installed.
pub fn ensure_all() -> Result<()> {
    ensure_wasm_target()?;
    ensure_apt_packages()?;
    ensure_binaryen()?;
    ensure_cargo_tool("trunk", "trunk", TRUNK_VERSION)?;
    let bindgen = wasm_bindgen_version()?;
    ensure_cargo_tool("wasm-bindgen", "wasm-bindgen-cli", &bindgen)
}

fn ensure_wasm_target() -> Result<()> {
    let installed = output_of("rustup", &["target", "list", "--installed"]);
    if installed.lines().any(|t| t == "wasm32-unknown-unknown") {
        println!("ok: wasm32-unknown-unknown target");
        return Ok(());
    }
    step(
        "install the wasm32 target",
        command("rustup", &["target", "add", "wasm32-unknown-unknown"]),
    )
}

/// Installs the packages whose program is missing, and only those: a machine with
/// Node.js from another source (NodeSource's `nodejs` bundles npm) has npm but
/// cannot install Debian's, which conflicts with it.
fn ensure_apt_packages() -> Result<()> {
    let missing: Vec<&str> = APT_PACKAGES
        .iter()
        .filter(|(program, _)| !has_program(program, "--version"))
        .map(|&(_, package)| package)
        .collect();
    if missing.is_empty() {
        println!("ok: chromium, chromedriver, npm");
        return Ok(());
    }
    let as_root = output_of("id", &["-u"]) == "0";
    let (program, prefix): (&str, &[&str]) = if as_root {
        ("apt-get", &[])
    } else {
        ("sudo", &["apt-get"])
    };
    let mut update: Vec<&str> = prefix.to_vec();
    update.push("update");
    step("apt-get update", command(program, &update))?;
    let mut install: Vec<&str> = prefix.to_vec();
    install.extend(["install", "-y", "--no-install-recommends"]);
    install.extend(&missing);
    let mut cmd = command(program, &install);
    cmd.env("DEBIAN_FRONTEND", "noninteractive");
    step(&format!("apt-get install {}", missing.join(" ")), cmd)
}

/// Installs npm's binaryen (a current wasm-opt, run by node) under `.tools/binaryen`
/// unless its wasm-opt already reports [`BINARYEN_VERSION`].
fn ensure_binaryen() -> Result<()> {
    let wasm_opt = binaryen_bin_dir().join("wasm-opt");
    let major = BINARYEN_VERSION
        .split('.')
        .next()
        .unwrap_or(BINARYEN_VERSION);
    let reported = output_of(&wasm_opt.to_string_lossy(), &["--version"]);
    if reported.contains(&format!("version_{major}")) {
        println!("ok: wasm-opt {major} (npm binaryen)");
        return Ok(());
    }
    let prefix = workspace_root().join(".tools").join("binaryen");
    std::fs::create_dir_all(&prefix).context("creating .tools/binaryen")?;
    let package = format!("binaryen@{BINARYEN_VERSION}");
    let prefix = prefix.to_string_lossy();
    step(
        &format!("npm install {package}"),
        command(
            "npm",
            &[
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                &prefix,
                &package,
            ],
        ),
    )
}

/// Installs `krate` at `version` with `cargo install --locked` unless `binary`
/// already reports that version.
fn ensure_cargo_tool(binary: &str, krate: &str, version: &str) -> Result<()> {
    let reported = output_of(binary, &["--version"]);
    if reported
        .split_whitespace()
        .any(|word| word.trim_start_matches('v') == version)
    {
        println!("ok: {binary} {version}");
        return Ok(());
    }
    println!(
        "{binary} {version} missing (found {reported:?}); installing, this takes several minutes"
    );
    step(
        &format!("cargo install {krate} {version}"),
        command(
            "cargo",
            &["install", "--locked", krate, "--version", version],
        ),
    )
}

/// The `wasm-bindgen` version pinned in Cargo.lock: the CLI must match it exactly.
pub fn wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(workspace_root().join("Cargo.lock"))
        .context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(version.trim_end_matches('"').to_owned());
        }
    }
    bail!("Cargo.lock has no wasm-bindgen package")
}
