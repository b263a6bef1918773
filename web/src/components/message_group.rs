//! A run of messages from one sender: avatar, name and time once, then the lines.

use yew::prelude::*;

use crate::services::clock;

/// Number of avatar colours in the stylesheet (`.hue-0` to `.hue-7`).
const HUES: u32 = 8;

/// A stable colour class for a name, so each person keeps their colour.
pub fn hue_class(name: &str) -> String {
    let hash = name.bytes().fold(2_166_136_261_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(16_777_619)
    });
    format!("hue-{}", hash % HUES)
}

/// The first letter of a name, for the avatar. Not uppercased here: the `.avatar`
/// style's `text-transform` does it, in every script, without shipping Unicode's
/// case tables in the wasm (with `char::to_uppercase` they were 14 KB of the gzip).
pub fn initial(name: &str) -> String {
    name.chars().next().map(String::from).unwrap_or_default()
}

/// Props of [`MessageGroupHead`].
#[derive(Properties, PartialEq)]
pub struct MessageGroupHeadProps {
    /// Who wrote the run of messages below.
    pub sender: AttrValue,
    /// Whether that is us.
    pub own: bool,
    /// When the first of them was written.
    pub time_ms: u64,
}

/// The head of one sender's run of messages: avatar, name and time, once.
///
/// The messages themselves follow as siblings, not children: the timeline is one
/// flat keyed list, so moving its window or adding a message never re-creates the
/// rows already shown.
#[component]
pub fn MessageGroupHead(props: &MessageGroupHeadProps) -> Html {
    html! {
        <div class={classes!("group-head", props.own.then_some("own"))}>
            <span class={classes!("avatar", hue_class(&props.sender))} aria-hidden="true">{ initial(&props.sender) }</span>
            <span class="sender">{ props.sender.clone() }</span>
            <time class="muted small" title={clock::local_date_time(props.time_ms)}>{ clock::local_time(props.time_ms) }</time>
        </div>
    }
}
