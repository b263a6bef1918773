//! The search's results: rooms in order, each with its newest hits (sender, time,
//! the text around the match with the words in `<mark>`) and a count of the rest.
//! A listbox of options grouped by room, driven from the search field. A plain
//! function rather than a component: it re-renders with the search box anyway,
//! and a component costs the wasm kilobytes.

use miricat_shared::RoomId;
use yew::prelude::*;

use crate::search::{Hit, Results};
use crate::services::clock;

/// The element ID of the listbox, for the field's `aria-controls`.
pub const RESULTS_ID: &str = "search-results";

/// The element ID of hit number `n` (in display order), for `aria-activedescendant`.
pub fn hit_id(n: usize) -> String {
    format!("search-hit-{n}")
}

/// The grouped `results`, hit number `active` (in display order) chosen with the
/// arrow keys; `name` gives a room's name; a click on a hit calls `on_choose`
/// with its room and sequence number.
pub fn search_results(
    results: &Results<RoomId>,
    name: impl Fn(RoomId) -> String,
    active: Option<usize>,
    on_choose: &Callback<(RoomId, u64)>,
) -> Html {
    let mut n = 0;
    let groups = results.rooms.iter().map(|group| {
        let room = group.room;
        let name = name(room);
        let label_id = format!("search-room-{room}");
        let hits: Vec<Html> = group
            .hits
            .iter()
            .map(|hit| {
                let html = hit_option(hit, n, active == Some(n), room, on_choose);
                n += 1;
                html
            })
            .collect();
        let more = group.total - group.hits.len();
        html! {
            <div class="search-group" role="group" aria-labelledby={label_id.clone()} data-testid="search-group" data-room={name.clone()}>
                <div id={label_id} class="search-room" role="presentation">
                    <span class="room-hash" aria-hidden="true">{ "#" }</span>{ name.clone() }
                    <span class="muted small">{ found(group.total) }</span>
                </div>
                { for hits }
                if more > 0 {
                    <div class="search-more muted small" role="presentation">
                        { format!("and {more} more in #{name}: add a word to narrow the search") }
                    </div>
                }
            </div>
        }
    });
    html! {
        <div id={RESULTS_ID} class="search-results" role="listbox" aria-label="Messages found" data-testid="search-results">
            { for groups }
            if results.more_rooms > 0 {
                <div class="search-more muted small" role="presentation">
                    { format!("and hits in {} more rooms: add a word to narrow the search", results.more_rooms) }
                </div>
            }
        </div>
    }
}

/// "3 found".
fn found(total: usize) -> String {
    format!("{total} found")
}

/// One hit as an option.
fn hit_option(
    hit: &Hit,
    n: usize,
    active: bool,
    room: RoomId,
    on_choose: &Callback<(RoomId, u64)>,
) -> Html {
    let seq = hit.seq;
    let onclick = on_choose.reform(move |_: MouseEvent| (room, seq));
    let snippet = &hit.snippet;
    let pieces = snippet.pieces().into_iter().map(|(text, marked)| {
        if marked {
            html! { <mark>{ text.to_owned() }</mark> }
        } else {
            html! { { text.to_owned() } }
        }
    });
    html! {
        <div id={hit_id(n)} class={classes!("search-hit", active.then_some("active"))} role="option"
            aria-selected={if active { "true" } else { "false" }}
            data-testid="search-hit" data-seq={seq.to_string()} {onclick}>
            <span class="search-hit-meta">
                <span class="search-hit-sender">{ hit.sender.clone() }</span>
                <time class="muted small" title={clock::local_date_time(hit.time_ms)}>{ clock::day_label(hit.time_ms) }{ " " }{ clock::local_time(hit.time_ms) }</time>
            </span>
            <span class="search-hit-text">
                if snippet.cut_before { { "…" } }
                { for pieces }
                if snippet.cut_after { { "…" } }
            </span>
        </div>
    }
}
