//! Opening deals and moving them between stages: the only code that writes stage history.

use serde::{Deserialize, Serialize};
use time::UtcOffset;

use super::criterion::CriterionPhase;
use super::error::{MoveProblem, MoveRejected, PipelineError};
use super::{Pipeline, Stage};
use crate::deal::{
    Deal, DealStatus, NewDeal, StageTransition, Task, TaskOrigin, TaskStatus, TransitionKind,
};
use crate::id::{RecordId, StageId, UserId};
use crate::timestamp::Timestamp;

/// Where a move takes a deal.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MoveTarget {
    /// Another open stage (forward or backward).
    Stage {
        /// The target stage.
        stage: StageId,
    },
    /// Close as won.
    Won,
    /// Close as lost, with a reason from the pipeline's list.
    Lost {
        /// Loss reason id.
        reason: String,
        /// Details.
        #[serde(default)]
        note: String,
    },
    /// Stop or put on hold, with a reason from the pipeline's list.
    Stopped {
        /// Stop reason id.
        reason: String,
        /// Details.
        #[serde(default)]
        note: String,
    },
    /// Reopen a won, lost or stopped deal into an open stage.
    Reopen {
        /// The stage to reopen into.
        stage: StageId,
    },
}

/// Who moves a deal, when, and the id of the history entry to write.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MoveContext {
    /// The current time (core never reads the clock).
    pub now: Timestamp,
    /// The organisation's UTC offset, for calendar dates such as task due dates.
    pub offset: UtcOffset,
    /// The user making the move.
    pub by: UserId,
    /// Id of the new history entry; tasks created by the move get ids derived from it.
    pub transition_id: RecordId,
}

/// What a successful move recorded.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MoveOutcome {
    /// The new history entry (already appended to the deal).
    pub transition: StageTransition,
    /// Tasks created from the target stage's templates (already added to the deal).
    pub tasks: Vec<Task>,
}

impl Pipeline {
    /// Creates a deal in its starting stage (the first stage unless `new.stage` says otherwise),
    /// checking that stage's entry criteria and creating its tasks.
    ///
    /// Choosing a later starting stage is not a skip (a lead converted after qualification may
    /// start in 需求分析), so [`MoveRules`](crate::MoveRules) do not apply; the starting stage's
    /// entry criteria do, checked against what [`NewDeal`] holds. A stage whose criteria need
    /// contacts or a budget cannot be a starting stage: open the deal earlier and move it.
    ///
    /// ```
    /// use dealflow_core::*;
    /// use time::macros::offset;
    /// let pipeline = Pipeline::template_new_business();
    /// let ctx = MoveContext {
    ///     now: Timestamp::from_millis(1_764_000_000_000),
    ///     offset: offset!(+8),
    ///     by: UserId::new("rep-li")?,
    ///     transition_id: RecordId::new("t1")?,
    /// };
    /// let new = NewDeal {
    ///     id: DealId::new("deal-1")?,
    ///     title: "华东电网 CRM 二期".into(),
    ///     account: Account { name: "华东电网".into(), ..Account::default() },
    ///     amount: Money::from_major(100_000, Currency::CNY)?,
    ///     expected_close: None,
    ///     owner: UserId::new("rep-li")?,
    ///     team: None,
    ///     source: Some("trade_show".into()),
    ///     stage: None,
    /// };
    /// let (deal, _tasks) = pipeline.open_deal(new, &ctx)?;
    /// assert_eq!(deal.stage().map(StageId::as_str), Some("qualify"));
    /// # Ok::<(), dealflow_core::Error>(())
    /// ```
    pub fn open_deal(
        &self,
        new: NewDeal,
        ctx: &MoveContext,
    ) -> Result<(Deal, Vec<Task>), PipelineError> {
        let stage = match &new.stage {
            Some(stage) => self.stage(stage)?,
            None => self.first_stage()?,
        };
        let transition = StageTransition {
            id: ctx.transition_id.clone(),
            at: ctx.now,
            by: ctx.by.clone(),
            kind: TransitionKind::Created,
            stage: stage.id.clone(),
            status: DealStatus::Open,
            reason: None,
            note: String::new(),
        };
        let mut deal = Deal::opened(new, self.id.clone(), Vec::new(), ctx.now, ctx.by.clone());
        let unmet: Vec<MoveProblem> = stage
            .entry_criteria
            .iter()
            .filter(|criterion| !criterion.is_met(&deal, ctx.now, ctx.offset))
            .map(|criterion| MoveProblem::Unmet(criterion.unmet(&stage.id, CriterionPhase::Entry)))
            .collect();
        if !unmet.is_empty() {
            return Err(MoveRejected {
                deal: deal.id,
                problems: unmet,
            }
            .into());
        }
        let tasks = instantiate_tasks(stage, &deal, &transition, ctx.offset)?;
        deal.history.push(transition);
        for task in &tasks {
            deal.tasks.insert(task.id.clone(), task.clone());
        }
        Ok((deal, tasks))
    }

    /// Checks a move without changing anything: `Ok` with the history entry the move would
    /// write, or every problem that stands in the way.
    ///
    /// The rules, all checked together:
    /// - the deal must belong to this pipeline ([`PipelineError::WrongPipeline`], alone);
    /// - forward moves need the current stage's exit criteria and, unless
    ///   [`MoveRules::allow_skip`](crate::MoveRules::allow_skip), the next stage as target;
    /// - backward moves need [`MoveRules::allow_backward`](crate::MoveRules::allow_backward);
    /// - every move into an open stage (forward, backward, reopen) needs the target's entry
    ///   criteria;
    /// - winning counts as leaving the last stage forward: it needs the exit criteria of the
    ///   current stage *and* of the last stage, and from an earlier stage it is a skip;
    /// - losing and stopping need a reason from the pipeline's list; a stopped deal may be lost
    ///   directly, any other move of a closed deal needs a reopen first;
    /// - the history entry's id and the ids of the tasks it would create must be new.
    ///
    /// History never goes back in time: if `ctx.now` is earlier than the last entry (a device
    /// whose clock lags), the entry is stamped with the last entry's time.
    pub fn check_move(
        &self,
        deal: &Deal,
        target: &MoveTarget,
        ctx: &MoveContext,
    ) -> Result<StageTransition, PipelineError> {
        self.prepare_move(deal, target, ctx)
            .map(|(transition, _tasks)| transition)
    }

    /// Moves `deal` to `target`: checks every rule (see [`Pipeline::check_move`]), then appends
    /// the history entry and creates the target stage's tasks. A rejected move changes nothing.
    ///
    /// ```
    /// use dealflow_core::*;
    /// use time::macros::offset;
    /// let pipeline = Pipeline::template_new_business();
    /// let rep = UserId::new("rep-li")?;
    /// let ctx = |id: &str, day: i64| -> Result<MoveContext, Error> {
    ///     Ok(MoveContext {
    ///         now: Timestamp::from_millis(1_764_000_000_000).plus_days(day),
    ///         offset: offset!(+8),
    ///         by: rep.clone(),
    ///         transition_id: RecordId::new(id)?,
    ///     })
    /// };
    /// let new = NewDeal {
    ///     id: DealId::new("deal-1")?,
    ///     title: "华东电网 CRM 二期".into(),
    ///     account: Account { name: "华东电网".into(), ..Account::default() },
    ///     amount: Money::from_major(100_000, Currency::CNY)?,
    ///     expected_close: None,
    ///     owner: rep.clone(),
    ///     team: None,
    ///     source: None,
    ///     stage: None,
    /// };
    /// let (mut deal, _) = pipeline.open_deal(new, &ctx("t1", 0)?)?;
    ///
    /// // Losing needs a reason from the pipeline's list.
    /// let lost = MoveTarget::Lost { reason: "price".into(), note: "对手报价低 20%".into() };
    /// let outcome = pipeline.move_deal(&mut deal, &lost, &ctx("t2", 3)?)?;
    /// assert_eq!(outcome.transition.status, DealStatus::Lost);
    /// assert_eq!(deal.stage().map(StageId::as_str), Some("qualify")); // the stage reached
    ///
    /// // A closed deal moves again only after a reopen, which is recorded too.
    /// let reopen = MoveTarget::Reopen { stage: StageId::new("qualify")? };
    /// pipeline.move_deal(&mut deal, &reopen, &ctx("t3", 10)?)?;
    /// assert!(deal.is_open());
    /// assert_eq!(deal.history.len(), 3);
    /// # Ok::<(), dealflow_core::Error>(())
    /// ```
    pub fn move_deal(
        &self,
        deal: &mut Deal,
        target: &MoveTarget,
        ctx: &MoveContext,
    ) -> Result<MoveOutcome, PipelineError> {
        let (transition, tasks) = self.prepare_move(deal, target, ctx)?;
        deal.history.push(transition.clone());
        for task in &tasks {
            deal.tasks.insert(task.id.clone(), task.clone());
        }
        Ok(MoveOutcome { transition, tasks })
    }

    /// Everything a move would write, or every problem in its way; changes nothing.
    fn prepare_move(
        &self,
        deal: &Deal,
        target: &MoveTarget,
        ctx: &MoveContext,
    ) -> Result<(StageTransition, Vec<Task>), PipelineError> {
        if deal.pipeline != self.id {
            return Err(PipelineError::WrongPipeline {
                deal: deal.id.clone(),
                expected: self.id.clone(),
                actual: deal.pipeline.clone(),
            });
        }
        // A deal always has its creation entry; should corrupt input have lost it, the deal
        // counts as being in the first stage.
        let current = match deal.stage() {
            Some(stage) => stage.clone(),
            None => self.first_stage()?.id.clone(),
        };
        let mut problems = Vec::new();
        let plan = self.plan(deal, current, target, ctx, &mut problems);
        if deal
            .history
            .iter()
            .any(|entry| entry.id == ctx.transition_id)
        {
            problems.push(MoveProblem::DuplicateId {
                id: ctx.transition_id.clone(),
            });
        }
        // History never goes back in time, even when a device clock lags behind another's.
        let at = deal
            .current()
            .map_or(ctx.now, |current| current.at.max(ctx.now));
        let transition = StageTransition {
            id: ctx.transition_id.clone(),
            at,
            by: ctx.by.clone(),
            kind: plan.kind,
            stage: plan.stage,
            status: plan.status,
            reason: plan.reason,
            note: plan.note,
        };
        if !problems.is_empty() {
            return Err(MoveRejected {
                deal: deal.id.clone(),
                problems,
            }
            .into());
        }
        let tasks = match transition.kind {
            TransitionKind::Forward
            | TransitionKind::Backward
            | TransitionKind::Reopened
            | TransitionKind::Created => {
                let stage = self.stage(&transition.stage)?;
                instantiate_tasks(stage, deal, &transition, ctx.offset)?
            }
            TransitionKind::Won | TransitionKind::Lost | TransitionKind::Stopped => Vec::new(),
        };
        let taken: Vec<MoveProblem> = tasks
            .iter()
            .filter(|task| deal.tasks.contains_key(&task.id))
            .map(|task| MoveProblem::DuplicateId {
                id: task.id.clone(),
            })
            .collect();
        if !taken.is_empty() {
            return Err(MoveRejected {
                deal: deal.id.clone(),
                problems: taken,
            }
            .into());
        }
        Ok((transition, tasks))
    }

    /// Works out the kind, stage, status, reason and note of a move, pushing every problem.
    fn plan(
        &self,
        deal: &Deal,
        current: StageId,
        target: &MoveTarget,
        ctx: &MoveContext,
        problems: &mut Vec<MoveProblem>,
    ) -> Plan {
        let status = deal.status();
        let current_index = self.stage_index(&current).ok();
        match (status, target) {
            (DealStatus::Open, MoveTarget::Stage { stage: to }) => {
                let Ok(target_index) = self.stage_index(to) else {
                    problems.push(MoveProblem::UnknownStage { stage: to.clone() });
                    return Plan::open(TransitionKind::Forward, to.clone());
                };
                if *to == current {
                    // Nothing else to say: criteria of a stage the deal is in are beside the
                    // point.
                    problems.push(MoveProblem::AlreadyInStage { stage: to.clone() });
                    return Plan::open(TransitionKind::Forward, to.clone());
                }
                // A current stage that the configuration no longer has imposes no direction.
                let forward = current_index.is_none_or(|index| target_index > index);
                if forward {
                    if let Some(index) = current_index
                        && target_index > index + 1
                        && !self.rules.allow_skip
                    {
                        problems.push(MoveProblem::SkipNotAllowed {
                            from: current.clone(),
                            to: to.clone(),
                        });
                    }
                    self.push_unmet_exit(deal, &current, ctx, problems);
                } else if !self.rules.allow_backward {
                    problems.push(MoveProblem::BackwardNotAllowed {
                        from: current.clone(),
                        to: to.clone(),
                    });
                }
                self.push_unmet_entry(deal, to, ctx, problems);
                let kind = if forward {
                    TransitionKind::Forward
                } else {
                    TransitionKind::Backward
                };
                Plan::open(kind, to.clone())
            }
            (DealStatus::Open, MoveTarget::Won) => {
                if let (Some(index), Some(last)) = (current_index, self.stages.last())
                    && index + 1 < self.stages.len()
                    && !self.rules.allow_skip
                {
                    problems.push(MoveProblem::SkipNotAllowed {
                        from: current.clone(),
                        to: last.id.clone(),
                    });
                }
                self.push_unmet_exit(deal, &current, ctx, problems);
                // Winning leaves the last stage forward, wherever the deal is: what the last
                // stage asks before a win (e.g. the signed contract) is asked on every win.
                if let Some(last) = self.stages.last()
                    && last.id != current
                {
                    self.push_unmet_exit(deal, &last.id, ctx, problems);
                }
                Plan::closed(TransitionKind::Won, current, DealStatus::Won, None, "")
            }
            (DealStatus::Open | DealStatus::Stopped, MoveTarget::Lost { reason, note }) => {
                self.check_reason(reason, |id| self.loss_reason(id).is_some(), problems);
                Plan::closed(
                    TransitionKind::Lost,
                    current,
                    DealStatus::Lost,
                    Some(reason.clone()),
                    note,
                )
            }
            (DealStatus::Open, MoveTarget::Stopped { reason, note }) => {
                self.check_reason(reason, |id| self.stop_reason(id).is_some(), problems);
                Plan::closed(
                    TransitionKind::Stopped,
                    current,
                    DealStatus::Stopped,
                    Some(reason.clone()),
                    note,
                )
            }
            (DealStatus::Open, MoveTarget::Reopen { stage }) => {
                problems.push(MoveProblem::NotClosed);
                Plan::open(TransitionKind::Reopened, stage.clone())
            }
            (_, MoveTarget::Reopen { stage }) => {
                if self.stage_index(stage).is_err() {
                    problems.push(MoveProblem::UnknownStage {
                        stage: stage.clone(),
                    });
                } else {
                    self.push_unmet_entry(deal, stage, ctx, problems);
                }
                Plan::open(TransitionKind::Reopened, stage.clone())
            }
            (_, _) => {
                problems.push(MoveProblem::DealClosed);
                Plan::closed(TransitionKind::Forward, current, status, None, "")
            }
        }
    }

    fn push_unmet_exit(
        &self,
        deal: &Deal,
        stage: &StageId,
        ctx: &MoveContext,
        problems: &mut Vec<MoveProblem>,
    ) {
        if let Ok(stage) = self.stage(stage) {
            push_unmet(
                stage,
                &stage.exit_criteria,
                CriterionPhase::Exit,
                deal,
                ctx,
                problems,
            );
        }
    }

    fn push_unmet_entry(
        &self,
        deal: &Deal,
        stage: &StageId,
        ctx: &MoveContext,
        problems: &mut Vec<MoveProblem>,
    ) {
        if let Ok(stage) = self.stage(stage) {
            push_unmet(
                stage,
                &stage.entry_criteria,
                CriterionPhase::Entry,
                deal,
                ctx,
                problems,
            );
        }
    }

    fn check_reason(
        &self,
        reason: &str,
        known: impl Fn(&str) -> bool,
        problems: &mut Vec<MoveProblem>,
    ) {
        if reason.trim().is_empty() {
            problems.push(MoveProblem::ReasonRequired);
        } else if !known(reason) {
            problems.push(MoveProblem::UnknownReason {
                reason: reason.to_owned(),
            });
        }
    }
}

/// The history entry a move would write, less its id, time and author.
struct Plan {
    kind: TransitionKind,
    stage: StageId,
    status: DealStatus,
    reason: Option<String>,
    note: String,
}

impl Plan {
    fn open(kind: TransitionKind, stage: StageId) -> Plan {
        Plan {
            kind,
            stage,
            status: DealStatus::Open,
            reason: None,
            note: String::new(),
        }
    }

    fn closed(
        kind: TransitionKind,
        stage: StageId,
        status: DealStatus,
        reason: Option<String>,
        note: &str,
    ) -> Plan {
        Plan {
            kind,
            stage,
            status,
            reason,
            note: note.to_owned(),
        }
    }
}

fn push_unmet(
    stage: &Stage,
    criteria: &[super::Criterion],
    phase: CriterionPhase,
    deal: &Deal,
    ctx: &MoveContext,
    problems: &mut Vec<MoveProblem>,
) {
    problems.extend(
        criteria
            .iter()
            .filter(|criterion| !criterion.is_met(deal, ctx.now, ctx.offset))
            .map(|criterion| MoveProblem::Unmet(criterion.unmet(&stage.id, phase))),
    );
}

/// Tasks from `stage`'s templates, created at the transition's time and due `due_in_days`
/// after its calendar date, with ids derived from the transition id so replicas that replay
/// the same move create the same tasks.
fn instantiate_tasks(
    stage: &Stage,
    deal: &Deal,
    transition: &StageTransition,
    offset: UtcOffset,
) -> Result<Vec<Task>, PipelineError> {
    let today = transition.at.date_at(offset);
    stage
        .task_templates
        .iter()
        .map(|template| {
            let id = RecordId::new(format!("{}.{}", transition.id, template.id))
                .map_err(PipelineError::from)?;
            let due = today.checked_add(time::Duration::days(i64::from(template.due_in_days)));
            Ok(Task {
                id,
                title: template.title.clone(),
                assignee: deal.assignee_for(template.assignee).clone(),
                due,
                status: TaskStatus::Open,
                origin: TaskOrigin::StageTemplate {
                    stage: stage.id.clone(),
                    template: template.id.clone(),
                },
                created_at: transition.at,
                closed_at: None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::deal::{ContactRole, DealRole, FollowUp, FollowUpKind};
    use crate::fixture::{OFFSET, cny, contact, ctx, day, new_deal, open, record, stage, user};
    use crate::pipeline::MoveRules;

    fn new_business() -> Pipeline {
        Pipeline::template_new_business()
    }

    fn solution_sales() -> Pipeline {
        Pipeline::template_solution_sales()
    }

    fn to(id: &str) -> MoveTarget {
        MoveTarget::Stage { stage: stage(id) }
    }

    fn lost(reason: &str) -> MoveTarget {
        MoveTarget::Lost {
            reason: reason.into(),
            note: String::new(),
        }
    }

    fn stopped(reason: &str) -> MoveTarget {
        MoveTarget::Stopped {
            reason: reason.into(),
            note: String::new(),
        }
    }

    /// The problem codes of a rejected move; panics if the move was made.
    fn rejected(
        pipeline: &Pipeline,
        deal: &mut Deal,
        target: &MoveTarget,
        id: &str,
    ) -> Vec<String> {
        let before = deal.clone();
        let error = pipeline
            .move_deal(deal, target, &ctx(id, 20))
            .expect_err("the move must be rejected");
        assert_eq!(*deal, before, "a rejected move changes nothing");
        let PipelineError::MoveRejected(rejected) = error else {
            panic!("expected MoveRejected, got {error:?}");
        };
        rejected
            .problems
            .iter()
            .map(|problem| match problem {
                MoveProblem::Unmet(unmet) => format!("unmet:{}", unmet.criterion),
                other => other.code().to_owned(),
            })
            .collect()
    }

    fn fill_qualify(deal: &mut Deal) {
        deal.account.industry = Some("能源".into());
        deal.needs = "统一客服平台".into();
    }

    fn fill_needs(deal: &mut Deal) {
        deal.business_value = "降低 30% 客服成本".into();
        deal.expected_close = Some(date!(2026 - 06 - 30));
    }

    fn fill_demo_entry(deal: &mut Deal) {
        deal.budget.max = Some(cny(120_000));
        deal.add_contact(contact("wang", ContactRole::DecisionMaker))
            .unwrap();
    }

    fn hold_demo(deal: &mut Deal) {
        deal.record_follow_up(FollowUp {
            id: record("demo-1"),
            kind: FollowUpKind::Demo,
            at: day(1),
            by: user("rep-li"),
            participants: vec![],
            summary: "演示".into(),
            customer_feedback: "满意".into(),
            next_step: None,
        })
        .unwrap();
    }

    /// A new-business deal moved to `target_stage` with every criterion on the way met.
    fn deal_in(target_stage: &str) -> Deal {
        let pipeline = new_business();
        let mut deal = open(&pipeline);
        fill_qualify(&mut deal);
        fill_needs(&mut deal);
        fill_demo_entry(&mut deal);
        hold_demo(&mut deal);
        deal.budget.confirmed = true;
        for (index, next) in ["needs", "demo", "negotiate"].iter().enumerate() {
            if deal.stage().map(StageId::as_str) == Some(target_stage) {
                break;
            }
            let id = format!("m{index}");
            let on_day = i64::try_from(index).unwrap() + 1;
            pipeline
                .move_deal(&mut deal, &to(next), &ctx(&id, on_day))
                .unwrap();
        }
        assert_eq!(deal.stage().map(StageId::as_str), Some(target_stage));
        deal
    }

    #[test]
    fn forward_move_lists_exit_and_entry_criteria_together() {
        let pipeline = new_business();
        let mut deal = open(&pipeline);
        deal.amount = cny(0);
        let problems = rejected(&pipeline, &mut deal, &to("needs"), "t1");
        assert_eq!(
            problems,
            [
                "unmet:qualify_industry",
                "unmet:qualify_needs",
                "unmet:needs_amount"
            ]
        );
        fill_qualify(&mut deal);
        deal.amount = cny(1);
        let outcome = pipeline
            .move_deal(&mut deal, &to("needs"), &ctx("t1", 1))
            .unwrap();
        assert_eq!(outcome.transition.kind, TransitionKind::Forward);
        assert_eq!(outcome.transition.by, user("rep-li"));
        assert_eq!(deal.history.len(), 2);
        assert_eq!(deal.current(), Some(&outcome.transition));
    }

    #[test]
    fn skipping_needs_the_pipeline_to_allow_it() {
        let pipeline = new_business();
        let mut deal = deal_in("needs");
        deal.stage_mut_for_test("qualify");
        let problems = rejected(&pipeline, &mut deal, &to("demo"), "t9");
        assert_eq!(problems, ["skip_not_allowed"]);

        let mut skipping = new_business();
        skipping.rules.allow_skip = true;
        let outcome = skipping
            .move_deal(&mut deal, &to("demo"), &ctx("t9", 20))
            .unwrap();
        assert_eq!(outcome.transition.kind, TransitionKind::Forward);
    }

    #[test]
    fn a_skip_checks_the_current_exit_and_the_target_entry_only() {
        let pipeline = solution_sales();
        let mut deal = open(&pipeline);
        // discuss → quote skips proposal: discuss's exit (needs) and quote's entry (products)
        // are checked, proposal's criteria are not.
        let problems = rejected(&pipeline, &mut deal, &to("quote"), "t1");
        assert_eq!(problems, ["unmet:discuss_needs", "unmet:quote_products"]);
    }

    #[test]
    fn backward_moves_skip_exit_criteria_but_not_entry_criteria() {
        let pipeline = new_business();
        let mut deal = deal_in("negotiate");
        // The negotiate exit (contract reviewed) is not needed to go back…
        let outcome = pipeline
            .move_deal(&mut deal, &to("needs"), &ctx("t9", 20))
            .unwrap();
        assert_eq!(outcome.transition.kind, TransitionKind::Backward);
        // …but the entry criteria of the earlier stage are.
        let mut deal = deal_in("negotiate");
        deal.amount = cny(0);
        let problems = rejected(&pipeline, &mut deal, &to("needs"), "t9");
        assert_eq!(problems, ["unmet:needs_amount"]);
    }

    #[test]
    fn backward_moves_need_the_pipeline_to_allow_them() {
        let mut pipeline = new_business();
        pipeline.rules = MoveRules {
            allow_skip: false,
            allow_backward: false,
        };
        let mut deal = deal_in("demo");
        let problems = rejected(&pipeline, &mut deal, &to("qualify"), "t9");
        assert_eq!(problems, ["backward_not_allowed"]);
    }

    #[test]
    fn moving_to_the_current_stage_reports_only_that() {
        let pipeline = new_business();
        let mut deal = open(&pipeline);
        deal.amount = cny(0);
        let problems = rejected(&pipeline, &mut deal, &to("qualify"), "t1");
        assert_eq!(problems, ["already_in_stage"]);
    }

    #[test]
    fn unknown_stages_and_wrong_pipelines_are_errors() {
        let pipeline = new_business();
        let mut deal = open(&pipeline);
        assert_eq!(
            rejected(&pipeline, &mut deal, &to("nowhere"), "t1"),
            ["unknown_stage"]
        );
        let error = solution_sales()
            .move_deal(&mut deal, &to("proposal"), &ctx("t1", 1))
            .unwrap_err();
        assert_eq!(error.code(), crate::error::ErrorCode::WrongPipeline);
        assert_eq!(deal.history.len(), 1);
    }

    #[test]
    fn winning_from_the_last_stage_needs_its_exit_criteria() {
        let pipeline = new_business();
        let mut deal = deal_in("negotiate");
        let problems = rejected(&pipeline, &mut deal, &MoveTarget::Won, "t9");
        assert_eq!(problems, ["unmet:contract_reviewed"]);
        deal.tick_checklist(&pipeline, "contract_reviewed", user("mgr"), day(9))
            .unwrap();
        let outcome = pipeline
            .move_deal(&mut deal, &MoveTarget::Won, &ctx("t9", 20))
            .unwrap();
        assert_eq!(outcome.transition.kind, TransitionKind::Won);
        assert_eq!(outcome.transition.stage, stage("negotiate"));
        assert!(outcome.tasks.is_empty(), "outcomes create no tasks");
        assert_eq!(deal.status(), DealStatus::Won);
    }

    #[test]
    fn winning_from_an_earlier_stage_is_a_skip_and_needs_the_last_exit_criteria() {
        let mut deal = deal_in("demo");
        assert_eq!(
            rejected(&new_business(), &mut deal, &MoveTarget::Won, "t9"),
            ["skip_not_allowed", "unmet:contract_reviewed"]
        );
        // Where skipping is allowed, the current stage's and the last stage's exit criteria
        // still stand.
        let pipeline = solution_sales();
        let mut deal = open(&pipeline);
        assert_eq!(
            rejected(&pipeline, &mut deal, &MoveTarget::Won, "t9"),
            ["unmet:discuss_needs", "unmet:contract_signed"]
        );
        deal.needs = "n".into();
        deal.tick_checklist(&pipeline, "contract_signed", user("rep-li"), day(1))
            .unwrap();
        pipeline
            .move_deal(&mut deal, &MoveTarget::Won, &ctx("t9", 2))
            .unwrap();
        assert_eq!(deal.status(), DealStatus::Won);
        assert_eq!(deal.stage(), Some(&stage("discuss")));
    }

    #[test]
    fn losing_and_stopping_need_a_known_reason() {
        let pipeline = new_business();
        let mut deal = deal_in("demo");
        assert_eq!(
            rejected(&pipeline, &mut deal, &lost(" "), "t9"),
            ["reason_required"]
        );
        assert_eq!(
            rejected(&pipeline, &mut deal, &lost("weather"), "t9"),
            ["unknown_reason"]
        );
        assert_eq!(
            rejected(&pipeline, &mut deal, &stopped(""), "t9"),
            ["reason_required"]
        );
        assert_eq!(
            rejected(&pipeline, &mut deal, &stopped("price"), "t9"),
            ["unknown_reason"],
            "loss reasons are not stop reasons"
        );
        let target = MoveTarget::Lost {
            reason: "competitor".into(),
            note: "选择了友商".into(),
        };
        let outcome = pipeline
            .move_deal(&mut deal, &target, &ctx("t9", 20))
            .unwrap();
        assert_eq!(outcome.transition.status, DealStatus::Lost);
        assert_eq!(outcome.transition.reason.as_deref(), Some("competitor"));
        assert_eq!(outcome.transition.note, "选择了友商");
        assert_eq!(outcome.transition.stage, stage("demo"), "the stage reached");
    }

    #[test]
    fn losing_ignores_stage_criteria() {
        let pipeline = new_business();
        let mut deal = open(&pipeline);
        pipeline
            .move_deal(&mut deal, &lost("no_budget"), &ctx("t1", 1))
            .unwrap();
        assert_eq!(deal.status(), DealStatus::Lost);
    }

    #[test]
    fn a_stopped_deal_can_be_lost_but_not_moved() {
        let pipeline = new_business();
        let mut deal = deal_in("needs");
        pipeline
            .move_deal(&mut deal, &stopped("budget_frozen"), &ctx("t9", 20))
            .unwrap();
        assert_eq!(
            rejected(&pipeline, &mut deal, &to("demo"), "t10"),
            ["deal_closed"]
        );
        assert_eq!(
            rejected(&pipeline, &mut deal, &MoveTarget::Won, "t10"),
            ["deal_closed"]
        );
        assert_eq!(
            rejected(&pipeline, &mut deal, &stopped("budget_frozen"), "t10"),
            ["deal_closed"]
        );
        pipeline
            .move_deal(&mut deal, &lost("no_budget"), &ctx("t10", 21))
            .unwrap();
        assert_eq!(deal.status(), DealStatus::Lost);
        assert_eq!(deal.stage(), Some(&stage("needs")));
    }

    #[test]
    fn closed_deals_move_only_by_reopening() {
        let pipeline = new_business();
        let mut deal = deal_in("negotiate");
        deal.tick_checklist(&pipeline, "contract_reviewed", user("rep-li"), day(9))
            .unwrap();
        pipeline
            .move_deal(&mut deal, &MoveTarget::Won, &ctx("t9", 20))
            .unwrap();
        for target in [
            to("demo"),
            MoveTarget::Won,
            lost("price"),
            stopped("budget_frozen"),
        ] {
            assert_eq!(
                rejected(&pipeline, &mut deal, &target, "t10"),
                ["deal_closed"]
            );
        }
    }

    #[test]
    fn reopening_checks_the_stage_and_creates_its_tasks() {
        let pipeline = new_business();
        let mut deal = open(&pipeline);
        let reopen = |id: &str| MoveTarget::Reopen { stage: stage(id) };
        assert_eq!(
            rejected(&pipeline, &mut deal, &reopen("qualify"), "t1"),
            ["not_closed"]
        );
        pipeline
            .move_deal(&mut deal, &lost("price"), &ctx("t1", 1))
            .unwrap();
        assert_eq!(
            rejected(&pipeline, &mut deal, &reopen("nowhere"), "t2"),
            ["unknown_stage"]
        );
        assert_eq!(
            rejected(&pipeline, &mut deal, &reopen("demo"), "t2"),
            ["unmet:demo_budget", "unmet:demo_decision_maker"]
        );
        let outcome = pipeline
            .move_deal(&mut deal, &reopen("qualify"), &ctx("t2", 2))
            .unwrap();
        assert_eq!(outcome.transition.kind, TransitionKind::Reopened);
        assert_eq!(outcome.transition.status, DealStatus::Open);
        assert_eq!(outcome.tasks.len(), 1);
        assert_eq!(outcome.tasks[0].id, record("t2.first_call"));
        assert!(deal.is_open());
    }

    #[test]
    fn opening_in_a_later_stage_checks_its_entry_criteria() {
        let pipeline = new_business();
        let error = pipeline
            .open_deal(new_deal(Some(stage("demo"))), &ctx("t0", 0))
            .unwrap_err();
        let PipelineError::MoveRejected(rejected) = error else {
            panic!("expected MoveRejected");
        };
        let unmet: Vec<&str> = rejected
            .unmet_criteria()
            .map(|unmet| unmet.criterion.as_str())
            .collect();
        assert_eq!(unmet, ["demo_budget", "demo_decision_maker"]);

        let mut zero = new_deal(Some(stage("needs")));
        zero.amount = cny(0);
        assert!(pipeline.open_deal(zero, &ctx("t0", 0)).is_err());
        let (deal, tasks) = pipeline
            .open_deal(new_deal(Some(stage("needs"))), &ctx("t0", 0))
            .unwrap();
        assert_eq!(deal.stage(), Some(&stage("needs")));
        assert_eq!(deal.history[0].kind, TransitionKind::Created);
        assert_eq!(tasks.len(), 2);

        let error = pipeline
            .open_deal(new_deal(Some(stage("nowhere"))), &ctx("t0", 0))
            .unwrap_err();
        assert_eq!(error.code(), crate::error::ErrorCode::UnknownStage);
    }

    #[test]
    fn tasks_go_to_the_role_holder_and_fall_due_in_the_org_time_zone() {
        let pipeline = new_business();
        let mut deal = open(&pipeline);
        fill_qualify(&mut deal);
        deal.deal_team
            .insert(user("presales-zhao"), DealRole::Presales);
        // 23:30 in Beijing on day 3 is still 2026-03-05 there (but 15:30 UTC).
        let late = MoveContext {
            now: day(3).plus_days(0).millis_plus(23 * 3_600_000 + 1_800_000),
            ..ctx("t1", 3)
        };
        let outcome = pipeline.move_deal(&mut deal, &to("needs"), &late).unwrap();
        let tasks: Vec<(&str, &str, Option<time::Date>)> = outcome
            .tasks
            .iter()
            .map(|task| (task.id.as_str(), task.assignee.as_str(), task.due))
            .collect();
        assert_eq!(
            tasks,
            [
                ("t1.needs_memo", "rep-li", Some(date!(2026 - 03 - 10))),
                (
                    "t1.feasibility",
                    "presales-zhao",
                    Some(date!(2026 - 03 - 12))
                ),
            ]
        );
        for task in &outcome.tasks {
            assert_eq!(task.status, TaskStatus::Open);
            assert_eq!(task.created_at, late.now);
            assert_eq!(deal.tasks.get(&task.id), Some(task));
            assert!(
                matches!(&task.origin, TaskOrigin::StageTemplate { stage: s, .. } if s.as_str() == "needs")
            );
        }
        // Without a presales engineer on the team, the owner gets the task.
        let (deal, _) = pipeline
            .open_deal(new_deal(Some(stage("needs"))), &ctx("t0", 0))
            .unwrap();
        let feasibility = &deal.tasks[&record("t0.feasibility")];
        assert_eq!(feasibility.assignee, user("rep-li"));
        assert_eq!(OFFSET.whole_hours(), 8);
    }

    #[test]
    fn history_never_goes_back_in_time() {
        let pipeline = new_business();
        let mut deal = open(&pipeline);
        fill_qualify(&mut deal);
        // A device whose clock is a week behind the deal's creation.
        let skewed = ctx("t1", -7);
        let outcome = pipeline
            .move_deal(&mut deal, &to("needs"), &skewed)
            .unwrap();
        assert_eq!(outcome.transition.at, day(0));
        assert!(outcome.tasks.iter().all(|task| task.created_at == day(0)));
        let visits = deal.stage_visits();
        assert_eq!(visits[0].left_at, Some(visits[1].entered_at));
    }

    #[test]
    fn reused_ids_are_rejected_instead_of_overwriting() {
        let pipeline = new_business();
        let mut deal = open(&pipeline);
        fill_qualify(&mut deal);
        // The creation entry is t0.
        assert_eq!(
            rejected(&pipeline, &mut deal, &to("needs"), "t0"),
            ["duplicate_id"]
        );
        // A task already holds the id the move would give its task.
        let mut taken = deal.tasks[&record("t0.first_call")].clone();
        taken.id = record("t1.needs_memo");
        deal.add_task(taken).unwrap();
        assert_eq!(
            rejected(&pipeline, &mut deal, &to("needs"), "t1"),
            ["duplicate_id"]
        );
    }

    #[test]
    fn check_move_predicts_move_deal() {
        let pipeline = new_business();
        let mut deal = open(&pipeline);
        fill_qualify(&mut deal);
        let predicted = pipeline
            .check_move(&deal, &to("needs"), &ctx("t1", 1))
            .unwrap();
        let outcome = pipeline
            .move_deal(&mut deal, &to("needs"), &ctx("t1", 1))
            .unwrap();
        assert_eq!(predicted, outcome.transition);
    }

    impl Deal {
        /// Rewrites the current stage in place, to set up positions the rules would not
        /// reach directly.
        fn stage_mut_for_test(&mut self, id: &str) {
            if let Some(entry) = self.history.last_mut() {
                entry.stage = stage(id);
            }
        }
    }

    trait MillisPlus {
        fn millis_plus(self, millis: i64) -> Timestamp;
    }

    impl MillisPlus for Timestamp {
        fn millis_plus(self, millis: i64) -> Timestamp {
            Timestamp::from_millis(self.millis() + millis)
        }
    }
}
