//! `miricat history --room ID [--limit N] [--before ID]`: a room's past messages,
//! oldest first, through the `history/1` extension (`docs/extensions.md`).

use miricat_shared::packet::extension::Extension;
use miricat_shared::packet::history::{HistoryEntry, MAX_HISTORY_LIMIT, RequireHistory};
use miricat_shared::packet::message::MessageId;
use miricat_shared::packet::{Body, Packet, PacketId, RoomId};
use serde_json::json;

use crate::CliError;
use crate::connection::Connection;
use crate::output::{Format, describe, json_line};

/// Joins `room`, fetches its newest `limit` messages (older than `before`), in pages
/// going back, and prints them oldest first like `listen` does.
pub async fn run(
    connection: &mut Connection,
    room: RoomId,
    limit: u64,
    before: Option<MessageId>,
    format: Format,
) -> Result<(), CliError> {
    if !connection.agreed_extensions().contains(Extension::History) {
        return Err(CliError::NotOffered(Extension::History));
    }
    super::join(connection, room).await?;
    let (pages, more) = fetch(connection, room, limit, before).await?;
    let mut oldest = None;
    for entry in pages.iter().rev().flatten() {
        oldest = oldest.or(entry.message_id());
        let packet = Packet::in_room(
            PacketId::DontHaveId,
            entry.room,
            entry.message.clone().into_body(),
        );
        if let Some(line) = describe(&packet, format) {
            println!("{line}");
        }
    }
    match (format, oldest) {
        (Format::Json, _) => {
            println!(
                "{}",
                json_line(
                    &json!({"event": "history", "room": room, "more": more, "oldest": oldest})
                )
            );
        }
        (Format::Text, None) => eprintln!("no messages in room {room}"),
        (Format::Text, Some(oldest)) if more => {
            eprintln!("older messages exist: miricat history --room {room} --before {oldest}")
        }
        (Format::Text, Some(_)) => {}
    }
    Ok(())
}

/// The pages, newest page first, and whether older messages remain.
async fn fetch(
    connection: &mut Connection,
    room: RoomId,
    limit: u64,
    mut before: Option<MessageId>,
) -> Result<(Vec<Vec<HistoryEntry>>, bool), CliError> {
    let (mut pages, mut wanted, mut more) = (Vec::new(), limit, true);
    while wanted > 0 && more {
        let range = RequireHistory {
            before,
            after: None,
            limit: Some(wanted.min(MAX_HISTORY_LIMIT)),
        };
        let reply = connection.call(|s| s.require_history(room, range)).await?;
        let Body::History(page) = reply.body else {
            return Err(CliError::Unexpected(format!(
                "{} to Message.RequireHistory",
                reply.body.kind()
            )));
        };
        more = page.more;
        let Some(oldest) = page.messages.first().and_then(HistoryEntry::message_id) else {
            break;
        };
        // Each page must reach further back, or a faulty server would keep us here.
        if before.is_some_and(|b| oldest >= b) || page.messages.len() as u64 > wanted {
            return Err(CliError::Unexpected(
                "a history page that does not go back in time".into(),
            ));
        }
        wanted -= page.messages.len() as u64;
        before = Some(oldest);
        pages.push(page.messages);
    }
    Ok((pages, more))
}
