//! Money as integer minor units plus an ISO 4217 currency, never floats.
//!
//! Every operation that can lose precision says how it rounds. The one rounding rule of the
//! product is *half away from zero* to the currency's minor unit (四舍五入): 0.5 fen rounds to
//! 1 fen and -0.5 fen to -1 fen. Operations that would overflow or mix currencies return a
//! [`MoneyError`] instead of panicking or silently converting.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::i18n::{Locale, Localized};

/// An ISO 4217 currency, e.g. `CNY`, `USD`, `JPY`.
///
/// The minor-unit exponent comes from the ISO table: 2 for CNY and USD, 0 for JPY, 3 for KWD.
///
/// ```
/// use dealflow_core::Currency;
/// let cny: Currency = "CNY".parse().unwrap();
/// assert_eq!(cny.minor_unit_exponent(), 2);
/// assert!("XYZ".parse::<Currency>().is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(iso_currency::Currency);

impl Currency {
    /// Chinese yuan renminbi.
    pub const CNY: Currency = Currency(iso_currency::Currency::CNY);
    /// US dollar.
    pub const USD: Currency = Currency(iso_currency::Currency::USD);
    /// Euro.
    pub const EUR: Currency = Currency(iso_currency::Currency::EUR);
    /// Hong Kong dollar.
    pub const HKD: Currency = Currency(iso_currency::Currency::HKD);
    /// Japanese yen (no minor unit).
    pub const JPY: Currency = Currency(iso_currency::Currency::JPY);

    /// The three-letter code, e.g. `"CNY"`.
    pub fn code(self) -> &'static str {
        self.0.code()
    }

    /// Number of decimal digits of the minor unit (2 for CNY: 1 yuan = 100 fen).
    ///
    /// Codes without a minor unit in the ISO table (e.g. `XAU`) count as 0.
    pub fn minor_unit_exponent(self) -> u32 {
        self.0.exponent().map_or(0, u32::from)
    }

    /// 10 raised to the minor-unit exponent: minor units per major unit.
    pub fn minor_units_per_major(self) -> i64 {
        10_i64.pow(self.minor_unit_exponent())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        iso_currency::Currency::from_code(code.trim())
            .map(Currency)
            .ok_or_else(|| MoneyError::UnknownCurrency {
                code: code.to_owned(),
            })
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        code.parse()
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> Self {
        currency.code().to_owned()
    }
}

/// An amount of money: integer minor units (fen for CNY, cents for USD) and a currency.
///
/// ```
/// use dealflow_core::{Currency, Money};
/// let price = Money::new(100_000_00, Currency::CNY); // ¥100,000.00
/// let total = price.checked_add(Money::new(50, Currency::CNY)).unwrap();
/// assert_eq!(total.minor(), 10_000_050);
/// assert_eq!(total.to_string(), "100000.50 CNY");
/// assert!(price.checked_add(Money::new(1, Currency::USD)).is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// An amount of `minor` units (e.g. fen) in `currency`.
    pub const fn new(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    /// Zero in `currency`.
    pub const fn zero(currency: Currency) -> Self {
        Money { minor: 0, currency }
    }

    /// Whole major units (e.g. yuan), for fixtures and examples; errors on overflow.
    pub fn from_major(major: i64, currency: Currency) -> Result<Self, MoneyError> {
        major
            .checked_mul(currency.minor_units_per_major())
            .map(|minor| Money { minor, currency })
            .ok_or(MoneyError::Overflow)
    }

    /// The amount in minor units.
    pub const fn minor(self) -> i64 {
        self.minor
    }

    /// The currency.
    pub const fn currency(self) -> Currency {
        self.currency
    }

    /// Whether the amount is strictly positive.
    pub const fn is_positive(self) -> bool {
        self.minor > 0
    }

    /// Whether the amount is negative.
    pub const fn is_negative(self) -> bool {
        self.minor < 0
    }

    /// Sum of two amounts of the same currency.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        self.minor
            .checked_add(other.minor)
            .map(|minor| Money::new(minor, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    /// Difference of two amounts of the same currency.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        self.minor
            .checked_sub(other.minor)
            .map(|minor| Money::new(minor, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    /// The amount multiplied by an integer (e.g. a quantity).
    pub fn checked_mul(self, factor: i64) -> Result<Money, MoneyError> {
        self.minor
            .checked_mul(factor)
            .map(|minor| Money::new(minor, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    /// The amount times `numerator / denominator`, rounded half away from zero to the minor
    /// unit. This is how percentages, probabilities and splits are applied.
    ///
    /// ```
    /// use dealflow_core::{Currency, Money};
    /// let amount = Money::new(1_000, Currency::CNY);
    /// assert_eq!(amount.mul_ratio(1, 3).unwrap().minor(), 333);
    /// assert_eq!(amount.mul_ratio(2, 3).unwrap().minor(), 667);
    /// assert_eq!(Money::new(-5, Currency::CNY).mul_ratio(1, 2).unwrap().minor(), -3);
    /// ```
    pub fn mul_ratio(self, numerator: i64, denominator: i64) -> Result<Money, MoneyError> {
        let minor = round_half_away_from_zero(
            i128::from(self.minor) * i128::from(numerator),
            i128::from(denominator),
        )?;
        Ok(Money::new(minor, self.currency))
    }

    /// Adds up `amounts`, all of which must be in `currency`. The empty sum is zero.
    pub fn sum<I>(currency: Currency, amounts: I) -> Result<Money, MoneyError>
    where
        I: IntoIterator<Item = Money>,
    {
        amounts
            .into_iter()
            .try_fold(Money::zero(currency), Money::checked_add)
    }

    fn same_currency(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                expected: self.currency,
                found: other.currency,
            })
        }
    }
}

impl fmt::Display for Money {
    /// `"100000.50 CNY"`: major units, a dot, the minor digits and the code.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let exponent = self.currency.minor_unit_exponent();
        let per_major = i128::from(self.currency.minor_units_per_major());
        let minor = i128::from(self.minor);
        let sign = if minor < 0 { "-" } else { "" };
        let major = minor.abs() / per_major;
        if exponent == 0 {
            write!(f, "{sign}{major} {}", self.currency)
        } else {
            let fraction = minor.abs() % per_major;
            let width = exponent as usize;
            write!(f, "{sign}{major}.{fraction:0width$} {}", self.currency)
        }
    }
}

/// A discount between 0 % and 100 %, in basis points (1 bp = 0.01 %).
///
/// ```
/// use dealflow_core::{Currency, Discount, Money};
/// let fifteen = Discount::from_basis_points(1_500).unwrap();
/// let price = Money::new(1_999, Currency::CNY);
/// assert_eq!(fifteen.apply(price).unwrap().minor(), 1_699); // 16.9915 yuan rounds to 16.99
/// assert!(Discount::from_basis_points(10_001).is_err());
/// ```
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default, Serialize, Deserialize,
)]
#[serde(try_from = "u16", into = "u16")]
pub struct Discount(u16);

impl Discount {
    /// No discount.
    pub const NONE: Discount = Discount(0);

    /// A discount in basis points (0..=10 000).
    pub fn from_basis_points(basis_points: u16) -> Result<Self, MoneyError> {
        if basis_points <= 10_000 {
            Ok(Discount(basis_points))
        } else {
            Err(MoneyError::DiscountOutOfRange { basis_points })
        }
    }

    /// Basis points (0..=10 000).
    pub const fn basis_points(self) -> u16 {
        self.0
    }

    /// The price after the discount: `amount × (1 − discount)`, rounded half away from zero.
    pub fn apply(self, amount: Money) -> Result<Money, MoneyError> {
        amount.mul_ratio(10_000 - i64::from(self.0), 10_000)
    }
}

impl TryFrom<u16> for Discount {
    type Error = MoneyError;

    fn try_from(basis_points: u16) -> Result<Self, Self::Error> {
        Discount::from_basis_points(basis_points)
    }
}

impl From<Discount> for u16 {
    fn from(discount: Discount) -> Self {
        discount.0
    }
}

/// `value / divisor` rounded half away from zero; errors when the divisor is zero or the result
/// does not fit in an `i64`.
pub(crate) fn round_half_away_from_zero(value: i128, divisor: i128) -> Result<i64, MoneyError> {
    if divisor == 0 {
        return Err(MoneyError::DivisionByZero);
    }
    let (value, divisor) = if divisor < 0 {
        (-value, -divisor)
    } else {
        (value, divisor)
    };
    let quotient = value / divisor;
    let remainder = value % divisor;
    let rounded = if remainder.abs() * 2 >= divisor {
        quotient + value.signum()
    } else {
        quotient
    };
    i64::try_from(rounded).map_err(|_| MoneyError::Overflow)
}

/// Errors of money arithmetic and currency handling.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MoneyError {
    /// The code is not an ISO 4217 currency.
    #[error("unknown currency code {code:?}: use an ISO 4217 code such as CNY or USD")]
    UnknownCurrency {
        /// The code that was given.
        code: String,
    },
    /// Two amounts in different currencies were combined.
    #[error(
        "currency mismatch: expected {expected}, found {found}; convert with an exchange-rate table first"
    )]
    CurrencyMismatch {
        /// The currency of the left-hand amount.
        expected: Currency,
        /// The currency of the right-hand amount.
        found: Currency,
    },
    /// The result does not fit in 64-bit minor units.
    #[error("amount out of range: the result does not fit in 64-bit minor units")]
    Overflow,
    /// A ratio with a zero denominator was applied.
    #[error("division by zero in a money ratio")]
    DivisionByZero,
    /// No exchange rate is known between two currencies.
    #[error("no exchange rate from {from} to {to}: add it to the rate table")]
    MissingRate {
        /// Source currency.
        from: Currency,
        /// Target currency.
        to: Currency,
    },
    /// A discount above 100 %.
    #[error("discount out of range: {basis_points} basis points is above 100% (10000)")]
    DiscountOutOfRange {
        /// The value given, in basis points.
        basis_points: u16,
    },
    /// An exchange rate was zero, negative or unparseable.
    #[error(
        "invalid exchange rate {rate:?} for {from}: rates are positive decimals such as \"7.1234\""
    )]
    InvalidRate {
        /// The currency the rate is for.
        from: Currency,
        /// The rate as given.
        rate: String,
    },
}

impl MoneyError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            MoneyError::UnknownCurrency { .. } => ErrorCode::UnknownCurrency,
            MoneyError::CurrencyMismatch { .. } => ErrorCode::CurrencyMismatch,
            MoneyError::Overflow | MoneyError::DivisionByZero => ErrorCode::AmountOutOfRange,
            MoneyError::MissingRate { .. } => ErrorCode::MissingExchangeRate,
            MoneyError::InvalidRate { .. } => ErrorCode::InvalidExchangeRate,
            MoneyError::DiscountOutOfRange { .. } => ErrorCode::DiscountOutOfRange,
        }
    }
}

impl Localized for MoneyError {
    fn localized(&self, locale: Locale) -> String {
        match locale {
            Locale::En => self.to_string(),
            Locale::ZhCn => match self {
                MoneyError::UnknownCurrency { code } => {
                    format!("未知币种 {code:?}：请使用 ISO 4217 代码，例如 CNY 或 USD")
                }
                MoneyError::CurrencyMismatch { expected, found } => {
                    format!("币种不一致：应为 {expected}，实际为 {found}；请先按汇率表换算")
                }
                MoneyError::Overflow => "金额超出范围".to_owned(),
                MoneyError::DivisionByZero => "金额比例的分母为零".to_owned(),
                MoneyError::MissingRate { from, to } => {
                    format!("缺少从 {from} 到 {to} 的汇率：请在汇率表中补充")
                }
                MoneyError::DiscountOutOfRange { basis_points } => {
                    format!("折扣超出范围：{basis_points} 个基点超过 100%（10000）")
                }
                MoneyError::InvalidRate { from, rate } => {
                    format!("{from} 的汇率 {rate:?} 无效：汇率须为正的小数，例如 \"7.1234\"")
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round_half_away_from_zero(5, 2), Ok(3));
        assert_eq!(round_half_away_from_zero(-5, 2), Ok(-3));
        assert_eq!(round_half_away_from_zero(4, 3), Ok(1));
        assert_eq!(round_half_away_from_zero(-4, 3), Ok(-1));
        assert_eq!(round_half_away_from_zero(7, -2), Ok(-4));
        assert_eq!(
            round_half_away_from_zero(1, 0),
            Err(MoneyError::DivisionByZero)
        );
        assert_eq!(
            round_half_away_from_zero(i128::from(i64::MAX) * 4, 2),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn display_respects_the_minor_unit() {
        assert_eq!(Money::new(-1_05, Currency::CNY).to_string(), "-1.05 CNY");
        assert_eq!(Money::new(1_234, Currency::JPY).to_string(), "1234 JPY");
        assert_eq!(Money::new(7, Currency::USD).to_string(), "0.07 USD");
    }

    #[test]
    fn serde_round_trip_uses_the_code() {
        let money = Money::new(12_345, Currency::CNY);
        let json = serde_json::to_string(&money).unwrap();
        assert_eq!(json, r#"{"minor":12345,"currency":"CNY"}"#);
        let back: Money = serde_json::from_str(&json).unwrap();
        assert_eq!(back, money);
        let bad = serde_json::from_str::<Money>(r#"{"minor":1,"currency":"ZZZ"}"#);
        assert!(bad.is_err());
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        let big = Money::new(i64::MAX, Currency::CNY);
        assert_eq!(
            big.checked_add(Money::new(1, Currency::CNY)),
            Err(MoneyError::Overflow)
        );
        assert_eq!(big.checked_mul(2), Err(MoneyError::Overflow));
        assert_eq!(
            Money::from_major(i64::MAX, Currency::CNY),
            Err(MoneyError::Overflow)
        );
    }
}
