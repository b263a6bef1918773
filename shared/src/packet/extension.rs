//! Negotiated extensions (`docs/extensions.md` section 1): the `extensions` field a
//! client adds to its Login/Register data and a server answers in `Accepted`, the
//! extensions this crate knows, and the set a connection agreed to.
//!
//! Both sides read the field tolerantly and with bounded memory: at most
//! [`MAX_OFFERED_NAMES`] names of at most [`MAX_NAME_BYTES`] bytes are kept, anything
//! else in it (longer names, other JSON values, a value that is not a list) is
//! ignored. A peer that sends a field it does not understand must still sign in: an
//! extension can never break the plain protocol.

use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::lenient::Scalar;

/// Names read from one `extensions` field; the rest is ignored.
pub const MAX_OFFERED_NAMES: usize = 16;
/// Longest name read, in bytes; longer ones are ignored.
pub const MAX_NAME_BYTES: usize = 32;

/// An extension this crate implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Extension {
    /// `history/1`: a room's past messages, and `messageId` on live messages.
    History,
}

impl Extension {
    /// Every extension this crate implements.
    pub const ALL: &'static [Extension] = &[Extension::History];

    /// Its `<name>/<major version>` on the wire.
    pub fn name(self) -> &'static str {
        match self {
            Self::History => "history/1",
        }
    }

    /// The extension a wire name stands for (exact match: names are case-sensitive,
    /// and another major version is another extension).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|e| e.name() == name)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for Extension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of known extensions: what a client offers, what a server supports, what a
/// connection agreed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct ExtensionSet(u8);

impl ExtensionSet {
    /// No extension.
    pub const EMPTY: ExtensionSet = ExtensionSet(0);

    /// Every extension this crate implements.
    pub fn all() -> Self {
        Extension::ALL.iter().copied().collect()
    }

    /// Whether `extension` is in the set.
    pub fn contains(self, extension: Extension) -> bool {
        self.0 & extension.bit() != 0
    }

    /// Adds `extension`.
    pub fn insert(&mut self, extension: Extension) {
        self.0 |= extension.bit();
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The extensions in both sets: what a server agrees to (offered and supported),
    /// and what a client may rely on (offered and agreed).
    pub fn intersection(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    /// The known extensions among `names` (unknown names are ignored).
    pub fn from_names(names: &ExtensionNames) -> Self {
        names.iter().filter_map(Extension::from_name).collect()
    }

    /// The extensions in the set, in [`Extension::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Extension> {
        Extension::ALL
            .iter()
            .copied()
            .filter(move |e| self.contains(*e))
    }

    /// The set as an `extensions` field.
    pub fn to_names(self) -> ExtensionNames {
        ExtensionNames(self.iter().map(|e| e.name().to_owned()).collect())
    }
}

impl FromIterator<Extension> for ExtensionSet {
    fn from_iter<I: IntoIterator<Item = Extension>>(iter: I) -> Self {
        let mut set = Self::EMPTY;
        for extension in iter {
            set.insert(extension);
        }
        set
    }
}

/// The `extensions` field as it travels: names, known or not. Written as a JSON list
/// of strings; read as described in the module docs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExtensionNames(Vec<String>);

impl ExtensionNames {
    /// The names, in the order they came.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    /// How many names were kept.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no name was kept.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<S: Into<String>> FromIterator<S> for ExtensionNames {
    /// Keeps the names the reader would keep (so a value built here round-trips).
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        Self(
            iter.into_iter()
                .map(Into::into)
                .filter(|n| n.len() <= MAX_NAME_BYTES)
                .take(MAX_OFFERED_NAMES)
                .collect(),
        )
    }
}

impl Serialize for ExtensionNames {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ExtensionNames {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NamesVisitor)
    }
}

/// Reads a list, keeping its first short strings; any other value is an empty list.
struct NamesVisitor;

impl<'de> Visitor<'de> for NamesVisitor {
    type Value = ExtensionNames;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of extension names")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ExtensionNames, A::Error> {
        let mut names = Vec::new();
        while let Some(item) = seq.next_element::<Scalar<MAX_NAME_BYTES>>()? {
            if let Scalar::Text(name) = item
                && names.len() < MAX_OFFERED_NAMES
            {
                names.push(name);
            }
        }
        Ok(ExtensionNames(names))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<ExtensionNames, A::Error> {
        Scalar::<0>::drain_map(map)?;
        Ok(ExtensionNames::default())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<ExtensionNames, E> {
        Ok(ExtensionNames::default())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<ExtensionNames, E> {
        Ok(ExtensionNames::default())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<ExtensionNames, E> {
        Ok(ExtensionNames::default())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<ExtensionNames, E> {
        Ok(ExtensionNames::default())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<ExtensionNames, E> {
        Ok(ExtensionNames::default())
    }

    fn visit_unit<E: de::Error>(self) -> Result<ExtensionNames, E> {
        Ok(ExtensionNames::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Vec<String> {
        serde_json::from_str::<ExtensionNames>(json).unwrap().0
    }

    #[test]
    fn names_round_trip_and_unknown_ones_are_kept_but_not_known() {
        let names: ExtensionNames = ["history/1", "typing/2"].into_iter().collect();
        let json = serde_json::to_string(&names).unwrap();
        assert_eq!(json, r#"["history/1","typing/2"]"#);
        assert_eq!(
            serde_json::from_str::<ExtensionNames>(&json).unwrap(),
            names
        );
        let set = ExtensionSet::from_names(&names);
        assert_eq!(set.iter().collect::<Vec<_>>(), [Extension::History]);
        assert_eq!(set.to_names().iter().collect::<Vec<_>>(), ["history/1"]);
    }

    #[test]
    fn names_are_exact_and_versioned() {
        for other in ["History/1", "history/2", "history", " history/1", ""] {
            assert_eq!(Extension::from_name(other), None, "{other:?}");
        }
    }

    #[test]
    fn at_most_16_names_of_at_most_32_bytes_are_read() {
        let many: Vec<String> = (0..40).map(|i| format!("\"x{i}\"")).collect();
        let read_many = read(&format!("[{}]", many.join(",")));
        assert_eq!(read_many.len(), MAX_OFFERED_NAMES);
        assert_eq!(read_many[0], "x0");
        let long = "y".repeat(MAX_NAME_BYTES + 1);
        let exact = "z".repeat(MAX_NAME_BYTES);
        assert_eq!(
            read(&format!(r#"["{long}","{exact}","history/1"]"#)),
            [exact.as_str(), "history/1"]
        );
        // Built by hand, the same rules apply, so what is written is what is read.
        let built: ExtensionNames = [long.as_str(), "a"].into_iter().collect();
        assert_eq!(built.0, ["a"]);
    }

    #[test]
    fn any_other_value_is_read_as_no_names() {
        for json in [
            r#""history/1""#,
            "5",
            "-1",
            "1.5",
            "true",
            r#"{"history/1":true}"#,
        ] {
            assert!(read(json).is_empty(), "{json}");
        }
        assert_eq!(
            read(r#"[1,null,{"a":[1,2]},["history/1"],"history/1",false]"#),
            ["history/1"]
        );
    }

    #[test]
    fn sets_intersect() {
        let all = ExtensionSet::all();
        assert!(all.contains(Extension::History));
        assert!(all.intersection(ExtensionSet::EMPTY).is_empty());
        assert_eq!(all.intersection(all), all);
    }
}
