//! Values shared by every area: money, bilingual text, who-and-when of an edit, and the id,
//! time and offset conversions.

use dealflow_core as domain;
use serde::Serialize;
use tsify::Tsify;
use wasm_bindgen::prelude::*;

use crate::convert::{Fields, FromJs};
use crate::error::JsResult;

#[wasm_bindgen(typescript_custom_section)]
const TS_ALIASES: &str = r#"
/** A calendar date in the organisation's time zone, `"YYYY-MM-DD"`. */
export type IsoDate = string;
/** An instant, in milliseconds since the Unix epoch (as `Date.now()`). */
export type Millis = number;
/** An ISO 4217 currency code, e.g. `"CNY"`. */
export type CurrencyCode = string;
"#;

/// An amount of money: integer minor units (fen for CNY) and an ISO 4217 code. Never a float.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct Money {
    /// Minor units, e.g. `1_000_000` for ¥10,000.00.
    pub minor: i64,
    /// ISO 4217 code, e.g. `"CNY"`.
    #[tsify(type = "CurrencyCode")]
    pub currency: String,
}

impl From<domain::Money> for Money {
    fn from(money: domain::Money) -> Self {
        Money {
            minor: money.minor(),
            currency: money.currency().code().to_owned(),
        }
    }
}

impl FromJs for domain::Money {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        let currency: domain::Currency = fields.text("currency")?.parse()?;
        Ok(domain::Money::new(fields.integer("minor")?, currency))
    }
}

/// A label or message in both languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct LocalizedText {
    /// Simplified Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

impl From<domain::LocalizedText> for LocalizedText {
    fn from(text: domain::LocalizedText) -> Self {
        LocalizedText {
            zh: text.zh_cn,
            en: text.en,
        }
    }
}

impl FromJs for domain::LocalizedText {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::LocalizedText::new(
            fields.text("zh")?,
            fields.text("en")?,
        ))
    }
}

/// Who makes an edit and when: recorded in the document's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct EditContext {
    /// The user making the edit.
    pub by: String,
    /// The current time (core never reads the clock).
    #[tsify(type = "Millis")]
    pub now: i64,
}

/// An [`EditContext`] converted for core.
#[derive(Clone, Debug)]
pub(crate) struct Edit {
    pub(crate) by: domain::UserId,
    pub(crate) now: domain::Timestamp,
}

impl FromJs for Edit {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(Edit {
            by: domain::UserId::new(fields.text("by")?)?,
            now: domain::Timestamp::from_millis(fields.integer("now")?),
        })
    }
}

/// A validated id of any kind.
pub(crate) fn id<T>(value: String) -> Result<T, domain::IdError>
where
    T: TryFrom<String, Error = domain::IdError>,
{
    T::try_from(value)
}

/// An optional validated id.
pub(crate) fn opt_id<T>(value: Option<String>) -> Result<Option<T>, domain::IdError>
where
    T: TryFrom<String, Error = domain::IdError>,
{
    value.map(T::try_from).transpose()
}

/// Validated ids.
pub(crate) fn ids<T>(values: Vec<String>) -> Result<Vec<T>, domain::IdError>
where
    T: TryFrom<String, Error = domain::IdError>,
{
    values.into_iter().map(T::try_from).collect()
}

/// The string form of ids.
pub(crate) fn strings<T: ToString>(values: &[T]) -> Vec<String> {
    values.iter().map(ToString::to_string).collect()
}

/// A UTC offset from whole minutes east of UTC (480 for China Standard Time).
pub(crate) fn utc_offset(minutes: i32) -> Result<time::UtcOffset, InvalidOffset> {
    minutes
        .checked_mul(60)
        .and_then(|seconds| time::UtcOffset::from_whole_seconds(seconds).ok())
        .ok_or(InvalidOffset { minutes })
}

/// A UTC offset outside ±25 hours.
#[derive(Clone, Copy, Debug)]
pub(crate) struct InvalidOffset {
    pub(crate) minutes: i32,
}

/// A probability in basis points (0..=10 000), checked.
pub(crate) fn probability(
    basis_points: u16,
) -> Result<domain::Probability, domain::ProbabilityError> {
    domain::Probability::from_basis_points(basis_points)
}

/// A discount in basis points (0..=10 000), checked.
pub(crate) fn discount(basis_points: u16) -> Result<domain::Discount, domain::MoneyError> {
    domain::Discount::from_basis_points(basis_points)
}
