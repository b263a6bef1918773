//! `miricat chat`: an interactive line chat. Incoming messages are printed above the
//! prompt; `/join`, `/leave`, `/rooms`, `/help` and `/quit` are commands.

use std::io::{IsTerminal, Write};

use miricat_shared::packet::room::RoomInfo;
use miricat_shared::packet::{Body, Packet, RoomId};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc;

use crate::CliError;
use crate::connection::Connection;
use crate::escape::escape_inline;
use crate::output::{Format, describe};

const HELP: &str = "/join <id or name>  join a room and write to it\n\
/leave              leave the current room\n\
/rooms              list rooms\n\
/quit               exit (or Ctrl-D)";

/// Runs the interactive chat until `/quit` or end of input.
pub async fn run(
    connection: &mut Connection,
    first_room: Option<RoomId>,
    format: Format,
) -> Result<(), CliError> {
    let mut chat = Chat {
        rooms: connection.accepted().rooms.clone(),
        current: None,
        format,
        prompt: std::io::stdout().is_terminal() && format == Format::Text,
    };
    if let Some(room) = first_room {
        chat.join(connection, &room.to_string()).await?;
    } else {
        chat.say(&format!(
            "{} rooms; /join <id or name> to start, /help for commands",
            chat.rooms.len()
        ));
    }
    let mut input = spawn_stdin_reader();
    loop {
        chat.show_prompt();
        tokio::select! {
            line = input.recv() => {
                let Some(line) = line else { return Ok(()) };
                if !chat.handle_input(connection, line.trim_end()).await? {
                    return Ok(());
                }
            }
            packet = connection.next_push(None) => {
                if let Some(packet) = packet? {
                    chat.show(&packet);
                }
            }
        }
    }
}

struct Chat {
    rooms: Vec<RoomInfo>,
    current: Option<RoomId>,
    format: Format,
    prompt: bool,
}

impl Chat {
    fn show_prompt(&self) {
        if self.prompt {
            let label = self
                .current
                .map_or_else(|| "-".to_owned(), |r| self.room_name(r));
            let label = escape_inline(&label);
            print!("{label}> ");
            let _ = std::io::stdout().flush();
        }
    }

    /// Prints a line above the prompt.
    fn say(&self, text: &str) {
        if self.prompt {
            print!("\r\x1b[2K");
        }
        println!("{text}");
    }

    fn room_name(&self, room: RoomId) -> String {
        self.rooms
            .iter()
            .find(|r| r.id == room)
            .map_or_else(|| room.to_string(), |r| r.name.clone())
    }

    fn show(&mut self, packet: &Packet) {
        match &packet.body {
            Body::RoomCreated(r) => self.rooms.push(RoomInfo {
                id: r.room,
                name: r.name.clone(),
                all_users: vec![],
            }),
            Body::RoomUpdated(r) => {
                if let Some(room) = self.rooms.iter_mut().find(|room| room.id == r.room) {
                    room.name.clone_from(&r.name);
                }
            }
            Body::RoomDeleted(r) => {
                self.rooms.retain(|room| room.id != r.room);
                if self.current == Some(r.room) {
                    self.current = None;
                }
            }
            _ => {}
        }
        if let Some(line) = describe(packet, self.format) {
            self.say(&line);
        }
    }

    /// Handles one input line; `false` to quit.
    async fn handle_input(
        &mut self,
        connection: &mut Connection,
        line: &str,
    ) -> Result<bool, CliError> {
        let (command, argument) = line.split_once(' ').unwrap_or((line, ""));
        let outcome = match command {
            "" => Ok(()),
            "/quit" | "/exit" => return Ok(false),
            "/help" => {
                self.say(HELP);
                Ok(())
            }
            "/rooms" => {
                for room in &self.rooms {
                    self.say(&format!("{}\t{}", room.id, escape_inline(&room.name)));
                }
                Ok(())
            }
            "/join" => self.join(connection, argument.trim()).await,
            "/leave" => self.leave(connection).await,
            command if command.starts_with('/') => {
                self.say(&format!("unknown command {command}; /help lists them"));
                Ok(())
            }
            _ => self.send(connection, line).await,
        };
        match outcome {
            // A refused or unanswered request is shown; the chat goes on.
            Err(CliError::Server(e)) => self.say(&format!(
                "error: {} ({})",
                e.kind.explanation(),
                escape_inline(&e.to_string())
            )),
            Err(e @ CliError::NoAnswer(_)) => {
                self.say(&format!("error: {}", escape_inline(&e.to_string())));
            }
            Err(other) => return Err(other),
            Ok(()) => {}
        }
        Ok(true)
    }

    async fn join(&mut self, connection: &mut Connection, target: &str) -> Result<(), CliError> {
        let room = match target.parse::<RoomId>() {
            Ok(id) => Some(id),
            Err(_) => self.rooms.iter().find(|r| r.name == target).map(|r| r.id),
        };
        let Some(room) = room else {
            self.say(&format!("no room {target:?}; /rooms lists them"));
            return Ok(());
        };
        let members = super::join(connection, room).await?;
        self.current = Some(room);
        self.say(&format!(
            "joined {} ({})",
            escape_inline(&self.room_name(room)),
            escape_inline(&members.join(", "))
        ));
        Ok(())
    }

    async fn leave(&mut self, connection: &mut Connection) -> Result<(), CliError> {
        let Some(room) = self.current.take() else {
            self.say("not in a room");
            return Ok(());
        };
        connection.call(|s| s.leave_room(room)).await?;
        self.say(&format!("left {}", escape_inline(&self.room_name(room))));
        Ok(())
    }

    async fn send(&mut self, connection: &mut Connection, text: &str) -> Result<(), CliError> {
        let Some(room) = self.current else {
            self.say("join a room first: /join <id or name>");
            return Ok(());
        };
        let echo = connection.call(|s| s.send_text(room, text)).await?;
        if self.prompt {
            // Replace the typed line with the server's stamped copy.
            print!("\x1b[1A");
        }
        self.show(&echo);
        Ok(())
    }
}

/// Reads stdin lines on a task, so waiting for input never blocks the connection.
fn spawn_stdin_reader() -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(async move {
        let mut lines = BufReader::new(tokio::io::stdin()).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if tx.send(line).await.is_err() {
                break;
            }
        }
    });
    rx
}
