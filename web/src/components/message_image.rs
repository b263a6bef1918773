//! An image message, shown inline: `mcp_image://` images are downloaded in parts
//! (with progress) and shown from memory; http(s) images load from their address.
//! Any other reference is shown as text and never loaded. A click opens the image
//! at full size in a new tab.

use miricat_shared::packet::message::stored_image_id;
use yew::prelude::*;

use crate::client::is_web_image_url;
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
    /// Asks for the download of a stored image (by ID). The view is given by the
    /// list rather than read from the chat context, so this re-renders only when its
    /// own image changes.
    pub on_load: Callback<String>,
}

/// The inline image of a message.
#[component]
pub fn MessageImage(props: &MessageImageProps) -> Html {
    let stored_id = stored_image_id(&props.reference).map(str::to_owned);
    let broken = use_state(|| false);
    {
        // Downloads start when the message is first shown (the client does each once).
        // Asked again if the image was freed meanwhile (its view went away).
        let on_load = props.on_load.clone();
        let unknown = props.view.is_none();
        use_effect_with((stored_id.clone(), unknown), move |(id, unknown)| {
            if let (Some(id), true) = (id, *unknown) {
                on_load.emit(id.clone());
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
        Some(_) => match &props.view {
            Some(ImageView::Ready(url)) => shown(url),
            Some(ImageView::Failed(why)) => {
                html! { <span class="image-note failed">{ why.clone() }</span> }
            }
            Some(ImageView::Loading { received, total }) => loading(*received, *total),
            None => loading(0, None),
        },
        None if *broken => html! {
            <span class="image-note failed">
                { "The image at " }
                <a href={props.reference.clone()} target="_blank" rel="noopener noreferrer">{ props.reference.clone() }</a>
                { " could not be shown." }
            </span>
        },
        None if is_web_image_url(&props.reference) => shown(&props.reference),
        None => html! {
            <span class="image-note">{ format!("An image this app does not load: {}", props.reference) }</span>
        },
    };
    html! { <div class="message-image-box">{ body }</div> }
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
