//! Converting money between currencies with a caller-supplied rate table.
//!
//! Core never fetches rates: the caller passes an [`ExchangeRates`] table (e.g. the finance
//! team's monthly rates). Rates are exact decimals, and every conversion rounds once, half away
//! from zero, to the target currency's minor unit.

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::money::{Currency, Money, MoneyError};

/// Rates to one reporting currency: how many units of `reporting` one unit of each currency
/// buys.
///
/// ```
/// use dealflow_core::{Currency, ExchangeRates, Money};
/// let rates = ExchangeRates::new(Currency::CNY).with_rate(Currency::USD, "7.1234").unwrap();
/// let usd = Money::new(10_000, Currency::USD); // $100.00
/// assert_eq!(rates.convert(usd).unwrap(), Money::new(71_234, Currency::CNY)); // ¥712.34
/// let jpy = ExchangeRates::new(Currency::JPY).with_rate(Currency::CNY, "20.5").unwrap();
/// assert_eq!(jpy.convert(Money::new(1_005, Currency::CNY)).unwrap(), Money::new(206, Currency::JPY));
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ExchangeRates {
    reporting: Currency,
    rates: BTreeMap<Currency, Decimal>,
}

impl ExchangeRates {
    /// An empty table for `reporting`; amounts already in it convert at 1.
    pub fn new(reporting: Currency) -> Self {
        ExchangeRates {
            reporting,
            rates: BTreeMap::new(),
        }
    }

    /// Adds the rate of `currency` given as a decimal string such as `"7.1234"`.
    pub fn with_rate(mut self, currency: Currency, rate: &str) -> Result<Self, MoneyError> {
        let invalid = || MoneyError::InvalidRate {
            from: currency,
            rate: rate.to_owned(),
        };
        let parsed = Decimal::from_str(rate.trim()).map_err(|_| invalid())?;
        if parsed <= Decimal::ZERO {
            return Err(invalid());
        }
        self.rates.insert(currency, parsed);
        Ok(self)
    }

    /// The reporting currency.
    pub fn reporting(&self) -> Currency {
        self.reporting
    }

    /// Checks a table that arrived as data (e.g. deserialized): every rate must be positive.
    pub fn validate(&self) -> Result<(), MoneyError> {
        match self.rates.iter().find(|(_, rate)| **rate <= Decimal::ZERO) {
            Some((currency, rate)) => Err(MoneyError::InvalidRate {
                from: *currency,
                rate: rate.to_string(),
            }),
            None => Ok(()),
        }
    }

    /// `money` in the reporting currency, rounded half away from zero to its minor unit.
    pub fn convert(&self, money: Money) -> Result<Money, MoneyError> {
        let from = money.currency();
        if from == self.reporting {
            return Ok(money);
        }
        let rate = self.rates.get(&from).ok_or(MoneyError::MissingRate {
            from,
            to: self.reporting,
        })?;
        if *rate <= Decimal::ZERO {
            return Err(MoneyError::InvalidRate {
                from,
                rate: rate.to_string(),
            });
        }
        let from_scale = Decimal::from(from.minor_units_per_major());
        let to_scale = Decimal::from(self.reporting.minor_units_per_major());
        let converted = Decimal::from(money.minor())
            .checked_mul(*rate)
            .and_then(|value| value.checked_mul(to_scale))
            .and_then(|value| value.checked_div(from_scale))
            .ok_or(MoneyError::Overflow)?
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
        let minor = i64::try_from(converted).map_err(|_| MoneyError::Overflow)?;
        Ok(Money::new(minor, self.reporting))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_rates() {
        let rates = ExchangeRates::new(Currency::CNY);
        assert!(rates.clone().with_rate(Currency::USD, "0").is_err());
        assert!(rates.clone().with_rate(Currency::USD, "-1").is_err());
        assert!(rates.clone().with_rate(Currency::USD, "seven").is_err());
        assert_eq!(
            rates.convert(Money::new(1, Currency::EUR)),
            Err(MoneyError::MissingRate {
                from: Currency::EUR,
                to: Currency::CNY
            })
        );
    }

    #[test]
    fn rounds_half_away_from_zero() {
        let rates = ExchangeRates::new(Currency::CNY)
            .with_rate(Currency::USD, "0.5")
            .unwrap();
        assert_eq!(
            rates.convert(Money::new(1, Currency::USD)).unwrap().minor(),
            1
        );
        assert_eq!(
            rates
                .convert(Money::new(-1, Currency::USD))
                .unwrap()
                .minor(),
            -1
        );
        assert_eq!(
            rates
                .convert(Money::new(i64::MAX, Currency::USD))
                .unwrap()
                .minor(),
            i64::MAX / 2 + 1
        );
    }

    #[test]
    fn deserialized_tables_are_checked() {
        let table: ExchangeRates =
            serde_json::from_str(r#"{"reporting":"CNY","rates":{"USD":"-7"}}"#).unwrap();
        assert!(table.validate().is_err());
        assert!(table.convert(Money::new(1, Currency::USD)).is_err());
    }
}
