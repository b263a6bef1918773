//! `User.*`: root-only account administration.

use serde::{Deserialize, Serialize};

/// `User.Delete`, `User.Created` and `User.Deleted` data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Username {
    /// The account name.
    pub username: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_spec_fixture() {
        let u: Username = serde_json::from_str(r#"{"username":"alice"}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&u).unwrap(),
            r#"{"username":"alice"}"#
        );
    }
}
