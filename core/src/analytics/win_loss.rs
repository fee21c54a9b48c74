//! Win/loss analysis: loss reasons ranked by count and by value, and win rates by segment.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::deal_set::DealSet;
use super::error::AnalyticsError;
use super::filter::{Filter, ReportContext, Selection};
use super::label::{self, ReasonList};
use super::period::DateRange;
use super::rank::competition_ranks;
use super::rate::Rate;
use super::segment::{Segment, SegmentDimension, SegmentIndex};
use super::table::{ChartKind, Column, ColumnKind};
use super::tally::Tally;
use super::timeline::closing;
use crate::deal::{Deal, DealStatus};
use crate::i18n::LocalizedText;
use crate::id::PipelineId;
use crate::money::{Currency, Money, MoneyError};
use crate::pipeline::Pipeline;

/// Why deals were lost, and which kinds of deals we win.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct WinLossReport {
    /// "赢单/输单分析" / "Win/loss analysis".
    pub title: LocalizedText,
    /// Columns of [`WinLossReport::loss_reasons`].
    pub columns: Vec<Column>,
    /// Columns of each [`SegmentWinRate`] row.
    pub segment_columns: Vec<Column>,
    /// Suggested chart.
    pub chart: ChartKind,
    /// Deals closed in this period count (all without one).
    pub period: Option<DateRange>,
    /// Currency of the amounts.
    pub currency: Currency,
    /// Deals won.
    pub won: Tally,
    /// Deals lost.
    pub lost: Tally,
    /// Deals stopped (not part of the win rate).
    pub stopped: Tally,
    /// `won / (won + lost)` by count.
    pub win_rate: Option<Rate>,
    /// `won / (won + lost)` by amount.
    pub value_win_rate: Option<Rate>,
    /// Loss reasons, most frequent first.
    pub loss_reasons: Vec<ReasonRow>,
    /// Win rates per segment, for each dimension asked for.
    pub breakdowns: Vec<WinRateBreakdown>,
}

/// One loss or stop reason.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ReasonRow {
    /// The reason id from the pipeline's list; `None` when none was recorded.
    pub reason: Option<String>,
    /// Its label (the id itself when no pipeline lists it).
    pub label: LocalizedText,
    /// Deals with this reason.
    pub count: u64,
    /// Their amount.
    pub amount: Money,
    /// Share of all deals in the table.
    pub count_share: Option<Rate>,
    /// Share of the total amount.
    pub amount_share: Option<Rate>,
    /// Rank by count (1 = most frequent; ties share a rank).
    pub rank_by_count: u32,
    /// Rank by amount (1 = most value).
    pub rank_by_value: u32,
}

/// Win rates split by one dimension.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct WinRateBreakdown {
    /// The dimension.
    pub dimension: SegmentDimension,
    /// Its name.
    pub label: LocalizedText,
    /// One row per segment.
    pub segments: Vec<SegmentWinRate>,
}

/// Outcomes of one segment.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SegmentWinRate {
    /// The segment.
    pub segment: Segment,
    /// Won.
    pub won: Tally,
    /// Lost.
    pub lost: Tally,
    /// Stopped.
    pub stopped: Tally,
    /// `won / (won + lost)` by count.
    pub win_rate: Option<Rate>,
    /// `won / (won + lost)` by amount.
    pub value_win_rate: Option<Rate>,
}

/// Win/loss over the deals closed (won, lost or stopped) in the filter's period.
///
/// Loss reasons are labelled from `pipelines` (the deal's own pipeline first). Win rates leave
/// stopped deals out: a stopped deal is neither won nor lost.
///
/// ```
/// use std::collections::BTreeMap;
/// use dealflow_core::analytics::{win_loss, DealSet, Filter, ReportContext};
/// use dealflow_core::DealStatus::{Lost, Won};
#[doc = include_str!("doc_example.txt")]
/// let deals = vec![
///     deal("a", 100_000, &[(9, "qualify", Won, "")]),
///     deal("b", 300_000, &[(9, "qualify", Lost, "price")]),
///     deal("c", 100_000, &[(9, "qualify", Lost, "competitor")]),
///     deal("d", 100_000, &[(9, "qualify", Lost, "competitor")]),
/// ];
/// let set = DealSet::new(deals, ExchangeRates::new(Currency::CNY))?;
/// let teams = BTreeMap::<TeamId, TeamId>::new();
/// let ctx = ReportContext::new(&teams, time::macros::offset!(+8), Timestamp::from_millis(1_770_000_000_000));
/// let report = win_loss(&set, &[Pipeline::template_new_business()], &Filter::all(), &ctx, &[])?;
/// assert_eq!(report.win_rate.map(|rate| rate.to_string()), Some("25%".into()));
/// let top = &report.loss_reasons[0];
/// assert_eq!((top.label.zh_cn.as_str(), top.count, top.rank_by_value), ("选择了竞争对手", 2, 2));
/// assert_eq!(report.loss_reasons[1].rank_by_value, 1); // 价格过高: ¥300,000
/// # Ok::<(), dealflow_core::Error>(())
/// ```
pub fn win_loss(
    set: &DealSet,
    pipelines: &[Pipeline],
    filter: &Filter,
    ctx: &ReportContext<'_>,
    breakdowns: &[SegmentDimension],
) -> Result<WinLossReport, AnalyticsError> {
    let currency = set.currency();
    let selection = Selection::new(filter, set, ctx);
    let mut outcomes = Outcomes::new(currency);
    let mut reasons = ReasonTable::new(currency, ReasonList::Loss);
    let mut indexes: Vec<SegmentIndex> = breakdowns
        .iter()
        .map(|dimension| SegmentIndex::new(*dimension))
        .collect();
    let mut by_segment: Vec<Vec<Outcomes>> = vec![Vec::new(); breakdowns.len()];
    let mut numbers = Vec::new();
    for (deal, facts) in set.rows() {
        let Some(closing) = closing(set, facts) else {
            continue;
        };
        if !selection.in_period(closing.at) || !selection.deal(set, facts) {
            continue;
        }
        let amount = set.amount(facts);
        outcomes.add(closing.status, amount)?;
        if closing.status == DealStatus::Lost {
            reasons.add(pipelines, deal, closing_reason(deal), amount)?;
        }
        for (index, per_segment) in indexes.iter_mut().zip(by_segment.iter_mut()) {
            index.of_deal(set, facts, &mut numbers);
            per_segment.resize_with(index.len(), || Outcomes::new(currency));
            for &number in &numbers {
                if let Some(segment) = per_segment.get_mut(number) {
                    segment.add(closing.status, amount)?;
                }
            }
        }
    }
    let breakdowns = indexes
        .into_iter()
        .zip(by_segment)
        .map(|(index, per_segment)| {
            let dimension = index.dimension();
            let segments = index
                .into_sorted(set)
                .into_iter()
                .map(|(number, segment)| {
                    let outcomes = per_segment
                        .get(number)
                        .cloned()
                        .unwrap_or_else(|| Outcomes::new(currency));
                    SegmentWinRate {
                        segment,
                        won: outcomes.won,
                        lost: outcomes.lost,
                        stopped: outcomes.stopped,
                        win_rate: outcomes.win_rate(),
                        value_win_rate: outcomes.value_win_rate(),
                    }
                })
                .collect();
            WinRateBreakdown {
                dimension,
                label: dimension.label(),
                segments,
            }
        })
        .collect();
    Ok(WinLossReport {
        title: LocalizedText::new("赢单/输单分析", "Win/loss analysis"),
        columns: reason_columns(),
        segment_columns: segment_columns(),
        chart: ChartKind::Bar,
        period: filter.period,
        currency,
        won: outcomes.won,
        lost: outcomes.lost,
        stopped: outcomes.stopped,
        win_rate: outcomes.win_rate(),
        value_win_rate: outcomes.value_win_rate(),
        loss_reasons: reasons.into_rows(),
        breakdowns,
    })
}

/// The reason recorded on the deal's closing entry.
pub(crate) fn closing_reason(deal: &Deal) -> Option<&str> {
    deal.current().and_then(|entry| entry.reason.as_deref())
}

/// Won, lost and stopped tallies.
#[derive(Clone, Debug)]
pub(crate) struct Outcomes {
    pub(crate) won: Tally,
    pub(crate) lost: Tally,
    pub(crate) stopped: Tally,
}

impl Outcomes {
    pub(crate) fn new(currency: Currency) -> Self {
        Outcomes {
            won: Tally::zero(currency),
            lost: Tally::zero(currency),
            stopped: Tally::zero(currency),
        }
    }

    pub(crate) fn add(&mut self, status: DealStatus, amount: Money) -> Result<(), MoneyError> {
        match status {
            DealStatus::Won => self.won.add(amount),
            DealStatus::Lost => self.lost.add(amount),
            DealStatus::Stopped => self.stopped.add(amount),
            DealStatus::Open => Ok(()),
        }
    }

    pub(crate) fn win_rate(&self) -> Option<Rate> {
        Rate::of_counts(self.won.count, self.won.count + self.lost.count)
    }

    pub(crate) fn value_win_rate(&self) -> Option<Rate> {
        let won = i128::from(self.won.amount.minor());
        Rate::ratio_wide(won, won + i128::from(self.lost.amount.minor()))
    }
}

/// Deals per loss or stop reason, labelled from the pipelines.
pub(crate) struct ReasonTable<'d> {
    currency: Currency,
    list: ReasonList,
    rows: HashMap<Option<&'d str>, (LocalizedText, Tally)>,
}

impl<'d> ReasonTable<'d> {
    pub(crate) fn new(currency: Currency, list: ReasonList) -> Self {
        ReasonTable {
            currency,
            list,
            rows: HashMap::new(),
        }
    }

    pub(crate) fn add(
        &mut self,
        pipelines: &[Pipeline],
        deal: &Deal,
        reason: Option<&'d str>,
        amount: Money,
    ) -> Result<(), MoneyError> {
        let currency = self.currency;
        let list = self.list;
        let (_, tally) = self.rows.entry(reason).or_insert_with(|| {
            let own: &PipelineId = &deal.pipeline;
            (
                label::reason(pipelines, own, list, reason),
                Tally::zero(currency),
            )
        });
        tally.add(amount)
    }

    /// Rows by count (then amount, then id; "not set" last among equals), ranked both ways.
    pub(crate) fn into_rows(self) -> Vec<ReasonRow> {
        let total_count: u64 = self.rows.values().map(|(_, tally)| tally.count).sum();
        let total_amount: i128 = self
            .rows
            .values()
            .map(|(_, tally)| i128::from(tally.amount.minor()))
            .sum();
        let mut rows: Vec<ReasonRow> = self
            .rows
            .into_iter()
            .map(|(reason, (label, tally))| ReasonRow {
                reason: reason.map(str::to_owned),
                label,
                count: tally.count,
                amount: tally.amount,
                count_share: Rate::of_counts(tally.count, total_count),
                amount_share: Rate::ratio_wide(i128::from(tally.amount.minor()), total_amount),
                rank_by_count: 0,
                rank_by_value: 0,
            })
            .collect();
        rows.sort_by(|left, right| {
            right
                .amount
                .minor()
                .cmp(&left.amount.minor())
                .then_with(|| right.count.cmp(&left.count))
                .then_with(|| reason_order(left, right))
        });
        let value_ranks = competition_ranks(&rows, |row| row.amount.minor());
        for (row, rank) in rows.iter_mut().zip(value_ranks) {
            row.rank_by_value = rank;
        }
        rows.sort_by(|left, right| {
            right
                .count
                .cmp(&left.count)
                .then_with(|| right.amount.minor().cmp(&left.amount.minor()))
                .then_with(|| reason_order(left, right))
        });
        let count_ranks = competition_ranks(&rows, |row| row.count);
        for (row, rank) in rows.iter_mut().zip(count_ranks) {
            row.rank_by_count = rank;
        }
        rows
    }
}

fn reason_order(left: &ReasonRow, right: &ReasonRow) -> std::cmp::Ordering {
    (left.reason.is_none(), &left.reason).cmp(&(right.reason.is_none(), &right.reason))
}

pub(crate) fn reason_columns() -> Vec<Column> {
    vec![
        Column::new("rank_by_count", "排名", "Rank", ColumnKind::Rank),
        Column::new("label", "原因", "Reason", ColumnKind::Text),
        Column::new("count", "商机数", "Deals", ColumnKind::Count),
        Column::new(
            "count_share",
            "数量占比",
            "Share of deals",
            ColumnKind::Rate,
        ),
        Column::new("amount", "金额", "Amount", ColumnKind::Money),
        Column::new(
            "amount_share",
            "金额占比",
            "Share of amount",
            ColumnKind::Rate,
        ),
        Column::new(
            "rank_by_value",
            "金额排名",
            "Rank by value",
            ColumnKind::Rank,
        ),
    ]
}

fn segment_columns() -> Vec<Column> {
    vec![
        Column::new("segment.label", "细分", "Segment", ColumnKind::Text),
        Column::new("won.count", "赢单数", "Won", ColumnKind::Count),
        Column::new("lost.count", "输单数", "Lost", ColumnKind::Count),
        Column::new("stopped.count", "暂停数", "Stopped", ColumnKind::Count),
        Column::new("win_rate", "赢单率", "Win rate", ColumnKind::Rate),
        Column::new("won.amount", "赢单金额", "Won amount", ColumnKind::Money),
        Column::new("lost.amount", "输单金额", "Lost amount", ColumnKind::Money),
        Column::new(
            "value_win_rate",
            "金额赢率",
            "Value win rate",
            ColumnKind::Rate,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use expect_test::expect;

    use super::*;
    use crate::analytics::fixture::{self, DealBuilder};

    fn deals() -> Vec<Deal> {
        vec![
            DealBuilder::new("w1")
                .industry("制造业")
                .won(10)
                .amount(200_000)
                .build(),
            DealBuilder::new("w2")
                .industry("金融")
                .won(12)
                .amount(100_000)
                .build(),
            DealBuilder::new("l1")
                .industry("制造业")
                .lost(11, "price")
                .amount(50_000)
                .build(),
            DealBuilder::new("l2")
                .industry("制造业")
                .lost(13, "price")
                .amount(50_000)
                .build(),
            DealBuilder::new("l3")
                .industry("金融")
                .lost(14, "competitor")
                .amount(300_000)
                .build(),
            DealBuilder::new("l4")
                .lost(15, "gone_quiet")
                .amount(100_000)
                .build(),
            DealBuilder::new("s1")
                .industry("金融")
                .stopped(16, "budget_frozen")
                .build(),
            DealBuilder::new("open").industry("金融").build(),
            DealBuilder::new("old").industry("金融").won(60).build(),
        ]
    }

    #[test]
    fn ranks_reasons_and_segments() {
        let teams = BTreeMap::new();
        let ctx = fixture::context(&teams);
        let january = Filter::all()
            .in_period(DateRange::new(fixture::date_of(0), fixture::date_of(30)).unwrap());
        let report = win_loss(
            &fixture::set(deals()),
            &[Pipeline::template_new_business()],
            &january,
            &ctx,
            &[SegmentDimension::Industry],
        )
        .unwrap();
        // 2 won (300k) against 4 lost (500k): 33.33 % of deals, 37.5 % of value.
        assert_eq!(
            (report.won.count, report.lost.count, report.stopped.count),
            (2, 4, 1)
        );
        assert_eq!(report.win_rate, Some(Rate::from_basis_points(3_333)));
        assert_eq!(report.value_win_rate, Some(Rate::from_basis_points(3_750)));
        let table: Vec<String> = report
            .loss_reasons
            .iter()
            .map(|row| {
                format!(
                    "#{} {} ({:?}) {} deals {} = {:?}, value #{} {:?}",
                    row.rank_by_count,
                    row.label.zh_cn,
                    row.reason,
                    row.count,
                    row.amount,
                    row.count_share.map(|rate| rate.to_string()),
                    row.rank_by_value,
                    row.amount_share.map(|rate| rate.to_string()),
                )
            })
            .collect();
        expect![[r##"
            [
                "#1 价格过高 (Some(\"price\")) 2 deals 100000.00 CNY = Some(\"50%\"), value #2 Some(\"20%\")",
                "#2 选择了竞争对手 (Some(\"competitor\")) 1 deals 300000.00 CNY = Some(\"25%\"), value #1 Some(\"60%\")",
                "#2 gone_quiet (Some(\"gone_quiet\")) 1 deals 100000.00 CNY = Some(\"25%\"), value #2 Some(\"20%\")",
            ]
        "##]]
        .assert_debug_eq(&table);
        let industries = &report.breakdowns[0].segments;
        let rates: Vec<(Option<&str>, Option<String>)> = industries
            .iter()
            .map(|row| {
                (
                    row.segment.key.as_deref(),
                    row.win_rate.map(|rate| rate.to_string()),
                )
            })
            .collect();
        assert_eq!(
            rates,
            [
                (Some("制造业"), Some("33.33%".to_owned())),
                (Some("金融"), Some("50%".to_owned())),
                (None, Some("0%".to_owned())),
            ]
        );
        assert_eq!(industries[1].stopped.count, 1);
    }
}
