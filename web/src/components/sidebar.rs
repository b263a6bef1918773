//! The sidebar: who we are, the connection, the message search, every room (joined first), for root
//! the new-room form and user administration, and the theme, notification and
//! external-image switches.

use yew::prelude::*;

use super::confirm_dialog::ConfirmDialog;
use super::connection_status::connection_status;
use super::create_room_form::CreateRoomForm;
use super::external_images_toggle::external_images_toggle;
use super::notifications_toggle::NotificationsToggle;
use super::room_entry::RoomEntry;
use super::search_box::SearchBox;
use super::stored_note::stored_note;
use super::theme_toggle::ThemeToggle;
use super::user_admin_panel::user_admin_panel;
use crate::hooks::use_chat;

/// The element ID of the part a phone folds away (room creation, settings, account).
const MORE_ID: &str = "sidebar-more";

/// Props of [`Sidebar`].
#[derive(Properties, PartialEq)]
pub struct SidebarProps {
    /// A search hit was chosen: its room and sequence number.
    pub on_jump: Callback<(miricat_shared::RoomId, u64)>,
}

/// The room list and account bar.
#[component]
pub fn Sidebar(props: &SidebarProps) -> Html {
    let chat = use_chat();
    let state = chat.state();
    let order = state.room_order();
    let joined = order
        .iter()
        .filter(|id| state.rooms[*id].membership.is_in())
        .count();
    let me = state.me.clone().unwrap_or_default();
    let refresh = {
        let chat = chat.clone();
        Callback::from(move |_| chat.refresh_rooms())
    };
    let sign_out = {
        let chat = chat.clone();
        Callback::from(move |_| chat.sign_out(false))
    };
    // Signing out and forgetting what this browser stored asks first.
    let asking_forget = use_state(|| false);
    let ask_forget = {
        let asking_forget = asking_forget.clone();
        Callback::from(move |_: MouseEvent| asking_forget.set(true))
    };
    let forget = {
        let chat = chat.clone();
        Callback::from(move |()| chat.sign_out(true))
    };
    let keep = {
        let asking_forget = asking_forget.clone();
        Callback::from(move |()| asking_forget.set(false))
    };
    // On phones the account and settings fold away behind one button, so the rooms
    // and the conversation keep the small screen; wider screens always show them.
    let more_open = use_state(|| false);
    let toggle_more = {
        let more_open = more_open.clone();
        Callback::from(move |_: MouseEvent| more_open.set(!*more_open))
    };
    let entry = |id: &u64| {
        let room = state.rooms[id].clone();
        let active = state.active == Some(*id);
        html! { <RoomEntry key={*id} {room} {active} /> }
    };
    html! {
        <nav class="sidebar" aria-label="Rooms">
            <div class="sidebar-head">
                <span class="brand-mark small" aria-hidden="true">{ "M" }</span>
                <span class="app-name">{ "Miricat" }</span>
                { connection_status(&chat) }
                <button
                    type="button"
                    class="ghost sidebar-more-toggle"
                    data-testid="sidebar-more-toggle"
                    aria-label="Account and settings"
                    aria-controls={MORE_ID}
                    aria-expanded={if *more_open { "true" } else { "false" }}
                    onclick={toggle_more}
                >
                    <span aria-hidden="true">{ "☰" }</span>
                </button>
            </div>
            <SearchBox on_jump={props.on_jump.clone()} />
            <div class="rooms-head">
                <span>{ "Rooms" }</span>
                <button type="button" class="ghost icon" title="Refresh the room list" aria-label="Refresh the room list" onclick={refresh}>{ "↻" }</button>
            </div>
            <ul class="room-list" data-testid="room-list">
                { for order[..joined].iter().map(entry) }
                if joined > 0 && joined < order.len() {
                    <li class="room-divider" aria-hidden="true">{ "Other rooms" }</li>
                }
                { for order[joined..].iter().map(entry) }
                if order.is_empty() {
                    <li class="muted small empty-rooms">{ "No rooms yet." }</li>
                }
            </ul>
            <div id={MORE_ID} class={classes!("sidebar-more", more_open.then_some("open"))}>
                if state.is_root() {
                    <CreateRoomForm />
                    { user_admin_panel() }
                }
                <div class="preferences">
                    <ThemeToggle />
                    { external_images_toggle(&chat) }
                    <NotificationsToggle />
                    { stored_note() }
                </div>
                <div class="account">
                    <span class={classes!("avatar", super::message_group::hue_class(&me))} aria-hidden="true">
                        { super::message_group::initial(&me) }
                    </span>
                    <span class="account-name" title={me.clone()}>{ me.clone() }</span>
                    <button type="button" class="ghost small" data-testid="sign-out" onclick={sign_out}>{ "Sign out" }</button>
                    <button type="button" class="ghost small" data-testid="sign-out-forget" onclick={ask_forget}
                        title="Sign out and delete what this browser stored of this account">{ "Sign out and forget" }</button>
                </div>
                if *asking_forget {
                    <ConfirmDialog
                        title="Sign out and forget this browser?"
                        message="This browser's copy of your rooms, messages, drafts and unsent messages for this account is deleted. The server keeps what it keeps; unsent messages are lost."
                        confirm_label="Sign out and forget"
                        on_confirm={forget}
                        on_cancel={keep}
                    />
                }
            </div>
        </nav>
    }
}
