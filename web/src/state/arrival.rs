//! The latest message from someone else: what the screen-reader announcer says and
//! what a desktop notification shows.

use miricat_shared::RoomId;

/// Characters of a message kept in an announcement or a notification: enough to
/// know what it is about, short enough not to drown the reader.
const GIST_CHARS: usize = 140;

/// A message from someone else, as it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    /// The state revision it arrived in, which tells two equal messages apart (the
    /// second "ok" in a row must be announced too).
    pub revision: u64,
    /// The room it was written in.
    pub room: RoomId,
    /// Who wrote it.
    pub sender: String,
    /// The start of what they wrote ([`gist`]): never the whole of a long message,
    /// which the timeline already holds.
    pub gist: String,
}

impl Arrival {
    /// The sentence for the live region: "alice: hello" for the open room, with the
    /// room named when the message went elsewhere.
    pub fn announcement(&self, open_room: Option<RoomId>, room_name: &str) -> String {
        let gist = &self.gist;
        if open_room == Some(self.room) {
            format!("{}: {gist}", self.sender)
        } else {
            format!("{} in #{room_name}: {gist}", self.sender)
        }
    }

    /// A desktop notification's title and body.
    pub fn notification(&self, room_name: &str) -> (String, String) {
        (
            format!("{} in #{room_name}", self.sender),
            self.gist.clone(),
        )
    }
}

/// The first line of `text`, cut to [`GIST_CHARS`] with an ellipsis when more
/// follows. Reads the first [`GIST_CHARS`] characters, plus the rest only if it is
/// all whitespace: cheap whatever the message's length.
pub fn gist(text: &str) -> String {
    let end = text
        .char_indices()
        .take(GIST_CHARS + 1)
        .enumerate()
        .find(|&(n, (_, c))| c == '\n' || n == GIST_CHARS)
        .map_or(text.len(), |(_, (i, _))| i);
    let cut = text[..end].trim_end();
    if text[end..].trim().is_empty() {
        cut.to_owned()
    } else {
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::Arrival;

    fn arrival(text: &str) -> Arrival {
        Arrival {
            revision: 1,
            room: 7,
            sender: "alice".to_owned(),
            gist: super::gist(text),
        }
    }

    #[test]
    fn the_open_room_goes_unnamed_and_others_are_named() {
        assert_eq!(
            arrival("hello").announcement(Some(7), "general"),
            "alice: hello"
        );
        assert_eq!(
            arrival("hello").announcement(Some(8), "general"),
            "alice in #general: hello"
        );
        assert_eq!(
            arrival("hello").notification("general"),
            ("alice in #general".to_owned(), "hello".to_owned())
        );
    }

    #[test]
    fn long_and_multi_line_messages_are_cut() {
        let long = "x".repeat(500);
        let said = arrival(&long).announcement(Some(7), "general");
        assert_eq!(said.chars().count(), "alice: ".len() + 140 + 1);
        assert!(said.ends_with('…'));
        assert_eq!(
            arrival("first line\nsecond").notification("r").1,
            "first line…"
        );
        assert_eq!(arrival("done  \n \n").notification("r").1, "done");
        assert_eq!(arrival(&"é".repeat(140)).gist, "é".repeat(140));
    }

    #[test]
    fn a_huge_message_keeps_only_its_gist() {
        let huge = format!("http://a{}", ")".repeat(600_000));
        let kept = arrival(&huge).gist;
        assert_eq!(kept.chars().count(), 141);
    }
}
