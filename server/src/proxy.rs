//! PROXY protocol v2 headers at the start of a connection: the bridge sends one with
//! the browser's address, so logs and per-IP limits see the real client.
//!
//! Only addresses listed as trusted bridges may send one; a header from anyone else
//! closes the connection (it would let a client pretend to be someone else). A
//! connection without a header works as usual from any address. Parsing is done by
//! the `ppp` crate; [`detect`] is the sans-IO step and [`read_prelude`] the I/O around
//! it.

use std::net::{IpAddr, SocketAddr};

use ppp::v2::{Addresses, Command, Header, ParseError};
use thiserror::Error;
use tokio::io::{AsyncRead, AsyncReadExt};

/// The 12-byte signature every v2 header starts with.
pub const SIGNATURE: &[u8; 12] = b"\r\n\r\n\0\r\nQUIT\n";

/// What the first bytes of a connection are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detect {
    /// Too few bytes to tell.
    NeedMore,
    /// Not a PROXY header: the bytes are the client's own.
    NotProxy,
    /// A complete header of `len` bytes. `source` is the client it carries; `None`
    /// for a `LOCAL` header (a health check) or an address family without one.
    Header {
        /// The carried client address.
        source: Option<SocketAddr>,
        /// Bytes the header takes, to skip.
        len: usize,
    },
    /// A header with the signature that is malformed.
    Invalid(String),
}

/// Classifies the bytes received so far.
pub fn detect(bytes: &[u8]) -> Detect {
    match Header::try_from(bytes) {
        Ok(header) => {
            let source = match (header.command, header.addresses) {
                (Command::Proxy, Addresses::IPv4(a)) => {
                    Some(SocketAddr::new(IpAddr::V4(a.source_address), a.source_port))
                }
                // A v4 client behind a v6 listener arrives mapped: log it as v4.
                (Command::Proxy, Addresses::IPv6(a)) => Some(SocketAddr::new(
                    IpAddr::V6(a.source_address).to_canonical(),
                    a.source_port,
                )),
                _ => None,
            };
            Detect::Header {
                source,
                len: header.header.len(),
            }
        }
        Err(ParseError::Incomplete(_) | ParseError::Partial(..)) => Detect::NeedMore,
        Err(ParseError::Prefix) => Detect::NotProxy,
        Err(e) => Detect::Invalid(e.to_string()),
    }
}

/// Why a connection's prelude was refused.
#[derive(Debug, Error)]
pub enum ProxyError {
    /// A PROXY header from an address that is not a trusted bridge.
    #[error("PROXY header from untrusted address")]
    Untrusted,
    /// A malformed PROXY header.
    #[error("malformed PROXY header: {0}")]
    Invalid(String),
    /// The peer closed before sending anything usable.
    #[error("connection closed during the prelude")]
    Closed,
    /// Reading failed.
    #[error("read failed: {0}")]
    Io(#[from] std::io::Error),
}

/// The connection's client address and the bytes read past any header (the start of
/// the client's first line).
#[derive(Debug)]
pub struct Prelude {
    /// The client: carried by the header when there was one, the TCP peer otherwise.
    pub client: SocketAddr,
    /// Whether the address came from a PROXY header.
    pub via_proxy: bool,
    /// Bytes already read that belong to the MCP stream.
    pub leftover: Vec<u8>,
}

/// Reads just enough of the stream to know whether it starts with a PROXY header.
/// `trusted` says whether the TCP peer is a trusted bridge. The caller bounds the time.
pub async fn read_prelude<R: AsyncRead + Unpin>(
    reader: &mut R,
    peer: SocketAddr,
    trusted: bool,
) -> Result<Prelude, ProxyError> {
    let mut buf = Vec::with_capacity(256);
    let mut chunk = [0u8; 512];
    loop {
        match detect(&buf) {
            Detect::NeedMore => {}
            Detect::NotProxy => {
                return Ok(Prelude {
                    client: peer,
                    via_proxy: false,
                    leftover: buf,
                });
            }
            Detect::Header { .. } if !trusted => return Err(ProxyError::Untrusted),
            Detect::Header { source, len } => {
                buf.drain(..len);
                return Ok(Prelude {
                    client: source.unwrap_or(peer),
                    via_proxy: source.is_some(),
                    leftover: buf,
                });
            }
            Detect::Invalid(e) if trusted => return Err(ProxyError::Invalid(e)),
            Detect::Invalid(_) => return Err(ProxyError::Untrusted),
        }
        // Until the signature is complete read byte by byte, so a plain client's
        // line is never over-read; then read the rest of the header in chunks.
        let want = if buf.len() < SIGNATURE.len() {
            1
        } else {
            chunk.len()
        };
        let n = reader.read(&mut chunk[..want]).await?;
        if n == 0 {
            return Err(ProxyError::Closed);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ppp::v2::{Builder, Protocol, Version};

    fn header(source: SocketAddr, destination: SocketAddr) -> Vec<u8> {
        Builder::with_addresses(
            Version::Two | Command::Proxy,
            Protocol::Stream,
            (source, destination),
        )
        .build()
        .unwrap()
    }

    #[test]
    fn detects_plain_lines_at_the_first_byte() {
        assert_eq!(detect(b""), Detect::NeedMore);
        assert_eq!(detect(b"{"), Detect::NotProxy);
        assert_eq!(detect(b"\r\n\r\n{"), Detect::NotProxy);
        assert_eq!(detect(b"\r\n\r\n\0"), Detect::NeedMore);
    }

    #[test]
    fn reads_ipv4_and_ipv6_sources() {
        let src: SocketAddr = "203.0.113.7:5555".parse().unwrap();
        let dst: SocketAddr = "10.0.0.1:3072".parse().unwrap();
        let mut bytes = header(src, dst);
        let len = bytes.len();
        bytes.extend_from_slice(b"{\"type\"");
        assert_eq!(
            detect(&bytes),
            Detect::Header {
                source: Some(src),
                len
            }
        );
        let src6: SocketAddr = "[2001:db8::1]:443".parse().unwrap();
        let dst6: SocketAddr = "[2001:db8::2]:3072".parse().unwrap();
        let bytes = header(src6, dst6);
        assert!(matches!(detect(&bytes), Detect::Header { source: Some(s), .. } if s == src6));
    }

    #[test]
    fn reads_hand_written_headers_like_the_bridge_sends() {
        // LOCAL, unspecified family: a health check; the TCP peer is the client.
        let mut local = SIGNATURE.to_vec();
        local.extend_from_slice(&[0x20, 0x00, 0, 0]);
        assert_eq!(
            detect(&local),
            Detect::Header {
                source: None,
                len: 16
            }
        );
        // PROXY over TCP/IPv4: 192.0.2.10:51000 -> 198.51.100.1:8080.
        let mut v4 = SIGNATURE.to_vec();
        v4.extend_from_slice(&[0x21, 0x11, 0, 12, 192, 0, 2, 10, 198, 51, 100, 1]);
        v4.extend_from_slice(&51000u16.to_be_bytes());
        v4.extend_from_slice(&8080u16.to_be_bytes());
        let source = "192.0.2.10:51000".parse().ok();
        assert_eq!(detect(&v4), Detect::Header { source, len: 28 });
        // An IPv4 client mapped into an IPv6 header comes out as IPv4.
        let src: SocketAddr = "[::ffff:192.0.2.10]:1".parse().unwrap();
        let dst: SocketAddr = "[::1]:2".parse().unwrap();
        let bytes = header(src, dst);
        let expected = "192.0.2.10:1".parse().ok();
        assert!(matches!(detect(&bytes), Detect::Header { source, .. } if source == expected));
    }

    #[tokio::test]
    async fn prelude_keeps_the_bytes_after_the_header() {
        let src: SocketAddr = "198.51.100.2:1234".parse().unwrap();
        let peer: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let mut bytes = header(src, peer);
        bytes.extend_from_slice(b"{\"a\":1}\n");
        let prelude = read_prelude(&mut bytes.as_slice(), peer, true)
            .await
            .unwrap();
        assert_eq!((prelude.client, prelude.via_proxy), (src, true));
        assert_eq!(prelude.leftover, b"{\"a\":1}\n");
        let err = read_prelude(&mut bytes.as_slice(), peer, false).await;
        assert!(matches!(err, Err(ProxyError::Untrusted)));
        let plain = read_prelude(&mut &b"{\"b\":2}\n"[..], peer, false)
            .await
            .unwrap();
        assert_eq!((plain.client, plain.via_proxy), (peer, false));
        assert_eq!(plain.leftover, b"{");
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use ppp::v2::{Builder, Protocol, Version};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Arbitrary bytes, with or without the signature in front, never panic.
        #[test]
        fn arbitrary_bytes_never_panic(signed in any::<bool>(), tail in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut bytes = if signed { SIGNATURE.to_vec() } else { Vec::new() };
            bytes.extend_from_slice(&tail);
            let _ = detect(&bytes);
        }

        /// Any header built for an IPv4 or IPv6 pair gives back its source, and every
        /// strict prefix of it asks for more bytes.
        #[test]
        fn headers_round_trip(a in any::<[u8; 16]>(), b in any::<[u8; 16]>(), ports in any::<(u16, u16)>(), v6 in any::<bool>()) {
            let (src, dst): (SocketAddr, SocketAddr) = if v6 {
                ((std::net::Ipv6Addr::from(a), ports.0).into(), (std::net::Ipv6Addr::from(b), ports.1).into())
            } else {
                ((std::net::Ipv4Addr::new(a[0], a[1], a[2], a[3]), ports.0).into(), (std::net::Ipv4Addr::new(b[0], b[1], b[2], b[3]), ports.1).into())
            };
            let bytes = Builder::with_addresses(Version::Two | Command::Proxy, Protocol::Stream, (src, dst)).build().unwrap();
            let carried = SocketAddr::new(src.ip().to_canonical(), src.port());
            prop_assert_eq!(detect(&bytes), Detect::Header { source: Some(carried), len: bytes.len() });
            for cut in 0..bytes.len() {
                prop_assert_eq!(detect(&bytes[..cut]), Detect::NeedMore);
            }
        }
    }
}
