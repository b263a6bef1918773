//! Root's user administration in the sidebar, folded away until opened so the room
//! list keeps its room (on phones especially).

use yew::prelude::*;

use super::create_user_form::CreateUserForm;
use super::delete_user_form::DeleteUserForm;

/// Create and delete accounts; render it for root only.
pub fn user_admin_panel() -> Html {
    html! {
        <details class="user-admin">
            <summary data-testid="admin-users-toggle">{ "Manage users" }</summary>
            <CreateUserForm />
            <DeleteUserForm />
        </details>
    }
}
