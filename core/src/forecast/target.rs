//! Targets (quotas) per rep, team or company and period, and how far each is met.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::error::ForecastError;
use super::model::{Forecast, PerModel};
use super::period::Period;
use super::rollup::ForecastGroup;
use crate::exchange::ExchangeRates;
use crate::money::{Money, MoneyError, round_half_away_from_zero};

/// A ratio in basis points (1 bp = 0.01 %) as a signed integer: completion can exceed 100 %
/// and a gap can be negative. Computed from integer money, rounded half away from zero.
///
/// ```
/// use dealflow_core::{Currency, Money, Ratio};
/// let won = Money::from_major(875_000, Currency::CNY).unwrap();
/// let target = Money::from_major(1_000_000, Currency::CNY).unwrap();
/// let completion = Ratio::of(won, target).unwrap().unwrap();
/// assert_eq!(completion.basis_points(), 8_750);
/// assert_eq!(completion.to_string(), "87.5%");
/// ```
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Ratio(i64);

impl Ratio {
    /// A ratio of `basis_points` (10 000 = 100 %).
    pub const fn from_basis_points(basis_points: i64) -> Self {
        Ratio(basis_points)
    }

    /// `numerator / denominator` in basis points; `None` when the denominator is zero. The two
    /// amounts must share a currency.
    pub fn of(numerator: Money, denominator: Money) -> Result<Option<Ratio>, MoneyError> {
        if numerator.currency() != denominator.currency() {
            return Err(MoneyError::CurrencyMismatch {
                expected: denominator.currency(),
                found: numerator.currency(),
            });
        }
        if denominator.minor() == 0 {
            return Ok(None);
        }
        let basis_points = round_half_away_from_zero(
            i128::from(numerator.minor()) * 10_000,
            i128::from(denominator.minor()),
        )?;
        Ok(Some(Ratio(basis_points)))
    }

    /// Basis points.
    pub const fn basis_points(self) -> i64 {
        self.0
    }
}

impl fmt::Display for Ratio {
    /// `"87.5%"`, `"120%"`, `"-3.25%"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let magnitude = self.0.unsigned_abs();
        let whole = magnitude / 100;
        let fraction = magnitude % 100;
        if fraction == 0 {
            write!(f, "{sign}{whole}%")
        } else if fraction.is_multiple_of(10) {
            write!(f, "{sign}{whole}.{}%", fraction / 10)
        } else {
            write!(f, "{sign}{whole}.{fraction:02}%")
        }
    }
}

/// A quota for a rep, a team (including its sub-teams), a pipeline or the company, for a period.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Target {
    /// Who the target is for.
    pub group: ForecastGroup,
    /// The month or quarter.
    pub period: Period,
    /// The amount, in any currency of the rate table.
    pub amount: Money,
}

/// How far a target is met, in the forecast's reporting currency.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct TargetAttainment {
    /// The target as given.
    pub target: Target,
    /// The target converted into the reporting currency.
    pub target_amount: Money,
    /// The forecast periods summed for it (e.g. three months for a quarterly target).
    pub periods: Vec<Period>,
    /// Won in the period.
    pub closed_won: Money,
    /// `closed_won / target`; `None` for a zero target.
    pub completion: Option<Ratio>,
    /// `target − closed_won`: still to win (negative once the target is exceeded).
    pub gap_to_target: Money,
    /// Each model's forecast for the period.
    pub forecast: PerModel<Money>,
    /// `forecast / target` per model.
    pub forecast_completion: PerModel<Option<Ratio>>,
    /// `target − forecast` per model (negative when the forecast exceeds the target).
    pub forecast_gap: PerModel<Money>,
}

impl Forecast<'_> {
    /// Measures each target against this forecast. A quarterly target sums its months in a
    /// monthly forecast; a monthly target against a quarterly forecast is an error.
    pub fn attainment(
        &self,
        targets: &[Target],
        rates: &ExchangeRates,
    ) -> Result<Vec<TargetAttainment>, ForecastError> {
        targets
            .iter()
            .map(|target| self.attain(target, rates))
            .collect()
    }

    fn attain(
        &self,
        target: &Target,
        rates: &ExchangeRates,
    ) -> Result<TargetAttainment, ForecastError> {
        // A target shorter than the forecast's periods cannot be compared with them.
        if target.period.kind() < self.period_kind {
            return Err(ForecastError::PeriodMismatch {
                target: target.period,
                forecast: self.period_kind,
            });
        }
        if rates.reporting() != self.currency {
            return Err(MoneyError::CurrencyMismatch {
                expected: self.currency,
                found: rates.reporting(),
            }
            .into());
        }
        let target_amount = rates.convert(target.amount)?;
        let zero = Money::zero(self.currency);
        let mut closed_won = zero;
        let mut forecast = PerModel {
            best_practice: zero,
            rep_commit: zero,
            stage_weighted: zero,
            manual_weighted: zero,
        };
        let mut periods = Vec::new();
        for row in self
            .rows
            .iter()
            .filter(|row| row.group == target.group && target.period.contains_period(row.period))
        {
            periods.push(row.period);
            closed_won = closed_won.checked_add(row.figures.closed_won)?;
            let figures = &row.figures.forecast;
            forecast = PerModel {
                best_practice: forecast.best_practice.checked_add(figures.best_practice)?,
                rep_commit: forecast.rep_commit.checked_add(figures.rep_commit)?,
                stage_weighted: forecast
                    .stage_weighted
                    .checked_add(figures.stage_weighted)?,
                manual_weighted: forecast
                    .manual_weighted
                    .checked_add(figures.manual_weighted)?,
            };
        }
        Ok(TargetAttainment {
            target: target.clone(),
            target_amount,
            periods,
            closed_won,
            completion: Ratio::of(closed_won, target_amount)?,
            gap_to_target: target_amount.checked_sub(closed_won)?,
            forecast_completion: forecast.try_map(|amount| Ratio::of(*amount, target_amount))?,
            forecast_gap: forecast.try_map(|amount| target_amount.checked_sub(*amount))?,
            forecast,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn cny(major: i64) -> Money {
        Money::from_major(major, Currency::CNY).unwrap()
    }

    #[test]
    fn ratios_round_half_away_from_zero() {
        // 1 / 3 = 3333.33… bp → 3333; 2 / 3 → 6667; −1 / 8 = −1250 bp.
        assert_eq!(Ratio::of(cny(1), cny(3)).unwrap(), Some(Ratio(3_333)));
        assert_eq!(Ratio::of(cny(2), cny(3)).unwrap(), Some(Ratio(6_667)));
        assert_eq!(Ratio::of(cny(-1), cny(8)).unwrap(), Some(Ratio(-1_250)));
        assert_eq!(Ratio::of(cny(5), cny(0)).unwrap(), None);
        assert!(Ratio::of(Money::new(1, Currency::USD), cny(1)).is_err());
    }

    #[test]
    fn ratios_display_as_percent() {
        assert_eq!(Ratio(12_000).to_string(), "120%");
        assert_eq!(Ratio(8_750).to_string(), "87.5%");
        assert_eq!(Ratio(1_234).to_string(), "12.34%");
        assert_eq!(Ratio(-325).to_string(), "-3.25%");
        assert_eq!(Ratio(5).to_string(), "0.05%");
    }
}
