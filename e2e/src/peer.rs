//! A second participant that is not a browser: the terminal client's connection
//! straight to the MCP server (or through the bridge), for tests that need many
//! messages fast, a known party on the other end, or traffic a browser would not
//! send.

use anyhow::{Context, Result, bail};
use miricat_cli::CliError;
use miricat_cli::args::Protocol;
use miricat_cli::connection::{ConnectOptions, Connection};
use miricat_cli::transport::ServerAddr;
use miricat_shared::packet::ErrorPacket;
use miricat_shared::packet::extension::ExtensionSet;
use miricat_shared::packet::message::CreateImageMessage;
use miricat_shared::{Body, Packet, RoomId};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::time::Instant;

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
        Self::sign_in_at(&format!("tcp://{addr}"), user, password, register).await
    }

    /// Signs in at `server`: `tcp://HOST:PORT`, or a bridge's `ws://HOST:PORT/ws`
    /// (one frame per line, as the browser sends them).
    pub async fn sign_in_at(
        server: &str,
        user: &str,
        password: &str,
        register: bool,
    ) -> Result<Self> {
        let options = ConnectOptions {
            server: ServerAddr::parse(server)?,
            username: user.to_owned(),
            password: password.to_owned(),
            register,
            protocol: Protocol::V2_1,
            timeout: Duration::from_secs(10),
            extensions: ExtensionSet::EMPTY,
        };
        let mut connection = Connection::open(&options)
            .await
            .with_context(|| format!("signing in as {user} at {server}"))?;
        // Only replies matter unless a test asks for pushes (the room's traffic).
        connection.set_keep_pushes(false);
        Ok(Self { connection })
    }

    /// Keeps (or stops keeping) pushes that arrive while waiting for replies, for
    /// [`Peer::pushes_until`].
    pub fn keep_pushes(&mut self, keep: bool) {
        self.connection.set_keep_pushes(keep);
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

    /// Sends `text` to `room` and returns the server's refusal, failing if it
    /// accepts the message instead.
    pub async fn say_refused(&mut self, room: RoomId, text: &str) -> Result<ErrorPacket> {
        match self.connection.call(|s| s.send_text(room, text)).await {
            Err(CliError::Server(error)) => Ok(error),
            Err(other) => Err(other.into()),
            Ok(reply) => bail!("the server accepted the message: {}", reply.type_string()),
        }
    }

    /// Posts the image at `url` (an http(s) address) to `room`.
    pub async fn post_image_url(&mut self, room: RoomId, url: &str) -> Result<()> {
        self.connection
            .call(|s| s.send_image(room, CreateImageMessage::url(url)))
            .await?;
        Ok(())
    }

    /// Every push that arrives until `deadline` (and those kept before it).
    pub async fn pushes_until(&mut self, deadline: Instant) -> Result<Vec<Packet>> {
        let mut pushes = Vec::new();
        while let Some(packet) = self.connection.next_push(Some(deadline)).await? {
            pushes.push(packet);
        }
        Ok(pushes)
    }
}
