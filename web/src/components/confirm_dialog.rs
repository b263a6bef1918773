//! A modal "are you sure?" for destructive actions: a native `<dialog>` shown with
//! `showModal()`, so the rest of the page is inert, focus moves into it (onto
//! Cancel, the safe choice) and Escape cancels. Focus returns to where it was.

use wasm_bindgen::JsCast;
use web_sys::{HtmlDialogElement, HtmlElement};
use yew::prelude::*;

/// What to ask, and what to do with the answer.
#[derive(Properties, PartialEq)]
pub struct ConfirmDialogProps {
    /// The question, also the dialog's accessible name ("Delete the room?").
    pub title: AttrValue,
    /// What will happen, in a sentence or two.
    pub message: AttrValue,
    /// The OK button's text, naming the action ("Delete room").
    pub confirm_label: AttrValue,
    /// The user confirmed.
    pub on_confirm: Callback<()>,
    /// The user cancelled (Cancel or Escape).
    pub on_cancel: Callback<()>,
}

/// The confirmation dialog; mount it to ask, unmount it once answered.
#[component]
pub fn ConfirmDialog(props: &ConfirmDialogProps) -> Html {
    let dialog = use_node_ref();
    // What had focus before the dialog opened (the button that asked), to give it
    // back once answered.
    let opener = use_mut_ref(|| None::<HtmlElement>);
    let cancel_button = use_node_ref();
    {
        let (dialog, opener, cancel_button) =
            (dialog.clone(), opener.clone(), cancel_button.clone());
        use_effect_with((), move |_| {
            *opener.borrow_mut() = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element())
                .and_then(|e| e.dyn_into::<HtmlElement>().ok());
            let dialog = dialog.cast::<HtmlDialogElement>();
            if let Some(dialog) = &dialog
                && let Err(e) = dialog.show_modal()
            {
                web_sys::console::warn_2(&"the confirm dialog could not open".into(), &e);
            }
            // Explicitly, not with `autofocus`: that would fire as the dialog is
            // inserted, before the opener above is known.
            if let Some(cancel) = cancel_button.cast::<HtmlElement>() {
                let _ = cancel.focus();
            }
            move || {
                if let Some(dialog) = dialog {
                    dialog.close();
                }
            }
        });
    }
    // Closes the dialog (the page stops being inert) and refocuses the opener,
    // before the parent hears the answer and unmounts it.
    let answered = {
        let (dialog, opener) = (dialog.clone(), opener.clone());
        move |answer: &Callback<()>| {
            if let Some(dialog) = dialog.cast::<HtmlDialogElement>() {
                dialog.close();
            }
            if let Some(opener) = opener.borrow().as_ref() {
                // Nothing to do if it is gone: focus then falls back to the page.
                let _ = opener.focus();
            }
            answer.emit(());
        }
    };
    let cancel = {
        let (answered, on_cancel) = (answered.clone(), props.on_cancel.clone());
        Callback::from(move |_: MouseEvent| answered(&on_cancel))
    };
    let escape = {
        let (answered, on_cancel) = (answered.clone(), props.on_cancel.clone());
        Callback::from(move |event: Event| {
            event.prevent_default();
            answered(&on_cancel);
        })
    };
    let confirm = {
        let on_confirm = props.on_confirm.clone();
        Callback::from(move |_: MouseEvent| answered(&on_confirm))
    };
    html! {
        <dialog ref={dialog} class="confirm-dialog" data-testid="confirm-dialog"
            aria-labelledby="confirm-dialog-title" aria-describedby="confirm-dialog-message"
            oncancel={escape}>
            <h2 id="confirm-dialog-title">{ props.title.clone() }</h2>
            <p id="confirm-dialog-message">{ props.message.clone() }</p>
            <div class="confirm-actions">
                <button ref={cancel_button} type="button" data-testid="confirm-cancel" onclick={cancel}>
                    { "Cancel" }
                </button>
                <button type="button" class="danger" data-testid="confirm-ok" onclick={confirm}>
                    { props.confirm_label.clone() }
                </button>
            </div>
        </dialog>
    }
}
