//! Tax rates and how tax is worked out on a quote line (per line; see [`TaxBasis`]).

use serde::{Deserialize, Serialize};

use super::QuoteError;
use crate::money::{Money, MoneyError};

/// A tax rate in basis points, 0 % to 100 % (1 300 = 13 %).
///
/// ```
/// use dealflow_core::TaxRate;
/// assert_eq!(TaxRate::from_basis_points(1_300).unwrap().basis_points(), 1_300);
/// assert!(TaxRate::from_basis_points(10_001).is_err());
/// ```
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default, Serialize, Deserialize,
)]
#[serde(try_from = "u16", into = "u16")]
pub struct TaxRate(u16);

impl TaxRate {
    /// No tax.
    pub const ZERO: TaxRate = TaxRate(0);

    /// A rate in basis points (0..=10 000).
    pub fn from_basis_points(basis_points: u16) -> Result<Self, QuoteError> {
        if basis_points <= 10_000 {
            Ok(TaxRate(basis_points))
        } else {
            Err(QuoteError::TaxRateOutOfRange { basis_points })
        }
    }

    /// Basis points (0..=10 000).
    pub const fn basis_points(self) -> u16 {
        self.0
    }
}

impl TryFrom<u16> for TaxRate {
    type Error = QuoteError;

    fn try_from(basis_points: u16) -> Result<Self, Self::Error> {
        TaxRate::from_basis_points(basis_points)
    }
}

impl From<TaxRate> for u16 {
    fn from(rate: TaxRate) -> Self {
        rate.0
    }
}

/// Whether the prices on a quote include tax.
///
/// Either way tax is computed **per line** and rounded half away from zero to the minor unit;
/// the quote's tax is the sum of the line taxes. This matches Chinese VAT invoices (增值税发票),
/// which show the amount and tax of every line, and keeps every total a plain sum of rounded
/// lines. Tax on the quote total could differ from the sum by up to half a minor unit per line.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaxBasis {
    /// Prices are before tax (不含税); tax is added on top of each line.
    #[default]
    Exclusive,
    /// Prices include tax (含税价, usual in Chinese B2B quotes); each line's tax is taken out of
    /// its amount.
    Inclusive,
}

/// A line amount after discounts, split into net, tax and total.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct TaxSplit {
    pub(crate) net: Money,
    pub(crate) tax: Money,
    pub(crate) total: Money,
}

impl TaxBasis {
    /// Splits a discounted line amount:
    /// - exclusive: tax = amount × rate, total = amount + tax;
    /// - inclusive: tax = amount × rate / (1 + rate), net = amount − tax.
    ///
    /// Either way the tax is rounded once, half away from zero.
    pub(crate) fn split(self, amount: Money, rate: TaxRate) -> Result<TaxSplit, MoneyError> {
        let rate = i64::from(rate.basis_points());
        match self {
            TaxBasis::Exclusive => {
                let tax = amount.mul_ratio(rate, 10_000)?;
                Ok(TaxSplit {
                    net: amount,
                    tax,
                    total: amount.checked_add(tax)?,
                })
            }
            TaxBasis::Inclusive => {
                let tax = amount.mul_ratio(rate, 10_000 + rate)?;
                Ok(TaxSplit {
                    net: amount.checked_sub(tax)?,
                    tax,
                    total: amount,
                })
            }
        }
    }
}

#[cfg(test)]
#[allow(
    clippy::inconsistent_digit_grouping,
    reason = "amounts are written as yuan_fen"
)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn cny(minor: i64) -> Money {
        Money::new(minor, Currency::CNY)
    }

    #[test]
    fn exclusive_tax_is_added() {
        let rate = TaxRate::from_basis_points(1_300).unwrap();
        // 831.24 × 13 % = 108.0612 → 108.06; total 939.30
        let split = TaxBasis::Exclusive.split(cny(831_24), rate).unwrap();
        assert_eq!(
            (split.net, split.tax, split.total),
            (cny(831_24), cny(108_06), cny(939_30))
        );
        // 0.25 × 6 % = 0.015 → 0.02: half a fen rounds away from zero
        let six = TaxRate::from_basis_points(600).unwrap();
        assert_eq!(TaxBasis::Exclusive.split(cny(25), six).unwrap().tax, cny(2));
    }

    #[test]
    fn inclusive_tax_is_taken_out() {
        let rate = TaxRate::from_basis_points(1_300).unwrap();
        // 1130.00 includes 13 %: tax = 1130 × 13 / 113 = 130.00, net 1000.00
        let split = TaxBasis::Inclusive.split(cny(1_130_00), rate).unwrap();
        assert_eq!(
            (split.net, split.tax, split.total),
            (cny(1_000_00), cny(130_00), cny(1_130_00))
        );
        // 100.00 includes 6 %: tax = 100 × 6 / 106 = 5.6603… → 5.66, net 94.34
        let six = TaxRate::from_basis_points(600).unwrap();
        let split = TaxBasis::Inclusive.split(cny(100_00), six).unwrap();
        assert_eq!((split.net, split.tax), (cny(94_34), cny(5_66)));
    }
}
