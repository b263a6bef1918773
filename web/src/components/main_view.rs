//! Picks the screen: the sign-in form until this tab has signed in, then the chat
//! (which stays up through reconnects).

use yew::prelude::*;

use super::chat_screen::ChatScreen;
use super::login_screen::LoginScreen;
use crate::hooks::use_chat;

/// The sign-in or the chat screen.
#[component]
pub fn MainView() -> Html {
    let chat = use_chat();
    if chat.state().signed_in {
        html! { <ChatScreen /> }
    } else {
        html! { <LoginScreen /> }
    }
}
