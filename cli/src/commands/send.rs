//! `miricat send --room ID TEXT`: join if needed, send, and wait for the echo.

use miricat_shared::packet::{Body, RoomId};

use crate::CliError;
use crate::connection::Connection;
use crate::output::{Format, describe};

/// Sends one message; succeeds once the server has echoed it back.
pub async fn run(
    connection: &mut Connection,
    room: RoomId,
    text: &str,
    format: Format,
) -> Result<(), CliError> {
    if text.trim().is_empty() {
        return Err(CliError::Usage("the message text is empty".into()));
    }
    super::join(connection, room).await?;
    let echo = connection.call(|s| s.send_text(room, text)).await?;
    match &echo.body {
        Body::TextMessage(_) => {
            if let Some(line) = describe(&echo, format) {
                println!("{line}");
            }
            Ok(())
        }
        other => Err(CliError::Unexpected(format!(
            "{} to a text message",
            other.kind()
        ))),
    }
}
