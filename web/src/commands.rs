//! What the composer's input means: a message to send or an IRC-style command.
//!
//! Parsing is pure; resolving `/join <name or id>` against the room list happens in
//! [`resolve_room`] so both are tested without a browser.

use miricat_shared::RoomId;

/// The help text `/help` shows, one command per line.
pub const HELP_LINES: &[&str] = &[
    "/join <room name or id>: join a room and open it",
    "/leave: leave the open room",
    "/help: show this list",
    "//text: send a message that starts with /",
    "Enter sends, Shift+Enter starts a new line, Up recalls your last message,",
    "Alt+Up / Alt+Down switch rooms.",
];

/// One line typed into the composer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A message (already unescaped from `//`).
    Text(String),
    /// `/join <target>`.
    Join(String),
    /// `/leave`.
    Leave,
    /// `/help`.
    Help,
    /// A command we do not know, or one missing its argument: say so, send nothing.
    Invalid(String),
    /// Nothing but whitespace: do nothing.
    Empty,
}

/// Reads what the user typed.
pub fn parse_input(raw: &str) -> Input {
    if raw.trim().is_empty() {
        return Input::Empty;
    }
    let Some(command) = raw.trim_start().strip_prefix('/') else {
        return Input::Text(raw.trim_end().to_owned());
    };
    if command.starts_with('/') {
        // `//text` escapes a leading slash.
        return Input::Text(command.trim_end().to_owned());
    }
    let (name, argument) = match command.split_once(char::is_whitespace) {
        Some((name, rest)) => (name, rest.trim()),
        None => (command.trim_end(), ""),
    };
    match (name.to_ascii_lowercase().as_str(), argument) {
        ("join" | "j", "") => Input::Invalid("Usage: /join <room name or id>".to_owned()),
        ("join" | "j", target) => Input::Join(target.to_owned()),
        ("leave" | "part", _) => Input::Leave,
        ("help" | "?", _) => Input::Help,
        (other, _) => Input::Invalid(format!(
            "Unknown command /{other}. Type /help for the list."
        )),
    }
}

/// The room `/join <target>` names: an exact name first (case-insensitive, `#`
/// optional), then a numeric ID, so a room literally called "42" still wins.
pub fn resolve_room<'a>(
    target: &str,
    rooms: impl IntoIterator<Item = (RoomId, &'a str)> + Clone,
) -> Option<RoomId> {
    let wanted = target.trim().trim_start_matches('#');
    rooms
        .clone()
        .into_iter()
        .find(|(_, name)| name.eq_ignore_ascii_case(wanted))
        .map(|(id, _)| id)
        .or_else(|| {
            let id: RoomId = wanted.parse().ok()?;
            rooms
                .into_iter()
                .find(|(room, _)| *room == id)
                .map(|(id, _)| id)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_and_escaped_slashes_are_messages() {
        assert_eq!(parse_input("hello"), Input::Text("hello".into()));
        assert_eq!(
            parse_input("  two\nlines \n"),
            Input::Text("  two\nlines".into())
        );
        assert_eq!(parse_input("//shrug"), Input::Text("/shrug".into()));
        assert_eq!(parse_input("   \n "), Input::Empty);
    }

    #[test]
    fn commands_are_recognised() {
        assert_eq!(parse_input("/join general"), Input::Join("general".into()));
        assert_eq!(
            parse_input("/JOIN  my room "),
            Input::Join("my room".into())
        );
        assert_eq!(parse_input("/leave"), Input::Leave);
        assert_eq!(parse_input("/help"), Input::Help);
        assert!(matches!(parse_input("/join"), Input::Invalid(_)));
        assert!(
            matches!(parse_input("/frobnicate x"), Input::Invalid(m) if m.contains("/frobnicate"))
        );
    }

    #[test]
    fn rooms_resolve_by_name_then_id() {
        let rooms = [(1, "general"), (2, "42"), (42, "random")];
        let r = || rooms.iter().map(|(id, n)| (*id, *n));
        assert_eq!(resolve_room("General", r()), Some(1));
        assert_eq!(resolve_room("#random", r()), Some(42));
        assert_eq!(resolve_room("42", r()), Some(2));
        assert_eq!(resolve_room("1", r()), Some(1));
        assert_eq!(resolve_room("nope", r()), None);
        assert_eq!(resolve_room("7", r()), None);
    }
}
