//! Serving the web app: types, compression, cache headers, CSP, and never a byte
//! from outside the directory.

use std::io::Read;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::*;

const WASM_NAME: &str = "miricat-web-0123456789abcdef_bg.wasm";

/// A fake trunk output next to a secret that must never be served.
fn dist() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("secret.txt"), "outside").unwrap();
    let dist = root.path().join("dist");
    std::fs::create_dir(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>miricat</title>",
    )
    .unwrap();
    let wasm: Vec<u8> = b"\0asm\x01\0\0\0"
        .iter()
        .copied()
        .chain((0..20_000).map(|i| (i % 7) as u8))
        .collect();
    std::fs::write(dist.join(WASM_NAME), wasm).unwrap();
    std::fs::write(
        dist.join("index-0123456789abcdef.js"),
        "export default 1;".repeat(100),
    )
    .unwrap();
    std::fs::write(dist.join("style.css"), "body{}").unwrap();
    std::fs::write(dist.join(".env"), "hidden").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.path().join("secret.txt"), dist.join("link.txt")).unwrap();
    root
}

async fn bridge_for(root: &tempfile::TempDir) -> Bridge {
    let upstream = echo_upstream().await;
    let config = miricat_bridge::Config::for_upstream(upstream.to_string())
        .with_static_dir(root.path().join("dist"));
    Bridge::start(quick_close(config)).await
}

#[tokio::test]
async fn index_and_assets_get_their_types_and_headers() {
    let root = dist();
    let bridge = bridge_for(&root).await;

    let index = http_get(bridge.addr, "/", &[]).await;
    assert_eq!(index.status, 200);
    assert_eq!(
        index.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(index.header("Cache-Control"), Some("no-cache"));
    assert_eq!(
        index.header("Content-Security-Policy"),
        Some(miricat_bridge::CONTENT_SECURITY_POLICY)
    );
    assert_eq!(index.header("X-Content-Type-Options"), Some("nosniff"));
    assert_eq!(index.text(), "<!doctype html><title>miricat</title>");

    let wasm = http_get(bridge.addr, &format!("/{WASM_NAME}"), &[]).await;
    assert_eq!(wasm.status, 200);
    assert_eq!(wasm.header("Content-Type"), Some("application/wasm"));
    assert_eq!(
        wasm.header("Content-Encoding"),
        None,
        "no gzip unless asked"
    );
    assert_eq!(
        wasm.header("Cache-Control"),
        Some("public, max-age=31536000, immutable")
    );
    assert!(wasm.body.starts_with(b"\0asm"));

    let css = http_get(bridge.addr, "/style.css", &[]).await;
    assert_eq!(css.header("Content-Type"), Some("text/css; charset=utf-8"));
    assert_eq!(css.header("Cache-Control"), Some("no-cache"));
    bridge.stop().await;
}

#[tokio::test]
async fn wasm_and_js_are_gzipped_for_clients_that_accept_it() {
    let root = dist();
    let bridge = bridge_for(&root).await;
    for path in [
        format!("/{WASM_NAME}"),
        "/index-0123456789abcdef.js".to_owned(),
    ] {
        let plain = http_get(bridge.addr, &path, &[]).await;
        for _ in 0..2 {
            // The second request is served from the cache.
            let gz = http_get(bridge.addr, &path, &["Accept-Encoding: gzip, br"]).await;
            assert_eq!(gz.header("Content-Encoding"), Some("gzip"));
            assert_eq!(gz.header("Vary"), Some("Accept-Encoding"));
            assert!(gz.body.len() < plain.body.len() / 2);
            let mut unpacked = Vec::new();
            flate2::read::GzDecoder::new(&gz.body[..])
                .read_to_end(&mut unpacked)
                .unwrap();
            assert_eq!(unpacked, plain.body);
        }
    }
    bridge.stop().await;
}

#[tokio::test]
async fn nothing_outside_the_directory_or_hidden_is_served() {
    let root = dist();
    let bridge = bridge_for(&root).await;
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/a/%2E%2E/%2e%2e/secret.txt",
        "/.env",
        "/link.txt",
        "/..%2fsecret.txt",
        "/%5c..%5csecret.txt",
        "/missing.js",
    ] {
        let response = http_get(bridge.addr, path, &[]).await;
        assert_eq!(response.status, 404, "{path}");
        assert!(!response.text().contains("outside"), "{path}");
    }
    bridge.stop().await;
}

#[tokio::test]
async fn app_routes_serve_the_index_and_etags_revalidate() {
    let root = dist();
    let bridge = bridge_for(&root).await;
    let route = http_get(bridge.addr, "/rooms/lobby", &[]).await;
    assert_eq!(route.status, 200);
    assert!(route.text().contains("miricat"));

    let etag = route.header("ETag").unwrap().to_owned();
    let again = http_get(bridge.addr, "/", &[&format!("If-None-Match: {etag}")]).await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    bridge.stop().await;
}

#[tokio::test]
async fn keep_alive_serves_several_requests_on_one_connection() {
    let root = dist();
    let bridge = bridge_for(&root).await;
    let mut stream = TcpStream::connect(bridge.addr).await.unwrap();
    stream
        .write_all(b"GET /style.css HTTP/1.1\r\nHost: localhost\r\n\r\nHEAD /healthz HTTP/1.1\r\nHost: localhost\r\n\r\nGET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut raw = Vec::new();
    within(stream.read_to_end(&mut raw)).await.unwrap();
    let (css, used) = parse_response(&raw);
    assert_eq!(css.text(), "body{}");
    // HEAD: headers only; parse it by hand since Content-Length announces a body.
    let rest = &raw[used..];
    let head_end = rest.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert!(rest.starts_with(b"HTTP/1.1 200 OK"));
    let (index, _) = parse_response(&rest[head_end..]);
    assert_eq!(index.status, 200);
    assert!(index.text().contains("miricat"));
    bridge.stop().await;
}
