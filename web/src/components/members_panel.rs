//! Who is in the open room, kept current by `Room.Joined` / `Room.Left`. Beside the
//! room on wide screens; on narrow ones, shown over it on request.

use web_sys::HtmlElement;
use yew::prelude::*;

use super::message_group::{hue_class, initial};
use crate::hooks::use_chat;

/// The panel's element ID, which the header's Members button controls.
pub const MEMBERS_PANEL_ID: &str = "members-panel";

/// Props of [`MembersPanel`].
#[derive(Properties, PartialEq)]
pub struct MembersPanelProps {
    /// Shown over the room (narrow screens only; wide ones always show the panel).
    pub shown: bool,
    /// Hides it again (its Close button, or Escape).
    pub on_close: Callback<()>,
}

/// The members panel.
#[component]
pub fn MembersPanel(props: &MembersPanelProps) -> Html {
    let chat = use_chat();
    // Opening it on a narrow screen takes keyboard focus there, to its Close button.
    let close_button = use_node_ref();
    {
        let close_button = close_button.clone();
        use_effect_with(props.shown, move |shown| {
            if *shown && let Some(button) = close_button.cast::<HtmlElement>() {
                let _ = button.focus();
            }
        });
    }
    let close = props.on_close.reform(|_: MouseEvent| ());
    let close_on_escape = {
        let (on_close, shown) = (props.on_close.clone(), props.shown);
        Callback::from(move |event: KeyboardEvent| {
            if shown && event.key() == "Escape" {
                on_close.emit(());
            }
        })
    };
    let state = chat.state();
    let members: Vec<String> = state
        .active_room()
        .map(|room| room.members.iter().cloned().collect())
        .unwrap_or_default();
    let me = state.me.clone();
    html! {
        <aside
            id={MEMBERS_PANEL_ID}
            class={classes!("members-pane", props.shown.then_some("shown"))}
            aria-label="Members"
            onkeydown={close_on_escape}
        >
            <div class="members-head">
                <h3>{ format!("Members · {}", members.len()) }</h3>
                <button type="button" class="ghost small members-close" data-testid="members-close"
                    ref={close_button} onclick={close}>{ "Close" }</button>
            </div>
            <ul class="member-list" data-testid="member-list">
                { for members.into_iter().map(|name| {
                    let is_me = me.as_deref() == Some(name.as_str());
                    html! {
                        <li key={name.clone()} class="member">
                            <span class={classes!("avatar", hue_class(&name))} aria-hidden="true">{ initial(&name) }</span>
                            <span class="member-name">{ name.clone() }</span>
                            if is_me { <span class="muted small">{ "(you)" }</span> }
                        </li>
                    }
                }) }
            </ul>
        </aside>
    }
}
