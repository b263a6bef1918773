//! The `Origin` check that protects browsers from cross-site WebSocket hijacking.
//!
//! A page on another site can open a WebSocket to the bridge and the browser would
//! send it along; the `Origin` header is what tells us. Requests without `Origin`
//! come from non-browser clients (the terminal client, benchmarks), which cannot be
//! hijacked this way, so they pass.

/// A parsed `scheme://host[:port]`, with the host lower-cased and the port made
/// explicit, so that `https://Example.com` and `https://example.com:443` compare equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    /// Parses an `Origin` header value or an `--allow-origin` URL (a trailing `/` is
    /// tolerated there). `None` for `null` and anything else that is not an origin.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let text = text.trim().trim_end_matches('/');
        let (scheme, authority) = text.split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "http" | "ws" => 80,
            "https" | "wss" => 443,
            _ => return None,
        };
        if authority.is_empty() || authority.contains(['/', '?', '#', '@']) {
            return None;
        }
        let (host, port) = split_host_port(authority)?;
        Some(Self {
            scheme,
            host: host.to_ascii_lowercase(),
            port: port.unwrap_or(default_port),
        })
    }

    /// Whether this origin names the same host and port as the request's `Host`
    /// header. A `Host` without a port means the default port of the origin's
    /// scheme: behind a TLS-terminating proxy the bridge sees plain HTTP while the
    /// page is `https://`.
    fn matches_host(&self, host_header: &str) -> bool {
        let Some((host, port)) = split_host_port(host_header.trim()) else {
            return false;
        };
        let default_port = if self.scheme == "https" || self.scheme == "wss" {
            443
        } else {
            80
        };
        host.eq_ignore_ascii_case(&self.host) && port.unwrap_or(default_port) == self.port
    }
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`.
fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        return match after.strip_prefix(':') {
            Some(port) => Some((host, Some(port.parse().ok()?))),
            None if after.is_empty() => Some((host, None)),
            None => None,
        };
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => Some((host, Some(port.parse().ok()?))),
        Some(_) => None,
        None => Some((authority, None)),
    }
}

/// The origins a bridge accepts, parsed once at startup.
#[derive(Debug, Clone, Default)]
pub(crate) struct OriginPolicy {
    any: bool,
    allowed: Vec<Origin>,
}

impl OriginPolicy {
    /// From `--allow-origin` values; invalid ones were refused by `Config::validate`.
    pub(crate) fn new(allowed: &[String]) -> Self {
        Self {
            any: allowed.iter().any(|o| o.trim() == "*"),
            allowed: allowed.iter().filter_map(|o| Origin::parse(o)).collect(),
        }
    }

    /// Whether a request with these headers may upgrade.
    pub(crate) fn allows(&self, origin: Option<&str>, host: Option<&str>) -> bool {
        let Some(origin) = origin else {
            return true;
        };
        if self.any {
            return true;
        }
        let Some(origin) = Origin::parse(origin) else {
            return false;
        };
        host.is_some_and(|host| origin.matches_host(host)) || self.allowed.contains(&origin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(allowed: &[&str]) -> OriginPolicy {
        OriginPolicy::new(&allowed.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn no_origin_header_is_a_non_browser_client_and_passes() {
        assert!(policy(&[]).allows(None, None));
    }

    #[test]
    fn own_origin_passes_with_or_without_default_ports() {
        let p = policy(&[]);
        assert!(p.allows(Some("http://127.0.0.1:8080"), Some("127.0.0.1:8080")));
        assert!(p.allows(Some("https://Chat.Example.com"), Some("chat.example.com")));
        assert!(p.allows(
            Some("https://chat.example.com"),
            Some("chat.example.com:443")
        ));
        assert!(p.allows(Some("http://[::1]:8080"), Some("[::1]:8080")));
        assert!(!p.allows(Some("http://127.0.0.1:8081"), Some("127.0.0.1:8080")));
        assert!(!p.allows(
            Some("https://chat.example.com"),
            Some("chat.example.com:80")
        ));
        assert!(!p.allows(Some("https://evil.example"), Some("chat.example.com")));
        assert!(!p.allows(
            Some("https://chat.example.com.evil"),
            Some("chat.example.com")
        ));
        assert!(!p.allows(Some("null"), Some("chat.example.com")));
        assert!(!p.allows(Some("http://127.0.0.1:8080"), None));
    }

    #[test]
    fn listed_origins_and_the_wildcard_pass() {
        let p = policy(&["https://app.example.com/", "http://localhost:3000"]);
        assert!(p.allows(Some("https://app.example.com"), Some("bridge:8080")));
        assert!(p.allows(Some("https://app.example.com:443"), Some("bridge:8080")));
        assert!(p.allows(Some("http://localhost:3000"), Some("bridge:8080")));
        assert!(!p.allows(Some("http://localhost:3001"), Some("bridge:8080")));
        assert!(policy(&["*"]).allows(Some("null"), None));
    }

    #[test]
    fn parse_rejects_what_is_not_an_origin() {
        for bad in [
            "",
            "null",
            "example.com",
            "ftp://x",
            "http://",
            "http://a/b",
            "http://u@h",
        ] {
            assert_eq!(Origin::parse(bad), None, "{bad}");
        }
    }
}
