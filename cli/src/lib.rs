//! The terminal MCP client (`miricat`): chat, scripting and load generation from the
//! shell, directly over TCP or through the bridge over WebSocket, using the same
//! sans-IO session as the browser.
//!
//! # Layout
//! - [`args`]: the command line.
//! - [`error`]: [`CliError`] and the exit codes it maps to.
//! - [`transport`]: one line in, one line out, over TCP or a WebSocket.
//! - [`connection`]: a signed-in MCP connection (handshake with version fallback,
//!   login, request/reply, heartbeats, pushes).
//! - [`output`]: printing messages as text or JSON lines; [`escape`]: making peer
//!   text safe to print.
//! - [`commands`]: one file per subcommand.

#![warn(clippy::unwrap_used, clippy::expect_used)]

pub mod args;
pub mod commands;
pub mod connection;
pub mod error;
pub mod escape;
pub mod output;
pub mod transport;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

pub use error::CliError;

/// Parses `args`, runs the command on a tokio runtime and maps the outcome to the
/// documented exit codes (0 ok, 1 usage, 2 connection or no answer in time, 3
/// authentication, 4 server error, 5 `listen --count` short, 6 `history` on a server
/// that does not offer it).
pub fn main_with_args(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match args::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            let informational = matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
            );
            return if informational {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(error::EXIT_USAGE)
            };
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("miricat: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Errors can carry the server's words: escaped like any peer text.
            eprintln!("miricat: {}", escape::escape_inline(&e.to_string()));
            ExitCode::from(e.exit_code())
        }
    }
}
