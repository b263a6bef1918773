//! A run of messages from one sender: avatar, name and time once, then the lines.

use yew::prelude::*;

use super::message_item::MessageItem;
use crate::services::clock;
use crate::state::Entry;

/// Number of avatar colours in the stylesheet (`.hue-0` to `.hue-7`).
const HUES: u32 = 8;

/// A stable colour class for a name, so each person keeps their colour.
pub fn hue_class(name: &str) -> String {
    let hash = name.bytes().fold(2_166_136_261_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(16_777_619)
    });
    format!("hue-{}", hash % HUES)
}

/// The first letter of a name, for the avatar.
pub fn initial(name: &str) -> String {
    name.chars()
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default()
}

/// Props of [`MessageGroup`].
#[derive(Properties, PartialEq)]
pub struct MessageGroupProps {
    /// Who wrote the messages.
    pub sender: AttrValue,
    /// Whether that is us.
    pub own: bool,
    /// The messages, oldest first.
    pub entries: Vec<Entry>,
}

/// One sender's run of messages.
#[component]
pub fn MessageGroup(props: &MessageGroupProps) -> Html {
    let first_time = props.entries.first().map(|e| e.time_ms).unwrap_or_default();
    html! {
        <section class={classes!("message-group", props.own.then_some("own"))}>
            <span class={classes!("avatar", hue_class(&props.sender))} aria-hidden="true">{ initial(&props.sender) }</span>
            <div class="group-body">
                <header class="group-head">
                    <span class="sender">{ props.sender.clone() }</span>
                    <time class="muted small" title={clock::local_date_time(first_time)}>{ clock::local_time(first_time) }</time>
                </header>
                { for props.entries.iter().map(|entry| html! {
                    <MessageItem entry={entry.clone()} sender={props.sender.clone()} />
                }) }
            </div>
        </section>
    }
}
