//! Forecasts and deal health over the deals a workspace holds.

use dealflow_core as domain;
use serde::Serialize;
use tsify::Tsify;

use super::common::{LocalizedText, Money};
use crate::convert::serialize_by_name;

serialize_by_name!(PeriodKind);

/// Month, quarter or year.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Tsify)]
pub enum PeriodKind {
    /// Calendar months (`"2026-03"`).
    #[serde(rename = "month")]
    Month,
    /// Calendar quarters (`"2026-Q1"`).
    #[serde(rename = "quarter")]
    Quarter,
    /// Calendar years (`"2026"`).
    #[serde(rename = "year")]
    Year,
}

impl crate::convert::Named for PeriodKind {
    const EXPECTED: &'static str = "one of \"month\", \"quarter\", \"year\"";

    fn from_name(name: &str) -> Option<Self> {
        match name {
            "month" => Some(PeriodKind::Month),
            "quarter" => Some(PeriodKind::Quarter),
            "year" => Some(PeriodKind::Year),
            _ => None,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Year => "year",
        }
    }
}

impl From<PeriodKind> for domain::PeriodKind {
    fn from(kind: PeriodKind) -> Self {
        match kind {
            PeriodKind::Month => domain::PeriodKind::Month,
            PeriodKind::Quarter => domain::PeriodKind::Quarter,
            PeriodKind::Year => domain::PeriodKind::Year,
        }
    }
}

impl From<domain::PeriodKind> for PeriodKind {
    fn from(kind: domain::PeriodKind) -> Self {
        match kind {
            domain::PeriodKind::Month => PeriodKind::Month,
            domain::PeriodKind::Quarter => PeriodKind::Quarter,
            domain::PeriodKind::Year => PeriodKind::Year,
        }
    }
}

/// What a row of a forecast adds up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ForecastGroup {
    /// Every deal.
    Total,
    /// A rep's deals.
    Rep(String),
    /// A team's deals, sub-teams included.
    Team(String),
    /// A pipeline's deals.
    Pipeline(String),
}

impl From<&domain::ForecastGroup> for ForecastGroup {
    fn from(group: &domain::ForecastGroup) -> Self {
        match group {
            domain::ForecastGroup::Total => ForecastGroup::Total,
            domain::ForecastGroup::Rep(user) => ForecastGroup::Rep(user.to_string()),
            domain::ForecastGroup::Team(team) => ForecastGroup::Team(team.to_string()),
            domain::ForecastGroup::Pipeline(id) => ForecastGroup::Pipeline(id.to_string()),
        }
    }
}

/// One value per forecast model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ModelForecasts {
    /// Learned win probabilities, else historical stage win rates, else stage defaults.
    pub best_practice: Money,
    /// The owners' forecast categories: closed + commit.
    pub rep_commit: Money,
    /// Amount × the stage's probability.
    pub stage_weighted: Money,
    /// Amount × the manual probability where set, else the stage's.
    pub manual_weighted: Money,
}

/// Amounts per forecast category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct CategoryAmounts {
    /// Early or uncertain deals.
    pub pipeline: Money,
    /// Could close with things going our way.
    pub best_case: Money,
    /// Committed.
    pub commit: Money,
    /// Won.
    pub closed: Money,
}

impl From<&domain::CategoryTotals> for CategoryAmounts {
    fn from(totals: &domain::CategoryTotals) -> Self {
        CategoryAmounts {
            pipeline: totals.pipeline.into(),
            best_case: totals.best_case.into(),
            commit: totals.commit.into(),
            closed: totals.closed.into(),
        }
    }
}

/// The figures of one period and group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ForecastRow {
    /// `"2026-03"` or `"2026-Q1"`.
    pub period: String,
    /// Total, rep, team or pipeline.
    pub group: ForecastGroup,
    /// Open deals expected to close in the period.
    pub open_deals: u32,
    /// Deals won in the period.
    pub won_deals: u32,
    /// Amount won.
    pub closed_won: Money,
    /// Unweighted amount of the open deals.
    pub open_amount: Money,
    /// Each model's forecast (closed won + the open deals' contributions).
    pub forecast: ModelForecasts,
    /// Per category as the owners call them.
    pub owner_categories: CategoryAmounts,
    /// Per category after manager adjustments.
    pub adjusted_categories: CategoryAmounts,
}

/// A deal the forecast left out, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ForecastExclusion {
    /// The deal.
    pub deal: String,
    /// `no_expected_close`, `unknown_pipeline`, `unknown_stage` or `no_history`.
    #[tsify(
        type = "\"no_expected_close\" | \"unknown_pipeline\" | \"unknown_stage\" | \"no_history\""
    )]
    pub reason: String,
}

/// A forecast (销售预测) over the deals held, in one reporting currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ForecastTable {
    /// The reporting currency.
    #[tsify(type = "CurrencyCode")]
    pub currency: String,
    /// Month or quarter.
    pub period_kind: PeriodKind,
    /// Rows by period, then group (total, reps, teams, pipelines).
    pub rows: Vec<ForecastRow>,
    /// Deals left out.
    pub excluded: Vec<ForecastExclusion>,
}

impl From<&domain::Forecast<'_>> for ForecastTable {
    fn from(forecast: &domain::Forecast<'_>) -> Self {
        ForecastTable {
            currency: forecast.currency.code().to_owned(),
            period_kind: forecast.period_kind.into(),
            rows: forecast
                .rows
                .iter()
                .map(|row| {
                    let figures = &row.figures;
                    ForecastRow {
                        period: row.period.to_string(),
                        group: (&row.group).into(),
                        open_deals: figures.open_deals,
                        won_deals: figures.won_deals,
                        closed_won: figures.closed_won.into(),
                        open_amount: figures.open_amount.into(),
                        forecast: ModelForecasts {
                            best_practice: figures.forecast.best_practice.into(),
                            rep_commit: figures.forecast.rep_commit.into(),
                            stage_weighted: figures.forecast.stage_weighted.into(),
                            manual_weighted: figures.forecast.manual_weighted.into(),
                        },
                        owner_categories: (&figures.owner_categories).into(),
                        adjusted_categories: (&figures.adjusted_categories).into(),
                    }
                })
                .collect(),
            excluded: forecast
                .excluded
                .iter()
                .map(|exclusion| ForecastExclusion {
                    deal: exclusion.deal.to_string(),
                    reason: match exclusion.reason {
                        domain::ExclusionReason::NoExpectedClose => "no_expected_close",
                        domain::ExclusionReason::UnknownPipeline { .. } => "unknown_pipeline",
                        domain::ExclusionReason::UnknownStage { .. } => "unknown_stage",
                        _ => "no_history",
                    }
                    .to_owned(),
                })
                .collect(),
        }
    }
}

/// One health rule that fired.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct HealthFinding {
    /// The rule, e.g. `no_decision_maker`.
    pub rule: String,
    /// Points it took off.
    pub penalty: u8,
    /// What is wrong.
    pub reason: LocalizedText,
    /// What to do.
    pub action: LocalizedText,
}

/// A deal's health score (商机健康度) with every finding, largest penalty first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct DealHealth {
    /// The deal.
    pub deal: String,
    /// 0..=100.
    pub score: u8,
    /// The rules that fired.
    pub findings: Vec<HealthFinding>,
}

impl DealHealth {
    /// The DTO of a core report.
    pub(crate) fn new(deal: &domain::DealId, report: &domain::HealthReport) -> Self {
        DealHealth {
            deal: deal.to_string(),
            score: report.score.points(),
            findings: report
                .findings
                .iter()
                .map(|finding| HealthFinding {
                    rule: health_rule(finding.rule).to_owned(),
                    penalty: finding.penalty,
                    reason: finding.reason.clone().into(),
                    action: finding.action.clone().into(),
                })
                .collect(),
        }
    }
}

fn health_rule(rule: domain::HealthRule) -> &'static str {
    match rule {
        domain::HealthRule::NoDecisionMaker => "no_decision_maker",
        domain::HealthRule::BlockerPresent => "blocker_present",
        domain::HealthRule::NoNextStep => "no_next_step",
        domain::HealthRule::NextStepOverdue => "next_step_overdue",
        domain::HealthRule::StalledInStage => "stalled_in_stage",
        domain::HealthRule::CloseDatePushedBack => "close_date_pushed_back",
        domain::HealthRule::CompetitorActive => "competitor_active",
        domain::HealthRule::StakeholderSilent => "stakeholder_silent",
    }
}
