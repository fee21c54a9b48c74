//! Win probabilities as a bounded integer in basis points.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::i18n::{Locale, Localized};
use crate::money::{Money, MoneyError};

/// A probability between 0 % and 100 %, held in basis points (1 bp = 0.01 %), so that a learned
/// 12.34 % survives exactly and no float ever touches money.
///
/// ```
/// use dealflow_core::{Currency, Money, Probability};
/// let thirty = Probability::from_percent(30).unwrap();
/// let amount = Money::from_major(100_000, Currency::CNY).unwrap();
/// assert_eq!(thirty.weight(amount).unwrap(), Money::from_major(30_000, Currency::CNY).unwrap());
/// assert!(Probability::from_percent(101).is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct Probability(u16);

impl Probability {
    /// Basis points in 100 %.
    pub const SCALE: u16 = 10_000;
    /// 0 %.
    pub const ZERO: Probability = Probability(0);
    /// 100 %.
    pub const CERTAIN: Probability = Probability(Self::SCALE);

    /// A probability in basis points (0..=10 000).
    pub fn from_basis_points(basis_points: u16) -> Result<Self, ProbabilityError> {
        if basis_points <= Self::SCALE {
            Ok(Probability(basis_points))
        } else {
            Err(ProbabilityError::OutOfRange {
                basis_points: u32::from(basis_points),
            })
        }
    }

    /// A probability in whole percent (0..=100).
    pub fn from_percent(percent: u8) -> Result<Self, ProbabilityError> {
        if percent <= 100 {
            Ok(Probability(u16::from(percent) * 100))
        } else {
            Err(ProbabilityError::OutOfRange {
                basis_points: u32::from(percent) * 100,
            })
        }
    }

    /// The nearest probability to a fraction in `[0, 1]`; NaN and values outside are clamped
    /// (NaN to 0), because a learned model must never produce an invalid probability.
    pub fn from_fraction_clamped(fraction: f64) -> Self {
        if fraction.is_nan() {
            return Probability::ZERO;
        }
        let basis_points = (fraction.clamp(0.0, 1.0) * f64::from(Self::SCALE)).round();
        // The clamp keeps the value within 0..=10 000, so the cast is exact.
        Probability(basis_points as u16)
    }

    /// Basis points (0..=10 000).
    pub const fn basis_points(self) -> u16 {
        self.0
    }

    /// The probability as a fraction in `[0, 1]`, for simulations and models.
    pub fn as_fraction(self) -> f64 {
        f64::from(self.0) / f64::from(Self::SCALE)
    }

    /// `amount × probability`, rounded half away from zero to the minor unit.
    pub fn weight(self, amount: Money) -> Result<Money, MoneyError> {
        amount.mul_ratio(i64::from(self.0), i64::from(Self::SCALE))
    }
}

impl fmt::Debug for Probability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl fmt::Display for Probability {
    /// `"30%"`, `"12.34%"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / 100;
        let fraction = self.0 % 100;
        if fraction == 0 {
            write!(f, "{whole}%")
        } else {
            write!(f, "{whole}.{fraction:02}%")
        }
    }
}

impl TryFrom<u16> for Probability {
    type Error = ProbabilityError;

    fn try_from(basis_points: u16) -> Result<Self, Self::Error> {
        Probability::from_basis_points(basis_points)
    }
}

impl From<Probability> for u16 {
    fn from(probability: Probability) -> Self {
        probability.0
    }
}

/// A probability outside 0–100 %.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProbabilityError {
    /// The value is above 100 %.
    #[error("probability out of range: {basis_points} basis points is above 100% (10000)")]
    OutOfRange {
        /// The value given, in basis points.
        basis_points: u32,
    },
}

impl ProbabilityError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        ErrorCode::ProbabilityOutOfRange
    }
}

impl Localized for ProbabilityError {
    fn localized(&self, locale: Locale) -> String {
        match (locale, self) {
            (Locale::En, _) => self.to_string(),
            (Locale::ZhCn, ProbabilityError::OutOfRange { basis_points }) => {
                format!("概率超出范围：{basis_points} 个基点超过 100%（10000）")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamps_learned_fractions() {
        assert_eq!(
            Probability::from_fraction_clamped(f64::NAN),
            Probability::ZERO
        );
        assert_eq!(
            Probability::from_fraction_clamped(1.7),
            Probability::CERTAIN
        );
        assert_eq!(Probability::from_fraction_clamped(-0.2), Probability::ZERO);
        assert_eq!(
            Probability::from_fraction_clamped(0.12345).basis_points(),
            1235
        );
    }

    #[test]
    fn displays_percent() {
        assert_eq!(
            Probability::from_basis_points(1234).unwrap().to_string(),
            "12.34%"
        );
        assert_eq!(Probability::from_percent(30).unwrap().to_string(), "30%");
    }

    #[test]
    fn rejects_out_of_range_on_deserialize() {
        assert!(serde_json::from_str::<Probability>("10001").is_err());
        assert_eq!(
            serde_json::from_str::<Probability>("2500")
                .unwrap()
                .basis_points(),
            2500
        );
    }
}
