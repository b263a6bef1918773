//! The root component: owns the chat state and the connection, provides both to
//! every component below it as a [`ChatContext`], and picks the screen: the
//! sign-in form until this tab has signed in, then the chat (which stays up
//! through reconnects). One component for the three jobs: each component costs
//! the wasm about 1.5 KB of yew glue.

use yew::prelude::*;

use super::chat_screen::ChatScreen;
use super::login_screen::LoginScreen;
use crate::hooks::ChatContext;
use crate::services::connection::Connection;
use crate::services::storage;
use crate::state::ChatState;

/// The whole app.
#[component]
pub fn App() -> Html {
    let state = use_reducer(|| ChatState {
        load_external_images: storage::external_images_wanted(),
        ..ChatState::default()
    });
    let dispatcher = state.dispatcher();
    // One connection for the component's life; it reports through the dispatcher,
    // which stays valid across renders.
    let connection = use_memo((), move |_| {
        Connection::new(Callback::from(move |action| dispatcher.dispatch(action)))
    });
    // After every change: the persister writes what changed, batched.
    {
        let persister = connection.persister();
        let state = state.clone();
        use_effect_with(state.revision, move |_| persister.observe(&state));
    }
    let signed_in = state.signed_in;
    let context = ChatContext::new(state, (*connection).clone());
    html! {
        <ContextProvider<ChatContext> {context}>
            if signed_in {
                <ChatScreen />
            } else {
                <LoginScreen />
            }
        </ContextProvider<ChatContext>>
    }
}
