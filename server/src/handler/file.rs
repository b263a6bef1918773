//! `File.*`: uploading images in parts and downloading them in parts (`WIRE.md`
//! section 9). Every failure after the upload request is `Error.PacketDataIncorrect`
//! with the request's ID; an upload that fails a step stays as it was, except when
//! the disk's free space falls under its floor ([`crate::image_quota`]): the part is
//! answered with `File.ImageUploadRejected` and the upload is abandoned.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use miricat_shared::packet::file::{
    ImageMeta, ImagePart, ImageRef, ImageUploadRequest, MAX_IMAGE_PART_BYTES, is_allowed_image_type,
};
use miricat_shared::{Body, ErrorKind, Packet, PacketId};
use tokio::io::AsyncReadExt;

use super::internal_error;
use crate::connection::Conn;
use crate::image_quota::QuotaError;
use crate::images::{MAX_UPLOADS_PER_CONNECTION, UploadError, is_image_id};
use crate::random::random_id;
use crate::store::images::StoredImage;

/// Longest accepted file name, in bytes.
const MAX_FILE_NAME_BYTES: usize = 255;

async fn incorrect(conn: &mut Conn, id: &PacketId, message: &str) {
    conn.error(id, ErrorKind::PacketDataIncorrect, message)
        .await;
}

/// Logs why the storage bounds refused an upload (sizes only, never names).
fn log_refusal(error: &QuotaError) {
    match error {
        QuotaError::UserQuota { .. } => tracing::info!(reason = %error, "image upload refused"),
        QuotaError::TotalCap { .. } | QuotaError::LowDisk { .. } => {
            tracing::warn!(reason = %error, "image upload refused")
        }
        QuotaError::DiskUnknown(_) => tracing::error!(reason = %error, "image upload refused"),
    }
}

/// `File.RequestImageUpload`: accepted, or rejected for size, type, too many
/// uploads at once, the uploader's quota, the total cap or the free-disk floor.
pub async fn request_upload(conn: &mut Conn, id: PacketId, request: ImageUploadRequest) {
    let shared = conn.shared.clone();
    let acceptable = request.size > 0
        && request.size <= shared.config.max_image_bytes
        && is_allowed_image_type(&request.mime)
        && request.name.len() <= MAX_FILE_NAME_BYTES
        && conn.uploads.len() < MAX_UPLOADS_PER_CONNECTION;
    if !acceptable {
        conn.send(Packet::new(id, Body::ImageUploadRejected)).await;
        return;
    }
    let uploader = conn.user.as_deref().unwrap_or_default().to_owned();
    let reserved = shared
        .image_quota
        .reserve(&uploader, request.size)
        .and_then(|reservation| {
            shared
                .image_quota
                .check_disk(shared.images.dir(), request.size)
                .map(|()| reservation)
        });
    let reservation = match reserved {
        Ok(reservation) => reservation,
        Err(e) => {
            log_refusal(&e);
            conn.send(Packet::new(id, Body::ImageUploadRejected)).await;
            return;
        }
    };
    let image_id = match random_id() {
        Ok(image_id) => image_id,
        Err(e) => return internal_error(conn, &id, &e).await,
    };
    let meta = StoredImage {
        id: image_id.clone(),
        name: request.name,
        size: request.size,
        mime: request.mime.trim().to_ascii_lowercase(),
    };
    let upload = match shared.images.begin(meta.clone(), reservation).await {
        Ok(upload) => upload,
        Err(e) => return internal_error(conn, &id, &e).await,
    };
    conn.uploads.insert(image_id, upload);
    conn.send(Packet::new(id, Body::ImageUploadAccepted(to_meta(meta))))
        .await;
}

/// `File.ImageUploadPart`: no reply unless something is wrong.
pub async fn upload_part(conn: &mut Conn, id: PacketId, part: ImagePart) {
    let shared = conn.shared.clone();
    let Ok(bytes) = BASE64.decode(part.data.trim()) else {
        return incorrect(conn, &id, "part data is not base64").await;
    };
    if bytes.len() > MAX_IMAGE_PART_BYTES {
        return incorrect(conn, &id, "part larger than 48 KiB").await;
    }
    if !conn.uploads.contains_key(&part.id) {
        return incorrect(conn, &id, "no such upload").await;
    }
    if let Err(e) = shared
        .image_quota
        .check_disk(shared.images.dir(), bytes.len() as u64)
    {
        // The disk filled since the upload was accepted: give up on it (its part
        // file and its reservation go with it) rather than write past the floor.
        log_refusal(&e);
        conn.uploads.remove(&part.id);
        conn.send(Packet::new(id, Body::ImageUploadRejected)).await;
        return;
    }
    let Some(upload) = conn.uploads.get_mut(&part.id) else {
        return incorrect(conn, &id, "no such upload").await;
    };
    if let Err(e) = upload.write_part(part.part, &bytes).await {
        if let UploadError::Io(e) = &e {
            tracing::error!(error = %e, "writing an upload part failed");
        }
        incorrect(conn, &id, &e.to_string()).await;
    }
}

/// `File.ImageUploadCompleted`: answered once every announced byte arrived.
pub async fn complete_upload(conn: &mut Conn, id: PacketId, image: ImageRef) {
    let shared = conn.shared.clone();
    let Some(upload) = conn.uploads.get_mut(&image.id) else {
        return incorrect(conn, &id, "no such upload").await;
    };
    if let Err(e) = upload.finish(&shared.images).await {
        return incorrect(conn, &id, &e.to_string()).await;
    }
    let Some(mut upload) = conn.uploads.remove(&image.id) else {
        return;
    };
    let uploader = conn.user.as_deref().unwrap_or_default().to_owned();
    if let Err(e) = shared
        .store
        .insert_image(upload.meta.clone(), &uploader)
        .await
    {
        shared.images.remove(&image.id).await;
        return internal_error(conn, &id, &e).await;
    }
    upload.keep_storage();
    tracing::info!(size = upload.meta.size, "image uploaded");
    conn.send(Packet::new(id, Body::ImageUploadCompleted(image)))
        .await;
}

/// `File.RequestImageDownload`: meta, the parts, then completion, all with the
/// request's ID.
pub async fn download(conn: &mut Conn, id: PacketId, image: ImageRef) {
    let shared = conn.shared.clone();
    if !is_image_id(&image.id) {
        return incorrect(conn, &id, "no such image").await;
    }
    let meta = match shared.store.image(&image.id).await {
        Ok(Some(meta)) => meta,
        Ok(None) => return incorrect(conn, &id, "no such image").await,
        Err(e) => return internal_error(conn, &id, &e).await,
    };
    let mut file = match tokio::fs::File::open(shared.images.path(&meta.id)).await {
        Ok(file) => file,
        Err(e) => return internal_error(conn, &id, &e).await,
    };
    if !conn
        .send(Packet::new(
            id.clone(),
            Body::ImageDownloadMeta(to_meta(meta.clone())),
        ))
        .await
    {
        return;
    }
    let mut buf = vec![0u8; MAX_IMAGE_PART_BYTES];
    let mut part = 0u32;
    loop {
        let mut filled = 0;
        while filled < buf.len() {
            match file.read(&mut buf[filled..]).await {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) => return internal_error(conn, &id, &e).await,
            }
        }
        if filled == 0 {
            break;
        }
        part += 1;
        let packet = Packet::new(
            id.clone(),
            Body::ImageDownloadPart(ImagePart {
                id: meta.id.clone(),
                part,
                data: BASE64.encode(&buf[..filled]),
            }),
        );
        if !conn.send(packet).await {
            return;
        }
    }
    conn.send(Packet::new(
        id,
        Body::ImageDownloadCompleted(ImageRef { id: meta.id }),
    ))
    .await;
}

fn to_meta(image: StoredImage) -> ImageMeta {
    ImageMeta {
        id: image.id,
        name: image.name,
        size: image.size,
        mime: image.mime,
    }
}
