//! The `miricat` command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use miricat_shared::packet::RoomId;

/// A terminal client for the Miricat Chat Protocol (MCP 2.1).
///
/// Connects directly over TCP (`tcp://HOST:PORT`) or through a Miricat bridge over
/// WebSocket (`ws://HOST:PORT/ws`, `wss://...`). The password is read from
/// MIRICAT_PASSWORD or asked for without echo; it is never a flag, where other users
/// of the machine could see it.
///
/// Exit codes: 0 success, 1 usage, 2 connection or handshake failure or no answer
/// within --timeout, 3 sign-in refused, 4 error from the server, 5 `listen --count`
/// heard too few messages, 6 `history` on a server that does not offer it.
#[derive(Debug, Parser)]
#[command(name = "miricat", version)]
pub struct Cli {
    /// Connection and account options.
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Print one JSON object per line instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Where to connect and as whom.
#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// The server: tcp://HOST:PORT directly, or ws://HOST:PORT/ws (wss://) via a bridge.
    #[arg(
        long,
        env = "MIRICAT_SERVER",
        default_value = "tcp://127.0.0.1:3072",
        global = true
    )]
    pub server: String,
    /// Username to sign in as.
    #[arg(long, env = "MIRICAT_USER", global = true)]
    pub user: Option<String>,
    /// Create the account (Register) instead of logging in.
    #[arg(long, global = true)]
    pub register: bool,
    /// Protocol version: auto offers 2.1.0 and falls back to 2.0.0 if refused.
    #[arg(long, value_enum, default_value_t = Protocol::Auto, global = true)]
    pub protocol: Protocol,
    /// Seconds to wait at each step before giving up with exit code 2: connecting,
    /// the handshake, signing in, and every reply to a request.
    #[arg(
        long = "timeout",
        value_name = "SECS",
        default_value_t = 15,
        global = true
    )]
    pub timeout_secs: u64,
}

/// `--protocol` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Protocol {
    /// 2.1.0, falling back to 2.0.0 on Error.UnsupportedVersion.
    Auto,
    /// Only MCP 2.1.0.
    #[value(name = "2.1.0")]
    V2_1,
    /// Only MCP 2.0.0 (no packet IDs).
    #[value(name = "2.0.0")]
    V2_0,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List rooms: id, name and who is in each.
    Rooms,
    /// Join a room if needed, send a text message and wait until the server echoes it.
    Send {
        /// Room ID.
        #[arg(long)]
        room: RoomId,
        /// The message text.
        text: String,
    },
    /// Join a room and print each message as it arrives.
    Listen {
        /// Room ID.
        #[arg(long)]
        room: RoomId,
        /// Exit after this many messages.
        #[arg(long)]
        count: Option<usize>,
        /// Listen for this many seconds, then stop (exit 5 if --count was not reached).
        #[arg(long = "for", value_name = "SECS")]
        for_secs: Option<u64>,
    },
    /// Print a room's past messages, oldest first, as `listen` prints new ones. Needs a
    /// server offering the history/1 extension (Miricat's own; exit 6 otherwise).
    /// Joins the room to read it.
    History {
        /// Room ID.
        #[arg(long)]
        room: RoomId,
        /// How many messages at most: the newest ones (before --before, if given).
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=MAX_HISTORY_MESSAGES))]
        limit: u64,
        /// Only messages older than this message ID (with --json each message shows
        /// its messageId; page back with the oldest one printed).
        #[arg(long, value_name = "ID", value_parser = clap::value_parser!(u64).range(1..))]
        before: Option<u64>,
    },
    /// Interactive chat: messages appear above the prompt; /join, /leave, /rooms, /quit.
    Chat {
        /// Room to join first.
        #[arg(long)]
        room: Option<RoomId>,
    },
    /// Upload an image (PNG, JPEG, GIF or WebP) and post it to a room.
    Upload {
        /// The image file.
        file: PathBuf,
        /// Room ID to post it in.
        #[arg(long)]
        room: RoomId,
    },
    /// Download an image stored on the server.
    Download {
        /// The image ID (the part after mcp_image://).
        image_id: String,
        /// Where to write it.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Root-only administration.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Load generator: N clients in one room send M messages at a total rate and the
    /// delivery latency to every member is measured.
    Bench(BenchArgs),
}

/// Most messages one `history` run prints (its pages are paced by the server, 10 a
/// second after the first 20, so this takes a few seconds).
pub const MAX_HISTORY_MESSAGES: u64 = 10_000;

/// `admin` subcommands (root only).
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a room.
    CreateRoom {
        /// Its name.
        name: String,
    },
    /// Rename a room.
    RenameRoom {
        /// Room ID.
        id: RoomId,
        /// The new name.
        name: String,
    },
    /// Delete a room.
    DeleteRoom {
        /// Room ID.
        id: RoomId,
    },
    /// Create a user; the password comes from MIRICAT_NEW_PASSWORD or a prompt.
    CreateUser {
        /// The username.
        name: String,
    },
    /// Delete a user (their connections are closed).
    DeleteUser {
        /// The username.
        name: String,
    },
}

/// `bench` options.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Number of clients (accounts bench-0 .. bench-N-1, registered on first use).
    #[arg(long, default_value_t = 20)]
    pub clients: usize,
    /// Messages to send in total.
    #[arg(long, default_value_t = 100)]
    pub messages: usize,
    /// Messages per second, in total.
    #[arg(long, default_value_t = 50.0)]
    pub rate: f64,
    /// Room to use; created by root (--user root) if missing.
    #[arg(long, default_value = "bench")]
    pub room_name: String,
    /// Clients connecting at once during setup.
    #[arg(long, default_value_t = 32)]
    pub connect_concurrency: usize,
    /// Password of the bench-N accounts.
    #[arg(long, env = "MIRICAT_BENCH_PASSWORD", default_value = "miricat-bench")]
    pub bench_password: String,
}
