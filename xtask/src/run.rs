//! Running the whole system locally: the MCP server, and the bridge serving the
//! release build of the web app on one port.

use std::fs;
use std::process::{Child, Command};

use anyhow::{Context, Result};

use crate::{command, step, workspace_root};

/// Where the local system keeps its database, images and root password.
const RUN_DIR: &str = ".run";
const SERVER_ADDR: &str = "127.0.0.1:3072";
const BRIDGE_ADDR: &str = "127.0.0.1:8080";

/// `trunk build --release` into `dist/`, offline: trunk must not try to download
/// tools (Trunk.toml names the installed versions), and finds npm's wasm-opt first
/// on PATH.
pub fn build_web_app() -> Result<()> {
    let mut trunk = command("trunk", &["build", "--release", "--offline"]);
    let path = std::env::var_os("PATH").unwrap_or_default();
    let paths =
        std::iter::once(crate::tools::binaryen_bin_dir()).chain(std::env::split_paths(&path));
    trunk.env("PATH", std::env::join_paths(paths).context("joining PATH")?);
    step("web app release build (trunk)", trunk)
}

/// Builds everything and runs server + bridge until Ctrl-C.
pub fn system() -> Result<()> {
    build_web_app()?;
    step(
        "server and bridge release build",
        command(
            "cargo",
            &[
                "build",
                "--release",
                "-p",
                "miricat-server",
                "-p",
                "miricat-bridge",
            ],
        ),
    )?;
    let root = workspace_root();
    let run_dir = root.join(RUN_DIR);
    fs::create_dir_all(&run_dir).context("creating .run/")?;
    let password = root_password(&run_dir.join("root-password"))?;
    let release = root.join("target").join("release");

    let server = Command::new(release.join("miricat-server"))
        .args(["--listen", SERVER_ADDR, "--db"])
        .arg(run_dir.join("miricat.db"))
        .env("MIRICAT_ROOT_PASSWORD", &password)
        .spawn()
        .context("starting miricat-server")?;
    let _server = KillOnDrop(server);
    let bridge = Command::new(release.join("miricat-bridge"))
        .args([
            "--listen",
            BRIDGE_ADDR,
            "--upstream",
            SERVER_ADDR,
            "--static",
        ])
        .arg(root.join("dist"))
        .spawn()
        .context("starting miricat-bridge")?;
    let mut bridge = KillOnDrop(bridge);

    println!("\nMiricat Web is running.");
    println!("  Open:          http://{BRIDGE_ADDR}/");
    println!("  Root account:  root / {password}");
    println!("  Data:          {}", run_dir.display());
    println!("Press Ctrl-C to stop.\n");
    let status = bridge.0.wait().context("waiting for the bridge")?;
    println!("bridge exited ({status}); stopping the server");
    Ok(())
}

/// The local root password: generated once, kept in `.run/root-password`.
fn root_password(path: &std::path::Path) -> Result<String> {
    if let Ok(existing) = fs::read_to_string(path)
        && !existing.trim().is_empty()
    {
        return Ok(existing.trim().to_owned());
    }
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let password: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    fs::write(path, &password).context("writing .run/root-password")?;
    Ok(password)
}

/// Stops a child process when the xtask exits, however it exits.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
