//! Pipeline configuration, stage moves and their checklists.

use dealflow_core as domain;
use dealflow_core::Localized;
use serde::Serialize;
use tsify::Tsify;

use super::common::{LocalizedText, Money, id, utc_offset};
use super::deal::{ContactRole, DealRole, FollowUpKind, StageTransition, Task};
use crate::convert::{Fields, FromJs};
use crate::error::{Failure, JsResult};
use wasm_bindgen::JsValue;

mirror_enum! {
    /// Forecast category (rep commit model); `closed` is for won deals only.
    ForecastCategory = ForecastCategory {
        /// Early or uncertain.
        Pipeline = "pipeline",
        /// Could close this period.
        BestCase = "best_case",
        /// The owner commits to closing it this period.
        Commit = "commit",
        /// Won.
        Closed = "closed",
    }
}

mirror_enum! {
    /// Whether a criterion guards entering or leaving a stage.
    CriterionPhase = CriterionPhase {
        /// Must hold to enter the stage.
        Entry = "entry",
        /// Must hold to leave the stage forward.
        Exit = "exit",
    }
}

mirror_enum! {
    /// A deal field that a `field_set` criterion can require.
    DealField = DealField {
        /// Title.
        Title = "title",
        /// Customer company name.
        AccountName = "account_name",
        /// Customer industry.
        Industry = "industry",
        /// Customer size.
        CompanySize = "company_size",
        /// Customer region.
        Region = "region",
        /// Customer background.
        Background = "background",
        /// Expected close date.
        ExpectedClose = "expected_close",
        /// Needs and pain points.
        Needs = "needs",
        /// Expected business value.
        BusinessValue = "business_value",
        /// Budget approval cycle.
        ApprovalCycle = "approval_cycle",
        /// Source channel.
        Source = "source",
        /// Campaign.
        Campaign = "campaign",
    }
}

/// The condition of a stage criterion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Rule {
    /// A field of the deal is filled in.
    FieldSet {
        /// The field.
        field: DealField,
    },
    /// The amount is greater than zero.
    AmountPositive,
    /// A budget range is recorded.
    BudgetRangeKnown,
    /// The customer has confirmed the budget.
    BudgetConfirmed,
    /// A contact with this role is on the deal.
    ContactWithRole {
        /// The role.
        role: ContactRole,
    },
    /// A follow-up was held.
    #[serde(rename_all = "camelCase")]
    FollowUpHeld {
        /// Kind of follow-up required (any when absent).
        #[serde(skip_serializing_if = "Option::is_none")]
        kind: Option<FollowUpKind>,
        /// Whether customer feedback must be recorded on it.
        #[serde(default)]
        with_feedback: bool,
        /// Whether it must have happened since the deal entered its current stage.
        #[serde(default)]
        since_stage_entry: bool,
    },
    /// A checklist item ticked by hand on the deal.
    Checklist,
    /// The deal has a next step due today or later.
    NextStepScheduled,
    /// At least one product line is on the deal.
    ProductLines,
}

impl From<domain::Rule> for Rule {
    fn from(rule: domain::Rule) -> Self {
        match rule {
            domain::Rule::FieldSet { field } => Rule::FieldSet {
                field: field.into(),
            },
            domain::Rule::AmountPositive => Rule::AmountPositive,
            domain::Rule::BudgetRangeKnown => Rule::BudgetRangeKnown,
            domain::Rule::BudgetConfirmed => Rule::BudgetConfirmed,
            domain::Rule::ContactWithRole { role } => Rule::ContactWithRole { role: role.into() },
            domain::Rule::FollowUpHeld {
                kind,
                with_feedback,
                since_stage_entry,
            } => Rule::FollowUpHeld {
                kind: kind.map(FollowUpKind::from),
                with_feedback,
                since_stage_entry,
            },
            domain::Rule::Checklist => Rule::Checklist,
            domain::Rule::NextStepScheduled => Rule::NextStepScheduled,
            domain::Rule::ProductLines => Rule::ProductLines,
        }
    }
}

impl FromJs for domain::Rule {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(match fields.text("type")?.as_str() {
            "field_set" => domain::Rule::FieldSet {
                field: fields.name::<DealField>("field")?.into(),
            },
            "amount_positive" => domain::Rule::AmountPositive,
            "budget_range_known" => domain::Rule::BudgetRangeKnown,
            "budget_confirmed" => domain::Rule::BudgetConfirmed,
            "contact_with_role" => domain::Rule::ContactWithRole {
                role: fields.name::<ContactRole>("role")?.into(),
            },
            "follow_up_held" => domain::Rule::FollowUpHeld {
                kind: fields.opt_name::<FollowUpKind>("kind")?.map(Into::into),
                with_feedback: fields.flag("withFeedback")?,
                since_stage_entry: fields.flag("sinceStageEntry")?,
            },
            "checklist" => domain::Rule::Checklist,
            "next_step_scheduled" => domain::Rule::NextStepScheduled,
            "product_lines" => domain::Rule::ProductLines,
            _ => {
                return Err(Failure::Input(format!(
                    "{what}.type must be a rule kind such as \"field_set\" or \"checklist\""
                )));
            }
        })
    }
}

/// The kind of a criterion's rule, as reported in checklists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// `field_set`.
    FieldSet,
    /// `amount_positive`.
    AmountPositive,
    /// `budget_range_known`.
    BudgetRangeKnown,
    /// `budget_confirmed`.
    BudgetConfirmed,
    /// `contact_with_role`.
    ContactWithRole,
    /// `follow_up_held`.
    FollowUpHeld,
    /// `checklist`: tick it on the deal.
    Checklist,
    /// `next_step_scheduled`.
    NextStepScheduled,
    /// `product_lines`.
    ProductLines,
}

impl From<&domain::Rule> for RuleKind {
    fn from(rule: &domain::Rule) -> Self {
        match rule {
            domain::Rule::FieldSet { .. } => RuleKind::FieldSet,
            domain::Rule::AmountPositive => RuleKind::AmountPositive,
            domain::Rule::BudgetRangeKnown => RuleKind::BudgetRangeKnown,
            domain::Rule::BudgetConfirmed => RuleKind::BudgetConfirmed,
            domain::Rule::ContactWithRole { .. } => RuleKind::ContactWithRole,
            domain::Rule::FollowUpHeld { .. } => RuleKind::FollowUpHeld,
            domain::Rule::Checklist => RuleKind::Checklist,
            domain::Rule::NextStepScheduled => RuleKind::NextStepScheduled,
            domain::Rule::ProductLines => RuleKind::ProductLines,
        }
    }
}

/// A stage's entry or exit criterion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct Criterion {
    /// Identifier, unique within the pipeline (checklist ticks are stored under it).
    pub id: String,
    /// The condition.
    pub rule: Rule,
    /// How to show it; generated from the rule when absent on input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<LocalizedText>,
    /// How the UI shows it: the label, or a description of the rule (filled on output).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<LocalizedText>,
}

impl From<domain::Criterion> for Criterion {
    fn from(criterion: domain::Criterion) -> Self {
        let description = Some(criterion.description().into());
        Criterion {
            id: criterion.id,
            rule: criterion.rule.into(),
            label: criterion.label.map(LocalizedText::from),
            description,
        }
    }
}

impl FromJs for domain::Criterion {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::Criterion {
            id: fields.text("id")?,
            rule: fields.value("rule")?,
            label: fields.opt_value("label")?,
        })
    }
}

/// A loss or stop reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct Reason {
    /// Identifier, unique within its list.
    pub id: String,
    /// Display label.
    pub label: LocalizedText,
}

impl From<domain::Reason> for Reason {
    fn from(reason: domain::Reason) -> Self {
        Reason {
            id: reason.id,
            label: reason.label.into(),
        }
    }
}

impl FromJs for domain::Reason {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::Reason {
            id: fields.text("id")?,
            label: fields.value("label")?,
        })
    }
}

/// A task created when a deal enters a stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct TaskTemplate {
    /// Identifier, unique within the stage.
    pub id: String,
    /// What to do.
    pub title: LocalizedText,
    /// Days after entering the stage that the task is due.
    pub due_in_days: u32,
    /// Who does it: the deal-team member with this role, else the owner.
    pub assignee: DealRole,
}

impl From<domain::TaskTemplate> for TaskTemplate {
    fn from(template: domain::TaskTemplate) -> Self {
        TaskTemplate {
            id: template.id,
            title: template.title.into(),
            due_in_days: template.due_in_days,
            assignee: template.assignee.into(),
        }
    }
}

impl FromJs for domain::TaskTemplate {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::TaskTemplate {
            id: fields.text("id")?,
            title: fields.value("title")?,
            due_in_days: fields.number("dueInDays")?,
            assignee: fields.name::<DealRole>("assignee")?.into(),
        })
    }
}

/// How freely deals may move between stages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct MoveRules {
    /// Whether a forward move may skip stages.
    pub allow_skip: bool,
    /// Whether a deal may move back to an earlier stage.
    pub allow_backward: bool,
}

/// One open stage of a pipeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct Stage {
    /// Identifier, unique within the pipeline.
    pub id: String,
    /// Display label.
    pub label: LocalizedText,
    /// Default win probability in basis points (4 000 = 40 %).
    pub probability_bp: u16,
    /// Default forecast category.
    pub forecast_category: ForecastCategory,
    /// Conditions that must hold to enter the stage.
    #[serde(default)]
    pub entry_criteria: Vec<Criterion>,
    /// Conditions that must hold to leave the stage forward.
    #[serde(default)]
    pub exit_criteria: Vec<Criterion>,
    /// Days a deal may stay before it counts as stalled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_dwell_days: Option<u32>,
    /// Tasks created when a deal enters the stage.
    #[serde(default)]
    pub task_templates: Vec<TaskTemplate>,
}

impl From<domain::Stage> for Stage {
    fn from(stage: domain::Stage) -> Self {
        Stage {
            id: stage.id.into(),
            label: stage.label.into(),
            probability_bp: stage.probability.basis_points(),
            forecast_category: stage.forecast_category.into(),
            entry_criteria: stage
                .entry_criteria
                .into_iter()
                .map(Criterion::from)
                .collect(),
            exit_criteria: stage
                .exit_criteria
                .into_iter()
                .map(Criterion::from)
                .collect(),
            max_dwell_days: stage.max_dwell_days,
            task_templates: stage
                .task_templates
                .into_iter()
                .map(TaskTemplate::from)
                .collect(),
        }
    }
}

impl FromJs for domain::Stage {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::Stage {
            id: id(fields.text("id")?)?,
            label: fields.value("label")?,
            probability: super::common::probability(fields.number("probabilityBp")?)?,
            forecast_category: fields.name::<ForecastCategory>("forecastCategory")?.into(),
            entry_criteria: fields.values("entryCriteria")?,
            exit_criteria: fields.values("exitCriteria")?,
            max_dwell_days: fields.opt_number("maxDwellDays")?,
            task_templates: fields.values("taskTemplates")?,
        })
    }
}

/// A pipeline's whole configuration (销售流程配置).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct PipelineConfig {
    /// Identifier, unique within the organisation.
    pub id: String,
    /// Display name.
    pub name: LocalizedText,
    /// Open stages in order.
    pub stages: Vec<Stage>,
    /// Reasons a deal can be lost for.
    pub loss_reasons: Vec<Reason>,
    /// Reasons a deal can be stopped for.
    pub stop_reasons: Vec<Reason>,
    /// Whether stages may be skipped and deals moved backwards.
    pub rules: MoveRules,
}

impl From<domain::Pipeline> for PipelineConfig {
    fn from(pipeline: domain::Pipeline) -> Self {
        PipelineConfig {
            id: pipeline.id.into(),
            name: pipeline.name.into(),
            stages: pipeline.stages.into_iter().map(Stage::from).collect(),
            loss_reasons: pipeline
                .loss_reasons
                .into_iter()
                .map(Reason::from)
                .collect(),
            stop_reasons: pipeline
                .stop_reasons
                .into_iter()
                .map(Reason::from)
                .collect(),
            rules: MoveRules {
                allow_skip: pipeline.rules.allow_skip,
                allow_backward: pipeline.rules.allow_backward,
            },
        }
    }
}

impl FromJs for domain::Pipeline {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        let rules: Option<domain::MoveRules> = fields.opt_value("rules")?;
        Ok(domain::Pipeline {
            id: id(fields.text("id")?)?,
            name: fields.value("name")?,
            stages: fields.values("stages")?,
            loss_reasons: fields.values("lossReasons")?,
            stop_reasons: fields.values("stopReasons")?,
            rules: rules.unwrap_or_default(),
        })
    }
}

impl FromJs for domain::MoveRules {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::MoveRules {
            allow_skip: fields.flag("allowSkip")?,
            allow_backward: fields.flag("allowBackward")?,
        })
    }
}

impl FromJs for (domain::StageId, domain::Money) {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok((id(fields.text("stageId")?)?, fields.value("amount")?))
    }
}

/// An open deal's stage and amount, for a weighted total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct StageAmount {
    /// Stage id within the pipeline.
    pub stage_id: String,
    /// Deal amount.
    pub amount: Money,
}

/// Where a stage move takes a deal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MoveTarget {
    /// Another open stage (forward or backward).
    Stage {
        /// The target stage.
        stage: String,
    },
    /// Close as won.
    Won,
    /// Close as lost, with a loss reason id from the pipeline.
    Lost {
        /// Loss reason id.
        reason: String,
        /// Details.
        #[serde(default)]
        note: String,
    },
    /// Stop or put on hold, with a stop reason id from the pipeline.
    Stopped {
        /// Stop reason id.
        reason: String,
        /// Details.
        #[serde(default)]
        note: String,
    },
    /// Reopen a closed deal into an open stage.
    Reopen {
        /// The stage to reopen into.
        stage: String,
    },
}

impl FromJs for domain::MoveTarget {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(match fields.text("kind")?.as_str() {
            "stage" => domain::MoveTarget::Stage {
                stage: id(fields.text("stage")?)?,
            },
            "won" => domain::MoveTarget::Won,
            "lost" => domain::MoveTarget::Lost {
                reason: fields.text("reason")?,
                note: fields.text_or_empty("note")?,
            },
            "stopped" => domain::MoveTarget::Stopped {
                reason: fields.text("reason")?,
                note: fields.text_or_empty("note")?,
            },
            "reopen" => domain::MoveTarget::Reopen {
                stage: id(fields.text("stage")?)?,
            },
            _ => {
                return Err(Failure::Input(format!(
                    "{what}.kind must be one of \"stage\" \"won\" \"lost\" \"stopped\" \"reopen\""
                )));
            }
        })
    }
}

/// Who moves a deal, when, in which time zone, and the id of the history entry to write.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct MoveContext {
    /// The user making the move.
    pub by: String,
    /// The current time.
    #[tsify(type = "Millis")]
    pub now: i64,
    /// The organisation's UTC offset in minutes (480 for China Standard Time), for due dates.
    pub utc_offset_minutes: i32,
    /// A fresh id for the history entry; tasks the move creates derive their ids from it.
    pub transition_id: String,
}

impl FromJs for domain::MoveContext {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::MoveContext {
            now: domain::Timestamp::from_millis(fields.integer("now")?),
            offset: utc_offset(fields.number("utcOffsetMinutes")?)?,
            by: id(fields.text("by")?)?,
            transition_id: id(fields.text("transitionId")?)?,
        })
    }
}

/// What an accepted stage move recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct MoveOutcome {
    /// The new history entry.
    pub transition: StageTransition,
    /// Tasks created from the target stage's templates.
    pub tasks: Vec<Task>,
}

impl From<domain::MoveOutcome> for MoveOutcome {
    fn from(outcome: domain::MoveOutcome) -> Self {
        MoveOutcome {
            transition: outcome.transition.into(),
            tasks: outcome.tasks.into_iter().map(Task::from).collect(),
        }
    }
}

/// The kind of a [`MoveProblem`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "snake_case")]
pub enum MoveProblemCode {
    /// An entry criterion of the target or an exit criterion of the current stage is unmet.
    CriterionUnmet,
    /// The move skips stages and the pipeline does not allow it.
    SkipNotAllowed,
    /// The move goes backwards and the pipeline does not allow it.
    BackwardNotAllowed,
    /// The deal is already in the target stage.
    AlreadyInStage,
    /// The deal is closed; reopen it first.
    DealClosed,
    /// Only a closed deal can be reopened.
    NotClosed,
    /// Losing or stopping needs a reason.
    ReasonRequired,
    /// The reason is not in the pipeline's list.
    UnknownReason,
    /// The target stage is not part of the pipeline.
    UnknownStage,
    /// The transition id is already used: draw a fresh one.
    DuplicateId,
    /// A problem this version of the binding does not know; show its message.
    Other,
}

/// One reason a stage move was rejected: a line of the checklist the UI shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct MoveProblem {
    /// What kind of problem.
    pub code: MoveProblemCode,
    /// What to show, in both languages.
    pub message: LocalizedText,
    /// For unmet criteria: the criterion's id (tick `checklist` criteria on the deal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub criterion: Option<String>,
    /// For unmet criteria: the kind of rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<RuleKind>,
    /// For unmet criteria: entry or exit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<CriterionPhase>,
    /// The stage concerned (the criterion's stage, the unknown or current stage).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// For skip and backward moves: the current stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// For skip and backward moves: the target stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// For an unknown reason: the reason given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For a duplicate id: the id in use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

fn rule_kind(code: &str) -> Option<RuleKind> {
    Some(match code {
        "field_set" => RuleKind::FieldSet,
        "amount_positive" => RuleKind::AmountPositive,
        "budget_range_known" => RuleKind::BudgetRangeKnown,
        "budget_confirmed" => RuleKind::BudgetConfirmed,
        "contact_with_role" => RuleKind::ContactWithRole,
        "follow_up_held" => RuleKind::FollowUpHeld,
        "checklist" => RuleKind::Checklist,
        "next_step_scheduled" => RuleKind::NextStepScheduled,
        "product_lines" => RuleKind::ProductLines,
        _ => return None,
    })
}

impl From<&domain::MoveProblem> for MoveProblem {
    fn from(problem: &domain::MoveProblem) -> Self {
        let mut dto = MoveProblem {
            code: MoveProblemCode::Other,
            message: problem.message().into(),
            criterion: None,
            rule: None,
            phase: None,
            stage: None,
            from: None,
            to: None,
            reason: None,
            id: None,
        };
        match problem {
            domain::MoveProblem::Unmet(unmet) => {
                dto.code = MoveProblemCode::CriterionUnmet;
                dto.criterion = Some(unmet.criterion.clone());
                dto.rule = rule_kind(&unmet.rule);
                dto.phase = Some(unmet.phase.into());
                dto.stage = Some(unmet.stage.to_string());
            }
            domain::MoveProblem::SkipNotAllowed { from, to } => {
                dto.code = MoveProblemCode::SkipNotAllowed;
                dto.from = Some(from.to_string());
                dto.to = Some(to.to_string());
            }
            domain::MoveProblem::BackwardNotAllowed { from, to } => {
                dto.code = MoveProblemCode::BackwardNotAllowed;
                dto.from = Some(from.to_string());
                dto.to = Some(to.to_string());
            }
            domain::MoveProblem::AlreadyInStage { stage } => {
                dto.code = MoveProblemCode::AlreadyInStage;
                dto.stage = Some(stage.to_string());
            }
            domain::MoveProblem::DealClosed => dto.code = MoveProblemCode::DealClosed,
            domain::MoveProblem::NotClosed => dto.code = MoveProblemCode::NotClosed,
            domain::MoveProblem::ReasonRequired => dto.code = MoveProblemCode::ReasonRequired,
            domain::MoveProblem::UnknownReason { reason } => {
                dto.code = MoveProblemCode::UnknownReason;
                dto.reason = Some(reason.clone());
            }
            domain::MoveProblem::UnknownStage { stage } => {
                dto.code = MoveProblemCode::UnknownStage;
                dto.stage = Some(stage.to_string());
            }
            domain::MoveProblem::DuplicateId { id } => {
                dto.code = MoveProblemCode::DuplicateId;
                dto.id = Some(id.to_string());
            }
            _ => {}
        }
        dto
    }
}

/// The kind of a [`ConfigProblem`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "snake_case")]
pub enum ConfigProblemCode {
    /// No open stage.
    NoOpenStage,
    /// Two stages share an id.
    DuplicateStage,
    /// Two criteria share an id.
    DuplicateCriterion,
    /// Two task templates of a stage share an id.
    DuplicateTaskTemplate,
    /// Two reasons of one list share an id.
    DuplicateReason,
    /// A label lacks its zh-CN or en text.
    IncompleteLabel,
    /// An open stage uses the `closed` category.
    ClosedCategoryOnOpenStage,
    /// An id is empty.
    EmptyId,
    /// No loss reason.
    NoLossReason,
    /// No stop reason.
    NoStopReason,
    /// A stage's dwell limit is zero.
    ZeroMaxDwell,
    /// An entry criterion counts from the stage entry, which has not happened yet.
    StageRelativeEntryCriterion,
    /// A checklist criterion without a label.
    UnlabelledChecklist,
    /// A problem this version of the binding does not know; show its message.
    Other,
}

/// One problem of a pipeline configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ConfigProblem {
    /// What kind of problem.
    pub code: ConfigProblemCode,
    /// What to show, in both languages.
    pub message: LocalizedText,
}

impl From<&domain::ConfigProblem> for ConfigProblem {
    fn from(problem: &domain::ConfigProblem) -> Self {
        use domain::ConfigProblem as P;
        let code = match problem {
            P::NoOpenStage => ConfigProblemCode::NoOpenStage,
            P::DuplicateStage { .. } => ConfigProblemCode::DuplicateStage,
            P::DuplicateCriterion { .. } => ConfigProblemCode::DuplicateCriterion,
            P::DuplicateTaskTemplate { .. } => ConfigProblemCode::DuplicateTaskTemplate,
            P::DuplicateReason { .. } => ConfigProblemCode::DuplicateReason,
            P::IncompleteLabel { .. } => ConfigProblemCode::IncompleteLabel,
            P::ClosedCategoryOnOpenStage { .. } => ConfigProblemCode::ClosedCategoryOnOpenStage,
            P::EmptyId { .. } => ConfigProblemCode::EmptyId,
            P::NoLossReason => ConfigProblemCode::NoLossReason,
            P::NoStopReason => ConfigProblemCode::NoStopReason,
            P::ZeroMaxDwell { .. } => ConfigProblemCode::ZeroMaxDwell,
            P::StageRelativeEntryCriterion { .. } => ConfigProblemCode::StageRelativeEntryCriterion,
            P::UnlabelledChecklist { .. } => ConfigProblemCode::UnlabelledChecklist,
            _ => ConfigProblemCode::Other,
        };
        ConfigProblem {
            code,
            message: LocalizedText {
                zh: problem.localized(domain::Locale::ZhCn),
                en: problem.localized(domain::Locale::En),
            },
        }
    }
}
