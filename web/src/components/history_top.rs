//! The line at the top of a room's timeline about older messages on the server
//! (`history/1`): a button to fetch them (scrolling up does it too), that they are
//! loading, why they did not, or that the room starts here.

use miricat_shared::RoomId;
use yew::prelude::*;

use crate::hooks::ChatContext;
use crate::state::HistoryView;

/// Shown above the oldest entry of `room` while it is rendered: `history` is where its
/// history stands, `name` is for "the start of #name". Nothing against a server that
/// keeps no history for us.
pub fn history_top(chat: &ChatContext, history: &HistoryView, room: RoomId, name: &str) -> Html {
    let chat = chat.clone();
    let fetch = Callback::from(move |_: MouseEvent| chat.load_older(room));
    let (state, body) = match history {
        HistoryView::Unavailable => return Html::default(),
        HistoryView::More => (
            "more",
            html! {
                <button type="button" class="ghost small" data-testid="load-older" onclick={fetch}>
                    { "Load earlier messages" }
                </button>
            },
        ),
        HistoryView::Loading => ("loading", html! { { "Loading earlier messages…" } }),
        HistoryView::Start => (
            "start",
            html! { { format!("This is the start of #{}.", name) } },
        ),
        HistoryView::Full => (
            "full",
            html! { { "Older messages are not kept in this tab." } },
        ),
        HistoryView::Failed(why) => (
            "failed",
            html! {
                <>
                    <span>{ why.clone() }</span>
                    { " " }
                    <button type="button" class="ghost small" data-testid="load-older" onclick={fetch}>
                        { "Try again" }
                    </button>
                </>
            },
        ),
    };
    html! {
        <div class="history-top muted small" data-testid="history-top" data-history={state} role="status">
            { body }
        </div>
    }
}
