//! The composer: Enter sends, Shift+Enter starts a new line, Up recalls earlier
//! input (Down goes forward again). Commands start with `/`. Near the message size
//! limit a counter shows how much is used; past it the message is not sent, and
//! the counter and the banner say why (see `send_limits`).

use std::collections::HashMap;

use miricat_shared::RoomId;
use wasm_bindgen::JsCast;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use super::image_tools::{ImageTools, first_image_file};
use super::upload_progress::upload_progress;
use crate::commands::{Input, parse_input};
use crate::hooks::use_chat;
use crate::send_limits::{MAX_TEXT_BYTES, TextSize, text_size};
use crate::sizes::thousands;

/// The message box's element ID, which the "skip to the message box" link targets.
pub const INPUT_ID: &str = "message-input";

/// Inputs remembered for Up.
const HISTORY_LEN: usize = 50;

/// Earlier inputs and where Up/Down currently are among them.
#[derive(Default)]
struct History {
    entries: Vec<String>,
    /// Index into `entries` while browsing; `None` when editing fresh text.
    position: Option<usize>,
}

impl History {
    fn record(&mut self, text: &str) {
        if self.entries.last().map(String::as_str) != Some(text) {
            self.entries.push(text.to_owned());
            if self.entries.len() > HISTORY_LEN {
                self.entries.remove(0);
            }
        }
        self.position = None;
    }

    fn older(&mut self) -> Option<&str> {
        let next = match self.position {
            None => self.entries.len().checked_sub(1)?,
            Some(0) => 0,
            Some(i) => i - 1,
        };
        self.position = Some(next);
        self.entries.get(next).map(String::as_str)
    }

    fn newer(&mut self) -> Option<&str> {
        let i = self.position? + 1;
        if i >= self.entries.len() {
            self.position = None;
            return Some("");
        }
        self.position = Some(i);
        self.entries.get(i).map(String::as_str)
    }
}

/// The message input.
#[component]
pub fn Composer() -> Html {
    let chat = use_chat();
    let text = use_state(String::new);
    let history = use_mut_ref(History::default);
    let input = use_node_ref();
    let room = chat.state().active_room();
    let disabled = room.is_none();
    let placeholder = match room {
        Some(room) if room.membership.is_in() => format!("Message #{}", room.name),
        Some(room) => format!("Join #{} to write here, or type /join", room.name),
        None => "Type /join <room> or pick a room".to_owned(),
    };
    // Unsent text stays with its room: switching rooms saves the draft and brings
    // back the one of the room opened, so nothing typed is sent to the wrong room.
    // The drafts this browser kept from before a reload come back the same way.
    let restored = chat.state().restored_drafts.clone();
    let drafts = use_mut_ref(move || {
        (
            None::<RoomId>,
            restored.into_iter().collect::<HashMap<_, _>>(),
        )
    });
    {
        let (input, text, drafts) = (input.clone(), text.clone(), drafts.clone());
        use_effect_with(chat.state().active, move |active| {
            let mut drafts = drafts.borrow_mut();
            let (shown, saved) = &mut *drafts;
            if *shown != *active {
                if let Some(previous) = std::mem::replace(shown, *active) {
                    let current = input
                        .cast::<HtmlTextAreaElement>()
                        .map(|el| el.value())
                        .unwrap_or_default();
                    saved.insert(previous, current);
                }
                text.set(
                    active
                        .and_then(|room| saved.remove(&room))
                        .unwrap_or_default(),
                );
            }
            // Focus the input when another room opens, so typing can start at once.
            if let Some(el) = input.cast::<HtmlTextAreaElement>() {
                let _ = el.focus();
            }
        });
    }

    let send = {
        let (chat, text, history) = (chat.clone(), text.clone(), history.clone());
        move || {
            if chat.submit(&text) {
                history.borrow_mut().record(&text);
                text.set(String::new());
                if let Some(room) = chat.state().active {
                    chat.keep_draft(room, "");
                }
            }
        }
    };
    let onkeydown = {
        let (send, text, history) = (send.clone(), text.clone(), history.clone());
        Callback::from(move |e: KeyboardEvent| {
            let el: HtmlTextAreaElement = e.target_unchecked_into();
            match e.key().as_str() {
                "Enter" if !e.shift_key() && !e.is_composing() => {
                    e.prevent_default();
                    send();
                }
                "ArrowUp" if !e.alt_key() && caret_at_start(&el) => {
                    if let Some(previous) = history.borrow_mut().older() {
                        e.prevent_default();
                        text.set(previous.to_owned());
                    }
                }
                "ArrowDown" if !e.alt_key() && caret_at_end(&el) => {
                    if let Some(next) = history.borrow_mut().newer() {
                        e.prevent_default();
                        text.set(next.to_owned());
                    }
                }
                _ => {}
            }
        })
    };
    let oninput = {
        let (text, chat) = (text.clone(), chat.clone());
        Callback::from(move |e: InputEvent| {
            let value = e.target_unchecked_into::<HtmlTextAreaElement>().value();
            // Kept across reloads; the store writes it with the next batch.
            if let Some(room) = chat.state().active {
                chat.keep_draft(room, &value);
            }
            text.set(value);
        })
    };
    let onclick = Callback::from(move |_: MouseEvent| send());
    // A pasted or dropped image is sent like a picked one.
    let onpaste = {
        let chat = chat.clone();
        Callback::from(move |e: Event| {
            let data = e
                .dyn_ref::<web_sys::ClipboardEvent>()
                .and_then(web_sys::ClipboardEvent::clipboard_data);
            if let Some(file) = first_image_file(data) {
                e.prevent_default();
                chat.send_image_file(file);
            }
        })
    };
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    let ondrop = {
        let chat = chat.clone();
        Callback::from(move |e: DragEvent| {
            if let Some(file) = first_image_file(e.data_transfer()) {
                e.prevent_default();
                chat.send_image_file(file);
            }
        })
    };
    let rows = text.lines().count().clamp(1, 8).to_string();
    let size = match parse_input(&text) {
        Input::Text(message) => text_size(&message),
        _ => TextSize::Fine,
    };
    let over = matches!(size, TextSize::TooLong(_));
    html! {
        <div class="composer-area" {ondragover} {ondrop}>
        { upload_progress(&chat) }
        { size_counter(size) }
        <div class="composer">
            <ImageTools />
            <textarea
                ref={input}
                id={INPUT_ID}
                data-testid="message-input"
                aria-label="Message"
                aria-invalid={over.then_some("true")}
                {placeholder}
                {rows}
                value={(*text).clone()}
                {oninput}
                {onkeydown}
                {onpaste}
                {disabled}
            />
            <button type="button" class="primary" data-testid="message-send" {onclick} {disabled}>{ "Send" }</button>
        </div>
        </div>
    }
}

/// The line above the message box near and past the size limit.
fn size_counter(size: TextSize) -> Html {
    let (state, bytes) = match size {
        TextSize::Fine => return Html::default(),
        TextSize::Near(bytes) => ("near", bytes),
        TextSize::TooLong(bytes) => ("over", bytes),
    };
    let count = format!("{} / {} bytes", thousands(bytes), thousands(MAX_TEXT_BYTES));
    let text = if state == "over" {
        format!("{count}: too long to send. Shorten it or send it in several parts.")
    } else {
        count
    };
    html! {
        <p class="composer-limit" data-testid="composer-limit" data-state={state} role="status">{ text }</p>
    }
}

/// Up recalls history only from the first line, so multi-line editing still works.
fn caret_at_start(el: &HtmlTextAreaElement) -> bool {
    let value = el.value();
    let caret = el.selection_start().ok().flatten().unwrap_or(0) as usize;
    !value.chars().take(caret).any(|c| c == '\n')
}

/// Down moves forward in history only from the last line.
fn caret_at_end(el: &HtmlTextAreaElement) -> bool {
    let value = el.value();
    let caret = el.selection_end().ok().flatten().unwrap_or(0) as usize;
    !value.chars().skip(caret).any(|c| c == '\n')
}

#[cfg(test)]
mod tests {
    use super::History;

    #[test]
    fn up_and_down_walk_the_history() {
        let mut h = History::default();
        assert_eq!(h.older(), None);
        h.record("one");
        h.record("two");
        h.record("two");
        assert_eq!(h.older(), Some("two"));
        assert_eq!(h.older(), Some("one"));
        assert_eq!(h.older(), Some("one"));
        assert_eq!(h.newer(), Some("two"));
        assert_eq!(h.newer(), Some(""));
        assert_eq!(h.newer(), None);
    }
}
