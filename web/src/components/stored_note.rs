//! "Stored on this device": what this browser keeps of the account between visits,
//! in a fold under the settings, so nobody is surprised by it (or by its absence
//! after "Sign out and forget").

use yew::prelude::*;

use crate::stored::{MAX_STORED_ENTRIES, MAX_STORED_ROOM_BYTES};

/// The note about this browser's stored copy.
pub fn stored_note() -> Html {
    html! {
        <details class="stored-note small" data-testid="stored-note">
            <summary>{ "Stored on this device" }</summary>
            <p>
                { format!(
                    "This browser keeps, for this account and bridge: the rooms you are in, the last {} messages of each room (at most {} MiB a room), unread counts, where you stopped reading, drafts and messages not yet sent. ",
                    crate::sizes::thousands(MAX_STORED_ENTRIES),
                    MAX_STORED_ROOM_BYTES / (1024 * 1024),
                ) }
                <strong>{ "Never your password." }</strong>
                { " \"Sign out and forget\" deletes it." }
            </p>
        </details>
    }
}
