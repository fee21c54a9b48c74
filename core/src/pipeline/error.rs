//! Errors of pipeline configuration and stage moves.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::criterion::UnmetCriterion;
use crate::error::ErrorCode;
use crate::i18n::{Locale, Localized, LocalizedText};
use crate::id::{DealId, IdError, PipelineId, StageId};
use crate::money::MoneyError;

/// Errors of pipeline configuration and stage moves.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// The stage is not part of the pipeline.
    #[error("stage {stage} is not part of pipeline {pipeline}: pick one of its stages")]
    UnknownStage {
        /// The pipeline.
        pipeline: PipelineId,
        /// The missing stage.
        stage: StageId,
    },
    /// The pipeline configuration is invalid; every problem found is listed.
    #[error("pipeline {pipeline} is invalid: {}", join_problems(problems))]
    Invalid {
        /// The pipeline.
        pipeline: PipelineId,
        /// What is wrong with it.
        problems: Vec<ConfigProblem>,
    },
    /// A stage move was rejected; every reason is listed.
    #[error(transparent)]
    MoveRejected(#[from] MoveRejected),
    /// The deal belongs to another pipeline.
    #[error("deal {deal} is in pipeline {actual}, not {expected}: use the deal's own pipeline")]
    WrongPipeline {
        /// The deal.
        deal: DealId,
        /// The pipeline the move was attempted with.
        expected: PipelineId,
        /// The deal's pipeline.
        actual: PipelineId,
    },
    /// Money arithmetic failed.
    #[error(transparent)]
    Money(#[from] MoneyError),
    /// An id derived for a record (e.g. a task) was invalid.
    #[error(transparent)]
    Id(#[from] IdError),
}

impl PipelineError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            PipelineError::UnknownStage { .. } => ErrorCode::UnknownStage,
            PipelineError::Invalid { .. } => ErrorCode::InvalidPipeline,
            PipelineError::MoveRejected(_) => ErrorCode::MoveRejected,
            PipelineError::WrongPipeline { .. } => ErrorCode::WrongPipeline,
            PipelineError::Money(error) => error.code(),
            PipelineError::Id(error) => error.code(),
        }
    }
}

impl Localized for PipelineError {
    fn localized(&self, locale: Locale) -> String {
        match (locale, self) {
            (_, PipelineError::Money(error)) => error.localized(locale),
            (_, PipelineError::MoveRejected(error)) => error.localized(locale),
            (_, PipelineError::Id(error)) => error.localized(locale),
            (Locale::En, _) => self.to_string(),
            (Locale::ZhCn, PipelineError::UnknownStage { pipeline, stage }) => {
                format!("阶段 {stage} 不属于销售流程 {pipeline}：请选择该流程中的阶段")
            }
            (Locale::ZhCn, PipelineError::Invalid { pipeline, problems }) => {
                let problems: Vec<String> = problems
                    .iter()
                    .map(|problem| problem.localized(Locale::ZhCn))
                    .collect();
                format!("销售流程 {pipeline} 配置无效：{}", problems.join("；"))
            }
            (
                Locale::ZhCn,
                PipelineError::WrongPipeline {
                    deal,
                    expected,
                    actual,
                },
            ) => {
                format!("商机 {deal} 属于销售流程 {actual}，而非 {expected}：请使用商机所在的流程")
            }
        }
    }
}

fn join_problems(problems: &[ConfigProblem]) -> String {
    let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
    problems.join("; ")
}

/// One problem of a pipeline configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ConfigProblem {
    /// The pipeline has no open stage.
    NoOpenStage,
    /// Two stages share an id.
    DuplicateStage {
        /// The id.
        stage: StageId,
    },
    /// Two criteria in the pipeline share an id.
    DuplicateCriterion {
        /// The id.
        criterion: String,
    },
    /// Two task templates of a stage share an id.
    DuplicateTaskTemplate {
        /// The stage.
        stage: StageId,
        /// The id.
        template: String,
    },
    /// Two reasons of one list share an id.
    DuplicateReason {
        /// The id.
        reason: String,
    },
    /// A label lacks its zh-CN or en text.
    IncompleteLabel {
        /// Where the label is (stage id, reason id, …).
        at: String,
    },
    /// An open stage uses the `closed` forecast category, which is for won deals only.
    ClosedCategoryOnOpenStage {
        /// The stage.
        stage: StageId,
    },
    /// A criterion, template or reason has an empty id.
    EmptyId {
        /// Where.
        at: String,
    },
    /// The loss-reason list is empty, so no deal could ever be lost.
    NoLossReason,
    /// The stop-reason list is empty, so no deal could ever be stopped.
    NoStopReason,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.localized(Locale::En))
    }
}

impl Localized for ConfigProblem {
    fn localized(&self, locale: Locale) -> String {
        let zh = locale == Locale::ZhCn;
        match self {
            ConfigProblem::NoOpenStage => pick(
                zh,
                "至少需要一个进行中的阶段",
                "at least one open stage is required",
            ),
            ConfigProblem::DuplicateStage { stage } => pick(
                zh,
                &format!("阶段标识 {stage} 重复"),
                &format!("stage id {stage} is used twice"),
            ),
            ConfigProblem::DuplicateCriterion { criterion } => pick(
                zh,
                &format!("条件标识 {criterion} 重复"),
                &format!("criterion id {criterion} is used twice"),
            ),
            ConfigProblem::DuplicateTaskTemplate { stage, template } => pick(
                zh,
                &format!("阶段 {stage} 的任务模板 {template} 重复"),
                &format!("task template {template} of stage {stage} is used twice"),
            ),
            ConfigProblem::DuplicateReason { reason } => pick(
                zh,
                &format!("原因标识 {reason} 重复"),
                &format!("reason id {reason} is used twice"),
            ),
            ConfigProblem::IncompleteLabel { at } => pick(
                zh,
                &format!("{at} 的名称缺少中文或英文"),
                &format!("the label of {at} lacks its zh-CN or en text"),
            ),
            ConfigProblem::ClosedCategoryOnOpenStage { stage } => pick(
                zh,
                &format!("进行中的阶段 {stage} 不能使用“已成交”预测类别"),
                &format!("open stage {stage} cannot use the closed forecast category"),
            ),
            ConfigProblem::EmptyId { at } => pick(
                zh,
                &format!("{at} 的标识为空"),
                &format!("the id of {at} is empty"),
            ),
            ConfigProblem::NoLossReason => pick(
                zh,
                "至少需要一个输单原因",
                "at least one loss reason is required",
            ),
            ConfigProblem::NoStopReason => pick(
                zh,
                "至少需要一个暂停原因",
                "at least one stop reason is required",
            ),
        }
    }
}

fn pick(zh: bool, zh_cn: &str, en: &str) -> String {
    if zh { zh_cn.to_owned() } else { en.to_owned() }
}

/// A stage move that was not made, with every reason at once so the UI can show a checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveRejected {
    /// The deal.
    pub deal: DealId,
    /// Everything that stands in the way.
    pub problems: Vec<MoveProblem>,
}

impl MoveRejected {
    /// The unmet criteria among the problems.
    pub fn unmet_criteria(&self) -> impl Iterator<Item = &UnmetCriterion> {
        self.problems.iter().filter_map(|problem| match problem {
            MoveProblem::Unmet(unmet) => Some(unmet),
            _ => None,
        })
    }
}

impl fmt::Display for MoveRejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.localized(Locale::En))
    }
}

impl std::error::Error for MoveRejected {}

impl Localized for MoveRejected {
    fn localized(&self, locale: Locale) -> String {
        let problems: Vec<String> = self
            .problems
            .iter()
            .map(|problem| problem.message().get(locale).to_owned())
            .collect();
        match locale {
            Locale::ZhCn => format!("商机 {} 无法变更阶段：{}", self.deal, problems.join("；")),
            Locale::En => format!("deal {} cannot move: {}", self.deal, problems.join("; ")),
        }
    }
}

/// One reason a stage move was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum MoveProblem {
    /// An entry criterion of the target or an exit criterion of the current stage is unmet.
    Unmet(UnmetCriterion),
    /// The move skips stages and the pipeline does not allow it.
    SkipNotAllowed {
        /// Current stage.
        from: StageId,
        /// Target stage (the last stage when winning).
        to: StageId,
    },
    /// The move goes backwards and the pipeline does not allow it.
    BackwardNotAllowed {
        /// Current stage.
        from: StageId,
        /// Target stage.
        to: StageId,
    },
    /// The deal is already in the target stage.
    AlreadyInStage {
        /// The stage.
        stage: StageId,
    },
    /// The deal is won, lost or stopped; reopen it first.
    DealClosed,
    /// Only a won, lost or stopped deal can be reopened.
    NotClosed,
    /// Losing or stopping needs a reason from the pipeline's list.
    ReasonRequired,
    /// The reason is not in the pipeline's list.
    UnknownReason {
        /// The reason given.
        reason: String,
    },
    /// The target stage is not part of the pipeline.
    UnknownStage {
        /// The stage given.
        stage: StageId,
    },
}

impl MoveProblem {
    /// A stable snake_case code for the problem.
    pub fn code(&self) -> &'static str {
        match self {
            MoveProblem::Unmet(_) => "criterion_unmet",
            MoveProblem::SkipNotAllowed { .. } => "skip_not_allowed",
            MoveProblem::BackwardNotAllowed { .. } => "backward_not_allowed",
            MoveProblem::AlreadyInStage { .. } => "already_in_stage",
            MoveProblem::DealClosed => "deal_closed",
            MoveProblem::NotClosed => "not_closed",
            MoveProblem::ReasonRequired => "reason_required",
            MoveProblem::UnknownReason { .. } => "unknown_reason",
            MoveProblem::UnknownStage { .. } => "unknown_stage",
        }
    }

    /// What the UI shows, in both languages.
    pub fn message(&self) -> LocalizedText {
        match self {
            MoveProblem::Unmet(unmet) => unmet.message.clone(),
            MoveProblem::SkipNotAllowed { from, to } => LocalizedText::new(
                format!("本流程不允许从 {from} 跳过中间阶段到 {to}"),
                format!("this pipeline does not allow skipping stages from {from} to {to}"),
            ),
            MoveProblem::BackwardNotAllowed { from, to } => LocalizedText::new(
                format!("本流程不允许从 {from} 退回到 {to}"),
                format!("this pipeline does not allow moving back from {from} to {to}"),
            ),
            MoveProblem::AlreadyInStage { stage } => LocalizedText::new(
                format!("商机已处于阶段 {stage}"),
                format!("the deal is already in stage {stage}"),
            ),
            MoveProblem::DealClosed => LocalizedText::new(
                "商机已关闭（赢单、输单或暂停）：请先重新打开",
                "the deal is closed (won, lost or stopped): reopen it first",
            ),
            MoveProblem::NotClosed => LocalizedText::new(
                "只有已关闭的商机才能重新打开",
                "only a won, lost or stopped deal can be reopened",
            ),
            MoveProblem::ReasonRequired => {
                LocalizedText::new("请从列表中选择原因", "pick a reason from the list")
            }
            MoveProblem::UnknownReason { reason } => LocalizedText::new(
                format!("原因 {reason} 不在本流程的列表中"),
                format!("reason {reason} is not in this pipeline's list"),
            ),
            MoveProblem::UnknownStage { stage } => LocalizedText::new(
                format!("阶段 {stage} 不属于本流程"),
                format!("stage {stage} is not part of this pipeline"),
            ),
        }
    }
}
