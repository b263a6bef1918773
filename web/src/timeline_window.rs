//! Which slice of a long room the timeline renders.
//!
//! A room may hold tens of thousands of entries; the browser stays fast only if a
//! few hundred are in the page. The window is a run of at most [`WINDOW`] entries,
//! named by sequence numbers (`Room::first_seq` onwards) so it survives entries
//! being added at the end or dropped at the front. While the reader is at the
//! bottom it follows the newest entry; scrolling near either edge moves it by
//! [`STEP`] entries (the view keeps what the reader sees in place).
//!
//! Pure: the view passes in scroll measurements and applies the result.

use std::ops::Range;

/// Most entries rendered at once: several screens of text, however long the room.
pub const WINDOW: u64 = 150;

/// Entries added at one edge (and dropped at the other) when the reader nears it.
pub const STEP: u64 = 50;

/// Distance from an edge, in px, at which the window moves.
pub const EDGE_PX: f64 = 800.0;

/// Distance from the bottom, in px, that still counts as reading the newest.
pub const BOTTOM_PX: f64 = 48.0;

/// The rendered slice of a timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelineWindow {
    /// First rendered sequence number (ignored while following).
    start: u64,
    /// Pinned to the newest entry.
    following: bool,
}

impl Default for TimelineWindow {
    fn default() -> Self {
        Self::newest()
    }
}

/// Scroll measurements of the timeline's scroller, in px.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScrollPosition {
    /// Distance scrolled from the top.
    pub top: f64,
    /// Distance left to the bottom.
    pub to_bottom: f64,
}

impl TimelineWindow {
    /// Following the newest entry.
    pub fn newest() -> Self {
        Self {
            start: 0,
            following: true,
        }
    }

    /// A window with entry `seq` in its middle (a search result being opened,
    /// however far back); clamped to the room like any other.
    pub fn around(seq: u64) -> Self {
        Self {
            start: seq.saturating_sub(WINDOW / 2),
            following: false,
        }
    }

    /// Whether the window is pinned to the newest entry.
    pub fn is_following(&self) -> bool {
        self.following
    }

    /// The sequence numbers to render, for a room holding `first..end`.
    pub fn range(&self, first: u64, end: u64) -> Range<u64> {
        if self.following {
            return end.saturating_sub(WINDOW).max(first)..end;
        }
        // Entries dropped at the front, or a window past the end: clamp, keep size.
        let start = self
            .start
            .clamp(first, end.saturating_sub(WINDOW).max(first));
        start..(start + WINDOW).min(end)
    }

    /// The window after the reader scrolled to `at`, for a room holding
    /// `first..end`; `None` when it stays as it is. A moved window means the view
    /// must keep the entry the reader was looking at in place.
    pub fn scrolled(&self, at: ScrollPosition, first: u64, end: u64) -> Option<Self> {
        let range = self.range(first, end);
        let at_bottom = at.to_bottom <= BOTTOM_PX;
        if self.following {
            // Leaving the bottom unpins the window where it is.
            return (!at_bottom).then_some(Self {
                start: range.start,
                following: false,
            });
        }
        let moved = |start: u64| Self {
            start,
            following: false,
        };
        if at.top < EDGE_PX && range.start > first {
            Some(moved(range.start.saturating_sub(STEP).max(first)))
        } else if at.to_bottom < EDGE_PX && range.end < end {
            Some(moved(range.start + STEP))
        } else if at_bottom && range.end == end {
            Some(Self::newest())
        } else {
            None
        }
    }

    /// Whether the reader at `at` is at the room's oldest entry (`first`), where
    /// older ones are fetched from the server.
    pub fn at_oldest(&self, at: ScrollPosition, first: u64, end: u64) -> bool {
        at.top < EDGE_PX && self.range(first, end).start == first
    }

    /// The window after older entries were put on top of the room (its first
    /// entry was `old_first` and is `new_first` now): a window showing the old
    /// top grows up by [`STEP`] over them, so the reader can go on scrolling up.
    pub fn grown_on_top(&self, old_first: u64, new_first: u64, end: u64) -> Self {
        if self.following || new_first >= old_first || self.range(old_first, end).start != old_first
        {
            return *self;
        }
        Self {
            start: old_first.saturating_sub(STEP).max(new_first),
            following: false,
        }
    }

    /// Entries newer than the window (shown on the "jump to newest" button).
    pub fn newer_than_shown(&self, first: u64, end: u64) -> u64 {
        end - self.range(first, end).end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(top: f64, to_bottom: f64) -> ScrollPosition {
        ScrollPosition { top, to_bottom }
    }

    #[test]
    fn following_shows_the_newest_window() {
        let w = TimelineWindow::newest();
        assert_eq!(w.range(0, 10), 0..10);
        assert_eq!(w.range(0, 10_000), 10_000 - WINDOW..10_000);
        assert_eq!(w.range(500, 520), 500..520);
        assert_eq!(w.newer_than_shown(0, 10_000), 0);
    }

    #[test]
    fn leaving_the_bottom_unpins_where_the_window_is() {
        let w = TimelineWindow::newest();
        assert_eq!(w.scrolled(at(5_000.0, 10.0), 0, 10_000), None);
        let unpinned = w.scrolled(at(5_000.0, 300.0), 0, 10_000).unwrap();
        assert!(!unpinned.is_following());
        assert_eq!(unpinned.range(0, 10_000), w.range(0, 10_000));
        // New entries then arrive below without moving what is shown.
        assert_eq!(unpinned.range(0, 10_005), w.range(0, 10_000));
        assert_eq!(unpinned.newer_than_shown(0, 10_005), 5);
    }

    #[test]
    fn scrolling_up_walks_back_to_the_first_entry() {
        let mut w = TimelineWindow::newest()
            .scrolled(at(5_000.0, 300.0), 0, 10_000)
            .unwrap();
        let mut moves = 0;
        while let Some(next) = w.scrolled(at(10.0, 5_000.0), 0, 10_000) {
            assert_eq!(
                next.range(0, 10_000).start + STEP,
                w.range(0, 10_000).start.max(STEP)
            );
            w = next;
            moves += 1;
        }
        assert_eq!(w.range(0, 10_000), 0..WINDOW);
        assert_eq!(moves, (10_000 - WINDOW).div_ceil(STEP));
    }

    #[test]
    fn scrolling_down_walks_forward_and_pins_at_the_end() {
        let mut w = TimelineWindow {
            start: 0,
            following: false,
        };
        while let Some(next) = w.scrolled(at(5_000.0, 100.0), 0, 1_000) {
            if next.is_following() {
                break;
            }
            w = next;
        }
        assert_eq!(w.range(0, 1_000).end, 1_000);
        let pinned = w.scrolled(at(5_000.0, 0.0), 0, 1_000).unwrap();
        assert!(pinned.is_following());
    }

    #[test]
    fn older_entries_on_top_grow_a_window_at_the_top_only() {
        let at_top = TimelineWindow {
            start: 1_000,
            following: false,
        };
        assert!(at_top.at_oldest(at(10.0, 5_000.0), 1_000, 2_000));
        assert!(!at_top.at_oldest(at(EDGE_PX + 1.0, 5_000.0), 1_000, 2_000));
        let grown = at_top.grown_on_top(1_000, 900, 2_000);
        assert_eq!(grown.range(900, 2_000).start, 1_000 - STEP);
        let grown = at_top.grown_on_top(1_000, 990, 2_000);
        assert_eq!(
            grown.range(990, 2_000).start,
            990,
            "never past the new first"
        );

        let lower = TimelineWindow {
            start: 1_500,
            following: false,
        };
        assert!(!lower.at_oldest(at(10.0, 5_000.0), 1_000, 2_000));
        assert_eq!(lower.grown_on_top(1_000, 900, 2_000), lower);
        let newest = TimelineWindow::newest();
        assert_eq!(newest.grown_on_top(1_000, 900, 2_000), newest);
    }

    #[test]
    fn a_window_around_an_entry_holds_it_wherever_it_is() {
        for seq in [0, 10, 500, 9_000, 9_990, 9_999] {
            let range = TimelineWindow::around(seq).range(0, 10_000);
            assert!(range.contains(&seq), "{seq} in {range:?}");
            assert_eq!(range.end - range.start, WINDOW);
        }
        let middle = TimelineWindow::around(5_000).range(0, 10_000);
        assert_eq!(middle.start + WINDOW / 2, 5_000, "centred");
        assert!(!TimelineWindow::around(9_999).is_following());
        assert_eq!(TimelineWindow::around(3).range(0, 20), 0..20);
    }

    #[test]
    fn a_window_over_dropped_entries_is_clamped() {
        let w = TimelineWindow {
            start: 10,
            following: false,
        };
        assert_eq!(w.range(100, 1_000), 100..100 + WINDOW);
        assert_eq!(w.range(0, 20), 0..20);
    }
}
