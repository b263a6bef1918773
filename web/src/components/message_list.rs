//! The open room's timeline: day separators, message groups and membership events,
//! kept scrolled to the newest line while the reader is at the bottom.

use std::cell::Cell;
use std::rc::Rc;

use web_sys::Element;
use yew::prelude::*;

use super::message_group::MessageGroup;
use crate::hooks::use_chat;
use crate::services::clock;
use crate::state::EntryKind;
use crate::timeline::{Block, layout};

/// How close to the bottom (px) still counts as "reading the newest messages".
const STICK_THRESHOLD_PX: i32 = 48;

/// The timeline.
#[component]
pub fn MessageList() -> Html {
    let chat = use_chat();
    let state = chat.state();
    let scroller = use_node_ref();
    let stick = use_memo((), |_| Rc::new(Cell::new(true)));
    let active = state.active;

    // A newly opened room starts at its newest message.
    {
        let stick = stick.clone();
        use_effect_with(active, move |_| stick.set(true));
    }
    // After every render, follow new lines if the reader was at the bottom.
    {
        let (scroller, stick) = (scroller.clone(), stick.clone());
        use_effect(move || {
            if let Some(el) = scroller.cast::<Element>()
                && stick.get()
            {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }
    let onscroll = {
        let (scroller, stick) = (scroller.clone(), stick.clone());
        Callback::from(move |_: Event| {
            if let Some(el) = scroller.cast::<Element>() {
                stick.set(
                    el.scroll_height() - el.scroll_top() - el.client_height() < STICK_THRESHOLD_PX,
                );
            }
        })
    };

    let Some(room) = state.active_room() else {
        return html! {
            <div class="message-list empty" data-testid="message-list" ref={scroller}>
                <p class="muted">{ "Pick a room on the left, or type /join <room>." }</p>
            </div>
        };
    };
    let me = state.me.as_deref();
    let blocks = layout(&room.timeline, clock::local_day);
    let rendered = blocks.into_iter().enumerate().map(|(i, block)| match block {
        Block::Day(time_ms) => html! {
            <div key={format!("d{i}")} class="day-separator" role="separator">
                <span>{ clock::day_label(time_ms) }</span>
            </div>
        },
        Block::Group { sender, entries } => {
            let own = me == Some(sender);
            let entries: Vec<_> = entries.into_iter().cloned().collect();
            html! {
                <MessageGroup key={format!("g{i}")} sender={AttrValue::from(sender.to_owned())} {own} {entries} />
            }
        }
        Block::Event(entry) => {
            let text = match &entry.kind {
                EntryKind::Joined(user) if me == Some(user.as_str()) => "You joined".to_owned(),
                EntryKind::Left(user) if me == Some(user.as_str()) => "You left".to_owned(),
                EntryKind::Joined(user) => format!("{user} joined"),
                EntryKind::Left(user) => format!("{user} left"),
                EntryKind::Notice(text) => text.clone(),
                EntryKind::Message { text, .. } => text.clone(),
            };
            let notice = matches!(entry.kind, EntryKind::Notice(_));
            html! {
                <div key={format!("e{i}")} class={classes!("timeline-event", notice.then_some("notice"))}>
                    <span class="event-time" title={clock::local_date_time(entry.time_ms)}>{ clock::local_time(entry.time_ms) }</span>
                    <span>{ text }</span>
                </div>
            }
        }
    });
    html! {
        <div class="message-list" data-testid="message-list" ref={scroller} {onscroll} role="log" aria-live="off">
            if room.timeline.is_empty() {
                <p class="muted empty-room">{ format!("No messages in #{} yet.", room.name) }</p>
            }
            { for rendered }
        </div>
    }
}
