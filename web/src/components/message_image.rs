//! An image message, shown inline under the media policy:
//! - `mcp_image://` images download in parts (with progress) and show from memory,
//!   by themselves up to a size, larger ones when the reader presses the button
//!   that gives their size (see `client::downloads`);
//! - `http(s)` images load from their address only on a click, unless the reader
//!   chose to load them by themselves: loading one tells its host the reader's
//!   address, and anyone in the room can post one;
//! - any other reference is shown as text and never loaded.
//!
//! A click on a shown image opens it at full size in a new tab.

use miricat_shared::packet::message::stored_image_id;
use yew::prelude::*;

use crate::client::{DownloadAsk, is_web_image_url, web_image_host};
use crate::sizes::human_bytes;
use crate::state::ImageView;

/// Props of [`MessageImage`].
#[derive(Properties, PartialEq)]
pub struct MessageImageProps {
    /// `mcp_image://<id>` or a URL, as the sender gave it.
    pub reference: AttrValue,
    /// Who sent it, for the image's description.
    pub sender: AttrValue,
    /// Where the download of an `mcp_image://` image is (`None`: not asked yet).
    pub view: Option<ImageView>,
    /// Asks to show a stored image (by ID). The view is given by the list rather
    /// than read from the chat context, so this re-renders only when its own image
    /// changes.
    pub on_load: Callback<(String, DownloadAsk)>,
    /// Whether `http(s)` images load without a click.
    pub load_external: bool,
}

/// The inline image of a message.
#[component]
pub fn MessageImage(props: &MessageImageProps) -> Html {
    let stored_id = stored_image_id(&props.reference).map(str::to_owned);
    let broken = use_state(|| false);
    let external_clicked = use_state(|| false);
    {
        // Asked once when the message comes into view: the client downloads it if
        // small enough and not held already. An image freed while in view waits
        // for a click, so freeing never starts a download by itself.
        let on_load = props.on_load.clone();
        use_effect_with(stored_id.clone(), move |id| {
            if let Some(id) = id {
                on_load.emit((id.clone(), DownloadAsk::Automatic));
            }
        });
    }
    let alt = format!("Image from {}", props.sender);
    let onerror = {
        let broken = broken.clone();
        Callback::from(move |_: Event| broken.set(true))
    };
    let shown = |src: &str| {
        html! {
            <a class="message-image-link" href={src.to_owned()} target="_blank" rel="noopener noreferrer" title="Open full size">
                <img class="message-image" data-testid="message-image" src={src.to_owned()} alt={alt.clone()} referrerpolicy="no-referrer" onerror={onerror.clone()} />
            </a>
        }
    };
    let body = match &stored_id {
        Some(id) => {
            let ask = {
                let (on_load, id) = (props.on_load.clone(), id.clone());
                Callback::from(move |_: MouseEvent| {
                    on_load.emit((id.clone(), DownloadAsk::Clicked));
                })
            };
            match &props.view {
                Some(ImageView::Ready(url)) => shown(url),
                Some(ImageView::Failed(why)) => {
                    html! { <span class="image-note failed">{ why.clone() }</span> }
                }
                Some(ImageView::Offered { size }) => offer(
                    format!("Load image ({})", human_bytes(*size)),
                    "Large images load only when asked.",
                    ask,
                ),
                Some(ImageView::Freed) => {
                    offer("Show image".to_owned(), "Set aside to save memory.", ask)
                }
                Some(ImageView::Loading { received, total }) => loading(*received, *total),
                None => loading(0, None),
            }
        }
        None if *broken => html! {
            <span class="image-note failed">
                { "The image at " }
                <a href={props.reference.clone()} target="_blank" rel="noopener noreferrer">{ props.reference.clone() }</a>
                { " could not be shown." }
            </span>
        },
        None if is_web_image_url(&props.reference) => {
            if props.load_external || *external_clicked {
                shown(&props.reference)
            } else {
                let load = Callback::from(move |_: MouseEvent| external_clicked.set(true));
                offer(
                    format!("Load image from {}", web_image_host(&props.reference)),
                    "Images from other sites load only when asked: the site learns your address.",
                    load,
                )
            }
        }
        None => html! {
            <span class="image-note">{ format!("An image this app does not load: {}", props.reference) }</span>
        },
    };
    html! { <div class="message-image-box">{ body }</div> }
}

/// A button that loads the image, with a line saying why it waits.
fn offer(label: String, why: &'static str, onclick: Callback<MouseEvent>) -> Html {
    html! {
        <span class="image-offer">
            <button type="button" class="small" data-testid="image-load" {onclick}>{ label }</button>
            <span class="muted small">{ why }</span>
        </span>
    }
}

/// The placeholder while an image downloads.
fn loading(received: u64, total: Option<u64>) -> Html {
    let label = match total {
        Some(total) if total > 0 => format!(
            "Loading image… {}%",
            (received.saturating_mul(100) / total).min(100)
        ),
        _ => "Loading image…".to_owned(),
    };
    html! {
        <span class="image-loading" role="status">
            <progress data-testid="image-progress" max={total.unwrap_or(0).max(1).to_string()} value={received.to_string()} aria-label="Image download" />
            <span class="muted small">{ label }</span>
        </span>
    }
}
