//! Uploads and downloads against the in-memory server.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use miricat_shared::packet::file::{ImageMeta, ImageRef, MAX_IMAGE_PART_BYTES};
use miricat_shared::packet::message::ImageMessage;

use super::*;
use crate::client::images::MAX_UPLOAD_BYTES;
use crate::state::UploadStage;

/// A "PNG": the signature, then filler. Enough for type sniffing.
pub(super) fn png(len: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..len - 8).map(|i| (i % 251) as u8));
    bytes
}

fn joined_client() -> (ChatClient, Server) {
    let (mut client, server, _) = online(false);
    join(&mut client, &server, 1);
    (client, server)
}

fn errors(effects: &[Effect]) -> Vec<String> {
    actions(effects)
        .into_iter()
        .filter_map(|a| match a {
            Action::Error(text) => Some(text),
            _ => None,
        })
        .collect()
}

/// Sends every part (as the connection's pump would) and returns the packets.
fn pump(client: &mut ChatClient, server: &Server) -> Vec<Packet> {
    let mut packets = Vec::new();
    while client.upload_has_parts() {
        packets.extend(
            sent(&client.next_upload_part())
                .iter()
                .map(|l| server.read(l)),
        );
    }
    packets
}

#[test]
fn an_upload_goes_out_in_parts_then_posts_the_image() {
    let (mut client, server) = joined_client();
    let bytes = png(2 * MAX_IMAGE_PART_BYTES + 1000);
    let effects = client.start_upload(1, "cat.png", bytes.clone());
    let request = server.read(&sent(&effects)[0]);
    let Body::RequestImageUpload(ask) = &request.body else {
        panic!("{request:?}")
    };
    assert_eq!(
        (ask.name.as_str(), ask.size, ask.mime.as_str()),
        ("cat.png", bytes.len() as u64, "image/png")
    );
    assert!(
        !client.upload_has_parts(),
        "no parts before the server accepts"
    );

    let accept = Body::ImageUploadAccepted(ImageMeta {
        id: "7".into(),
        name: "cat.png".into(),
        size: bytes.len() as u64,
        mime: "image/png".into(),
    });
    let effects = client.on_line(&server.reply(&request, accept), 10);
    assert!(effects.contains(&Effect::PumpUpload));

    let packets = pump(&mut client, &server);
    let (parts, rest) = packets.split_at(3);
    let mut received = Vec::new();
    for (number, part) in (1..).zip(parts) {
        let Body::ImageUploadPart(part) = &part.body else {
            panic!("{part:?}")
        };
        assert_eq!((part.id.as_str(), part.part), ("7", number));
        received.extend(BASE64.decode(&part.data).unwrap());
    }
    assert_eq!(received, bytes, "the parts carry the file exactly");
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].kind(), PacketKind::ImageUploadCompleted);

    let effects = client.on_line(
        &server.reply(
            &rest[0],
            Body::ImageUploadCompleted(ImageRef { id: "7".into() }),
        ),
        11,
    );
    assert!(effects.contains(&Effect::ShowImage(ImageBytes {
        id: "7".into(),
        mime: "image/png".into(),
        bytes,
    })));
    let post = server.read(&sent(&effects)[0]);
    assert_eq!(post.room, Some(1));
    let Body::CreateImageMessage(image) = &post.body else {
        panic!("{post:?}")
    };
    assert_eq!(image.image.as_deref(), Some("mcp_image://7"));

    let posted = Body::ImageMessage(ImageMessage {
        image: "mcp_image://7".into(),
        user: "alice".into(),
        time: Timestamp(99),
        message_id: None,
    });
    let effects = client.on_line(&server.reply(&post, posted), 12);
    let actions = actions(&effects);
    assert!(actions.contains(&Action::Upload(None)));
    assert!(actions.contains(&Action::Message {
        room: 1,
        sender: "alice".into(),
        content: Content::Image("mcp_image://7".into()),
        time_ms: 99,
        message_id: None,
    }));
    assert!(
        client.load_image("7", DownloadAsk::Clicked).is_empty(),
        "our own image needs no download"
    );
}

#[test]
fn uploads_refuse_what_cannot_be_sent() {
    let (mut client, server) = joined_client();
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec();
    assert!(errors(&client.start_upload(1, "x.svg", svg))[0].contains("not a PNG"));
    assert!(errors(&client.start_upload(2, "a.png", png(100)))[0].contains("Join the room"));
    assert!(
        errors(&client.start_upload(1, "big.png", png(MAX_UPLOAD_BYTES + 1)))[0].contains("MiB")
    );

    let effects = client.start_upload(1, "a.png", png(100));
    assert!(errors(&client.start_upload(1, "b.png", png(100)))[0].contains("still uploading"));
    let request = server.read(&sent(&effects)[0]);
    let effects = client.on_line(&server.reply(&request, Body::ImageUploadRejected), 5);
    assert!(actions(&effects).contains(&Action::Upload(None)));
    assert!(errors(&effects)[0].contains("refused"));
}

#[test]
fn a_cancelled_upload_sends_no_more_parts() {
    let (mut client, server) = joined_client();
    let bytes = png(3 * MAX_IMAGE_PART_BYTES);
    let effects = client.start_upload(1, "cat.png", bytes.clone());
    let request = server.read(&sent(&effects)[0]);
    let accept = Body::ImageUploadAccepted(ImageMeta {
        id: "3".into(),
        name: "cat.png".into(),
        size: bytes.len() as u64,
        mime: "image/png".into(),
    });
    client.on_line(&server.reply(&request, accept), 1);
    assert_eq!(sent(&client.next_upload_part()).len(), 1);
    assert!(matches!(
        actions(&client.cancel_upload())[..],
        [Action::Upload(None)]
    ));
    assert!(!client.upload_has_parts());
    assert!(client.next_upload_part().is_empty());
}

#[test]
fn a_dropped_connection_fails_the_upload() {
    let (mut client, server) = joined_client();
    let effects = client.start_upload(1, "cat.png", png(500));
    server.read(&sent(&effects)[0]);
    let effects = client.on_close(1006, "", 0, 0.0);
    assert!(actions(&effects).contains(&Action::Upload(None)));
    assert!(errors(&effects)[0].contains("connection dropped"));
}

#[test]
fn image_urls_must_be_web_addresses() {
    let (mut client, server) = joined_client();
    for bad in [
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
        "https://",
        "ftp://x/y.png",
        "https://a b/c.png",
    ] {
        assert!(!errors(&client.post_image_url(1, bad)).is_empty(), "{bad}");
    }
    let effects = client.post_image_url(1, " https://example.org/cat.png ");
    let post = server.read(&sent(&effects)[0]);
    let Body::CreateImageMessage(image) = &post.body else {
        panic!("{post:?}")
    };
    assert_eq!(image.url.as_deref(), Some("https://example.org/cat.png"));
    assert_eq!(post.room, Some(1));
}

#[test]
fn upload_progress_reaches_the_view() {
    let (mut client, server) = joined_client();
    let bytes = png(MAX_IMAGE_PART_BYTES * 2);
    let effects = client.start_upload(1, "cat.png", bytes.clone());
    let request = server.read(&sent(&effects)[0]);
    let accept = Body::ImageUploadAccepted(ImageMeta {
        id: "5".into(),
        name: "cat.png".into(),
        size: bytes.len() as u64,
        mime: "image/png".into(),
    });
    client.on_line(&server.reply(&request, accept), 1);
    let views: Vec<(u64, UploadStage)> = [client.next_upload_part(), client.next_upload_part()]
        .iter()
        .flat_map(|effects| actions(effects))
        .filter_map(|a| match a {
            Action::Upload(Some(view)) => Some((view.sent, view.stage)),
            _ => None,
        })
        .collect();
    let half = MAX_IMAGE_PART_BYTES as u64;
    assert_eq!(
        views,
        [
            (half, UploadStage::Sending),
            (2 * half, UploadStage::Posting)
        ]
    );
}

fn accept(server: &Server, request: &Packet, id: &str, size: usize) -> String {
    let meta = ImageMeta {
        id: id.into(),
        name: "x.png".into(),
        size: size as u64,
        mime: "image/png".into(),
    };
    server.reply(request, Body::ImageUploadAccepted(meta))
}

#[test]
fn a_refused_image_address_is_explained_and_leaves_the_upload_alone() {
    let (mut client, server) = joined_client();
    let effects = client.start_upload(1, "cat.png", png(100));
    server.read(&sent(&effects)[0]);
    let effects = client.post_image_url(1, "https://example.org/a.png");
    let post = server.read(&sent(&effects)[0]);
    let refusal = Body::Error(ErrorPacket::new(ErrorKind::AccessDenied, "no"));
    let effects = client.on_line(&server.reply(&post, refusal), 3);
    assert!(errors(&effects)[0].starts_with("Could not post the image"));
    assert!(
        !actions(&effects).contains(&Action::Upload(None)),
        "the upload goes on"
    );
}

#[test]
fn a_late_reply_for_a_cancelled_upload_does_not_reach_the_next_one() {
    let (mut client, server) = joined_client();
    let first = server.read(&sent(&client.start_upload(1, "a.png", png(100)))[0]);
    client.cancel_upload();
    let second = server.read(&sent(&client.start_upload(1, "b.png", png(200)))[0]);
    let effects = client.on_line(&accept(&server, &first, "1", 100), 3);
    assert!(!effects.contains(&Effect::PumpUpload));
    assert!(!client.upload_has_parts(), "b still waits for its own slot");
    client.on_line(&accept(&server, &second, "2", 200), 4);
    let parts = pump(&mut client, &server);
    let Body::ImageUploadPart(part) = &parts[0].body else {
        panic!("{parts:?}")
    };
    assert_eq!(part.id, "2");
}

#[test]
fn an_error_about_a_part_stops_the_upload_at_once() {
    let (mut client, server) = joined_client();
    let bytes = png(3 * MAX_IMAGE_PART_BYTES);
    let request = server.read(&sent(&client.start_upload(1, "cat.png", bytes.clone()))[0]);
    client.on_line(&accept(&server, &request, "4", bytes.len()), 1);
    let part = server.read(&sent(&client.next_upload_part())[0]);
    let refusal = Body::Error(ErrorPacket::new(ErrorKind::PacketDataIncorrect, "bad part"));
    let effects = client.on_line(&server.reply(&part, refusal), 2);
    assert!(actions(&effects).contains(&Action::Upload(None)));
    assert!(errors(&effects)[0].contains("was not sent"));
    assert!(!client.upload_has_parts());
}
