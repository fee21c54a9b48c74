//! Collections (收款): per contract the payment plan against what was received, overdue amounts,
//! and rankings by rep and by customer.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::analytics::AnalyticsError;
use crate::analytics::deal_set::DealSet;
use crate::analytics::filter::{Filter, ReportContext, Selection};
use crate::analytics::label;
use crate::analytics::period::DateRange;
use crate::analytics::rank::competition_ranks;
use crate::analytics::rate::Rate;
use crate::analytics::table::{ChartKind, Column, ColumnKind};
use crate::analytics::tally::add_to;
use crate::i18n::LocalizedText;
use crate::id::{DealId, TeamId, UserId};
use crate::money::{Currency, Money};

/// What the collections report needs to know about a contract: a view the caller builds from
/// the contract and payment records (they live in their own module; this keeps reports
/// independent of their full shape).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct CollectionInput {
    /// The contract's id (the payment module's contract id, as a string).
    pub contract: String,
    /// The deal the contract came from; the filter's pipeline, source and product are matched
    /// through it.
    pub deal: Option<DealId>,
    /// The customer (account name), for the customer ranking.
    pub customer: String,
    /// The rep responsible for collecting.
    pub rep: UserId,
    /// The rep's team.
    pub team: Option<TeamId>,
    /// The payment plan.
    pub plan: Vec<Instalment>,
    /// Payments received.
    pub receipts: Vec<Receipt>,
}

/// One planned payment.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Instalment {
    /// Due date.
    pub due: Date,
    /// Amount due.
    pub amount: Money,
}

/// One payment received.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Receipt {
    /// Date received.
    pub on: Date,
    /// Amount received.
    pub amount: Money,
}

/// Collections per contract with rankings.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct CollectionReport {
    /// "收款" / "Collections".
    pub title: LocalizedText,
    /// Columns of each [`ContractCollection`].
    pub columns: Vec<Column>,
    /// Columns of the rankings.
    pub ranking_columns: Vec<Column>,
    /// Suggested chart.
    pub chart: ChartKind,
    /// The period of the "in period" columns (all time without one).
    pub period: Option<DateRange>,
    /// Today in the organisation's time zone: what is due, received and overdue is as of this
    /// date.
    pub as_of: Date,
    /// Currency of the amounts.
    pub currency: Currency,
    /// All contracts together.
    pub total: CollectionTotals,
    /// One row per contract, the most overdue first.
    pub contracts: Vec<ContractCollection>,
    /// Per rep.
    pub by_rep: Vec<CollectionRanking>,
    /// Per customer.
    pub by_customer: Vec<CollectionRanking>,
}

/// Sums over contracts.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct CollectionTotals {
    /// Contracts.
    pub contracts: u64,
    /// Planned over the whole plan.
    pub planned: Money,
    /// Received up to today.
    pub received: Money,
    /// Planned minus received.
    pub outstanding: Money,
    /// Due before today and not received.
    pub overdue: Money,
    /// Due in the period.
    pub planned_in_period: Money,
    /// Received in the period.
    pub received_in_period: Money,
}

/// One contract.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ContractCollection {
    /// The contract.
    pub contract: String,
    /// Its deal.
    pub deal: Option<DealId>,
    /// The customer.
    pub customer: String,
    /// The rep.
    pub rep: UserId,
    /// The rep's team.
    pub team: Option<TeamId>,
    /// The whole plan.
    pub planned: Money,
    /// Instalments due up to and including today.
    pub due_to_date: Money,
    /// Received up to today.
    pub received: Money,
    /// `planned − received` (negative when overpaid).
    pub outstanding: Money,
    /// The unpaid part of instalments due before today, receipts paying the oldest instalments
    /// first.
    pub overdue: Money,
    /// Instalments due before today not fully paid.
    pub overdue_instalments: u32,
    /// Days since the oldest unpaid instalment fell due.
    pub oldest_overdue_days: Option<i64>,
    /// Instalments due in the period.
    pub planned_in_period: Money,
    /// Receipts in the period.
    pub received_in_period: Money,
    /// `received / due_to_date`.
    pub collection_rate: Option<Rate>,
}

/// Collections of one rep or customer, ranked.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct CollectionRanking {
    /// Rank by amount received in the period (1 = most).
    pub rank_by_received: u32,
    /// Rank by overdue amount (1 = most overdue).
    pub rank_by_overdue: u32,
    /// Rep id or customer name.
    pub key: String,
    /// Display label.
    pub label: LocalizedText,
    /// Contracts.
    pub contracts: u64,
    /// Received in the period.
    pub received_in_period: Money,
    /// Overdue.
    pub overdue: Money,
    /// Outstanding.
    pub outstanding: Money,
}

/// The collections report over `inputs` as of today (`ctx.now` in the organisation's zone).
///
/// The filter's team and rep match the contract's; its pipeline, source and product match the
/// contract's deal in `set` (a contract whose deal is unknown then does not match). The period
/// selects the instalments and receipts of the "in period" columns. Receipts dated after today
/// are not counted as received.
///
/// ```
/// use std::collections::BTreeMap;
/// use dealflow_core::analytics::{DealSet, Filter, ReportContext};
/// use dealflow_core::report::{collections, CollectionInput, Instalment, Receipt};
/// use dealflow_core::{Currency, ExchangeRates, Money, TeamId, Timestamp, UserId};
/// use time::macros::{date, offset};
///
/// let yuan = |major| Money::from_major(major, Currency::CNY).unwrap();
/// let contract = CollectionInput {
///     contract: "HT-001".into(), deal: None, customer: "华东电网".into(),
///     rep: UserId::new("rep-li")?, team: None,
///     plan: vec![
///         Instalment { due: date!(2026-01-10), amount: yuan(30_000) },
///         Instalment { due: date!(2026-02-10), amount: yuan(40_000) },
///         Instalment { due: date!(2026-05-10), amount: yuan(30_000) },
///     ],
///     receipts: vec![Receipt { on: date!(2026-01-12), amount: yuan(50_000) }],
/// };
/// let set = DealSet::new(Vec::new(), ExchangeRates::new(Currency::CNY))?;
/// let teams = BTreeMap::<TeamId, TeamId>::new();
/// let today = Timestamp::start_of_day(date!(2026-03-01), offset!(+8));
/// let ctx = ReportContext::new(&teams, offset!(+8), today);
/// let report = collections(&[contract], &set, &Filter::all(), &ctx)?;
/// let row = &report.contracts[0];
/// assert_eq!(row.due_to_date, yuan(70_000));
/// assert_eq!(row.overdue, yuan(20_000)); // ¥50,000 paid the first instalment and half the second
/// assert_eq!(row.oldest_overdue_days, Some(19)); // the second fell due on 10 February
/// assert_eq!(row.outstanding, yuan(50_000));
/// # Ok::<(), dealflow_core::Error>(())
/// ```
pub fn collections(
    inputs: &[CollectionInput],
    set: &DealSet,
    filter: &Filter,
    ctx: &ReportContext<'_>,
) -> Result<CollectionReport, AnalyticsError> {
    let currency = set.currency();
    let today = ctx.now.date_at(ctx.offset);
    let mut selection = Selection::new(filter, set, ctx);
    let zero = Money::zero(currency);
    let mut total = CollectionTotals {
        contracts: 0,
        planned: zero,
        received: zero,
        outstanding: zero,
        overdue: zero,
        planned_in_period: zero,
        received_in_period: zero,
    };
    let mut contracts = Vec::new();
    for input in inputs {
        if !contract_selected(input, set, &mut selection) {
            continue;
        }
        let row = contract_row(input, set, filter.period, today)?;
        total.contracts += 1;
        add_to(&mut total.planned, row.planned)?;
        add_to(&mut total.received, row.received)?;
        add_to(&mut total.outstanding, row.outstanding)?;
        add_to(&mut total.overdue, row.overdue)?;
        add_to(&mut total.planned_in_period, row.planned_in_period)?;
        add_to(&mut total.received_in_period, row.received_in_period)?;
        contracts.push(row);
    }
    contracts.sort_by(|left, right| {
        right
            .overdue
            .minor()
            .cmp(&left.overdue.minor())
            .then_with(|| right.outstanding.minor().cmp(&left.outstanding.minor()))
            .then_with(|| left.contract.cmp(&right.contract))
    });
    let by_rep = rank(&contracts, currency, |row| row.rep.to_string())?;
    let by_customer = rank(&contracts, currency, |row| row.customer.clone())?;
    Ok(CollectionReport {
        title: LocalizedText::new("收款", "Collections"),
        columns: columns(),
        ranking_columns: ranking_columns(),
        chart: ChartKind::StackedBar,
        period: filter.period,
        as_of: today,
        currency,
        total,
        contracts,
        by_rep,
        by_customer,
    })
}

/// Whether a contract passes the filter (its team and rep, and its deal's other fields).
pub(crate) fn contract_selected(
    input: &CollectionInput,
    set: &DealSet,
    selection: &mut Selection<'_>,
) -> bool {
    if !selection.team(input.team.as_ref()) || !selection.rep(Some(&input.rep)) {
        return false;
    }
    match input.deal.as_ref().and_then(|deal| set.row(deal)) {
        Some((_, facts)) => selection.deal_fields(set, facts),
        None => selection.deal_fields_open(),
    }
}

/// Receipts of `input` dated in `period` (all without one) and not after `today`, converted.
pub(crate) fn received_in(
    input: &CollectionInput,
    set: &DealSet,
    period: Option<DateRange>,
    today: Date,
) -> Result<Money, AnalyticsError> {
    let mut total = Money::zero(set.currency());
    for receipt in &input.receipts {
        if receipt.on <= today && period.is_none_or(|period| period.contains_date(receipt.on)) {
            add_to(&mut total, set.convert(receipt.amount)?)?;
        }
    }
    Ok(total)
}

fn contract_row(
    input: &CollectionInput,
    set: &DealSet,
    period: Option<DateRange>,
    today: Date,
) -> Result<ContractCollection, AnalyticsError> {
    let zero = Money::zero(set.currency());
    let mut plan: Vec<(Date, Money)> = Vec::with_capacity(input.plan.len());
    for instalment in &input.plan {
        plan.push((instalment.due, set.convert(instalment.amount)?));
    }
    plan.sort_by_key(|(due, _)| *due);
    let received = received_in(input, set, None, today)?;
    let received_in_period = received_in(input, set, period, today)?;
    let (mut planned, mut due_to_date, mut planned_in_period, mut overdue) =
        (zero, zero, zero, zero);
    let mut overdue_instalments = 0_u32;
    let mut oldest_overdue: Option<Date> = None;
    // Receipts pay the oldest instalments first.
    let mut unallocated = received.minor();
    for (due, amount) in &plan {
        add_to(&mut planned, *amount)?;
        if *due <= today {
            add_to(&mut due_to_date, *amount)?;
        }
        if period.is_none_or(|period| period.contains_date(*due)) {
            add_to(&mut planned_in_period, *amount)?;
        }
        let paid = unallocated.clamp(0, amount.minor().max(0));
        unallocated -= paid;
        let unpaid = amount.minor() - paid;
        if *due < today && unpaid > 0 {
            add_to(&mut overdue, Money::new(unpaid, set.currency()))?;
            overdue_instalments += 1;
            oldest_overdue.get_or_insert(*due);
        }
    }
    Ok(ContractCollection {
        contract: input.contract.clone(),
        deal: input.deal.clone(),
        customer: input.customer.clone(),
        rep: input.rep.clone(),
        team: input.team.clone(),
        planned,
        due_to_date,
        received,
        outstanding: planned.checked_sub(received)?,
        overdue,
        overdue_instalments,
        oldest_overdue_days: oldest_overdue
            .map(|due| i64::from(today.to_julian_day() - due.to_julian_day())),
        planned_in_period,
        received_in_period,
        collection_rate: Rate::ratio(received.minor(), due_to_date.minor()),
    })
}

fn rank(
    contracts: &[ContractCollection],
    currency: Currency,
    key: impl Fn(&ContractCollection) -> String,
) -> Result<Vec<CollectionRanking>, AnalyticsError> {
    let zero = Money::zero(currency);
    let mut groups: HashMap<String, CollectionRanking> = HashMap::new();
    for row in contracts {
        let key = key(row);
        let group = groups
            .entry(key.clone())
            .or_insert_with(|| CollectionRanking {
                rank_by_received: 0,
                rank_by_overdue: 0,
                label: label::verbatim(&key),
                key,
                contracts: 0,
                received_in_period: zero,
                overdue: zero,
                outstanding: zero,
            });
        group.contracts += 1;
        add_to(&mut group.received_in_period, row.received_in_period)?;
        add_to(&mut group.overdue, row.overdue)?;
        add_to(&mut group.outstanding, row.outstanding)?;
    }
    let mut rows: Vec<CollectionRanking> = groups.into_values().collect();
    rows.sort_by(|left, right| {
        right
            .overdue
            .minor()
            .cmp(&left.overdue.minor())
            .then_with(|| left.key.cmp(&right.key))
    });
    let ranks = competition_ranks(&rows, |row| row.overdue.minor());
    for (row, rank) in rows.iter_mut().zip(ranks) {
        row.rank_by_overdue = rank;
    }
    rows.sort_by(|left, right| {
        right
            .received_in_period
            .minor()
            .cmp(&left.received_in_period.minor())
            .then_with(|| left.key.cmp(&right.key))
    });
    let ranks = competition_ranks(&rows, |row| row.received_in_period.minor());
    for (row, rank) in rows.iter_mut().zip(ranks) {
        row.rank_by_received = rank;
    }
    Ok(rows)
}

fn columns() -> Vec<Column> {
    vec![
        Column::new("contract", "合同", "Contract", ColumnKind::Id),
        Column::new("customer", "客户", "Customer", ColumnKind::Text),
        Column::new("rep", "负责人", "Rep", ColumnKind::Id),
        Column::new("planned", "计划收款", "Planned", ColumnKind::Money),
        Column::new("due_to_date", "应收至今", "Due to date", ColumnKind::Money),
        Column::new("received", "已收款", "Received", ColumnKind::Money),
        Column::new("outstanding", "未收款", "Outstanding", ColumnKind::Money),
        Column::new("overdue", "逾期金额", "Overdue", ColumnKind::Money),
        Column::new(
            "oldest_overdue_days",
            "最长逾期天数",
            "Days overdue",
            ColumnKind::WholeDays,
        ),
        Column::new(
            "received_in_period",
            "本期收款",
            "Received in period",
            ColumnKind::Money,
        ),
        Column::new(
            "collection_rate",
            "回款率",
            "Collection rate",
            ColumnKind::Rate,
        ),
    ]
}

fn ranking_columns() -> Vec<Column> {
    vec![
        Column::new(
            "rank_by_received",
            "收款排名",
            "Rank by received",
            ColumnKind::Rank,
        ),
        Column::new("label", "名称", "Name", ColumnKind::Text),
        Column::new("contracts", "合同数", "Contracts", ColumnKind::Count),
        Column::new(
            "received_in_period",
            "本期收款",
            "Received in period",
            ColumnKind::Money,
        ),
        Column::new("overdue", "逾期金额", "Overdue", ColumnKind::Money),
        Column::new(
            "rank_by_overdue",
            "逾期排名",
            "Rank by overdue",
            ColumnKind::Rank,
        ),
        Column::new("outstanding", "未收款", "Outstanding", ColumnKind::Money),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::analytics::fixture::{self, DealBuilder, date_of, yuan};

    fn contract(
        id: &str,
        rep: &str,
        customer: &str,
        plan: &[(i64, i64)],
        paid: &[(i64, i64)],
    ) -> CollectionInput {
        CollectionInput {
            contract: id.to_owned(),
            deal: None,
            customer: customer.to_owned(),
            rep: fixture::user(rep),
            team: Some(fixture::team("east")),
            plan: plan
                .iter()
                .map(|(day, major)| Instalment {
                    due: date_of(*day),
                    amount: yuan(*major),
                })
                .collect(),
            receipts: paid
                .iter()
                .map(|(day, major)| Receipt {
                    on: date_of(*day),
                    amount: yuan(*major),
                })
                .collect(),
        }
    }

    #[test]
    fn plan_against_receipts() {
        let teams = BTreeMap::new();
        let ctx = fixture::context(&teams); // today is day 100
        let mut linked = contract("c3", "rep-b", "乙公司", &[(50, 10_000)], &[(60, 10_000)]);
        linked.deal = Some(DealId::new("d1").unwrap());
        let inputs = [
            // Due 10k on day 10, 20k on day 40, 30k on day 130; paid 5k on day 20 and 12k on day
            // 95, and 1k on day 120 (after today: not counted).
            contract(
                "c1",
                "rep-a",
                "甲公司",
                &[(40, 20_000), (10, 10_000), (130, 30_000)],
                &[(20, 5_000), (95, 12_000), (120, 1_000)],
            ),
            // Overpaid.
            contract("c2", "rep-a", "乙公司", &[(30, 1_000)], &[(31, 1_500)]),
            linked,
        ];
        let set = fixture::set(vec![DealBuilder::new("d1").source("web").build()]);
        let april = Filter::all().in_period(DateRange::new(date_of(90), date_of(119)).unwrap());
        let report = collections(&inputs, &set, &april, &ctx).unwrap();
        let c1 = report
            .contracts
            .iter()
            .find(|row| row.contract == "c1")
            .unwrap();
        assert_eq!(c1.planned, yuan(60_000));
        assert_eq!(c1.due_to_date, yuan(30_000));
        assert_eq!(c1.received, yuan(17_000));
        // 17k pays the 10k instalment and 7k of the 20k one: 13k overdue since day 40.
        assert_eq!(
            (c1.overdue, c1.overdue_instalments, c1.oldest_overdue_days),
            (yuan(13_000), 1, Some(60))
        );
        assert_eq!(c1.outstanding, yuan(43_000));
        assert_eq!(c1.received_in_period, yuan(12_000));
        assert_eq!(c1.planned_in_period, yuan(0));
        assert_eq!(c1.collection_rate, Some(Rate::from_basis_points(5_667)));
        let c2 = report
            .contracts
            .iter()
            .find(|row| row.contract == "c2")
            .unwrap();
        assert_eq!((c2.overdue, c2.outstanding), (yuan(0), yuan(-500)));
        assert_eq!(report.contracts[0].contract, "c1");
        assert_eq!(report.total.overdue, yuan(13_000));
        assert_eq!(report.total.received, yuan(28_500));

        let reps: Vec<(&str, u32, u32)> = report
            .by_rep
            .iter()
            .map(|row| (row.key.as_str(), row.rank_by_received, row.rank_by_overdue))
            .collect();
        assert_eq!(reps, [("rep-a", 1, 1), ("rep-b", 2, 2)]);
        let customers: Vec<(&str, u64)> = report
            .by_customer
            .iter()
            .map(|row| (row.key.as_str(), row.contracts))
            .collect();
        assert_eq!(customers, [("甲公司", 1), ("乙公司", 2)]);

        // A source filter keeps only contracts whose deal comes from that source.
        let web = Filter::all().from_source("web");
        let report = collections(&inputs, &set, &web, &ctx).unwrap();
        let contracts: Vec<&str> = report
            .contracts
            .iter()
            .map(|row| row.contract.as_str())
            .collect();
        assert_eq!(contracts, ["c3"]);
    }
}
