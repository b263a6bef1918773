//! `wss://` and `https://` served directly by the bridge (rustls).
//!
//! `fixtures/localhost-*.pem` is a self-signed test certificate for `localhost` and
//! 127.0.0.1 (P-256, valid until 2126), made with:
//! `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes
//! -days 36500 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1
//! -addext basicConstraints=critical,CA:FALSE`. Its key protects nothing.

#[path = "support/mod.rs"]
mod support;

use std::path::Path;
use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use tokio_tungstenite::tungstenite::Message;

use support::*;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn connector() -> TlsConnector {
    let pem = std::fs::read(fixture("localhost-cert.pem")).unwrap();
    let mut roots = RootCertStore::empty();
    for cert in rustls_pemfile::certs(&mut &pem[..]) {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    TlsConnector::from(Arc::new(config))
}

#[tokio::test]
async fn wss_and_https_work_with_a_pem_certificate() {
    let upstream = echo_upstream().await;
    let tls = miricat_bridge::TlsSettings::from_pem_files(
        &fixture("localhost-cert.pem"),
        &fixture("localhost-key.pem"),
    )
    .unwrap();
    let config = miricat_bridge::Config {
        tls: Some(tls),
        ..quick_close(miricat_bridge::Config::for_upstream(upstream.to_string()))
    };
    let bridge = Bridge::start(config).await;
    let name = ServerName::try_from("localhost").unwrap();

    let tcp = TcpStream::connect(bridge.addr).await.unwrap();
    let tls = within(connector().connect(name.clone(), tcp))
        .await
        .unwrap();
    let url = format!("wss://localhost:{}/ws", bridge.addr.port());
    let (mut ws, _) = within(tokio_tungstenite::client_async(url, tls))
        .await
        .unwrap();
    within(ws.send(Message::text("secure"))).await.unwrap();
    match within(ws.next()).await {
        Some(Ok(Message::Text(text))) => assert_eq!(text.as_str(), "secure"),
        other => panic!("{other:?}"),
    }

    let tcp = TcpStream::connect(bridge.addr).await.unwrap();
    let mut tls = within(connector().connect(name, tcp)).await.unwrap();
    tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut raw = Vec::new();
    let _ = within(tls.read_to_end(&mut raw)).await;
    assert!(
        raw.starts_with(b"HTTP/1.1 200 OK\r\n"),
        "{}",
        String::from_utf8_lossy(&raw)
    );

    // Plain HTTP on the TLS port goes nowhere.
    let mut plain = TcpStream::connect(bridge.addr).await.unwrap();
    plain
        .write_all(b"GET /healthz HTTP/1.1\r\n\r\n")
        .await
        .unwrap();
    let mut raw = Vec::new();
    let _ = within(plain.read_to_end(&mut raw)).await;
    assert!(!raw.starts_with(b"HTTP/1.1 200"));
    bridge.stop().await;
}

#[test]
fn half_configured_or_missing_tls_files_are_reported() {
    let missing = miricat_bridge::TlsSettings::from_pem_files(
        Path::new("/nonexistent.pem"),
        &fixture("localhost-key.pem"),
    );
    assert!(missing.is_err());
    let swapped = miricat_bridge::TlsSettings::from_pem_files(
        &fixture("localhost-key.pem"),
        &fixture("localhost-cert.pem"),
    );
    assert!(swapped.is_err());
}
