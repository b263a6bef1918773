//! Who the client really is: the TCP peer, or behind a trusted reverse proxy the
//! address that proxy put in `X-Forwarded-For`, and the key the per-IP limit counts.

use std::net::{IpAddr, Ipv6Addr};

use ipnet::IpNet;

/// The client address for a request from `peer`. `X-Forwarded-For` is believed only
/// when `peer` is a trusted proxy; it is then read from the right (the entry our
/// proxy appended) skipping further trusted proxies, because entries further left
/// were written by the client and can be anything.
pub(crate) fn client_ip(
    peer: IpAddr,
    forwarded_for: Option<&str>,
    trusted_proxies: &[IpNet],
) -> IpAddr {
    let peer = canonical(peer);
    let trusted = |ip: &IpAddr| trusted_proxies.iter().any(|net| net.contains(ip));
    if !trusted(&peer) {
        return peer;
    }
    let Some(header) = forwarded_for else {
        return peer;
    };
    let mut client = peer;
    for entry in header.rsplit(',') {
        let Some(ip) = parse_entry(entry) else {
            // Garbage where an address should be: stop at the last good one.
            break;
        };
        client = ip;
        if !trusted(&ip) {
            break;
        }
    }
    client
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`1.2.3.4:5`,
/// `[::1]:5`), as some proxies write them.
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Some(rest) = entry.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok().map(canonical);
    }
    let (ip, _port) = entry.rsplit_once(':')?;
    ip.parse().ok().map(canonical)
}

/// IPv4-mapped IPv6 addresses (from dual-stack listeners) as plain IPv4.
pub(crate) fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// What the per-IP limit counts: the IPv4 address, or the IPv6 /64 (one subscriber
/// gets a whole /64, so counting single IPv6 addresses would limit nothing).
pub(crate) fn limit_key(ip: IpAddr) -> IpAddr {
    match canonical(ip) {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_from_an_untrusted_peer_is_ignored() {
        let got = client_ip(ip("203.0.113.9"), Some("1.2.3.4"), &nets(&["10.0.0.0/8"]));
        assert_eq!(got, ip("203.0.113.9"));
        assert_eq!(
            client_ip(ip("10.0.0.1"), Some("1.2.3.4"), &[]),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn trusted_proxy_chain_is_read_from_the_right() {
        let trusted = nets(&["10.0.0.0/8", "::1/128"]);
        // The client claims 6.6.6.6; our proxies appended the real 198.51.100.7.
        let header = "6.6.6.6, 198.51.100.7, 10.0.0.2";
        assert_eq!(
            client_ip(ip("10.0.0.1"), Some(header), &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_ip(ip("::1"), Some("[2001:db8::1]:443"), &trusted),
            ip("2001:db8::1")
        );
        assert_eq!(
            client_ip(ip("10.0.0.1"), Some("198.51.100.7:1234"), &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_ip(ip("10.0.0.1"), Some("junk"), &trusted),
            ip("10.0.0.1")
        );
        assert_eq!(client_ip(ip("10.0.0.1"), None, &trusted), ip("10.0.0.1"));
    }

    #[test]
    fn mapped_addresses_and_v6_prefixes() {
        assert_eq!(canonical(ip("::ffff:1.2.3.4")), ip("1.2.3.4"));
        assert_eq!(limit_key(ip("2001:db8:1:2:3:4:5:6")), ip("2001:db8:1:2::"));
        assert_eq!(limit_key(ip("1.2.3.4")), ip("1.2.3.4"));
    }
}
