//! The root component: the chat state provider around the screens.

use yew::prelude::*;

use super::chat_provider::ChatProvider;
use super::main_view::MainView;

/// The whole app.
#[component]
pub fn App() -> Html {
    html! {
        <ChatProvider>
            <MainView />
        </ChatProvider>
    }
}
