//! Downloads of `mcp_image://` images against the in-memory server, and the media
//! policy: automatic only up to a size, larger ones on click, freed ones again.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use miricat_shared::packet::file::{ImageMeta, ImagePart, ImageRef, MAX_IMAGE_PART_BYTES};

use super::images::png;
use super::*;
use crate::client::DownloadAsk::{Automatic, Clicked};
use crate::client::downloads::{AUTO_DOWNLOAD_BYTES, MAX_DOWNLOAD_BYTES};
use crate::state::ImageView;

/// Serves a download of `bytes` announced as `meta_size` bytes of `mime`.
fn serve_download(
    client: &mut ChatClient,
    server: &Server,
    request: &Packet,
    bytes: &[u8],
    meta_size: u64,
    mime: &str,
) -> Vec<Effect> {
    let meta = Body::ImageDownloadMeta(ImageMeta {
        id: "9".into(),
        name: "dog.png".into(),
        size: meta_size,
        mime: mime.into(),
    });
    let mut effects = client.on_line(&server.reply(request, meta), 1);
    for (number, chunk) in (1..).zip(bytes.chunks(MAX_IMAGE_PART_BYTES)) {
        let part = Body::ImageDownloadPart(ImagePart {
            id: "9".into(),
            part: number,
            data: BASE64.encode(chunk),
        });
        effects.extend(client.on_line(&server.reply(request, part), 2));
    }
    let done = Body::ImageDownloadCompleted(ImageRef { id: "9".into() });
    effects.extend(client.on_line(&server.reply(request, done), 3));
    effects
}

#[test]
fn a_download_arrives_in_parts_with_progress_once() {
    let (mut client, server, _) = online(false);
    let effects = client.load_image("9", Automatic);
    let request = server.read(&sent(&effects)[0]);
    assert_eq!(request.kind(), PacketKind::RequestImageDownload);
    assert!(
        client.load_image("9", Automatic).is_empty(),
        "requested once"
    );

    let bytes = png(MAX_IMAGE_PART_BYTES + 10);
    let effects = serve_download(
        &mut client,
        &server,
        &request,
        &bytes,
        bytes.len() as u64,
        "image/png",
    );
    let progress: Vec<u64> = actions(&effects)
        .into_iter()
        .filter_map(|a| match a {
            Action::Image {
                view: ImageView::Loading { received, .. },
                ..
            } => Some(received),
            _ => None,
        })
        .collect();
    assert_eq!(
        progress,
        [0, MAX_IMAGE_PART_BYTES as u64, bytes.len() as u64]
    );
    assert!(effects.contains(&Effect::ShowImage(ImageBytes {
        id: "9".into(),
        mime: "image/png".into(),
        bytes,
    })));
}

#[test]
fn a_download_that_does_not_match_its_announcement_is_not_shown() {
    for (announced, mime, why) in [
        (100, "image/png", "incomplete"),
        (50, "image/png", "more than it announced"),
        (80, "image/jpeg", "not the picture type announced"),
        (80, "image/svg+xml", "not a picture"),
    ] {
        let (mut client, server, _) = online(false);
        let effects = client.load_image("9", Automatic);
        let request = server.read(&sent(&effects)[0]);
        let effects = serve_download(&mut client, &server, &request, &png(80), announced, mime);
        assert!(
            !effects.iter().any(|e| matches!(e, Effect::ShowImage(_))),
            "{why}"
        );
        assert!(
            actions(&effects).iter().any(|a| matches!(a,
                Action::Image { view: ImageView::Failed(text), .. } if text.contains(why))),
            "{why}: {effects:?}"
        );
    }
}

#[test]
fn downloads_cut_by_a_reconnect_start_over() {
    let (mut client, server, _) = online(false);
    let effects = client.load_image("9", Automatic);
    server.read(&sent(&effects)[0]);
    client.on_close(1006, "", 0, 0.0);
    assert!(client.reconnect_now().contains(&Effect::Open));
    let (server, login) = connect(&mut client);
    let effects = client.on_line(&server.reply(&login, accepted(&[(1, "general")])), 20);
    let again: Vec<PacketKind> = sent(&effects)
        .iter()
        .map(|l| server.read(l).kind())
        .collect();
    assert_eq!(again, [PacketKind::RequestImageDownload]);
}

#[test]
fn at_most_four_downloads_run_at_once() {
    let (mut client, server, _) = online(false);
    let requests: Vec<Packet> = (1..=6)
        .flat_map(|i| sent(&client.load_image(&i.to_string(), Automatic)))
        .map(|line| server.read(&line))
        .collect();
    assert_eq!(requests.len(), 4, "two wait their turn");
    let bytes = png(100);
    let effects = serve_download(&mut client, &server, &requests[0], &bytes, 100, "image/png");
    let next: Vec<Packet> = sent(&effects).iter().map(|l| server.read(l)).collect();
    assert_eq!(next.len(), 1, "a finished download lets the next start");
    let Body::RequestImageDownload(r) = &next[0].body else {
        panic!("{next:?}")
    };
    assert_eq!(r.id, "5");
}

#[test]
fn the_first_reason_a_download_failed_is_the_one_shown() {
    let (mut client, server, _) = online(false);
    let request = server.read(&sent(&client.load_image("9", Automatic))[0]);
    let effects = serve_download(&mut client, &server, &request, &png(80), 50, "image/png");
    let failures: Vec<String> = actions(&effects)
        .into_iter()
        .filter_map(|a| match a {
            Action::Image {
                view: ImageView::Failed(why),
                ..
            } => Some(why),
            _ => None,
        })
        .collect();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0].contains("more than it announced"));
}

#[test]
fn a_forgotten_image_downloads_again_when_shown_again() {
    let (mut client, server, _) = online(false);
    let request = server.read(&sent(&client.load_image("9", Automatic))[0]);
    let bytes = png(100);
    serve_download(&mut client, &server, &request, &bytes, 100, "image/png");
    assert!(
        client.load_image("9", Automatic).is_empty(),
        "shown: not asked again"
    );
    assert_eq!(client.forget_image("9"), ImageView::Freed);
    let again: Vec<PacketKind> = sent(&client.load_image("9", Automatic))
        .iter()
        .map(|l| server.read(l).kind())
        .collect();
    assert_eq!(again, [PacketKind::RequestImageDownload]);
}

/// The image views among `effects`.
fn views(effects: &[Effect]) -> Vec<ImageView> {
    actions(effects)
        .into_iter()
        .filter_map(|a| match a {
            Action::Image { view, .. } => Some(view),
            _ => None,
        })
        .collect()
}

/// `File.ImageDownloadMeta` of a PNG of `size` bytes, image `id`.
fn meta_of(id: &str, size: u64) -> Body {
    Body::ImageDownloadMeta(ImageMeta {
        id: id.into(),
        name: "big.png".into(),
        size,
        mime: "image/png".into(),
    })
}

/// [`meta_of`] image 9, the one most tests download.
fn meta(size: u64) -> Body {
    meta_of("9", size)
}

/// Every part of `bytes` as replies to `request`.
fn parts(server: &Server, request: &Packet, bytes: &[u8]) -> Vec<String> {
    (1..)
        .zip(bytes.chunks(MAX_IMAGE_PART_BYTES))
        .map(|(number, chunk)| {
            let part = Body::ImageDownloadPart(ImagePart {
                id: "9".into(),
                part: number,
                data: BASE64.encode(chunk),
            });
            server.reply(request, part)
        })
        .collect()
}

#[test]
fn an_image_over_the_automatic_size_is_offered_and_its_parts_dropped_unread() {
    let (mut client, server, _) = online(false);
    let request = server.read(&sent(&client.load_image("9", Automatic))[0]);
    let size = AUTO_DOWNLOAD_BYTES + 1;
    let effects = client.on_line(&server.reply(&request, meta(size)), 1);
    assert_eq!(views(&effects), [ImageView::Offered { size }]);
    // The server sends the rest anyway: nothing is decoded, kept, shown or logged
    // per part (a damaged part would otherwise fail it).
    let mut rest = vec![server.reply(
        &request,
        Body::ImageDownloadPart(ImagePart {
            id: "9".into(),
            part: 1,
            data: "not base64!".into(),
        }),
    )];
    rest.extend(parts(&server, &request, &png(3 * MAX_IMAGE_PART_BYTES)));
    for line in &rest {
        assert_eq!(client.on_line(line, 2), [], "a dropped part did something");
    }
    let done = Body::ImageDownloadCompleted(ImageRef { id: "9".into() });
    let effects = client.on_line(&server.reply(&request, done), 3);
    assert!(matches!(&effects[..], [Effect::Log(_)]), "{effects:?}");
    assert!(
        client.load_image("9", Automatic).is_empty(),
        "its size is known: not asked again by itself"
    );
}

#[test]
fn a_click_downloads_an_offered_image_and_old_parts_stay_out_of_it() {
    let (mut client, server, _) = online(false);
    let first = server.read(&sent(&client.load_image("9", Automatic))[0]);
    let bytes = png(AUTO_DOWNLOAD_BYTES as usize + 1000);
    let size = bytes.len() as u64;
    client.on_line(&server.reply(&first, meta(size)), 1);

    let effects = client.load_image("9", Clicked);
    assert_eq!(
        views(&effects),
        [ImageView::Loading {
            received: 0,
            total: Some(size)
        }],
        "the known size shows at once"
    );
    let second = server.read(&sent(&effects)[0]);
    assert_eq!(second.kind(), PacketKind::RequestImageDownload);
    // The first request's parts are still arriving, interleaved with the second's.
    let mut effects = client.on_line(&server.reply(&second, meta(size)), 2);
    for (old, new) in parts(&server, &first, &bytes)
        .iter()
        .zip(parts(&server, &second, &bytes))
    {
        effects.extend(client.on_line(old, 3));
        effects.extend(client.on_line(&new, 3));
    }
    let done = Body::ImageDownloadCompleted(ImageRef { id: "9".into() });
    effects.extend(client.on_line(&server.reply(&second, done), 4));
    assert!(effects.contains(&Effect::ShowImage(ImageBytes {
        id: "9".into(),
        mime: "image/png".into(),
        bytes,
    })));
    // Shown, then freed: offered again, with its size, never downloaded by itself.
    assert_eq!(client.forget_image("9"), ImageView::Offered { size });
    assert!(client.load_image("9", Automatic).is_empty());
}

#[test]
fn the_automatic_limit_is_inclusive_and_a_click_stops_at_the_hard_limit() {
    let (mut client, server, _) = online(false);
    let request = server.read(&sent(&client.load_image("9", Automatic))[0]);
    let effects = client.on_line(&server.reply(&request, meta(AUTO_DOWNLOAD_BYTES)), 1);
    assert_eq!(
        views(&effects),
        [ImageView::Loading {
            received: 0,
            total: Some(AUTO_DOWNLOAD_BYTES)
        }]
    );

    let (mut client, server, _) = online(false);
    let request = server.read(&sent(&client.load_image("9", Clicked))[0]);
    let effects = client.on_line(&server.reply(&request, meta(MAX_DOWNLOAD_BYTES + 1)), 1);
    assert!(
        matches!(&views(&effects)[..], [ImageView::Failed(why)] if why.contains("too big")),
        "{effects:?}"
    );
}

#[test]
fn an_offered_image_frees_its_download_slot() {
    let (mut client, server, _) = online(false);
    let requests: Vec<Packet> = (1..=5)
        .flat_map(|i| sent(&client.load_image(&i.to_string(), Automatic)))
        .map(|line| server.read(&line))
        .collect();
    assert_eq!(requests.len(), 4);
    let big = meta_of("1", AUTO_DOWNLOAD_BYTES * 2);
    let effects = client.on_line(&server.reply(&requests[0], big), 1);
    let next: Vec<Packet> = sent(&effects).iter().map(|l| server.read(l)).collect();
    let [
        Packet {
            body: Body::RequestImageDownload(r),
            ..
        },
    ] = &next[..]
    else {
        panic!("{next:?}")
    };
    assert_eq!(r.id, "5");
}

#[test]
fn a_click_on_a_waiting_image_lets_it_be_large() {
    let (mut client, server, _) = online(false);
    let requests: Vec<Packet> = (1..=5)
        .flat_map(|i| sent(&client.load_image(&i.to_string(), Automatic)))
        .map(|line| server.read(&line))
        .collect();
    assert!(
        client.load_image("5", Clicked).is_empty(),
        "still one request"
    );
    let failed = Body::Error(ErrorPacket::new(
        ErrorKind::PacketDataIncorrect,
        "no such image",
    ));
    let effects = client.on_line(&server.reply(&requests[0], failed), 1);
    let fifth = server.read(&sent(&effects)[0]);
    let big = meta_of("5", AUTO_DOWNLOAD_BYTES * 2);
    let effects = client.on_line(&server.reply(&fifth, big), 2);
    assert!(
        matches!(views(&effects)[..], [ImageView::Loading { .. }]),
        "{effects:?}"
    );
}
