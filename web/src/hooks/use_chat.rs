//! The chat context: the state plus domain commands, provided once by
//! [`crate::components::app::App`] and read with [`use_chat`].

use miricat_shared::RoomId;
use yew::prelude::*;

use crate::client::{Credentials, DownloadAsk, is_web_image_url, upload_size_refusal};
use crate::commands::{HELP_LINES, Input, parse_input, resolve_room};
use crate::send_limits::{TextSize, text_size, too_long};
use crate::services::clock::now_ms;
use crate::services::connection::Connection;
use crate::services::{files, storage};
use crate::state::{Action, ChatState};

/// What every component can reach: the current state and the commands.
#[derive(Clone)]
pub struct ChatContext {
    state: UseReducerHandle<ChatState>,
    connection: Connection,
    /// The state's revision when this context was made. The handle itself always
    /// reads the latest state (Yew 0.23), so it cannot tell an old context from a new
    /// one: this snapshot does.
    revision: u64,
}

impl PartialEq for ChatContext {
    fn eq(&self, other: &Self) -> bool {
        // Every action bumps the revision: no need to compare rooms and timelines.
        self.revision == other.revision && self.connection == other.connection
    }
}

impl ChatContext {
    /// Pairs the reducer with the connection that feeds it.
    pub fn new(state: UseReducerHandle<ChatState>, connection: Connection) -> Self {
        let revision = state.revision;
        Self {
            state,
            connection,
            revision,
        }
    }

    /// The state to render.
    pub fn state(&self) -> &ChatState {
        &self.state
    }

    /// Signs in or registers.
    pub fn sign_in(&self, username: &str, password: &str, register: bool, bridge_url: String) {
        let credentials = Credentials {
            username: username.trim().to_owned(),
            password: password.to_owned(),
            register,
        };
        self.connection.sign_in(credentials, bridge_url);
    }

    /// Handles what was typed in the composer: a message for the open room or a
    /// command. Returns false when nothing was done (so the input is kept).
    pub fn submit(&self, raw: &str) -> bool {
        let state = self.state();
        match parse_input(raw) {
            Input::Empty => false,
            Input::Text(text) => match state.active_room() {
                // Refused here with the reason: the server would refuse it, or the
                // bridge close the connection over it.
                _ if matches!(text_size(&text), TextSize::TooLong(_)) => {
                    self.error(&too_long(text.len()));
                    false
                }
                Some(room) if room.membership.is_in() => {
                    self.connection.send_text(room.id, &text);
                    true
                }
                Some(room) => {
                    self.error(&format!(
                        "Join \"{}\" to write there (the Join button, or /join).",
                        room.name
                    ));
                    false
                }
                None => {
                    self.error("Open a room first: pick one on the left or type /join <room>.");
                    false
                }
            },
            Input::Join(target) => {
                let rooms = state.rooms.values().map(|r| (r.id, r.name.as_str()));
                match resolve_room(&target, rooms) {
                    Some(room) => {
                        self.join(room);
                        self.open_room(room);
                        true
                    }
                    None => {
                        self.error(&format!("There is no room called \"{target}\"."));
                        false
                    }
                }
            }
            Input::Leave => match state.active {
                Some(room) => {
                    self.leave(room);
                    true
                }
                None => false,
            },
            Input::Help => {
                if let Some(room) = state.active {
                    for line in HELP_LINES {
                        self.state.dispatch(Action::Notice {
                            room,
                            text: (*line).to_owned(),
                            time_ms: now_ms(),
                        });
                    }
                } else {
                    self.error(&HELP_LINES.join(" · "));
                }
                true
            }
            Input::Invalid(why) => {
                self.error(&why);
                false
            }
        }
    }

    /// Joins a room.
    pub fn join(&self, room: RoomId) {
        self.connection.join(room);
    }

    /// Leaves a room.
    pub fn leave(&self, room: RoomId) {
        self.connection.leave(room);
    }

    /// Opens a room in the timeline.
    pub fn open_room(&self, room: RoomId) {
        self.state.dispatch(Action::OpenRoom(room));
    }

    /// Moves up or down the sidebar.
    pub fn switch_room(&self, step: i32) {
        self.state.dispatch(Action::SwitchRoom(step));
    }

    /// The reader scrolled up to the oldest entry of `room`: fetch older ones from
    /// the server, when it keeps them.
    pub fn load_older(&self, room: RoomId) {
        self.connection.load_older(room);
    }

    /// Sends a failed message again.
    pub fn retry(&self, local_id: u64) {
        self.connection.retry(local_id);
    }

    /// Creates a room (root only).
    pub fn create_room(&self, name: &str) {
        self.connection.create_room(name.trim());
    }

    /// Renames a room (root only).
    pub fn rename_room(&self, room: RoomId, name: &str) {
        self.connection.rename_room(room, name.trim());
    }

    /// Deletes a room for everyone (root only; the caller confirms first).
    pub fn delete_room(&self, room: RoomId) {
        self.connection.delete_room(room);
    }

    /// Creates an account (root only). The password is passed on as typed.
    pub fn create_user(&self, username: &str, password: &str) {
        self.connection.create_user(username.trim(), password);
    }

    /// Deletes an account and signs it out (root only; the caller confirms first).
    pub fn delete_user(&self, username: &str) {
        self.connection.delete_user(username.trim());
    }

    /// Hides the administration notice.
    pub fn dismiss_admin_notice(&self) {
        self.state.dispatch(Action::DismissAdminNotice);
    }

    /// Asks the server for the room list again.
    pub fn refresh_rooms(&self) {
        self.connection.refresh_rooms();
    }

    /// Shows an error in the banner.
    pub fn error(&self, text: &str) {
        self.state.dispatch(Action::Error(text.to_owned()));
    }

    /// Hides the banner.
    pub fn dismiss_error(&self) {
        self.state.dispatch(Action::DismissError);
    }

    /// Uploads `file` and posts it to the open room. Files over the size limit are
    /// refused before they are read.
    pub fn send_image_file(&self, file: web_sys::File) {
        let Some(room) = self.state().active else {
            self.error("Open a room first, then add the image.");
            return;
        };
        // File sizes are whole numbers of bytes, far below 2^53.
        if let Some(why) = upload_size_refusal(&file.name(), file.size() as u64) {
            self.error(&why);
            return;
        }
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match files::read(&file).await {
                Ok(bytes) => this.connection.start_upload(room, &file.name(), bytes),
                Err(why) => this.error(&why),
            }
        });
    }

    /// Stops the upload in progress.
    pub fn cancel_upload(&self) {
        self.connection.cancel_upload();
    }

    /// Posts an image by its http(s) URL to the open room. Returns false (so the
    /// address stays in its box to be corrected) when it cannot be posted.
    pub fn post_image_url(&self, url: &str) -> bool {
        match self.state().active {
            Some(room) => {
                self.connection.post_image_url(room, url);
                is_web_image_url(url.trim())
            }
            None => {
                self.error("Open a room first, then post the image.");
                false
            }
        }
    }

    /// Shows an `mcp_image://` image, downloading it if `ask` allows.
    pub fn load_image(&self, image_id: &str, ask: DownloadAsk) {
        self.connection.load_image(image_id, ask);
    }

    /// Whether images from other sites load by themselves (remembered in this
    /// browser).
    pub fn set_load_external_images(&self, load: bool) {
        storage::remember_external_images(load);
        self.state.dispatch(Action::LoadExternalImages(load));
    }

    /// Signs out; with `forget`, this browser's stored copy of the account is
    /// deleted too.
    pub fn sign_out(&self, forget: bool) {
        self.connection.sign_out(forget);
    }

    /// Keeps `room`'s unsent text in this browser's stored copy (batched).
    pub fn keep_draft(&self, room: miricat_shared::RoomId, text: &str) {
        self.connection.persister().set_draft(room, text);
    }
}

/// The chat context. Components outside the provider are a programming error.
#[hook]
pub fn use_chat() -> ChatContext {
    use_context::<ChatContext>().unwrap_or_else(|| {
        panic!("use_chat() called outside <App>");
    })
}
