//! Test support: random mutations of the JSON of valid sample packets
//! ([`super::samples::sample`]), which property tests feed to the decoder and the
//! client session.
//!
//! Mutating real packets reaches what random text cannot: camelCase fields with
//! their case changed, a room ID as a string, a missing `data`, an ID with dots, a
//! known type with another type's data. Many mutations still decode (the readers
//! are tolerant by design), many do not; the tests count both, so a mutation
//! engine that only ever produced garbage (or nothing but valid packets) would
//! fail them.

use proptest::prelude::*;
use serde_json::{Map, Value};

use super::{Packet, PacketKind};

/// Field names of the spec (and near misses), for renaming and adding keys.
const FIELD_NAMES: &[&str] = &[
    "room",
    "id",
    "name",
    "allUsers",
    "all_users",
    "allusers",
    "user",
    "text",
    "time",
    "image",
    "url",
    "type",
    "data",
    "heartbeatRate",
    "heartbeat_rate",
    "rooms",
    "publicKey",
    "public_key",
    "version",
    "username",
    "password",
    "message",
    "error",
    "part",
    "size",
    "accessToken",
    "http",
    "extensions",
    "messageId",
    "message_id",
    "before",
    "after",
    "limit",
    "messages",
    "more",
    "Room",
    "",
];

/// A value to put where another was.
#[derive(Debug, Clone)]
pub(crate) enum Replacement {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    NumericText(i64),
    EmptyList,
    EmptyObject,
    /// The same value, one level deeper in a list.
    Wrapped,
}

impl Replacement {
    fn apply(&self, old: &Value) -> Value {
        match self {
            Self::Null => Value::Null,
            Self::Bool(b) => Value::Bool(*b),
            Self::Int(i) => Value::from(*i),
            Self::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Self::Text(t) => Value::from(t.as_str()),
            Self::NumericText(i) => Value::from(i.to_string()),
            Self::EmptyList => Value::Array(Vec::new()),
            Self::EmptyObject => Value::Object(Map::new()),
            Self::Wrapped => Value::Array(vec![old.clone()]),
        }
    }
}

/// One change to a packet's JSON. `pick` chooses among the value's object keys
/// (all of them, at any depth, in document order), modulo their number.
#[derive(Debug, Clone)]
pub(crate) enum Mutation {
    RemoveKey(usize),
    RenameKey(usize, &'static str),
    /// camelCase to snake_case, or the other way round.
    FlipCase(usize),
    Replace(usize, Replacement),
    AddKey(usize, &'static str, Replacement),
    /// A new `type` string: `Major.Minor[.ID]` built from these parts.
    Retype(TypeChange),
}

/// Ways to change the `type` string.
#[derive(Debug, Clone)]
pub(crate) enum TypeChange {
    DropId,
    Id(String),
    /// Another kind's `Major.Minor`, keeping this packet's data.
    OtherKind(usize),
    LowercaseMajor,
    Error(&'static str),
    Truncate(usize),
}

fn replacement() -> impl Strategy<Value = Replacement> {
    prop_oneof![
        Just(Replacement::Null),
        any::<bool>().prop_map(Replacement::Bool),
        prop_oneof![Just(-1i64), Just(0), Just(1), Just(i64::MAX), any::<i64>()]
            .prop_map(Replacement::Int),
        prop_oneof![Just(1.5f64), Just(-0.0), Just(1e300), any::<f64>()]
            .prop_map(Replacement::Float),
        "[ -~]{0,12}".prop_map(Replacement::Text),
        any::<i64>().prop_map(Replacement::NumericText),
        Just(Replacement::EmptyList),
        Just(Replacement::EmptyObject),
        Just(Replacement::Wrapped),
    ]
}

fn field_name() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(FIELD_NAMES)
}

fn type_change() -> impl Strategy<Value = TypeChange> {
    prop_oneof![
        Just(TypeChange::DropId),
        prop_oneof![
            Just("DontHaveID".to_owned()),
            Just("1".to_owned()),
            Just("a.b.c".to_owned()),
            "[0-9a-z.]{0,6}"
        ]
        .prop_map(TypeChange::Id),
        (0..PacketKind::ALL.len()).prop_map(TypeChange::OtherKind),
        Just(TypeChange::LowercaseMajor),
        proptest::sample::select(
            &[
                "AccessDenied",
                "RoomNotFound",
                "HeartbeatTimeout",
                "Weird",
                ""
            ][..]
        )
        .prop_map(TypeChange::Error),
        (0usize..40).prop_map(TypeChange::Truncate),
    ]
}

/// One random mutation.
pub(crate) fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::RemoveKey),
        (any::<usize>(), field_name()).prop_map(|(p, n)| Mutation::RenameKey(p, n)),
        any::<usize>().prop_map(Mutation::FlipCase),
        (any::<usize>(), replacement()).prop_map(|(p, r)| Mutation::Replace(p, r)),
        (any::<usize>(), field_name(), replacement())
            .prop_map(|(p, n, r)| Mutation::AddKey(p, n, r)),
        type_change().prop_map(Mutation::Retype),
    ]
}

/// A sample packet of a random kind, as JSON, and one to three mutations of it.
pub(crate) fn mutated_sample() -> impl Strategy<Value = (PacketKind, Vec<Mutation>)> {
    (
        proptest::sample::select(PacketKind::ALL),
        proptest::collection::vec(mutation(), 1..=3),
    )
}

/// The JSON text of `packet` after `mutations`.
pub(crate) fn mutate(packet: &Packet, mutations: &[Mutation]) -> String {
    let mut value: Value = serde_json::from_str(&packet.encode()).unwrap_or(Value::Null);
    for m in mutations {
        apply(&mut value, m);
    }
    value.to_string()
}

fn apply(value: &mut Value, mutation: &Mutation) {
    match mutation {
        Mutation::RemoveKey(pick) => with_key(value, *pick, |object, key| {
            object.remove(key);
        }),
        Mutation::RenameKey(pick, name) => with_key(value, *pick, |object, key| {
            if let Some(v) = object.remove(key) {
                object.insert((*name).to_owned(), v);
            }
        }),
        Mutation::FlipCase(pick) => with_key(value, *pick, |object, key| {
            if let Some(v) = object.remove(key) {
                object.insert(flip_case(key), v);
            }
        }),
        Mutation::Replace(pick, with) => with_key(value, *pick, |object, key| {
            if let Some(v) = object.get_mut(key) {
                *v = with.apply(v);
            }
        }),
        Mutation::AddKey(pick, name, with) => {
            let objects = count_objects(value);
            if objects > 0 {
                add_key(value, &mut (*pick % objects), name, with);
            }
        }
        Mutation::Retype(change) => retype(value, change),
    }
}

/// Calls `change` with the object holding the `pick`-th key and that key.
fn with_key(value: &mut Value, pick: usize, change: impl FnOnce(&mut Map<String, Value>, &str)) {
    let keys = count_keys(value);
    if keys > 0 {
        let mut left = pick % keys;
        let mut change = Some(change);
        visit_key(value, &mut left, &mut change);
    }
}

fn visit_key(
    value: &mut Value,
    left: &mut usize,
    change: &mut Option<impl FnOnce(&mut Map<String, Value>, &str)>,
) {
    match value {
        Value::Object(object) => {
            let keys: Vec<String> = object.keys().cloned().collect();
            for key in keys {
                if *left == 0 {
                    if let Some(change) = change.take() {
                        change(object, &key);
                    }
                    return;
                }
                *left -= 1;
                if let Some(child) = object.get_mut(&key) {
                    visit_key(child, left, change);
                }
                if change.is_none() {
                    return;
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                visit_key(item, left, change);
                if change.is_none() {
                    return;
                }
            }
        }
        _ => {}
    }
}

fn count_keys(value: &Value) -> usize {
    match value {
        Value::Object(o) => o.len() + o.values().map(count_keys).sum::<usize>(),
        Value::Array(a) => a.iter().map(count_keys).sum(),
        _ => 0,
    }
}

fn count_objects(value: &Value) -> usize {
    match value {
        Value::Object(o) => 1 + o.values().map(count_objects).sum::<usize>(),
        Value::Array(a) => a.iter().map(count_objects).sum(),
        _ => 0,
    }
}

fn add_key(value: &mut Value, left: &mut usize, name: &str, with: &Replacement) -> bool {
    match value {
        Value::Object(object) => {
            if *left == 0 {
                object.insert(name.to_owned(), with.apply(&Value::Null));
                return true;
            }
            *left -= 1;
            object
                .values_mut()
                .any(|child| add_key(child, left, name, with))
        }
        Value::Array(items) => items.iter_mut().any(|item| add_key(item, left, name, with)),
        _ => false,
    }
}

fn flip_case(key: &str) -> String {
    if key.contains('_') {
        let mut out = String::new();
        let mut upper = false;
        for c in key.chars() {
            if c == '_' {
                upper = true;
            } else if upper {
                out.extend(c.to_uppercase());
                upper = false;
            } else {
                out.push(c);
            }
        }
        out
    } else {
        key.chars()
            .flat_map(|c| {
                let lower = c.to_lowercase();
                if c.is_uppercase() {
                    vec!['_'].into_iter().chain(lower).collect::<Vec<_>>()
                } else {
                    lower.collect()
                }
            })
            .collect()
    }
}

fn retype(value: &mut Value, change: &TypeChange) {
    let Some(Value::String(type_string)) = value.get("type").cloned() else {
        return;
    };
    let mut parts = type_string.splitn(3, '.');
    let (major, minor) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let id = parts.next();
    let with_id = |major: &str, minor: &str| match id {
        Some(id) => format!("{major}.{minor}.{id}"),
        None => format!("{major}.{minor}"),
    };
    let new = match change {
        TypeChange::DropId => format!("{major}.{minor}"),
        TypeChange::Id(id) => format!("{major}.{minor}.{id}"),
        TypeChange::OtherKind(index) => {
            let other = PacketKind::ALL[index % PacketKind::ALL.len()];
            with_id(other.major(), other.minor())
        }
        TypeChange::LowercaseMajor => with_id(&major.to_lowercase(), minor),
        TypeChange::Error(kind) => with_id("Error", kind),
        TypeChange::Truncate(len) => type_string.chars().take(*len).collect(),
    };
    if let Some(object) = value.as_object_mut() {
        object.insert("type".to_owned(), Value::String(new));
    }
}

#[cfg(test)]
mod tests {
    use super::super::samples::sample;
    use super::*;

    #[test]
    fn keys_are_picked_at_every_depth_and_cases_flip_both_ways() {
        // Keys in order: data, extensions, heartbeatRate, rooms, allUsers, id, name, type.
        let packet = sample(PacketKind::Accepted);
        let json = mutate(&packet, &[Mutation::FlipCase(4)]);
        assert!(json.contains("all_users"), "{json}");
        assert_eq!(flip_case("all_users"), "allUsers");
        let json = mutate(
            &packet,
            &[Mutation::Replace(0, Replacement::NumericText(7))],
        );
        assert!(json.contains(r#""data":"7""#), "{json}");
        let json = mutate(&packet, &[Mutation::Retype(TypeChange::DropId)]);
        assert!(
            json.contains(r#""type":"Authentication.Accepted""#),
            "{json}"
        );
    }
}
