//! Extension negotiation at sign-in (`docs/extensions.md` section 1): which of the
//! extensions a Login/Register offers this server agrees to, and what its `Accepted`
//! says about it.

use miricat_shared::packet::extension::{Extension, ExtensionNames, ExtensionSet};

use crate::config::Config;

/// The extensions this server's configuration offers.
pub fn supported(config: &Config) -> ExtensionSet {
    let mut set = ExtensionSet::EMPTY;
    if config.history {
        set.insert(Extension::History);
    }
    set
}

/// What one connection agreed to at sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Agreement {
    /// The extensions in force on the connection.
    pub agreed: ExtensionSet,
    /// The `extensions` field of its `Accepted`: present exactly when the sign-in
    /// carried one, so a plain client's `Accepted` is exactly as before.
    pub accepted_field: Option<ExtensionNames>,
}

/// Agrees to the offered extensions that `supported` contains (unknown names, other
/// versions and anything unreadable are simply not agreed to).
pub fn agree(offer: Option<&ExtensionNames>, supported: ExtensionSet) -> Agreement {
    let Some(offer) = offer else {
        return Agreement::default();
    };
    let agreed = ExtensionSet::from_names(offer).intersection(supported);
    Agreement {
        agreed,
        accepted_field: Some(agreed.to_names()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> ExtensionNames {
        list.iter().copied().collect()
    }

    #[test]
    fn agrees_only_when_asked_and_only_to_what_it_supports() {
        let all = ExtensionSet::all();
        assert_eq!(agree(None, all), Agreement::default());
        let asked = agree(Some(&names(&["typing/1", "history/1", "history/1"])), all);
        assert!(asked.agreed.contains(Extension::History));
        assert_eq!(asked.accepted_field, Some(names(&["history/1"])));
        for offer in [names(&[]), names(&["history/2", "HISTORY/1"])] {
            let nothing = agree(Some(&offer), all);
            assert!(nothing.agreed.is_empty());
            assert_eq!(nothing.accepted_field, Some(names(&[])));
        }
        let off = agree(Some(&names(&["history/1"])), ExtensionSet::EMPTY);
        assert_eq!(off.accepted_field, Some(names(&[])));
    }

    #[test]
    fn history_follows_the_configuration() {
        let mut config = Config::new("x.db");
        assert!(supported(&config).contains(Extension::History));
        config.history = false;
        assert!(supported(&config).is_empty());
    }
}
