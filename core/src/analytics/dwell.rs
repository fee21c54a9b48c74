//! How long deals stay in each stage, and how long they take from creation to won, overall and
//! by segment.

use serde::{Deserialize, Serialize};

use super::deal_set::{DealSet, Entry};
use super::error::AnalyticsError;
use super::filter::{Filter, ReportContext, Selection, check_pipeline};
use super::period::DateRange;
use super::rate::DurationStats;
use super::segment::{Segment, SegmentDimension, SegmentIndex};
use super::table::{ChartKind, Column, ColumnKind};
use super::tally::Tally;
use super::timeline::{StageOrder, won_at};
use crate::deal::DealStatus;
use crate::i18n::LocalizedText;
use crate::id::{PipelineId, StageId};

use crate::pipeline::Pipeline;
use crate::timestamp::MILLIS_PER_DAY;

/// Time spent in each stage of one pipeline.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DwellReport {
    /// "阶段停留时长" / "Stage dwell time".
    pub title: LocalizedText,
    /// Columns of each [`StageDwell`] row.
    pub columns: Vec<Column>,
    /// Suggested chart.
    pub chart: ChartKind,
    /// The pipeline.
    pub pipeline: PipelineId,
    /// Stays that ended in this period count (all without one).
    pub period: Option<DateRange>,
    /// All selected deals, one row per stage in pipeline order.
    pub stages: Vec<StageDwell>,
    /// The same table per segment, for each dimension asked for.
    pub breakdowns: Vec<DwellBreakdown>,
}

/// Time spent in one stage.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct StageDwell {
    /// The stage.
    pub stage: StageId,
    /// Its label.
    pub label: LocalizedText,
    /// Days in the stage, one sample per deal that has left it.
    pub stats: DurationStats,
    /// The stage's rotting threshold.
    pub max_dwell_days: Option<u32>,
    /// Samples longer than the threshold.
    pub over_limit: u64,
}

/// Dwell times split by one dimension.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DwellBreakdown {
    /// The dimension.
    pub dimension: SegmentDimension,
    /// Its name.
    pub label: LocalizedText,
    /// One entry per segment.
    pub segments: Vec<SegmentDwell>,
}

/// Dwell times of one segment.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SegmentDwell {
    /// The segment.
    pub segment: Segment,
    /// One row per stage, in pipeline order.
    pub stages: Vec<StageDwell>,
}

/// Days in each stage of `pipeline`, with breakdowns by each of `breakdowns`.
///
/// A deal gives one sample per stage it has left: its **total** time in that stage over all its
/// stays, counted once its last stay there has ended (by a move, a win, a loss or a stop) and
/// that end falls in the filter's period. Time while stopped is not time in a stage. Deals
/// still in a stage give no sample for it: their stay is not over.
///
/// ```
/// use std::collections::BTreeMap;
/// use dealflow_core::analytics::{stage_dwell, Days, DealSet, Filter, ReportContext, SegmentDimension};
/// use dealflow_core::DealStatus::{Open, Won};
#[doc = include_str!("doc_example.txt")]
/// let deals = vec![
///     deal("a", 100_000, &[(4, "needs", Open, ""), (10, "needs", Won, "")]),
///     deal("b", 100_000, &[(2, "needs", Open, ""), (20, "demo", Open, "")]),
///     deal("c", 100_000, &[(6, "needs", Open, "")]),
/// ];
/// let set = DealSet::new(deals, ExchangeRates::new(Currency::CNY))?;
/// let teams = BTreeMap::<TeamId, TeamId>::new();
/// let ctx = ReportContext::new(&teams, time::macros::offset!(+8), Timestamp::from_millis(1_770_000_000_000));
/// let pipeline = Pipeline::template_new_business();
/// let report = stage_dwell(&set, &pipeline, &Filter::all(), &ctx, &[SegmentDimension::Source])?;
///
/// let qualify = &report.stages[0].stats; // 4, 2 and 6 days
/// assert_eq!((qualify.count, qualify.mean, qualify.median), (3, Some(Days::whole(4)), Some(Days::whole(4))));
/// let needs = &report.stages[1].stats; // a left after 6 days, b after 18; c is still there
/// assert_eq!((needs.count, needs.p90), (2, Some(Days::whole(18))));
/// assert_eq!(report.breakdowns[0].segments[0].segment.key.as_deref(), Some("web"));
/// # Ok::<(), dealflow_core::Error>(())
/// ```
pub fn stage_dwell(
    set: &DealSet,
    pipeline: &Pipeline,
    filter: &Filter,
    ctx: &ReportContext<'_>,
    breakdowns: &[SegmentDimension],
) -> Result<DwellReport, AnalyticsError> {
    check_pipeline(filter, pipeline)?;
    let order = StageOrder::new(pipeline, set);
    let stage_count = order.len();
    let selection = Selection::new(filter, set, ctx);
    let pipeline_number = set.names.pipelines.find(pipeline.id.as_str());
    let mut overall: Vec<Vec<i64>> = vec![Vec::new(); stage_count];
    let mut indexes: Vec<SegmentIndex> = breakdowns
        .iter()
        .map(|dimension| SegmentIndex::new(*dimension))
        .collect();
    // samples[breakdown][segment][stage]
    let mut by_segment: Vec<Vec<Vec<Vec<i64>>>> = vec![Vec::new(); breakdowns.len()];
    let mut stays = DealStays::new(stage_count);
    let mut numbers = Vec::new();
    for (_, facts) in set.rows() {
        if Some(facts.pipeline) != pipeline_number || !selection.deal(set, facts) {
            continue;
        }
        stays.read(set.entries(facts), &order);
        let samples = stays.finished(selection.window);
        if samples.is_empty() {
            continue;
        }
        for &(stage, millis) in samples {
            if let Some(stage_samples) = overall.get_mut(stage) {
                stage_samples.push(millis);
            }
        }
        for (index, per_segment) in indexes.iter_mut().zip(by_segment.iter_mut()) {
            index.of_deal(set, facts, &mut numbers);
            per_segment.resize_with(index.len(), || vec![Vec::new(); stage_count]);
            for &number in &numbers {
                let Some(segment_samples) = per_segment.get_mut(number) else {
                    continue;
                };
                for &(stage, millis) in samples {
                    if let Some(stage_samples) = segment_samples.get_mut(stage) {
                        stage_samples.push(millis);
                    }
                }
            }
        }
    }
    let breakdowns = indexes
        .into_iter()
        .zip(by_segment)
        .map(|(index, mut per_segment)| {
            let dimension = index.dimension();
            let segments = index
                .into_sorted(set)
                .into_iter()
                .map(|(number, segment)| {
                    let samples = per_segment.get_mut(number).map(std::mem::take);
                    SegmentDwell {
                        segment,
                        stages: stage_rows(pipeline, samples.unwrap_or_default()),
                    }
                })
                .collect();
            DwellBreakdown {
                dimension,
                label: dimension.label(),
                segments,
            }
        })
        .collect();
    Ok(DwellReport {
        title: LocalizedText::new("阶段停留时长", "Stage dwell time"),
        columns: dwell_columns(),
        chart: ChartKind::Distribution,
        pipeline: pipeline.id.clone(),
        period: filter.period,
        stages: stage_rows(pipeline, overall),
        breakdowns,
    })
}

/// One row per stage from per-stage samples (missing stages have no samples).
fn stage_rows(pipeline: &Pipeline, mut samples: Vec<Vec<i64>>) -> Vec<StageDwell> {
    samples.resize_with(pipeline.stages.len(), Vec::new);
    pipeline
        .stages
        .iter()
        .zip(samples)
        .map(|(stage, mut samples)| {
            let limit = stage
                .max_dwell_days
                .map(|days| i64::from(days) * MILLIS_PER_DAY);
            let over_limit = limit.map_or(0, |limit| {
                samples.iter().filter(|millis| **millis > limit).count() as u64
            });
            StageDwell {
                stage: stage.id.clone(),
                label: stage.label.clone(),
                stats: DurationStats::of_samples(&mut samples),
                max_dwell_days: stage.max_dwell_days,
                over_limit,
            }
        })
        .collect()
}

/// Per-deal scratch space: total time per stage, when the last stay ended, and which stage the
/// deal is in now. Reused across deals so the scan allocates nothing per deal.
struct DealStays {
    total: Vec<i64>,
    last_exit: Vec<i64>,
    touched: Vec<usize>,
    current: Option<usize>,
    finished: Vec<(usize, i64)>,
}

impl DealStays {
    fn new(stage_count: usize) -> Self {
        DealStays {
            total: vec![0; stage_count],
            last_exit: vec![i64::MIN; stage_count],
            touched: Vec::new(),
            current: None,
            finished: Vec::new(),
        }
    }

    fn read(&mut self, entries: &[Entry], order: &StageOrder) {
        for &stage in &self.touched {
            if let (Some(total), Some(exit)) =
                (self.total.get_mut(stage), self.last_exit.get_mut(stage))
            {
                *total = 0;
                *exit = i64::MIN;
            }
        }
        self.touched.clear();
        self.current = None;
        let mut entries = entries.iter().peekable();
        while let Some(entry) = entries.next() {
            if entry.status != DealStatus::Open {
                continue;
            }
            let Some(stage) = order.index(entry.stage) else {
                continue;
            };
            let Some(next) = entries.peek() else {
                self.current = Some(stage);
                break;
            };
            let (Some(total), Some(exit)) =
                (self.total.get_mut(stage), self.last_exit.get_mut(stage))
            else {
                continue;
            };
            if *exit == i64::MIN {
                self.touched.push(stage);
            }
            // Clock skew between devices must not make a stay negative.
            *total = total.saturating_add(next.at.saturating_sub(entry.at).max(0));
            *exit = next.at;
        }
    }

    /// `(stage, total millis)` for stages the deal has left, whose last stay ended in `window`.
    fn finished(&mut self, window: super::period::Window) -> &[(usize, i64)] {
        self.finished.clear();
        for &stage in &self.touched {
            if Some(stage) == self.current {
                continue;
            }
            if let (Some(total), Some(exit)) = (self.total.get(stage), self.last_exit.get(stage))
                && window.start <= *exit
                && *exit < window.end
            {
                self.finished.push((stage, *total));
            }
        }
        &self.finished
    }
}

/// Days from creation to won.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SalesCycleReport {
    /// "销售周期" / "Sales cycle length".
    pub title: LocalizedText,
    /// Columns of each [`SegmentCycle`] row.
    pub columns: Vec<Column>,
    /// Suggested chart.
    pub chart: ChartKind,
    /// Deals won in this period count (all without one).
    pub period: Option<DateRange>,
    /// Days from creation to won over all won deals.
    pub overall: DurationStats,
    /// The won deals and their amount.
    pub won: Tally,
    /// The same per segment, for each dimension asked for.
    pub breakdowns: Vec<CycleBreakdown>,
}

/// Sales cycle split by one dimension.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct CycleBreakdown {
    /// The dimension.
    pub dimension: SegmentDimension,
    /// Its name.
    pub label: LocalizedText,
    /// One row per segment.
    pub segments: Vec<SegmentCycle>,
}

/// Sales cycle of one segment.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SegmentCycle {
    /// The segment.
    pub segment: Segment,
    /// Days from creation to won.
    pub stats: DurationStats,
    /// The segment's won deals.
    pub won: Tally,
}

/// Days from creation ([`Deal::created_at`](crate::Deal::created_at)) to won, over the deals won in the filter's period,
/// with breakdowns by each of `breakdowns`. Deals of every pipeline count unless the filter
/// names one.
///
/// ```
/// use std::collections::BTreeMap;
/// use dealflow_core::analytics::{sales_cycle, Days, DealSet, Filter, ReportContext};
/// use dealflow_core::DealStatus::{Open, Won};
#[doc = include_str!("doc_example.txt")]
/// let deals = vec![
///     deal("a", 100_000, &[(4, "needs", Open, ""), (30, "needs", Won, "")]),
///     deal("b", 300_000, &[(10, "qualify", Won, "")]),
///     deal("c", 100_000, &[]),
/// ];
/// let set = DealSet::new(deals, ExchangeRates::new(Currency::CNY))?;
/// let teams = BTreeMap::<TeamId, TeamId>::new();
/// let ctx = ReportContext::new(&teams, time::macros::offset!(+8), Timestamp::from_millis(1_770_000_000_000));
/// let report = sales_cycle(&set, &Filter::all(), &ctx, &[])?;
/// assert_eq!(report.overall.mean, Some(Days::whole(20)));
/// assert_eq!(report.won.amount, Money::from_major(400_000, Currency::CNY)?);
/// # Ok::<(), dealflow_core::Error>(())
/// ```
pub fn sales_cycle(
    set: &DealSet,
    filter: &Filter,
    ctx: &ReportContext<'_>,
    breakdowns: &[SegmentDimension],
) -> Result<SalesCycleReport, AnalyticsError> {
    let currency = set.currency();
    let selection = Selection::new(filter, set, ctx);
    let mut overall = Vec::new();
    let mut won = Tally::zero(currency);
    let mut indexes: Vec<SegmentIndex> = breakdowns
        .iter()
        .map(|dimension| SegmentIndex::new(*dimension))
        .collect();
    let mut by_segment: Vec<Vec<(Vec<i64>, Tally)>> = vec![Vec::new(); breakdowns.len()];
    let mut numbers = Vec::new();
    for (_, facts) in set.rows() {
        let Some(won_at) = won_at(set, facts) else {
            continue;
        };
        if !selection.in_period(won_at) || !selection.deal(set, facts) {
            continue;
        }
        let millis = won_at.saturating_sub(facts.created).max(0);
        let amount = set.amount(facts);
        overall.push(millis);
        won.add(amount)?;
        for (index, per_segment) in indexes.iter_mut().zip(by_segment.iter_mut()) {
            index.of_deal(set, facts, &mut numbers);
            per_segment.resize_with(index.len(), || (Vec::new(), Tally::zero(currency)));
            for &number in &numbers {
                if let Some((samples, tally)) = per_segment.get_mut(number) {
                    samples.push(millis);
                    tally.add(amount)?;
                }
            }
        }
    }
    let breakdowns = indexes
        .into_iter()
        .zip(by_segment)
        .map(|(index, mut per_segment)| {
            let dimension = index.dimension();
            let segments = index
                .into_sorted(set)
                .into_iter()
                .map(|(number, segment)| {
                    let empty = (Vec::new(), Tally::zero(currency));
                    let (mut samples, won) = per_segment
                        .get_mut(number)
                        .map_or(empty.clone(), |entry| std::mem::replace(entry, empty));
                    SegmentCycle {
                        segment,
                        stats: DurationStats::of_samples(&mut samples),
                        won,
                    }
                })
                .collect();
            CycleBreakdown {
                dimension,
                label: dimension.label(),
                segments,
            }
        })
        .collect();
    Ok(SalesCycleReport {
        title: LocalizedText::new("销售周期", "Sales cycle length"),
        columns: cycle_columns(),
        chart: ChartKind::Distribution,
        period: filter.period,
        overall: DurationStats::of_samples(&mut overall),
        won,
        breakdowns,
    })
}

fn dwell_columns() -> Vec<Column> {
    vec![
        Column::new("label", "阶段", "Stage", ColumnKind::Text),
        Column::new("stats.count", "样本数", "Deals", ColumnKind::Count),
        Column::new("stats.mean", "平均天数", "Mean days", ColumnKind::Days),
        Column::new("stats.median", "中位天数", "Median days", ColumnKind::Days),
        Column::new("stats.p90", "P90 天数", "P90 days", ColumnKind::Days),
        Column::new("stats.max", "最长天数", "Max days", ColumnKind::Days),
        Column::new(
            "max_dwell_days",
            "停留上限",
            "Limit (days)",
            ColumnKind::WholeDays,
        ),
        Column::new("over_limit", "超限数", "Over limit", ColumnKind::Count),
    ]
}

fn cycle_columns() -> Vec<Column> {
    vec![
        Column::new("segment.label", "细分", "Segment", ColumnKind::Text),
        Column::new("won.count", "赢单数", "Won deals", ColumnKind::Count),
        Column::new("won.amount", "赢单金额", "Won amount", ColumnKind::Money),
        Column::new("stats.mean", "平均天数", "Mean days", ColumnKind::Days),
        Column::new("stats.median", "中位天数", "Median days", ColumnKind::Days),
        Column::new("stats.p90", "P90 天数", "P90 days", ColumnKind::Days),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::analytics::fixture::{self, DealBuilder, day};
    use crate::analytics::rate::Days;
    use crate::deal::CompanySize;

    fn days(hundredths: i64) -> Option<Days> {
        Some(Days::from_hundredths(hundredths))
    }

    #[test]
    fn dwell_sums_stays_and_skips_current_ones() {
        let teams = BTreeMap::new();
        let ctx = fixture::context(&teams);
        let pipeline = Pipeline::template_new_business();
        let deals = fixture::set(vec![
            // qualify 2 d, needs 3 d, demo 5 d, back to needs 1 d, lost in needs after 2 d.
            DealBuilder::new("a")
                .to("needs", 2)
                .to("demo", 5)
                .to("needs", 10)
                .lost(12, "price")
                .industry("制造业")
                .size(CompanySize::Large)
                .build(),
            // qualify 4 d, then needs for 30 d (over the 21-day limit) and won.
            DealBuilder::new("b")
                .to("needs", 4)
                .won(34)
                .industry("金融")
                .build(),
            // qualify 1 d, in needs since then: no needs sample.
            DealBuilder::new("c")
                .to("needs", 1)
                .industry("制造业")
                .build(),
            // qualify 6 d, stopped in needs on day 8 (2 d), reopened on day 20 for 5 more days.
            DealBuilder::new("d")
                .to("needs", 6)
                .stopped(8, "budget_frozen")
                .reopened("needs", 20)
                .to("demo", 25)
                .build(),
        ]);
        let report = stage_dwell(
            &deals,
            &pipeline,
            &Filter::all(),
            &ctx,
            &[SegmentDimension::Industry],
        )
        .unwrap();
        let qualify = &report.stages[0];
        // 2, 4, 1, 6 → mean 3.25, median rank 2 → 2, P90 rank 4 → 6.
        assert_eq!(qualify.stats.count, 4);
        assert_eq!(
            (qualify.stats.mean, qualify.stats.median, qualify.stats.p90),
            (days(325), days(200), days(600))
        );
        let needs = &report.stages[1];
        // a: 3 + 2 = 5, b: 30, d: 2 + 5 = 7 (c still there, time stopped not counted).
        assert_eq!(needs.stats.count, 3);
        assert_eq!(needs.stats.mean, days(1_400));
        assert_eq!(needs.stats.median, days(700));
        assert_eq!(needs.over_limit, 1);
        let demo = &report.stages[2];
        assert_eq!((demo.stats.count, demo.stats.max), (1, days(500)));

        let industries = &report.breakdowns[0];
        let keys: Vec<Option<&str>> = industries
            .segments
            .iter()
            .map(|segment| segment.segment.key.as_deref())
            .collect();
        assert_eq!(keys, [Some("制造业"), Some("金融"), None]);
        let manufacturing_qualify = &industries.segments[0].stages[0].stats;
        assert_eq!(
            (manufacturing_qualify.count, manufacturing_qualify.mean),
            (2, days(150))
        );
    }

    #[test]
    fn dwell_period_counts_stays_that_ended_in_it() {
        let teams = BTreeMap::new();
        let ctx = fixture::context(&teams);
        let pipeline = Pipeline::template_new_business();
        let deals = fixture::set(vec![
            DealBuilder::new("a").to("needs", 2).to("demo", 40).build(),
        ]);
        let january = Filter::all()
            .in_period(DateRange::new(fixture::date_of(0), fixture::date_of(30)).unwrap());
        let report = stage_dwell(&deals, &pipeline, &january, &ctx, &[]).unwrap();
        assert_eq!(report.stages[0].stats.count, 1);
        assert_eq!(report.stages[1].stats.count, 0);
        assert_eq!(report.stages[1].stats.mean, None);
    }

    #[test]
    fn cycle_by_size() {
        let teams = BTreeMap::new();
        let ctx = fixture::context(&teams);
        let deals = fixture::set(vec![
            DealBuilder::new("a")
                .created(2)
                .won(12)
                .size(CompanySize::Small)
                .build(),
            DealBuilder::new("b")
                .created(0)
                .won(30)
                .size(CompanySize::Small)
                .amount(10)
                .build(),
            DealBuilder::new("c")
                .created(0)
                .won(45)
                .size(CompanySize::Enterprise)
                .build(),
            DealBuilder::new("d").created(0).lost(5, "price").build(),
            DealBuilder::new("e").created_at(day(0)).won(0).build(),
        ]);
        let report = sales_cycle(
            &deals,
            &Filter::all(),
            &ctx,
            &[SegmentDimension::CompanySize],
        )
        .unwrap();
        // 10, 30, 45, 0 days → mean 21.25, median rank 2 → 10, P90 rank 4 → 45.
        assert_eq!(report.overall.count, 4);
        assert_eq!(report.overall.mean, days(2_125));
        assert_eq!(report.overall.median, days(1_000));
        assert_eq!(report.won.count, 4);
        let sizes = &report.breakdowns[0].segments;
        assert_eq!(sizes[0].segment.key.as_deref(), Some("small"));
        assert_eq!(sizes[0].stats.mean, days(2_000));
        assert_eq!(sizes[0].won.amount, fixture::yuan(100_010));
        assert_eq!(sizes[1].segment.key.as_deref(), Some("enterprise"));
        assert_eq!(sizes[2].segment.key, None);
    }
}
