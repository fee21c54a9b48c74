//! Moving values across the JS boundary, compactly.
//!
//! **Out**: boundary types derive `Serialize` and become JS objects through
//! serde-wasm-bindgen.
//!
//! **In**: arguments are read field by field with [`Fields`], straight into core types
//! ([`FromJs`]), instead of through serde's derived `Deserialize`. A derived deserializer costs
//! several kilobytes of wasm per type (a visitor, a field matcher, a sequence form, and for
//! tagged enums a buffering pass); the readers here are a few calls per field, which keeps the
//! whole module within its 700 KB gzip budget. The TypeScript declarations still come from the
//! tsify types, and the wasm tests round-trip every input type through its declaration, so a
//! reader and its declaration cannot drift apart.

use serde::Serialize;
use tsify::{Ts, Tsify};
use wasm_bindgen::{JsCast, JsValue};

use crate::error::{Failure, JsResult};

/// Converts a boundary value to its JS form.
pub(crate) trait ToJs: Serialize + Tsify + Sized {
    /// The value as a JS object of its declared TypeScript type.
    fn to_js(&self) -> JsResult<Ts<Self>> {
        Ok(Ts::new_unchecked(to_value(self)?))
    }
}

impl<T: Serialize + Tsify> ToJs for T {}

/// Any serializable value as a JS value (maps as plain objects).
pub(crate) fn to_value<T: Serialize>(value: &T) -> JsResult<JsValue> {
    // Only the serialization is generic; the rest is compiled once, not once per type.
    parse_json(serde_json::to_string(value))
}

/// The JS value of serialized JSON.
fn parse_json(json: serde_json::Result<String>) -> JsResult<JsValue> {
    let json = json.map_err(|error| Failure::Input(error.to_string()))?;
    js_sys::JSON::parse(&json).map_err(|_| Failure::Input("the result is not JSON".to_owned()))
}

/// A value read from JS into its core (or binding) type.
pub(crate) trait FromJs: Sized {
    /// Reads the value; `what` names it in error messages.
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self>;
}

/// Reads a typed argument into `T`.
pub(crate) fn read<T: FromJs, D: Tsify>(value: &Ts<D>, what: &str) -> JsResult<T>
where
    <D as Tsify>::JsType: JsCast,
{
    T::from_js(&value.js_value(), what)
}

/// Reads an optional argument (`undefined` or `null` is `None`).
pub(crate) fn read_optional<T: FromJs>(value: &JsValue, what: &str) -> JsResult<Option<T>> {
    if value.is_undefined() || value.is_null() {
        Ok(None)
    } else {
        T::from_js(value, what).map(Some)
    }
}

fn wrong(what: &str, key: &str, expected: &str) -> Failure {
    Failure::Input(format!("{what}.{key} must be {expected}"))
}

/// The fields of a JS object, read one by one.
#[derive(Debug)]
pub(crate) struct Fields<'a> {
    object: &'a JsValue,
    what: &'a str,
}

impl<'a> Fields<'a> {
    /// The fields of `value`, which must be an object; `what` names it in error messages.
    pub(crate) fn of(value: &'a JsValue, what: &'a str) -> JsResult<Self> {
        if value.is_object() {
            Ok(Fields {
                object: value,
                what,
            })
        } else {
            Err(Failure::Input(format!("{what} must be an object")))
        }
    }

    /// A field, `None` when missing, `undefined` or `null`.
    fn get(&self, key: &str) -> Option<JsValue> {
        let value = js_sys::Reflect::get(self.object, &JsValue::from_str(key)).ok()?;
        (!value.is_undefined() && !value.is_null()).then_some(value)
    }

    fn require(&self, key: &str, expected: &str) -> JsResult<JsValue> {
        self.get(key).ok_or_else(|| wrong(self.what, key, expected))
    }

    /// A required string.
    pub(crate) fn text(&self, key: &str) -> JsResult<String> {
        self.require(key, "a string")?
            .as_string()
            .ok_or_else(|| wrong(self.what, key, "a string"))
    }

    /// An optional string.
    pub(crate) fn opt_text(&self, key: &str) -> JsResult<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(value) => value
                .as_string()
                .map(Some)
                .ok_or_else(|| wrong(self.what, key, "a string")),
        }
    }

    /// A string that defaults to empty.
    pub(crate) fn text_or_empty(&self, key: &str) -> JsResult<String> {
        self.opt_text(key).map(Option::unwrap_or_default)
    }

    /// An optional list of strings (missing is empty).
    pub(crate) fn texts(&self, key: &str) -> JsResult<Vec<String>> {
        self.list(key, |item, what| {
            item.as_string()
                .ok_or_else(|| Failure::Input(format!("{what} must be a string")))
        })
    }

    /// A required integer (a whole number within ±2^53).
    pub(crate) fn integer(&self, key: &str) -> JsResult<i64> {
        let value = self.require(key, "an integer")?;
        whole(&value).ok_or_else(|| wrong(self.what, key, "an integer"))
    }

    /// An optional integer.
    pub(crate) fn opt_integer(&self, key: &str) -> JsResult<Option<i64>> {
        match self.get(key) {
            None => Ok(None),
            Some(value) => whole(&value)
                .map(Some)
                .ok_or_else(|| wrong(self.what, key, "an integer")),
        }
    }

    /// A required integer that fits `T` (e.g. basis points as `u16`).
    pub(crate) fn number<T: TryFrom<i64>>(&self, key: &str) -> JsResult<T> {
        T::try_from(self.integer(key)?).map_err(|_| wrong(self.what, key, "a number in range"))
    }

    /// An optional integer that fits `T`.
    pub(crate) fn opt_number<T: TryFrom<i64>>(&self, key: &str) -> JsResult<Option<T>> {
        self.opt_integer(key)?
            .map(T::try_from)
            .transpose()
            .map_err(|_| wrong(self.what, key, "a number in range"))
    }

    /// An integer that fits `T`, zero when missing.
    pub(crate) fn number_or_zero<T: TryFrom<i64> + Default>(&self, key: &str) -> JsResult<T> {
        Ok(self.opt_number(key)?.unwrap_or_default())
    }

    /// A boolean, `false` when missing.
    pub(crate) fn flag(&self, key: &str) -> JsResult<bool> {
        match self.get(key) {
            None => Ok(false),
            Some(value) => value
                .as_bool()
                .ok_or_else(|| wrong(self.what, key, "a boolean")),
        }
    }

    /// A required calendar date, `"YYYY-MM-DD"`.
    pub(crate) fn date(&self, key: &str) -> JsResult<time::Date> {
        let text = self.text(key)?;
        parse_date(&text).ok_or_else(|| wrong(self.what, key, "a date \"YYYY-MM-DD\""))
    }

    /// An optional calendar date.
    pub(crate) fn opt_date(&self, key: &str) -> JsResult<Option<time::Date>> {
        match self.opt_text(key)? {
            None => Ok(None),
            Some(text) => parse_date(&text)
                .map(Some)
                .ok_or_else(|| wrong(self.what, key, "a date \"YYYY-MM-DD\"")),
        }
    }

    /// A required name from a string-literal union.
    pub(crate) fn name<E: Named>(&self, key: &str) -> JsResult<E> {
        let text = self.text(key)?;
        E::from_name(&text).ok_or_else(|| wrong(self.what, key, E::EXPECTED))
    }

    /// An optional name from a string-literal union.
    pub(crate) fn opt_name<E: Named>(&self, key: &str) -> JsResult<Option<E>> {
        match self.opt_text(key)? {
            None => Ok(None),
            Some(text) => E::from_name(&text)
                .map(Some)
                .ok_or_else(|| wrong(self.what, key, E::EXPECTED)),
        }
    }

    /// A required nested value.
    pub(crate) fn value<T: FromJs>(&self, key: &str) -> JsResult<T> {
        let value = self.require(key, "present")?;
        T::from_js(&value, &format!("{}.{key}", self.what))
    }

    /// An optional nested value.
    pub(crate) fn opt_value<T: FromJs>(&self, key: &str) -> JsResult<Option<T>> {
        match self.get(key) {
            None => Ok(None),
            Some(value) => T::from_js(&value, &format!("{}.{key}", self.what)).map(Some),
        }
    }

    /// An optional list of nested values (missing is empty).
    pub(crate) fn values<T: FromJs>(&self, key: &str) -> JsResult<Vec<T>> {
        self.list(key, T::from_js)
    }

    fn list<T>(&self, key: &str, item: impl Fn(&JsValue, &str) -> JsResult<T>) -> JsResult<Vec<T>> {
        let Some(value) = self.get(key) else {
            return Ok(Vec::new());
        };
        if !js_sys::Array::is_array(&value) {
            return Err(wrong(self.what, key, "an array"));
        }
        let array: js_sys::Array = value.unchecked_into();
        array
            .iter()
            .enumerate()
            .map(|(index, element)| item(&element, &format!("{}.{key}[{index}]", self.what)))
            .collect()
    }
}

/// A whole number within the safe integer range.
fn whole(value: &JsValue) -> Option<i64> {
    let number = value.as_f64()?;
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    // Checked above: finite, whole and within ±2^53, so the cast is exact.
    (number.fract() == 0.0 && number.abs() <= MAX_SAFE).then_some(number as i64)
}

/// A calendar date from `"YYYY-MM-DD"`.
pub(crate) fn parse_date(text: &str) -> Option<time::Date> {
    let mut parts = text.splitn(3, '-');
    let year = parts.next()?;
    let month = parts.next()?;
    let day = parts.next()?;
    if year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    let month = time::Month::try_from(month.parse::<u8>().ok()?).ok()?;
    time::Date::from_calendar_date(year.parse().ok()?, month, day.parse().ok()?).ok()
}

/// `"YYYY-MM-DD"` for a calendar date.
pub(crate) fn format_date(date: time::Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Serializes a calendar date as `"YYYY-MM-DD"` (`#[serde(serialize_with)]`).
pub(crate) fn iso_date<S: serde::Serializer>(
    date: &time::Date,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format_date(*date))
}

/// Serializes an optional calendar date as `"YYYY-MM-DD"` or nothing.
pub(crate) fn opt_iso_date<S: serde::Serializer>(
    date: &Option<time::Date>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match date {
        Some(date) => serializer.serialize_str(&format_date(*date)),
        None => serializer.serialize_none(),
    }
}

/// A string-literal union mirrored from a field-less enum.
pub(crate) trait Named: Sized {
    /// The accepted names, for error messages.
    const EXPECTED: &'static str;
    /// The variant named `name`.
    fn from_name(name: &str) -> Option<Self>;
    /// The variant's name.
    fn name(&self) -> &'static str;
}

/// Reads a bare name (e.g. a `TaskStatus` argument).
pub(crate) fn read_name<E: Named>(value: &JsValue, what: &str) -> JsResult<E> {
    value
        .as_string()
        .and_then(|text| E::from_name(&text))
        .ok_or_else(|| Failure::Input(format!("{what} must be {}", E::EXPECTED)))
}

/// Reads an optional bare name (`undefined` or `null` is `None`).
pub(crate) fn read_opt_name<E: Named>(value: &JsValue, what: &str) -> JsResult<Option<E>> {
    if value.is_undefined() || value.is_null() {
        Ok(None)
    } else {
        read_name(value, what).map(Some)
    }
}

/// Reads a bare calendar date argument, `"YYYY-MM-DD"`.
pub(crate) fn read_date(value: &JsValue, what: &str) -> JsResult<time::Date> {
    value
        .as_string()
        .and_then(|text| parse_date(&text))
        .ok_or_else(|| Failure::Input(format!("{what} must be a date \"YYYY-MM-DD\"")))
}

/// Reads an optional bare calendar date argument (`undefined` or `null` is `None`).
pub(crate) fn read_opt_date(value: &JsValue, what: &str) -> JsResult<Option<time::Date>> {
    if value.is_undefined() || value.is_null() {
        Ok(None)
    } else {
        read_date(value, what).map(Some)
    }
}

/// Milliseconds from a JS number: fractions are dropped, and values beyond ±2^53 saturate (`as`
/// maps NaN to 0, which is what a clock value outside the safe range deserves).
pub(crate) fn millis(value: f64) -> i64 {
    value as i64
}

/// Implements `Serialize` for a [`Named`] enum as its name.
macro_rules! serialize_by_name {
    ($($name:ty),+ $(,)?) => {
        $(
            impl serde::Serialize for $name {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serializer.serialize_str($crate::convert::Named::name(self))
                }
            }
        )+
    };
}
pub(crate) use serialize_by_name;
