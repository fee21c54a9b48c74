//! The deal record (销售机会): everything a team knows about one opportunity.
//!
//! A [`Deal`] is plain data. Collections that people edit (contacts, competitors, follow-ups,
//! comments, tasks, product lines, touchpoints) are maps keyed by id, which is also how they are
//! stored in the deal's Automerge document: concurrent additions both survive and concurrent
//! edits to different fields of one record both survive. Logs that only grow (stage history,
//! close-date and amount changes, forecast adjustments) are vectors ordered by time.
//!
//! Stage moves never edit [`Deal::history`] directly: they go through
//! [`Pipeline::move_deal`](crate::Pipeline::move_deal), which checks the stage rules first.

mod account;
mod activity;
mod checklist;
mod contact;
mod error;
mod history;
mod probability;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Date;

pub use account::{Account, Budget, CompanySize, ProductLine};
pub use activity::{
    Comment, FollowUp, FollowUpKind, NextStep, Task, TaskOrigin, TaskStatus, Touchpoint,
};
pub use contact::{
    Competitor, CompetitorStatus, Contact, ContactRole, Influence, PowerMapProblem, Relationship,
    RelationshipKind, Stance,
};
pub use error::DealError;
pub use history::{
    AmountChange, CloseDateChange, DealStatus, StageTransition, StageVisit, TransitionKind,
};
pub use probability::{
    CategoryOverride, EffectiveProbability, ForecastAdjustment, LearnedProbability,
    ManualProbability, ProbabilitySource,
};

use crate::id::{ContactId, DealId, LeadId, PipelineId, RecordId, StageId, TeamId, UserId};
use crate::money::Money;
use crate::timestamp::Timestamp;

/// A sales opportunity.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Deal {
    /// Identifier; for deals held in Automerge documents, the document id.
    pub id: DealId,
    /// Short title, e.g. "华东电网 CRM 二期".
    pub title: String,
    /// The customer company.
    pub account: Account,
    /// Expected contract value.
    pub amount: Money,
    /// Expected close date, a calendar date in the organisation's time zone.
    #[serde(default, with = "crate::doc::codec::serde_option_date")]
    pub expected_close: Option<Date>,
    /// Products and services being sold, keyed by id.
    pub product_lines: BTreeMap<RecordId, ProductLine>,
    /// Source channel (web form, trade show, referral, …), from the configurable list.
    pub source: Option<String>,
    /// Marketing campaign that produced the deal.
    pub campaign: Option<String>,
    /// The lead this deal was converted from.
    pub lead: Option<LeadId>,
    /// The rep who owns the deal (display only: the server keeps the authoritative owner).
    pub owner: UserId,
    /// The owner's team.
    pub team: Option<TeamId>,
    /// Others working on the deal (presales engineer, solution architect, …) and their roles.
    pub deal_team: BTreeMap<UserId, DealRole>,
    /// Needs and pain points (collaborative text).
    pub needs: String,
    /// Expected business value for the customer (collaborative text).
    pub business_value: String,
    /// Budget range, whether it is confirmed, and the approval cycle.
    pub budget: Budget,
    /// The pipeline the deal moves through.
    pub pipeline: PipelineId,
    /// Every stage move, ordered by time; the first entry is the creation.
    pub history: Vec<StageTransition>,
    /// Learned and manual win probabilities (the stage default comes from the pipeline).
    pub probability: ProbabilityInputs,
    /// The owner's forecast category, when it differs from the stage's default.
    pub forecast_category: Option<CategoryOverride>,
    /// Manager adjustments to the forecast category, kept apart from the owner's call.
    pub forecast_adjustments: Vec<ForecastAdjustment>,
    /// People at the customer involved in the decision, keyed by id.
    pub contacts: BTreeMap<ContactId, Contact>,
    /// Reports-to and influences edges between contacts (the power map).
    pub relationships: BTreeMap<RecordId, Relationship>,
    /// Competitors on this deal.
    pub competitors: BTreeMap<RecordId, Competitor>,
    /// Follow-up records (跟进记录).
    pub follow_ups: BTreeMap<RecordId, FollowUp>,
    /// Manager comments (点评), threaded by `reply_to`.
    pub comments: BTreeMap<RecordId, Comment>,
    /// Tasks, manual or created from stage templates.
    pub tasks: BTreeMap<RecordId, Task>,
    /// The agreed next step with the customer.
    pub next_step: Option<NextStep>,
    /// Ticked checklist criteria, by criterion id, with who ticked them and when.
    pub checklist: BTreeMap<String, ChecklistTick>,
    /// Every change of the expected close date, ordered by time.
    pub close_date_changes: Vec<CloseDateChange>,
    /// Every change of the amount, ordered by time.
    pub amount_changes: Vec<AmountChange>,
    /// Marketing touchpoints on the way to this deal (for attribution).
    pub touchpoints: BTreeMap<RecordId, Touchpoint>,
    /// When the deal was created.
    pub created_at: Timestamp,
    /// Who created it.
    pub created_by: UserId,
}

/// What a member of the deal team does on the deal; also the assignee role of task templates.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DealRole {
    /// The deal owner.
    Owner,
    /// Presales / solution engineer.
    Presales,
    /// The owner's manager.
    Manager,
    /// Customer success or delivery.
    Delivery,
    /// Anyone else helping.
    Other,
}

/// A ticked checklist criterion.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ChecklistTick {
    /// Who ticked it.
    pub by: UserId,
    /// When.
    pub at: Timestamp,
}

/// The learned and manual probabilities of a deal. Which one counts is decided by
/// [`Deal::effective_probability`]: manual over learned over the stage default.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct ProbabilityInputs {
    /// Filled by the scoring model.
    pub learned: Option<LearnedProbability>,
    /// Set by the owner; wins over everything else while the deal is open.
    pub manual: Option<ManualProbability>,
}

/// What is needed to open a deal; see [`Pipeline::open_deal`](crate::Pipeline::open_deal).
#[derive(Clone, PartialEq, Debug)]
pub struct NewDeal {
    /// Identifier (the document id for document-backed deals).
    pub id: DealId,
    /// Title.
    pub title: String,
    /// Customer company.
    pub account: Account,
    /// Expected value.
    pub amount: Money,
    /// Expected close date.
    pub expected_close: Option<Date>,
    /// Owner.
    pub owner: UserId,
    /// Owner's team.
    pub team: Option<TeamId>,
    /// Source channel.
    pub source: Option<String>,
    /// Stage to start in; the pipeline's first stage when `None`.
    pub stage: Option<StageId>,
}

impl Deal {
    /// A deal holding only what `new` gives, in `pipeline` with `history`, every record list
    /// empty: what [`crate::Pipeline::open_deal`] starts from, and what test and benchmark
    /// fixtures build on. `new.stage` is not read: `history` says where the deal is.
    pub fn opened(
        new: NewDeal,
        pipeline: PipelineId,
        history: Vec<StageTransition>,
        created_at: Timestamp,
        created_by: UserId,
    ) -> Deal {
        Deal {
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
            pipeline,
            history,
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
            created_at,
            created_by,
        }
    }

    /// The last entry of the stage history (the creation entry at least).
    ///
    /// Returns `None` only for a deal whose history was emptied by corrupt input; every function
    /// that builds deals keeps at least one entry.
    pub fn current(&self) -> Option<&StageTransition> {
        self.history.last()
    }

    /// Open, won, lost or stopped.
    pub fn status(&self) -> DealStatus {
        self.current()
            .map_or(DealStatus::Open, |entry| entry.status)
    }

    /// The current stage, or for a closed deal the stage it reached.
    pub fn stage(&self) -> Option<&StageId> {
        self.current().map(|entry| &entry.stage)
    }

    /// Whether the deal is still open.
    pub fn is_open(&self) -> bool {
        self.status() == DealStatus::Open
    }

    /// When the deal entered its current stage or outcome.
    pub fn stage_entered_at(&self) -> Option<Timestamp> {
        self.current().map(|entry| entry.at)
    }

    /// The most recent follow-up, if any.
    pub fn last_follow_up(&self) -> Option<&FollowUp> {
        self.follow_ups
            .values()
            .max_by_key(|follow_up| (follow_up.at, &follow_up.id))
    }

    /// The user who holds `role` on the deal: a deal-team member with that role, else the owner.
    pub fn assignee_for(&self, role: DealRole) -> &UserId {
        if role == DealRole::Owner {
            return &self.owner;
        }
        self.deal_team
            .iter()
            .find(|(_, member_role)| **member_role == role)
            .map_or(&self.owner, |(user, _)| user)
    }
}
