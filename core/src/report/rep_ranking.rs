//! Rep performance ranking within each team and across the company.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::analytics::AnalyticsError;
use crate::analytics::deal_set::DealSet;
use crate::analytics::filter::{Filter, ReportContext, Selection};
use crate::analytics::period::DateRange;
use crate::analytics::rank::competition_ranks;
use crate::analytics::rate::Rate;
use crate::analytics::table::{ChartKind, Column, ColumnKind};
use crate::analytics::tally::Tally;
use crate::deal::DealStatus;
use crate::i18n::LocalizedText;
use crate::id::{TeamId, UserId};
use crate::money::{Currency, Money};

/// Reps ranked by what they signed.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct RepRanking {
    /// "销售业绩排名" / "Rep performance ranking".
    pub title: LocalizedText,
    /// Columns of each [`RepRow`].
    pub columns: Vec<Column>,
    /// Suggested chart.
    pub chart: ChartKind,
    /// The period (all time without one).
    pub period: Option<DateRange>,
    /// Currency of the amounts.
    pub currency: Currency,
    /// One row per rep, by company rank.
    pub reps: Vec<RepRow>,
}

/// One rep's performance.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct RepRow {
    /// The rep.
    pub rep: UserId,
    /// The rep's team: the team of their most recently created selected deal.
    pub team: Option<TeamId>,
    /// Rank across the company (1 = most signed; equal amount and count share a rank).
    pub company_rank: u32,
    /// Rank within the team.
    pub team_rank: u32,
    /// Deals won in the period.
    pub signed: Tally,
    /// Deals lost in the period.
    pub lost: Tally,
    /// Deals created in the period.
    pub new_deals: Tally,
    /// `won / (won + lost)` in the period.
    pub win_rate: Option<Rate>,
    /// Mean signed amount.
    pub average_signed: Option<Money>,
    /// Deals open now.
    pub open_pipeline: Tally,
}

/// Rep ranking over the filter's period: every rep owning a selected deal gets a row, ranked by
/// signed amount, then signed count.
///
/// ```
/// use std::collections::BTreeMap;
/// use dealflow_core::analytics::{DealSet, Filter, ReportContext};
/// use dealflow_core::report::rep_ranking;
/// use dealflow_core::DealStatus::{Lost, Won};
#[doc = include_str!("../analytics/doc_example.txt")]
/// let mut wang = deal("w1", 300_000, &[(9, "qualify", Won, "")]);
/// wang.owner = UserId::new("rep-wang")?;
/// let set = DealSet::new(vec![
///     wang,
///     deal("l1", 100_000, &[(9, "qualify", Won, "")]),
///     deal("l2", 100_000, &[(9, "qualify", Lost, "price")]),
/// ], ExchangeRates::new(Currency::CNY))?;
/// let teams = BTreeMap::<TeamId, TeamId>::new();
/// let ctx = ReportContext::new(&teams, time::macros::offset!(+8), Timestamp::from_millis(1_770_000_000_000));
/// let ranking = rep_ranking(&set, &Filter::all(), &ctx)?;
/// let li = &ranking.reps[1];
/// assert_eq!((li.rep.as_str(), li.company_rank), ("rep-li", 2));
/// assert_eq!(li.win_rate.map(|rate| rate.to_string()), Some("50%".into()));
/// # Ok::<(), dealflow_core::Error>(())
/// ```
pub fn rep_ranking(
    set: &DealSet,
    filter: &Filter,
    ctx: &ReportContext<'_>,
) -> Result<RepRanking, AnalyticsError> {
    let currency = set.currency();
    let selection = Selection::new(filter, set, ctx);
    let mut reps: HashMap<u32, (RepRow, i64)> = HashMap::new();
    for (deal, facts) in set.rows() {
        if !selection.deal(set, facts) {
            continue;
        }
        let Some(current) = facts.current(set) else {
            continue;
        };
        let (row, team_since) = reps.entry(facts.owner).or_insert_with(|| {
            (
                RepRow {
                    rep: deal.owner.clone(),
                    team: None,
                    company_rank: 0,
                    team_rank: 0,
                    signed: Tally::zero(currency),
                    lost: Tally::zero(currency),
                    new_deals: Tally::zero(currency),
                    win_rate: None,
                    average_signed: None,
                    open_pipeline: Tally::zero(currency),
                },
                i64::MIN,
            )
        });
        if facts.created >= *team_since {
            *team_since = facts.created;
            row.team.clone_from(&deal.team);
        }
        let amount = set.amount(facts);
        if selection.in_period(facts.created) {
            row.new_deals.add(amount)?;
        }
        match current.status {
            DealStatus::Open => row.open_pipeline.add(amount)?,
            DealStatus::Won if selection.in_period(current.at) => row.signed.add(amount)?,
            DealStatus::Lost if selection.in_period(current.at) => row.lost.add(amount)?,
            DealStatus::Won | DealStatus::Lost | DealStatus::Stopped => {}
        }
    }
    let mut reps: Vec<RepRow> = reps
        .into_values()
        .map(|(mut row, _)| {
            row.win_rate = Rate::of_counts(row.signed.count, row.signed.count + row.lost.count);
            row.average_signed = row.signed.average();
            row
        })
        .collect();
    let order = |left: &RepRow, right: &RepRow| {
        right
            .signed
            .amount
            .minor()
            .cmp(&left.signed.amount.minor())
            .then_with(|| right.signed.count.cmp(&left.signed.count))
            .then_with(|| left.rep.cmp(&right.rep))
    };
    let key = |row: &RepRow| (row.signed.amount.minor(), row.signed.count);
    reps.sort_by(|left, right| {
        (&left.team, left.team.is_none())
            .cmp(&(&right.team, right.team.is_none()))
            .then_with(|| order(left, right))
    });
    let mut start = 0;
    while start < reps.len() {
        let team = reps.get(start).and_then(|row| row.team.clone());
        let end = reps
            .iter()
            .skip(start)
            .position(|row| row.team != team)
            .map_or(reps.len(), |offset| start + offset);
        if let Some(group) = reps.get_mut(start..end) {
            let ranks = competition_ranks(group, key);
            for (row, rank) in group.iter_mut().zip(ranks) {
                row.team_rank = rank;
            }
        }
        start = end;
    }
    reps.sort_by(order);
    let ranks = competition_ranks(&reps, key);
    for (row, rank) in reps.iter_mut().zip(ranks) {
        row.company_rank = rank;
    }
    Ok(RepRanking {
        title: LocalizedText::new("销售业绩排名", "Rep performance ranking"),
        columns: columns(),
        chart: ChartKind::Bar,
        period: filter.period,
        currency,
        reps,
    })
}

fn columns() -> Vec<Column> {
    vec![
        Column::new("company_rank", "公司排名", "Company rank", ColumnKind::Rank),
        Column::new("team_rank", "团队排名", "Team rank", ColumnKind::Rank),
        Column::new("rep", "销售", "Rep", ColumnKind::Id),
        Column::new("team", "团队", "Team", ColumnKind::Id),
        Column::new(
            "signed.amount",
            "签单金额",
            "Signed amount",
            ColumnKind::Money,
        ),
        Column::new("signed.count", "签单数", "Signed deals", ColumnKind::Count),
        Column::new("win_rate", "赢单率", "Win rate", ColumnKind::Rate),
        Column::new(
            "average_signed",
            "平均签单额",
            "Average deal",
            ColumnKind::Money,
        ),
        Column::new(
            "new_deals.count",
            "新增商机",
            "New deals",
            ColumnKind::Count,
        ),
        Column::new(
            "open_pipeline.amount",
            "在手商机金额",
            "Open pipeline",
            ColumnKind::Money,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::analytics::fixture::{self, DealBuilder, date_of, yuan};

    #[test]
    fn ranks_within_team_and_company() {
        let teams = BTreeMap::new();
        let ctx = fixture::context(&teams);
        let set = fixture::set(vec![
            DealBuilder::new("a1")
                .owner("rep-a")
                .team("east")
                .amount(300_000)
                .won(10)
                .build(),
            DealBuilder::new("a2")
                .owner("rep-a")
                .team("east")
                .lost(12, "price")
                .build(),
            DealBuilder::new("b1")
                .owner("rep-b")
                .team("east")
                .amount(200_000)
                .won(11)
                .build(),
            DealBuilder::new("c1")
                .owner("rep-c")
                .team("west")
                .amount(200_000)
                .won(15)
                .build(),
            // rep-d moved from west to east: the newest deal decides.
            DealBuilder::new("d1")
                .owner("rep-d")
                .team("west")
                .created(-20)
                .amount(200_000)
                .won(16)
                .build(),
            DealBuilder::new("d2")
                .owner("rep-d")
                .team("east")
                .created(3)
                .amount(50_000)
                .build(),
            // Won before the period: counts for nothing but the rep's row.
            DealBuilder::new("e1")
                .owner("rep-e")
                .team("west")
                .created(-40)
                .won(-3)
                .build(),
        ]);
        let january = Filter::all().in_period(DateRange::new(date_of(0), date_of(30)).unwrap());
        let ranking = rep_ranking(&set, &january, &ctx).unwrap();
        /// Rep, team, company rank, team rank, signed yuan, new deals.
        type Row<'a> = (&'a str, Option<&'a str>, u32, u32, i64, u64);
        let table: Vec<Row<'_>> = ranking
            .reps
            .iter()
            .map(|row| {
                (
                    row.rep.as_str(),
                    row.team.as_ref().map(TeamId::as_str),
                    row.company_rank,
                    row.team_rank,
                    row.signed.amount.minor() / 100,
                    row.new_deals.count,
                )
            })
            .collect();
        assert_eq!(
            table,
            [
                ("rep-a", Some("east"), 1, 1, 300_000, 2),
                ("rep-b", Some("east"), 2, 2, 200_000, 1),
                ("rep-c", Some("west"), 2, 1, 200_000, 1),
                ("rep-d", Some("east"), 2, 2, 200_000, 1),
                ("rep-e", Some("west"), 5, 2, 0, 0),
            ]
        );
        let rep_a = &ranking.reps[0];
        assert_eq!(rep_a.win_rate, Some(Rate::from_basis_points(5_000)));
        assert_eq!(rep_a.average_signed, Some(yuan(300_000)));
        assert_eq!(ranking.reps[3].open_pipeline.amount, yuan(50_000));
    }
}
