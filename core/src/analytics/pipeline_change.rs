//! Pipeline change between two dates: the weekly pipeline review's waterfall from the pipeline at
//! the start of a period to the pipeline at its end.

use serde::{Deserialize, Serialize};
use time::Date;

use super::deal_set::{DealSet, Entry};
use super::error::AnalyticsError;
use super::filter::{Filter, ReportContext, Selection};
use super::period::DateRange;
use super::table::{ChartKind, Column, ColumnKind};
use super::tally::Tally;
use super::timeline::{amount_at, count_before, entry_before};
use crate::deal::DealStatus;
use crate::i18n::LocalizedText;
use crate::id::{DealId, UserId};
use crate::money::{Currency, Money, MoneyError};

/// Which open deals make up "the pipeline".
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PipelineScope {
    /// Every open deal, whatever its expected close date.
    AllOpen,
    /// Open deals expected to close within `period` (e.g. this quarter's pipeline); a deal
    /// without an expected close date is outside.
    ClosingIn {
        /// The close-date period.
        period: DateRange,
    },
}

impl PipelineScope {
    fn accepts(self, close_date: Option<Date>) -> bool {
        match self {
            PipelineScope::AllOpen => true,
            PipelineScope::ClosingIn { period } => {
                close_date.is_some_and(|date| period.contains_date(date))
            }
        }
    }
}

/// One kind of change in the pipeline review.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Created during the period (and in scope).
    New,
    /// Won, lost or stopped before the period and reopened during it.
    Reopened,
    /// Open before the period but out of scope, brought into scope by a close-date change.
    PulledIn,
    /// In scope at both ends (or until it closed) with a higher amount.
    AmountUp,
    /// In scope at both ends (or until it closed) with a lower amount.
    AmountDown,
    /// Won during the period.
    Won,
    /// Lost during the period.
    Lost,
    /// Stopped during the period.
    Stopped,
    /// Still open but taken out of scope by a close-date change, typically moved past the
    /// close period (with [`PipelineScope::AllOpen`] this never happens).
    PushedOut,
    /// Stayed in scope and its expected close date moved later (informational).
    CloseDateLater,
    /// Stayed in scope and its expected close date moved earlier (informational).
    CloseDateEarlier,
}

/// Whether a change adds to the pipeline, removes from it, or only informs.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeEffect {
    /// Adds its amount.
    Adds,
    /// Removes its amount.
    Removes,
    /// Does not change the total.
    Informational,
}

impl ChangeKind {
    /// Every kind, in waterfall order.
    pub const ALL: [ChangeKind; 11] = [
        ChangeKind::New,
        ChangeKind::Reopened,
        ChangeKind::PulledIn,
        ChangeKind::AmountUp,
        ChangeKind::AmountDown,
        ChangeKind::Won,
        ChangeKind::Lost,
        ChangeKind::Stopped,
        ChangeKind::PushedOut,
        ChangeKind::CloseDateLater,
        ChangeKind::CloseDateEarlier,
    ];

    /// How the change moves the pipeline total.
    pub fn effect(self) -> ChangeEffect {
        match self {
            ChangeKind::New
            | ChangeKind::Reopened
            | ChangeKind::PulledIn
            | ChangeKind::AmountUp => ChangeEffect::Adds,
            ChangeKind::AmountDown
            | ChangeKind::Won
            | ChangeKind::Lost
            | ChangeKind::Stopped
            | ChangeKind::PushedOut => ChangeEffect::Removes,
            ChangeKind::CloseDateLater | ChangeKind::CloseDateEarlier => {
                ChangeEffect::Informational
            }
        }
    }

    /// The change's name.
    pub fn label(self) -> LocalizedText {
        let (zh_cn, en) = match self {
            ChangeKind::New => ("新增", "New"),
            ChangeKind::Reopened => ("重新打开", "Reopened"),
            ChangeKind::PulledIn => ("提前纳入", "Pulled in"),
            ChangeKind::AmountUp => ("金额调增", "Amount up"),
            ChangeKind::AmountDown => ("金额调减", "Amount down"),
            ChangeKind::Won => ("赢单", "Won"),
            ChangeKind::Lost => ("输单", "Lost"),
            ChangeKind::Stopped => ("暂停", "Stopped"),
            ChangeKind::PushedOut => ("延后移出", "Pushed out"),
            ChangeKind::CloseDateLater => ("预计成交日推迟", "Close date later"),
            ChangeKind::CloseDateEarlier => ("预计成交日提前", "Close date earlier"),
        };
        LocalizedText::new(zh_cn, en)
    }

    fn position(self) -> usize {
        ChangeKind::ALL
            .iter()
            .position(|kind| *kind == self)
            .unwrap_or_default()
    }
}

/// The pipeline at the start and the end of a period and every change in between.
///
/// The buckets reconcile exactly: `start.amount + Σ amount of the changes that add − Σ amount of
/// the changes that remove = end.amount`, and the same for counts with the amount changes left
/// out.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PipelineChangeReport {
    /// "管道变化" / "Pipeline change".
    pub title: LocalizedText,
    /// Columns of each [`ChangeBucket`].
    pub columns: Vec<Column>,
    /// Suggested chart.
    pub chart: ChartKind,
    /// The period compared: its first midnight against the midnight after its last day.
    pub window: DateRange,
    /// Which open deals count as pipeline.
    pub scope: PipelineScope,
    /// Currency of the amounts.
    pub currency: Currency,
    /// The pipeline at the start.
    pub start: Tally,
    /// The pipeline at the end.
    pub end: Tally,
    /// One bucket per [`ChangeKind`], in waterfall order (empty buckets included).
    pub buckets: Vec<ChangeBucket>,
    /// Every deal with at least one change, for drilling down.
    pub deals: Vec<DealChange>,
}

/// The deals of one kind of change.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ChangeBucket {
    /// The change.
    pub kind: ChangeKind,
    /// Its name.
    pub label: LocalizedText,
    /// Whether it adds to or removes from the pipeline.
    pub effect: ChangeEffect,
    /// Deals with this change.
    pub count: u64,
    /// Their amount: for amount changes the total increase or decrease, otherwise the deals'
    /// amount at the end of the period (or when they closed).
    pub amount: Money,
}

/// One deal's changes.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DealChange {
    /// The deal.
    pub deal: DealId,
    /// Its title.
    pub title: String,
    /// Its owner.
    pub owner: UserId,
    /// What changed, in waterfall order.
    pub changes: Vec<ChangeKind>,
    /// Amount at the start, if it was in the pipeline then.
    pub start_amount: Option<Money>,
    /// Amount at the end (or when it closed).
    pub end_amount: Money,
    /// Expected close date at the start.
    pub start_close_date: Option<Date>,
    /// Expected close date at the end.
    pub end_close_date: Option<Date>,
}

/// The pipeline change over the filter's period (required): the pipeline just before its first
/// day against the pipeline just after its last day, with every deal sorted into
/// [`ChangeKind`]s. Amounts are read from the amount log at both instants and converted into
/// the reporting currency.
///
/// ```
/// use std::collections::BTreeMap;
/// use dealflow_core::analytics::{pipeline_change, ChangeKind, DateRange, DealSet, Filter, PipelineScope, ReportContext};
/// use dealflow_core::DealStatus::{Open, Won};
#[doc = include_str!("doc_example.txt")]
/// // Days count from 2026-01-01; the review covers the second week of January.
/// let week = DateRange::new(time::macros::date!(2026-01-08), time::macros::date!(2026-01-14))?;
/// let deals = vec![
///     deal("old", 100_000, &[]),                                     // open all along
///     deal("won", 50_000, &[(3, "needs", Open, ""), (9, "needs", Won, "")]), // won in the week
/// ];
/// let set = DealSet::new(deals, ExchangeRates::new(Currency::CNY))?;
/// let teams = BTreeMap::<TeamId, TeamId>::new();
/// let ctx = ReportContext::new(&teams, time::macros::offset!(+8), Timestamp::from_millis(1_770_000_000_000));
/// let report = pipeline_change(&set, &Filter::all().in_period(week), &ctx, PipelineScope::AllOpen)?;
/// assert_eq!(report.start.amount, Money::from_major(150_000, Currency::CNY)?);
/// assert_eq!(report.end.amount, Money::from_major(100_000, Currency::CNY)?);
/// let won = report.buckets.iter().find(|bucket| bucket.kind == ChangeKind::Won).unwrap();
/// assert_eq!((won.count, won.amount), (1, Money::from_major(50_000, Currency::CNY)?));
/// # Ok::<(), dealflow_core::Error>(())
/// ```
pub fn pipeline_change(
    set: &DealSet,
    filter: &Filter,
    ctx: &ReportContext<'_>,
    scope: PipelineScope,
) -> Result<PipelineChangeReport, AnalyticsError> {
    let window = filter.period.ok_or(AnalyticsError::PeriodRequired)?;
    let currency = set.currency();
    let selection = Selection::new(filter, set, ctx);
    let (start, end) = (selection.window.start, selection.window.end);
    let mut report = PipelineChangeReport {
        title: LocalizedText::new("管道变化", "Pipeline change"),
        columns: columns(),
        chart: ChartKind::Waterfall,
        window,
        scope,
        currency,
        start: Tally::zero(currency),
        end: Tally::zero(currency),
        buckets: ChangeKind::ALL
            .iter()
            .map(|kind| ChangeBucket {
                kind: *kind,
                label: kind.label(),
                effect: kind.effect(),
                count: 0,
                amount: Money::zero(currency),
            })
            .collect(),
        deals: Vec::new(),
    };
    // First pass over the compact columns only: which deals can have changed? Deals closed
    // before the period and still closed are the bulk of history.
    let candidates: Vec<usize> = set
        .rows()
        .enumerate()
        .filter(|(_, (_, facts))| {
            if facts.created >= end || !selection.deal(set, facts) {
                return false;
            }
            let entries = set.entries(facts);
            let open_at_start =
                entry_before(entries, start).is_some_and(|entry| entry.status == DealStatus::Open);
            entry_before(entries, end).is_some_and(|at_end| {
                open_at_start || at_end.status == DealStatus::Open || at_end.at >= start
            })
        })
        .map(|(index, _)| index)
        .collect();
    // The candidates whose close date or amount changed since the period began must read their
    // logs, which live in scattered heap blocks: load them all first so that the cache misses
    // overlap, rather than waiting for each in turn.
    let mut first_changes = 0_i64;
    for (deal, facts) in candidates.iter().filter_map(|index| set.row_at(*index)) {
        if facts.close_changed >= start || facts.amount_changed >= start {
            let close = deal
                .close_date_changes
                .iter()
                .map(|change| change.at.millis());
            let amount = deal.amount_changes.iter().map(|change| change.at.millis());
            first_changes = close.chain(amount).fold(first_changes, i64::wrapping_add);
        }
    }
    std::hint::black_box(first_changes);
    let mut changes = Vec::with_capacity(3);
    for (deal, facts) in candidates.iter().filter_map(|index| set.row_at(*index)) {
        let entries = set.entries(facts);
        // The entry in force at each instant is the last one strictly before it.
        let before_end = count_before(entries, end);
        let Some(at_end) = before_end
            .checked_sub(1)
            .and_then(|index| entries.get(index))
        else {
            continue;
        };
        let at_start = entry_before(entries, start);
        let open_at_start = at_start.is_some_and(|entry| entry.status == DealStatus::Open);
        let open_at_end = at_end.status == DealStatus::Open;
        let closed_during = !open_at_end && at_end.at >= start;
        let start_close = facts.close_date_before(deal, start);
        let end_close = facts.close_date_before(deal, end);
        let in_at_start = open_at_start && scope.accepts(start_close);
        let in_at_end = open_at_end && scope.accepts(end_close);
        let entered = || match at_start {
            None => ChangeKind::New,
            Some(entry) if entry.status != DealStatus::Open => ChangeKind::Reopened,
            Some(_) => ChangeKind::PulledIn,
        };
        changes.clear();
        match (in_at_start, in_at_end) {
            (false, false) => {
                // Entered and left within the period: it counts both ways.
                let previous = before_end
                    .checked_sub(2)
                    .and_then(|index| entries.get(index));
                let in_before_closing = previous.is_some_and(|entry| {
                    entry.status == DealStatus::Open
                        && scope.accepts(facts.close_date_before(deal, at_end.at))
                });
                if !(closed_during && in_before_closing) {
                    continue;
                }
                changes.push(entered());
                changes.push(closing_kind(*at_end));
            }
            (false, true) => changes.push(entered()),
            (true, _) => {
                if !in_at_end {
                    changes.push(if closed_during {
                        closing_kind(*at_end)
                    } else {
                        ChangeKind::PushedOut
                    });
                } else if let (Some(from), Some(to)) = (start_close, end_close) {
                    if to > from {
                        changes.push(ChangeKind::CloseDateLater);
                    } else if to < from {
                        changes.push(ChangeKind::CloseDateEarlier);
                    }
                }
            }
        }
        let end_amount = amount_at(set, deal, facts, end)?;
        let start_amount = if in_at_start {
            let amount = amount_at(set, deal, facts, start)?;
            report.start.add(amount)?;
            let difference = end_amount.checked_sub(amount)?;
            if difference.is_positive() {
                changes.push(ChangeKind::AmountUp);
            } else if difference.is_negative() {
                changes.push(ChangeKind::AmountDown);
            }
            Some(amount)
        } else {
            None
        };
        if in_at_end {
            report.end.add(end_amount)?;
        }
        if changes.is_empty() {
            continue;
        }
        changes.sort_unstable();
        for kind in &changes {
            let amount = match (kind, start_amount) {
                (ChangeKind::AmountUp, Some(start)) => end_amount.checked_sub(start)?,
                (ChangeKind::AmountDown, Some(start)) => start.checked_sub(end_amount)?,
                _ => end_amount,
            };
            if let Some(bucket) = report.buckets.get_mut(kind.position()) {
                bucket.count += 1;
                bucket.amount = bucket.amount.checked_add(amount)?;
            }
        }
        report.deals.push(DealChange {
            deal: deal.id.clone(),
            title: deal.title.clone(),
            owner: deal.owner.clone(),
            changes: changes.clone(),
            start_amount,
            end_amount,
            start_close_date: start_close,
            end_close_date: end_close,
        });
    }
    Ok(report)
}

fn closing_kind(entry: Entry) -> ChangeKind {
    match entry.status {
        DealStatus::Won => ChangeKind::Won,
        DealStatus::Lost => ChangeKind::Lost,
        // Only closed entries reach here; an open one would not have left the pipeline.
        DealStatus::Stopped | DealStatus::Open => ChangeKind::Stopped,
    }
}

impl PipelineChangeReport {
    /// `start + adds − removes`, which always equals `end.amount`; for checks and charts.
    pub fn reconciled_end(&self) -> Result<Money, MoneyError> {
        self.buckets
            .iter()
            .try_fold(self.start.amount, |total, bucket| match bucket.effect {
                ChangeEffect::Adds => total.checked_add(bucket.amount),
                ChangeEffect::Removes => total.checked_sub(bucket.amount),
                ChangeEffect::Informational => Ok(total),
            })
    }

    /// The bucket of one kind of change.
    pub fn bucket(&self, kind: ChangeKind) -> Option<&ChangeBucket> {
        self.buckets.iter().find(|bucket| bucket.kind == kind)
    }
}

fn columns() -> Vec<Column> {
    vec![
        Column::new("label", "变化", "Change", ColumnKind::Text),
        Column::new("count", "商机数", "Deals", ColumnKind::Count),
        Column::new("amount", "金额", "Amount", ColumnKind::Money),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::analytics::fixture::{self, DealBuilder, date_of, yuan};
    use crate::deal::Deal;

    /// The review covers days 7–13 (the second week of January 2026).
    fn week() -> Filter {
        Filter::all().in_period(DateRange::new(date_of(7), date_of(13)).unwrap())
    }

    fn bucket(report: &PipelineChangeReport, kind: ChangeKind) -> (u64, i64) {
        let bucket = report.bucket(kind).unwrap();
        (bucket.count, bucket.amount.minor() / 100)
    }

    fn deals() -> Vec<Deal> {
        let march = Some(date_of(80)); // 2026-03-22
        let april = Some(date_of(100)); // 2026-04-11
        vec![
            // Open throughout, amount raised from 100k to 130k during the week.
            DealBuilder::new("up")
                .expected_close(date_of(80))
                .amount_change(9, 100_000, 130_000)
                .build(),
            // Open throughout, cut to 60k before the week: no change.
            DealBuilder::new("steady")
                .expected_close(date_of(80))
                .amount_change(2, 100_000, 60_000)
                .build(),
            // New during the week, 40k.
            DealBuilder::new("new")
                .created(8)
                .amount(40_000)
                .expected_close(date_of(70))
                .build(),
            // Won during the week at 90k after being cut from 100k during the week.
            DealBuilder::new("won")
                .expected_close(date_of(60))
                .amount_change(8, 100_000, 90_000)
                .won(10)
                .build(),
            // Lost during the week.
            DealBuilder::new("lost")
                .expected_close(date_of(60))
                .lost(12, "price")
                .build(),
            // Created and stopped within the week: new and stopped.
            DealBuilder::new("blip")
                .created(9)
                .amount(40_000)
                .expected_close(date_of(60))
                .stopped(11, "budget_frozen")
                .build(),
            // Lost before the week and reopened in it.
            DealBuilder::new("back")
                .expected_close(date_of(60))
                .lost(2, "price")
                .reopened("needs", 10)
                .build(),
            // Close date moved from March to April during the week.
            DealBuilder::new("slip")
                .expected_close(date_of(80))
                .close_date_change(10, march, april)
                .build(),
            // Won before the week: not in the pipeline at either end.
            DealBuilder::new("gone").won(3).build(),
            // Created after the week.
            DealBuilder::new("later").created(20).build(),
        ]
    }

    #[test]
    fn all_open_waterfall() {
        let teams = BTreeMap::new();
        let ctx = fixture::context(&teams);
        let report = pipeline_change(
            &fixture::set(deals()),
            &week(),
            &ctx,
            PipelineScope::AllOpen,
        )
        .unwrap();
        // Start: up 100 + steady 60 + won 100 + lost 100 + slip 100 = 460k in 5 deals.
        assert_eq!(
            (report.start.count, report.start.amount.minor() / 100),
            (5, 460_000)
        );
        assert_eq!(bucket(&report, ChangeKind::New), (2, 80_000));
        assert_eq!(bucket(&report, ChangeKind::Reopened), (1, 100_000));
        assert_eq!(bucket(&report, ChangeKind::AmountUp), (1, 30_000));
        assert_eq!(bucket(&report, ChangeKind::AmountDown), (1, 10_000));
        assert_eq!(bucket(&report, ChangeKind::Won), (1, 90_000));
        assert_eq!(bucket(&report, ChangeKind::Lost), (1, 100_000));
        assert_eq!(bucket(&report, ChangeKind::Stopped), (1, 40_000));
        assert_eq!(bucket(&report, ChangeKind::PushedOut), (0, 0));
        assert_eq!(bucket(&report, ChangeKind::CloseDateLater), (1, 100_000));
        // End: up 130 + steady 60 + new 40 + back 100 + slip 100 = 430k in 5 deals.
        assert_eq!(
            (report.end.count, report.end.amount.minor() / 100),
            (5, 430_000)
        );
        assert_eq!(report.reconciled_end().unwrap(), report.end.amount);
        let won = report
            .deals
            .iter()
            .find(|deal| deal.deal.as_str() == "won")
            .unwrap();
        assert_eq!(won.changes, [ChangeKind::AmountDown, ChangeKind::Won]);
        assert_eq!(won.start_amount, Some(yuan(100_000)));
    }

    #[test]
    fn close_period_scope_pushes_out_and_pulls_in() {
        let teams = BTreeMap::new();
        let ctx = fixture::context(&teams);
        let q1 = PipelineScope::ClosingIn {
            period: DateRange::quarter(2026, 1).unwrap(),
        };
        let mut deals = deals();
        deals.push(
            DealBuilder::new("pulled")
                .expected_close(date_of(100))
                .close_date_change(11, Some(date_of(100)), Some(date_of(85)))
                .build(),
        );
        let report = pipeline_change(&fixture::set(deals), &week(), &ctx, q1).unwrap();
        assert_eq!(bucket(&report, ChangeKind::PushedOut), (1, 100_000));
        assert_eq!(bucket(&report, ChangeKind::PulledIn), (1, 100_000));
        assert_eq!(bucket(&report, ChangeKind::CloseDateLater), (0, 0));
        assert_eq!(report.reconciled_end().unwrap(), report.end.amount);
        // End: up 130 + steady 60 + new 40 + back 100 + pulled 100 = 430k.
        assert_eq!(report.end.amount.minor() / 100, 430_000);
    }

    #[test]
    fn needs_a_period() {
        let teams = BTreeMap::new();
        let ctx = fixture::context(&teams);
        assert_eq!(
            pipeline_change(
                &fixture::set(deals()),
                &Filter::all(),
                &ctx,
                PipelineScope::AllOpen
            ),
            Err(AnalyticsError::PeriodRequired)
        );
    }
}
