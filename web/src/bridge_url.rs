//! Which bridge the app talks to: the page's own origin by default, overridden by a
//! `?bridge=` query parameter or the sign-in form's advanced field.

/// The path the bridge serves its WebSocket on.
pub const BRIDGE_PATH: &str = "/ws";

/// `ws(s)://<host>/ws` for a page served from `protocol` (`"https:"` or `"http:"`,
/// as `location.protocol` gives it) and `host` (`location.host`, with the port).
pub fn default_bridge_url(protocol: &str, host: &str) -> String {
    let scheme = if protocol.eq_ignore_ascii_case("https:") {
        "wss"
    } else {
        "ws"
    };
    format!("{scheme}://{host}{BRIDGE_PATH}")
}

/// Checks and normalises an address someone typed or passed in the URL.
///
/// Accepts `ws://` and `wss://` as they are, turns `http(s)://` into `ws(s)://`
/// (people paste the page address), and adds [`BRIDGE_PATH`] to a bare host.
pub fn normalise_bridge_url(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let lower = raw.to_ascii_lowercase();
    let (scheme, rest) = if let Some(rest) = lower
        .strip_prefix("wss://")
        .or(lower.strip_prefix("https://"))
    {
        ("wss", &raw[raw.len() - rest.len()..])
    } else if let Some(rest) = lower
        .strip_prefix("ws://")
        .or(lower.strip_prefix("http://"))
    {
        ("ws", &raw[raw.len() - rest.len()..])
    } else {
        return Err(format!(
            "The bridge address \"{raw}\" must start with ws:// or wss://."
        ));
    };
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    if host_end == 0 || rest[..host_end].contains(char::is_whitespace) {
        return Err(format!("The bridge address \"{raw}\" has no valid host."));
    }
    let path = if host_end == rest.len() {
        BRIDGE_PATH
    } else {
        ""
    };
    Ok(format!("{scheme}://{rest}{path}"))
}

/// The address to use: the query parameter wins (a link can point the app at a
/// bridge), then what the user saved, then the page's origin.
pub fn choose_bridge_url(query: Option<&str>, saved: Option<&str>, default: &str) -> String {
    [query, saved]
        .into_iter()
        .flatten()
        .find_map(|candidate| normalise_bridge_url(candidate).ok())
        .unwrap_or_else(|| default.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_follows_the_page_scheme() {
        assert_eq!(
            default_bridge_url("http:", "127.0.0.1:8080"),
            "ws://127.0.0.1:8080/ws"
        );
        assert_eq!(
            default_bridge_url("https:", "chat.example"),
            "wss://chat.example/ws"
        );
    }

    #[test]
    fn typed_addresses_are_normalised_or_refused() {
        assert_eq!(
            normalise_bridge_url(" wss://h:1/ws ").unwrap(),
            "wss://h:1/ws"
        );
        assert_eq!(normalise_bridge_url("https://h").unwrap(), "wss://h/ws");
        assert_eq!(normalise_bridge_url("HTTP://h:9/x").unwrap(), "ws://h:9/x");
        assert!(normalise_bridge_url("h:1").is_err());
        assert!(normalise_bridge_url("ws:///x").is_err());
        assert!(normalise_bridge_url("javascript:alert(1)").is_err());
    }

    #[test]
    fn query_beats_saved_beats_default() {
        let d = "ws://page/ws";
        assert_eq!(
            choose_bridge_url(Some("ws://q:1"), Some("ws://s:1"), d),
            "ws://q:1/ws"
        );
        assert_eq!(
            choose_bridge_url(None, Some("ws://s:1/ws"), d),
            "ws://s:1/ws"
        );
        assert_eq!(choose_bridge_url(Some("bad"), None, d), d);
        assert_eq!(choose_bridge_url(None, None, d), d);
    }
}
