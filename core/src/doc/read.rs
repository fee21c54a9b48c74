//! The tolerant reader: typed values out of a hydrated Automerge tree, where every field that
//! has the wrong type or an invalid value becomes a [`ValidationProblem`] and falls back,
//! instead of failing the whole read.
//!
//! Absent fields (and explicit nulls) read as absent or default without a problem, so documents
//! written by an older schema that lacked a field still read cleanly.

use std::fmt;

use automerge::ScalarValue;
use automerge::hydrate::{Map, Value};
use time::Date;

use super::codec::{DocName, parse_date};
use super::error::{Fallback, ValidationProblem};
use crate::money::{Currency, Money};
use crate::probability::Probability;
use crate::timestamp::Timestamp;

/// A location in a document, kept as segments and shown as a JSON Pointer.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub(crate) struct Path(Vec<String>);

impl Path {
    pub(crate) fn root() -> Self {
        Path(Vec::new())
    }

    pub(crate) fn child(&self, segment: &str) -> Self {
        let mut segments = self.0.clone();
        segments.push(segment.to_owned());
        Path(segments)
    }

    pub(crate) fn from_segments(segments: Vec<String>) -> Self {
        Path(segments)
    }
}

impl fmt::Display for Path {
    /// RFC 6901: `~` becomes `~0` and `/` becomes `~1` inside a segment.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("/");
        }
        for segment in &self.0 {
            write!(f, "/{}", segment.replace('~', "~0").replace('/', "~1"))?;
        }
        Ok(())
    }
}

/// Collects validation problems while values are read.
#[derive(Debug, Default)]
pub(crate) struct Reader {
    pub(crate) problems: Vec<ValidationProblem>,
}

/// A field of a map; absent and null are both `None`.
pub(crate) fn field<'a>(map: &'a Map, key: &str) -> Option<&'a Value> {
    match map.get(key) {
        None | Some(Value::Scalar(ScalarValue::Null)) => None,
        Some(value) => Some(value),
    }
}

/// The entries of a hydrated map in key order. Not generic, and kept out of the generic
/// [`Reader::records`]: a sort written inside a generic function is compiled once per
/// instantiation (fourteen record types in the deal reader), this one is compiled once.
fn entries_by_key(map: &Map) -> Vec<(&String, &Value)> {
    let mut entries: Vec<(&String, &Value)> =
        map.iter().map(|(key, entry)| (key, &entry.value)).collect();
    entries.sort_unstable_by(|left, right| left.0.cmp(right.0));
    entries
}

/// A short description of a value for validation problems, e.g. `int 42` or `map`.
pub(crate) fn describe(value: Option<&Value>) -> String {
    let Some(value) = value else {
        return "missing".to_owned();
    };
    match value {
        Value::Map(_) => "a map".to_owned(),
        Value::List(_) => "a list".to_owned(),
        Value::Text(_) => "text".to_owned(),
        Value::Scalar(scalar) => match scalar {
            ScalarValue::Str(text) => {
                let shown: String = text.chars().take(40).collect();
                format!("string {shown:?}")
            }
            ScalarValue::Int(number) => format!("int {number}"),
            ScalarValue::Uint(number) => format!("uint {number}"),
            ScalarValue::F64(number) => format!("float {number}"),
            ScalarValue::Counter(counter) => format!("counter {counter}"),
            ScalarValue::Timestamp(millis) => format!("timestamp {millis}"),
            ScalarValue::Boolean(flag) => format!("boolean {flag}"),
            ScalarValue::Null => "null".to_owned(),
            ScalarValue::Bytes(bytes) => format!("{} bytes", bytes.len()),
            ScalarValue::Unknown { type_code, .. } => format!("unknown type {type_code}"),
        },
    }
}

impl Reader {
    /// Records that `value` at `path` is not what the schema expects.
    pub(crate) fn wrong(
        &mut self,
        path: &Path,
        expected: &str,
        value: Option<&Value>,
        fallback: Fallback,
    ) {
        self.problems.push(ValidationProblem::new(
            path.to_string(),
            expected,
            describe(value),
            fallback,
        ));
    }

    /// A string register or a text object, as a string; `None` when absent.
    pub(crate) fn opt_string(&mut self, map: &Map, path: &Path, key: &str) -> Option<String> {
        match field(map, key) {
            None => None,
            Some(Value::Scalar(ScalarValue::Str(text))) => Some(text.to_string()),
            Some(Value::Text(text)) => Some(String::from(text)),
            Some(other) => {
                self.wrong(&path.child(key), "a string", Some(other), Fallback::Default);
                None
            }
        }
    }

    /// A string or text, empty when absent.
    pub(crate) fn string(&mut self, map: &Map, path: &Path, key: &str) -> String {
        self.opt_string(map, path, key).unwrap_or_default()
    }

    /// A validated id; `None` (with a problem) when invalid.
    pub(crate) fn opt_id<T>(&mut self, map: &Map, path: &Path, key: &str) -> Option<T>
    where
        T: TryFrom<String>,
    {
        let value = field(map, key)?;
        if let Value::Scalar(ScalarValue::Str(text)) = value
            && let Ok(id) = T::try_from(text.to_string())
        {
            return Some(id);
        }
        self.wrong(&path.child(key), "an id", Some(value), Fallback::Default);
        None
    }

    /// A required id; `fallback` (with a problem) when absent or invalid.
    pub(crate) fn id<T>(&mut self, map: &Map, path: &Path, key: &str, fallback: &T) -> T
    where
        T: TryFrom<String> + Clone,
    {
        if field(map, key).is_none() {
            self.wrong(&path.child(key), "an id", None, Fallback::Default);
            return fallback.clone();
        }
        self.opt_id(map, path, key)
            .unwrap_or_else(|| fallback.clone())
    }

    /// An instant; accepts Automerge timestamps and plain integers (milliseconds).
    pub(crate) fn opt_timestamp(&mut self, map: &Map, path: &Path, key: &str) -> Option<Timestamp> {
        match field(map, key)? {
            Value::Scalar(ScalarValue::Timestamp(millis) | ScalarValue::Int(millis)) => {
                Some(Timestamp::from_millis(*millis))
            }
            Value::Scalar(ScalarValue::Uint(millis)) => Some(Timestamp::from_millis(
                i64::try_from(*millis).unwrap_or(i64::MAX),
            )),
            other => {
                self.wrong(
                    &path.child(key),
                    "a timestamp",
                    Some(other),
                    Fallback::Default,
                );
                None
            }
        }
    }

    /// A required instant; the epoch (with a problem) when absent or invalid.
    pub(crate) fn timestamp(&mut self, map: &Map, path: &Path, key: &str) -> Timestamp {
        if field(map, key).is_none() {
            self.wrong(&path.child(key), "a timestamp", None, Fallback::Default);
        }
        self.opt_timestamp(map, path, key)
            .unwrap_or(Timestamp::from_millis(0))
    }

    /// A calendar date stored as `YYYY-MM-DD`.
    pub(crate) fn opt_date(&mut self, map: &Map, path: &Path, key: &str) -> Option<Date> {
        let value = field(map, key)?;
        if let Value::Scalar(ScalarValue::Str(text)) = value
            && let Some(date) = parse_date(text)
        {
            return Some(date);
        }
        self.wrong(
            &path.child(key),
            "a date YYYY-MM-DD",
            Some(value),
            Fallback::Default,
        );
        None
    }

    /// Money stored as `{ minor, currency }`.
    pub(crate) fn opt_money(&mut self, map: &Map, path: &Path, key: &str) -> Option<Money> {
        let value = field(map, key)?;
        if let Value::Map(money) = value {
            let minor = match money.get("minor") {
                Some(Value::Scalar(ScalarValue::Int(minor))) => Some(*minor),
                Some(Value::Scalar(ScalarValue::Uint(minor))) => i64::try_from(*minor).ok(),
                _ => None,
            };
            let currency = match money.get("currency") {
                Some(Value::Scalar(ScalarValue::Str(code))) => code.parse::<Currency>().ok(),
                _ => None,
            };
            if let (Some(minor), Some(currency)) = (minor, currency) {
                return Some(Money::new(minor, currency));
            }
        }
        self.wrong(
            &path.child(key),
            "money { minor, currency }",
            Some(value),
            Fallback::Default,
        );
        None
    }

    /// Required money; zero in `fallback_currency` (with a problem) when absent or invalid.
    pub(crate) fn money(
        &mut self,
        map: &Map,
        path: &Path,
        key: &str,
        fallback_currency: Currency,
    ) -> Money {
        if field(map, key).is_none() {
            self.wrong(
                &path.child(key),
                "money { minor, currency }",
                None,
                Fallback::Default,
            );
        }
        self.opt_money(map, path, key)
            .unwrap_or(Money::zero(fallback_currency))
    }

    /// A field-less enum stored as its name.
    pub(crate) fn opt_name<T: DocName>(&mut self, map: &Map, path: &Path, key: &str) -> Option<T> {
        let value = field(map, key)?;
        if let Value::Scalar(ScalarValue::Str(name)) = value
            && let Some(variant) = T::from_doc_name(name)
        {
            return Some(variant);
        }
        self.wrong(
            &path.child(key),
            T::EXPECTED,
            Some(value),
            Fallback::Default,
        );
        None
    }

    /// A required enum; `fallback` (with a problem) when absent or invalid.
    pub(crate) fn name<T: DocName>(&mut self, map: &Map, path: &Path, key: &str, fallback: T) -> T {
        if field(map, key).is_none() {
            self.wrong(&path.child(key), T::EXPECTED, None, Fallback::Default);
        }
        self.opt_name(map, path, key).unwrap_or(fallback)
    }

    /// A boolean, `false` when absent.
    pub(crate) fn boolean(&mut self, map: &Map, path: &Path, key: &str) -> bool {
        match field(map, key) {
            None => false,
            Some(Value::Scalar(ScalarValue::Boolean(flag))) => *flag,
            Some(other) => {
                self.wrong(
                    &path.child(key),
                    "a boolean",
                    Some(other),
                    Fallback::Default,
                );
                false
            }
        }
    }

    /// A signed integer (`Int` or `Uint` that fits).
    pub(crate) fn opt_int(&mut self, map: &Map, path: &Path, key: &str) -> Option<i64> {
        let value = field(map, key)?;
        match value {
            Value::Scalar(ScalarValue::Int(number)) => return Some(*number),
            Value::Scalar(ScalarValue::Uint(number)) => {
                if let Ok(number) = i64::try_from(*number) {
                    return Some(number);
                }
            }
            _ => {}
        }
        self.wrong(
            &path.child(key),
            "an integer",
            Some(value),
            Fallback::Default,
        );
        None
    }

    /// A non-negative integer that fits `T` (e.g. `u16` basis points, `u32` days).
    pub(crate) fn opt_unsigned<T>(&mut self, map: &Map, path: &Path, key: &str) -> Option<T>
    where
        T: TryFrom<u64> + TryFrom<i64>,
    {
        let value = field(map, key)?;
        let converted = match value {
            Value::Scalar(ScalarValue::Uint(number)) => T::try_from(*number).ok(),
            Value::Scalar(ScalarValue::Int(number)) => T::try_from(*number).ok(),
            _ => None,
        };
        if converted.is_none() {
            self.wrong(
                &path.child(key),
                "a non-negative integer in range",
                Some(value),
                Fallback::Default,
            );
        }
        converted
    }

    /// A probability in basis points.
    pub(crate) fn opt_probability(
        &mut self,
        map: &Map,
        path: &Path,
        key: &str,
    ) -> Option<Probability> {
        let basis_points: u16 = self.opt_unsigned(map, path, key)?;
        match Probability::from_basis_points(basis_points) {
            Ok(probability) => Some(probability),
            Err(_) => {
                self.wrong(
                    &path.child(key),
                    "basis points 0..=10000",
                    field(map, key),
                    Fallback::Default,
                );
                None
            }
        }
    }

    /// A nested map; `None` when absent, and with a problem when it is something else.
    pub(crate) fn opt_map<'a>(&mut self, map: &'a Map, path: &Path, key: &str) -> Option<&'a Map> {
        match field(map, key)? {
            Value::Map(inner) => Some(inner),
            other => {
                self.wrong(&path.child(key), "a map", Some(other), Fallback::Default);
                None
            }
        }
    }

    /// A list of strings; entries that are not strings are dropped with a problem.
    pub(crate) fn string_list(&mut self, map: &Map, path: &Path, key: &str) -> Vec<String> {
        match field(map, key) {
            None => Vec::new(),
            Some(Value::List(list)) => {
                let list_path = path.child(key);
                let mut strings = Vec::with_capacity(list.len());
                for (index, item) in list.iter().enumerate() {
                    match &item.value {
                        Value::Scalar(ScalarValue::Str(text)) => strings.push(text.to_string()),
                        other => self.wrong(
                            &list_path.child(&index.to_string()),
                            "a string",
                            Some(other),
                            Fallback::Skipped,
                        ),
                    }
                }
                strings
            }
            Some(other) => {
                self.wrong(
                    &path.child(key),
                    "a list of strings",
                    Some(other),
                    Fallback::Default,
                );
                Vec::new()
            }
        }
    }

    /// The entries of a map of records keyed by id, in key order; entries that are not maps are
    /// skipped with a problem. `read` gets each record's map, path and key.
    pub(crate) fn records<T>(
        &mut self,
        map: &Map,
        path: &Path,
        key: &str,
        mut read: impl FnMut(&mut Reader, &Map, &Path, &str) -> Option<T>,
    ) -> Vec<T> {
        let Some(collection) = self.opt_map(map, path, key) else {
            return Vec::new();
        };
        let collection_path = path.child(key);
        let entries = entries_by_key(collection);
        let mut records = Vec::with_capacity(entries.len());
        for (record_key, value) in entries {
            let record_path = collection_path.child(record_key);
            match value {
                Value::Map(record) => {
                    if let Some(record) = read(self, record, &record_path, record_key) {
                        records.push(record);
                    }
                }
                Value::Scalar(ScalarValue::Null) => {}
                other => self.wrong(&record_path, "a record map", Some(other), Fallback::Skipped),
            }
        }
        records
    }

    /// A record key as a validated id, or a problem and `None` (the record is skipped).
    pub(crate) fn record_id<T>(&mut self, path: &Path, key: &str) -> Option<T>
    where
        T: TryFrom<String>,
    {
        match T::try_from(key.to_owned()) {
            Ok(id) => Some(id),
            Err(_) => {
                self.problems.push(ValidationProblem::new(
                    path.to_string(),
                    "a valid record id as key",
                    format!("key {key:?}"),
                    Fallback::Skipped,
                ));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Map {
        automerge::hydrate_map! {
            "title" => "deal",
            "count" => 42_i64,
            "day" => "2026-03-31",
            "bad_day" => "31.03.2026",
            "amount" => automerge::hydrate_map! { "minor" => 100_i64, "currency" => "CNY" },
        }
    }

    #[test]
    fn wrong_types_become_problems_and_fall_back() {
        let map = sample();
        let root = Path::root();
        let mut reader = Reader::default();
        assert_eq!(reader.string(&map, &root, "title"), "deal");
        assert_eq!(reader.string(&map, &root, "count"), "");
        assert_eq!(reader.opt_date(&map, &root, "bad_day"), None);
        assert_eq!(
            reader.opt_date(&map, &root, "day"),
            Some(time::macros::date!(2026 - 03 - 31))
        );
        assert_eq!(
            reader.opt_money(&map, &root, "amount"),
            Some(Money::new(100, Currency::CNY))
        );
        assert_eq!(reader.opt_string(&map, &root, "absent"), None);
        let paths: Vec<&str> = reader.problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["/count", "/bad_day"]);
        assert_eq!(reader.problems[0].found, "int 42");
    }

    #[test]
    fn paths_escape_like_json_pointers() {
        let path = Path::root().child("tasks").child("t1/a~b");
        assert_eq!(path.to_string(), "/tasks/t1~1a~0b");
        assert_eq!(Path::root().to_string(), "/");
    }
}
