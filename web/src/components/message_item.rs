//! One message: its text (links made clickable, never HTML) and, for our own, its
//! delivery state with a retry button when it failed.

use yew::prelude::*;

use crate::hooks::use_chat;
use crate::linkify::{Segment, linkify};
use crate::services::clock;
use crate::state::{Delivery, Entry, EntryKind};

/// Props of [`MessageItem`].
#[derive(Properties, PartialEq)]
pub struct MessageItemProps {
    /// The message.
    pub entry: Entry,
    /// Its sender, for `data-sender`.
    pub sender: AttrValue,
}

/// A message line.
#[component]
pub fn MessageItem(props: &MessageItemProps) -> Html {
    let chat = use_chat();
    let EntryKind::Message { text, own, .. } = &props.entry.kind else {
        return Html::default();
    };
    let segments = linkify(text).into_iter().map(|segment| match segment {
        // Yew renders strings as text nodes: markup in a message stays text.
        Segment::Text(t) => html! { { t.to_owned() } },
        Segment::Link(url) => html! {
            <a href={url.to_owned()} target="_blank" rel="noopener noreferrer">{ url.to_owned() }</a>
        },
    });
    let (status, status_view) = match own {
        None => (None, Html::default()),
        Some((_, Delivery::Pending)) => (
            Some("pending"),
            html! { <span class="delivery pending" title="Waiting to be sent">{ "Sending…" }</span> },
        ),
        Some((_, Delivery::Sent)) => (
            Some("sent"),
            html! { <span class="delivery sent" title="Delivered to the server">{ "✓" }</span> },
        ),
        Some((local_id, Delivery::Failed(why))) => {
            let local_id = *local_id;
            let retry = Callback::from(move |_| chat.retry(local_id));
            (
                Some("failed"),
                html! {
                    <span class="delivery failed">
                        { format!("Not sent: {why}") }
                        <button type="button" class="link-button" data-testid="message-retry" onclick={retry}>{ "Retry" }</button>
                    </span>
                },
            )
        }
    };
    let time = props.entry.time_ms;
    html! {
        <div
            class={classes!("message", status.map(|s| format!("delivery-{s}")))}
            data-testid="message"
            data-sender={props.sender.clone()}
            data-status={status}
        >
            <time class="message-time" title={clock::local_date_time(time)}>{ clock::local_time(time) }</time>
            <span class="message-text">{ for segments }</span>
            { status_view }
        </div>
    }
}
