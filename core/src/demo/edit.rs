//! The edits a demo deal's history is made of, and how each is applied: to the plain [`Deal`]
//! while generating, and to its [`DealDoc`] through the document's typed edits when the history
//! is replayed. Both paths must end in the same deal; the contract tests compare them.

use time::{Date, UtcOffset};

use crate::deal::{
    Budget, Comment, CompanySize, Competitor, Contact, Deal, DealRole, FollowUp,
    ForecastAdjustment, ManualProbability, NextStep, ProductLine, Relationship, Task, TaskStatus,
    Touchpoint,
};
use crate::deal::{CategoryOverride, ChecklistTick};
use crate::doc::{DealDoc, TextField};
use crate::error::Error;
use crate::id::{RecordId, UserId};
use crate::money::Money;
use crate::pipeline::{ForecastCategory, MoveContext, MoveTarget, Pipeline};
use crate::probability::Probability;
use crate::timestamp::Timestamp;

/// One edit of a demo deal, made by `by` at `at`.
#[derive(Clone, PartialEq, Debug)]
pub struct DemoEvent {
    /// When the edit was made.
    pub at: Timestamp,
    /// Who made it.
    pub by: UserId,
    /// What it changed.
    pub edit: DemoEdit,
}

/// What a [`DemoEvent`] changes. Each variant is one typed edit of [`DealDoc`] (or, for fields
/// without a dedicated edit, one [`DealDoc::update`]), so a replayed history reads like one a
/// team made by hand.
#[derive(Clone, PartialEq, Debug)]
#[non_exhaustive]
pub enum DemoEdit {
    /// A stage move through [`Pipeline::move_deal`] ([`DealDoc::move_stage`]).
    Move {
        /// Where to.
        target: MoveTarget,
        /// The id of the history entry.
        transition_id: RecordId,
    },
    /// A new amount ([`DealDoc::set_amount`]).
    Amount {
        /// The amount.
        amount: Money,
        /// The id of the amount-change entry.
        change_id: RecordId,
    },
    /// A new expected close date ([`DealDoc::set_expected_close`]).
    ExpectedClose {
        /// The date.
        date: Option<Date>,
        /// The id of the close-date-change entry.
        change_id: RecordId,
    },
    /// The needs ([`DealDoc::update_text`]).
    Needs(String),
    /// The expected business value ([`DealDoc::update_text`]).
    BusinessValue(String),
    /// The account's background notes ([`DealDoc::update_text`]).
    Background(String),
    /// The account's industry, size and region.
    AccountProfile {
        /// Industry.
        industry: Option<String>,
        /// Company size.
        size: Option<CompanySize>,
        /// Region.
        region: Option<String>,
    },
    /// The budget.
    Budget(Budget),
    /// The campaign.
    Campaign(Option<String>),
    /// A member of the deal team.
    DealTeam {
        /// The member.
        user: UserId,
        /// Their role.
        role: DealRole,
    },
    /// A contact added or edited ([`DealDoc::upsert_contact`]).
    Contact(Contact),
    /// A power-map edge ([`DealDoc::upsert_relationship`]).
    Relationship(Relationship),
    /// A competitor added or edited ([`DealDoc::upsert_competitor`]).
    Competitor(Competitor),
    /// A product line added or edited ([`DealDoc::upsert_product_line`]).
    ProductLine(ProductLine),
    /// A follow-up ([`DealDoc::record_follow_up`]).
    FollowUp(FollowUp),
    /// A comment ([`DealDoc::upsert_comment`]).
    Comment(Comment),
    /// A manual task ([`DealDoc::upsert_task`]).
    Task(Task),
    /// A task completed or cancelled ([`DealDoc::set_task_status`]).
    TaskStatus {
        /// The task.
        task: RecordId,
        /// Its new status.
        status: TaskStatus,
    },
    /// The next step ([`DealDoc::set_next_step`]).
    NextStep(Option<NextStep>),
    /// A checklist criterion ticked ([`DealDoc::tick_checklist`]).
    Tick {
        /// The criterion id.
        criterion: String,
    },
    /// The owner's forecast category ([`DealDoc::set_forecast_category`]).
    ForecastCategory(Option<ForecastCategory>),
    /// A manager's forecast adjustment.
    ForecastAdjustment(ForecastAdjustment),
    /// The owner's manual probability ([`DealDoc::set_manual_probability`]).
    ManualProbability(Option<Probability>),
    /// A marketing touchpoint.
    Touchpoint(Touchpoint),
}

impl DemoEvent {
    /// Applies the event to a plain deal, exactly as replaying it on the deal's document does;
    /// returns the tasks a stage move created.
    pub(super) fn apply_to_deal(
        &self,
        deal: &mut Deal,
        pipeline: &Pipeline,
        offset: UtcOffset,
    ) -> Result<Vec<Task>, Error> {
        if let DemoEdit::Move {
            target,
            transition_id,
        } = &self.edit
        {
            let outcome =
                pipeline.move_deal(deal, target, &move_context(self, offset, transition_id))?;
            return Ok(outcome.tasks);
        }
        self.apply_edit(deal);
        Ok(Vec::new())
    }

    /// Applies an edit other than a stage move (which only [`Pipeline::move_deal`] makes, and
    /// which this ignores).
    pub(super) fn apply_edit(&self, deal: &mut Deal) {
        let (at, by) = (self.at, &self.by);
        match &self.edit {
            DemoEdit::Move { .. } => {}
            DemoEdit::Amount { amount, change_id } => {
                deal.set_amount(*amount, by.clone(), at, change_id.clone());
            }
            DemoEdit::ExpectedClose { date, change_id } => {
                deal.set_expected_close(*date, by.clone(), at, change_id.clone());
            }
            DemoEdit::Needs(text) => deal.needs.clone_from(text),
            DemoEdit::BusinessValue(text) => deal.business_value.clone_from(text),
            DemoEdit::Background(text) => deal.account.background.clone_from(text),
            DemoEdit::AccountProfile {
                industry,
                size,
                region,
            } => set_profile(deal, industry, *size, region),
            DemoEdit::Budget(budget) => deal.budget = budget.clone(),
            DemoEdit::Campaign(campaign) => deal.campaign.clone_from(campaign),
            DemoEdit::DealTeam { user, role } => {
                deal.deal_team.insert(user.clone(), *role);
            }
            DemoEdit::Contact(contact) => {
                deal.contacts.insert(contact.id.clone(), contact.clone());
            }
            DemoEdit::Relationship(relationship) => {
                deal.relationships
                    .insert(relationship.id.clone(), relationship.clone());
            }
            DemoEdit::Competitor(competitor) => {
                deal.competitors
                    .insert(competitor.id.clone(), competitor.clone());
            }
            DemoEdit::ProductLine(line) => {
                deal.product_lines.insert(line.id.clone(), line.clone());
            }
            DemoEdit::FollowUp(follow_up) => record_follow_up(deal, follow_up),
            DemoEdit::Comment(comment) => {
                deal.comments.insert(comment.id.clone(), comment.clone());
            }
            DemoEdit::Task(task) => {
                deal.tasks.insert(task.id.clone(), task.clone());
            }
            DemoEdit::TaskStatus { task, status } => {
                // As `DealDoc::set_task_status`: closing stamps the time, reopening clears it.
                if let Some(task) = deal.tasks.get_mut(task)
                    && task.status != *status
                {
                    task.status = *status;
                    task.closed_at = match status {
                        TaskStatus::Open => None,
                        TaskStatus::Done | TaskStatus::Cancelled => Some(at),
                    };
                }
            }
            DemoEdit::NextStep(next_step) => deal.next_step.clone_from(next_step),
            DemoEdit::Tick { criterion } => {
                deal.checklist
                    .entry(criterion.clone())
                    .or_insert_with(|| ChecklistTick { by: by.clone(), at });
            }
            DemoEdit::ForecastCategory(category) => {
                deal.forecast_category = category.map(|category| CategoryOverride {
                    category,
                    set_by: by.clone(),
                    set_at: at,
                });
            }
            DemoEdit::ForecastAdjustment(adjustment) => {
                deal.forecast_adjustments.push(adjustment.clone());
            }
            DemoEdit::ManualProbability(value) => {
                deal.probability.manual = value.map(|value| ManualProbability {
                    value,
                    set_by: by.clone(),
                    set_at: at,
                });
            }
            DemoEdit::Touchpoint(touchpoint) => {
                deal.touchpoints
                    .insert(touchpoint.id.clone(), touchpoint.clone());
            }
        }
    }

    /// What the edit does, as the summary line of its change (`record follow-up`, …).
    pub(super) fn summary(&self) -> &'static str {
        match &self.edit {
            DemoEdit::Move { .. } => "move stage",
            DemoEdit::Amount { .. } => "set amount",
            DemoEdit::ExpectedClose { .. } => "set expected close date",
            DemoEdit::Needs(_) | DemoEdit::BusinessValue(_) | DemoEdit::Background(_) => {
                "edit text"
            }
            DemoEdit::AccountProfile { .. } => "edit account",
            DemoEdit::Budget(_) => "edit budget",
            DemoEdit::Campaign(_) => "set campaign",
            DemoEdit::DealTeam { .. } => "edit deal team",
            DemoEdit::Contact(_) => "edit contact",
            DemoEdit::Relationship(_) => "edit relationship",
            DemoEdit::Competitor(_) => "edit competitor",
            DemoEdit::ProductLine(_) => "edit product line",
            DemoEdit::FollowUp(_) => "record follow-up",
            DemoEdit::Comment(_) => "comment",
            DemoEdit::Task(_) => "edit task",
            DemoEdit::TaskStatus { .. } => "set task status",
            DemoEdit::NextStep(_) => "set next step",
            DemoEdit::Tick { .. } => "tick checklist item",
            DemoEdit::ForecastCategory(_) => "set forecast category",
            DemoEdit::ForecastAdjustment(_) => "adjust forecast category",
            DemoEdit::ManualProbability(_) => "set manual probability",
            DemoEdit::Touchpoint(_) => "record touchpoint",
        }
    }

    /// Replays the event on the deal's document through its typed edit.
    pub(super) fn apply_to_doc(
        &self,
        doc: &mut DealDoc,
        pipeline: &Pipeline,
        offset: UtcOffset,
    ) -> Result<(), Error> {
        let (at, by) = (self.at, &self.by);
        match &self.edit {
            DemoEdit::Move {
                target,
                transition_id,
            } => {
                doc.move_stage(pipeline, target, &move_context(self, offset, transition_id))?;
            }
            DemoEdit::Amount { amount, change_id } => {
                doc.set_amount(by, at, *amount, change_id.clone())?;
            }
            DemoEdit::ExpectedClose { date, change_id } => {
                doc.set_expected_close(by, at, *date, change_id.clone())?;
            }
            DemoEdit::Needs(text) => {
                doc.update_text(by, at, &TextField::Needs, text)?;
            }
            DemoEdit::BusinessValue(text) => {
                doc.update_text(by, at, &TextField::BusinessValue, text)?;
            }
            DemoEdit::Background(text) => {
                doc.update_text(by, at, &TextField::AccountBackground, text)?;
            }
            DemoEdit::AccountProfile {
                industry,
                size,
                region,
            } => {
                doc.update(by, at, "edit account", |deal| {
                    set_profile(deal, industry, *size, region);
                })?;
            }
            DemoEdit::Budget(budget) => {
                doc.update(by, at, "edit budget", |deal| deal.budget = budget.clone())?;
            }
            DemoEdit::Campaign(campaign) => {
                doc.update(by, at, "set campaign", |deal| {
                    deal.campaign.clone_from(campaign);
                })?;
            }
            DemoEdit::DealTeam { user, role } => {
                doc.update(by, at, "edit deal team", |deal| {
                    deal.deal_team.insert(user.clone(), *role);
                })?;
            }
            DemoEdit::Contact(contact) => {
                doc.upsert_contact(by, at, contact)?;
            }
            DemoEdit::Relationship(relationship) => {
                doc.upsert_relationship(by, at, relationship)?;
            }
            DemoEdit::Competitor(competitor) => {
                doc.upsert_competitor(by, at, competitor)?;
            }
            DemoEdit::ProductLine(line) => {
                doc.upsert_product_line(by, at, line)?;
            }
            DemoEdit::FollowUp(follow_up) => {
                doc.record_follow_up(by, at, follow_up.clone())?;
            }
            DemoEdit::Comment(comment) => {
                doc.upsert_comment(by, at, comment)?;
            }
            DemoEdit::Task(task) => {
                doc.upsert_task(by, at, task)?;
            }
            DemoEdit::TaskStatus { task, status } => {
                doc.set_task_status(by, at, task, *status)?;
            }
            DemoEdit::NextStep(next_step) => {
                doc.set_next_step(by, at, next_step.clone())?;
            }
            DemoEdit::Tick { criterion } => {
                doc.tick_checklist(by, at, criterion)?;
            }
            DemoEdit::ForecastCategory(category) => {
                doc.set_forecast_category(by, at, *category)?;
            }
            DemoEdit::ForecastAdjustment(adjustment) => {
                doc.update(by, at, "adjust forecast category", |deal| {
                    deal.forecast_adjustments.push(adjustment.clone());
                })?;
            }
            DemoEdit::ManualProbability(value) => {
                doc.set_manual_probability(by, at, *value)?;
            }
            DemoEdit::Touchpoint(touchpoint) => {
                doc.update(by, at, "record touchpoint", |deal| {
                    deal.touchpoints
                        .insert(touchpoint.id.clone(), touchpoint.clone());
                })?;
            }
        }
        Ok(())
    }
}

fn move_context(event: &DemoEvent, offset: UtcOffset, transition_id: &RecordId) -> MoveContext {
    MoveContext {
        now: event.at,
        offset,
        by: event.by.clone(),
        transition_id: transition_id.clone(),
    }
}

fn set_profile(
    deal: &mut Deal,
    industry: &Option<String>,
    size: Option<CompanySize>,
    region: &Option<String>,
) {
    deal.account.industry.clone_from(industry);
    deal.account.size = size;
    deal.account.region.clone_from(region);
}

/// What [`DealDoc::record_follow_up`] does to the deal: the follow-up's next step becomes the
/// deal's, and the participants' last-contacted time moves forward to it.
fn record_follow_up(deal: &mut Deal, follow_up: &FollowUp) {
    if let Some(next_step) = &follow_up.next_step {
        deal.next_step = Some(next_step.clone());
    }
    for participant in &follow_up.participants {
        if let Some(contact) = deal.contacts.get_mut(participant)
            && contact
                .last_contacted
                .is_none_or(|last| last < follow_up.at)
        {
            contact.last_contacted = Some(follow_up.at);
        }
    }
    deal.follow_ups
        .insert(follow_up.id.clone(), follow_up.clone());
}
