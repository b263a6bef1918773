//! `miricat rooms`: the room list with members, from the server's Accepted.

use serde_json::json;

use crate::CliError;
use crate::connection::Connection;
use crate::escape::escape_inline;
use crate::output::{Format, json_line};

/// Prints every room: id, name, members.
pub fn run(connection: &Connection, format: Format) -> Result<(), CliError> {
    for room in &connection.accepted().rooms {
        match format {
            Format::Text => println!(
                "{}\t{}\t{}",
                room.id,
                escape_inline(&room.name),
                escape_inline(&room.all_users.join(", "))
            ),
            Format::Json => {
                println!(
                    "{}",
                    json_line(
                        &json!({"id": room.id, "name": room.name, "members": room.all_users})
                    )
                );
            }
        }
    }
    Ok(())
}
