//! `miricat`: the terminal MCP client. Parses flags and hands over to the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    miricat_cli::main_with_args(std::env::args_os())
}
