//! The open room's timeline: day separators, message groups and membership events.
//!
//! Only a window of the room is in the page ([`crate::timeline_window`]), so a room
//! of 10,000 messages renders as fast as one of 100. While the reader is at the
//! bottom the view follows new lines; elsewhere, moving the window or images
//! loading keep the line the reader is looking at where it was, and a button jumps
//! back to the newest. A search result opens the room with the window around its
//! message, scrolled to it and highlighted ([`JumpTarget`]).

use std::cell::Cell;
use std::rc::Rc;

use gloo_events::{EventListener, EventListenerOptions, EventListenerPhase};
use miricat_shared::RoomId;
use miricat_shared::packet::message::stored_image_id;
use wasm_bindgen::JsCast;
use web_sys::{Element, ScrollIntoViewOptions, ScrollLogicalPosition};
use yew::prelude::*;

use super::history_top::history_top;
use super::image_tools::first_image_file;
use super::message_group::MessageGroupHead;
use super::message_item::MessageItem;
use crate::client::DownloadAsk;
use crate::hooks::use_chat;
use crate::services::clock;
use crate::state::{ChatState, Content, Entry, EntryKind, HistoryView, Room};
use crate::timeline::{Block, layout};
use crate::timeline_window::{ScrollPosition, TimelineWindow};

/// A message to show: the room's timeline opens around it, scrolls it into view
/// and highlights it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JumpTarget {
    /// Its room.
    pub room: RoomId,
    /// Its sequence number in the room.
    pub seq: u64,
    /// Counts the jumps, so choosing the same message again scrolls to it again.
    pub nonce: u64,
}

/// Props of [`MessageList`].
#[derive(Properties, PartialEq)]
pub struct MessageListProps {
    /// The last message chosen in the search, if any.
    #[prop_or_default]
    pub jump: Option<JumpTarget>,
}

/// The timeline of the open room (or a hint when none is open).
#[component]
pub fn MessageList(props: &MessageListProps) -> Html {
    let chat = use_chat();
    match chat.state().active {
        // Keyed by room: each room starts at its newest line with fresh scroll state.
        Some(room) => {
            let jump = props.jump.filter(|j| j.room == room);
            html! { <RoomTimeline key={room} {room} {jump} /> }
        }
        None => html! {
            <div class="message-list empty" data-testid="message-list">
                <p class="muted">{ "Pick a room on the left, or type /join <room>." }</p>
            </div>
        },
    }
}

/// Props of [`RoomTimeline`].
#[derive(Properties, PartialEq)]
struct RoomTimelineProps {
    room: RoomId,
    jump: Option<JumpTarget>,
}

/// An entry the reader was looking at and its distance from the scroller's top
/// edge, to put it back there after the window moved.
#[derive(Debug, Clone, Copy)]
struct Anchor {
    seq: u64,
    offset: f64,
}

#[component]
fn RoomTimeline(props: &RoomTimelineProps) -> Html {
    let chat = use_chat();
    let scroller = use_node_ref();
    // A room opened from a search starts around the message found, so nothing
    // scrolls to the newest first.
    let jump_seq = props.jump.map(|j| j.seq);
    let window = use_state(|| jump_seq.map_or_else(TimelineWindow::newest, TimelineWindow::around));
    let anchor = use_mut_ref(|| None::<Anchor>);
    // The room's first sequence number at the last render, to notice older
    // entries put on top.
    let last_first = use_mut_ref(|| None::<u64>);
    // The message a search opened: highlighted, and scrolled to once it is
    // rendered; a later search in the same room moves the window to its message.
    // (Refs: a jump sets the window, which renders again anyway.)
    let highlighted = use_mut_ref(|| jump_seq);
    let scroll_to = use_mut_ref(|| jump_seq);
    let applied = use_mut_ref(|| props.jump);
    {
        let (window, highlighted, scroll_to) =
            (window.clone(), highlighted.clone(), scroll_to.clone());
        use_effect_with(props.jump, move |jump| {
            if let Some(jump) = jump
                && applied.replace(Some(*jump)) != Some(*jump)
            {
                window.set(TimelineWindow::around(jump.seq));
                *highlighted.borrow_mut() = Some(jump.seq);
                *scroll_to.borrow_mut() = Some(jump.seq);
            }
        });
    }
    // Read by the image-load listener, which is installed once.
    let following = use_memo((), |_| Rc::new(Cell::new(true)));
    following.set(window.is_following());
    // Callbacks made once for the room's lifetime, so items' props stay equal across
    // renders (they need only the connection, which never changes).
    let on_retry = {
        let chat = chat.clone();
        (*use_memo((), move |_| {
            Callback::from(move |local_id| chat.retry(local_id))
        }))
        .clone()
    };
    let on_load_image = {
        let chat = chat.clone();
        (*use_memo((), move |_| {
            Callback::from(move |(id, ask): (String, DownloadAsk)| chat.load_image(&id, ask))
        }))
        .clone()
    };

    // After every render: scroll to a message a search opened once it is in the
    // page, else follow the newest line, or keep the line being read where it was
    // (the window moved, or rows changed above it).
    {
        let (scroller, anchor, following) = (scroller.clone(), anchor.clone(), following.clone());
        let scroll_to = scroll_to.clone();
        use_effect(move || {
            if let Some(el) = scroller.cast::<Element>() {
                let target = *scroll_to.borrow();
                if let Some(seq) = target
                    && scroll_into_view(&el, seq)
                {
                    scroll_to.borrow_mut().take();
                    *anchor.borrow_mut() = first_visible(&el);
                } else {
                    settle(&el, following.get(), *anchor.borrow());
                }
            }
        });
    }
    // Images finish loading after the render and change heights: settle again.
    {
        let (scroller, anchor, following) = (scroller.clone(), anchor.clone(), following.clone());
        use_effect_with((), move |_| {
            let listener = scroller.cast::<Element>().map(|el| {
                let target = el.clone();
                let options = EventListenerOptions {
                    phase: EventListenerPhase::Capture,
                    passive: true,
                };
                EventListener::new_with_options(&el, "load", options, move |_| {
                    settle(&target, following.get(), *anchor.borrow());
                })
            });
            move || drop(listener)
        });
    }

    let state = chat.state();
    let Some(room) = state.rooms.get(&props.room) else {
        return Html::default();
    };
    let (first, end) = (room.first_seq, room.end_seq());
    // Older entries came from the server: a window at the old top grows over them.
    {
        let window = window.clone();
        let old_first = last_first.borrow_mut().replace(first).unwrap_or(first);
        let grown = window.grown_on_top(old_first, first, end);
        if grown != *window {
            window.set(grown);
        }
    }
    let room_id = props.room;
    let can_fetch = matches!(room.history, HistoryView::More | HistoryView::Failed(_));
    let onscroll = {
        let (scroller, window, anchor) = (scroller.clone(), window.clone(), anchor.clone());
        let chat = chat.clone();
        Callback::from(move |_: Event| {
            let Some(el) = scroller.cast::<Element>() else {
                return;
            };
            let top = f64::from(el.scroll_top());
            let position = ScrollPosition {
                top,
                to_bottom: f64::from(el.scroll_height() - el.client_height()) - top,
            };
            if can_fetch && window.at_oldest(position, first, end) {
                chat.load_older(room_id);
            }
            let next = window.scrolled(position, first, end);
            // Remember what the reader sees, to keep it in place through changes
            // (not needed while the view stays pinned to the newest line).
            if !window.is_following() || next.is_some() {
                *anchor.borrow_mut() = first_visible(&el);
            }
            if let Some(next) = next {
                window.set(next);
            }
        })
    };
    let jump = {
        let window = window.clone();
        Callback::from(move |_| window.set(TimelineWindow::newest()))
    };
    let newer = window.newer_than_shown(first, end);
    // A picture dropped on the timeline is sent, as on the composer (the browser
    // would otherwise open the file in place of the app).
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    let ondrop = {
        let chat = chat.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(file) = first_image_file(e.data_transfer()) {
                chat.send_image_file(file);
            }
        })
    };

    html! {
        <div class="timeline" {ondragover} {ondrop}>
            <div
                id="messages"
                class="message-list"
                data-testid="message-list"
                data-entries={room.timeline.len().to_string()}
                ref={scroller}
                {onscroll}
                tabindex="0"
                role="region"
                aria-label={format!("Messages in #{}", room.name)}
            >
                if window.range(first, end).start == first {
                    { history_top(&chat, &room.history, room_id, &room.name) }
                }
                if room.timeline.is_empty() {
                    <p class="muted empty-room">{ format!("No messages in #{} yet.", room.name) }</p>
                } else {
                    { for render_window(room, window.range(first, end), state, *highlighted.borrow(), &on_retry, &on_load_image) }
                }
            </div>
            if !window.is_following() {
                <button type="button" class="jump-to-newest" data-testid="jump-to-newest" onclick={jump}>
                    { match newer {
                        0 => "↓ Jump to the newest".to_owned(),
                        1 => "↓ 1 newer message".to_owned(),
                        n => format!("↓ {n} newer messages"),
                    } }
                </button>
            }
        </div>
    }
}

/// The rows of the entries numbered `range`: one flat list, every row keyed by
/// its entry's sequence number, so Yew keeps every row already in the page.
fn render_window(
    room: &Room,
    range: std::ops::Range<u64>,
    state: &ChatState,
    highlighted: Option<u64>,
    on_retry: &Callback<u64>,
    on_load_image: &Callback<(String, DownloadAsk)>,
) -> Vec<Html> {
    let me = state.me.as_deref();
    let load_external_images = state.load_external_images;
    let image = |entry: &Entry| match &entry.kind {
        EntryKind::Message {
            content: Content::Image(reference),
            ..
        } => stored_image_id(reference).and_then(|id| state.images.get(id).cloned()),
        _ => None,
    };
    let offset = |seq: u64| usize::try_from(seq - room.first_seq).unwrap_or(usize::MAX);
    let entries = &room.timeline[offset(range.start)..offset(range.end)];
    let blocks = layout(entries, range.start, clock::local_day);
    let mut rows = Vec::with_capacity(entries.len() + blocks.len() + 1);
    // "New since you left": before the first entry past the read position from
    // before a reload, once.
    let mut new_from = room.first_new_seq();
    let mut divider = |rows: &mut Vec<Html>, seq: u64| {
        if new_from == Some(seq) {
            new_from = None;
            rows.push(html! {
                <div key="new-since" class="new-since" role="separator" data-testid="new-since">
                    <span>{ "New since you left" }</span>
                </div>
            });
        }
    };
    for block in blocks {
        match block {
            Block::Day(seq, time_ms) => {
                divider(&mut rows, seq);
                rows.push(html! {
                    <div key={format!("d{seq}")} class="day-separator" role="separator">
                        <span>{ clock::day_label(time_ms) }</span>
                    </div>
                });
            }
            Block::Group { sender, entries } => {
                let own = me == Some(sender);
                let sender = AttrValue::from(sender.to_owned());
                if let Some((seq, entry)) = entries.first() {
                    divider(&mut rows, *seq);
                    rows.push(html! {
                        <MessageGroupHead key={format!("h{seq}")} sender={sender.clone()} {own} time_ms={entry.time_ms} />
                    });
                }
                for (seq, entry) in entries {
                    divider(&mut rows, seq);
                    rows.push(html! {
                        <MessageItem key={format!("m{seq}")} {seq} entry={Rc::clone(entry)} sender={sender.clone()} on_retry={on_retry.clone()} image={image(entry)} on_load_image={on_load_image.clone()} {load_external_images} highlighted={highlighted == Some(seq)} />
                    });
                }
            }
            Block::Event((seq, entry)) => {
                divider(&mut rows, seq);
                let text = match &entry.kind {
                    EntryKind::Joined(user) if me == Some(user.as_str()) => "You joined".to_owned(),
                    EntryKind::Left(user) if me == Some(user.as_str()) => "You left".to_owned(),
                    EntryKind::Joined(user) => format!("{user} joined"),
                    EntryKind::Left(user) => format!("{user} left"),
                    EntryKind::Notice(text) => text.clone(),
                    EntryKind::Message { content, .. } => content.summary().to_owned(),
                };
                let notice = matches!(entry.kind, EntryKind::Notice(_));
                rows.push(html! {
                    <div key={format!("e{seq}")} data-seq={seq.to_string()} class={classes!("timeline-event", notice.then_some("notice"))}>
                        <span class="event-time" title={clock::local_date_time(entry.time_ms)}>{ clock::local_time(entry.time_ms) }</span>
                        <span>{ text }</span>
                    </div>
                });
            }
        }
    }
    rows
}

/// The first entry at least partly in view, and where it is.
fn first_visible(scroller: &Element) -> Option<Anchor> {
    let top = scroller.get_bounding_client_rect().top();
    let entries = scroller.query_selector_all("[data-seq]").ok()?;
    (0..entries.length())
        .filter_map(|i| entries.item(i)?.dyn_into::<Element>().ok())
        .find_map(|el| {
            let rect = el.get_bounding_client_rect();
            if rect.bottom() <= top {
                return None;
            }
            Some(Anchor {
                seq: el.get_attribute("data-seq")?.parse().ok()?,
                offset: rect.top() - top,
            })
        })
}

/// Scrolls entry `seq` to the middle of the scroller; false when it is not in
/// the page (yet).
fn scroll_into_view(scroller: &Element, seq: u64) -> bool {
    let selector = format!("[data-seq=\"{seq}\"]");
    let Ok(Some(el)) = scroller.query_selector(&selector) else {
        return false;
    };
    let options = ScrollIntoViewOptions::new();
    options.set_block(ScrollLogicalPosition::Center);
    el.scroll_into_view_with_scroll_into_view_options(&options);
    true
}

/// Follows the bottom, or puts the anchor back. The browser's own scroll anchoring
/// is off for the list (CSS `overflow-anchor: none`): it fought the following of
/// new lines, and not every browser has it.
fn settle(scroller: &Element, following: bool, anchor: Option<Anchor>) {
    if following {
        scroller.set_scroll_top(scroller.scroll_height());
    } else if let Some(anchor) = anchor {
        restore(scroller, anchor);
    }
}

/// Scrolls so the anchor's entry is as far from the top as it was.
fn restore(scroller: &Element, anchor: Anchor) {
    let selector = format!("[data-seq=\"{}\"]", anchor.seq);
    let Ok(Some(el)) = scroller.query_selector(&selector) else {
        return;
    };
    let now = el.get_bounding_client_rect().top() - scroller.get_bounding_client_rect().top();
    let shift = now - anchor.offset;
    if shift.abs() >= 1.0 {
        // Whole pixels: scrollTop is an integer in this web-sys binding.
        let by = shift.round() as i32;
        scroller.set_scroll_top(scroller.scroll_top() + by);
    }
}
