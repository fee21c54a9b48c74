//! The four forecast models side by side: best practice, rep commit, stage weight and manual
//! weight, per deal and per period × group.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use super::ForecastSettings;
use super::category::{CategoryCall, CategoryTally, CategoryTotals, is_committed};
use super::error::ForecastError;
use super::period::{Period, PeriodKind};
use super::placement::{
    Exclusion, PipelineTable, Placed, Placement, TableLookup, place, place_row,
};
use super::rollup::{ForecastGroup, Rollup, Tally, add_to, belongs};
use super::win_rate::StageWinRates;
use crate::deal::{Deal, DealStatus};
use crate::deal_table::DealTable;
use crate::id::{DealId, PipelineId, StageId, TeamId, UserId};
use crate::money::{Currency, Money, MoneyError};
use crate::pipeline::Pipeline;
use crate::probability::Probability;
use crate::team_hierarchy::TeamHierarchy;
use crate::timestamp::Timestamp;

/// One of the four forecast models.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ForecastModel {
    /// From historically similar deals: the learned win probability, else the stage's
    /// historical win rate, else the stage default.
    BestPractice,
    /// The reps' (and managers') forecast categories: closed + commit.
    RepCommit,
    /// Amount × the stage's configured probability.
    StageWeighted,
    /// Amount × the manual probability where set, else the stage's configured probability.
    ManualWeighted,
}

impl ForecastModel {
    /// All four, in display order.
    pub const ALL: [ForecastModel; 4] = [
        ForecastModel::BestPractice,
        ForecastModel::RepCommit,
        ForecastModel::StageWeighted,
        ForecastModel::ManualWeighted,
    ];
}

/// One value per forecast model.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize)]
pub struct PerModel<T> {
    /// Best practice (learned probabilities).
    pub best_practice: T,
    /// Rep commit (forecast categories).
    pub rep_commit: T,
    /// Stage weight.
    pub stage_weighted: T,
    /// Manual weight.
    pub manual_weighted: T,
}

impl<T> PerModel<T> {
    /// The value of `model`.
    pub fn get(&self, model: ForecastModel) -> &T {
        match model {
            ForecastModel::BestPractice => &self.best_practice,
            ForecastModel::RepCommit => &self.rep_commit,
            ForecastModel::StageWeighted => &self.stage_weighted,
            ForecastModel::ManualWeighted => &self.manual_weighted,
        }
    }

    /// Applies `f` to each value.
    pub fn try_map<U, E>(&self, mut f: impl FnMut(&T) -> Result<U, E>) -> Result<PerModel<U>, E> {
        Ok(PerModel {
            best_practice: f(&self.best_practice)?,
            rep_commit: f(&self.rep_commit)?,
            stage_weighted: f(&self.stage_weighted)?,
            manual_weighted: f(&self.manual_weighted)?,
        })
    }
}

/// Where a model's probability for a deal came from.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProbabilityBasis {
    /// The deal is won: 100 %.
    Won,
    /// Set by hand.
    Manual {
        /// When it was set.
        set_at: Timestamp,
    },
    /// From the scoring model ([`Deal::probability`]).
    Learned {
        /// When the model computed it.
        computed_at: Timestamp,
    },
    /// The stage's historical win rate.
    HistoricalWinRate {
        /// The number of closed deals it rests on.
        rests_on: u32,
    },
    /// The stage's configured probability.
    StageDefault,
}

/// A model's probability for one deal, and its basis.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
pub struct ModelProbability {
    /// The probability.
    pub value: Probability,
    /// Where it came from.
    pub basis: ProbabilityBasis,
}

/// One deal's place and contribution in a forecast, with everything it was computed from.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct DealForecast<'a> {
    /// The deal.
    pub deal: &'a DealId,
    /// Its owner.
    pub owner: &'a UserId,
    /// Its team.
    pub team: Option<&'a TeamId>,
    /// Its pipeline.
    pub pipeline: &'a PipelineId,
    /// Its current stage (for won deals, the stage reached).
    pub stage: &'a StageId,
    /// Open or won.
    pub status: DealStatus,
    /// The period of its expected close date (won deals: of the day they were won).
    pub period: Period,
    /// Its amount, converted into the reporting currency.
    pub amount: Money,
    /// The stage's configured probability (100 % for won deals).
    pub stage_probability: Probability,
    /// The best-practice model's probability.
    pub best_practice: ModelProbability,
    /// The manual-weight model's probability.
    pub manual: ModelProbability,
    /// The rep commit model's category.
    pub category: CategoryCall<'a>,
    /// The deal's contribution to each model: amount × probability, rounded half away from
    /// zero per deal; for rep commit, the amount when the final call is commit or closed.
    pub contribution: PerModel<Money>,
}

/// Deal counts by the basis of their probability.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize)]
pub struct BasisCounts {
    /// Open deals with a manual probability.
    pub manual: u32,
    /// Open deals with a learned probability.
    pub learned: u32,
    /// Open deals weighted by their stage's historical win rate.
    pub historical_win_rate: u32,
    /// Open deals weighted by their stage's configured probability.
    pub stage_default: u32,
}

/// The figures of one period × group. Every model's forecast includes the closed-won amount.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct ForecastFigures {
    /// Open deals with an expected close in the period.
    pub open_deals: u32,
    /// Deals won in the period.
    pub won_deals: u32,
    /// Amount won in the period.
    pub closed_won: Money,
    /// Unweighted amount of the open deals.
    pub open_amount: Money,
    /// Each model's forecast: closed won + the open deals' contributions.
    pub forecast: PerModel<Money>,
    /// Amounts per category as the owners call them.
    pub owner_categories: CategoryTotals,
    /// Amounts per category after manager adjustments.
    pub adjusted_categories: CategoryTotals,
    /// Deals whose category a manager changed.
    pub adjusted_deals: u32,
    /// Which probability the best-practice model used for how many open deals.
    pub best_practice_basis: BasisCounts,
    /// Which probability the manual-weight model used for how many open deals.
    pub manual_basis: BasisCounts,
}

/// One row of a forecast: a period and a group.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct ForecastRow {
    /// The period.
    pub period: Period,
    /// Total, rep, team or pipeline.
    pub group: ForecastGroup,
    /// The figures.
    pub figures: ForecastFigures,
}

/// What a forecast is computed from.
#[derive(Clone, Copy)]
pub struct ForecastInputs<'a> {
    /// The deals (any status; lost and stopped ones contribute nothing).
    pub deals: &'a [Deal],
    /// The pipelines the deals are in.
    pub pipelines: &'a [Pipeline],
    /// The team tree, for rolling teams up to their parents.
    pub teams: &'a dyn TeamHierarchy,
    /// Historical win rates per pipeline, for the best-practice model (may be empty).
    pub stage_win_rates: &'a [StageWinRates],
}

impl fmt::Debug for ForecastInputs<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ForecastInputs")
            .field("deals", &self.deals.len())
            .field("pipelines", &self.pipelines.len())
            .field("stage_win_rates", &self.stage_win_rates.len())
            .finish_non_exhaustive()
    }
}

/// A forecast: every deal's contribution and the rows per period × group, in the reporting
/// currency.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct Forecast<'a> {
    /// The reporting currency.
    pub currency: Currency,
    /// Month or quarter.
    pub period_kind: PeriodKind,
    /// One entry per placed deal, in input order.
    pub deals: Vec<DealForecast<'a>>,
    /// Rows sorted by period, then group (total, reps, teams, pipelines).
    pub rows: Vec<ForecastRow>,
    /// Deals left out, with the reason.
    pub excluded: Vec<Exclusion>,
    #[serde(skip)]
    team_chains: BTreeMap<TeamId, Vec<TeamId>>,
    #[serde(skip)]
    sources: Vec<&'a Deal>,
}

impl<'a> Forecast<'a> {
    /// The row of `period` and `group`, if any deal fell in it.
    pub fn row(&self, period: Period, group: &ForecastGroup) -> Option<&ForecastRow> {
        self.rows
            .binary_search_by(|row| (row.period, &row.group).cmp(&(period, group)))
            .ok()
            .and_then(|index| self.rows.get(index))
    }

    /// The periods that have rows, in order.
    pub fn periods(&self) -> Vec<Period> {
        let mut periods: Vec<Period> = self.rows.iter().map(|row| row.period).collect();
        periods.dedup();
        periods
    }

    /// The deals of `period` that belong to `group` (a team includes its sub-teams).
    pub fn deals_in<'s>(
        &'s self,
        period: Period,
        group: &'s ForecastGroup,
    ) -> impl Iterator<Item = &'s DealForecast<'a>> + 's {
        self.deals
            .iter()
            .zip(&self.sources)
            .filter(move |(line, deal)| {
                line.period == period && belongs(group, deal, &self.team_chains)
            })
            .map(|(line, _)| line)
    }
}

/// Computes the four models for every deal and rolls them up by period, rep, team (through the
/// hierarchy) and pipeline.
///
/// Each amount is converted into the reporting currency once, then weighted with
/// [`Probability::weight`], rounding half away from zero per deal; row totals are exact integer
/// sums of the per-deal contributions, so a row always equals the sum of its deals.
///
/// ```
/// use dealflow_core::*;
/// use std::collections::BTreeMap;
/// use time::macros::{date, offset};
///
/// // A ¥100,000 deal in a stage with a 30 % win rate contributes ¥30,000.
/// let mut pipeline = Pipeline::template_solution_sales(); // proposal: 30 %
/// let ctx = MoveContext {
///     now: Timestamp::from_millis(1_764_000_000_000),
///     offset: offset!(+8),
///     by: UserId::new("rep-wang")?,
///     transition_id: RecordId::new("t1")?,
/// };
/// let (deal, _) = pipeline.open_deal(
///     NewDeal {
///         id: DealId::new("deal-1")?,
///         title: "华南物流 WMS".into(),
///         account: Account::default(),
///         amount: Money::from_major(100_000, Currency::CNY)?,
///         expected_close: Some(date!(2026 - 03 - 20)),
///         owner: UserId::new("rep-wang")?,
///         team: None,
///         source: None,
///         stage: Some(StageId::new("proposal")?),
///     },
///     &ctx,
/// )?;
/// let deals = [deal];
/// let pipelines = [pipeline];
/// let teams = BTreeMap::new();
/// let inputs = ForecastInputs { deals: &deals, pipelines: &pipelines, teams: &teams, stage_win_rates: &[] };
/// let settings = ForecastSettings::new(ExchangeRates::new(Currency::CNY), offset!(+8), PeriodKind::Quarter);
/// let result = forecast(&inputs, &settings)?;
/// let q1: Period = "2026-Q1".parse()?;
/// let total = &result.row(q1, &ForecastGroup::Total).unwrap().figures;
/// assert_eq!(total.forecast.stage_weighted, Money::from_major(30_000, Currency::CNY)?);
/// # Ok::<(), dealflow_core::Error>(())
/// ```
pub fn forecast<'a>(
    inputs: &ForecastInputs<'a>,
    settings: &ForecastSettings,
) -> Result<Forecast<'a>, ForecastError> {
    let table = PipelineTable::new(inputs.pipelines, inputs.stage_win_rates);
    let mut rollup: Rollup<'a, FiguresTally> = Rollup::new();
    let mut lines = Vec::with_capacity(inputs.deals.len());
    let mut sources = Vec::with_capacity(inputs.deals.len());
    let mut excluded = Vec::new();
    for (index, deal) in inputs.deals.iter().enumerate() {
        // Start fetching the current history entry of the deal after next and the strings of
        // the next deal (whose entry is fetched by now) while this one is placed.
        if let Some(later) = inputs.deals.get(index + 2) {
            std::hint::black_box(later.current().map(|entry| entry.at));
        }
        if let Some(next) = inputs.deals.get(index + 1) {
            touch(next);
        }
        let placed = match place(deal, &table, settings)? {
            Placement::Placed(placed) => placed,
            Placement::Excluded(reason) => {
                excluded.push(Exclusion {
                    deal: deal.id.clone(),
                    reason,
                });
                continue;
            }
            Placement::NotForecast => continue,
        };
        let line = deal_forecast(&placed)?;
        rollup.add(placed.period, deal, &FiguresTally::of(&line))?;
        lines.push(line);
        sources.push(deal);
    }
    assemble(rollup, inputs.teams, settings, lines, sources, excluded)
}

/// The forecast of the deals placed, rolled up and listed.
fn assemble<'a>(
    rollup: Rollup<'a, FiguresTally>,
    teams: &dyn TeamHierarchy,
    settings: &ForecastSettings,
    lines: Vec<DealForecast<'a>>,
    sources: Vec<&'a Deal>,
    excluded: Vec<Exclusion>,
) -> Result<Forecast<'a>, ForecastError> {
    let currency = settings.rates.reporting();
    let rolled = rollup.finish(teams)?;
    let rows = rolled
        .rows
        .into_iter()
        .map(|(period, group, tally)| ForecastRow {
            period,
            group,
            figures: tally.figures(currency),
        })
        .collect();
    Ok(Forecast {
        currency,
        period_kind: settings.period_kind,
        deals: lines,
        rows,
        excluded,
        team_chains: rolled.team_chains,
        sources,
    })
}

impl<'a> DealTable<'a> {
    /// [`forecast`] over the table's deals: the same forecast, with each deal's history,
    /// pipeline, stage, owner and team read from the table's columns.
    ///
    /// ```
    /// use dealflow_core::*;
    /// use std::collections::BTreeMap;
    /// use time::macros::offset;
    ///
    /// let deals: Vec<Deal> = Vec::new();
    /// let table = DealTable::new(&deals);
    /// let pipelines = [Pipeline::template_new_business()];
    /// let teams = BTreeMap::new();
    /// let settings =
    ///     ForecastSettings::new(ExchangeRates::new(Currency::CNY), offset!(+8), PeriodKind::Month);
    /// let inputs =
    ///     ForecastInputs { deals: &deals, pipelines: &pipelines, teams: &teams, stage_win_rates: &[] };
    /// assert_eq!(table.forecast(&pipelines, &teams, &[], &settings)?, forecast(&inputs, &settings)?);
    /// # Ok::<(), dealflow_core::Error>(())
    /// ```
    pub fn forecast(
        &self,
        pipelines: &'a [Pipeline],
        teams: &'a dyn TeamHierarchy,
        stage_win_rates: &'a [StageWinRates],
        settings: &ForecastSettings,
    ) -> Result<Forecast<'a>, ForecastError> {
        let table = PipelineTable::new(pipelines, stage_win_rates);
        let lookup = TableLookup::new(&table, self);
        let mut rollup: Rollup<'a, FiguresTally> = Rollup::new();
        let mut lines = Vec::with_capacity(self.deals.len());
        let mut sources = Vec::with_capacity(self.deals.len());
        let mut excluded = Vec::new();
        let deals: &'a [Deal] = self.deals;
        for (index, deal) in deals.iter().enumerate() {
            let placed = match place_row(self, index, &table, &lookup, settings)? {
                Placement::Placed(placed) => placed,
                Placement::Excluded(reason) => {
                    excluded.push(Exclusion {
                        deal: deal.id.clone(),
                        reason,
                    });
                    continue;
                }
                Placement::NotForecast => continue,
            };
            let line = deal_forecast(&placed)?;
            rollup.add_row(placed.period, self, index, &FiguresTally::of(&line))?;
            lines.push(line);
            sources.push(deal);
        }
        assemble(rollup, teams, settings, lines, sources, excluded)
    }
}

/// Reads the first byte of each string of `deal` that placing and rolling it up compares or
/// hashes (its stage, pipeline, owner and team). Every string lives in its own heap block, so
/// reading them one by one waits for one cache miss after another; touching the next deal's in
/// a loop without dependencies lets the processor fetch them while the current deal is placed.
fn touch(deal: &Deal) {
    let strings = deal
        .current()
        .map(|entry| entry.stage.as_str())
        .into_iter()
        .chain([deal.pipeline.as_str(), deal.owner.as_str()])
        .chain(deal.team.as_ref().map(|team| team.as_str()));
    let mut sum = 0_u8;
    for string in strings {
        sum = sum.wrapping_add(string.as_bytes().first().copied().unwrap_or_default());
    }
    std::hint::black_box(sum);
}

fn deal_forecast<'a>(placed: &Placed<'a, '_>) -> Result<DealForecast<'a>, MoneyError> {
    let deal = placed.deal;
    let won = ModelProbability {
        value: Probability::CERTAIN,
        basis: ProbabilityBasis::Won,
    };
    let (status, stage_probability, best_practice, manual, category) = match &placed.open {
        None => (
            DealStatus::Won,
            Probability::CERTAIN,
            won,
            won,
            CategoryCall::of(deal, None),
        ),
        Some(open) => {
            let stage_default = ModelProbability {
                value: open.stage.probability,
                basis: ProbabilityBasis::StageDefault,
            };
            let historical = open
                .pipeline
                .win_rates
                .get(open.stage_index)
                .copied()
                .flatten()
                .filter(|rate| rate.rests_on() > 0)
                .map(|rate| ModelProbability {
                    value: rate.blended,
                    basis: ProbabilityBasis::HistoricalWinRate {
                        rests_on: rate.rests_on(),
                    },
                });
            let best_practice = match &deal.probability.learned {
                Some(learned) => ModelProbability {
                    value: learned.value,
                    basis: ProbabilityBasis::Learned {
                        computed_at: learned.computed_at,
                    },
                },
                None => historical.unwrap_or(stage_default),
            };
            let manual = match &deal.probability.manual {
                Some(manual) => ModelProbability {
                    value: manual.value,
                    basis: ProbabilityBasis::Manual {
                        set_at: manual.set_at,
                    },
                },
                None => stage_default,
            };
            (
                DealStatus::Open,
                open.stage.probability,
                best_practice,
                manual,
                CategoryCall::of(deal, Some(open.stage.forecast_category)),
            )
        }
    };
    let amount = placed.amount;
    let contribution = PerModel {
        best_practice: best_practice.value.weight(amount)?,
        rep_commit: if is_committed(category.final_call) {
            amount
        } else {
            Money::zero(amount.currency())
        },
        stage_weighted: stage_probability.weight(amount)?,
        manual_weighted: manual.value.weight(amount)?,
    };
    Ok(DealForecast {
        deal: &deal.id,
        owner: &deal.owner,
        team: deal.team.as_ref(),
        pipeline: &deal.pipeline,
        stage: placed.stage_id,
        status,
        period: placed.period,
        amount,
        stage_probability,
        best_practice,
        manual,
        category,
        contribution,
    })
}

/// The figures of a row in minor units and counts, summed exactly.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
struct FiguresTally {
    open_deals: i64,
    won_deals: i64,
    closed_won: i64,
    open_amount: i64,
    forecast: [i64; 4],
    owner_categories: CategoryTally,
    adjusted_categories: CategoryTally,
    adjusted_deals: i64,
    /// manual, learned, historical, stage default.
    best_practice_basis: [i64; 4],
    manual_basis: [i64; 4],
}

impl FiguresTally {
    fn of(line: &DealForecast<'_>) -> Self {
        let amount = line.amount.minor();
        let won = line.status == DealStatus::Won;
        let contribution = &line.contribution;
        FiguresTally {
            open_deals: i64::from(!won),
            won_deals: i64::from(won),
            closed_won: if won { amount } else { 0 },
            open_amount: if won { 0 } else { amount },
            forecast: [
                contribution.best_practice.minor(),
                contribution.rep_commit.minor(),
                contribution.stage_weighted.minor(),
                contribution.manual_weighted.minor(),
            ],
            owner_categories: CategoryTally::single(line.category.owner_call, amount),
            adjusted_categories: CategoryTally::single(line.category.final_call, amount),
            adjusted_deals: i64::from(line.category.is_adjusted()),
            best_practice_basis: basis_slot(line.best_practice.basis),
            manual_basis: basis_slot(line.manual.basis),
        }
    }

    fn figures(&self, currency: Currency) -> ForecastFigures {
        let money = |minor| Money::new(minor, currency);
        let [best_practice, rep_commit, stage_weighted, manual_weighted] = self.forecast;
        ForecastFigures {
            open_deals: count(self.open_deals),
            won_deals: count(self.won_deals),
            closed_won: money(self.closed_won),
            open_amount: money(self.open_amount),
            forecast: PerModel {
                best_practice: money(best_practice),
                rep_commit: money(rep_commit),
                stage_weighted: money(stage_weighted),
                manual_weighted: money(manual_weighted),
            },
            owner_categories: self.owner_categories.totals(currency),
            adjusted_categories: self.adjusted_categories.totals(currency),
            adjusted_deals: count(self.adjusted_deals),
            best_practice_basis: basis_counts(self.best_practice_basis),
            manual_basis: basis_counts(self.manual_basis),
        }
    }
}

impl Tally for FiguresTally {
    fn absorb(&mut self, other: &Self) -> Result<(), MoneyError> {
        add_to(&mut self.open_deals, other.open_deals)?;
        add_to(&mut self.won_deals, other.won_deals)?;
        add_to(&mut self.closed_won, other.closed_won)?;
        add_to(&mut self.open_amount, other.open_amount)?;
        for (total, value) in self.forecast.iter_mut().zip(other.forecast) {
            add_to(total, value)?;
        }
        self.owner_categories.absorb(&other.owner_categories)?;
        self.adjusted_categories
            .absorb(&other.adjusted_categories)?;
        add_to(&mut self.adjusted_deals, other.adjusted_deals)?;
        for (total, value) in self
            .best_practice_basis
            .iter_mut()
            .zip(other.best_practice_basis)
        {
            add_to(total, value)?;
        }
        for (total, value) in self.manual_basis.iter_mut().zip(other.manual_basis) {
            add_to(total, value)?;
        }
        Ok(())
    }
}

fn basis_slot(basis: ProbabilityBasis) -> [i64; 4] {
    match basis {
        ProbabilityBasis::Won => [0, 0, 0, 0],
        ProbabilityBasis::Manual { .. } => [1, 0, 0, 0],
        ProbabilityBasis::Learned { .. } => [0, 1, 0, 0],
        ProbabilityBasis::HistoricalWinRate { .. } => [0, 0, 1, 0],
        ProbabilityBasis::StageDefault => [0, 0, 0, 1],
    }
}

fn basis_counts([manual, learned, historical_win_rate, stage_default]: [i64; 4]) -> BasisCounts {
    BasisCounts {
        manual: count(manual),
        learned: count(learned),
        historical_win_rate: count(historical_win_rate),
        stage_default: count(stage_default),
    }
}

fn count(value: i64) -> u32 {
    u32::try_from(value.max(0)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use time::macros::{date, offset};

    use super::*;
    use crate::deal::{
        CategoryOverride, ForecastAdjustment, LearnedProbability, ManualProbability,
    };
    use crate::exchange::ExchangeRates;
    use crate::forecast::placement::ExclusionReason;
    use crate::forecast::win_rate::{StageWinRate, TimeWindow};
    use crate::id::RecordId;
    use crate::pipeline::ForecastCategory;
    use crate::test_deal::*;

    fn settings(kind: PeriodKind) -> ForecastSettings {
        let rates = ExchangeRates::new(Currency::CNY)
            .with_rate(Currency::USD, "7.2")
            .unwrap();
        ForecastSettings::new(rates, offset!(+8), kind)
    }

    fn hierarchy() -> BTreeMap<TeamId, TeamId> {
        BTreeMap::from([
            (team("east-1"), team("east")),
            (team("east-2"), team("east")),
            (team("east"), team("company")),
        ])
    }

    /// d1 demo ¥100k (manual 55 %), d2 negotiate ¥50k (learned 60 %, owner says pipeline,
    /// manager says commit), d3 won ¥20k in March, d4 lost, d5 no close date, d6 unknown stage,
    /// d7 $1,000 in qualify closing in April.
    fn deals() -> Vec<Deal> {
        let mut d1 = open_deal("d1", "demo", 100_000);
        d1.team = Some(team("east-1"));
        d1.probability.manual = Some(ManualProbability {
            value: Probability::from_percent(55).unwrap(),
            set_by: user("rep-a"),
            set_at: day(3),
        });
        let mut d2 = open_deal("d2", "negotiate", 50_000);
        d2.owner = user("rep-b");
        d2.team = Some(team("east-2"));
        close_on(&mut d2, date!(2026 - 03 - 20));
        d2.probability.learned = Some(LearnedProbability {
            value: Probability::from_percent(60).unwrap(),
            computed_at: day(4),
        });
        d2.forecast_category = Some(CategoryOverride {
            category: ForecastCategory::Pipeline,
            set_by: user("rep-b"),
            set_at: day(5),
        });
        d2.forecast_adjustments.push(ForecastAdjustment {
            id: RecordId::new("adj-1").unwrap(),
            by: user("manager-zhao"),
            at: day(6),
            from: ForecastCategory::Pipeline,
            to: ForecastCategory::Commit,
            note: "客户已口头确认".into(),
        });
        let mut d3 = open_deal("d3", "negotiate", 20_000);
        d3.team = Some(team("east-1"));
        move_to(&mut d3, 70, "negotiate", DealStatus::Won); // 2026-03-12
        let mut d4 = open_deal("d4", "demo", 80_000);
        move_to(&mut d4, 20, "demo", DealStatus::Lost);
        let mut d5 = open_deal("d5", "demo", 10_000);
        d5.expected_close = None;
        let d6 = open_deal("d6", "gone", 10_000);
        let mut d7 = open_deal("d7", "qualify", 0);
        d7.amount = Money::new(100_000, Currency::USD);
        close_on(&mut d7, date!(2026 - 04 - 02));
        vec![d1, d2, d3, d4, d5, d6, d7]
    }

    fn run<'a>(
        deals: &'a [Deal],
        pipelines: &'a [Pipeline],
        teams: &'a BTreeMap<TeamId, TeamId>,
        win_rates: &'a [StageWinRates],
    ) -> Forecast<'a> {
        let inputs = ForecastInputs {
            deals,
            pipelines,
            teams,
            stage_win_rates: win_rates,
        };
        forecast(&inputs, &settings(PeriodKind::Month)).unwrap()
    }

    #[test]
    fn four_models_by_hand() {
        let deals = deals();
        let pipelines = [Pipeline::template_new_business()];
        let teams = hierarchy();
        let result = run(&deals, &pipelines, &teams, &[]);
        let march: Period = "2026-03".parse().unwrap();
        let total = &result.row(march, &ForecastGroup::Total).unwrap().figures;
        // Stage: 40 % × 100k + 70 % × 50k + 20k won.
        assert_eq!(total.forecast.stage_weighted, cny(95_000));
        // Best practice: stage default 40 % × 100k + learned 60 % × 50k + 20k.
        assert_eq!(total.forecast.best_practice, cny(90_000));
        // Manual: 55 % × 100k + stage 70 % × 50k + 20k.
        assert_eq!(total.forecast.manual_weighted, cny(110_000));
        // Rep commit: d1 best case (0) + d2 adjusted to commit (50k) + 20k closed.
        assert_eq!(total.forecast.rep_commit, cny(70_000));
        assert_eq!((total.open_deals, total.won_deals), (2, 1));
        assert_eq!(
            (total.closed_won, total.open_amount),
            (cny(20_000), cny(150_000))
        );
        assert_eq!(total.owner_categories.pipeline, cny(50_000));
        assert_eq!(total.owner_categories.best_case, cny(100_000));
        assert_eq!(total.owner_categories.commit, cny(0));
        assert_eq!(total.adjusted_categories.commit, cny(50_000));
        assert_eq!(total.adjusted_categories.closed, cny(20_000));
        assert_eq!(
            total.adjusted_categories.commit_forecast().unwrap(),
            cny(70_000)
        );
        assert_eq!(
            total.adjusted_categories.best_case_forecast().unwrap(),
            cny(170_000)
        );
        assert_eq!(total.adjusted_deals, 1);
        assert_eq!(
            (
                total.best_practice_basis.learned,
                total.best_practice_basis.stage_default
            ),
            (1, 1)
        );
        assert_eq!(
            (total.manual_basis.manual, total.manual_basis.stage_default),
            (1, 1)
        );
    }

    #[test]
    fn teams_roll_up_and_reps_stay_apart() {
        let deals = deals();
        let pipelines = [Pipeline::template_new_business()];
        let teams = hierarchy();
        let result = run(&deals, &pipelines, &teams, &[]);
        let march: Period = "2026-03".parse().unwrap();
        let stage_weighted = |group: ForecastGroup| {
            result
                .row(march, &group)
                .map(|row| row.figures.forecast.stage_weighted)
        };
        assert_eq!(
            stage_weighted(ForecastGroup::Team(team("east-1"))),
            Some(cny(60_000))
        );
        assert_eq!(
            stage_weighted(ForecastGroup::Team(team("east-2"))),
            Some(cny(35_000))
        );
        assert_eq!(
            stage_weighted(ForecastGroup::Team(team("east"))),
            Some(cny(95_000))
        );
        assert_eq!(
            stage_weighted(ForecastGroup::Team(team("company"))),
            Some(cny(95_000))
        );
        assert_eq!(
            stage_weighted(ForecastGroup::Rep(user("rep-a"))),
            Some(cny(60_000))
        );
        assert_eq!(
            stage_weighted(ForecastGroup::Rep(user("rep-b"))),
            Some(cny(35_000))
        );
        // $1,000 at 7.2 = ¥7,200, 10 % in qualify = ¥720, in April, without a team.
        let april: Period = "2026-04".parse().unwrap();
        let april_total = &result.row(april, &ForecastGroup::Total).unwrap().figures;
        assert_eq!(april_total.forecast.stage_weighted, cny(720));
        assert!(
            result
                .row(april, &ForecastGroup::Team(team("east")))
                .is_none()
        );
        assert_eq!(result.periods(), vec![march, april]);
        let east = ForecastGroup::Team(team("east"));
        let ids: Vec<&str> = result
            .deals_in(march, &east)
            .map(|line| line.deal.as_str())
            .collect();
        assert_eq!(ids, ["d1", "d2", "d3"]);
    }

    #[test]
    fn exclusions_say_why_and_lost_deals_are_silent() {
        let deals = deals();
        let pipelines = [Pipeline::template_new_business()];
        let teams = hierarchy();
        let result = run(&deals, &pipelines, &teams, &[]);
        let excluded: Vec<(&str, &ExclusionReason)> = result
            .excluded
            .iter()
            .map(|exclusion| (exclusion.deal.as_str(), &exclusion.reason))
            .collect();
        assert_eq!(
            excluded,
            [
                ("d5", &ExclusionReason::NoExpectedClose),
                (
                    "d6",
                    &ExclusionReason::UnknownStage {
                        stage: stage("gone")
                    }
                ),
            ]
        );
        assert_eq!(result.deals.len(), 4);
        let other_pipeline = run(&deals, &[], &teams, &[]);
        // Without the pipeline, open deals are excluded but the won deal still counts.
        assert_eq!(other_pipeline.deals.len(), 1);
        assert_eq!(other_pipeline.excluded.len(), 5);
    }

    #[test]
    fn explains_each_deal() {
        let deals = deals();
        let pipelines = [Pipeline::template_new_business()];
        let teams = hierarchy();
        let result = run(&deals, &pipelines, &teams, &[]);
        let d2 = result
            .deals
            .iter()
            .find(|line| line.deal.as_str() == "d2")
            .unwrap();
        assert_eq!(d2.category.stage_default, ForecastCategory::Commit);
        assert_eq!(d2.category.owner_call, ForecastCategory::Pipeline);
        assert_eq!(d2.category.final_call, ForecastCategory::Commit);
        assert_eq!(d2.category.adjustments[0].by, user("manager-zhao"));
        assert_eq!(
            d2.best_practice.basis,
            ProbabilityBasis::Learned {
                computed_at: day(4)
            }
        );
        assert_eq!(d2.manual.basis, ProbabilityBasis::StageDefault);
        assert_eq!(d2.contribution.best_practice, cny(30_000));
    }

    #[test]
    fn historical_win_rates_feed_best_practice() {
        let deals = deals();
        let pipelines = [Pipeline::template_new_business()];
        let teams = hierarchy();
        let demo_rate = StageWinRate {
            stage: stage("demo"),
            entered: 10,
            won: 5,
            lost: 5,
            stopped: 0,
            still_open: 0,
            raw: Some(Probability::from_percent(50).unwrap()),
            prior: Probability::from_percent(40).unwrap(),
            blended: Probability::from_percent(50).unwrap(),
        };
        let rates = [StageWinRates {
            pipeline: pipelines[0].id.clone(),
            window: TimeWindow::new(day(-10), day(0)).unwrap(),
            prior_strength: 0,
            stages: vec![demo_rate],
        }];
        let result = run(&deals, &pipelines, &teams, &rates);
        let d1 = result
            .deals
            .iter()
            .find(|line| line.deal.as_str() == "d1")
            .unwrap();
        assert_eq!(
            d1.best_practice.basis,
            ProbabilityBasis::HistoricalWinRate { rests_on: 10 }
        );
        assert_eq!(d1.contribution.best_practice, cny(50_000));
    }

    #[test]
    fn weighting_rounds_per_deal() {
        // ¥0.05 at 10 % = 0.5 fen → 1 fen, twice: the row is 2 fen, not round(1 fen).
        let mut first = open_deal("a", "qualify", 0);
        first.amount = Money::new(5, Currency::CNY);
        let mut second = first.clone();
        second.id = crate::id::DealId::new("b").unwrap();
        let deals = [first, second];
        let pipelines = [Pipeline::template_new_business()];
        let teams = BTreeMap::new();
        let result = run(&deals, &pipelines, &teams, &[]);
        let march: Period = "2026-03".parse().unwrap();
        let total = &result.row(march, &ForecastGroup::Total).unwrap().figures;
        assert_eq!(total.forecast.stage_weighted, Money::new(2, Currency::CNY));
    }

    #[test]
    fn targets_sum_months_into_quarters() {
        use crate::forecast::target::{Ratio, Target};
        let deals = deals();
        let pipelines = [Pipeline::template_new_business()];
        let teams = hierarchy();
        let result = run(&deals, &pipelines, &teams, &[]);
        let rates = settings(PeriodKind::Month).rates;
        let target = Target {
            group: ForecastGroup::Rep(user("rep-a")),
            period: "2026-Q2".parse().unwrap(),
            amount: cny(0),
        };
        let q1 = Target {
            period: "2026-Q1".parse().unwrap(),
            amount: Money::new(1_000_000, Currency::USD), // $10,000 = ¥72,000
            ..target.clone()
        };
        let attained = result.attainment(&[q1, target], &rates).unwrap();
        let q1 = &attained[0];
        assert_eq!(q1.target_amount, cny(72_000));
        assert_eq!(q1.periods, vec!["2026-03".parse::<Period>().unwrap()]);
        // rep-a: ¥20,000 won; stage forecast 40 % × 100k + 20k = 60k.
        assert_eq!(q1.closed_won, cny(20_000));
        assert_eq!(q1.completion, Some(Ratio::from_basis_points(2_778))); // 20/72 = 27.78 %
        assert_eq!(q1.gap_to_target, cny(52_000));
        assert_eq!(q1.forecast.stage_weighted, cny(60_000));
        assert_eq!(
            q1.forecast_completion.stage_weighted,
            Some(Ratio::from_basis_points(8_333))
        );
        assert_eq!(q1.forecast_gap.stage_weighted, cny(12_000));
        assert_eq!(q1.forecast_gap.manual_weighted, cny(-3_000)); // 55k + 20k exceeds 72k
        // A zero target has no completion ratio; Q2 holds the April deal (¥720).
        let q2 = &attained[1];
        assert_eq!(q2.completion, None);
        assert_eq!(q2.forecast.stage_weighted, cny(720));
        assert_eq!(q2.forecast_gap.stage_weighted, cny(-720));
    }

    #[test]
    fn monthly_targets_need_a_monthly_forecast() {
        use crate::forecast::target::Target;
        let deals = deals();
        let pipelines = [Pipeline::template_new_business()];
        let teams = hierarchy();
        let inputs = ForecastInputs {
            deals: &deals,
            pipelines: &pipelines,
            teams: &teams,
            stage_win_rates: &[],
        };
        let quarterly = forecast(&inputs, &settings(PeriodKind::Quarter)).unwrap();
        let target = Target {
            group: ForecastGroup::Total,
            period: "2026-03".parse().unwrap(),
            amount: cny(1),
        };
        let rates = settings(PeriodKind::Quarter).rates;
        assert!(matches!(
            quarterly.attainment(&[target], &rates),
            Err(ForecastError::PeriodMismatch { .. })
        ));
    }

    #[test]
    fn simulation_of_a_forecast_row() {
        use crate::forecast::simulation::{SimulatedModel, SimulationSettings};
        let deals = deals();
        let pipelines = [Pipeline::template_new_business()];
        let teams = hierarchy();
        let result = run(&deals, &pipelines, &teams, &[]);
        let march: Period = "2026-03".parse().unwrap();
        let simulation = SimulationSettings {
            trials: 2_000,
            seed: 1,
        };
        let range = result
            .simulate(
                march,
                &ForecastGroup::Total,
                SimulatedModel::StageWeighted,
                simulation,
            )
            .unwrap();
        assert_eq!(range.certain, cny(20_000));
        assert_eq!(range.expected, cny(95_000));
        assert_eq!(range.simulated_deals, 2);
        // Outcomes are 20k, 70k, 120k or 170k: P10 at least the certain part, P90 at most all.
        assert!(
            range.min.minor() >= cny(20_000).minor() && range.max.minor() <= cny(170_000).minor()
        );
        assert!(range.p10.minor() <= range.p50.minor() && range.p50.minor() <= range.p90.minor());
        let rep_b = result
            .simulate(
                march,
                &ForecastGroup::Rep(user("rep-b")),
                SimulatedModel::BestPractice,
                simulation,
            )
            .unwrap();
        assert_eq!(rep_b.expected, cny(30_000)); // learned 60 % × 50k
    }
}
