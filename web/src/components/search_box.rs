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
use crate::search::Query;
use crate::services::clock;

/// The search field's element ID (its label points at it).
const INPUT_ID: &str = "search-input";

/// Characters the field takes: more than any query needs ([`Query::parse`] looks
/// at eight words of 64 chars at most).
const MAX_QUERY_CHARS: u32 = 256;

/// What the dialog shows: one state, so one hook (each hook type costs the wasm).
#[derive(Debug, Clone, Default, PartialEq)]
struct View {
    /// Whether the dialog is open.
    open: bool,
    /// What the field holds.
    query: String,
    /// The hit chosen with the arrow keys, in display order.
    active: Option<usize>,
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
    let view = use_state(View::default);
    let index = use_mut_ref(RoomSearch::default);
    let dialog = use_node_ref();
    let input = use_node_ref();
    // What had focus before the dialog opened, to give it back on Escape.
    let opener = use_mut_ref(|| None::<HtmlElement>);

    let show = {
        let (view, dialog, input, opener) =
            (view.clone(), dialog.clone(), input.clone(), opener.clone());
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
            view.set(View {
                open: true,
                ..(*view).clone()
            });
        })
    };
    use_search_hotkey(show.clone());

    // Searched at every render while open, so arriving messages show up; with the
    // folded copies kept, that is a few ms for 50,000 messages.
    let state = chat.state();
    let searched = Query::parse(&view.query)
        .filter(|_| view.open)
        .map(|query| {
            let started = clock::since_page_start_ms();
            let mut index = index.borrow_mut();
            let results = index.search(state, &query);
            let ms = clock::since_page_start_ms() - started;
            (results, ms, index.bytes())
        });
    let hits: Vec<(RoomId, u64)> = searched.as_ref().map_or_else(Vec::new, |(results, ..)| {
        results
            .shown()
            .map(|(room, hit)| (*room, hit.seq))
            .collect()
    });

    // Closes the dialog; `refocus` gives focus back to where it was.
    let close = {
        let (view, dialog, opener) = (view.clone(), dialog.clone(), opener.clone());
        move |refocus: bool| {
            if let Some(element) = dialog.cast::<HtmlDialogElement>() {
                element.close();
            }
            view.set(View {
                open: false,
                ..(*view).clone()
            });
            if refocus && let Some(opener) = opener.borrow().as_ref() {
                let _ = opener.focus();
            }
        }
    };
    let choose = {
        let (on_jump, close) = (props.on_jump.clone(), close.clone());
        Callback::from(move |target: (RoomId, u64)| {
            close(false);
            on_jump.emit(target);
        })
    };
    // Escape (the dialog's cancel, or in the field, whose own Escape would only
    // clear it) and the close button.
    let dismiss = {
        let close = close.clone();
        Callback::from(move |event: Event| {
            event.prevent_default();
            close(true);
        })
    };
    let oninput = {
        let view = view.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(field) = e.target_dyn_into::<HtmlInputElement>() {
                view.set(View {
                    open: true,
                    query: field.value(),
                    active: None,
                });
            }
        })
    };
    let onkeydown = {
        let (view, choose, dismiss, hits) =
            (view.clone(), choose.clone(), dismiss.clone(), hits.clone());
        Callback::from(move |e: KeyboardEvent| {
            let count = hits.len();
            let active = match e.key().as_str() {
                "Escape" => return dismiss.emit(e.into()),
                "Enter" if count > 0 => {
                    e.prevent_default();
                    return choose.emit(hits[view.active.unwrap_or(0).min(count - 1)]);
                }
                "ArrowDown" if count > 0 => view.active.map_or(0, |n| (n + 1) % count),
                "ArrowUp" if count > 0 => {
                    view.active.map_or(count - 1, |n| (n + count - 1) % count)
                }
                _ => return,
            };
            e.prevent_default();
            view.set(View {
                active: Some(active),
                ..(*view).clone()
            });
            // Keep the chosen hit in view as the arrows move through a long list.
            if let Some(element) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(&hit_id(active)))
            {
                let options = web_sys::ScrollIntoViewOptions::new();
                options.set_block(web_sys::ScrollLogicalPosition::Nearest);
                element.scroll_into_view_with_scroll_into_view_options(&options);
            }
        })
    };

    let summary = match &searched {
        None if view.query.trim().is_empty() => {
            "Type a word or two: every room's messages are searched.".to_owned()
        }
        None => String::new(),
        Some((results, ..)) => match (results.total, results.rooms.len() + results.more_rooms) {
            (0, _) => "Nothing found.".to_owned(),
            (1, _) => "1 message found.".to_owned(),
            (n, 1) => format!("{n} messages found in 1 room."),
            (n, rooms) => format!("{n} messages found in {rooms} rooms."),
        },
    };
    let search_ms = searched.as_ref().map(|(_, ms, _)| format!("{ms:.2}"));
    let index_bytes = searched.as_ref().map(|(.., bytes)| bytes.to_string());
    let room_name = |id| {
        state
            .rooms
            .get(&id)
            .map(|r| r.name.clone())
            .unwrap_or_default()
    };
    let active_id = view.active.map(hit_id);
    let open_click = show.reform(|_: MouseEvent| ());
    let close_click = dismiss.reform(|e: MouseEvent| e.into());
    html! {
        <>
            <button type="button" class="search-open" data-testid="search-open" onclick={open_click}
                aria-haspopup="dialog" aria-keyshortcuts="Control+K /" title="Search messages (Ctrl+K or /)">
                <span aria-hidden="true">{ "⌕" }</span>
                <span>{ "Search messages" }</span>
            </button>
            <dialog ref={dialog} class="search-dialog" data-testid="search-dialog"
                aria-label="Search messages" oncancel={dismiss}>
                <div class="search-field">
                    <label for={INPUT_ID} class="search-label">{ "Search messages in every room" }</label>
                    <input ref={input} id={INPUT_ID} type="search" data-testid="search-input"
                        role="combobox" aria-autocomplete="list" aria-expanded={if hits.is_empty() { "false" } else { "true" }}
                        aria-controls={RESULTS_ID} aria-activedescendant={active_id}
                        maxlength={MAX_QUERY_CHARS.to_string()} autocomplete="off" spellcheck="false"
                        value={view.query.clone()} {oninput} {onkeydown} />
                    <button type="button" class="ghost icon" aria-label="Close the search" onclick={close_click}>{ "✕" }</button>
                </div>
                <p class="search-summary muted small" role="status" data-testid="search-summary" data-search-ms={search_ms} data-index-bytes={index_bytes}>
                    { summary }
                </p>
                if let Some((results, ..)) = &searched {
                    { search_results(results, room_name, view.active, &choose) }
                }
            </dialog>
        </>
    }
}
