//! Where a deal lands in a forecast: its pipeline and stage, its period and its amount in the
//! reporting currency; or why it is left out.

use serde::{Deserialize, Serialize};
use time::Date;

use super::ForecastSettings;
use super::error::ForecastError;
use super::period::Period;
use super::win_rate::{StageWinRate, StageWinRates};
use crate::deal::{Deal, DealStatus, StageTransition};
use crate::deal_table::DealTable;
use crate::i18n::{Locale, Localized};
use crate::id::{DealId, PipelineId, StageId};
use crate::money::Money;
use crate::pipeline::{Pipeline, Stage};
use crate::score::Feature;

/// Why a deal is left out of a forecast. Lost and stopped deals are not listed: they forecast
/// nothing by definition.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ExclusionReason {
    /// An open deal without an expected close date belongs to no period.
    NoExpectedClose,
    /// The deal's pipeline is not among the pipelines given.
    UnknownPipeline {
        /// The deal's pipeline.
        pipeline: PipelineId,
    },
    /// The deal sits in a stage its pipeline no longer has (e.g. the stage was removed).
    UnknownStage {
        /// The deal's stage.
        stage: StageId,
    },
    /// The deal has no stage history (corrupt input).
    NoHistory,
}

impl Localized for ExclusionReason {
    fn localized(&self, locale: Locale) -> String {
        match (locale, self) {
            (Locale::En, ExclusionReason::NoExpectedClose) => {
                "no expected close date: set one to include the deal".to_owned()
            }
            (Locale::ZhCn, ExclusionReason::NoExpectedClose) => {
                "未填写预计成交日期：填写后才会计入预测".to_owned()
            }
            (Locale::En, ExclusionReason::UnknownPipeline { pipeline }) => {
                format!("pipeline {pipeline} is unknown: load its configuration")
            }
            (Locale::ZhCn, ExclusionReason::UnknownPipeline { pipeline }) => {
                format!("未知的销售流程 {pipeline}：请加载该流程的配置")
            }
            (Locale::En, ExclusionReason::UnknownStage { stage }) => {
                format!("stage {stage} is not in the pipeline: move the deal to an existing stage")
            }
            (Locale::ZhCn, ExclusionReason::UnknownStage { stage }) => {
                format!("阶段 {stage} 不在销售流程中：请将商机移到现有阶段")
            }
            (Locale::En, ExclusionReason::NoHistory) => {
                "the deal has no stage history: reload it".to_owned()
            }
            (Locale::ZhCn, ExclusionReason::NoHistory) => "商机没有阶段记录：请重新加载".to_owned(),
        }
    }
}

/// A deal left out of a forecast, and why.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Exclusion {
    /// The deal.
    pub deal: DealId,
    /// Why it is left out.
    pub reason: ExclusionReason,
}

/// The pipelines of a forecast with each stage's historical win rate, looked up by index so that
/// per-deal work compares ids once.
#[derive(Debug)]
pub(super) struct PipelineTable<'a> {
    entries: Vec<PipelineEntry<'a>>,
}

#[derive(Debug)]
pub(super) struct PipelineEntry<'a> {
    pub(super) pipeline: &'a Pipeline,
    /// Aligned with `pipeline.stages`.
    pub(super) win_rates: Vec<Option<&'a StageWinRate>>,
}

impl<'a> PipelineTable<'a> {
    pub(super) fn new(pipelines: &'a [Pipeline], win_rates: &'a [StageWinRates]) -> Self {
        let entries = pipelines
            .iter()
            .map(|pipeline| {
                let rates = win_rates.iter().find(|rates| rates.pipeline == pipeline.id);
                let win_rates = pipeline
                    .stages
                    .iter()
                    .map(|stage| rates.and_then(|rates| rates.stage(&stage.id)))
                    .collect();
                PipelineEntry {
                    pipeline,
                    win_rates,
                }
            })
            .collect();
        PipelineTable { entries }
    }

    fn find(&self, id: &PipelineId) -> Option<&PipelineEntry<'a>> {
        self.entries
            .iter()
            .find(|entry| same_id(entry.pipeline.id.as_str(), id.as_str()))
    }
}

/// A deal placed in a forecast.
#[derive(Debug)]
pub(super) struct Placed<'a, 't> {
    pub(super) deal: &'a Deal,
    /// The current stage, or the stage reached for a won deal.
    pub(super) stage_id: &'a StageId,
    /// Expected close for open deals, the day it was won for won deals.
    pub(super) period: Period,
    /// In the reporting currency.
    pub(super) amount: Money,
    /// The pipeline and stage of an open deal; `None` for a won deal, whose revenue counts
    /// even when its pipeline or stage has since been removed from the configuration.
    pub(super) open: Option<OpenStage<'a, 't>>,
}

/// The configuration an open deal is weighted with.
#[derive(Debug)]
pub(super) struct OpenStage<'a, 't> {
    pub(super) pipeline: &'t PipelineEntry<'a>,
    pub(super) stage: &'a Stage,
    pub(super) stage_index: usize,
}

#[derive(Debug)]
pub(super) enum Placement<'a, 't> {
    Placed(Placed<'a, 't>),
    Excluded(ExclusionReason),
    /// Lost or stopped: forecasts nothing and is not worth listing.
    NotForecast,
}

/// Places `deal`: open deals by expected close date, won deals by the day they were won.
///
/// The amount is converted once into the reporting currency (rounded half away from zero);
/// a missing exchange rate is an error, not an exclusion, because it is a configuration problem
/// that affects every deal in that currency.
pub(super) fn place<'a, 't>(
    deal: &'a Deal,
    table: &'t PipelineTable<'a>,
    settings: &ForecastSettings,
) -> Result<Placement<'a, 't>, ForecastError> {
    let Some(current) = deal.current() else {
        return Ok(Placement::Excluded(ExclusionReason::NoHistory));
    };
    let (date, open) = match current.status {
        DealStatus::Lost | DealStatus::Stopped => return Ok(Placement::NotForecast),
        DealStatus::Won => (current.at.date_at(settings.offset), None),
        DealStatus::Open => {
            let Some(date) = deal.expected_close else {
                return Ok(Placement::Excluded(ExclusionReason::NoExpectedClose));
            };
            let pipeline = table.find(&deal.pipeline);
            let stage_index = pipeline
                .and_then(|pipeline| stage_position(&pipeline.pipeline.stages, &current.stage));
            match open_stage(deal, current, pipeline, stage_index) {
                Ok(open) => (date, Some(open)),
                Err(reason) => return Ok(Placement::Excluded(reason)),
            }
        }
    };
    placed(deal, current, date, deal.amount, open, settings)
}

/// The pipelines of a forecast as a [`DealTable`]'s interned ids see them: per interned
/// pipeline, its entry in the [`PipelineTable`]; per entry and interned stage id, the stage's
/// position.
#[derive(Debug)]
pub(super) struct TableLookup {
    entry_of: Vec<Option<usize>>,
    stage_positions: Vec<Vec<Option<usize>>>,
}

impl TableLookup {
    pub(super) fn new(pipelines: &PipelineTable<'_>, table: &DealTable<'_>) -> Self {
        let entry_of = table
            .pipelines
            .list
            .iter()
            .map(|id| {
                pipelines
                    .entries
                    .iter()
                    .position(|entry| same_id(entry.pipeline.id.as_str(), id.as_str()))
            })
            .collect();
        let stage_positions = pipelines
            .entries
            .iter()
            .map(|entry| {
                let mut positions = vec![None; table.values.len()];
                for (index, stage) in entry.pipeline.stages.iter().enumerate() {
                    let key = (Feature::StageReached, stage.id.as_str());
                    if let Some(slot) = table
                        .values
                        .get(&key)
                        .and_then(|id| positions.get_mut(id as usize))
                        && slot.is_none()
                    {
                        *slot = Some(index);
                    }
                }
                positions
            })
            .collect();
        TableLookup {
            entry_of,
            stage_positions,
        }
    }
}

/// [`place`] for deal `index` of `table`, reading its history, pipeline and stage from the
/// table's columns.
pub(super) fn place_row<'a, 't>(
    table: &DealTable<'a>,
    index: usize,
    pipelines: &'t PipelineTable<'a>,
    lookup: &TableLookup,
    settings: &ForecastSettings,
) -> Result<Placement<'a, 't>, ForecastError> {
    let deals: &'a [Deal] = table.deals;
    let (Some(deal), Some(last)) = (deals.get(index), table.last_row(index)) else {
        return Ok(Placement::Excluded(ExclusionReason::NoHistory));
    };
    let Some(current) = deal.history.last() else {
        return Ok(Placement::Excluded(ExclusionReason::NoHistory));
    };
    let status = table
        .history_status
        .get(last)
        .copied()
        .unwrap_or(current.status);
    let (date, open) = match status {
        DealStatus::Lost | DealStatus::Stopped => return Ok(Placement::NotForecast),
        DealStatus::Won => {
            let at = table.history_at.get(last).copied().unwrap_or(current.at);
            (at.date_at(settings.offset), None)
        }
        DealStatus::Open => {
            let Some(date) = deal.expected_close else {
                return Ok(Placement::Excluded(ExclusionReason::NoExpectedClose));
            };
            let entry_index = table
                .pipeline
                .get(index)
                .and_then(|id| lookup.entry_of.get(*id as usize))
                .copied()
                .flatten();
            let pipeline = entry_index.and_then(|entry_index| pipelines.entries.get(entry_index));
            let stage_index = table
                .history_stage
                .get(last)
                .zip(entry_index.and_then(|entry_index| lookup.stage_positions.get(entry_index)))
                .and_then(|(stage, positions)| positions.get(*stage as usize))
                .copied()
                .flatten();
            match open_stage(deal, current, pipeline, stage_index) {
                Ok(open) => (date, Some(open)),
                Err(reason) => return Ok(Placement::Excluded(reason)),
            }
        }
    };
    let amount = table.amount.get(index).copied().unwrap_or(deal.amount);
    placed(deal, current, date, amount, open, settings)
}

/// The configuration open `deal` is weighted with: its pipeline's entry (`None`: not configured)
/// and its current stage at `stage_index` there (`None` or out of range: not in the pipeline).
/// `Err` says which is missing.
fn open_stage<'a, 't>(
    deal: &'a Deal,
    current: &'a StageTransition,
    pipeline: Option<&'t PipelineEntry<'a>>,
    stage_index: Option<usize>,
) -> Result<OpenStage<'a, 't>, ExclusionReason> {
    let pipeline = pipeline.ok_or_else(|| ExclusionReason::UnknownPipeline {
        pipeline: deal.pipeline.clone(),
    })?;
    let stages: &'a [Stage] = &pipeline.pipeline.stages;
    stage_index
        .and_then(|stage_index| {
            Some(OpenStage {
                pipeline,
                stage: stages.get(stage_index)?,
                stage_index,
            })
        })
        .ok_or_else(|| ExclusionReason::UnknownStage {
            stage: current.stage.clone(),
        })
}

/// `deal` placed in the period of `date` with `amount` converted into the reporting currency.
fn placed<'a, 't>(
    deal: &'a Deal,
    current: &'a StageTransition,
    date: Date,
    amount: Money,
    open: Option<OpenStage<'a, 't>>,
    settings: &ForecastSettings,
) -> Result<Placement<'a, 't>, ForecastError> {
    let amount = settings.rates.convert(amount)?;
    Ok(Placement::Placed(Placed {
        deal,
        stage_id: &current.stage,
        period: Period::of(date, settings.period_kind),
        amount,
        open,
    }))
}

/// The position of stage `id` among `stages`.
///
/// Stage ids are short, so lengths are compared first and bytes in an inline loop: a `memcmp`
/// call per history entry was most of the cost of learning win rates over a million entries.
pub(super) fn stage_position(stages: &[Stage], id: &StageId) -> Option<usize> {
    stages
        .iter()
        .position(|stage| same_id(stage.id.as_str(), id.as_str()))
}

/// Whether two ids are equal, comparing lengths first and bytes in an inline loop (ids are
/// short, and a `memcmp` call per deal or history entry is most of the cost of comparing).
pub(super) fn same_id(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}
