//! A chromedriver process for the tests, on a free loopback port, killed on drop.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::wait;

/// Default location of Debian's chromedriver.
const DEFAULT_CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Default location of Debian's Chromium.
const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";

/// A running chromedriver.
pub struct Chromedriver {
    child: Child,
    port: u16,
    chromium: PathBuf,
}

impl Chromedriver {
    /// Starts chromedriver (`$CHROMEDRIVER` or `/usr/bin/chromedriver`) and waits
    /// until it accepts connections. Fails with instructions when a tool is missing.
    pub async fn start() -> Result<Self> {
        let driver = tool("CHROMEDRIVER", DEFAULT_CHROMEDRIVER)?;
        let chromium = tool("CHROMIUM", DEFAULT_CHROMIUM)?;
        let port = free_port()?;
        let child = Command::new(&driver)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", driver.display()))?;
        let mut this = Self {
            child,
            port,
            chromium,
        };
        let addr = format!("127.0.0.1:{port}");
        wait::until("chromedriver to listen", Duration::from_secs(20), || {
            let exited = this.child.try_wait().ok().flatten();
            let addr = addr.clone();
            async move {
                if let Some(status) = exited {
                    bail!("chromedriver exited at start ({status})");
                }
                Ok(tokio::net::TcpStream::connect(&addr).await.ok().map(|_| ()))
            }
        })
        .await?;
        Ok(this)
    }

    /// The WebDriver endpoint.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The Chromium binary sessions should run.
    pub fn chromium(&self) -> &PathBuf {
        &self.chromium
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tool(variable: &str, default: &str) -> Result<PathBuf> {
    let path = std::env::var_os(variable).map_or_else(|| PathBuf::from(default), PathBuf::from);
    if !path.is_file() {
        bail!(
            "{} not found: the browser tests need Chromium and chromedriver \
             (`apt-get install chromium chromium-driver`, or `cargo xtask setup`), \
             or set {variable} to its path",
            path.display()
        );
    }
    Ok(path)
}

/// A port nobody listens on right now (the OS picks it; chromedriver binds it a
/// moment later).
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}
