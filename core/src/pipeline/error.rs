//! Errors of pipeline configuration and stage moves.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::criterion::UnmetCriterion;
use crate::error::ErrorCode;
use crate::i18n::{Locale, Localized, LocalizedText};
use crate::id::{DealId, IdError, PipelineId, RecordId, StageId};
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
        /// Whose label it is.
        at: ConfigItem,
    },
    /// An open stage uses the `closed` forecast category, which is for won deals only.
    ClosedCategoryOnOpenStage {
        /// The stage.
        stage: StageId,
    },
    /// A criterion, template or reason has an empty (or blank) id.
    EmptyId {
        /// Which item (its id field is the blank id).
        at: ConfigItem,
    },
    /// The loss-reason list is empty, so no deal could ever be lost.
    NoLossReason,
    /// The stop-reason list is empty, so no deal could ever be stopped.
    NoStopReason,
    /// A stage's rotting threshold is zero days, so every deal would be stalled on entry.
    ZeroMaxDwell {
        /// The stage.
        stage: StageId,
    },
    /// A `follow_up_held` entry criterion has `since_stage_entry`, which would refer to the
    /// stage the deal is leaving; use it on exit criteria.
    StageRelativeEntryCriterion {
        /// The stage.
        stage: StageId,
        /// The criterion.
        criterion: String,
    },
    /// A checklist criterion has no label, so users would see only its id.
    UnlabelledChecklist {
        /// The stage.
        stage: StageId,
        /// The criterion.
        criterion: String,
    },
}

/// A part of a pipeline configuration, named in a [`ConfigProblem`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ConfigItem {
    /// The pipeline itself.
    Pipeline,
    /// A stage.
    Stage {
        /// The stage.
        stage: StageId,
    },
    /// An entry or exit criterion of a stage.
    Criterion {
        /// The stage.
        stage: StageId,
        /// The criterion's id (empty when that is the problem).
        criterion: String,
    },
    /// A task template of a stage.
    TaskTemplate {
        /// The stage.
        stage: StageId,
        /// The template's id (empty when that is the problem).
        template: String,
    },
    /// A loss reason.
    LossReason {
        /// The reason's id (empty when that is the problem).
        reason: String,
    },
    /// A stop reason.
    StopReason {
        /// The reason's id (empty when that is the problem).
        reason: String,
    },
}

impl Localized for ConfigItem {
    fn localized(&self, locale: Locale) -> String {
        let zh = locale == Locale::ZhCn;
        // Blank ids are the problem being reported, so they are described, not quoted.
        let named = |id: &str, zh_kind: &str, en_kind: &str| -> String {
            match (zh, id.trim().is_empty()) {
                (true, true) => format!("某个{zh_kind}"),
                (true, false) => format!("{zh_kind} {id}"),
                (false, true) => format!("a {en_kind}"),
                (false, false) => format!("{en_kind} {id}"),
            }
        };
        match self {
            ConfigItem::Pipeline => pick(zh, "销售流程", "the pipeline"),
            ConfigItem::Stage { stage } => named(stage.as_str(), "阶段", "stage"),
            ConfigItem::Criterion { stage, criterion } => pick(
                zh,
                &format!("阶段 {stage} 的{}", named(criterion, "条件", "criterion")),
                &format!("{} of stage {stage}", named(criterion, "条件", "criterion")),
            ),
            ConfigItem::TaskTemplate { stage, template } => pick(
                zh,
                &format!(
                    "阶段 {stage} 的{}",
                    named(template, "任务模板", "task template")
                ),
                &format!(
                    "{} of stage {stage}",
                    named(template, "任务模板", "task template")
                ),
            ),
            ConfigItem::LossReason { reason } => named(reason, "输单原因", "loss reason"),
            ConfigItem::StopReason { reason } => named(reason, "暂停原因", "stop reason"),
        }
    }
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
                &format!("{}的名称缺少中文或英文", at.localized(locale)),
                &format!(
                    "the label of {} lacks its zh-CN or en text",
                    at.localized(locale)
                ),
            ),
            ConfigProblem::ClosedCategoryOnOpenStage { stage } => pick(
                zh,
                &format!("进行中的阶段 {stage} 不能使用“已成交”预测类别"),
                &format!("open stage {stage} cannot use the closed forecast category"),
            ),
            ConfigProblem::EmptyId { at } => pick(
                zh,
                &format!("{}的标识为空", at.localized(locale)),
                &format!("the id of {} is empty", at.localized(locale)),
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
            ConfigProblem::ZeroMaxDwell { stage } => pick(
                zh,
                &format!("阶段 {stage} 的最长停留天数为 0：请设为至少 1 天，或不设上限"),
                &format!(
                    "stage {stage} has a maximum dwell of 0 days: use at least 1 day or no limit"
                ),
            ),
            ConfigProblem::StageRelativeEntryCriterion { stage, criterion } => pick(
                zh,
                &format!(
                    "阶段 {stage} 的进入条件 {criterion} 要求“本阶段内”的跟进：请改为退出条件"
                ),
                &format!(
                    "entry criterion {criterion} of stage {stage} asks for a follow-up since stage entry: make it an exit criterion"
                ),
            ),
            ConfigProblem::UnlabelledChecklist { stage, criterion } => pick(
                zh,
                &format!("阶段 {stage} 的检查项 {criterion} 缺少名称：请填写中英文名称"),
                &format!(
                    "checklist criterion {criterion} of stage {stage} has no label: give it one in zh-CN and en"
                ),
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
    #[serde(rename = "criterion_unmet")]
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
    /// The id of the history entry, or of a task the move would create from it, is already
    /// used on the deal: the caller must draw a fresh transition id.
    DuplicateId {
        /// The id in use.
        id: RecordId,
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
            MoveProblem::DuplicateId { .. } => "duplicate_id",
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
            MoveProblem::DuplicateId { id } => LocalizedText::new(
                format!("记录标识 {id} 已在本商机中使用：请为本次变更生成新的标识"),
                format!("record id {id} is already used on this deal: draw a new id for the move"),
            ),
        }
    }
}

impl super::Pipeline {
    /// What the UI shows for `problem`, naming stages by their labels in this pipeline rather
    /// than by id (e.g. "本流程不允许从「线索验证」跳过中间阶段到「方案演示」"); stages the
    /// pipeline does not have keep their id. [`MoveProblem::message`] is the same without the
    /// pipeline at hand.
    pub fn problem_message(&self, problem: &MoveProblem) -> LocalizedText {
        let label = |stage: &StageId| -> LocalizedText {
            self.stage(stage).map_or_else(
                |_| LocalizedText::new(stage.as_str(), stage.as_str()),
                |found| {
                    LocalizedText::new(format!("「{}」", found.label.zh_cn), found.label.en.clone())
                },
            )
        };
        match problem {
            MoveProblem::SkipNotAllowed { from, to } => {
                let (from, to) = (label(from), label(to));
                LocalizedText::new(
                    format!("本流程不允许从{}跳过中间阶段到{}", from.zh_cn, to.zh_cn),
                    format!(
                        "this pipeline does not allow skipping stages from {} to {}",
                        from.en, to.en
                    ),
                )
            }
            MoveProblem::BackwardNotAllowed { from, to } => {
                let (from, to) = (label(from), label(to));
                LocalizedText::new(
                    format!("本流程不允许从{}退回到{}", from.zh_cn, to.zh_cn),
                    format!(
                        "this pipeline does not allow moving back from {} to {}",
                        from.en, to.en
                    ),
                )
            }
            MoveProblem::AlreadyInStage { stage } => {
                let stage = label(stage);
                LocalizedText::new(
                    format!("商机已处于阶段{}", stage.zh_cn),
                    format!("the deal is already in stage {}", stage.en),
                )
            }
            other => other.message(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::stage;
    use crate::pipeline::Pipeline;

    #[test]
    fn every_move_problem_has_a_code_and_both_languages() {
        let pipeline = Pipeline::template_new_business();
        let problems = [
            MoveProblem::Unmet(UnmetCriterion {
                stage: stage("demo"),
                phase: super::super::CriterionPhase::Exit,
                criterion: "demo_held".into(),
                rule: "follow_up_held".into(),
                message: LocalizedText::new("完成方案演示", "demo held"),
            }),
            MoveProblem::SkipNotAllowed {
                from: stage("qualify"),
                to: stage("demo"),
            },
            MoveProblem::BackwardNotAllowed {
                from: stage("demo"),
                to: stage("retired"),
            },
            MoveProblem::AlreadyInStage {
                stage: stage("needs"),
            },
            MoveProblem::DealClosed,
            MoveProblem::NotClosed,
            MoveProblem::ReasonRequired,
            MoveProblem::UnknownReason {
                reason: "weather".into(),
            },
            MoveProblem::UnknownStage {
                stage: stage("retired"),
            },
            MoveProblem::DuplicateId {
                id: RecordId::new("t1").unwrap(),
            },
        ];
        let mut codes: Vec<&str> = problems.iter().map(MoveProblem::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), problems.len(), "codes are distinct");
        for problem in &problems {
            assert!(!problem.message().is_incomplete());
            let json = serde_json::to_value(problem).unwrap();
            assert_eq!(json["kind"], problem.code());
            assert_eq!(
                &serde_json::from_value::<MoveProblem>(json).unwrap(),
                problem
            );
        }
        assert_eq!(
            pipeline.problem_message(&problems[1]),
            LocalizedText::new(
                "本流程不允许从「线索验证」跳过中间阶段到「方案演示」",
                "this pipeline does not allow skipping stages from Lead qualification to Solution demo"
            )
        );
        assert_eq!(
            pipeline.problem_message(&problems[2]).en,
            "this pipeline does not allow moving back from Solution demo to retired"
        );
        assert_eq!(
            pipeline.problem_message(&problems[3]).zh_cn,
            "商机已处于阶段「需求分析」"
        );
        assert_eq!(
            pipeline.problem_message(&problems[6]),
            problems[6].message()
        );
    }
}
