//! The colour theme the reader chose: follow the system, or force light or dark.
//!
//! Pure, so the cycle and the stored form are tested natively; the page applies a
//! choice as `<html data-theme="…">` (`services::page::apply_theme`), and the
//! stylesheet turns that into `color-scheme`, which picks every colour.

/// One of the three theme choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    /// Whatever the operating system prefers (the default).
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl Theme {
    /// The choice after this one, so a single button can cycle through all three.
    pub fn next(self) -> Self {
        match self {
            Self::System => Self::Light,
            Self::Light => Self::Dark,
            Self::Dark => Self::System,
        }
    }

    /// The word stored in local storage and put in `data-theme`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }

    /// Reads a stored word; anything unknown (or nothing) follows the system.
    pub fn parse(stored: Option<&str>) -> Self {
        match stored {
            Some("light") => Self::Light,
            Some("dark") => Self::Dark,
            _ => Self::System,
        }
    }

    /// What the theme button says.
    pub fn label(self) -> &'static str {
        match self {
            Self::System => "Theme: system",
            Self::Light => "Theme: light",
            Self::Dark => "Theme: dark",
        }
    }

    /// A symbol beside the label (decoration; screen readers skip it).
    pub fn symbol(self) -> &'static str {
        match self {
            Self::System => "◐",
            Self::Light => "☀",
            Self::Dark => "☾",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Theme;

    #[test]
    fn the_button_cycles_through_all_three() {
        let seen: Vec<Theme> = std::iter::successors(Some(Theme::System), |t| Some(t.next()))
            .take(4)
            .collect();
        assert_eq!(
            seen,
            [Theme::System, Theme::Light, Theme::Dark, Theme::System]
        );
    }

    #[test]
    fn stored_words_round_trip_and_unknown_ones_follow_the_system() {
        for theme in [Theme::System, Theme::Light, Theme::Dark] {
            assert_eq!(Theme::parse(Some(theme.as_str())), theme);
        }
        assert_eq!(Theme::parse(None), Theme::System);
        assert_eq!(Theme::parse(Some("purple")), Theme::System);
    }
}
