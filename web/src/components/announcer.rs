//! A visually hidden live region that tells screen-reader users about new messages
//! from others ("alice: hello"), one short sentence per message, instead of the
//! whole timeline being read out as it changes.

use yew::prelude::*;

use crate::hooks::use_chat;

/// The announcer; render it once on the chat screen.
#[component]
pub fn Announcer() -> Html {
    let chat = use_chat();
    let state = chat.state();
    // Worded once per message: opening another room later must not change the text,
    // which would make the screen reader say it again.
    let sentence = use_memo(state.last_arrival.clone(), |arrival| {
        arrival.as_ref().map(|arrival| {
            let room_name = state
                .rooms
                .get(&arrival.room)
                .map(|r| r.name.as_str())
                .unwrap_or_default();
            arrival.announcement(state.active, room_name)
        })
    });
    html! {
        <div class="visually-hidden" data-testid="announcer" aria-live="polite" aria-atomic="true">
            { (*sentence).clone().unwrap_or_default() }
        </div>
    }
}
