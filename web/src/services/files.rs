//! Reading a picked, pasted or dropped file into memory.

use wasm_bindgen_futures::JsFuture;

/// The bytes of `file` (the browser reads it off the main thread).
pub async fn read(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| format!("\"{}\" could not be read", file.name()))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}
