//! Team pipeline follow-up: the open deals per stage per rep, their amounts, and how long since
//! each was last followed up.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::analytics::AnalyticsError;
use crate::analytics::deal_set::DealSet;
use crate::analytics::filter::{Filter, ReportContext, Selection, check_pipeline};
use crate::analytics::period::DateRange;
use crate::analytics::table::{ChartKind, Column, ColumnKind};
use crate::analytics::tally::Tally;
use crate::analytics::timeline::StageOrder;
use crate::deal::DealStatus;
use crate::i18n::LocalizedText;
use crate::id::{DealId, PipelineId, StageId, UserId};
use crate::money::{Currency, Money};
use crate::pipeline::Pipeline;
use crate::timestamp::Timestamp;

/// Open deals of one pipeline by rep and stage, with follow-up ages.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PipelineFollowUp {
    /// "团队商机跟进" / "Team pipeline follow-up".
    pub title: LocalizedText,
    /// Columns of [`PipelineFollowUp::deals`].
    pub columns: Vec<Column>,
    /// Suggested chart (amount per stage, stacked by rep).
    pub chart: ChartKind,
    /// The pipeline.
    pub pipeline: PipelineId,
    /// When set, only deals expected to close in it.
    pub period: Option<DateRange>,
    /// Currency of the amounts.
    pub currency: Currency,
    /// Follow-ups older than this many days make a deal stale.
    pub stale_after_days: u32,
    /// The stages, in pipeline order (the columns of the rep table).
    pub stages: Vec<StageHeader>,
    /// One row per rep, the largest pipeline first.
    pub reps: Vec<RepPipeline>,
    /// Per stage over all reps.
    pub stage_totals: Vec<Tally>,
    /// Everything.
    pub total: Tally,
    /// The deals, the longest without follow-up first.
    pub deals: Vec<FollowUpDeal>,
}

/// A stage column.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct StageHeader {
    /// The stage.
    pub stage: StageId,
    /// Its label.
    pub label: LocalizedText,
}

/// One rep's open deals.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct RepPipeline {
    /// The rep.
    pub rep: UserId,
    /// Per stage, in the order of [`PipelineFollowUp::stages`].
    pub stages: Vec<Tally>,
    /// All of the rep's open deals.
    pub total: Tally,
    /// Deals not followed up within the threshold.
    pub stale: u64,
    /// Deals never followed up.
    pub never_followed_up: u64,
    /// The longest time since a follow-up among the rep's deals, in whole days.
    pub oldest_follow_up_days: Option<i64>,
}

/// One open deal.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct FollowUpDeal {
    /// The deal.
    pub deal: DealId,
    /// Title.
    pub title: String,
    /// Customer.
    pub account: String,
    /// Owner.
    pub owner: UserId,
    /// Current stage.
    pub stage: StageId,
    /// Its label.
    pub stage_label: LocalizedText,
    /// Amount.
    pub amount: Money,
    /// Expected close date.
    pub expected_close: Option<Date>,
    /// The last follow-up.
    pub last_follow_up: Option<Timestamp>,
    /// Whole days since the last follow-up, or since the deal was created when it never had one.
    pub follow_up_age_days: i64,
    /// Whole days in the current stage.
    pub days_in_stage: i64,
    /// When the agreed next step is due.
    pub next_step_due: Option<Date>,
    /// Whether the follow-up is older than the threshold.
    pub stale: bool,
}

/// The follow-up table of the open deals of `pipeline` now (`ctx.now`); when the filter has a
/// period, only deals expected to close in it. A deal is stale when its last follow-up (or its
/// creation, without one) is more than `stale_after_days` days ago.
///
/// ```
/// use std::collections::BTreeMap;
/// use dealflow_core::analytics::{DealSet, Filter, ReportContext};
/// use dealflow_core::report::pipeline_follow_up;
/// use dealflow_core::DealStatus::Open;
#[doc = include_str!("../analytics/doc_example.txt")]
/// let set = DealSet::new(vec![
///     deal("a", 100_000, &[(3, "needs", Open, "")]),
///     deal("b", 50_000, &[]),
/// ], ExchangeRates::new(Currency::CNY))?;
/// let teams = BTreeMap::<TeamId, TeamId>::new();
/// let day_30 = Timestamp::from_millis(1_767_196_800_000 + 30 * 86_400_000);
/// let ctx = ReportContext::new(&teams, time::macros::offset!(+8), day_30);
/// let pipeline = Pipeline::template_new_business();
/// let report = pipeline_follow_up(&set, &pipeline, &Filter::all(), &ctx, 14)?;
/// let rep = &report.reps[0];
/// assert_eq!((rep.stages[0].count, rep.stages[1].count), (1, 1)); // 线索验证, 需求分析
/// assert_eq!((rep.stale, rep.oldest_follow_up_days), (2, Some(30))); // never followed up
/// let first = &report.deals[0]; // equally neglected, so the larger deal first
/// assert_eq!((first.deal.as_str(), first.days_in_stage), ("a", 27)); // in 需求分析 since day 3
/// # Ok::<(), dealflow_core::Error>(())
/// ```
pub fn pipeline_follow_up(
    set: &DealSet,
    pipeline: &Pipeline,
    filter: &Filter,
    ctx: &ReportContext<'_>,
    stale_after_days: u32,
) -> Result<PipelineFollowUp, AnalyticsError> {
    check_pipeline(filter, pipeline)?;
    let currency = set.currency();
    let selection = Selection::new(filter, set, ctx);
    let order = StageOrder::new(pipeline, set);
    let pipeline_number = set.names.pipelines.find(pipeline.id.as_str());
    let stage_count = pipeline.stages.len();
    let now = ctx.now;
    let mut reps: HashMap<u32, RepPipeline> = HashMap::new();
    let mut stage_totals = vec![Tally::zero(currency); stage_count];
    let mut total = Tally::zero(currency);
    let mut deals = Vec::new();
    for (deal, facts) in set.rows() {
        if Some(facts.pipeline) != pipeline_number || !selection.deal(set, facts) {
            continue;
        }
        let Some(current) = facts.current(set) else {
            continue;
        };
        if current.status != DealStatus::Open {
            continue;
        }
        if let Some(period) = filter.period
            && !deal
                .expected_close
                .is_some_and(|date| period.contains_date(date))
        {
            continue;
        }
        let Some((stage_index, stage)) = order
            .index(current.stage)
            .and_then(|index| Some((index, pipeline.stages.get(index)?)))
        else {
            continue;
        };
        let amount = set.amount(facts);
        let last_follow_up = deal.last_follow_up().map(|follow_up| follow_up.at);
        let follow_up_age_days = now.days_since(last_follow_up.unwrap_or(deal.created_at));
        let stale = follow_up_age_days > i64::from(stale_after_days);
        let rep = reps.entry(facts.owner).or_insert_with(|| RepPipeline {
            rep: deal.owner.clone(),
            stages: vec![Tally::zero(currency); stage_count],
            total: Tally::zero(currency),
            stale: 0,
            never_followed_up: 0,
            oldest_follow_up_days: None,
        });
        if let Some(cell) = rep.stages.get_mut(stage_index) {
            cell.add(amount)?;
        }
        rep.total.add(amount)?;
        rep.stale += u64::from(stale);
        rep.never_followed_up += u64::from(last_follow_up.is_none());
        rep.oldest_follow_up_days = rep.oldest_follow_up_days.max(Some(follow_up_age_days));
        if let Some(cell) = stage_totals.get_mut(stage_index) {
            cell.add(amount)?;
        }
        total.add(amount)?;
        deals.push(FollowUpDeal {
            deal: deal.id.clone(),
            title: deal.title.clone(),
            account: deal.account.name.clone(),
            owner: deal.owner.clone(),
            stage: stage.id.clone(),
            stage_label: stage.label.clone(),
            amount,
            expected_close: deal.expected_close,
            last_follow_up,
            follow_up_age_days,
            days_in_stage: now.days_since(Timestamp::from_millis(current.at)),
            next_step_due: deal.next_step.as_ref().map(|step| step.due),
            stale,
        });
    }
    deals.sort_by(|left, right| {
        right
            .follow_up_age_days
            .cmp(&left.follow_up_age_days)
            .then_with(|| right.amount.minor().cmp(&left.amount.minor()))
            .then_with(|| left.deal.cmp(&right.deal))
    });
    let mut reps: Vec<RepPipeline> = reps.into_values().collect();
    reps.sort_by(|left, right| {
        right
            .total
            .amount
            .minor()
            .cmp(&left.total.amount.minor())
            .then_with(|| left.rep.cmp(&right.rep))
    });
    Ok(PipelineFollowUp {
        title: LocalizedText::new("团队商机跟进", "Team pipeline follow-up"),
        columns: columns(),
        chart: ChartKind::StackedBar,
        pipeline: pipeline.id.clone(),
        period: filter.period,
        currency,
        stale_after_days,
        stages: pipeline
            .stages
            .iter()
            .map(|stage| StageHeader {
                stage: stage.id.clone(),
                label: stage.label.clone(),
            })
            .collect(),
        reps,
        stage_totals,
        total,
        deals,
    })
}

fn columns() -> Vec<Column> {
    vec![
        Column::new("title", "商机", "Deal", ColumnKind::Text),
        Column::new("account", "客户", "Customer", ColumnKind::Text),
        Column::new("owner", "销售", "Rep", ColumnKind::Id),
        Column::new("stage_label", "阶段", "Stage", ColumnKind::Text),
        Column::new("amount", "金额", "Amount", ColumnKind::Money),
        Column::new(
            "expected_close",
            "预计成交",
            "Expected close",
            ColumnKind::Date,
        ),
        Column::new(
            "last_follow_up",
            "最近跟进",
            "Last follow-up",
            ColumnKind::Timestamp,
        ),
        Column::new(
            "follow_up_age_days",
            "未跟进天数",
            "Days since follow-up",
            ColumnKind::WholeDays,
        ),
        Column::new(
            "days_in_stage",
            "阶段停留天数",
            "Days in stage",
            ColumnKind::WholeDays,
        ),
        Column::new(
            "next_step_due",
            "下一步到期",
            "Next step due",
            ColumnKind::Date,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::analytics::fixture::{self, DealBuilder, date_of, yuan};

    #[test]
    fn per_rep_per_stage_with_ages() {
        let teams = BTreeMap::new();
        let ctx = fixture::context(&teams); // now = day 100
        let pipeline = Pipeline::template_new_business();
        let set = fixture::set(vec![
            DealBuilder::new("a1")
                .owner("rep-a")
                .to("needs", 10)
                .follow_up(95)
                .amount(80_000)
                .build(),
            DealBuilder::new("a2")
                .owner("rep-a")
                .to("needs", 20)
                .follow_up(50)
                .follow_up(70)
                .amount(20_000)
                .build(),
            DealBuilder::new("a3")
                .owner("rep-a")
                .created(60)
                .amount(10_000)
                .build(),
            DealBuilder::new("b1")
                .owner("rep-b")
                .to("needs", 5)
                .to("demo", 30)
                .amount(150_000)
                .build(),
            DealBuilder::new("won").owner("rep-b").won(5).build(),
            DealBuilder::new("other")
                .owner("rep-b")
                .pipeline("renewals")
                .build(),
        ]);
        let report = pipeline_follow_up(&set, &pipeline, &Filter::all(), &ctx, 14).unwrap();
        /// Rep, deals per stage, amount, stale, never followed up, oldest age.
        type Row<'a> = (&'a str, Vec<u64>, i64, u64, u64, Option<i64>);
        let reps: Vec<Row<'_>> = report
            .reps
            .iter()
            .map(|rep| {
                (
                    rep.rep.as_str(),
                    rep.stages.iter().map(|cell| cell.count).collect(),
                    rep.total.amount.minor() / 100,
                    rep.stale,
                    rep.never_followed_up,
                    rep.oldest_follow_up_days,
                )
            })
            .collect();
        assert_eq!(
            reps,
            [
                ("rep-b", vec![0, 0, 1, 0], 150_000, 1, 1, Some(100)),
                ("rep-a", vec![1, 2, 0, 0], 110_000, 2, 1, Some(40)),
            ]
        );
        let ages: Vec<(&str, i64, bool)> = report
            .deals
            .iter()
            .map(|deal| (deal.deal.as_str(), deal.follow_up_age_days, deal.stale))
            .collect();
        assert_eq!(
            ages,
            [
                ("b1", 100, true),
                ("a3", 40, true),
                ("a2", 30, true),
                ("a1", 5, false)
            ]
        );
        assert_eq!(report.deals[0].days_in_stage, 70);
        assert_eq!(report.stage_totals[1].amount, yuan(100_000));
        assert_eq!(report.total.count, 4);

        // With a period, only deals expected to close in it.
        let set = fixture::set(vec![
            DealBuilder::new("in").expected_close(date_of(110)).build(),
            DealBuilder::new("out").expected_close(date_of(200)).build(),
            DealBuilder::new("undated").build(),
        ]);
        let april = Filter::all().in_period(DateRange::new(date_of(90), date_of(119)).unwrap());
        let report = pipeline_follow_up(&set, &pipeline, &april, &ctx, 14).unwrap();
        let deals: Vec<&str> = report.deals.iter().map(|deal| deal.deal.as_str()).collect();
        assert_eq!(deals, ["in"]);
    }
}
