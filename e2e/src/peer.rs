//! A second participant that is not a browser: the terminal client's connection
//! straight to the MCP server, for tests that need many messages fast or a known
//! party on the other end.

use anyhow::{Context, Result, bail};
use miricat_cli::args::Protocol;
use miricat_cli::connection::{ConnectOptions, Connection};
use miricat_cli::transport::ServerAddr;
use miricat_shared::{Body, RoomId};
use std::net::SocketAddr;
use std::time::Duration;

/// A signed-in MCP connection.
pub struct Peer {
    connection: Connection,
}

impl Peer {
    /// Signs in to the server at `addr` (registering the account when `register`).
    pub async fn sign_in(
        addr: SocketAddr,
        user: &str,
        password: &str,
        register: bool,
    ) -> Result<Self> {
        let options = ConnectOptions {
            server: ServerAddr::parse(&format!("tcp://{addr}"))?,
            username: user.to_owned(),
            password: password.to_owned(),
            register,
            protocol: Protocol::V2_1,
            timeout: Duration::from_secs(10),
        };
        let mut connection = Connection::open(&options)
            .await
            .with_context(|| format!("signing in as {user}"))?;
        // Only replies matter here; pushes (the room's traffic) are not kept.
        connection.set_keep_pushes(false);
        Ok(Self { connection })
    }

    /// Creates a room (root only) and returns its ID.
    pub async fn create_room(&mut self, name: &str) -> Result<RoomId> {
        match self.connection.call(|s| s.create_room(name)).await?.body {
            Body::RoomCreated(room) => Ok(room.room),
            other => bail!("creating {name}: unexpected {}", other.kind()),
        }
    }

    /// Joins `room`.
    pub async fn join(&mut self, room: RoomId) -> Result<()> {
        self.connection.call(|s| s.join_room(room)).await?;
        Ok(())
    }

    /// Sends `text` to `room` and waits for the server to accept it.
    pub async fn say(&mut self, room: RoomId, text: &str) -> Result<()> {
        self.connection.call(|s| s.send_text(room, text)).await?;
        Ok(())
    }
}
