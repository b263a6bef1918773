//! A visually hidden live region that tells screen-reader users about new messages
//! from others ("alice: hello"), one short sentence per message, instead of the
//! whole timeline being read out as it changes.

use yew::prelude::*;

use crate::hooks::ChatContext;

/// The announcer; render it once on the chat screen. A plain function: the
/// sentence is cheap to make, and text that does not change is not announced again.
pub fn announcer(chat: &ChatContext) -> Html {
    let state = chat.state();
    let sentence = state.last_arrival.as_ref().map(|arrival| {
        let room_name = state
            .rooms
            .get(&arrival.room)
            .map(|r| r.name.as_str())
            .unwrap_or_default();
        arrival.announcement(state.active, room_name)
    });
    html! {
        <div class="visually-hidden" data-testid="announcer" aria-live="polite" aria-atomic="true">
            { sentence.unwrap_or_default() }
        </div>
    }
}
