//! Tolerant readers for fields that MCP servers write in more than one way
//! (`WIRE.md` section 8): timestamps and string-or-number IDs; and for the fields of
//! negotiated extensions, which a foreign server may happen to send in another shape
//! and which must then read as absent rather than lose the packet around them.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// A message time in Unix epoch milliseconds.
///
/// Written as a JSON number; read from a number, a numeric string or an RFC 3339
/// string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub u64);

impl Timestamp {
    /// Milliseconds since the Unix epoch.
    pub fn millis(self) -> u64 {
        self.0
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.0)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimestampVisitor;
        impl Visitor<'_> for TimestampVisitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("milliseconds as a number or string, or an RFC 3339 time")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timestamp, E> {
                Ok(Timestamp(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timestamp, E> {
                u64::try_from(v)
                    .map(Timestamp)
                    .map_err(|_| E::custom("time before 1970"))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Timestamp, E> {
                if v.is_finite() && v >= 0.0 && v < u64::MAX as f64 {
                    Ok(Timestamp(v as u64))
                } else {
                    Err(E::custom("time out of range"))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                let v = v.trim();
                if let Ok(ms) = v.parse::<u64>() {
                    return Ok(Timestamp(ms));
                }
                let parsed =
                    time::OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339)
                        .map_err(|_| E::custom("time is neither milliseconds nor RFC 3339"))?;
                let ms = parsed.unix_timestamp_nanos() / 1_000_000;
                u64::try_from(ms)
                    .map(Timestamp)
                    .map_err(|_| E::custom("time before 1970"))
            }
        }
        deserializer.deserialize_any(TimestampVisitor)
    }
}

/// Reads a JSON string or number as a `String` (image IDs are strings in the spec, but
/// servers backed by integer keys send numbers).
pub fn string_or_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    struct IdVisitor;
    impl Visitor<'_> for IdVisitor {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string or a number")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
    }
    deserializer.deserialize_any(IdVisitor)
}

/// The largest message ID (`docs/extensions.md`): 2^53 - 1, exact in JavaScript.
pub const MAX_MESSAGE_ID: u64 = (1 << 53) - 1;

/// Reads an optional `messageId`: a positive integer up to [`MAX_MESSAGE_ID`].
/// Anything else (a string, a float, zero, a list) reads as absent: a field of that
/// name from a server that means something else by it must not cost the message.
pub fn optional_message_id<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u64>, D::Error> {
    Ok(match Option::<Scalar<0>>::deserialize(deserializer)? {
        Some(Scalar::Unsigned(id)) if (1..=MAX_MESSAGE_ID).contains(&id) => Some(id),
        _ => None,
    })
}

/// Any JSON value, keeping only what a tolerant reader may use: an unsigned integer,
/// or a string of at most `MAX_TEXT` bytes. Everything else (longer strings,
/// negative or fractional numbers, lists and objects, which are drained without being
/// kept) is `Other`, so reading it costs no memory beyond `MAX_TEXT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scalar<const MAX_TEXT: usize> {
    Unsigned(u64),
    Text(String),
    Other,
}

impl<const MAX_TEXT: usize> Scalar<MAX_TEXT> {
    pub(crate) fn drain_map<'de, A: de::MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
        while map
            .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
            .is_some()
        {}
        Ok(())
    }
}

impl<'de, const MAX_TEXT: usize> Deserialize<'de> for Scalar<MAX_TEXT> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor::<MAX_TEXT>)
    }
}

struct ScalarVisitor<const MAX_TEXT: usize>;

impl<'de, const MAX_TEXT: usize> Visitor<'de> for ScalarVisitor<MAX_TEXT> {
    type Value = Scalar<MAX_TEXT>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::Unsigned(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(u64::try_from(v).map_or(Scalar::Other, Scalar::Unsigned))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Scalar::Other)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Other)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(if v.len() <= MAX_TEXT {
            Scalar::Text(v.to_owned())
        } else {
            Scalar::Other
        })
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Other)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Scalar::<MAX_TEXT>::drain_map(map)?;
        Ok(Scalar::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_time_form() {
        let read = |json: &str| serde_json::from_str::<Timestamp>(json).map(Timestamp::millis);
        assert_eq!(read("1700000000000").unwrap(), 1_700_000_000_000);
        assert_eq!(read("1700000000000.0").unwrap(), 1_700_000_000_000);
        assert_eq!(read("\"1700000000000\"").unwrap(), 1_700_000_000_000);
        assert_eq!(read("\"2023-11-14T22:13:20Z\"").unwrap(), 1_700_000_000_000);
        assert_eq!(
            read("\"2023-11-14T23:13:20.5+01:00\"").unwrap(),
            1_700_000_000_500
        );
        assert!(read("\"yesterday\"").is_err());
        assert!(read("-5").is_err());
        assert!(read("null").is_err());
        assert_eq!(serde_json::to_string(&Timestamp(5)).unwrap(), "5");
    }

    #[test]
    fn message_ids_are_positive_safe_integers_or_absent() {
        #[derive(Deserialize)]
        struct Data {
            #[serde(default, deserialize_with = "optional_message_id")]
            id: Option<u64>,
        }
        let read = |json: &str| serde_json::from_str::<Data>(json).unwrap().id;
        assert_eq!(read(r#"{"id":4711}"#), Some(4711));
        assert_eq!(read(r#"{"id":9007199254740991}"#), Some(MAX_MESSAGE_ID));
        assert_eq!(read("{}"), None);
        for other in [
            "null",
            "0",
            "-3",
            "9007199254740992",
            "1.0",
            r#""4711""#,
            "[4711]",
            r#"{"id":1}"#,
            "true",
        ] {
            assert_eq!(read(&format!(r#"{{"id":{other}}}"#)), None, "{other}");
        }
    }
}
