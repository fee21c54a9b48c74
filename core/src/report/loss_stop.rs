//! Loss and stop analysis: why and where deals were lost or stopped, by whom, and to which
//! competitors.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::deal_list::stage_label;
use super::ranking::{Ranking, rank_tallies};
use crate::analytics::AnalyticsError;
use crate::analytics::deal_set::DealSet;
use crate::analytics::filter::{Filter, ReportContext, Selection};
use crate::analytics::label::{self, ReasonList};
use crate::analytics::period::DateRange;
use crate::analytics::table::{ChartKind, Column};
use crate::analytics::tally::Tally;
use crate::analytics::win_loss::{ReasonRow, ReasonTable, closing_reason, reason_columns};
use crate::deal::{CompetitorStatus, DealStatus};
use crate::i18n::LocalizedText;
use crate::money::Currency;
use crate::pipeline::Pipeline;

/// Lost and stopped deals of a period, broken down.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct LossStopReport {
    /// "输单与暂停分析" / "Loss and stop analysis".
    pub title: LocalizedText,
    /// Columns of the reason tables.
    pub columns: Vec<Column>,
    /// Suggested chart.
    pub chart: ChartKind,
    /// The period (all time without one).
    pub period: Option<DateRange>,
    /// Currency of the amounts.
    pub currency: Currency,
    /// Lost deals.
    pub lost: OutcomeBreakdown,
    /// Stopped deals.
    pub stopped: OutcomeBreakdown,
    /// Lost deals by the competitor marked as having won them (one deal can name several).
    pub lost_to: Vec<Ranking>,
}

/// Lost or stopped deals broken down by reason, stage and rep.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct OutcomeBreakdown {
    /// All of them.
    pub total: Tally,
    /// By reason, most frequent first.
    pub reasons: Vec<ReasonRow>,
    /// By the stage reached before losing or stopping (key: stage id).
    pub stages: Vec<Ranking>,
    /// By owner (key: rep id).
    pub reps: Vec<Ranking>,
}

/// Loss and stop analysis of the deals lost or stopped in the filter's period; reason and stage
/// labels come from `pipelines`.
///
/// ```
/// use std::collections::BTreeMap;
/// use dealflow_core::analytics::{DealSet, Filter, ReportContext};
/// use dealflow_core::report::loss_stop;
/// use dealflow_core::DealStatus::{Lost, Open, Stopped};
#[doc = include_str!("../analytics/doc_example.txt")]
/// let set = DealSet::new(vec![
///     deal("a", 100_000, &[(3, "needs", Open, ""), (9, "needs", Lost, "price")]),
///     deal("b", 200_000, &[(9, "qualify", Lost, "price")]),
///     deal("c", 50_000, &[(9, "qualify", Stopped, "budget_frozen")]),
/// ], ExchangeRates::new(Currency::CNY))?;
/// let teams = BTreeMap::<TeamId, TeamId>::new();
/// let ctx = ReportContext::new(&teams, time::macros::offset!(+8), Timestamp::from_millis(1_770_000_000_000));
/// let report = loss_stop(&set, &[Pipeline::template_new_business()], &Filter::all(), &ctx)?;
/// assert_eq!(report.lost.reasons[0].label.zh_cn, "价格过高");
/// assert_eq!(report.lost.stages[0].label.zh_cn, "线索验证"); // ¥200,000 lost there
/// assert_eq!(report.stopped.reasons[0].label.zh_cn, "预算冻结");
/// # Ok::<(), dealflow_core::Error>(())
/// ```
pub fn loss_stop(
    set: &DealSet,
    pipelines: &[Pipeline],
    filter: &Filter,
    ctx: &ReportContext<'_>,
) -> Result<LossStopReport, AnalyticsError> {
    let currency = set.currency();
    let selection = Selection::new(filter, set, ctx);
    let mut lost = Collector::new(currency, ReasonList::Loss);
    let mut stopped = Collector::new(currency, ReasonList::Stop);
    let mut lost_to: HashMap<Option<String>, Tally> = HashMap::new();
    for (deal, facts) in set.rows() {
        let Some(current) = facts.current(set) else {
            continue;
        };
        let collector = match current.status {
            DealStatus::Lost => &mut lost,
            DealStatus::Stopped => &mut stopped,
            DealStatus::Open | DealStatus::Won => continue,
        };
        if !selection.in_period(current.at) || !selection.deal(set, facts) {
            continue;
        }
        let amount = set.amount(facts);
        collector.total.add(amount)?;
        collector
            .reasons
            .add(pipelines, deal, closing_reason(deal), amount)?;
        let stage = deal.stage().map(|stage| stage.to_string());
        collector
            .stages
            .entry(stage)
            .or_insert_with(|| (stage_label(pipelines, deal), Tally::zero(currency)))
            .1
            .add(amount)?;
        collector
            .reps
            .entry(Some(deal.owner.to_string()))
            .or_insert_with(|| Tally::zero(currency))
            .add(amount)?;
        if current.status == DealStatus::Lost {
            let mut winners: Vec<String> = deal
                .competitors
                .values()
                .filter(|competitor| competitor.status == CompetitorStatus::WonAgainstUs)
                .map(|competitor| competitor.name.trim().to_owned())
                .filter(|name| !name.is_empty())
                .collect();
            winners.sort();
            winners.dedup();
            for winner in winners {
                lost_to
                    .entry(Some(winner))
                    .or_insert_with(|| Tally::zero(currency))
                    .add(amount)?;
            }
        }
    }
    Ok(LossStopReport {
        title: LocalizedText::new("输单与暂停分析", "Loss and stop analysis"),
        columns: reason_columns(),
        chart: ChartKind::Bar,
        period: filter.period,
        currency,
        lost: lost.finish(),
        stopped: stopped.finish(),
        lost_to: rank_tallies(lost_to, |key| {
            key.map_or_else(label::not_set, label::verbatim)
        }),
    })
}

struct Collector<'d> {
    total: Tally,
    reasons: ReasonTable<'d>,
    stages: HashMap<Option<String>, (LocalizedText, Tally)>,
    reps: HashMap<Option<String>, Tally>,
}

impl Collector<'_> {
    fn new(currency: Currency, list: ReasonList) -> Self {
        Collector {
            total: Tally::zero(currency),
            reasons: ReasonTable::new(currency, list),
            stages: HashMap::new(),
            reps: HashMap::new(),
        }
    }

    fn finish(self) -> OutcomeBreakdown {
        let labels: HashMap<Option<String>, LocalizedText> = self
            .stages
            .iter()
            .map(|(key, (label, _))| (key.clone(), label.clone()))
            .collect();
        let stages = self
            .stages
            .into_iter()
            .map(|(key, (_, tally))| (key, tally))
            .collect();
        OutcomeBreakdown {
            total: self.total,
            reasons: self.reasons.into_rows(),
            stages: rank_tallies(stages, |key| {
                labels
                    .get(&key.map(str::to_owned))
                    .cloned()
                    .unwrap_or_else(label::not_set)
            }),
            reps: rank_tallies(self.reps, |key| {
                key.map_or_else(label::not_set, label::verbatim)
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::analytics::fixture::{self, DealBuilder, date_of, yuan};

    #[test]
    fn reasons_stages_reps_and_competitors() {
        let teams = BTreeMap::new();
        let ctx = fixture::context(&teams);
        let set = fixture::set(vec![
            DealBuilder::new("a")
                .owner("rep-a")
                .to("needs", 2)
                .to("demo", 5)
                .competitor("Acme", CompetitorStatus::WonAgainstUs, &[], &[])
                .competitor(" Acme ", CompetitorStatus::WonAgainstUs, &[], &[])
                .competitor("Beta", CompetitorStatus::Eliminated, &[], &[])
                .lost(10, "competitor")
                .amount(300_000)
                .build(),
            DealBuilder::new("b")
                .owner("rep-b")
                .to("needs", 2)
                .lost(12, "price")
                .amount(50_000)
                .build(),
            DealBuilder::new("c")
                .owner("rep-a")
                .lost(14, "price")
                .amount(70_000)
                .build(),
            DealBuilder::new("d")
                .owner("rep-b")
                .to("needs", 3)
                .stopped(16, "budget_frozen")
                .build(),
            DealBuilder::new("e")
                .owner("rep-b")
                .lost(40, "price")
                .build(),
        ]);
        let january = Filter::all().in_period(DateRange::new(date_of(0), date_of(30)).unwrap());
        let report = loss_stop(&set, &[Pipeline::template_new_business()], &january, &ctx).unwrap();
        assert_eq!(
            (report.lost.total.count, report.lost.total.amount),
            (3, yuan(420_000))
        );
        let reasons: Vec<(&str, u64, u32)> = report
            .lost
            .reasons
            .iter()
            .map(|row| (row.label.en.as_str(), row.count, row.rank_by_value))
            .collect();
        assert_eq!(
            reasons,
            [("Price too high", 2, 2), ("Chose a competitor", 1, 1)]
        );
        let stages: Vec<(&str, u64)> = report
            .lost
            .stages
            .iter()
            .map(|row| (row.label.zh_cn.as_str(), row.count))
            .collect();
        assert_eq!(stages, [("方案演示", 1), ("线索验证", 1), ("需求分析", 1)]);
        let reps: Vec<(u32, Option<&str>, i64)> = report
            .lost
            .reps
            .iter()
            .map(|row| (row.rank, row.key.as_deref(), row.amount.minor() / 100))
            .collect();
        assert_eq!(
            reps,
            [(1, Some("rep-a"), 370_000), (2, Some("rep-b"), 50_000)]
        );
        let lost_to: Vec<(Option<&str>, u64)> = report
            .lost_to
            .iter()
            .map(|row| (row.key.as_deref(), row.count))
            .collect();
        assert_eq!(lost_to, [(Some("Acme"), 1)]);
        assert_eq!(report.stopped.total.count, 1);
        assert_eq!(report.stopped.stages[0].key.as_deref(), Some("needs"));
        assert_eq!(report.stopped.reasons[0].label.en, "Budget frozen");
    }
}
