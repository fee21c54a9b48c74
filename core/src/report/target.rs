//! Target completion per company, team and rep: target, signed amount, open pipeline and the
//! completion rate.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::analytics::AnalyticsError;
use crate::analytics::deal_set::{DealFacts, DealSet};
use crate::analytics::filter::{Filter, ReportContext, Selection};
use crate::analytics::label;
use crate::analytics::period::DateRange;
use crate::analytics::rate::Rate;
use crate::analytics::table::{ChartKind, Column, ColumnKind};
use crate::analytics::tally::Tally;
use crate::analytics::timeline::won_at;
use crate::deal::{Deal, DealStatus};
use crate::i18n::LocalizedText;
use crate::id::{TeamId, UserId};
use crate::money::{Currency, Money};

/// Whose target it is.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TargetScope {
    /// The whole company (every deal the filter selects).
    Company,
    /// A team and its sub-teams.
    Team {
        /// The team.
        team: TeamId,
    },
    /// One rep's deals.
    Rep {
        /// The rep.
        rep: UserId,
    },
}

impl TargetScope {
    fn describe(&self) -> String {
        match self {
            TargetScope::Company => "the company".to_owned(),
            TargetScope::Team { team } => format!("team {team}"),
            TargetScope::Rep { rep } => format!("rep {rep}"),
        }
    }

    fn label(&self) -> LocalizedText {
        match self {
            TargetScope::Company => label::company(),
            TargetScope::Team { team } => label::verbatim(team.as_str()),
            TargetScope::Rep { rep } => label::verbatim(rep.as_str()),
        }
    }
}

/// A sales target for the report's period (e.g. this quarter's quota).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SalesTarget {
    /// Whose target.
    pub scope: TargetScope,
    /// The amount to sign (converted into the reporting currency).
    pub amount: Money,
}

/// Target completion, one row per target.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct TargetCompletionReport {
    /// "目标完成情况" / "Target completion".
    pub title: LocalizedText,
    /// Columns of each [`TargetRow`].
    pub columns: Vec<Column>,
    /// Suggested chart.
    pub chart: ChartKind,
    /// The period the targets are for.
    pub period: Option<DateRange>,
    /// Currency of the amounts.
    pub currency: Currency,
    /// One row per target, in the order given.
    pub rows: Vec<TargetRow>,
}

/// Progress towards one target.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct TargetRow {
    /// Whose target.
    pub scope: TargetScope,
    /// Display label (team and rep ids; the UI shows names).
    pub label: LocalizedText,
    /// The target.
    pub target: Money,
    /// Deals won in the period.
    pub signed: Tally,
    /// Deals open now and expected to close within the period (any open deal without a
    /// period); deals without an expected close date are left out when there is a period.
    pub open_pipeline: Tally,
    /// `signed / target`.
    pub completion: Option<Rate>,
    /// What is left to sign: `target − signed`, at least zero.
    pub gap: Money,
    /// `open_pipeline / gap`: how many times the open pipeline covers the gap.
    pub coverage: Option<Rate>,
}

/// Target completion over the filter's period.
///
/// Errors when two targets have the same scope.
///
/// ```
/// use std::collections::BTreeMap;
/// use dealflow_core::analytics::{DealSet, Filter, ReportContext};
/// use dealflow_core::report::{target_completion, SalesTarget, TargetScope};
/// use dealflow_core::DealStatus::Won;
#[doc = include_str!("../analytics/doc_example.txt")]
/// let set = DealSet::new(vec![
///     deal("signed", 300_000, &[(9, "qualify", Won, "")]),
///     deal("open", 500_000, &[]),
/// ], ExchangeRates::new(Currency::CNY))?;
/// let targets = [
///     SalesTarget { scope: TargetScope::Company, amount: Money::from_major(1_000_000, Currency::CNY)? },
///     SalesTarget { scope: TargetScope::Rep { rep: UserId::new("rep-li")? }, amount: Money::from_major(200_000, Currency::CNY)? },
/// ];
/// let teams = BTreeMap::<TeamId, TeamId>::new();
/// let ctx = ReportContext::new(&teams, time::macros::offset!(+8), Timestamp::from_millis(1_770_000_000_000));
/// let report = target_completion(&set, &targets, &Filter::all(), &ctx)?;
/// let company = &report.rows[0];
/// assert_eq!(company.completion.map(|rate| rate.to_string()), Some("30%".into()));
/// assert_eq!(company.gap, Money::from_major(700_000, Currency::CNY)?);
/// assert_eq!(company.coverage.map(|rate| rate.to_string()), Some("71.43%".into()));
/// assert_eq!(report.rows[1].completion.map(|rate| rate.to_string()), Some("150%".into()));
/// # Ok::<(), dealflow_core::Error>(())
/// ```
pub fn target_completion(
    set: &DealSet,
    targets: &[SalesTarget],
    filter: &Filter,
    ctx: &ReportContext<'_>,
) -> Result<TargetCompletionReport, AnalyticsError> {
    let currency = set.currency();
    let mut seen = HashSet::new();
    for target in targets {
        if !seen.insert(&target.scope) {
            return Err(AnalyticsError::DuplicateTarget {
                scope: target.scope.describe(),
            });
        }
    }
    let selection = Selection::new(filter, set, ctx);
    // Per target: whether a deal's team falls under the target's team.
    let mut rows: Vec<(TargetRow, ScopeMatch)> = Vec::with_capacity(targets.len());
    for target in targets {
        let matcher = ScopeMatch::new(&target.scope, set, ctx);
        rows.push((
            TargetRow {
                scope: target.scope.clone(),
                label: target.scope.label(),
                target: set.convert(target.amount)?,
                signed: Tally::zero(currency),
                open_pipeline: Tally::zero(currency),
                completion: None,
                gap: Money::zero(currency),
                coverage: None,
            },
            matcher,
        ));
    }
    for (deal, facts) in set.rows() {
        let signed = won_at(set, facts).is_some_and(|at| selection.in_period(at));
        let open = in_open_pipeline(deal, facts, set, filter.period);
        if !(signed || open) || !selection.deal(set, facts) {
            continue;
        }
        for (row, matcher) in &mut rows {
            if !matcher.matches(facts) {
                continue;
            }
            if signed {
                row.signed.add(set.amount(facts))?;
            }
            if open {
                row.open_pipeline.add(set.amount(facts))?;
            }
        }
    }
    let rows = rows
        .into_iter()
        .map(|(mut row, _)| {
            row.completion = Rate::ratio(row.signed.amount.minor(), row.target.minor());
            let gap = row
                .target
                .minor()
                .saturating_sub(row.signed.amount.minor())
                .max(0);
            row.gap = Money::new(gap, currency);
            row.coverage = Rate::ratio(row.open_pipeline.amount.minor(), gap);
            row
        })
        .collect();
    Ok(TargetCompletionReport {
        title: LocalizedText::new("目标完成情况", "Target completion"),
        columns: columns(),
        chart: ChartKind::Gauge,
        period: filter.period,
        currency,
        rows,
    })
}

/// Whether a deal is open now and expected to close within `period` (any open deal without a
/// period).
pub(crate) fn in_open_pipeline(
    deal: &Deal,
    facts: &DealFacts,
    set: &DealSet,
    period: Option<DateRange>,
) -> bool {
    facts
        .current(set)
        .is_some_and(|entry| entry.status == DealStatus::Open)
        && period.is_none_or(|period| {
            deal.expected_close
                .is_some_and(|date| period.contains_date(date))
        })
}

/// Which deals a target scope covers, resolved against the set.
enum ScopeMatch {
    All,
    Teams(Vec<bool>),
    Owner(Option<u32>),
}

impl ScopeMatch {
    fn new(scope: &TargetScope, set: &DealSet, ctx: &ReportContext<'_>) -> Self {
        match scope {
            TargetScope::Company => ScopeMatch::All,
            TargetScope::Rep { rep } => ScopeMatch::Owner(set.names.owners.find(rep.as_str())),
            TargetScope::Team { team } => {
                let names = &set.names.teams;
                ScopeMatch::Teams(
                    (0..names.len())
                        .map(|number| {
                            u32::try_from(number)
                                .ok()
                                .and_then(|number| names.name(number))
                                .and_then(|name| TeamId::new(name).ok())
                                .is_some_and(|member| {
                                    ctx.teams.team_and_ancestors(&member).contains(team)
                                })
                        })
                        .collect(),
                )
            }
        }
    }

    fn matches(&self, facts: &DealFacts) -> bool {
        match self {
            ScopeMatch::All => true,
            ScopeMatch::Owner(owner) => *owner == Some(facts.owner),
            ScopeMatch::Teams(teams) => usize::try_from(facts.team)
                .ok()
                .and_then(|team| teams.get(team))
                .is_some_and(|matches| *matches),
        }
    }
}

fn columns() -> Vec<Column> {
    vec![
        Column::new("label", "对象", "For", ColumnKind::Id),
        Column::new("target", "目标", "Target", ColumnKind::Money),
        Column::new("signed.amount", "已签金额", "Signed", ColumnKind::Money),
        Column::new("completion", "完成率", "Completion", ColumnKind::Rate),
        Column::new("gap", "差额", "Gap", ColumnKind::Money),
        Column::new(
            "open_pipeline.amount",
            "在手商机",
            "Open pipeline",
            ColumnKind::Money,
        ),
        Column::new("coverage", "覆盖倍数", "Coverage", ColumnKind::Rate),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::analytics::fixture::{self, DealBuilder, date_of, yuan};

    #[test]
    fn company_team_and_rep_rows() {
        let mut teams = BTreeMap::new();
        teams.insert(fixture::team("east-1"), fixture::team("east"));
        let ctx = fixture::context(&teams);
        let set = fixture::set(vec![
            DealBuilder::new("a")
                .team("east-1")
                .owner("rep-a")
                .won(10)
                .amount(300_000)
                .build(),
            DealBuilder::new("b")
                .team("east")
                .owner("rep-b")
                .won(20)
                .amount(100_000)
                .build(),
            DealBuilder::new("c")
                .team("west")
                .owner("rep-c")
                .won(25)
                .amount(50_000)
                .build(),
            // Won before the period: not signed in it.
            DealBuilder::new("d")
                .team("east")
                .owner("rep-a")
                .won(-10)
                .build(),
            // Open and expected in the period.
            DealBuilder::new("e")
                .team("east-1")
                .owner("rep-a")
                .expected_close(date_of(40))
                .amount(200_000)
                .build(),
            // Open but expected after the period, or with no date: not in its pipeline.
            DealBuilder::new("f")
                .team("east")
                .owner("rep-a")
                .expected_close(date_of(120))
                .build(),
            DealBuilder::new("g").team("east").owner("rep-a").build(),
        ]);
        let targets = [
            SalesTarget {
                scope: TargetScope::Company,
                amount: yuan(1_000_000),
            },
            SalesTarget {
                scope: TargetScope::Team {
                    team: fixture::team("east"),
                },
                amount: yuan(500_000),
            },
            SalesTarget {
                scope: TargetScope::Rep {
                    rep: fixture::user("rep-a"),
                },
                amount: yuan(250_000),
            },
            SalesTarget {
                scope: TargetScope::Rep {
                    rep: fixture::user("rep-z"),
                },
                amount: yuan(0),
            },
        ];
        let quarter = Filter::all().in_period(DateRange::quarter(2026, 1).unwrap());
        let report = target_completion(&set, &targets, &quarter, &ctx).unwrap();
        /// Target, signed, completion, gap, open pipeline (yuan), coverage.
        type Row = (i64, i64, Option<Rate>, i64, i64, Option<Rate>);
        let table: Vec<Row> = report
            .rows
            .iter()
            .map(|row| {
                (
                    row.target.minor() / 100,
                    row.signed.amount.minor() / 100,
                    row.completion,
                    row.gap.minor() / 100,
                    row.open_pipeline.amount.minor() / 100,
                    row.coverage,
                )
            })
            .collect();
        let rate = |basis_points| Some(Rate::from_basis_points(basis_points));
        assert_eq!(
            table,
            [
                (
                    1_000_000,
                    450_000,
                    rate(4_500),
                    550_000,
                    200_000,
                    rate(3_636)
                ),
                (
                    500_000,
                    400_000,
                    rate(8_000),
                    100_000,
                    200_000,
                    rate(20_000)
                ),
                (250_000, 300_000, rate(12_000), 0, 200_000, None),
                (0, 0, None, 0, 0, None),
            ]
        );
        let duplicate = [targets[1].clone(), targets[1].clone()];
        assert_eq!(
            target_completion(&set, &duplicate, &quarter, &ctx),
            Err(AnalyticsError::DuplicateTarget {
                scope: "team east".to_owned()
            })
        );
    }
}
