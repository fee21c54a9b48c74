//! How a deal leaves a stage: forward, back, won, lost, stopped (and perhaps reopened), or left
//! to linger until a manager's clean-up closes it.

use super::{Phase, Step, Story};
use crate::deal::{CompetitorStatus, ContactRole, FollowUpKind, TaskStatus};
use crate::demo::DemoError;
use crate::demo::edit::DemoEdit;
use crate::demo::random::{between, chance, pick, pick_from, pick_index};
use crate::demo::vocabulary::{
    CLOSE_NEXT_STEPS, COMPETITORS, DISCOVER_NEXT_STEPS, LINGER_SUMMARIES, QUALIFY_NEXT_STEPS, fill,
    loss_notes, stop_notes,
};
use crate::error::Error;
use crate::pipeline::MoveTarget;

/// Loss reasons of the standard lists, with their weights by phase: early deals die for want
/// of budget or decision, late ones on price and competition.
const LOSS_REASONS: [&str; 6] = [
    "price",
    "competitor",
    "no_budget",
    "no_decision",
    "product_fit",
    "relationship",
];

fn loss_weights(phase: Phase) -> [u32; 6] {
    match phase {
        Phase::Qualify => [5, 5, 35, 25, 15, 15],
        Phase::Discover => [10, 15, 25, 15, 20, 15],
        Phase::Evaluate => [25, 30, 10, 10, 15, 10],
        Phase::Close => [40, 35, 5, 10, 0, 10],
    }
}

impl Story<'_> {
    pub(super) fn move_to_stage(&mut self, stage_index: usize) -> Step {
        let stage = self.stage_id(stage_index)?;
        let owner = self.owner.clone();
        self.move_deal(&owner, MoveTarget::Stage { stage })
    }

    /// The customer changes the scope: back one stage.
    pub(super) fn move_back(&mut self, stage_index: usize) -> Step {
        let participants = self.key_contacts(&[ContactRole::DecisionMaker, ContactRole::Champion]);
        self.follow_up(
            FollowUpKind::Meeting,
            &["{contact}提出调整项目范围，需要重新梳理需求和预算"],
            participants,
            &DISCOVER_NEXT_STEPS,
        )?;
        self.wait_minutes(10, 120)?;
        self.move_to_stage(stage_index)
    }

    pub(super) fn win(&mut self) -> Step {
        // What is signed is on the deal by now.
        if self.deal.product_lines.is_empty() {
            self.add_product_lines()?;
        }
        // A pipeline that lets deals skip stages may skip the one that asks for it, but nobody
        // signs without a confirmed budget.
        self.confirm_budget()?;
        if chance(&mut self.rng, 50) {
            let participants = self.key_contacts(&[ContactRole::DecisionMaker]);
            self.follow_up(
                FollowUpKind::Visit,
                &["与{contact}正式签署合同，约定下月启动实施"],
                participants,
                &[],
            )?;
        }
        let owner = self.owner.clone();
        self.move_deal(&owner, MoveTarget::Won)?;
        let today = self.today();
        self.settle_minutes(2, 20)?;
        self.set_close_date(today)?;
        self.settle_competitors(None)?;
        self.close_open_tasks(TaskStatus::Done)?;
        if chance(&mut self.rng, 40) {
            self.comment_by_manager("恭喜拿下！注意做好交付衔接".to_owned())?;
        }
        Ok(())
    }

    /// Loses the deal with a reason that fits the phase; a clean-up loss is the manager's.
    pub(super) fn lose(&mut self, phase: Phase, cleanup: bool) -> Step {
        let reason = if cleanup {
            "no_decision"
        } else {
            let mut weights = loss_weights(phase);
            if self.fate.competitors.is_empty() {
                weights[1] = 0;
            }
            LOSS_REASONS[pick_index(&mut self.rng, &weights).min(LOSS_REASONS.len() - 1)]
        };
        let reason = if self.pipeline.loss_reason(reason).is_some() {
            reason.to_owned()
        } else {
            self.pipeline
                .loss_reasons
                .first()
                .map(|reason| reason.id.clone())
                .ok_or_else(|| self.no_reason())?
        };
        let note = if cleanup {
            "长时间无进展，客户不再回复，关闭商机".to_owned()
        } else {
            let template = pick_from(&mut self.rng, loss_notes(&reason))
                .copied()
                .unwrap_or_default();
            fill(template, &[("competitor", self.competitor_name())])
        };
        let by = if cleanup {
            self.manager.clone()
        } else {
            self.owner.clone()
        };
        let lost_to = (reason == "competitor").then(|| self.competitor_name());
        self.move_deal(&by, MoveTarget::Lost { reason, note })?;
        self.settle_competitors(lost_to)?;
        self.close_open_tasks(TaskStatus::Cancelled)?;
        self.settle_minutes(1, 10)?;
        self.emit(&by, DemoEdit::NextStep(None))?;
        Ok(())
    }

    pub(super) fn stop(&mut self) -> Step {
        let reason = *pick(
            &mut self.rng,
            &[
                "customer_postponed",
                "customer_postponed",
                "budget_frozen",
                "reorganisation",
            ],
        );
        let reason = if self.pipeline.stop_reason(reason).is_some() {
            reason.to_owned()
        } else {
            self.pipeline
                .stop_reasons
                .first()
                .map(|reason| reason.id.clone())
                .ok_or_else(|| self.no_reason())?
        };
        let note = pick_from(&mut self.rng, stop_notes(&reason))
            .copied()
            .unwrap_or_default()
            .to_owned();
        let owner = self.owner.clone();
        self.move_deal(&owner, MoveTarget::Stopped { reason, note })?;
        self.close_open_tasks(TaskStatus::Cancelled)?;
        Ok(())
    }

    /// The customer restarts the project: back into the stage it was stopped in.
    pub(super) fn reopen(&mut self, stage_index: usize) -> Step {
        self.reopened = true;
        let participants = self.key_contacts(&[ContactRole::Champion, ContactRole::DecisionMaker]);
        self.follow_up(
            FollowUpKind::Call,
            &["{contact}来电告知项目重新启动，希望尽快恢复沟通"],
            participants,
            &QUALIFY_NEXT_STEPS,
        )?;
        let stage = self.stage_id(stage_index)?;
        let owner = self.owner.clone();
        self.move_deal(&owner, MoveTarget::Reopen { stage })
    }

    /// The deal stays open with the odd follow-up and slipping close date, until `now` or
    /// until it is old enough for the manager to close it in a pipeline clean-up.
    pub(super) fn linger(&mut self, phase: Phase) -> Step {
        let cleanup_after = between(&mut self.rng, 200, 280);
        loop {
            self.wait_days(15, 50)?;
            if self.at.days_since(self.deal.created_at) > cleanup_after {
                return self.lose(phase, true);
            }
            let participants = self.key_contacts(&[ContactRole::Champion, ContactRole::User]);
            let kind = *pick(&mut self.rng, &[FollowUpKind::Im, FollowUpKind::Call]);
            let next_steps: &[&str] = if chance(&mut self.rng, 50) {
                &CLOSE_NEXT_STEPS[..1]
            } else {
                &[]
            };
            self.follow_up(kind, &LINGER_SUMMARIES, participants, next_steps)?;
            if self.fate.slips || chance(&mut self.rng, 30) {
                self.push_close_date()?;
            }
        }
    }

    /// After the outcome: every active competitor is eliminated, except the one that won
    /// against us.
    fn settle_competitors(&mut self, winner: Option<&str>) -> Step {
        let owner = self.owner.clone();
        let active: Vec<_> = self
            .deal
            .competitors
            .values()
            .filter(|competitor| competitor.status == CompetitorStatus::Active)
            .cloned()
            .collect();
        for mut competitor in active {
            competitor.status = if Some(competitor.name.as_str()) == winner {
                CompetitorStatus::WonAgainstUs
            } else {
                CompetitorStatus::Eliminated
            };
            self.settle_minutes(1, 10)?;
            self.emit(&owner, DemoEdit::Competitor(competitor))?;
        }
        // A competitor that won without having been recorded is recorded now.
        if let Some(winner) = winner
            && !self
                .deal
                .competitors
                .values()
                .any(|competitor| competitor.name == winner)
            && COMPETITORS.iter().any(|(_, spec)| spec.name == winner)
        {
            self.reveal_competitors()?;
            self.settle_competitors(Some(winner))?;
        }
        Ok(())
    }

    fn stage_id(&self, stage_index: usize) -> Result<crate::id::StageId, Error> {
        self.pipeline
            .stages
            .get(stage_index)
            .map(|stage| stage.id.clone())
            .ok_or_else(|| {
                DemoError::Inconsistent {
                    reason: format!("pipeline {} has no stage {stage_index}", self.pipeline.id),
                }
                .into()
            })
    }

    fn no_reason(&self) -> Error {
        DemoError::Inconsistent {
            reason: format!("pipeline {} has no loss or stop reasons", self.pipeline.id),
        }
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loss_reasons_are_the_standard_ones() {
        let pipeline = crate::pipeline::Pipeline::template_new_business();
        for reason in LOSS_REASONS {
            assert!(pipeline.loss_reason(reason).is_some(), "{reason}");
        }
        for phase in [
            Phase::Qualify,
            Phase::Discover,
            Phase::Evaluate,
            Phase::Close,
        ] {
            assert!(loss_weights(phase).iter().sum::<u32>() > 0);
        }
    }
}
