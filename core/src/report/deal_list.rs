//! Individual deal lists: a rep's closed deals in a period and the deals not closed yet.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::analytics::AnalyticsError;
use crate::analytics::deal_set::{DealFacts, DealSet, Entry};
use crate::analytics::filter::{Filter, ReportContext, Selection};
use crate::analytics::label::{self, ReasonList};
use crate::analytics::period::DateRange;
use crate::analytics::table::{ChartKind, Column, ColumnKind};
use crate::analytics::tally::Tally;
use crate::analytics::win_loss::{Outcomes, closing_reason};
use crate::deal::{Deal, DealStatus};
use crate::i18n::LocalizedText;
use crate::id::{DealId, StageId, TeamId, UserId};
use crate::money::{Currency, Money};
use crate::pipeline::Pipeline;
use crate::timestamp::Timestamp;

/// Closed and not-closed deals (成交/未成交商机明细), usually for one rep.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DealLists {
    /// "个人商机明细" / "Deal lists".
    pub title: LocalizedText,
    /// Columns of each [`DealRow`].
    pub columns: Vec<Column>,
    /// Suggested chart.
    pub chart: ChartKind,
    /// The period of the closed list (all time without one).
    pub period: Option<DateRange>,
    /// Currency of the amounts.
    pub currency: Currency,
    /// Won deals in the closed list.
    pub won: Tally,
    /// Lost deals in the closed list.
    pub lost: Tally,
    /// Stopped deals in the closed list.
    pub stopped: Tally,
    /// The not-closed list.
    pub open: Tally,
    /// Deals won, lost or stopped in the period, the latest first.
    pub closed: Vec<DealRow>,
    /// Deals open now (created before the period ended), the soonest expected close first.
    pub not_closed: Vec<DealRow>,
}

/// One deal in a list.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DealRow {
    /// The deal.
    pub deal: DealId,
    /// Title.
    pub title: String,
    /// Customer.
    pub account: String,
    /// Owner.
    pub owner: UserId,
    /// Owner's team.
    pub team: Option<TeamId>,
    /// Open, won, lost or stopped.
    pub status: DealStatus,
    /// Its label.
    pub status_label: LocalizedText,
    /// The current stage, or the stage reached before closing.
    pub stage: Option<StageId>,
    /// Its label.
    pub stage_label: LocalizedText,
    /// Amount.
    pub amount: Money,
    /// Expected close date.
    pub expected_close: Option<Date>,
    /// When the deal was created.
    pub created_at: Timestamp,
    /// When it was won, lost or stopped.
    pub closed_at: Option<Timestamp>,
    /// Loss or stop reason id.
    pub reason: Option<String>,
    /// Its label.
    pub reason_label: Option<LocalizedText>,
    /// The last follow-up.
    pub last_follow_up: Option<Timestamp>,
    /// Whole days in the current stage (for closed deals: in the stage reached, until closing).
    pub days_in_stage: i64,
}

/// The closed and not-closed lists for the filter (set its rep for one person's lists). Stage and
/// reason labels come from `pipelines`.
///
/// ```
/// use std::collections::BTreeMap;
/// use dealflow_core::analytics::{DealSet, Filter, ReportContext};
/// use dealflow_core::report::deal_lists;
/// use dealflow_core::DealStatus::{Lost, Open};
#[doc = include_str!("../analytics/doc_example.txt")]
/// let set = DealSet::new(vec![
///     deal("lost", 100_000, &[(9, "qualify", Lost, "price")]),
///     deal("open", 50_000, &[(3, "needs", Open, "")]),
/// ], ExchangeRates::new(Currency::CNY))?;
/// let teams = BTreeMap::<TeamId, TeamId>::new();
/// let ctx = ReportContext::new(&teams, time::macros::offset!(+8), Timestamp::from_millis(1_770_000_000_000));
/// let filter = Filter::all().for_rep(UserId::new("rep-li")?);
/// let lists = deal_lists(&set, &[Pipeline::template_new_business()], &filter, &ctx)?;
/// let lost = &lists.closed[0];
/// assert_eq!(lost.reason_label.as_ref().map(|label| label.zh_cn.as_str()), Some("价格过高"));
/// assert_eq!(lists.not_closed[0].stage_label.zh_cn, "需求分析");
/// # Ok::<(), dealflow_core::Error>(())
/// ```
pub fn deal_lists(
    set: &DealSet,
    pipelines: &[Pipeline],
    filter: &Filter,
    ctx: &ReportContext<'_>,
) -> Result<DealLists, AnalyticsError> {
    let currency = set.currency();
    let selection = Selection::new(filter, set, ctx);
    let mut outcomes = Outcomes::new(currency);
    let mut open = Tally::zero(currency);
    let mut closed = Vec::new();
    let mut not_closed = Vec::new();
    for (deal, facts) in set.rows() {
        let Some(current) = facts.current(set) else {
            continue;
        };
        let is_closed = current.status != DealStatus::Open && selection.in_period(current.at);
        let is_open = current.status == DealStatus::Open && facts.created < selection.window.end;
        if !(is_closed || is_open) || !selection.deal(set, facts) {
            continue;
        }
        let row = deal_row(deal, facts, current, set, pipelines, ctx);
        if is_closed {
            outcomes.add(current.status, row.amount)?;
            closed.push(row);
        } else {
            open.add(row.amount)?;
            not_closed.push(row);
        }
    }
    closed.sort_by(|left, right| {
        right
            .closed_at
            .cmp(&left.closed_at)
            .then_with(|| left.deal.cmp(&right.deal))
    });
    not_closed.sort_by(|left, right| {
        (left.expected_close.is_none(), left.expected_close)
            .cmp(&(right.expected_close.is_none(), right.expected_close))
            .then_with(|| right.amount.minor().cmp(&left.amount.minor()))
            .then_with(|| left.deal.cmp(&right.deal))
    });
    Ok(DealLists {
        title: LocalizedText::new("个人商机明细", "Deal lists"),
        columns: columns(),
        chart: ChartKind::Table,
        period: filter.period,
        currency,
        won: outcomes.won,
        lost: outcomes.lost,
        stopped: outcomes.stopped,
        open,
        closed,
        not_closed,
    })
}

fn deal_row(
    deal: &Deal,
    facts: &DealFacts,
    current: Entry,
    set: &DealSet,
    pipelines: &[Pipeline],
    ctx: &ReportContext<'_>,
) -> DealRow {
    let stage = deal.stage().cloned();
    let stage_label = stage_label(pipelines, deal);
    let closed_at =
        (current.status != DealStatus::Open).then(|| Timestamp::from_millis(current.at));
    let reason = match current.status {
        DealStatus::Lost | DealStatus::Stopped => closing_reason(deal),
        DealStatus::Open | DealStatus::Won => None,
    };
    let list = if current.status == DealStatus::Stopped {
        ReasonList::Stop
    } else {
        ReasonList::Loss
    };
    // Time in the stage reached: from entering it until closing, or until now while open.
    let entered_stage = set
        .entries(facts)
        .iter()
        .rev()
        .find(|entry| entry.status == DealStatus::Open)
        .map_or(facts.created, |entry| entry.at);
    let until = closed_at.unwrap_or(ctx.now);
    DealRow {
        deal: deal.id.clone(),
        title: deal.title.clone(),
        account: deal.account.name.clone(),
        owner: deal.owner.clone(),
        team: deal.team.clone(),
        status: current.status,
        status_label: label::status(current.status),
        stage,
        stage_label,
        amount: set.amount(facts),
        expected_close: deal.expected_close,
        created_at: deal.created_at,
        closed_at,
        reason: reason.map(str::to_owned),
        reason_label: reason.map(|id| label::reason(pipelines, &deal.pipeline, list, Some(id))),
        last_follow_up: deal.last_follow_up().map(|follow_up| follow_up.at),
        days_in_stage: until.days_since(Timestamp::from_millis(entered_stage)),
    }
}

/// The label of the deal's stage from its pipeline, else the stage id.
pub(crate) fn stage_label(pipelines: &[Pipeline], deal: &Deal) -> LocalizedText {
    let Some(stage) = deal.stage() else {
        return label::not_set();
    };
    pipelines
        .iter()
        .filter(|pipeline| pipeline.id == deal.pipeline)
        .find_map(|pipeline| pipeline.stage(stage).ok())
        .map_or_else(
            || label::verbatim(stage.as_str()),
            |stage| stage.label.clone(),
        )
}

fn columns() -> Vec<Column> {
    vec![
        Column::new("title", "商机", "Deal", ColumnKind::Text),
        Column::new("account", "客户", "Customer", ColumnKind::Text),
        Column::new("status_label", "状态", "Status", ColumnKind::Text),
        Column::new("stage_label", "阶段", "Stage", ColumnKind::Text),
        Column::new("amount", "金额", "Amount", ColumnKind::Money),
        Column::new(
            "expected_close",
            "预计成交",
            "Expected close",
            ColumnKind::Date,
        ),
        Column::new("closed_at", "关闭时间", "Closed", ColumnKind::Timestamp),
        Column::new("reason_label", "原因", "Reason", ColumnKind::Text),
        Column::new(
            "last_follow_up",
            "最近跟进",
            "Last follow-up",
            ColumnKind::Timestamp,
        ),
        Column::new(
            "days_in_stage",
            "阶段停留天数",
            "Days in stage",
            ColumnKind::WholeDays,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::analytics::fixture::{self, DealBuilder, date_of, day, yuan};

    #[test]
    fn closed_and_not_closed_for_one_rep() {
        let teams = BTreeMap::new();
        let ctx = fixture::context(&teams); // now = day 100
        let pipelines = [Pipeline::template_new_business()];
        let set = fixture::set(vec![
            DealBuilder::new("won")
                .to("needs", 4)
                .won(20)
                .amount(90_000)
                .build(),
            DealBuilder::new("lost").lost(25, "competitor").build(),
            DealBuilder::new("stopped")
                .to("needs", 2)
                .stopped(15, "budget_frozen")
                .follow_up(10)
                .build(),
            DealBuilder::new("old-win").won(-5).build(),
            DealBuilder::new("soon")
                .to("demo", 30)
                .expected_close(date_of(110))
                .amount(10_000)
                .build(),
            DealBuilder::new("later")
                .expected_close(date_of(150))
                .build(),
            DealBuilder::new("undated").amount(5_000).build(),
            DealBuilder::new("future").created(45).build(),
            DealBuilder::new("someone-else")
                .owner("rep-b")
                .won(10)
                .build(),
        ]);
        let filter = Filter::all()
            .for_rep(fixture::user("rep-a"))
            .in_period(DateRange::new(date_of(0), date_of(30)).unwrap());
        let lists = deal_lists(&set, &pipelines, &filter, &ctx).unwrap();
        let closed: Vec<(&str, &str, Option<&str>, i64)> = lists
            .closed
            .iter()
            .map(|row| {
                (
                    row.deal.as_str(),
                    row.status_label.en.as_str(),
                    row.reason_label.as_ref().map(|label| label.zh_cn.as_str()),
                    row.days_in_stage,
                )
            })
            .collect();
        assert_eq!(
            closed,
            [
                ("lost", "Lost", Some("选择了竞争对手"), 25),
                ("won", "Won", None, 16),
                ("stopped", "Stopped", Some("预算冻结"), 13),
            ]
        );
        let open: Vec<&str> = lists
            .not_closed
            .iter()
            .map(|row| row.deal.as_str())
            .collect();
        assert_eq!(open, ["soon", "later", "undated"]);
        assert_eq!(lists.not_closed[0].stage_label.en, "Solution demo");
        assert_eq!(lists.not_closed[0].days_in_stage, 70);
        assert_eq!(lists.closed[2].last_follow_up, Some(day(10)));
        assert_eq!((lists.won.count, lists.won.amount), (1, yuan(90_000)));
        assert_eq!(
            (lists.open.count, lists.lost.count, lists.stopped.count),
            (3, 1, 1)
        );
    }
}
