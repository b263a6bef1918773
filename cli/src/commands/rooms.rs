//! `miricat rooms`: the room list with members, from the server's Accepted.

use serde_json::json;

use crate::CliError;
use crate::connection::Connection;
use crate::output::Format;

/// Prints every room: id, name, members.
pub fn run(connection: &Connection, format: Format) -> Result<(), CliError> {
    for room in &connection.accepted().rooms {
        match format {
            Format::Text => println!("{}\t{}\t{}", room.id, room.name, room.all_users.join(", ")),
            Format::Json => {
                println!(
                    "{}",
                    json!({"id": room.id, "name": room.name, "members": room.all_users})
                );
            }
        }
    }
    Ok(())
}
