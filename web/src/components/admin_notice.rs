//! What root's last administrative request did ("Deleted the user "bob""), as a
//! polite live region so screen readers announce it too.

use gloo_timers::callback::Timeout;
use yew::prelude::*;

use crate::hooks::use_chat;

/// How long a notice stays before it goes by itself (it is a confirmation, not
/// something to act on).
const NOTICE_MS: u32 = 6_000;

/// The administration notice; render it for root only. The live region is always
/// there (empty when there is nothing to say) so that new text is announced.
#[component]
pub fn AdminNotice() -> Html {
    let chat = use_chat();
    let notice = chat.state().admin_notice.clone();
    {
        // A new notice restarts the timer; the old timer is dropped (cancelled).
        let chat = chat.clone();
        use_effect_with(notice.clone(), move |notice| {
            let timer = notice
                .is_some()
                .then(|| Timeout::new(NOTICE_MS, move || chat.dismiss_admin_notice()));
            move || drop(timer)
        });
    }
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
