//! Tolerant readers for fields that MCP servers write in more than one way
//! (`WIRE.md` section 8): timestamps and string-or-number IDs.

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
}
