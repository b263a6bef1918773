//! The `Host` allowlist that defeats DNS rebinding.
//!
//! A page on `evil.example` can make its own name resolve to the bridge's address;
//! the browser then treats the bridge as `evil.example` and sends `Host:
//! evil.example` and `Origin: http://evil.example`, which would pass an "Origin
//! equals my own Host" check. So the bridge answers only for names it knows: IP
//! literals (a page cannot rebind those), `localhost` and `*.localhost` (browsers
//! resolve them to loopback themselves), and the names given with `--public-host`.
//! Any other name gets `421 Misdirected Request`.

use std::net::IpAddr;

/// Longest host name accepted in `--public-host` (RFC 1035: 253 characters).
pub(crate) const MAX_HOST_NAME: usize = 253;

/// The names this bridge answers for, parsed once at startup.
#[derive(Debug, Clone, Default)]
pub(crate) struct HostPolicy {
    /// Lower-cased, without a trailing dot.
    public: Vec<String>,
}

impl HostPolicy {
    /// From `--public-host` values; invalid ones were refused by `Config::validate`.
    pub(crate) fn new(public_hosts: &[String]) -> Self {
        Self {
            public: public_hosts.iter().map(|h| normalise(h)).collect(),
        }
    }

    /// Whether a request with this `Host` header is for us. A request without one
    /// (HTTP/1.0 tools) cannot come from a browser on a rebound name, so it passes;
    /// its `Origin`, if any, then has to be listed to upgrade.
    pub(crate) fn allows(&self, host_header: Option<&str>) -> bool {
        let Some(header) = host_header else {
            return true;
        };
        let Some(name) = host_name(header) else {
            return false;
        };
        if name.parse::<IpAddr>().is_ok() {
            return true;
        }
        let name = normalise(name);
        name == "localhost" || name.ends_with(".localhost") || self.public.contains(&name)
    }
}

/// Whether `name` can be a `--public-host`: a DNS name (letters, digits, `-`, `_`
/// and dots), without port or scheme.
pub(crate) fn is_valid_public_host(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    !name.is_empty()
        && name.len() <= MAX_HOST_NAME
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        && !name.starts_with('.')
        && !name.contains("..")
}

/// The host part of a `Host` header (`name`, `name:port`, `[v6]`, `[v6]:port`).
fn host_name(header: &str) -> Option<&str> {
    let header = header.trim();
    if let Some(rest) = header.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        return (after.is_empty() || after.strip_prefix(':').is_some_and(is_port)).then_some(host);
    }
    match header.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && is_port(port) => Some(host),
        Some(_) => None,
        None => Some(header),
    }
}

fn is_port(text: &str) -> bool {
    text.parse::<u16>().is_ok()
}

fn normalise(name: &str) -> String {
    let name = name.trim();
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_literals_and_localhost_pass_by_default() {
        let policy = HostPolicy::default();
        for host in [
            "127.0.0.1:8080",
            "10.1.2.3",
            "[::1]:8080",
            "[2001:db8::1]",
            "localhost:8080",
            "LocalHost",
            "app.localhost:3000",
        ] {
            assert!(policy.allows(Some(host)), "{host}");
        }
        assert!(policy.allows(None));
    }

    #[test]
    fn other_names_pass_only_when_configured() {
        let policy = HostPolicy::new(&["Chat.Example.com.".to_owned()]);
        assert!(policy.allows(Some("chat.example.com")));
        assert!(policy.allows(Some("CHAT.example.com:443")));
        assert!(policy.allows(Some("chat.example.com.:8080")));
        for host in [
            "evil.example",
            "chat.example.com.evil",
            "localhost.evil",
            "127.0.0.1.nip.io",
            "chat.example.com:x",
            "[::1",
            "",
        ] {
            assert!(!policy.allows(Some(host)), "{host}");
        }
    }

    #[test]
    fn public_host_values_are_names_only() {
        assert!(is_valid_public_host("chat.example.com"));
        assert!(is_valid_public_host("chat.example.com."));
        for bad in ["", ".", "a..b", ".a", "a:80", "http://a", "a/b", "a b"] {
            assert!(!is_valid_public_host(bad), "{bad}");
        }
    }
}
