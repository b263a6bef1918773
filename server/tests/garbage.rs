//! A barrage of malformed requests (correctly encrypted, so they reach every
//! handler) and raw garbage: the server answers or ignores each, never dies, and
//! other sessions carry on.

mod common;

use common::*;
use miricat_shared::Body;

/// Every request type with data shapes it should not get.
fn malformed_requests() -> Vec<String> {
    let types = [
        "Authentication.Login",
        "Authentication.Register",
        "Message.CreateTextMessage",
        "Message.CreateImageMessage",
        "File.RequestImageUpload",
        "File.ImageUploadPart",
        "File.ImageUploadCompleted",
        "File.RequestImageDownload",
        "User.Create",
        "User.Delete",
        "Room.Create",
        "Room.Join",
        "Room.Leave",
        "Room.Delete",
        "Room.Update",
        "Room.RequireList",
        "Heartbeat.Ping",
        "Handshake.Handshake",
    ];
    let datas = [
        "null",
        "1",
        "\"x\"",
        "[]",
        "{}",
        r#"{"room":-1,"name":5}"#,
        r#"{"room":18446744073709551615,"name":"big"}"#,
        r#"{"room":1e300}"#,
        r#"{"id":"../../etc/passwd","part":0,"data":"AAAA"}"#,
        r#"{"id":"0123456789abcdef0123456789abcdef","part":4294967295,"data":""}"#,
        r#"{"name":"a.png","size":18446744073709551615,"type":"image/png"}"#,
        r#"{"name":"a.png","size":-5,"type":"image/png"}"#,
        r#"{"username":"","password":""}"#,
        r#"{"username":"\u0000","password":"x"}"#,
        r#"{"text":"\ud800"}"#,
        r#"{"image":"mcp_image://","url":"https://"}"#,
        r#"{"image":"mcp_image://../x"}"#,
        r#"{"url":"http://a b"}"#,
        r#"{"version":"2.1.0","publicKey":"00"}"#,
        r#"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"#,
    ];
    let rooms = [
        "",
        r#","room":1"#,
        r#","room":"1""#,
        r#","room":null"#,
        r#","room":-3"#,
    ];
    let mut out = Vec::new();
    for (i, t) in types.iter().enumerate() {
        for (j, d) in datas.iter().enumerate() {
            let room = rooms[(i + j) % rooms.len()];
            out.push(format!(r#"{{"type":"{t}.g{i}x{j}","data":{d}{room}}}"#));
        }
        out.push(format!(r#"{{"type":"{t}"}}"#));
        out.push(format!(r#"{{"type":"{t}.","data":{{}}}}"#));
    }
    out
}

#[tokio::test]
async fn malformed_requests_never_hurt_the_server() {
    let server = TestServer::start().await;
    let mut bystander = server.user("bystander").await;
    for signed_in in [false, true] {
        let mut c = server.client().await;
        if signed_in {
            c.login_ok("root", ROOT_PASSWORD).await;
        }
        for json in malformed_requests() {
            c.send_json(&json).await;
        }
        // Raw garbage too, including a lone carriage return and NUL bytes.
        c.send_bytes(b"\r\n\0\0\0\n====\n{\n}}}\n\x7f\x00\xc3\n")
            .await;
        // The session still answers in order after all of that.
        let p = if signed_in {
            c.ask(|s| s.require_room_list()).await
        } else {
            c.ask(|s| s.create_room("x")).await
        };
        // Root is still signed in (and still root); the other is still not signed
        // in: nothing in the barrage signed it in or registered an account.
        if signed_in {
            assert!(matches!(p.body, Body::RoomList(_)), "{p:?}");
        } else {
            assert_eq!(error_kind(&p), "AccessDenied");
            let Body::Error(e) = &p.body else {
                unreachable!()
            };
            assert_eq!(e.message, "sign in first", "{p:?}");
        }
    }
    let p = bystander.ask(|s| s.require_room_list()).await;
    assert!(matches!(p.body, Body::RoomList(_)));
}
