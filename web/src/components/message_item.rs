//! One message: its text (links made clickable, never HTML; a very long one folded
//! behind "show more") or its image and, for our own, its delivery state with a
//! retry button when it failed.

use std::rc::Rc;

use yew::prelude::*;

use super::message_image::MessageImage;
use crate::client::DownloadAsk;
use crate::fold::{fold_point, hidden_chars};
use crate::linkify::{Segment, Work, linkify_prefix};
use crate::services::clock;
use crate::sizes::thousands;
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
    /// Asks to show a stored image.
    pub on_load_image: Callback<(String, DownloadAsk)>,
    /// Whether `http(s)` images load without a click.
    pub load_external_images: bool,
    /// Whether this is the message a search opened (drawn highlighted).
    #[prop_or_default]
    pub highlighted: bool,
}

/// A message line.
#[component]
pub fn MessageItem(props: &MessageItemProps) -> Html {
    let EntryKind::Message { content, own, .. } = &props.entry.kind else {
        return Html::default();
    };
    let unfolded = use_state(|| false);
    let body = match content {
        Content::Text(text) => {
            let toggle = {
                let unfolded = unfolded.clone();
                Callback::from(move |_: MouseEvent| unfolded.set(!*unfolded))
            };
            message_text(text, *unfolded, toggle)
        }
        Content::Image(reference) => html! {
            <MessageImage reference={AttrValue::from(reference.clone())} sender={props.sender.clone()} view={props.image.clone()} on_load={props.on_load_image.clone()} load_external={props.load_external_images} />
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
            class={classes!("message", status.map(|s| format!("delivery-{s}")), props.highlighted.then_some("search-target"))}
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

/// A text, folded to its beginning when very long (unless `unfolded`), with the
/// button that folds and unfolds it.
fn message_text(text: &str, unfolded: bool, toggle: Callback<MouseEvent>) -> Html {
    let fold = fold_point(text);
    let cut = fold.filter(|_| !unfolded).unwrap_or(text.len());
    let segments = linkify_prefix(text, cut, &mut Work::default())
        .into_iter()
        .map(|segment| match segment {
            // Yew renders strings as text nodes: markup in a message stays text.
            Segment::Text(t) => html! { { t.to_owned() } },
            Segment::Link(url) => html! {
                <a href={url.to_owned()} target="_blank" rel="noopener noreferrer">{ url.to_owned() }</a>
            },
        });
    let button = fold.map(|at| {
        let label = if unfolded {
            "Show less".to_owned()
        } else {
            format!("Show more ({} more characters)", thousands(hidden_chars(text, at)))
        };
        html! {
            <button type="button" class="link-button fold-toggle" data-testid="message-fold" aria-expanded={if unfolded { "true" } else { "false" }} onclick={toggle}>{ label }</button>
        }
    });
    html! {
        <span class="message-text-box">
            <span class={classes!("message-text", (cut < text.len()).then_some("folded"))}>{ for segments }</span>
            { for button }
        </span>
    }
}
