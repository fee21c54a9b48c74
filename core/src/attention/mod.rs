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
            let activity = Activity::of(deal, offset);
            lists.collect_tasks(deal, today);
            lists.collect_next_step(deal, stage_id, &activity, today);
            let reasons = config.reasons(deal, stage, &activity, today, offset);
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

    fn collect_next_step(
        &mut self,
        deal: &Deal,
        stage: &StageId,
        activity: &Activity,
        today: Date,
    ) {
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
        // One key type for every list, so the sort is compiled once rather than once per list
        // (the browser module carries each copy): (primary, secondary, deal, record).
        sort_by_key(&mut self.overdue_tasks, |task| {
            (
                i64::from(task.due.to_julian_day()),
                0,
                task.deal.as_str(),
                task.task.as_str(),
            )
        });
        sort_by_key(&mut self.overdue_next_steps, |step| {
            (
                i64::from(step.due.to_julian_day()),
                0,
                step.deal.as_str(),
                "",
            )
        });
        sort_by_key(&mut self.deals_without_next_step, |deal| {
            (
                deal.days_since_activity.saturating_neg(),
                0,
                deal.deal.as_str(),
                "",
            )
        });
        sort_by_key(&mut self.stalled_deals, |deal| {
            (
                deal.worst_days_past.saturating_neg(),
                i64::try_from(deal.reasons.len()).map_or(i64::MIN, i64::saturating_neg),
                deal.deal.as_str(),
                "",
            )
        });
        sort_by_key(&mut self.unresolved, |deal| (0, 0, deal.deal.as_str(), ""));
    }
}

/// The key [`AttentionLists`] sorts by: two numbers, then the deal id, then a record id.
type ListKey<'a> = (i64, i64, &'a str, &'a str);

/// Sorts `items` by `key` (stable), with one instantiation of the sort for every item type:
/// the sort runs on `(key, index)` pairs, then the items are moved into that order.
fn sort_by_key<T>(items: &mut Vec<T>, key: impl for<'a> Fn(&'a T) -> ListKey<'a>) {
    let mut order: Vec<(ListKey<'_>, usize)> = items
        .iter()
        .enumerate()
        .map(|(index, item)| (key(item), index))
        .collect();
    order.sort_unstable();
    let order: Vec<usize> = order.into_iter().map(|(_, index)| index).collect();
    let mut slots: Vec<Option<T>> = std::mem::take(items).into_iter().map(Some).collect();
    items.extend(
        order
            .into_iter()
            .filter_map(|index| slots.get_mut(index).and_then(Option::take)),
    );
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
        let activity = Activity::of(deal, offset);
        self.reasons(deal, stage, &activity, now.date_at(offset), offset)
    }

    fn reasons(
        &self,
        deal: &Deal,
        stage: Option<&Stage>,
        activity: &Activity,
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

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::deal::{ContactRole, FollowUp, FollowUpKind, NextStep};
    use crate::fixture::{OFFSET, contact, contact_id, ctx, day, new_deal, open, record, user};
    use crate::i18n::{Locale, Localized};
    use crate::id::DealId;
    use crate::pipeline::MoveTarget;

    fn pipeline() -> Pipeline {
        Pipeline::template_new_business()
    }

    /// A deal opened on day 0 with a decision maker met on day 0, a follow-up on `last_day`, a
    /// next step far ahead and its template task done: nothing to flag until thresholds pass.
    fn quiet_deal(id: &str, last_day: i64) -> Deal {
        let mut deal = open(&pipeline());
        deal.id = DealId::new(id).unwrap();
        deal.add_contact(contact("wang", ContactRole::DecisionMaker))
            .unwrap();
        deal.record_follow_up(FollowUp {
            id: record("f1"),
            kind: FollowUpKind::Call,
            at: day(last_day),
            by: user("rep-li"),
            participants: vec![contact_id("wang")],
            summary: "电话".into(),
            customer_feedback: String::new(),
            next_step: Some(NextStep {
                action: "拜访".into(),
                due: date!(2027 - 01 - 01),
                owner: None,
            }),
        })
        .unwrap();
        deal.complete_task(&record("t0.first_call"), day(1))
            .unwrap();
        deal
    }

    fn lists(deals: &[Deal], on_day: i64) -> AttentionLists {
        AttentionLists::compute(
            deals,
            &[pipeline()],
            &AttentionConfig::default(),
            day(on_day),
            OFFSET,
        )
    }

    fn codes(reasons: &[StallReason]) -> Vec<&'static str> {
        reasons.iter().map(StallReason::code).collect()
    }

    #[test]
    fn a_deal_within_every_threshold_needs_no_attention() {
        let lists = lists(&[quiet_deal("d1", 5)], 14);
        assert_eq!(lists, AttentionLists::default());
    }

    #[test]
    fn dwell_counts_calendar_days_in_the_org_zone_and_is_strict() {
        // qualify allows 14 days: day 14 is fine, day 15 is over.
        let deal = quiet_deal("d1", 14);
        assert!(
            lists(std::slice::from_ref(&deal), 14)
                .stalled_deals
                .is_empty()
        );
        let stalled = lists(std::slice::from_ref(&deal), 15).stalled_deals;
        assert_eq!(
            stalled[0].reasons,
            [StallReason::DwellExceeded {
                stage: crate::fixture::stage("qualify"),
                entered_on: date!(2026 - 03 - 02),
                days_in_stage: 15,
                max_dwell_days: 14
            }]
        );
        assert_eq!(stalled[0].worst_days_past, 1);
        // A stage without a limit never rots.
        let mut relaxed = pipeline();
        relaxed.stages[0].max_dwell_days = None;
        let config = AttentionConfig::default();
        assert!(config.stall_reasons(&deal, &relaxed, day(40), OFFSET).len() == 1);
    }

    #[test]
    fn no_follow_up_counts_from_the_last_one_or_from_creation() {
        let config = AttentionConfig {
            follow_up_days: 7,
            decision_maker_grace_days: 100,
        };
        let deal = quiet_deal("d1", 3);
        assert!(
            config
                .stall_reasons(&deal, &pipeline(), day(10), OFFSET)
                .is_empty()
        );
        assert_eq!(
            config.stall_reasons(&deal, &pipeline(), day(11), OFFSET),
            [StallReason::NoRecentFollowUp {
                last_follow_up_on: Some(date!(2026 - 03 - 05)),
                days_without_follow_up: 8,
                max_days: 7
            }]
        );
        let never = open(&pipeline());
        let reasons = config.stall_reasons(&never, &pipeline(), day(9), OFFSET);
        assert_eq!(
            reasons,
            [StallReason::NoRecentFollowUp {
                last_follow_up_on: None,
                days_without_follow_up: 9,
                max_days: 7
            }]
        );
        assert_eq!(reasons[0].localized(Locale::ZhCn), "创建 9 天以来从未跟进");
    }

    #[test]
    fn a_past_close_date_is_a_reason() {
        let mut deal = quiet_deal("d1", 5);
        deal.expected_close = Some(date!(2026 - 03 - 10)); // day 8
        let config = AttentionConfig::default();
        assert!(
            config
                .stall_reasons(&deal, &pipeline(), day(8), OFFSET)
                .is_empty()
        );
        let reasons = config.stall_reasons(&deal, &pipeline(), day(10), OFFSET);
        assert_eq!(
            reasons,
            [StallReason::CloseDatePassed {
                expected_close: date!(2026 - 03 - 10),
                days_overdue: 2
            }]
        );
        assert_eq!(
            reasons[0].localized(Locale::En),
            "the expected close date 2026-03-10 passed 2 days ago: update it or close the deal"
        );
    }

    #[test]
    fn decision_maker_missing_or_never_contacted_after_the_grace_period() {
        let config = AttentionConfig {
            follow_up_days: 100,
            decision_maker_grace_days: 7,
        };
        let mut relaxed = pipeline();
        relaxed.stages[0].max_dwell_days = None;
        let mut deal = open(&relaxed);
        assert!(
            config
                .stall_reasons(&deal, &relaxed, day(6), OFFSET)
                .is_empty()
        );
        assert_eq!(
            config.stall_reasons(&deal, &relaxed, day(7), OFFSET),
            [StallReason::NoDecisionMaker {
                days_open: 7,
                grace_days: 7
            }]
        );
        deal.add_contact(contact("wang", ContactRole::DecisionMaker))
            .unwrap();
        deal.add_contact(contact("zhao", ContactRole::DecisionMaker))
            .unwrap();
        let reasons = config.stall_reasons(&deal, &relaxed, day(9), OFFSET);
        assert_eq!(
            reasons,
            [StallReason::DecisionMakerNotContacted {
                contacts: vec![contact_id("wang"), contact_id("zhao")],
                days_open: 9,
                grace_days: 7
            }]
        );
        assert_eq!(reasons[0].days_past_threshold(), 2);
        // Taking part in a follow-up counts as contact even if last_contacted was not set.
        deal.follow_ups.insert(
            record("f1"),
            FollowUp {
                id: record("f1"),
                kind: FollowUpKind::Visit,
                at: day(8),
                by: user("rep-li"),
                participants: vec![contact_id("zhao")],
                summary: String::new(),
                customer_feedback: String::new(),
                next_step: None,
            },
        );
        assert!(
            config
                .stall_reasons(&deal, &relaxed, day(9), OFFSET)
                .is_empty()
        );
    }

    #[test]
    fn closed_deals_are_not_listed() {
        let mut deal = open(&pipeline());
        let lost = MoveTarget::Lost {
            reason: "price".into(),
            note: String::new(),
        };
        pipeline()
            .move_deal(&mut deal, &lost, &ctx("t1", 1))
            .unwrap();
        assert_eq!(lists(&[deal.clone()], 90), AttentionLists::default());
        assert!(
            AttentionConfig::default()
                .stall_reasons(&deal, &pipeline(), day(90), OFFSET)
                .is_empty()
        );
    }

    #[test]
    fn tasks_and_next_steps_are_overdue_from_the_day_after_they_are_due() {
        let mut deal = open(&pipeline()); // first_call due 2026-03-04 (day 2)
        deal.next_step = Some(NextStep {
            action: "发送方案".into(),
            due: date!(2026 - 03 - 03),
            owner: Some(user("presales-zhao")),
        });
        let on_day_1 = lists(std::slice::from_ref(&deal), 1);
        assert!(on_day_1.overdue_tasks.is_empty() && on_day_1.overdue_next_steps.is_empty());
        let on_day_2 = lists(std::slice::from_ref(&deal), 2);
        assert!(on_day_2.overdue_tasks.is_empty());
        assert_eq!(
            on_day_2.overdue_next_steps,
            [OverdueNextStep {
                deal: deal.id.clone(),
                owner: user("presales-zhao"),
                action: "发送方案".into(),
                due: date!(2026 - 03 - 03),
                days_overdue: 1
            }]
        );
        let on_day_5 = lists(std::slice::from_ref(&deal), 5);
        assert_eq!(on_day_5.overdue_tasks.len(), 1);
        assert_eq!(on_day_5.overdue_tasks[0].days_overdue, 3);
        assert_eq!(on_day_5.overdue_tasks[0].assignee, user("rep-li"));
        assert!(on_day_5.deals_without_next_step.is_empty());
    }

    #[test]
    fn lists_are_sorted_most_urgent_first() {
        let mut deals: Vec<Deal> = Vec::new();
        for (id, last_day) in [("b", 20), ("a", 2), ("c", 10), ("d", 10)] {
            let mut deal = quiet_deal(id, last_day);
            deal.next_step = None;
            deals.push(deal);
        }
        let lists = lists(&deals, 30);
        let order =
            |ids: Vec<&DealId>| -> Vec<String> { ids.iter().map(|id| id.to_string()).collect() };
        assert_eq!(
            order(
                lists
                    .deals_without_next_step
                    .iter()
                    .map(|d| &d.deal)
                    .collect()
            ),
            ["a", "c", "d", "b"]
        );
        // All have dwelt 30 days in qualify (16 over, the worst reason of each); "a", "c" and
        // "d" have also gone more than 14 days without a follow-up, so with two reasons they
        // come before "b"; ties go by id.
        assert_eq!(
            order(lists.stalled_deals.iter().map(|d| &d.deal).collect()),
            ["a", "c", "d", "b"]
        );
        assert!(lists.stalled_deals.iter().all(|d| d.worst_days_past == 16));
        assert_eq!(
            codes(&lists.stalled_deals[0].reasons),
            ["dwell_exceeded", "no_recent_follow_up"]
        );
    }

    #[test]
    fn unknown_pipelines_and_stages_are_reported_and_the_rest_is_checked() {
        let mut orphan = open(&Pipeline::template_solution_sales());
        orphan.id = DealId::new("orphan").unwrap();
        let mut moved = open(&pipeline());
        moved.id = DealId::new("moved").unwrap();
        moved.history[0].stage = crate::fixture::stage("retired");
        let mut broken = open(&pipeline());
        broken.id = DealId::new("broken").unwrap();
        broken.history.clear();
        let lists = lists(&[orphan, moved, broken], 30);
        assert_eq!(
            lists.unresolved,
            [
                UnresolvedDeal {
                    deal: DealId::new("broken").unwrap(),
                    problem: Unresolved::NoHistory
                },
                UnresolvedDeal {
                    deal: DealId::new("moved").unwrap(),
                    problem: Unresolved::UnknownStage {
                        pipeline: pipeline().id,
                        stage: crate::fixture::stage("retired")
                    }
                },
                UnresolvedDeal {
                    deal: DealId::new("orphan").unwrap(),
                    problem: Unresolved::UnknownPipeline {
                        pipeline: Pipeline::template_solution_sales().id
                    }
                },
            ]
        );
        // Both resolvable-by-id deals are still checked for everything but dwell.
        assert_eq!(lists.stalled_deals.len(), 2);
        for stalled in &lists.stalled_deals {
            assert_eq!(
                codes(&stalled.reasons),
                ["no_recent_follow_up", "no_decision_maker"]
            );
        }
    }

    #[test]
    fn reasons_are_stable_tagged_data() {
        let reason = StallReason::DwellExceeded {
            stage: crate::fixture::stage("demo"),
            entered_on: date!(2026 - 03 - 02),
            days_in_stage: 30,
            max_dwell_days: 21,
        };
        let json = serde_json::to_value(&reason).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "kind": "dwell_exceeded",
                "stage": "demo",
                "entered_on": "2026-03-02",
                "days_in_stage": 30,
                "max_dwell_days": 21
            })
        );
        assert_eq!(serde_json::from_value::<StallReason>(json).unwrap(), reason);
        assert_eq!(reason.days_past_threshold(), 9);
        let lists = lists(&[open(&pipeline())], 40);
        let json = serde_json::to_string(&lists).unwrap();
        assert_eq!(
            serde_json::from_str::<AttentionLists>(&json).unwrap(),
            lists
        );
        assert!(new_deal(None).stage.is_none());
    }
}
