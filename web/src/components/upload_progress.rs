//! The upload in progress, above the composer: name, a progress bar
//! (`upload-progress`) and a cancel button (`upload-cancel`).

use yew::prelude::*;

use crate::hooks::ChatContext;
use crate::state::UploadStage;

/// The upload bar, shown while an image uploads.
pub fn upload_progress(chat: &ChatContext) -> Html {
    let Some(upload) = chat.state().upload.clone() else {
        return Html::default();
    };
    let chat = chat.clone();
    let cancel = Callback::from(move |_| chat.cancel_upload());
    let percent = (upload.fraction() * 100.0).round();
    let doing = match upload.stage {
        UploadStage::Requesting => "Preparing".to_owned(),
        UploadStage::Sending => format!("Uploading {percent}%"),
        UploadStage::Posting => "Posting".to_owned(),
    };
    html! {
        <div class="upload-bar" role="status">
            <span class="upload-name" title={upload.name.clone()}>{ upload.name.clone() }</span>
            <progress data-testid="upload-progress" max={upload.total.to_string()} value={upload.sent.to_string()} aria-label={format!("Uploading {}", upload.name)} />
            <span class="muted small">{ doing }</span>
            <button type="button" class="ghost small" data-testid="upload-cancel" onclick={cancel} disabled={upload.stage == UploadStage::Posting}>{ "Cancel" }</button>
        </div>
    }
}
