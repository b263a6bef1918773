//! What root's administration did, and how the state shows it: the room list
//! changes at once and a plain sentence confirms what happened.

use miricat_shared::RoomId;

use super::{ChatState, RoomListing};

/// An administrative request the server carried out (its reply to root).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminOutcome {
    /// `Room.Created` in reply to our `Room.Create`.
    RoomCreated {
        /// The new room's ID.
        id: RoomId,
        /// Its name.
        name: String,
    },
    /// `Room.Updated` in reply to our `Room.Update`.
    RoomRenamed {
        /// The room.
        id: RoomId,
        /// Its new name.
        name: String,
    },
    /// `Room.Deleted` in reply to our `Room.Delete`.
    RoomDeleted(RoomId),
    /// `User.Created`: the account can sign in now.
    UserCreated(String),
    /// `User.Deleted`: the account is gone and its sessions were closed.
    UserDeleted(String),
}

impl ChatState {
    /// Applies an outcome to the room list and says what happened in
    /// [`ChatState::admin_notice`]. A room we deleted ourselves closes quietly:
    /// the "was deleted" error other users get would only repeat what root did.
    pub(super) fn apply_admin(&mut self, outcome: AdminOutcome) {
        let notice = match outcome {
            AdminOutcome::RoomCreated { id, name } => {
                let notice = format!("Created the room \"{name}\".");
                self.upsert_room(id, name);
                notice
            }
            AdminOutcome::RoomRenamed { id, name } => {
                let notice = match self.rooms.get(&id) {
                    Some(room) if room.name != name => {
                        format!("Renamed the room \"{}\" to \"{name}\".", room.name)
                    }
                    _ => format!("The room is now called \"{name}\"."),
                };
                self.upsert_room(id, name);
                notice
            }
            AdminOutcome::RoomDeleted(id) => match self.remove_room(id) {
                Some((room, _)) => format!("Deleted the room \"{}\".", room.name),
                None => "Deleted the room.".to_owned(),
            },
            AdminOutcome::UserCreated(name) => {
                format!("Created the user \"{name}\": they can sign in now.")
            }
            AdminOutcome::UserDeleted(name) => {
                format!("Deleted the user \"{name}\" and signed them out.")
            }
        };
        self.admin_notice = Some(notice);
    }

    /// Adds or renames one room, keeping the open room.
    pub(super) fn upsert_room(&mut self, id: RoomId, name: String) {
        self.merge_listing(
            vec![RoomListing {
                id,
                name,
                members: None,
            }],
            false,
        );
        self.settle_active();
    }
}
