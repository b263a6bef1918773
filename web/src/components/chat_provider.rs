//! Owns the chat state and the connection, and provides both to every component
//! below it as a [`ChatContext`].

use yew::prelude::*;

use crate::hooks::ChatContext;
use crate::services::connection::Connection;
use crate::services::storage;
use crate::state::ChatState;

/// Props of [`ChatProvider`].
#[derive(Properties, PartialEq)]
pub struct ChatProviderProps {
    /// The app under the provider.
    pub children: Html,
}

/// Puts the state and the connection in context.
#[component]
pub fn ChatProvider(props: &ChatProviderProps) -> Html {
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
    let context = ChatContext::new(state, (*connection).clone());
    html! {
        <ContextProvider<ChatContext> {context}>
            { props.children.clone() }
        </ContextProvider<ChatContext>>
    }
}
