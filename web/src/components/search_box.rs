//! The search over every room's messages: a button in the sidebar (and Ctrl+K or
//! "/") opens a modal dialog with a field; results update as one types, grouped by
//! room ([`super::search_results`]). Up and Down move through the hits, Enter or a
//! click opens the room at that message, Escape closes and gives focus back.
//!
//! The folded copies the search reads ([`RoomSearch`]) live here for the tab's
//! life, so each message is folded once, not once per keystroke.

use miricat_shared::RoomId;
use wasm_bindgen::JsCast;
use web_sys::{HtmlDialogElement, HtmlElement, HtmlInputElement};
use yew::prelude::*;

use super::search_results::{RESULTS_ID, hit_id, search_results};
use crate::hooks::{use_chat, use_search_hotkey};
use crate::room_search::RoomSearch;
use crate::search::{Query, Results};
use crate::services::clock;

/// The search field's element ID (its label points at it).
const INPUT_ID: &str = "search-input";

/// Characters the field takes: more than any query needs ([`Query::parse`] looks
/// at eight words of 64 chars at most).
const MAX_QUERY_CHARS: u32 = 256;

/// A search and what it cost, shown as `data-search-ms` and `data-index-bytes`
/// for the E2E figures.
#[derive(Debug, PartialEq)]
struct Outcome {
    results: Results<RoomId>,
    ms: f64,
    index_bytes: usize,
}

/// Props of [`SearchBox`].
#[derive(Properties, PartialEq)]
pub struct SearchBoxProps {
    /// A hit was chosen: its room and sequence number.
    pub on_jump: Callback<(RoomId, u64)>,
}

/// The search button and its dialog.
#[component]
pub fn SearchBox(props: &SearchBoxProps) -> Html {
    let chat = use_chat();
    let open = use_state(|| false);
    let query = use_state(String::new);
    let active = use_state(|| None::<usize>);
    let index = use_mut_ref(RoomSearch::default);
    let dialog = use_node_ref();
    let input = use_node_ref();
    // What had focus before the dialog opened, to give it back on Escape.
    let opener = use_mut_ref(|| None::<HtmlElement>);

    let show = {
        let (open, dialog, input, opener) =
            (open.clone(), dialog.clone(), input.clone(), opener.clone());
        Callback::from(move |()| {
            let Some(element) = dialog.cast::<HtmlDialogElement>() else {
                return;
            };
            if !element.open() {
                *opener.borrow_mut() = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.active_element())
                    .and_then(|e| e.dyn_into::<HtmlElement>().ok());
                if let Err(e) = element.show_modal() {
                    web_sys::console::warn_2(&"the search dialog could not open".into(), &e);
                    return;
                }
            }
            if let Some(field) = input.cast::<HtmlInputElement>() {
                let _ = field.focus();
                field.select();
            }
            open.set(true);
        })
    };
    use_search_hotkey(show.clone());

    let outcome = {
        let state = chat.state();
        let index = index.clone();
        let text = (*query).clone();
        // Searched again as messages arrive (the revision) while the dialog is open.
        let revision = if *open { state.revision } else { 0 };
        let chat = chat.clone();
        use_memo((text, revision, *open), move |(text, _, open)| {
            let query = Query::parse(text).filter(|_| *open)?;
            let started = clock::since_page_start_ms();
            let mut index = index.borrow_mut();
            let results = index.search(chat.state(), &query);
            Some(Outcome {
                results,
                ms: clock::since_page_start_ms() - started,
                index_bytes: index.bytes(),
            })
        })
    };
    let hits: Vec<(RoomId, u64)> = outcome
        .as_ref()
        .as_ref()
        .map(|o| {
            o.results
                .shown()
                .map(|(room, hit)| (*room, hit.seq))
                .collect()
        })
        .unwrap_or_default();

    let close = {
        let dialog = dialog.clone();
        move || {
            if let Some(element) = dialog.cast::<HtmlDialogElement>() {
                element.close();
            }
        }
    };
    let choose = {
        let (on_jump, open, close) = (props.on_jump.clone(), open.clone(), close.clone());
        Callback::from(move |target: (RoomId, u64)| {
            close();
            open.set(false);
            on_jump.emit(target);
        })
    };
    // Escape (the dialog's cancel) and the close button: focus goes back.
    let dismiss = {
        let (open, opener, close) = (open.clone(), opener.clone(), close.clone());
        Callback::from(move |event: Event| {
            event.prevent_default();
            close();
            open.set(false);
            if let Some(opener) = opener.borrow().as_ref() {
                let _ = opener.focus();
            }
        })
    };
    let oninput = {
        let (query, active) = (query.clone(), active.clone());
        Callback::from(move |e: InputEvent| {
            if let Some(field) = e.target_dyn_into::<HtmlInputElement>() {
                query.set(field.value());
                active.set(None);
            }
        })
    };
    let onkeydown = {
        let (active, choose, hits) = (active.clone(), choose.clone(), hits.clone());
        let dismiss = dismiss.clone();
        Callback::from(move |e: KeyboardEvent| {
            // Closes at once: a search field's own Escape would first only clear it.
            if e.key() == "Escape" {
                dismiss.emit(e.into());
                return;
            }
            let count = hits.len();
            if count == 0 {
                return;
            }
            match e.key().as_str() {
                "ArrowDown" => {
                    e.prevent_default();
                    active.set(Some(active.map_or(0, |n| (n + 1) % count)));
                }
                "ArrowUp" => {
                    e.prevent_default();
                    active.set(Some(active.map_or(count - 1, |n| (n + count - 1) % count)));
                }
                "Enter" => {
                    e.prevent_default();
                    choose.emit(hits[active.unwrap_or(0).min(count - 1)]);
                }
                _ => {}
            }
        })
    };
    // Keep the active hit in view as the arrows move through a long list.
    use_effect_with(*active, |active| {
        if let Some(n) = active
            && let Some(element) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(&hit_id(*n)))
        {
            let options = web_sys::ScrollIntoViewOptions::new();
            options.set_block(web_sys::ScrollLogicalPosition::Nearest);
            element.scroll_into_view_with_scroll_into_view_options(&options);
        }
    });

    let summary = match outcome.as_ref() {
        None if query.trim().is_empty() => {
            "Type a word or two: every room's messages are searched.".to_owned()
        }
        None => String::new(),
        Some(o) => match (o.results.total, o.results.rooms.len()) {
            (0, _) => "Nothing found.".to_owned(),
            (1, _) => "1 message found.".to_owned(),
            (n, 1) => format!("{n} messages found in 1 room."),
            (n, rooms) => format!("{n} messages found in {rooms} rooms."),
        },
    };
    let state = chat.state();
    let room_name = |id| {
        state
            .rooms
            .get(&id)
            .map(|r| r.name.clone())
            .unwrap_or_default()
    };
    let search_ms = outcome.as_ref().as_ref().map(|o| format!("{:.2}", o.ms));
    let index_bytes = outcome.as_ref().as_ref().map(|o| o.index_bytes.to_string());
    let active_id = active.map(hit_id);
    let open_click = show.reform(|_: MouseEvent| ());
    let close_click = dismiss.reform(|e: MouseEvent| e.into());
    html! {
        <>
            <button type="button" class="search-open" data-testid="search-open" onclick={open_click}
                aria-haspopup="dialog" aria-keyshortcuts="Control+K /" title="Search messages (Ctrl+K or /)">
                <span aria-hidden="true">{ "⌕" }</span>
                <span>{ "Search messages" }</span>
                <kbd class="muted small" aria-hidden="true">{ "Ctrl K" }</kbd>
            </button>
            <dialog ref={dialog} class="search-dialog" data-testid="search-dialog"
                aria-label="Search messages" oncancel={dismiss}>
                <div class="search-field">
                    <label for={INPUT_ID} class="search-label">{ "Search messages in every room" }</label>
                    <input ref={input} id={INPUT_ID} type="search" data-testid="search-input"
                        role="combobox" aria-autocomplete="list" aria-expanded={if hits.is_empty() { "false" } else { "true" }}
                        aria-controls={RESULTS_ID} aria-activedescendant={active_id}
                        maxlength={MAX_QUERY_CHARS.to_string()} autocomplete="off" spellcheck="false"
                        value={(*query).clone()} {oninput} {onkeydown} />
                    <button type="button" class="ghost icon" aria-label="Close the search" onclick={close_click}>{ "✕" }</button>
                </div>
                <p class="search-summary muted small" role="status" data-testid="search-summary" data-search-ms={search_ms} data-index-bytes={index_bytes}>
                    { summary }
                </p>
                if let Some(o) = outcome.as_ref() {
                    { search_results(&o.results, room_name, *active, &choose) }
                }
            </dialog>
        </>
    }
}
