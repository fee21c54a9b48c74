//! Opening deals and moving them between stages: the only code that writes stage history.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::UtcOffset;

use super::criterion::CriterionPhase;
use super::error::{MoveProblem, MoveRejected, PipelineError};
use super::{Pipeline, Stage};
use crate::deal::{
    Budget, Deal, DealStatus, NewDeal, ProbabilityInputs, StageTransition, Task, TaskOrigin,
    TaskStatus, TransitionKind,
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
        let mut deal = Deal {
            id: new.id,
            title: new.title,
            account: new.account,
            amount: new.amount,
            expected_close: new.expected_close,
            product_lines: BTreeMap::new(),
            source: new.source,
            campaign: None,
            lead: None,
            owner: new.owner,
            team: new.team,
            deal_team: BTreeMap::new(),
            needs: String::new(),
            business_value: String::new(),
            budget: Budget::default(),
            pipeline: self.id.clone(),
            history: Vec::new(),
            probability: ProbabilityInputs::default(),
            forecast_category: None,
            forecast_adjustments: Vec::new(),
            contacts: BTreeMap::new(),
            relationships: BTreeMap::new(),
            competitors: BTreeMap::new(),
            follow_ups: BTreeMap::new(),
            comments: BTreeMap::new(),
            tasks: BTreeMap::new(),
            next_step: None,
            checklist: BTreeMap::new(),
            close_date_changes: Vec::new(),
            amount_changes: Vec::new(),
            touchpoints: BTreeMap::new(),
            created_at: ctx.now,
            created_by: ctx.by.clone(),
        };
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
