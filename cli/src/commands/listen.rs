//! `miricat listen --room ID [--count N] [--for SECS]`: print messages as they come.

use std::time::Duration;

use miricat_shared::packet::{Body, RoomId};

use crate::CliError;
use crate::connection::Connection;
use crate::output::{Format, describe};

/// Joins `room` and prints each message until `count` arrived or `for_secs` passed.
pub async fn run(
    connection: &mut Connection,
    room: RoomId,
    count: Option<usize>,
    for_secs: Option<u64>,
    format: Format,
) -> Result<(), CliError> {
    super::join(connection, room).await?;
    if format == Format::Text {
        eprintln!("listening in room {room} (Ctrl-C to stop)");
    }
    let deadline = for_secs.map(|secs| tokio::time::Instant::now() + Duration::from_secs(secs));
    let mut received = 0usize;
    while count.is_none_or(|n| received < n) {
        let Some(packet) = connection.next_push(deadline).await? else {
            return match count {
                Some(n) => Err(CliError::Timeout(format!(
                    "{received} of {n} messages within --for"
                ))),
                None => Ok(()),
            };
        };
        let is_message = matches!(packet.body, Body::TextMessage(_) | Body::ImageMessage(_));
        if is_message && packet.room.is_some_and(|r| r != room) {
            continue;
        }
        if let Some(line) = describe(&packet, format) {
            println!("{line}");
        }
        if is_message {
            received += 1;
        }
    }
    Ok(())
}
