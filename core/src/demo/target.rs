//! Monthly targets (quotas) per rep, team and department, sized from what each rep wins, and
//! the same quotas as the forecast's monthly or quarterly targets.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Month;

use super::DemoConfig;
use crate::deal::{Deal, DealStatus};
use crate::error::Error;
use crate::forecast::{ForecastGroup, Period, PeriodKind, Quarter, Target};
use crate::id::{TeamId, UserId};
use crate::money::{Currency, Money};

/// Whose target it is.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum DemoTargetOwner {
    /// A rep's own quota.
    Rep(UserId),
    /// A team's quota, the sum of its members' (or, for the department, of its teams').
    Team(TeamId),
}

/// A quota for one month, in yuan.
///
/// The forecast module's `Target` takes the same three parts (owner as a forecast group, the
/// month as a period, the amount).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DemoTarget {
    /// The rep or team.
    pub owner: DemoTargetOwner,
    /// The year.
    pub year: i32,
    /// The month.
    pub month: Month,
    /// The quota.
    pub amount: Money,
}

/// How much of a year's quota falls in each month, in percent of an average month: the Spring
/// Festival month is quiet, half-year and year ends are busy. Sums to 1,200.
const SEASON_PERCENT: [i64; 12] = [95, 60, 105, 95, 100, 120, 90, 90, 110, 85, 110, 140];

/// The smallest monthly quota of a rep, in yuan.
const MIN_REP_MONTHLY_YUAN: i64 = 200_000;

/// Months before the current one that get a target at least (with the current one: a year);
/// the earliest of them is moved back to the first month of its quarter.
const MONTHS_BACK: i32 = 11;

impl DemoTarget {
    /// The month as a forecast period.
    pub fn period(&self) -> Period {
        Period::Month {
            year: self.year,
            month: self.month,
        }
    }
}

/// The quotas of `owner` among `targets` as the forecast's targets of `group`, by month or by
/// quarter (a quarter's quota is the sum of its three months', given only for quarters whose
/// three months all have one), in period order.
///
/// ```
/// use dealflow_core::demo::{DemoConfig, DemoTargetOwner, forecast_targets, generate};
/// use dealflow_core::{ForecastGroup, PeriodKind, Timestamp};
/// use time::macros::offset;
///
/// let mut config = DemoConfig::new(42, Timestamp::from_millis(1_773_540_000_000), offset!(+8));
/// config.n_deals = 20;
/// let data = generate(&config)?;
/// let department = DemoTargetOwner::Team(data.org.department.clone());
/// let quarters =
///     forecast_targets(&data.targets, &department, &ForecastGroup::Total, PeriodKind::Quarter)?;
/// assert!(quarters.iter().any(|target| target.period.to_string() == "2026-Q1"));
/// # Ok::<(), dealflow_core::Error>(())
/// ```
pub fn forecast_targets(
    targets: &[DemoTarget],
    owner: &DemoTargetOwner,
    group: &ForecastGroup,
    kind: PeriodKind,
) -> Result<Vec<Target>, Error> {
    let mut by_period: BTreeMap<Period, (Money, u8)> = BTreeMap::new();
    for target in targets.iter().filter(|target| &target.owner == owner) {
        let period = match kind {
            PeriodKind::Month => target.period(),
            PeriodKind::Quarter => Period::Quarter {
                year: target.year,
                quarter: Quarter::of(target.month),
            },
            PeriodKind::Year => Period::Year { year: target.year },
        };
        let entry = by_period
            .entry(period)
            .or_insert((Money::zero(target.amount.currency()), 0));
        entry.0 = entry.0.checked_add(target.amount)?;
        entry.1 += 1;
    }
    let months_needed = match kind {
        PeriodKind::Month => 1,
        PeriodKind::Quarter => 3,
        PeriodKind::Year => 12,
    };
    Ok(by_period
        .into_iter()
        .filter(|(_, (_, months))| *months == months_needed)
        .map(|(period, (amount, _))| Target {
            group: group.clone(),
            period,
            amount,
        })
        .collect())
}

/// Targets for whole quarters, from the quarter of the month eleven months back to the end of
/// the next quarter or of the current year, whichever is later (so the current year is always
/// whole), so that forecasts against target have them by month, quarter and year, per
/// rep (20 % above what the rep won in the past year, spread by season, at least ¥200,000 a
/// month, rounded to ¥10,000), per team (the sum of its reps) and for the department (the sum
/// of its teams).
pub(super) fn monthly_targets(
    config: &DemoConfig,
    deals: &[Deal],
) -> Result<Vec<DemoTarget>, Error> {
    let year_ago = config.now.plus_days(-365);
    let mut won_by_rep: BTreeMap<&UserId, i64> = BTreeMap::new();
    for deal in deals {
        if let Some(entry) = deal.current()
            && entry.status == DealStatus::Won
            && entry.at >= year_ago
        {
            *won_by_rep.entry(&deal.owner).or_insert(0) += deal.amount.minor() / 100;
        }
    }
    let today = config.now.date_at(config.offset);
    // How far the current month is into its quarter (0, 1 or 2); the first month goes back to
    // the start of its quarter and the last is the end of the next quarter.
    let month_in_quarter = (i32::from(u8::from(today.month())) - 1) % 3;
    let first = -MONTHS_BACK - (month_in_quarter - MONTHS_BACK).rem_euclid(3);
    let last = (5 - month_in_quarter).max(12 - i32::from(u8::from(today.month())));
    let months: Vec<(i32, Month)> = (first..=last)
        .map(|delta| shift_month(today.year(), today.month(), delta))
        .collect();
    let mut targets = Vec::new();
    let mut department = vec![0_i64; months.len()];
    for team in &config.org.teams {
        let mut team_total = vec![0_i64; months.len()];
        for rep in &team.reps {
            let yearly = won_by_rep.get(&rep.id).copied().unwrap_or(0) * 120 / 100;
            for (index, (year, month)) in months.iter().enumerate() {
                let season = SEASON_PERCENT[usize::from(u8::from(*month) - 1)];
                let yuan = (yearly * season / 1_200).max(MIN_REP_MONTHLY_YUAN * season / 100);
                let yuan = (yuan + 5_000) / 10_000 * 10_000;
                if let Some(total) = team_total.get_mut(index) {
                    *total += yuan;
                }
                targets.push(target(
                    DemoTargetOwner::Rep(rep.id.clone()),
                    *year,
                    *month,
                    yuan,
                )?);
            }
        }
        for (index, (year, month)) in months.iter().enumerate() {
            let yuan = team_total.get(index).copied().unwrap_or(0);
            if let Some(total) = department.get_mut(index) {
                *total += yuan;
            }
            targets.push(target(
                DemoTargetOwner::Team(team.id.clone()),
                *year,
                *month,
                yuan,
            )?);
        }
    }
    for (index, (year, month)) in months.iter().enumerate() {
        let yuan = department.get(index).copied().unwrap_or(0);
        targets.push(target(
            DemoTargetOwner::Team(config.org.department.clone()),
            *year,
            *month,
            yuan,
        )?);
    }
    Ok(targets)
}

fn target(owner: DemoTargetOwner, year: i32, month: Month, yuan: i64) -> Result<DemoTarget, Error> {
    Ok(DemoTarget {
        owner,
        year,
        month,
        amount: Money::from_major(yuan, Currency::CNY)?,
    })
}

/// The month `delta` months from `month` of `year`.
fn shift_month(year: i32, month: Month, delta: i32) -> (i32, Month) {
    let index = year * 12 + i32::from(u8::from(month)) - 1 + delta;
    let month_number = u8::try_from(index.rem_euclid(12) + 1).unwrap_or(1);
    (
        index.div_euclid(12),
        Month::try_from(month_number).unwrap_or(Month::January),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_shift_across_years() {
        assert_eq!(shift_month(2026, Month::March, -11), (2025, Month::April));
        assert_eq!(shift_month(2026, Month::March, 3), (2026, Month::June));
        assert_eq!(
            shift_month(2026, Month::November, 3),
            (2027, Month::February)
        );
        assert_eq!(
            shift_month(2026, Month::January, -1),
            (2025, Month::December)
        );
        assert_eq!(SEASON_PERCENT.iter().sum::<i64>(), 1_200);
    }

    fn owner_target(month: Month, yuan: i64) -> DemoTarget {
        DemoTarget {
            owner: DemoTargetOwner::Rep(UserId::new("zhang-wei").unwrap()),
            year: 2026,
            month,
            amount: Money::from_major(yuan, Currency::CNY).unwrap(),
        }
    }

    #[test]
    fn quarters_sum_their_months_and_skip_partial_ones() {
        let targets = [
            owner_target(Month::January, 100),
            owner_target(Month::February, 200),
            owner_target(Month::March, 300),
            owner_target(Month::April, 400),
        ];
        let owner = targets[0].owner.clone();
        let quarters =
            forecast_targets(&targets, &owner, &ForecastGroup::Total, PeriodKind::Quarter).unwrap();
        assert_eq!(quarters.len(), 1);
        assert_eq!(quarters[0].period.to_string(), "2026-Q1");
        assert_eq!(
            quarters[0].amount,
            Money::from_major(600, Currency::CNY).unwrap()
        );
        let months =
            forecast_targets(&targets, &owner, &ForecastGroup::Total, PeriodKind::Month).unwrap();
        assert_eq!(months.len(), 4);
        assert_eq!(months[3].period.to_string(), "2026-04");
        let other = DemoTargetOwner::Team(TeamId::new("east").unwrap());
        assert!(
            forecast_targets(&targets, &other, &ForecastGroup::Total, PeriodKind::Month)
                .unwrap()
                .is_empty()
        );
    }
}
