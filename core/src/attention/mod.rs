//! Attention lists (待办与预警): what needs doing across many deals, computed given `now`.
//!
//! [`AttentionLists::compute`] walks every deal once and fills five lists: overdue tasks,
//! overdue next steps, open deals without a next step, stalled ("zombie") deals with all their
//! [`StallReason`]s, and deals it could not fully check (unknown pipeline or stage). The work is
//! linear in the size of the deals plus a sort of each list, so 100,000 deals take well under a
//! second. Only open deals are listed: work on won, lost and stopped deals has ended (reopen a
//! deal to bring it back).

mod reason;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use time::{Date, UtcOffset};

pub use reason::StallReason;

use crate::deal::{Deal, TaskStatus};
use crate::i18n::LocalizedText;
use crate::id::{ContactId, DealId, PipelineId, RecordId, StageId, UserId};
use crate::pipeline::{Pipeline, Stage};
use crate::timestamp::Timestamp;

/// The organisation's thresholds for attention lists.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AttentionConfig {
    /// An open deal without a follow-up for more than this many days is stalled (counted from
    /// its creation when it never had one). Default 14.
    pub follow_up_days: u32,
    /// An open deal this many days old (or older) without a contacted decision maker is
    /// stalled; younger deals are still being qualified. Default 14; 0 flags from day one.
    pub decision_maker_grace_days: u32,
}

impl Default for AttentionConfig {
    fn default() -> Self {
        AttentionConfig {
            follow_up_days: 14,
            decision_maker_grace_days: 14,
        }
    }
}

/// What needs attention across a set of deals at one moment. Each list is sorted most urgent
/// first; see the fields.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct AttentionLists {
    /// Open tasks due before today on open deals: earliest due first, then by deal and task.
    pub overdue_tasks: Vec<OverdueTask>,
    /// Open deals whose next step was due before today: earliest due first, then by deal.
    pub overdue_next_steps: Vec<OverdueNextStep>,
    /// Open deals with no next step at all: longest without activity first, then by deal.
    /// Together with `overdue_next_steps` these are the open deals without a future next step.
    pub deals_without_next_step: Vec<DealWithoutNextStep>,
    /// Open deals with at least one [`StallReason`]: worst (most days past a threshold) first,
    /// then most reasons, then by deal.
    pub stalled_deals: Vec<StalledDeal>,
    /// Open deals whose pipeline or stage is not in the configuration given, so the stage's
    /// rotting threshold could not be checked (every other check was made), by deal.
    pub unresolved: Vec<UnresolvedDeal>,
}

/// An open task past its due date.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct OverdueTask {
    /// The deal.
    pub deal: DealId,
    /// The task.
    pub task: RecordId,
    /// What to do.
    pub title: LocalizedText,
    /// Who should do it.
    pub assignee: UserId,
    /// When it was due.
    pub due: Date,
    /// Days past due (at least 1).
    pub days_overdue: i64,
}

/// An open deal whose next step is past due.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct OverdueNextStep {
    /// The deal.
    pub deal: DealId,
    /// Who should act: the next step's owner, else the deal owner.
    pub owner: UserId,
    /// The action agreed.
    pub action: String,
    /// When it was due.
    pub due: Date,
    /// Days past due (at least 1).
    pub days_overdue: i64,
}

/// An open deal without any next step.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DealWithoutNextStep {
    /// The deal.
    pub deal: DealId,
    /// Its owner.
    pub owner: UserId,
    /// Its stage.
    pub stage: StageId,
    /// The day of the last follow-up, if any.
    pub last_follow_up_on: Option<Date>,
    /// Days since the last follow-up, or since creation when none.
    pub days_since_activity: i64,
}

/// An open deal that has stalled, with every reason.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct StalledDeal {
    /// The deal.
    pub deal: DealId,
    /// Its owner.
    pub owner: UserId,
    /// Its stage.
    pub stage: StageId,
    /// Every reason, in the order dwell, follow-up, close date, decision maker.
    pub reasons: Vec<StallReason>,
    /// The largest [`StallReason::days_past_threshold`] among the reasons.
    pub worst_days_past: i64,
}

/// An open deal the attention lists could not fully check.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct UnresolvedDeal {
    /// The deal.
    pub deal: DealId,
    /// What is missing.
    pub problem: Unresolved,
}

/// What was missing to check a deal's stage.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Unresolved {
    /// The deal's pipeline was not among the pipelines given.
    UnknownPipeline {
        /// The deal's pipeline.
        pipeline: PipelineId,
    },
    /// The deal's stage is not in its pipeline (e.g. removed from the configuration).
    UnknownStage {
        /// The pipeline.
        pipeline: PipelineId,
        /// The stage.
        stage: StageId,
    },
    /// The deal has no stage history (corrupt input); it is in no other list.
    NoHistory,
}

impl AttentionLists {
    /// Computes every list over `deals` at `now`; calendar days are counted in the time zone
    /// `offset` (the organisation's). `pipelines` are the organisation's pipelines: a deal
    /// whose pipeline is missing is still checked for everything but its stage's rotting
    /// threshold, and listed in [`AttentionLists::unresolved`].
    ///
    /// ```
    /// use dealflow_core::*;
    /// use time::macros::{date, offset};
    ///
    /// let pipeline = Pipeline::template_new_business();
    /// let created = Timestamp::start_of_day(date!(2026 - 03 - 02), offset!(+8));
    /// let ctx = MoveContext {
    ///     now: created,
    ///     offset: offset!(+8),
    ///     by: UserId::new("rep-li")?,
    ///     transition_id: RecordId::new("t1")?,
    /// };
    /// let new = NewDeal {
    ///     id: DealId::new("deal-1")?,
    ///     title: "华东电网 CRM 二期".into(),
    ///     account: Account { name: "华东电网".into(), ..Account::default() },
    ///     amount: Money::from_major(100_000, Currency::CNY)?,
    ///     expected_close: Some(date!(2026 - 03 - 20)),
    ///     owner: UserId::new("rep-li")?,
    ///     team: None,
    ///     source: None,
    ///     stage: None,
    /// };
    /// let (deal, _tasks) = pipeline.open_deal(new, &ctx)?;
    ///
    /// // Thirty days later nothing has happened on the deal.
    /// let now = created.plus_days(30);
    /// let lists = AttentionLists::compute(
    ///     [&deal],
    ///     &[pipeline],
    ///     &AttentionConfig::default(),
    ///     now,
    ///     offset!(+8),
    /// );
    /// assert_eq!(lists.overdue_tasks.len(), 1); // 首次电话沟通, due on day 2
    /// assert_eq!(lists.deals_without_next_step.len(), 1);
    /// let stalled = &lists.stalled_deals[0];
    /// let codes: Vec<&str> = stalled.reasons.iter().map(StallReason::code).collect();
    /// assert_eq!(
    ///     codes,
    ///     ["dwell_exceeded", "no_recent_follow_up", "close_date_passed", "no_decision_maker"]
    /// );
    /// assert_eq!(
    ///     stalled.reasons[0].localized(Locale::ZhCn),
    ///     "自 2026-03-02 起在当前阶段停留 30 天，超过上限 14 天"
    /// );
    /// assert_eq!(stalled.worst_days_past, 16); // 30 days in a stage that allows 14
    /// # Ok::<(), dealflow_core::Error>(())
    /// ```
    pub fn compute<'deal>(
        deals: impl IntoIterator<Item = &'deal Deal>,
        pipelines: &[Pipeline],
        config: &AttentionConfig,
        now: Timestamp,
        offset: UtcOffset,
    ) -> AttentionLists {
        let pipelines: HashMap<&PipelineId, &Pipeline> = pipelines
            .iter()
            .map(|pipeline| (&pipeline.id, pipeline))
            .collect();
        let today = now.date_at(offset);
        let mut lists = AttentionLists::default();
        for deal in deals {
            if !deal.is_open() {
                continue;
            }
            let Some(stage_id) = deal.stage() else {
                // Every deal built by core has its creation entry; corrupt input is reported.
                lists.unresolved.push(UnresolvedDeal {
                    deal: deal.id.clone(),
                    problem: Unresolved::NoHistory,
                });
                continue;
            };
            let stage = lists.resolve_stage(deal, stage_id, &pipelines);
            lists.collect_tasks(deal, today);
            lists.collect_next_step(deal, stage_id, today, offset);
            let reasons = config.reasons(deal, stage, today, offset);
            if !reasons.is_empty() {
                let worst_days_past = reasons
                    .iter()
                    .map(StallReason::days_past_threshold)
                    .max()
                    .unwrap_or(0);
                lists.stalled_deals.push(StalledDeal {
                    deal: deal.id.clone(),
                    owner: deal.owner.clone(),
                    stage: stage_id.clone(),
                    reasons,
                    worst_days_past,
                });
            }
        }
        lists.sort();
        lists
    }

    /// The deal's current stage configuration, or `None` after recording why it is missing.
    fn resolve_stage<'pipeline>(
        &mut self,
        deal: &Deal,
        stage: &StageId,
        pipelines: &HashMap<&PipelineId, &'pipeline Pipeline>,
    ) -> Option<&'pipeline Stage> {
        let problem = match pipelines.get(&deal.pipeline) {
            None => Unresolved::UnknownPipeline {
                pipeline: deal.pipeline.clone(),
            },
            Some(pipeline) => match pipeline.stage(stage) {
                Ok(found) => return Some(found),
                Err(_) => Unresolved::UnknownStage {
                    pipeline: deal.pipeline.clone(),
                    stage: stage.clone(),
                },
            },
        };
        self.unresolved.push(UnresolvedDeal {
            deal: deal.id.clone(),
            problem,
        });
        None
    }

    fn collect_tasks(&mut self, deal: &Deal, today: Date) {
        for task in deal.tasks.values() {
            if task.status != TaskStatus::Open {
                continue;
            }
            let Some(due) = task.due else { continue };
            if due < today {
                self.overdue_tasks.push(OverdueTask {
                    deal: deal.id.clone(),
                    task: task.id.clone(),
                    title: task.title.clone(),
                    assignee: task.assignee.clone(),
                    due,
                    days_overdue: days_between(due, today),
                });
            }
        }
    }

    fn collect_next_step(&mut self, deal: &Deal, stage: &StageId, today: Date, offset: UtcOffset) {
        match &deal.next_step {
            Some(next_step) if next_step.due < today => {
                self.overdue_next_steps.push(OverdueNextStep {
                    deal: deal.id.clone(),
                    owner: next_step.owner.as_ref().unwrap_or(&deal.owner).clone(),
                    action: next_step.action.clone(),
                    due: next_step.due,
                    days_overdue: days_between(next_step.due, today),
                });
            }
            Some(_) => {}
            None => {
                let activity = Activity::of(deal, offset);
                self.deals_without_next_step.push(DealWithoutNextStep {
                    deal: deal.id.clone(),
                    owner: deal.owner.clone(),
                    stage: stage.clone(),
                    last_follow_up_on: activity.last_follow_up_on,
                    days_since_activity: days_between(activity.since, today),
                });
            }
        }
    }

    fn sort(&mut self) {
        self.overdue_tasks.sort_by(|left, right| {
            (left.due, &left.deal, &left.task).cmp(&(right.due, &right.deal, &right.task))
        });
        self.overdue_next_steps
            .sort_by(|left, right| (left.due, &left.deal).cmp(&(right.due, &right.deal)));
        self.deals_without_next_step.sort_by(|left, right| {
            right
                .days_since_activity
                .cmp(&left.days_since_activity)
                .then_with(|| left.deal.cmp(&right.deal))
        });
        self.stalled_deals.sort_by(|left, right| {
            right
                .worst_days_past
                .cmp(&left.worst_days_past)
                .then_with(|| right.reasons.len().cmp(&left.reasons.len()))
                .then_with(|| left.deal.cmp(&right.deal))
        });
        self.unresolved
            .sort_by(|left, right| left.deal.cmp(&right.deal));
    }
}

impl AttentionConfig {
    /// Why `deal` counts as stalled at `now` (empty when it does not, or when it is closed).
    /// This is the per-deal check behind [`AttentionLists::compute`], for the health score
    /// and the deal page; a stage missing from `pipeline` skips only the dwell check.
    pub fn stall_reasons(
        &self,
        deal: &Deal,
        pipeline: &Pipeline,
        now: Timestamp,
        offset: UtcOffset,
    ) -> Vec<StallReason> {
        if !deal.is_open() {
            return Vec::new();
        }
        let stage = deal
            .stage()
            .filter(|_| deal.pipeline == pipeline.id)
            .and_then(|stage| pipeline.stage(stage).ok());
        self.reasons(deal, stage, now.date_at(offset), offset)
    }

    fn reasons(
        &self,
        deal: &Deal,
        stage: Option<&Stage>,
        today: Date,
        offset: UtcOffset,
    ) -> Vec<StallReason> {
        let mut reasons = Vec::new();
        if let (Some(stage), Some(entered_at)) = (stage, deal.stage_entered_at())
            && let Some(max_dwell_days) = stage.max_dwell_days
        {
            let entered_on = entered_at.date_at(offset);
            let days_in_stage = days_between(entered_on, today);
            if days_in_stage > i64::from(max_dwell_days) {
                reasons.push(StallReason::DwellExceeded {
                    stage: stage.id.clone(),
                    entered_on,
                    days_in_stage,
                    max_dwell_days,
                });
            }
        }
        let activity = Activity::of(deal, offset);
        let days_without_follow_up = days_between(activity.since, today);
        if days_without_follow_up > i64::from(self.follow_up_days) {
            reasons.push(StallReason::NoRecentFollowUp {
                last_follow_up_on: activity.last_follow_up_on,
                days_without_follow_up,
                max_days: self.follow_up_days,
            });
        }
        if let Some(expected_close) = deal.expected_close
            && expected_close < today
        {
            reasons.push(StallReason::CloseDatePassed {
                expected_close,
                days_overdue: days_between(expected_close, today),
            });
        }
        let days_open = days_between(deal.created_at.date_at(offset), today);
        if days_open >= i64::from(self.decision_maker_grace_days) {
            let decision_makers: Vec<&ContactId> =
                deal.decision_makers().map(|contact| &contact.id).collect();
            if decision_makers.is_empty() {
                reasons.push(StallReason::NoDecisionMaker {
                    days_open,
                    grace_days: self.decision_maker_grace_days,
                });
            } else if decision_makers
                .iter()
                .all(|contact| deal.last_contact_with(contact).is_none())
            {
                reasons.push(StallReason::DecisionMakerNotContacted {
                    contacts: decision_makers.into_iter().cloned().collect(),
                    days_open,
                    grace_days: self.decision_maker_grace_days,
                });
            }
        }
        reasons
    }
}

/// When the deal last saw a follow-up, or was created when it never did.
struct Activity {
    last_follow_up_on: Option<Date>,
    since: Date,
}

impl Activity {
    fn of(deal: &Deal, offset: UtcOffset) -> Activity {
        let last_follow_up = deal.last_follow_up().map(|follow_up| follow_up.at);
        let since = last_follow_up.map_or(deal.created_at, |last| last.max(deal.created_at));
        Activity {
            last_follow_up_on: last_follow_up.map(|last| last.date_at(offset)),
            since: since.date_at(offset),
        }
    }
}

/// Whole calendar days from `earlier` to `later` (negative when `earlier` is later).
fn days_between(earlier: Date, later: Date) -> i64 {
    (later - earlier).whole_days()
}
