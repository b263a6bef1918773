//! The composer's image controls: pick a file (`image-input`), or post an image by
//! its address (`image-url-input`). Pasting and dropping images are handled by the
//! composer itself, through [`first_image_file`].

use web_sys::{DataTransfer, File, HtmlInputElement};
use yew::prelude::*;

use super::text_input::bind_text;

use crate::hooks::use_chat;

/// The image types offered by the file picker (what servers accept; never SVG).
const ACCEPTED: &str = "image/png,image/jpeg,image/gif,image/webp";

/// The attach and image-link buttons, the hidden file input, and the link form.
#[component]
pub fn ImageTools() -> Html {
    let chat = use_chat();
    let picker = use_node_ref();
    let link_open = use_state(|| false);
    let link = use_state(String::new);
    let link_input_ref = use_node_ref();
    {
        // `autofocus` only works on page load: focus the address box when it opens.
        let link_input_ref = link_input_ref.clone();
        use_effect_with(*link_open, move |open| {
            if let Some(input) = link_input_ref.cast::<HtmlInputElement>().filter(|_| *open) {
                let _ = input.focus();
            }
        });
    }
    let state = chat.state();
    let can_post = state.active_room().is_some_and(|r| r.membership.is_in());
    let can_upload = can_post && state.upload.is_none();

    let pick = {
        let picker = picker.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(input) = picker.cast::<HtmlInputElement>() {
                input.click();
            }
        })
    };
    let picked = {
        let chat = chat.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = input.files().and_then(|files| files.get(0)) {
                chat.send_image_file(file);
            }
            // The same file may be picked again later.
            input.set_value("");
        })
    };
    let toggle_link = {
        let link_open = link_open.clone();
        Callback::from(move |_: MouseEvent| link_open.set(!*link_open))
    };
    let post_link = {
        let (chat, link, link_open) = (chat.clone(), link.clone(), link_open.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if chat.post_image_url(&link) {
                link.set(String::new());
                link_open.set(false);
            }
        })
    };
    let close_on_escape = {
        let link_open = link_open.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                link_open.set(false);
            }
        })
    };
    html! {
        <>
            <input
                ref={picker}
                type="file"
                class="visually-hidden"
                accept={ACCEPTED}
                data-testid="image-input"
                aria-label="Choose an image to send"
                tabindex="-1"
                onchange={picked}
                disabled={!can_upload}
            />
            <button type="button" class="ghost icon composer-tool" title="Send an image (or paste or drop one)" aria-label="Send an image" onclick={pick} disabled={!can_upload}>{ picture_icon() }</button>
            <button type="button" class="ghost icon composer-tool" title="Post an image by its address" aria-label="Post an image by its address" aria-expanded={link_open.to_string()} onclick={toggle_link.clone()} disabled={!can_post}>{ link_icon() }</button>
            if *link_open {
                <form class="image-url-form" onsubmit={post_link} onkeydown={close_on_escape}>
                    <label class="visually-hidden" for="image-url">{ "Image address" }</label>
                    <input
                        ref={link_input_ref}
                        id="image-url"
                        type="url"
                        data-testid="image-url-input"
                        placeholder="https://example.org/picture.png"
                        value={(*link).clone()}
                        oninput={bind_text(&link)}
                    />
                    <button type="submit" class="primary small" data-testid="image-url-submit">{ "Post image" }</button>
                    <button type="button" class="ghost small" onclick={toggle_link}>{ "Cancel" }</button>
                </form>
            }
        </>
    }
}

/// A picture (frame, hill, sun), drawn rather than an emoji: not every system has
/// an emoji font.
fn picture_icon() -> Html {
    html! {
        <svg class="icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
            <rect x="3" y="4" width="18" height="16" rx="2" />
            <circle cx="9" cy="10" r="2" />
            <path d="M21 16l-5-5-9 9" />
        </svg>
    }
}

/// Two chain links.
fn link_icon() -> Html {
    html! {
        <svg class="icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
            <path d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1" />
            <path d="M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1" />
        </svg>
    }
}

/// The first file of a paste or drop, if the user gave one.
pub fn first_image_file(data: Option<DataTransfer>) -> Option<File> {
    data?.files()?.get(0)
}
