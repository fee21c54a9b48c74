//! The compute module's results: the Monte Carlo revenue range, targets against the forecast,
//! and the funnel with its bottleneck.

use dealflow_core as domain;
use serde::Serialize;
use tsify::Tsify;
use wasm_bindgen::JsValue;

use super::common::{LocalizedText, Money, id};
use super::forecast::{ForecastGroup, ModelForecasts};
use crate::convert::{Fields, FromJs};
use crate::error::{Failure, JsResult};

mirror_enum! {
    /// The probability a Monte Carlo simulation draws each open deal with.
    SimulatedModel = SimulatedModel {
        /// Learned win probabilities, else historical stage win rates, else stage defaults.
        BestPractice = "best_practice",
        /// The stage's configured probability.
        StageWeighted = "stage_weighted",
        /// The manual probability where set, else the stage's.
        ManualWeighted = "manual_weighted",
    }
}

/// The distribution of a period's simulated revenue (Monte Carlo): won deals are certain and
/// each open deal is won with its probability. Percentiles are nearest-rank over the trials.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct RevenueRange {
    /// `"2026-03"` or `"2026-Q1"`.
    pub period: String,
    /// Won deals and open deals at 100 %.
    pub certain: Money,
    /// Certain revenue plus Σ amount × probability: what the mean converges to.
    pub expected: Money,
    /// The mean of the trial totals.
    pub mean: Money,
    /// 10th percentile: 90 % of trials reached at least this.
    pub p10: Money,
    /// Median.
    pub p50: Money,
    /// 90th percentile.
    pub p90: Money,
    /// Lowest trial total.
    pub min: Money,
    /// Highest trial total.
    pub max: Money,
    /// Deals drawn (probability strictly between 0 and 100 %).
    pub simulated_deals: u32,
    /// Trials run.
    pub trials: u32,
    /// The seed: the same seed and deals give the same range on every platform.
    pub seed: u32,
}

impl RevenueRange {
    /// The DTO of a core range for `period`.
    pub(crate) fn new(period: domain::Period, range: &domain::RevenueRange, seed: u32) -> Self {
        RevenueRange {
            period: period.to_string(),
            certain: range.certain.into(),
            expected: range.expected.into(),
            mean: range.mean.into(),
            p10: range.p10.into(),
            p50: range.p50.into(),
            p90: range.p90.into(),
            min: range.min.into(),
            max: range.max.into(),
            simulated_deals: range.simulated_deals,
            trials: range.trials,
            seed,
        }
    }
}

/// A quota (销售目标) for a rep, team, pipeline or the company for one period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ForecastTarget {
    /// Who the target is for.
    pub group: ForecastGroup,
    /// `"2026-03"` or `"2026-Q1"`.
    pub period: String,
    /// The quota.
    pub amount: Money,
}

impl FromJs for domain::ForecastGroup {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        let kind = fields.text("kind")?;
        Ok(match kind.as_str() {
            "total" => domain::ForecastGroup::Total,
            "rep" => domain::ForecastGroup::Rep(id(fields.text("id")?)?),
            "team" => domain::ForecastGroup::Team(id(fields.text("id")?)?),
            "pipeline" => domain::ForecastGroup::Pipeline(id(fields.text("id")?)?),
            _ => {
                return Err(Failure::Input(format!(
                    "{what}.kind must be one of \"total\", \"rep\", \"team\", \"pipeline\""
                )));
            }
        })
    }
}

impl FromJs for domain::Target {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        let period = fields
            .text("period")?
            .parse::<domain::Period>()
            .map_err(domain::Error::from)?;
        Ok(domain::Target {
            group: fields.value("group")?,
            period,
            amount: fields.value("amount")?,
        })
    }
}

/// Basis points per forecast model (`undefined` where the target is zero).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ModelRatios {
    /// Best practice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub best_practice: Option<i64>,
    /// Rep commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rep_commit: Option<i64>,
    /// Stage weight.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage_weighted: Option<i64>,
    /// Manual weight.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manual_weighted: Option<i64>,
}

impl From<&domain::PerModel<Option<domain::Ratio>>> for ModelRatios {
    fn from(ratios: &domain::PerModel<Option<domain::Ratio>>) -> Self {
        let points = |ratio: Option<domain::Ratio>| ratio.map(domain::Ratio::basis_points);
        ModelRatios {
            best_practice: points(ratios.best_practice),
            rep_commit: points(ratios.rep_commit),
            stage_weighted: points(ratios.stage_weighted),
            manual_weighted: points(ratios.manual_weighted),
        }
    }
}

/// Money per forecast model.
pub(crate) fn model_money(values: &domain::PerModel<domain::Money>) -> ModelForecasts {
    ModelForecasts {
        best_practice: values.best_practice.into(),
        rep_commit: values.rep_commit.into(),
        stage_weighted: values.stage_weighted.into(),
        manual_weighted: values.manual_weighted.into(),
    }
}

/// How far a target is met (目标达成), in the forecast's reporting currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct TargetAttainment {
    /// Who the target is for.
    pub group: ForecastGroup,
    /// The target's period.
    pub period: String,
    /// The target in the reporting currency.
    pub target: Money,
    /// The forecast periods summed for it (three months for a quarterly target).
    pub periods: Vec<String>,
    /// Won in the period.
    pub closed_won: Money,
    /// `closedWon / target` in basis points; `undefined` for a zero target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion_bp: Option<i64>,
    /// `target − closedWon` (negative once exceeded).
    pub gap_to_target: Money,
    /// Each model's forecast for the period.
    pub forecast: ModelForecasts,
    /// `forecast / target` per model, in basis points.
    pub forecast_completion_bp: ModelRatios,
    /// `target − forecast` per model.
    pub forecast_gap: ModelForecasts,
}

impl From<&domain::TargetAttainment> for TargetAttainment {
    fn from(attainment: &domain::TargetAttainment) -> Self {
        TargetAttainment {
            group: (&attainment.target.group).into(),
            period: attainment.target.period.to_string(),
            target: attainment.target_amount.into(),
            periods: attainment.periods.iter().map(ToString::to_string).collect(),
            closed_won: attainment.closed_won.into(),
            completion_bp: attainment.completion.map(domain::Ratio::basis_points),
            gap_to_target: attainment.gap_to_target.into(),
            forecast: model_money(&attainment.forecast),
            forecast_completion_bp: (&attainment.forecast_completion).into(),
            forecast_gap: model_money(&attainment.forecast_gap),
        }
    }
}

/// One stage of a funnel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct FunnelStage {
    /// The stage id.
    pub stage: String,
    /// Its label.
    pub label: LocalizedText,
    /// Deals that entered the stage.
    pub entered: u32,
    /// Of those, deals that went on to a later stage or were won.
    pub moved_on: u32,
    /// Deals lost in this stage.
    pub lost: u32,
    /// Deals stopped in this stage.
    pub stopped: u32,
    /// Deals in this stage now.
    pub still_open: u32,
    /// Deals that entered this stage and were won in the end.
    pub won: u32,
    /// Current amount of the deals that entered.
    pub entered_amount: Money,
    /// `movedOn / entered`, in basis points.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversion_bp: Option<i64>,
    /// `movedOn / (movedOn + lost + stopped)`, in basis points: conversion among decided deals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_conversion_bp: Option<i64>,
    /// `won / entered`, in basis points.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub win_rate_bp: Option<i64>,
    /// Whether this stage is the funnel's bottleneck.
    pub bottleneck: bool,
}

/// The stage where a funnel leaks most.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct Bottleneck {
    /// The stage id.
    pub stage: String,
    /// Its label.
    pub label: LocalizedText,
    /// The stage's decided conversion, in basis points.
    pub conversion_bp: i64,
    /// `100 % − conversion` (or the drop below a benchmark), in basis points.
    pub drop_bp: i64,
}

/// A pipeline's funnel conversion (销售漏斗转化) over a cohort of deals, with its bottleneck.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct FunnelReport {
    /// "销售漏斗转化" / "Funnel conversion".
    pub title: LocalizedText,
    /// The pipeline id.
    pub pipeline: String,
    /// Deals in the cohort.
    pub deals: u32,
    /// Of which won.
    pub won: u32,
    /// Lost.
    pub lost: u32,
    /// Stopped.
    pub stopped: u32,
    /// Still open.
    pub open: u32,
    /// One row per stage, in pipeline order.
    pub stages: Vec<FunnelStage>,
    /// The stage of lowest decided conversion, if any stage has decided deals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bottleneck: Option<Bottleneck>,
}

fn count(value: u64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

impl From<&domain::analytics::FunnelReport> for FunnelReport {
    fn from(report: &domain::analytics::FunnelReport) -> Self {
        let bottleneck_stage = report
            .bottleneck
            .as_ref()
            .map(|bottleneck| &bottleneck.stage);
        let points = |rate: Option<domain::analytics::Rate>| rate.map(|rate| rate.basis_points());
        FunnelReport {
            title: report.title.clone().into(),
            pipeline: report.pipeline.to_string(),
            deals: count(report.deals),
            won: count(report.won),
            lost: count(report.lost),
            stopped: count(report.stopped),
            open: count(report.open),
            stages: report
                .stages
                .iter()
                .map(|stage| FunnelStage {
                    stage: stage.stage.to_string(),
                    label: stage.label.clone().into(),
                    entered: count(stage.entered),
                    moved_on: count(stage.moved_on),
                    lost: count(stage.lost),
                    stopped: count(stage.stopped),
                    still_open: count(stage.still_open),
                    won: count(stage.won),
                    entered_amount: stage.entered_amount.into(),
                    conversion_bp: points(stage.conversion),
                    decided_conversion_bp: points(stage.decided_conversion),
                    win_rate_bp: points(stage.win_rate),
                    bottleneck: Some(&stage.stage) == bottleneck_stage,
                })
                .collect(),
            bottleneck: report.bottleneck.as_ref().map(|bottleneck| Bottleneck {
                stage: bottleneck.stage.to_string(),
                label: bottleneck.label.clone().into(),
                conversion_bp: bottleneck.conversion.basis_points(),
                drop_bp: bottleneck.drop.basis_points(),
            }),
        }
    }
}
