//! Forecasting (销售预测): what the pipeline is worth, per period, rep, team and pipeline, by
//! four models side by side, with a Monte Carlo range, targets and backtests.
//!
//! Every figure can be traced back: a [`Forecast`] lists each deal's [`DealForecast`] (its
//! amount in the reporting currency, each model's probability and where it came from, its
//! forecast category call with the owner's override and the manager's adjustments), and the rows
//! are exact integer sums of those contributions.
//!
//! - [`forecast`]: the four models (best practice, rep commit, stage weight, manual weight) per
//!   deal and per [`Period`] × [`ForecastGroup`], teams rolled up the [`TeamHierarchy`].
//! - [`stage_win_rates`]: each stage's historical win rate, blended with its configured
//!   probability through a Beta prior.
//! - [`Forecast::simulate`] and [`simulate_revenue`]: P10 / P50 / P90 of a period's revenue,
//!   deterministic given a seed.
//! - [`Forecast::attainment`]: completion and gap against [`Target`]s.
//! - [`backtest`]: the models' forecasts at a past date against what was actually won.
//!
//! Money stays integer throughout: amounts are converted into the reporting currency once per
//! deal and weighted with [`Probability::weight`](crate::Probability::weight), both rounding half
//! away from zero; sums are exact.
//!
//! [`TeamHierarchy`]: crate::TeamHierarchy

mod backtest;
mod category;
mod error;
mod model;
mod period;
mod placement;
mod rollup;
mod simulation;
mod target;
mod win_rate;

use serde::{Deserialize, Serialize};
use time::UtcOffset;

pub use backtest::{Backtest, BacktestRow, BacktestSettings, ModelError, backtest, deal_as_of};
pub use category::{CategoryCall, CategoryTotals};
pub use error::ForecastError;
pub use model::{
    BasisCounts, DealForecast, Forecast, ForecastFigures, ForecastInputs, ForecastModel,
    ForecastRow, ModelProbability, PerModel, ProbabilityBasis, forecast,
};
pub use period::{Period, PeriodKind, Quarter};
pub use placement::{Exclusion, ExclusionReason};
pub use rollup::ForecastGroup;
pub use simulation::{
    MAX_TRIALS, RevenueRange, SimulatedDeal, SimulatedModel, SimulationSettings, simulate_revenue,
};
pub use target::{Ratio, Target, TargetAttainment};
pub use win_rate::{StageWinRate, StageWinRates, TimeWindow, stage_win_rates};

use crate::exchange::ExchangeRates;

/// How a forecast is reported: the currency (through the rate table), the organisation's time
/// zone (for turning instants into calendar dates) and the period length.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ForecastSettings {
    /// Rates into the reporting currency; every amount is converted with them.
    pub rates: ExchangeRates,
    /// The organisation's UTC offset.
    pub offset: UtcOffset,
    /// Month or quarter.
    pub period_kind: PeriodKind,
}

impl ForecastSettings {
    /// Settings from their parts.
    pub fn new(rates: ExchangeRates, offset: UtcOffset, period_kind: PeriodKind) -> Self {
        ForecastSettings {
            rates,
            offset,
            period_kind,
        }
    }
}
