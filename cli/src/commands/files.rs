//! `miricat upload FILE --room ID` and `miricat download IMAGE_ID -o FILE`: images in
//! parts (`WIRE.md` section 9), with a progress bar on stderr.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use indicatif::{ProgressBar, ProgressStyle};
use miricat_shared::packet::file::{MAX_IMAGE_PART_BYTES, sniff_image_type};
use miricat_shared::packet::message::CreateImageMessage;
use miricat_shared::packet::{Body, RoomId};
use serde_json::json;

use crate::CliError;
use crate::connection::Connection;
use crate::escape::escape_inline;
use crate::output::{Format, describe, json_line};

fn progress_bar(total: u64, format: Format) -> ProgressBar {
    if format == Format::Json {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) =
        ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Uploads `file` and posts it to `room`.
pub async fn upload(
    connection: &mut Connection,
    file: &Path,
    room: RoomId,
    format: Format,
) -> Result<(), CliError> {
    let bytes = tokio::fs::read(file)
        .await
        .map_err(|source| CliError::File {
            path: file.display().to_string(),
            source,
        })?;
    let mime = sniff_image_type(&bytes).ok_or_else(|| {
        CliError::Usage(format!(
            "{}: not a PNG, JPEG, GIF or WebP image",
            file.display()
        ))
    })?;
    let name = file
        .file_name()
        .map_or_else(|| "image".to_owned(), |n| n.to_string_lossy().into_owned());
    super::join(connection, room).await?;

    let size = bytes.len() as u64;
    let accepted = connection
        .call(|s| s.request_image_upload(&name, size, mime))
        .await?;
    let image_id = match accepted.body {
        Body::ImageUploadAccepted(meta) => meta.id,
        Body::ImageUploadRejected => {
            return Err(CliError::Server(miricat_shared::packet::ErrorPacket::new(
                miricat_shared::ErrorKind::PacketDataIncorrect,
                format!("upload rejected (too large or not an allowed type: {mime}, {size} bytes)"),
            )));
        }
        other => {
            return Err(CliError::Unexpected(format!(
                "{} to an upload request",
                other.kind()
            )));
        }
    };
    let bar = progress_bar(size, format);
    bar.set_message("uploading");
    for (index, chunk) in bytes.chunks(MAX_IMAGE_PART_BYTES).enumerate() {
        let part =
            u32::try_from(index + 1).map_err(|_| CliError::Usage("image too large".into()))?;
        let data = BASE64.encode(chunk);
        connection
            .send(|s| s.upload_image_part(&image_id, part, data))
            .await?;
        bar.inc(chunk.len() as u64);
    }
    connection
        .call(|s| s.complete_image_upload(&image_id))
        .await?;
    bar.finish_and_clear();
    let echo = connection
        .call(|s| s.send_image(room, CreateImageMessage::uploaded(&image_id)))
        .await?;
    match format {
        Format::Text => {
            println!(
                "uploaded {} as mcp_image://{}",
                file.display(),
                escape_inline(&image_id)
            );
            if let Some(line) = describe(&echo, format) {
                println!("{line}");
            }
        }
        Format::Json => println!(
            "{}",
            json_line(&json!({"event": "uploaded", "image": image_id, "room": room, "size": size}))
        ),
    }
    Ok(())
}

/// Downloads image `image_id` into `output`.
pub async fn download(
    connection: &mut Connection,
    image_id: &str,
    output: &Path,
    format: Format,
) -> Result<(), CliError> {
    let image_id = image_id
        .strip_prefix(miricat_shared::packet::message::MCP_IMAGE_SCHEME)
        .unwrap_or(image_id);
    let mut data = Vec::new();
    let mut expected: Option<u64> = None;
    let bar = progress_bar(0, format);
    bar.set_message("downloading");
    let mut part_error = None;
    connection
        .call_with(
            |s| s.request_image_download(image_id),
            |packet| {
                match packet.body {
                    Body::ImageDownloadMeta(meta) => {
                        bar.set_length(meta.size);
                        expected = Some(meta.size);
                    }
                    Body::ImageDownloadPart(part) => match BASE64.decode(part.data.as_bytes()) {
                        Ok(bytes) => {
                            bar.inc(bytes.len() as u64);
                            data.extend_from_slice(&bytes);
                        }
                        Err(e) => {
                            part_error = Some(format!("part {} is not base64: {e}", part.part))
                        }
                    },
                    other => {
                        part_error = Some(format!("unexpected {} during a download", other.kind()))
                    }
                }
                Ok(())
            },
        )
        .await?;
    bar.finish_and_clear();
    if let Some(problem) = part_error {
        return Err(CliError::Unexpected(problem));
    }
    if expected != Some(data.len() as u64) {
        return Err(CliError::Unexpected(format!(
            "received {} bytes, the server announced {expected:?}",
            data.len()
        )));
    }
    tokio::fs::write(output, &data)
        .await
        .map_err(|source| CliError::File {
            path: output.display().to_string(),
            source,
        })?;
    match format {
        Format::Text => println!("saved {} bytes to {}", data.len(), output.display()),
        Format::Json => println!(
            "{}",
            json!({"event": "downloaded", "image": image_id, "size": data.len(), "path": output})
        ),
    }
    Ok(())
}
