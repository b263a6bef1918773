//! The PROXY protocol v2 header that opens each upstream connection when
//! `upstream_proxy_protocol` is on, so the MCP server sees the browser's address
//! instead of the bridge's (HAProxy's PROXY protocol specification, section 2.2).
//!
//! The header is binary and fixed-size: 16 bytes of preamble, then the source and
//! destination addresses and ports. It is small enough to write by hand, which
//! keeps a dependency out and lets the tests pin every byte.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

/// The 12-byte signature every v2 header starts with.
pub const SIGNATURE: [u8; 12] = [
    0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A,
];

/// Version 2, command PROXY: the connection is relayed on behalf of `source`.
const PROXY: u8 = 0x21;
/// Version 2, command LOCAL: the bridge's own connection (health checks).
const LOCAL: u8 = 0x20;
const TCP_OVER_IPV4: u8 = 0x11;
const TCP_OVER_IPV6: u8 = 0x21;
const UNSPECIFIED: u8 = 0x00;

/// The header for a connection relayed for `source` (the browser) that reached the
/// bridge at `destination`. Mixed families (an IPv4 client on an IPv6 listener) are
/// sent as IPv6 with the IPv4 address mapped, since the header has one family.
pub fn proxy_header(source: SocketAddr, destination: SocketAddr) -> Vec<u8> {
    let (src, dst) = (unmap(source), unmap(destination));
    let mut header = Vec::with_capacity(16 + 36);
    header.extend_from_slice(&SIGNATURE);
    header.push(PROXY);
    match (src.ip(), dst.ip()) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            header.push(TCP_OVER_IPV4);
            header.extend_from_slice(&12u16.to_be_bytes());
            header.extend_from_slice(&s.octets());
            header.extend_from_slice(&d.octets());
        }
        (s, d) => {
            header.push(TCP_OVER_IPV6);
            header.extend_from_slice(&36u16.to_be_bytes());
            header.extend_from_slice(&as_v6(s).octets());
            header.extend_from_slice(&as_v6(d).octets());
        }
    }
    header.extend_from_slice(&src.port().to_be_bytes());
    header.extend_from_slice(&dst.port().to_be_bytes());
    header
}

/// The header for the bridge's own connections (the `/healthz` probe): a receiver
/// must accept it and use the real connection addresses.
pub fn local_header() -> [u8; 16] {
    let mut header = [0; 16];
    header[..12].copy_from_slice(&SIGNATURE);
    header[12] = LOCAL;
    header[13] = UNSPECIFIED;
    header
}

fn unmap(addr: SocketAddr) -> SocketAddr {
    SocketAddr::new(crate::client_ip::canonical(addr.ip()), addr.port())
}

fn as_v6(ip: IpAddr) -> Ipv6Addr {
    match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped(),
        IpAddr::V6(v6) => v6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_header_byte_for_byte() {
        let h = proxy_header(
            "192.0.2.10:51000".parse().unwrap(),
            "198.51.100.1:8080".parse().unwrap(),
        );
        let mut expected = SIGNATURE.to_vec();
        expected.extend([0x21, 0x11, 0x00, 0x0C]);
        expected.extend([192, 0, 2, 10, 198, 51, 100, 1]);
        expected.extend([0xC7, 0x38, 0x1F, 0x90]);
        assert_eq!(h, expected);
        assert_eq!(h.len(), 28);
    }

    #[test]
    fn ipv6_and_mixed_families() {
        let h = proxy_header(
            "[2001:db8::1]:443".parse().unwrap(),
            "[::1]:8080".parse().unwrap(),
        );
        assert_eq!(h.len(), 52);
        assert_eq!(&h[12..16], &[0x21, 0x21, 0x00, 0x24]);
        assert_eq!(h[16], 0x20);
        assert_eq!(h[16 + 15], 1);
        assert_eq!(h[47], 1, "last byte of the destination ::1");
        assert_eq!(&h[48..], &[0x01, 0xBB, 0x1F, 0x90]);

        let mapped = proxy_header(
            "[::ffff:192.0.2.10]:1".parse().unwrap(),
            "192.0.2.1:2".parse().unwrap(),
        );
        assert_eq!(
            mapped[13], 0x11,
            "a mapped client on a v4 address is plain IPv4"
        );
        let mixed = proxy_header("192.0.2.10:1".parse().unwrap(), "[::1]:2".parse().unwrap());
        assert_eq!(mixed[13], 0x21);
        assert_eq!(
            &mixed[16..32],
            &"::ffff:192.0.2.10".parse::<Ipv6Addr>().unwrap().octets()
        );
    }

    #[test]
    fn local_header_has_no_addresses() {
        let h = local_header();
        assert_eq!(&h[12..], &[0x20, 0x00, 0x00, 0x00]);
    }
}
