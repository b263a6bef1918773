//! What root's last administrative request did ("Deleted the user "bob""), as a
//! polite live region so screen readers announce it too.

use yew::prelude::*;

use crate::hooks::use_chat;

/// The administration notice; render it for root only. The live region is always
/// there (empty when there is nothing to say) so that new text is announced.
#[component]
pub fn AdminNotice() -> Html {
    let chat = use_chat();
    let notice = chat.state().admin_notice.clone();
    let dismiss = Callback::from(move |_| chat.dismiss_admin_notice());
    html! {
        <div class="admin-notice-region" role="status" aria-live="polite">
            if let Some(notice) = notice {
                <div class="admin-notice" data-testid="admin-notice">
                    <span class="admin-notice-text">{ notice }</span>
                    <button type="button" class="ghost" aria-label="Dismiss" onclick={dismiss}>{ "×" }</button>
                </div>
            }
        </div>
    }
}
