//! Backtests: what each model would have forecast at a past date for a past period, against
//! what was actually won, so a team can see which model to trust.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ForecastSettings;
use super::error::ForecastError;
use super::model::{ForecastInputs, ForecastModel, PerModel, forecast};
use super::period::Period;
use super::placement::Exclusion;
use super::rollup::ForecastGroup;
use super::target::Ratio;
use super::win_rate::{StageWinRates, TimeWindow, stage_win_rates};
use crate::deal::Deal;
use crate::money::{Currency, Money, MoneyError};
use crate::timestamp::Timestamp;

/// What to backtest.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct BacktestSettings {
    /// The past date the forecast is made at.
    pub as_of: Timestamp,
    /// The period forecast (usually one that has ended since).
    pub period: Period,
    /// Historical win rates for the best-practice model are learned from stage entries in the
    /// `lookback_days` before `as_of`; 0 turns them off.
    pub lookback_days: u32,
    /// Prior strength for those win rates (see [`StageWinRates`]).
    pub prior_strength: u32,
}

/// How far a model's forecast was from what was won.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
pub struct ModelError {
    /// `predicted − actual`: positive when the model was too optimistic.
    pub signed: Money,
    /// `|predicted − actual|`.
    pub absolute: Money,
    /// `|predicted − actual| / actual`; `None` when nothing was won.
    pub percentage: Option<Ratio>,
}

impl ModelError {
    fn between(predicted: Money, actual: Money) -> Result<Self, MoneyError> {
        let signed = predicted.checked_sub(actual)?;
        let absolute = Money::new(
            signed.minor().checked_abs().ok_or(MoneyError::Overflow)?,
            signed.currency(),
        );
        Ok(ModelError {
            signed,
            absolute,
            percentage: Ratio::of(absolute, actual)?,
        })
    }
}

/// Predicted and actual figures of one group.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct BacktestRow {
    /// Total, rep, team or pipeline.
    pub group: ForecastGroup,
    /// Each model's forecast as of the backtest date.
    pub predicted: PerModel<Money>,
    /// Actually won in the period (today's data).
    pub actual_won: Money,
    /// Deals actually won in the period.
    pub won_deals: u32,
    /// Each model's error.
    pub error: PerModel<ModelError>,
}

impl BacktestRow {
    /// The model with the smallest absolute error (the first in [`ForecastModel::ALL`] order
    /// on a tie).
    pub fn most_accurate(&self) -> ForecastModel {
        ForecastModel::ALL
            .into_iter()
            .min_by_key(|model| self.error.get(*model).absolute.minor())
            .unwrap_or(ForecastModel::StageWeighted)
    }
}

/// The result of a backtest.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct Backtest {
    /// The date the forecast was reconstructed at.
    pub as_of: Timestamp,
    /// The period forecast.
    pub period: Period,
    /// The reporting currency.
    pub currency: Currency,
    /// How many deals existed at `as_of`.
    pub deals_then: u32,
    /// One row per group that had a forecast or a win, sorted (total first).
    pub rows: Vec<BacktestRow>,
    /// Deals left out of the past forecast, and why (as of then).
    pub excluded: Vec<Exclusion>,
}

impl Backtest {
    /// The row of `group`.
    pub fn row(&self, group: &ForecastGroup) -> Option<&BacktestRow> {
        self.rows.iter().find(|row| &row.group == group)
    }
}

/// Reconstructs every deal as of `settings.as_of` (see [`deal_as_of`]), forecasts
/// `settings.period` with all four models from that state, and compares each with what was
/// actually won in the period according to today's data.
///
/// The best-practice model uses learned probabilities computed before `as_of` and stage win
/// rates learned from the stage history before `as_of` only, so the backtest never sees the
/// future. `inputs.stage_win_rates` is ignored for that reason. Teams roll up through today's
/// hierarchy.
pub fn backtest(
    inputs: &ForecastInputs<'_>,
    settings: &ForecastSettings,
    backtest: &BacktestSettings,
) -> Result<Backtest, ForecastError> {
    let settings = ForecastSettings {
        period_kind: backtest.period.kind(),
        ..settings.clone()
    };
    let then: Vec<Deal> = inputs
        .deals
        .iter()
        .filter_map(|deal| deal_as_of(deal, backtest.as_of))
        .collect();
    let win_rates = if backtest.lookback_days == 0 {
        Vec::new()
    } else {
        let window = TimeWindow::new(
            backtest.as_of.plus_days(-i64::from(backtest.lookback_days)),
            backtest.as_of,
        )?;
        inputs
            .pipelines
            .iter()
            .map(|pipeline| stage_win_rates(&then, pipeline, window, backtest.prior_strength))
            .collect::<Result<Vec<StageWinRates>, ForecastError>>()?
    };
    let past = forecast(
        &ForecastInputs {
            deals: &then,
            pipelines: inputs.pipelines,
            teams: inputs.teams,
            stage_win_rates: &win_rates,
        },
        &settings,
    )?;
    let now = forecast(
        &ForecastInputs {
            stage_win_rates: &[],
            ..*inputs
        },
        &settings,
    )?;
    let currency = settings.rates.reporting();
    let zero = Money::zero(currency);
    let no_forecast = PerModel {
        best_practice: zero,
        rep_commit: zero,
        stage_weighted: zero,
        manual_weighted: zero,
    };
    let mut groups: BTreeMap<ForecastGroup, (PerModel<Money>, Money, u32)> = BTreeMap::new();
    for row in past.rows.iter().filter(|row| row.period == backtest.period) {
        groups
            .entry(row.group.clone())
            .or_insert((no_forecast, zero, 0))
            .0 = row.figures.forecast;
    }
    for row in now.rows.iter().filter(|row| row.period == backtest.period) {
        let entry = groups
            .entry(row.group.clone())
            .or_insert((no_forecast, zero, 0));
        entry.1 = row.figures.closed_won;
        entry.2 = row.figures.won_deals;
    }
    let rows = groups
        .into_iter()
        .map(|(group, (predicted, actual_won, won_deals))| {
            Ok(BacktestRow {
                error: predicted.try_map(|amount| ModelError::between(*amount, actual_won))?,
                group,
                predicted,
                actual_won,
                won_deals,
            })
        })
        .collect::<Result<Vec<_>, MoneyError>>()?;
    Ok(Backtest {
        as_of: backtest.as_of,
        period: backtest.period,
        currency,
        deals_then: u32::try_from(then.len()).unwrap_or(u32::MAX),
        rows,
        excluded: past.excluded,
    })
}

/// The deal as it stood at `as_of`, reconstructed from its logs; `None` if it did not exist yet.
///
/// - Stage history, manager adjustments, follow-ups, comments and touchpoints: the entries up to
///   and including `as_of`, so its stage and status are those of then.
/// - Expected close date and amount: read back from their change logs (the `from` of the first
///   change after `as_of`).
/// - Owner's category override, manual and learned probabilities: kept if set by `as_of`,
///   dropped otherwise (their earlier values are not logged, so the stage default stands in).
/// - Everything else (account, contacts, team) is today's value.
pub fn deal_as_of(deal: &Deal, as_of: Timestamp) -> Option<Deal> {
    let first = deal.history.first()?;
    if first.at > as_of || deal.created_at > as_of {
        return None;
    }
    let mut then = deal.clone();
    then.history.retain(|entry| entry.at <= as_of);
    if let Some(change) = deal
        .close_date_changes
        .iter()
        .filter(|change| change.at > as_of)
        .min_by_key(|change| (change.at, &change.id))
    {
        then.expected_close = change.from;
    }
    then.close_date_changes.retain(|change| change.at <= as_of);
    if let Some(change) = deal
        .amount_changes
        .iter()
        .filter(|change| change.at > as_of)
        .min_by_key(|change| (change.at, &change.id))
    {
        then.amount = change.from;
    }
    then.amount_changes.retain(|change| change.at <= as_of);
    if then
        .forecast_category
        .as_ref()
        .is_some_and(|category| category.set_at > as_of)
    {
        then.forecast_category = None;
    }
    then.forecast_adjustments
        .retain(|adjustment| adjustment.at <= as_of);
    if then
        .probability
        .manual
        .as_ref()
        .is_some_and(|manual| manual.set_at > as_of)
    {
        then.probability.manual = None;
    }
    if then
        .probability
        .learned
        .as_ref()
        .is_some_and(|learned| learned.computed_at > as_of)
    {
        then.probability.learned = None;
    }
    then.follow_ups.retain(|_, follow_up| follow_up.at <= as_of);
    then.comments.retain(|_, comment| comment.at <= as_of);
    then.touchpoints
        .retain(|_, touchpoint| touchpoint.at <= as_of);
    Some(then)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_signed_absolute_and_relative() {
        let cny = |major| Money::from_major(major, Currency::CNY).unwrap();
        let error = ModelError::between(cny(120), cny(100)).unwrap();
        assert_eq!(error.signed, cny(20));
        assert_eq!(error.absolute, cny(20));
        assert_eq!(error.percentage, Some(Ratio::from_basis_points(2_000)));
        let error = ModelError::between(cny(70), cny(100)).unwrap();
        assert_eq!(error.signed, cny(-30));
        assert_eq!(error.absolute, cny(30));
        assert_eq!(error.percentage, Some(Ratio::from_basis_points(3_000)));
        assert_eq!(
            ModelError::between(cny(5), cny(0)).unwrap().percentage,
            None
        );
    }

    mod scenario {
        use std::collections::BTreeMap;

        use time::macros::{date, offset};

        use crate::deal::{DealStatus, ManualProbability};
        use crate::exchange::ExchangeRates;
        use crate::forecast::{
            BacktestSettings, ForecastGroup, ForecastInputs, ForecastModel, ForecastSettings,
            PeriodKind, Ratio, backtest, deal_as_of,
        };
        use crate::id::RecordId;
        use crate::money::{Currency, Money};
        use crate::pipeline::Pipeline;
        use crate::probability::Probability;
        use crate::test_deal::*;

        /// x: demo ¥100k closing 2026-02-20; on day 40 pushed to 2026-03-10, on day 45 raised
        /// to ¥120k, won on day 60. y: negotiate ¥50k from day 10, manual 80 % set on day 50,
        /// lost on day 80. z: created on day 40, won ¥30k on day 50.
        fn deals() -> Vec<crate::deal::Deal> {
            let mut x = open_deal("x", "demo", 100_000);
            close_on(&mut x, date!(2026 - 02 - 20));
            x.set_expected_close(
                Some(date!(2026 - 03 - 10)),
                user("rep-a"),
                day(40),
                RecordId::new("c1").unwrap(),
            );
            x.set_amount(
                cny(120_000),
                user("rep-a"),
                day(45),
                RecordId::new("a1").unwrap(),
            );
            move_to(&mut x, 60, "demo", DealStatus::Won);
            let mut y = open_deal("y", "negotiate", 50_000);
            y.created_at = day(10);
            y.history[0].at = day(10);
            close_on(&mut y, date!(2026 - 03 - 25));
            y.probability.manual = Some(ManualProbability {
                value: Probability::from_percent(80).unwrap(),
                set_by: user("rep-a"),
                set_at: day(50),
            });
            move_to(&mut y, 80, "negotiate", DealStatus::Lost);
            let mut z = open_deal("z", "negotiate", 30_000);
            z.created_at = day(40);
            z.history[0].at = day(40);
            move_to(&mut z, 50, "negotiate", DealStatus::Won);
            vec![x, y, z]
        }

        #[test]
        fn reconstructs_a_deal_from_its_logs() {
            let deals = deals();
            let x = deal_as_of(&deals[0], day(30)).unwrap();
            assert_eq!(x.expected_close, Some(date!(2026 - 02 - 20)));
            assert_eq!(x.amount, cny(100_000));
            assert!(x.is_open());
            assert!(x.close_date_changes.is_empty());
            let y = deal_as_of(&deals[1], day(30)).unwrap();
            assert_eq!(y.probability.manual, None);
            assert!(deal_as_of(&deals[2], day(30)).is_none());
            let later = deal_as_of(&deals[0], day(42)).unwrap();
            assert_eq!(later.expected_close, Some(date!(2026 - 03 - 10)));
            assert_eq!(later.amount, cny(100_000));
        }

        #[test]
        fn compares_each_model_with_what_was_won() {
            let deals = deals();
            let pipelines = [Pipeline::template_new_business()];
            let teams = BTreeMap::new();
            let inputs = ForecastInputs {
                deals: &deals,
                pipelines: &pipelines,
                teams: &teams,
                stage_win_rates: &[],
            };
            let settings = ForecastSettings::new(
                ExchangeRates::new(Currency::CNY),
                offset!(+8),
                PeriodKind::Month,
            );
            let result = backtest(
                &inputs,
                &settings,
                &BacktestSettings {
                    as_of: day(30),
                    period: "2026-Q1".parse().unwrap(),
                    lookback_days: 365,
                    prior_strength: 10,
                },
            )
            .unwrap();
            assert_eq!(result.deals_then, 2);
            let total = result.row(&ForecastGroup::Total).unwrap();
            // Then: x 40 % × 100k + y 70 % × 50k; y was commit, x best case.
            assert_eq!(total.predicted.stage_weighted, cny(75_000));
            assert_eq!(total.predicted.manual_weighted, cny(75_000));
            assert_eq!(total.predicted.best_practice, cny(75_000));
            assert_eq!(total.predicted.rep_commit, cny(50_000));
            // Won in Q1: x ¥120k (its amount today) + z ¥30k.
            assert_eq!(total.actual_won, cny(150_000));
            assert_eq!(total.won_deals, 2);
            assert_eq!(total.error.stage_weighted.signed, cny(-75_000));
            assert_eq!(
                total.error.stage_weighted.percentage,
                Some(Ratio::from_basis_points(5_000))
            );
            assert_eq!(total.error.rep_commit.absolute, cny(100_000));
            assert_eq!(
                total.error.rep_commit.percentage,
                Some(Ratio::from_basis_points(6_667))
            );
            assert_eq!(total.most_accurate(), ForecastModel::BestPractice);
            let zero = Money::zero(Currency::CNY);
            assert_ne!(total.error.best_practice.absolute, zero);
        }
    }
}
