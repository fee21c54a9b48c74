//! Attention lists (待办与预警): what needs doing across the deals a client holds.

use dealflow_core as domain;
use dealflow_core::Localized;
use serde::Serialize;
use tsify::Tsify;

use wasm_bindgen::JsValue;

use super::common::{LocalizedText, strings};
use crate::convert::{Fields, FromJs, iso_date, opt_iso_date};
use crate::error::JsResult;

/// The organisation's thresholds for attention lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct AttentionConfig {
    /// An open deal without a follow-up for more than this many days is stalled (default 14).
    pub follow_up_days: u32,
    /// Days after creation before a missing or uncontacted decision maker counts (default 14).
    pub decision_maker_grace_days: u32,
}

impl FromJs for domain::AttentionConfig {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        let defaults = domain::AttentionConfig::default();
        Ok(domain::AttentionConfig {
            follow_up_days: fields
                .opt_number("followUpDays")?
                .unwrap_or(defaults.follow_up_days),
            decision_maker_grace_days: fields
                .opt_number("decisionMakerGraceDays")?
                .unwrap_or(defaults.decision_maker_grace_days),
        })
    }
}

impl From<domain::AttentionConfig> for AttentionConfig {
    fn from(config: domain::AttentionConfig) -> Self {
        AttentionConfig {
            follow_up_days: config.follow_up_days,
            decision_maker_grace_days: config.decision_maker_grace_days,
        }
    }
}

/// An open task past its due date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct OverdueTask {
    /// The deal.
    pub deal: String,
    /// The task.
    pub task: String,
    /// What to do.
    pub title: LocalizedText,
    /// Who should do it.
    pub assignee: String,
    /// When it was due.
    #[tsify(type = "IsoDate")]
    #[serde(serialize_with = "iso_date")]
    pub due: time::Date,
    /// Days past due (at least 1).
    pub days_overdue: i64,
}

/// An open deal whose next step is past due.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct OverdueNextStep {
    /// The deal.
    pub deal: String,
    /// Who should act.
    pub owner: String,
    /// The action agreed.
    pub action: String,
    /// When it was due.
    #[tsify(type = "IsoDate")]
    #[serde(serialize_with = "iso_date")]
    pub due: time::Date,
    /// Days past due (at least 1).
    pub days_overdue: i64,
}

/// An open deal without any next step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct DealWithoutNextStep {
    /// The deal.
    pub deal: String,
    /// Its owner.
    pub owner: String,
    /// Its stage.
    pub stage: String,
    /// The day of the last follow-up, if any.
    #[tsify(type = "IsoDate")]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "opt_iso_date")]
    pub last_follow_up_on: Option<time::Date>,
    /// Days since the last follow-up, or since creation when none.
    pub days_since_activity: i64,
}

/// Why a deal counts as stalled; `message` says it in both languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StallReasonKind {
    /// Longer in the stage than its limit.
    #[serde(rename_all = "camelCase")]
    DwellExceeded {
        /// The stage.
        stage: String,
        /// The day the deal entered it.
        #[tsify(type = "IsoDate")]
        #[serde(serialize_with = "iso_date")]
        entered_on: time::Date,
        /// Days since then.
        days_in_stage: i64,
        /// The stage's limit.
        max_dwell_days: u32,
    },
    /// No follow-up for too long.
    #[serde(rename_all = "camelCase")]
    NoRecentFollowUp {
        /// The day of the last follow-up, if any.
        #[tsify(type = "IsoDate")]
        #[serde(skip_serializing_if = "Option::is_none")]
        #[serde(serialize_with = "opt_iso_date")]
        last_follow_up_on: Option<time::Date>,
        /// Days since it (or since creation).
        days_without_follow_up: i64,
        /// The configured limit.
        max_days: u32,
    },
    /// The expected close date has passed.
    #[serde(rename_all = "camelCase")]
    CloseDatePassed {
        /// The expected close date.
        #[tsify(type = "IsoDate")]
        #[serde(serialize_with = "iso_date")]
        expected_close: time::Date,
        /// Days since it.
        days_overdue: i64,
    },
    /// No decision maker after the grace period.
    #[serde(rename_all = "camelCase")]
    NoDecisionMaker {
        /// Days since creation.
        days_open: i64,
        /// The grace period.
        grace_days: u32,
    },
    /// Decision makers are known but none was ever contacted.
    #[serde(rename_all = "camelCase")]
    DecisionMakerNotContacted {
        /// The decision makers' contact ids.
        contacts: Vec<String>,
        /// Days since creation.
        days_open: i64,
        /// The grace period.
        grace_days: u32,
    },
    /// A reason this version of the binding does not know; show `message`.
    Other,
}

/// One reason an open deal counts as stalled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct StallReason {
    /// What kind of reason, with its figures.
    pub reason: StallReasonKind,
    /// The sentence to show, in both languages.
    pub message: LocalizedText,
    /// How many days past its threshold (at least 0).
    pub days_past_threshold: i64,
}

impl From<&domain::StallReason> for StallReason {
    fn from(reason: &domain::StallReason) -> Self {
        use domain::StallReason as R;
        let kind = match reason {
            R::DwellExceeded {
                stage,
                entered_on,
                days_in_stage,
                max_dwell_days,
            } => StallReasonKind::DwellExceeded {
                stage: stage.to_string(),
                entered_on: *entered_on,
                days_in_stage: *days_in_stage,
                max_dwell_days: *max_dwell_days,
            },
            R::NoRecentFollowUp {
                last_follow_up_on,
                days_without_follow_up,
                max_days,
            } => StallReasonKind::NoRecentFollowUp {
                last_follow_up_on: *last_follow_up_on,
                days_without_follow_up: *days_without_follow_up,
                max_days: *max_days,
            },
            R::CloseDatePassed {
                expected_close,
                days_overdue,
            } => StallReasonKind::CloseDatePassed {
                expected_close: *expected_close,
                days_overdue: *days_overdue,
            },
            R::NoDecisionMaker {
                days_open,
                grace_days,
            } => StallReasonKind::NoDecisionMaker {
                days_open: *days_open,
                grace_days: *grace_days,
            },
            R::DecisionMakerNotContacted {
                contacts,
                days_open,
                grace_days,
            } => StallReasonKind::DecisionMakerNotContacted {
                contacts: strings(contacts),
                days_open: *days_open,
                grace_days: *grace_days,
            },
            _ => StallReasonKind::Other,
        };
        StallReason {
            reason: kind,
            message: LocalizedText {
                zh: reason.localized(domain::Locale::ZhCn),
                en: reason.localized(domain::Locale::En),
            },
            days_past_threshold: reason.days_past_threshold(),
        }
    }
}

/// An open deal that has stalled, with every reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct StalledDeal {
    /// The deal.
    pub deal: String,
    /// Its owner.
    pub owner: String,
    /// Its stage.
    pub stage: String,
    /// Every reason.
    pub reasons: Vec<StallReason>,
    /// The largest `daysPastThreshold` among the reasons.
    pub worst_days_past: i64,
}

/// What was missing to check a deal's stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Unresolved {
    /// The deal's pipeline is not loaded.
    UnknownPipeline {
        /// The deal's pipeline.
        pipeline: String,
    },
    /// The deal's stage is not in its pipeline.
    UnknownStage {
        /// The pipeline.
        pipeline: String,
        /// The stage.
        stage: String,
    },
    /// The deal has no stage history.
    NoHistory,
    /// A problem this version of the binding does not know.
    Other,
}

/// An open deal the lists could not fully check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct UnresolvedDeal {
    /// The deal.
    pub deal: String,
    /// What is missing.
    pub problem: Unresolved,
}

/// What needs attention across the deals, each list most urgent first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct AttentionLists {
    /// Open tasks due before today on open deals.
    pub overdue_tasks: Vec<OverdueTask>,
    /// Open deals whose next step was due before today.
    pub overdue_next_steps: Vec<OverdueNextStep>,
    /// Open deals with no next step.
    pub deals_without_next_step: Vec<DealWithoutNextStep>,
    /// Stalled ("zombie") deals with every reason.
    pub stalled_deals: Vec<StalledDeal>,
    /// Open deals whose pipeline or stage is not loaded.
    pub unresolved: Vec<UnresolvedDeal>,
}

impl From<domain::AttentionLists> for AttentionLists {
    fn from(lists: domain::AttentionLists) -> Self {
        AttentionLists {
            overdue_tasks: lists
                .overdue_tasks
                .into_iter()
                .map(|task| OverdueTask {
                    deal: task.deal.into(),
                    task: task.task.into(),
                    title: task.title.into(),
                    assignee: task.assignee.into(),
                    due: task.due,
                    days_overdue: task.days_overdue,
                })
                .collect(),
            overdue_next_steps: lists
                .overdue_next_steps
                .into_iter()
                .map(|step| OverdueNextStep {
                    deal: step.deal.into(),
                    owner: step.owner.into(),
                    action: step.action,
                    due: step.due,
                    days_overdue: step.days_overdue,
                })
                .collect(),
            deals_without_next_step: lists
                .deals_without_next_step
                .into_iter()
                .map(|deal| DealWithoutNextStep {
                    deal: deal.deal.into(),
                    owner: deal.owner.into(),
                    stage: deal.stage.into(),
                    last_follow_up_on: deal.last_follow_up_on,
                    days_since_activity: deal.days_since_activity,
                })
                .collect(),
            stalled_deals: lists
                .stalled_deals
                .into_iter()
                .map(|stalled| StalledDeal {
                    deal: stalled.deal.into(),
                    owner: stalled.owner.into(),
                    stage: stalled.stage.into(),
                    reasons: stalled.reasons.iter().map(StallReason::from).collect(),
                    worst_days_past: stalled.worst_days_past,
                })
                .collect(),
            unresolved: lists
                .unresolved
                .into_iter()
                .map(|unresolved| UnresolvedDeal {
                    deal: unresolved.deal.into(),
                    problem: match unresolved.problem {
                        domain::Unresolved::UnknownPipeline { pipeline } => {
                            Unresolved::UnknownPipeline {
                                pipeline: pipeline.into(),
                            }
                        }
                        domain::Unresolved::UnknownStage { pipeline, stage } => {
                            Unresolved::UnknownStage {
                                pipeline: pipeline.into(),
                                stage: stage.into(),
                            }
                        }
                        domain::Unresolved::NoHistory => Unresolved::NoHistory,
                        _ => Unresolved::Other,
                    },
                })
                .collect(),
        }
    }
}
