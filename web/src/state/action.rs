//! Everything that changes the state.

use miricat_shared::RoomId;
use miricat_shared::packet::message::MessageId;
use miricat_shared::session::ProtocolVersion;

use super::{
    AdminOutcome, Content, Delivery, ImageView, PastMessage, Phase, Restored, RoomListing,
    UploadView,
};

/// Everything that changes the state.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The connection moved to another phase, with an optional explanation.
    Phase(Phase, Option<String>),
    /// A sign-in for `username` started (clears a previous user's rooms).
    SignInStarted {
        /// Who is signing in.
        username: String,
    },
    /// `Authentication.Accepted`: the rooms that exist now.
    SignedIn(Vec<RoomListing>),
    /// The sign-in (or a handshake) failed for good: back to the form with a reason.
    Stopped(String),
    /// Signed out by the user.
    SignedOut,
    /// What this browser's store held for the account signing in (after a
    /// reload): shown at once, before the server answers.
    Restored(Box<Restored>),
    /// Show an error in the banner.
    Error(String),
    /// Hide the banner.
    DismissError,
    /// `Room.List`: the complete room list.
    RoomsListed(Vec<RoomListing>),
    /// `Room.Created` / `Room.Updated`.
    RoomUpserted {
        /// Room ID.
        id: RoomId,
        /// Its (new) name.
        name: String,
    },
    /// `Room.Deleted`.
    RoomRemoved(RoomId),
    /// The server carried out root's administrative request.
    AdminDone(AdminOutcome),
    /// Hide the administration notice.
    DismissAdminNotice,
    /// We asked to join (or will, once online).
    JoinRequested(RoomId),
    /// Our join failed (refused, unanswered, or the connection closed on it): the
    /// room's Join button is usable again, with the reason next to it.
    JoinFailed {
        /// The room.
        room: RoomId,
        /// Why, in plain words.
        why: String,
    },
    /// We asked to leave.
    LeaveRequested(RoomId),
    /// Our leave failed: still in the room, with the reason by its Leave button.
    LeaveFailed {
        /// The room.
        room: RoomId,
        /// Why, in plain words.
        why: String,
    },
    /// The protocol version this connection signed in with.
    ProtocolInUse(ProtocolVersion),
    /// `Room.Joined`, ours or someone else's.
    MemberJoined {
        /// The room.
        room: RoomId,
        /// Who joined.
        user: String,
        /// Everyone present now.
        all_users: Vec<String>,
        /// When it arrived.
        time_ms: u64,
    },
    /// `Room.Left`, ours or someone else's.
    MemberLeft {
        /// The room.
        room: RoomId,
        /// Who left.
        user: String,
        /// When it arrived.
        time_ms: u64,
    },
    /// Someone else's message, ours from another tab, or our posted image.
    Message {
        /// The room.
        room: RoomId,
        /// Who wrote it.
        sender: String,
        /// Its text or image.
        content: Content,
        /// Server time.
        time_ms: u64,
        /// The server's ID of it (`history/1`): it is not shown if a history page
        /// brought it already.
        message_id: Option<MessageId>,
    },
    /// We wrote a message; it is pending.
    OwnMessageQueued {
        /// Local ID, to update it later.
        local_id: u64,
        /// The room.
        room: RoomId,
        /// Its text.
        text: String,
        /// Local time.
        time_ms: u64,
    },
    /// A message of ours changed state; `time_ms` is the server's stamp once sent.
    OwnMessageDelivery {
        /// Local ID.
        local_id: u64,
        /// New state.
        delivery: Delivery,
        /// The server's time, when it confirmed.
        time_ms: Option<u64>,
    },
    /// The server confirmed our message `local_id` as its message `message_id`.
    OwnMessageIdentified {
        /// Local ID.
        local_id: u64,
        /// The server's ID.
        message_id: MessageId,
    },
    /// A page of the room's history was asked for.
    HistoryLoading(RoomId),
    /// A page of the room's history came (`history/1`).
    HistoryPage {
        /// The room.
        room: RoomId,
        /// Its messages, oldest first.
        messages: Vec<PastMessage>,
        /// For pages going back in time: whether older messages exist. `None` for
        /// a page filling a gap, which says nothing about the room's start.
        older: Option<bool>,
    },
    /// A page of the room's history did not come.
    HistoryFailed {
        /// The room.
        room: RoomId,
        /// Why, in plain words.
        why: String,
    },
    /// Open a room.
    OpenRoom(RoomId),
    /// Move `step` rooms down (positive) or up (negative) the sidebar order.
    SwitchRoom(i32),
    /// Add an app notice to a room's timeline.
    Notice {
        /// The room.
        room: RoomId,
        /// The text.
        text: String,
        /// Local time.
        time_ms: u64,
    },
    /// An `mcp_image://` image's download moved on (progress, done or failed).
    Image {
        /// The server's image ID.
        id: String,
        /// Where it is now.
        view: ImageView,
    },
    /// The reader chose whether images from other sites load by themselves.
    LoadExternalImages(bool),
    /// The upload in progress changed; `None` once it is posted, failed or cancelled.
    Upload(Option<UploadView>),
    /// A handshake was timed.
    HandshakeMeasured(f64),
    /// The first sign-in was timed.
    SignInMeasured {
        /// Press of the button to Accepted.
        sign_in_ms: f64,
        /// Page navigation to Accepted.
        page_ms: f64,
    },
}
