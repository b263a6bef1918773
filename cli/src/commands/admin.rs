//! `miricat admin ...`: root-only room and user administration.

use miricat_shared::packet::Body;
use serde_json::json;

use crate::CliError;
use crate::args::AdminCommand;
use crate::connection::Connection;
use crate::escape::escape_inline;
use crate::output::{Format, json_line};

/// Runs one administrative request and prints its result.
pub async fn run(
    connection: &mut Connection,
    command: AdminCommand,
    format: Format,
) -> Result<(), CliError> {
    let reply = match &command {
        AdminCommand::CreateRoom { name } => connection.call(|s| s.create_room(name)).await?,
        AdminCommand::RenameRoom { id, name } => {
            connection.call(|s| s.rename_room(*id, name)).await?
        }
        AdminCommand::DeleteRoom { id } => connection.call(|s| s.delete_room(*id)).await?,
        AdminCommand::CreateUser { name } => {
            let password = super::read_secret(
                "MIRICAT_NEW_PASSWORD",
                &format!("Password for the new user {name}: "),
            )?;
            connection.call(|s| s.create_user(name, &password)).await?
        }
        AdminCommand::DeleteUser { name } => connection.call(|s| s.delete_user(name)).await?,
    };
    let (text, value) = match &reply.body {
        Body::RoomCreated(r) => (
            format!("created room {} ({})", r.room, r.name),
            json!({"room": r.room, "name": r.name}),
        ),
        Body::RoomUpdated(r) => (
            format!("renamed room {} to {}", r.room, r.name),
            json!({"room": r.room, "name": r.name}),
        ),
        Body::RoomDeleted(r) => (format!("deleted room {}", r.room), json!({"room": r.room})),
        Body::UserCreated(u) => (
            format!("created user {}", u.username),
            json!({"username": u.username}),
        ),
        Body::UserDeleted(u) => (
            format!("deleted user {}", u.username),
            json!({"username": u.username}),
        ),
        other => {
            return Err(CliError::Unexpected(format!(
                "{} to an admin request",
                other.kind()
            )));
        }
    };
    match format {
        // Names come back from the server: escaped like any peer text.
        Format::Text => println!("{}", escape_inline(&text)),
        Format::Json => println!("{}", json_line(&value)),
    }
    Ok(())
}
