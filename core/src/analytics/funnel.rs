//! Funnel conversion: how many deals entered each stage, moved on, were lost or stopped there or
//! are still open there, and where the funnel leaks most (the bottleneck).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::deal_set::DealSet;
use super::error::AnalyticsError;
use super::filter::{Filter, ReportContext, Selection, check_pipeline};
use super::period::DateRange;
use super::rate::Rate;
use super::table::{ChartKind, Column, ColumnKind};
use super::tally::add_to;
use super::timeline::StageOrder;
use crate::deal::DealStatus;
use crate::i18n::LocalizedText;
use crate::id::{PipelineId, StageId};
use crate::money::{Currency, Money};
use crate::pipeline::Pipeline;

/// The funnel of one pipeline for a cohort of deals.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct FunnelReport {
    /// "销售漏斗转化" / "Funnel conversion".
    pub title: LocalizedText,
    /// Columns of [`FunnelReport::stages`].
    pub columns: Vec<Column>,
    /// Suggested chart.
    pub chart: ChartKind,
    /// The pipeline.
    pub pipeline: PipelineId,
    /// The cohort: deals created in this period (all deals without one).
    pub period: Option<DateRange>,
    /// Currency of the amounts.
    pub currency: Currency,
    /// Deals in the cohort.
    pub deals: u64,
    /// Of which won, lost, stopped and open now.
    pub won: u64,
    /// Lost.
    pub lost: u64,
    /// Stopped.
    pub stopped: u64,
    /// Still open.
    pub open: u64,
    /// Deals left out because their current stage is no longer in the pipeline.
    pub unplaced: u64,
    /// One row per stage, in pipeline order.
    pub stages: Vec<FunnelStage>,
    /// The stage where the funnel leaks most, if any stage has decided deals.
    pub bottleneck: Option<Bottleneck>,
}

/// One stage of the funnel.
///
/// For every stage `entered = moved_on + lost + stopped + still_open`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct FunnelStage {
    /// The stage.
    pub stage: StageId,
    /// Its label.
    pub label: LocalizedText,
    /// Deals that entered the stage (counted once however often they entered).
    pub entered: u64,
    /// Of those, deals that went on to a later stage or were won.
    pub moved_on: u64,
    /// Deals lost while in this stage (the stage reached before losing).
    pub lost: u64,
    /// Deals stopped while in this stage.
    pub stopped: u64,
    /// Deals in this stage now.
    pub still_open: u64,
    /// Deals that entered this stage but fell back and ended in an earlier stage; they are not
    /// counted in `entered` (see the [module documentation](super#funnel-rules)).
    pub fell_back: u64,
    /// Deals that entered this stage and were won in the end.
    pub won: u64,
    /// Current amount of the deals that entered.
    pub entered_amount: Money,
    /// Amount of the deals lost here.
    pub lost_amount: Money,
    /// Stage-to-stage conversion: `moved_on / entered`.
    pub conversion: Option<Rate>,
    /// Conversion among decided deals: `moved_on / (moved_on + lost + stopped)`; deals still in
    /// the stage are left out, so young cohorts compare fairly with history.
    pub decided_conversion: Option<Rate>,
    /// `won / entered`: how many deals reaching this stage end up won.
    pub win_rate: Option<Rate>,
    /// The benchmark's decided conversion for this stage, when compared with one.
    pub benchmark: Option<Rate>,
    /// `benchmark − decided_conversion`: positive when the stage converts worse than the
    /// benchmark.
    pub drop_vs_benchmark: Option<Rate>,
}

/// The stage where the funnel leaks most.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Bottleneck {
    /// The stage.
    pub stage: StageId,
    /// Its label.
    pub label: LocalizedText,
    /// How it was chosen.
    pub basis: BottleneckBasis,
    /// The stage's decided conversion.
    pub conversion: Rate,
    /// The benchmark conversion (with [`BottleneckBasis::Benchmark`]).
    pub benchmark: Option<Rate>,
    /// The drop: `benchmark − conversion`, or `100 % − conversion` without a benchmark.
    pub drop: Rate,
}

/// How the bottleneck was chosen.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BottleneckBasis {
    /// The stage whose decided conversion falls furthest below the benchmark.
    Benchmark,
    /// No benchmark: the stage with the lowest decided conversion.
    LowestConversion,
}

/// Expected decided conversion per stage: the team's own history (a funnel over an earlier
/// period, [`FunnelBenchmark::from_history`]) or rates given by hand ([`FunnelBenchmark::new`]).
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(try_from = "BTreeMap<StageId, Rate>", into = "BTreeMap<StageId, Rate>")]
pub struct FunnelBenchmark {
    rates: BTreeMap<StageId, Rate>,
}

impl FunnelBenchmark {
    /// A benchmark from given rates, each between 0 % and 100 %.
    pub fn new(rates: BTreeMap<StageId, Rate>) -> Result<Self, AnalyticsError> {
        if let Some((stage, rate)) = rates
            .iter()
            .find(|(_, rate)| !(Rate::ZERO..=Rate::FULL).contains(*rate))
        {
            return Err(AnalyticsError::InvalidBenchmark {
                stage: stage.clone(),
                rate: *rate,
            });
        }
        Ok(FunnelBenchmark { rates })
    }

    /// The decided conversions of an earlier funnel of the same pipeline.
    pub fn from_history(history: &FunnelReport) -> Self {
        let rates = history
            .stages
            .iter()
            .filter_map(|stage| Some((stage.stage.clone(), stage.decided_conversion?)))
            .collect();
        FunnelBenchmark { rates }
    }

    /// The expected conversion of `stage`.
    pub fn rate(&self, stage: &StageId) -> Option<Rate> {
        self.rates.get(stage).copied()
    }
}

impl TryFrom<BTreeMap<StageId, Rate>> for FunnelBenchmark {
    type Error = AnalyticsError;

    fn try_from(rates: BTreeMap<StageId, Rate>) -> Result<Self, Self::Error> {
        FunnelBenchmark::new(rates)
    }
}

impl From<FunnelBenchmark> for BTreeMap<StageId, Rate> {
    fn from(benchmark: FunnelBenchmark) -> Self {
        benchmark.rates
    }
}

/// The funnel of `pipeline` over the deals created in the filter's period (the cohort), with the
/// bottleneck taken as the stage of lowest decided conversion.
///
/// Only deals of `pipeline` count; a filter naming another pipeline is an error. Amounts are
/// converted into the reporting currency.
///
/// Deals are counted at their net progress: a deal that reached a stage and later fell back to
/// an earlier one counts at the stage where it ended (see the
/// [module documentation](super#funnel-rules)).
///
/// ```
/// use std::collections::BTreeMap;
/// use dealflow_core::analytics::{funnel, DealSet, Filter, ReportContext};
/// use dealflow_core::DealStatus::{Lost, Open, Won};
#[doc = include_str!("doc_example.txt")]
/// // Day numbers count from 2026-01-01; stages are 线索验证 → 需求分析 → 方案演示 → 谈判签约.
/// let deals = vec![
///     deal("won", 100_000, &[(3, "needs", Open, ""), (9, "demo", Open, ""), (20, "demo", Won, "")]),
///     deal("lost", 50_000, &[(4, "needs", Open, ""), (8, "needs", Lost, "price")]),
///     deal("fresh", 80_000, &[]), // still in 线索验证
/// ];
/// let set = DealSet::new(deals, ExchangeRates::new(Currency::CNY))?;
/// let teams = BTreeMap::<TeamId, TeamId>::new();
/// let now = Timestamp::from_millis(1_770_000_000_000);
/// let ctx = ReportContext::new(&teams, time::macros::offset!(+8), now);
/// let report = funnel(&set, &Pipeline::template_new_business(), &Filter::all(), &ctx)?;
///
/// let qualify = &report.stages[0];
/// assert_eq!((qualify.entered, qualify.moved_on, qualify.still_open), (3, 2, 1));
/// let needs = &report.stages[1];
/// assert_eq!((needs.entered, needs.moved_on, needs.lost), (2, 1, 1));
/// assert_eq!(needs.conversion.map(|rate| rate.to_string()), Some("50%".into()));
/// assert_eq!(report.bottleneck.map(|b| b.stage.to_string()), Some("needs".into()));
/// # Ok::<(), dealflow_core::Error>(())
/// ```
pub fn funnel(
    set: &DealSet,
    pipeline: &Pipeline,
    filter: &Filter,
    ctx: &ReportContext<'_>,
) -> Result<FunnelReport, AnalyticsError> {
    check_pipeline(filter, pipeline)?;
    let currency = set.currency();
    let order = StageOrder::new(pipeline, set);
    let mut counts = vec![StageCounts::new(currency); order.len()];
    let mut report = FunnelReport {
        title: LocalizedText::new("销售漏斗转化", "Funnel conversion"),
        columns: columns(),
        chart: ChartKind::Funnel,
        pipeline: pipeline.id.clone(),
        period: filter.period,
        currency,
        deals: 0,
        won: 0,
        lost: 0,
        stopped: 0,
        open: 0,
        unplaced: 0,
        stages: Vec::with_capacity(order.len()),
        bottleneck: None,
    };
    let selection = Selection::new(filter, set, ctx);
    let pipeline_number = set.names.pipelines.find(pipeline.id.as_str());
    // `seen[stage] == serial` marks the stages the current deal entered, without clearing.
    let mut seen = vec![0_u64; order.len()];
    let mut entered_stages: Vec<usize> = Vec::new();
    let mut serial = 0_u64;
    for (_, facts) in set.rows() {
        if Some(facts.pipeline) != pipeline_number
            || !selection.in_period(facts.created)
            || !selection.deal(set, facts)
        {
            continue;
        }
        let entries = set.entries(facts);
        let Some(current) = entries.last() else {
            continue;
        };
        serial += 1;
        entered_stages.clear();
        for entry in entries
            .iter()
            .filter(|entry| entry.status == DealStatus::Open)
        {
            if let Some(index) = order.index(entry.stage) {
                mark(&mut seen, &mut entered_stages, index, serial);
            }
        }
        let final_index = order.index(current.stage);
        let status = current.status;
        if let Some(index) = final_index {
            // A deal closed in a stage it never entered (corrupt input) still ends there.
            mark(&mut seen, &mut entered_stages, index, serial);
        } else if status != DealStatus::Won {
            report.unplaced += 1;
            continue;
        }
        let amount = set.amount(facts);
        report.deals += 1;
        match status {
            DealStatus::Open => report.open += 1,
            DealStatus::Won => report.won += 1,
            DealStatus::Lost => report.lost += 1,
            DealStatus::Stopped => report.stopped += 1,
        }
        for &index in &entered_stages {
            let Some(stage) = counts.get_mut(index) else {
                continue;
            };
            let fate = match (status, final_index) {
                (DealStatus::Won, _) => Fate::MovedOn,
                (_, Some(last)) if index < last => Fate::MovedOn,
                (_, Some(last)) if index > last => Fate::FellBack,
                (DealStatus::Open, _) => Fate::StillOpen,
                (DealStatus::Lost, _) => Fate::Lost,
                (DealStatus::Stopped, _) => Fate::Stopped,
            };
            stage.count(fate, status == DealStatus::Won, amount)?;
        }
    }
    for (stage, counts) in pipeline.stages.iter().zip(counts) {
        report
            .stages
            .push(counts.into_row(stage.id.clone(), stage.label.clone()));
    }
    report.bottleneck = lowest_conversion(&report.stages);
    Ok(report)
}

/// [`funnel`] compared with a benchmark: every stage gets the benchmark rate and its drop, and
/// the bottleneck is the stage whose decided conversion falls furthest below the benchmark
/// (`None` when no stage does worse than its benchmark).
pub fn funnel_against(
    set: &DealSet,
    pipeline: &Pipeline,
    filter: &Filter,
    ctx: &ReportContext<'_>,
    benchmark: &FunnelBenchmark,
) -> Result<FunnelReport, AnalyticsError> {
    Ok(funnel(set, pipeline, filter, ctx)?.compare_with(benchmark))
}

impl FunnelReport {
    /// This funnel compared with `benchmark` (see [`funnel_against`]).
    #[must_use]
    pub fn compare_with(mut self, benchmark: &FunnelBenchmark) -> Self {
        let mut worst: Option<(usize, Rate)> = None;
        for (index, stage) in self.stages.iter_mut().enumerate() {
            stage.benchmark = benchmark.rate(&stage.stage);
            stage.drop_vs_benchmark = match (stage.benchmark, stage.decided_conversion) {
                (Some(expected), Some(actual)) => Some(expected.minus(actual)),
                _ => None,
            };
            // Ties go to the earlier stage: a leak early in the funnel costs more deals.
            if let Some(drop) = stage.drop_vs_benchmark
                && drop > Rate::ZERO
                && worst.is_none_or(|(_, worst_drop)| drop > worst_drop)
            {
                worst = Some((index, drop));
            }
        }
        self.bottleneck = worst.and_then(|(index, drop)| {
            let stage = self.stages.get(index)?;
            Some(Bottleneck {
                stage: stage.stage.clone(),
                label: stage.label.clone(),
                basis: BottleneckBasis::Benchmark,
                conversion: stage.decided_conversion?,
                benchmark: stage.benchmark,
                drop,
            })
        });
        self
    }
}

/// What became of a deal at one stage it entered.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fate {
    MovedOn,
    Lost,
    Stopped,
    StillOpen,
    FellBack,
}

#[derive(Clone, Debug)]
struct StageCounts {
    entered: u64,
    moved_on: u64,
    lost: u64,
    stopped: u64,
    still_open: u64,
    fell_back: u64,
    won: u64,
    entered_amount: Money,
    lost_amount: Money,
}

impl StageCounts {
    fn new(currency: Currency) -> Self {
        StageCounts {
            entered: 0,
            moved_on: 0,
            lost: 0,
            stopped: 0,
            still_open: 0,
            fell_back: 0,
            won: 0,
            entered_amount: Money::zero(currency),
            lost_amount: Money::zero(currency),
        }
    }

    fn count(&mut self, fate: Fate, won: bool, amount: Money) -> Result<(), AnalyticsError> {
        if fate == Fate::FellBack {
            self.fell_back += 1;
            return Ok(());
        }
        self.entered += 1;
        add_to(&mut self.entered_amount, amount)?;
        if won {
            self.won += 1;
        }
        match fate {
            Fate::MovedOn => self.moved_on += 1,
            Fate::StillOpen => self.still_open += 1,
            Fate::Stopped => self.stopped += 1,
            Fate::Lost => {
                self.lost += 1;
                add_to(&mut self.lost_amount, amount)?;
            }
            Fate::FellBack => {}
        }
        Ok(())
    }

    fn into_row(self, stage: StageId, label: LocalizedText) -> FunnelStage {
        let decided = self.moved_on + self.lost + self.stopped;
        FunnelStage {
            stage,
            label,
            entered: self.entered,
            moved_on: self.moved_on,
            lost: self.lost,
            stopped: self.stopped,
            still_open: self.still_open,
            fell_back: self.fell_back,
            won: self.won,
            entered_amount: self.entered_amount,
            lost_amount: self.lost_amount,
            conversion: Rate::of_counts(self.moved_on, self.entered),
            decided_conversion: Rate::of_counts(self.moved_on, decided),
            win_rate: Rate::of_counts(self.won, self.entered),
            benchmark: None,
            drop_vs_benchmark: None,
        }
    }
}

fn mark(seen: &mut [u64], entered: &mut Vec<usize>, index: usize, serial: u64) {
    if let Some(mark) = seen.get_mut(index)
        && *mark != serial
    {
        *mark = serial;
        entered.push(index);
    }
}

/// The stage with the lowest decided conversion (the earliest on ties).
fn lowest_conversion(stages: &[FunnelStage]) -> Option<Bottleneck> {
    let mut lowest: Option<&FunnelStage> = None;
    for stage in stages {
        let Some(conversion) = stage.decided_conversion else {
            continue;
        };
        if lowest
            .and_then(|lowest| lowest.decided_conversion)
            .is_none_or(|lowest| conversion < lowest)
        {
            lowest = Some(stage);
        }
    }
    let stage = lowest?;
    let conversion = stage.decided_conversion?;
    Some(Bottleneck {
        stage: stage.stage.clone(),
        label: stage.label.clone(),
        basis: BottleneckBasis::LowestConversion,
        conversion,
        benchmark: None,
        drop: Rate::FULL.minus(conversion),
    })
}

fn columns() -> Vec<Column> {
    vec![
        Column::new("label", "阶段", "Stage", ColumnKind::Text),
        Column::new("entered", "进入", "Entered", ColumnKind::Count),
        Column::new("moved_on", "推进", "Moved on", ColumnKind::Count),
        Column::new("lost", "输单", "Lost", ColumnKind::Count),
        Column::new("stopped", "暂停", "Stopped", ColumnKind::Count),
        Column::new("still_open", "停留中", "Still open", ColumnKind::Count),
        Column::new("conversion", "转化率", "Conversion", ColumnKind::Rate),
        Column::new(
            "decided_conversion",
            "已决转化率",
            "Decided conversion",
            ColumnKind::Rate,
        ),
        Column::new("win_rate", "最终赢单率", "Win rate", ColumnKind::Rate),
        Column::new(
            "entered_amount",
            "进入金额",
            "Entered amount",
            ColumnKind::Money,
        ),
        Column::new("lost_amount", "输单金额", "Lost amount", ColumnKind::Money),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::analytics::fixture::{self, DealBuilder, stage};
    use crate::deal::Deal;

    fn counts(row: &FunnelStage) -> [u64; 7] {
        [
            row.entered,
            row.moved_on,
            row.lost,
            row.stopped,
            row.still_open,
            row.fell_back,
            row.won,
        ]
    }

    /// Six deals through 线索验证 → 需求分析 → 方案演示 → 谈判签约, counted by hand.
    fn deals() -> Vec<Deal> {
        vec![
            // Straight through and won from negotiation.
            DealBuilder::new("won")
                .to("needs", 1)
                .to("demo", 2)
                .to("negotiate", 3)
                .won(4)
                .build(),
            // Lost in needs analysis.
            DealBuilder::new("lost-needs")
                .to("needs", 1)
                .lost(5, "price")
                .amount(50_000)
                .build(),
            // Still open in demo.
            DealBuilder::new("open-demo")
                .to("needs", 1)
                .to("demo", 6)
                .build(),
            // Reached negotiation, fell back to needs and stopped there.
            DealBuilder::new("fell-back")
                .to("needs", 1)
                .to("demo", 2)
                .to("negotiate", 3)
                .to("needs", 4)
                .stopped(7, "budget_frozen")
                .build(),
            // Still in qualification.
            DealBuilder::new("fresh").build(),
            // Created directly in demo (an import), lost there.
            DealBuilder::new("import")
                .created_in("demo")
                .lost(3, "competitor")
                .build(),
        ]
    }

    #[test]
    fn hand_counted_funnel() {
        let teams = BTreeMap::new();
        let ctx = fixture::context(&teams);
        let pipeline = Pipeline::template_new_business();
        let report = funnel(&fixture::set(deals()), &pipeline, &Filter::all(), &ctx).unwrap();
        assert_eq!(
            (
                report.deals,
                report.won,
                report.lost,
                report.stopped,
                report.open
            ),
            (6, 1, 2, 1, 2)
        );
        //                 entered moved lost stop open fell won
        assert_eq!(counts(&report.stages[0]), [5, 4, 0, 0, 1, 0, 1]); // qualify
        assert_eq!(counts(&report.stages[1]), [4, 2, 1, 1, 0, 0, 1]); // needs
        assert_eq!(counts(&report.stages[2]), [3, 1, 1, 0, 1, 1, 1]); // demo
        assert_eq!(counts(&report.stages[3]), [1, 1, 0, 0, 0, 1, 1]); // negotiate
        let needs = &report.stages[1];
        assert_eq!(needs.conversion, Some(Rate::from_basis_points(5_000)));
        assert_eq!(
            needs.decided_conversion,
            Some(Rate::from_basis_points(5_000))
        );
        assert_eq!(needs.lost_amount, fixture::yuan(50_000));
        assert_eq!(needs.entered_amount, fixture::yuan(350_000));
        // Decided conversions: qualify 4/4, needs 2/4, demo 1/2, negotiate 1/1.
        let bottleneck = report.bottleneck.unwrap();
        assert_eq!(bottleneck.stage, stage("needs"));
        assert_eq!(bottleneck.basis, BottleneckBasis::LowestConversion);
        assert_eq!(bottleneck.drop, Rate::from_basis_points(5_000));
    }

    #[test]
    fn benchmark_picks_the_largest_drop() {
        let teams = BTreeMap::new();
        let ctx = fixture::context(&teams);
        let pipeline = Pipeline::template_new_business();
        let benchmark = FunnelBenchmark::new(BTreeMap::from([
            (stage("qualify"), Rate::from_basis_points(9_000)),
            (stage("needs"), Rate::from_basis_points(6_000)),
            (stage("demo"), Rate::from_basis_points(8_000)),
        ]))
        .unwrap();
        let report = funnel_against(
            &fixture::set(deals()),
            &pipeline,
            &Filter::all(),
            &ctx,
            &benchmark,
        )
        .unwrap();
        // Drops: qualify 90 − 100 = −10, needs 60 − 50 = 10, demo 80 − 50 = 30 points.
        assert_eq!(
            report.stages[0].drop_vs_benchmark,
            Some(Rate::from_basis_points(-1_000))
        );
        assert_eq!(report.stages[3].drop_vs_benchmark, None);
        let bottleneck = report.bottleneck.unwrap();
        assert_eq!(bottleneck.stage, stage("demo"));
        assert_eq!(bottleneck.drop, Rate::from_basis_points(3_000));
        assert_eq!(bottleneck.benchmark, Some(Rate::from_basis_points(8_000)));

        // Against its own history nothing is worse, so there is no bottleneck.
        let history = funnel(&fixture::set(deals()), &pipeline, &Filter::all(), &ctx).unwrap();
        let same = history
            .clone()
            .compare_with(&FunnelBenchmark::from_history(&history));
        assert_eq!(same.bottleneck, None);
        assert!(
            FunnelBenchmark::new(BTreeMap::from([(
                stage("demo"),
                Rate::from_basis_points(10_001)
            )]))
            .is_err()
        );
    }

    #[test]
    fn cohort_filter_and_pipeline_checks() {
        let teams = BTreeMap::new();
        let ctx = fixture::context(&teams);
        let pipeline = Pipeline::template_new_business();
        let mut all = deals();
        all.push(DealBuilder::new("late").created(40).build());
        all.push(DealBuilder::new("other").pipeline("renewals").build());
        all.push(
            DealBuilder::new("removed-stage")
                .created_in("legacy")
                .build(),
        );
        let january = Filter::all()
            .in_period(DateRange::new(fixture::date_of(0), fixture::date_of(30)).unwrap());
        let report = funnel(&fixture::set(all.clone()), &pipeline, &january, &ctx).unwrap();
        assert_eq!((report.deals, report.unplaced), (6, 1));
        let wrong = Filter::all().in_pipeline(PipelineId::new("renewals").unwrap());
        assert!(matches!(
            funnel(&fixture::set(all), &pipeline, &wrong, &ctx),
            Err(AnalyticsError::PipelineMismatch { .. })
        ));
    }
}
