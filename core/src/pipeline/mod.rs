//! Pipelines: ordered stages with win probabilities, forecast categories, entry and exit
//! criteria, rotting thresholds and task templates; and the one place where deals move.
//!
//! A [`Pipeline`] is configuration (serde data, validated by [`Pipeline::validate`]). Every stage
//! move goes through [`Pipeline::move_deal`]: it checks the exit criteria of the current stage
//! (for forward moves), the entry criteria of the target and the pipeline's move rules, and
//! returns **all** problems at once, or records the move and creates the new stage's tasks.

mod criterion;
mod error;
mod template;
mod transition;
mod validate;

use serde::{Deserialize, Serialize};

pub use criterion::{Criterion, CriterionPhase, DealField, Rule, UnmetCriterion};
pub use error::{ConfigItem, ConfigProblem, MoveProblem, MoveRejected, PipelineError};
pub use transition::{MoveContext, MoveOutcome, MoveTarget};

use crate::deal::{DealRole, DealStatus};
use crate::i18n::LocalizedText;
use crate::id::{PipelineId, StageId};
use crate::money::{Currency, Money};
use crate::probability::Probability;

/// A sales pipeline: an ordered list of open stages a deal moves through, plus the outcomes won,
/// lost and stopped.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Pipeline {
    /// Identifier, unique within the organisation.
    pub id: PipelineId,
    /// Display name.
    pub name: LocalizedText,
    /// Open stages in order.
    pub stages: Vec<Stage>,
    /// Reasons a deal can be lost for; one is required to lose a deal.
    pub loss_reasons: Vec<Reason>,
    /// Reasons a deal can be stopped or put on hold for; one is required to stop a deal.
    pub stop_reasons: Vec<Reason>,
    /// Whether stages may be skipped and deals moved backwards.
    pub rules: MoveRules,
}

/// How freely deals may move between stages.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct MoveRules {
    /// Whether a forward move may skip stages (winning from a stage before the last is a skip).
    pub allow_skip: bool,
    /// Whether a deal may move back to an earlier stage.
    pub allow_backward: bool,
}

/// One open stage of a pipeline.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Stage {
    /// Identifier, unique within the pipeline.
    pub id: StageId,
    /// Display label.
    pub label: LocalizedText,
    /// Default win probability of a deal in this stage.
    pub probability: Probability,
    /// Default forecast category of a deal in this stage.
    pub forecast_category: ForecastCategory,
    /// Conditions on the deal that must hold to enter the stage.
    pub entry_criteria: Vec<Criterion>,
    /// Conditions that must hold to leave the stage forward.
    pub exit_criteria: Vec<Criterion>,
    /// Days a deal may stay before it counts as rotting (stalled).
    pub max_dwell_days: Option<u32>,
    /// Tasks created when a deal enters the stage.
    pub task_templates: Vec<TaskTemplate>,
}

/// Forecast category (rep commit model). `Closed` is for won deals only.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForecastCategory {
    /// Early or uncertain.
    Pipeline,
    /// Could close this period with things going our way.
    BestCase,
    /// The owner commits to closing it this period.
    Commit,
    /// Won.
    Closed,
}

/// A loss or stop reason from the pipeline's configurable lists.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Reason {
    /// Identifier, unique within its list.
    pub id: String,
    /// Display label.
    pub label: LocalizedText,
}

/// A task created when a deal enters a stage.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct TaskTemplate {
    /// Identifier, unique within the stage.
    pub id: String,
    /// What to do.
    pub title: LocalizedText,
    /// Days after entering the stage that the task is due.
    pub due_in_days: u32,
    /// Who does it: the deal-team member with this role, or the owner when there is none.
    pub assignee: DealRole,
}

impl Pipeline {
    /// The stage with `id`.
    pub fn stage(&self, id: &StageId) -> Result<&Stage, PipelineError> {
        self.stages
            .iter()
            .find(|stage| &stage.id == id)
            .ok_or_else(|| self.unknown_stage(id))
    }

    /// The position of stage `id` in the pipeline.
    pub fn stage_index(&self, id: &StageId) -> Result<usize, PipelineError> {
        self.stages
            .iter()
            .position(|stage| &stage.id == id)
            .ok_or_else(|| self.unknown_stage(id))
    }

    /// The first open stage, where new deals start.
    pub fn first_stage(&self) -> Result<&Stage, PipelineError> {
        self.stages.first().ok_or_else(|| PipelineError::Invalid {
            pipeline: self.id.clone(),
            problems: vec![error::ConfigProblem::NoOpenStage],
        })
    }

    /// The entry or exit criterion with `id`, and the stage it belongs to.
    pub fn criterion(&self, id: &str) -> Option<(&Stage, &Criterion)> {
        self.stages.iter().find_map(|stage| {
            stage
                .entry_criteria
                .iter()
                .chain(&stage.exit_criteria)
                .find(|criterion| criterion.id == id)
                .map(|criterion| (stage, criterion))
        })
    }

    /// The loss reason with `id`.
    pub fn loss_reason(&self, id: &str) -> Option<&Reason> {
        self.loss_reasons.iter().find(|reason| reason.id == id)
    }

    /// The stop reason with `id`.
    pub fn stop_reason(&self, id: &str) -> Option<&Reason> {
        self.stop_reasons.iter().find(|reason| reason.id == id)
    }

    /// The default forecast category of a deal in `stage` with `status`: the stage's category
    /// while open, `Closed` when won, and `None` when lost or stopped (it is not forecast).
    pub fn default_category(
        &self,
        stage: &StageId,
        status: DealStatus,
    ) -> Result<Option<ForecastCategory>, PipelineError> {
        match status {
            DealStatus::Open => Ok(Some(self.stage(stage)?.forecast_category)),
            DealStatus::Won => Ok(Some(ForecastCategory::Closed)),
            DealStatus::Lost | DealStatus::Stopped => Ok(None),
        }
    }

    /// Σ amount × stage probability over `deals` (stage, amount), in `currency`.
    ///
    /// ```
    /// use dealflow_core::{Currency, Money, Pipeline, StageId};
    /// let pipeline = Pipeline::template_new_business();
    /// let demo = StageId::new("demo").unwrap();
    /// let deal = (demo, Money::from_major(100_000, Currency::CNY).unwrap());
    /// let weighted = pipeline.weighted_value(&[deal], Currency::CNY).unwrap();
    /// assert_eq!(weighted, Money::from_major(40_000, Currency::CNY).unwrap());
    /// ```
    pub fn weighted_value(
        &self,
        deals: &[(StageId, Money)],
        currency: Currency,
    ) -> Result<Money, PipelineError> {
        deals
            .iter()
            .try_fold(Money::zero(currency), |total, (stage_id, amount)| {
                let stage = self.stage(stage_id)?;
                let weighted = stage.probability.weight(*amount)?;
                Ok(total.checked_add(weighted)?)
            })
    }

    fn unknown_stage(&self, stage: &StageId) -> PipelineError {
        PipelineError::UnknownStage {
            pipeline: self.id.clone(),
            stage: stage.clone(),
        }
    }
}
