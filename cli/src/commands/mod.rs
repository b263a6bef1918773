//! One file per subcommand; [`run`] dispatches.

mod admin;
mod bench;
mod chat;
mod files;
mod history;
mod listen;
mod rooms;
mod send;

use std::time::Duration;

use miricat_shared::packet::extension::{Extension, ExtensionSet};
use miricat_shared::packet::{Body, RoomId};

use crate::CliError;
use crate::args::{Cli, Command, ConnectArgs};
use crate::connection::{ConnectOptions, Connection};
use crate::output::Format;
use crate::transport::ServerAddr;

/// Runs one parsed command line.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    let format = Format::from_json_flag(cli.json);
    if let Command::Bench(args) = &cli.command {
        return bench::run(&cli.connect, args, format).await;
    }
    let mut options = connect_options(&cli.connect)?;
    if matches!(cli.command, Command::History { .. }) {
        options.extensions.insert(Extension::History);
    }
    let mut connection = Connection::open(&options).await?;
    let result = match cli.command {
        Command::Rooms => rooms::run(&connection, format),
        Command::Send { room, text } => send::run(&mut connection, room, &text, format).await,
        Command::Listen {
            room,
            count,
            for_secs,
        } => listen::run(&mut connection, room, count, for_secs, format).await,
        Command::History {
            room,
            limit,
            before,
        } => history::run(&mut connection, room, limit, before, format).await,
        Command::Chat { room } => chat::run(&mut connection, room, format).await,
        Command::Upload { file, room } => files::upload(&mut connection, &file, room, format).await,
        Command::Download { image_id, output } => {
            files::download(&mut connection, &image_id, &output, format).await
        }
        Command::Admin(admin) => admin::run(&mut connection, admin, format).await,
        Command::Bench(_) => Ok(()),
    };
    connection.close().await;
    result
}

/// Connection options from flags and the environment; the password from
/// `MIRICAT_PASSWORD` or a prompt without echo.
fn connect_options(args: &ConnectArgs) -> Result<ConnectOptions, CliError> {
    let username = args
        .user
        .clone()
        .filter(|u| !u.is_empty())
        .ok_or_else(|| CliError::Usage("--user NAME (or MIRICAT_USER) is required".into()))?;
    let password = read_secret("MIRICAT_PASSWORD", &format!("Password for {username}: "))?;
    Ok(ConnectOptions {
        server: ServerAddr::parse(&args.server)?,
        username,
        password,
        register: args.register,
        protocol: args.protocol,
        timeout: Duration::from_secs(args.timeout_secs.max(1)),
        extensions: ExtensionSet::EMPTY,
    })
}

/// A secret from `env_var`, else asked on the terminal without echo.
fn read_secret(env_var: &str, prompt: &str) -> Result<String, CliError> {
    if let Ok(value) = std::env::var(env_var) {
        return Ok(value);
    }
    rpassword::prompt_password(prompt).map_err(|e| {
        CliError::Usage(format!(
            "set {env_var} or run in a terminal to be asked ({e})"
        ))
    })
}

/// Joins `room` (joining a joined room is harmless: the server answers Joined again).
async fn join(connection: &mut Connection, room: RoomId) -> Result<Vec<String>, CliError> {
    let reply = connection.call(|s| s.join_room(room)).await?;
    match reply.body {
        Body::RoomJoined(joined) => Ok(joined.all_users),
        other => Err(CliError::Unexpected(format!(
            "{} to Room.Join",
            other.kind()
        ))),
    }
}
