//! One message: its text (links made clickable, never HTML) or its image and, for
//! our own, its delivery state with a retry button when it failed.

use std::rc::Rc;

use yew::prelude::*;

use super::message_image::MessageImage;
use crate::linkify::{Segment, linkify};
use crate::services::clock;
use crate::state::{Content, Delivery, Entry, EntryKind, ImageView};

/// Props of [`MessageItem`].
#[derive(Properties, PartialEq)]
pub struct MessageItemProps {
    /// The message.
    pub entry: Rc<Entry>,
    /// Its sequence number in the room, for `data-seq` (scroll anchoring).
    pub seq: u64,
    /// Its sender, for `data-sender`.
    pub sender: AttrValue,
    /// Sends a failed message of ours again (by local ID). Given by the list, not
    /// read from the chat context: an item re-renders only when its own props
    /// change, which keeps a long timeline cheap.
    pub on_retry: Callback<u64>,
    /// For an image message: where its download is.
    #[prop_or_default]
    pub image: Option<ImageView>,
    /// Asks for an image's download.
    pub on_load_image: Callback<String>,
}

/// A message line.
#[component]
pub fn MessageItem(props: &MessageItemProps) -> Html {
    let EntryKind::Message { content, own, .. } = &props.entry.kind else {
        return Html::default();
    };
    let body = match content {
        Content::Text(text) => {
            let segments = linkify(text).into_iter().map(|segment| match segment {
                // Yew renders strings as text nodes: markup in a message stays text.
                Segment::Text(t) => html! { { t.to_owned() } },
                Segment::Link(url) => html! {
                    <a href={url.to_owned()} target="_blank" rel="noopener noreferrer">{ url.to_owned() }</a>
                },
            });
            html! { <span class="message-text">{ for segments }</span> }
        }
        Content::Image(reference) => html! {
            <MessageImage reference={AttrValue::from(reference.clone())} sender={props.sender.clone()} view={props.image.clone()} on_load={props.on_load_image.clone()} />
        },
    };
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
        Some((_, Delivery::Refused(why))) => (
            Some("failed"),
            html! { <span class="delivery failed">{ format!("Not sent: {why}") }</span> },
        ),
        Some((local_id, Delivery::Failed(why))) => {
            let local_id = *local_id;
            let retry = props.on_retry.reform(move |_: MouseEvent| local_id);
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
            data-seq={props.seq.to_string()}
            data-sender={props.sender.clone()}
            data-status={status}
        >
            <time class="message-time" title={clock::local_date_time(time)}>{ clock::local_time(time) }</time>
            { body }
            { status_view }
        </div>
    }
}
