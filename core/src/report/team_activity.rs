//! Team activity: new deals, signed deals and money collected per team in a period, rolled up the
//! team tree to the company.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::collection::{CollectionInput, contract_selected, received_in};
use crate::analytics::AnalyticsError;
use crate::analytics::deal_set::DealSet;
use crate::analytics::filter::{Filter, ReportContext, Selection};
use crate::analytics::label;
use crate::analytics::period::DateRange;
use crate::analytics::table::{ChartKind, Column, ColumnKind};
use crate::analytics::tally::{Tally, add_to};
use crate::analytics::timeline::won_at;
use crate::i18n::LocalizedText;
use crate::id::TeamId;
use crate::money::{Currency, Money};

/// Activity per team, with every team's figures including its sub-teams.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct TeamActivityReport {
    /// "团队业绩动态" / "Team activity".
    pub title: LocalizedText,
    /// Columns of each [`TeamActivityRow`].
    pub columns: Vec<Column>,
    /// Suggested chart.
    pub chart: ChartKind,
    /// The period (all time without one).
    pub period: Option<DateRange>,
    /// Currency of the amounts.
    pub currency: Currency,
    /// The whole company.
    pub company: TeamActivityRow,
    /// Teams in tree order (each parent before its sub-teams, siblings by id), then records
    /// without a team.
    pub teams: Vec<TeamActivityRow>,
}

/// One team's activity, including its sub-teams.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct TeamActivityRow {
    /// The team; `None` for the company row and for records without a team.
    pub team: Option<TeamId>,
    /// Display label (the team id; the UI shows the team's name).
    pub label: LocalizedText,
    /// The parent team.
    pub parent: Option<TeamId>,
    /// Depth in the tree (0 for top-level teams).
    pub depth: u32,
    /// Deals created in the period.
    pub new_deals: Tally,
    /// Deals won (signed) in the period.
    pub signed: Tally,
    /// Money received in the period on the team's contracts.
    pub collected: Money,
}

/// Team activity over the filter's period: deals created in it, deals won in it, and receipts
/// dated in it (up to today) on `collections`.
///
/// ```
/// use std::collections::BTreeMap;
/// use dealflow_core::analytics::{DealSet, Filter, ReportContext};
/// use dealflow_core::report::team_activity;
/// use dealflow_core::DealStatus::Won;
#[doc = include_str!("../analytics/doc_example.txt")]
/// let mut signed = deal("signed", 200_000, &[(9, "qualify", Won, "")]);
/// signed.team = Some(TeamId::new("east-1")?);
/// let mut fresh = deal("fresh", 50_000, &[]);
/// fresh.team = Some(TeamId::new("east-2")?);
/// let set = DealSet::new(vec![signed, fresh], ExchangeRates::new(Currency::CNY))?;
/// let mut teams = BTreeMap::new();
/// teams.insert(TeamId::new("east-1")?, TeamId::new("east")?);
/// teams.insert(TeamId::new("east-2")?, TeamId::new("east")?);
/// let ctx = ReportContext::new(&teams, time::macros::offset!(+8), Timestamp::from_millis(1_770_000_000_000));
/// let report = team_activity(&set, &[], &Filter::all(), &ctx)?;
/// let ids: Vec<&str> = report.teams.iter().filter_map(|row| row.team.as_ref()).map(|team| team.as_str()).collect();
/// assert_eq!(ids, ["east", "east-1", "east-2"]);
/// let east = &report.teams[0];
/// assert_eq!((east.new_deals.count, east.signed.count), (2, 1));
/// assert_eq!(east.signed.amount, Money::from_major(200_000, Currency::CNY)?);
/// # Ok::<(), dealflow_core::Error>(())
/// ```
pub fn team_activity(
    set: &DealSet,
    collections: &[CollectionInput],
    filter: &Filter,
    ctx: &ReportContext<'_>,
) -> Result<TeamActivityReport, AnalyticsError> {
    let currency = set.currency();
    let today = ctx.now.date_at(ctx.offset);
    let mut selection = Selection::new(filter, set, ctx);
    let mut direct: HashMap<Option<TeamId>, Activity> = HashMap::new();
    for (deal, facts) in set.rows() {
        let created = selection.in_period(facts.created);
        let won = won_at(set, facts).is_some_and(|at| selection.in_period(at));
        if !(created || won) || !selection.deal(set, facts) {
            continue;
        }
        let activity = direct
            .entry(deal.team.clone())
            .or_insert_with(|| Activity::new(currency));
        if created {
            activity.new_deals.add(set.amount(facts))?;
        }
        if won {
            activity.signed.add(set.amount(facts))?;
        }
    }
    for input in collections {
        if !contract_selected(input, set, &mut selection) {
            continue;
        }
        let received = received_in(input, set, filter.period, today)?;
        let activity = direct
            .entry(input.team.clone())
            .or_insert_with(|| Activity::new(currency));
        add_to(&mut activity.collected, received)?;
    }

    let mut company = Activity::new(currency);
    let mut tree: BTreeMap<Vec<TeamId>, Activity> = BTreeMap::new();
    let mut without_team: Option<Activity> = None;
    for (team, activity) in direct {
        company.merge(&activity)?;
        let Some(team) = team else {
            without_team = Some(activity);
            continue;
        };
        let chain = ctx.teams.team_and_ancestors(&team);
        // Every team on the way up gets the activity; rows are keyed by their root-first path so
        // that sorting the keys yields tree order.
        for depth in 0..chain.len() {
            let path: Vec<TeamId> = chain.iter().skip(depth).rev().cloned().collect();
            tree.entry(path)
                .or_insert_with(|| Activity::new(currency))
                .merge(&activity)?;
        }
    }
    let mut teams: Vec<TeamActivityRow> = tree
        .into_iter()
        .map(|(path, activity)| {
            let depth = u32::try_from(path.len().saturating_sub(1)).unwrap_or(u32::MAX);
            let parent = path
                .len()
                .checked_sub(2)
                .and_then(|index| path.get(index))
                .cloned();
            let team = path.last().cloned();
            let label = team
                .as_ref()
                .map_or_else(label::no_team, |team| label::verbatim(team.as_str()));
            activity.into_row(team, label, parent, depth)
        })
        .collect();
    if let Some(activity) = without_team {
        teams.push(activity.into_row(None, label::no_team(), None, 0));
    }
    Ok(TeamActivityReport {
        title: LocalizedText::new("团队业绩动态", "Team activity"),
        columns: columns(),
        chart: ChartKind::Bar,
        period: filter.period,
        currency,
        company: company.into_row(None, label::company(), None, 0),
        teams,
    })
}

#[derive(Clone, Debug)]
struct Activity {
    new_deals: Tally,
    signed: Tally,
    collected: Money,
}

impl Activity {
    fn new(currency: Currency) -> Self {
        Activity {
            new_deals: Tally::zero(currency),
            signed: Tally::zero(currency),
            collected: Money::zero(currency),
        }
    }

    fn merge(&mut self, other: &Activity) -> Result<(), AnalyticsError> {
        self.new_deals.merge(other.new_deals)?;
        self.signed.merge(other.signed)?;
        add_to(&mut self.collected, other.collected)?;
        Ok(())
    }

    fn into_row(
        self,
        team: Option<TeamId>,
        label: LocalizedText,
        parent: Option<TeamId>,
        depth: u32,
    ) -> TeamActivityRow {
        TeamActivityRow {
            team,
            label,
            parent,
            depth,
            new_deals: self.new_deals,
            signed: self.signed,
            collected: self.collected,
        }
    }
}

fn columns() -> Vec<Column> {
    vec![
        Column::new("label", "团队", "Team", ColumnKind::Id),
        Column::new(
            "new_deals.count",
            "新增商机数",
            "New deals",
            ColumnKind::Count,
        ),
        Column::new(
            "new_deals.amount",
            "新增商机金额",
            "New deal amount",
            ColumnKind::Money,
        ),
        Column::new("signed.count", "签单数", "Signed deals", ColumnKind::Count),
        Column::new(
            "signed.amount",
            "签单金额",
            "Signed amount",
            ColumnKind::Money,
        ),
        Column::new("collected", "回款金额", "Collected", ColumnKind::Money),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::analytics::fixture::{self, DealBuilder, date_of, yuan};
    use crate::report::collection::Receipt;

    #[test]
    fn rolls_up_the_team_tree() {
        let mut teams = BTreeMap::new();
        teams.insert(fixture::team("east-1"), fixture::team("east"));
        teams.insert(fixture::team("east-2"), fixture::team("east"));
        teams.insert(fixture::team("east"), fixture::team("sales"));
        teams.insert(fixture::team("west"), fixture::team("sales"));
        let ctx = fixture::context(&teams);
        let set = fixture::set(vec![
            DealBuilder::new("a")
                .team("east-1")
                .created(3)
                .amount(10_000)
                .build(),
            DealBuilder::new("b")
                .team("east-1")
                .created(3)
                .won(20)
                .amount(40_000)
                .build(),
            DealBuilder::new("c")
                .team("east-2")
                .created(-30)
                .won(10)
                .amount(25_000)
                .build(),
            DealBuilder::new("d")
                .team("west")
                .created(-30)
                .won(-5)
                .build(),
            DealBuilder::new("e").created(5).amount(1_000).build(),
        ]);
        let collections = [CollectionInput {
            contract: "k1".to_owned(),
            deal: None,
            customer: "甲".to_owned(),
            rep: fixture::user("rep-a"),
            team: Some(fixture::team("west")),
            plan: Vec::new(),
            receipts: vec![
                Receipt {
                    on: date_of(12),
                    amount: yuan(8_000),
                },
                Receipt {
                    on: date_of(-2),
                    amount: yuan(9_000),
                },
            ],
        }];
        let january = Filter::all().in_period(DateRange::new(date_of(0), date_of(30)).unwrap());
        let report = team_activity(&set, &collections, &january, &ctx).unwrap();
        /// Team, depth, new deals and yuan, signed deals and yuan, collected yuan.
        type Row<'a> = (Option<&'a str>, u32, u64, i64, u64, i64, i64);
        let rows: Vec<Row<'_>> = report
            .teams
            .iter()
            .map(|row| {
                (
                    row.team.as_ref().map(TeamId::as_str),
                    row.depth,
                    row.new_deals.count,
                    row.new_deals.amount.minor() / 100,
                    row.signed.count,
                    row.signed.amount.minor() / 100,
                    row.collected.minor() / 100,
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                (Some("sales"), 0, 2, 50_000, 2, 65_000, 8_000),
                (Some("east"), 1, 2, 50_000, 2, 65_000, 0),
                (Some("east-1"), 2, 2, 50_000, 1, 40_000, 0),
                (Some("east-2"), 2, 0, 0, 1, 25_000, 0),
                (Some("west"), 1, 0, 0, 0, 0, 8_000),
                (None, 0, 1, 1_000, 0, 0, 0),
            ]
        );
        assert_eq!(report.teams[1].parent, Some(fixture::team("sales")));
        let company = &report.company;
        assert_eq!((company.new_deals.count, company.signed.count), (3, 2));
        assert_eq!(company.collected, yuan(8_000));
    }
}
