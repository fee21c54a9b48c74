//! Follow-ups, next steps, tasks, comments and marketing touchpoints.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::i18n::LocalizedText;
use crate::id::{ContactId, RecordId, StageId, UserId};
use crate::timestamp::Timestamp;

/// How a follow-up happened.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpKind {
    /// Phone call.
    Call,
    /// Visit at the customer.
    Visit,
    /// Meeting (online or in person).
    Meeting,
    /// Email.
    Email,
    /// Instant messaging, e.g. WeChat.
    Im,
    /// Product or solution demo.
    Demo,
}

/// A follow-up record (跟进记录).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct FollowUp {
    /// Identifier within the deal.
    pub id: RecordId,
    /// Call, visit, meeting, …
    pub kind: FollowUpKind,
    /// When it happened.
    pub at: Timestamp,
    /// Who recorded it.
    pub by: UserId,
    /// Customer contacts who took part.
    pub participants: Vec<ContactId>,
    /// What was discussed.
    pub summary: String,
    /// What the customer said (empty when none was recorded).
    pub customer_feedback: String,
    /// The next step agreed in this follow-up.
    pub next_step: Option<NextStep>,
}

/// The next action with the customer and when it is due.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct NextStep {
    /// What will be done, e.g. "安排技术交流会".
    pub action: String,
    /// Due date in the organisation's time zone.
    pub due: Date,
    /// Who will do it (the deal owner when `None`).
    pub owner: Option<UserId>,
}

/// Whether a task is still to do.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// To do.
    Open,
    /// Completed.
    Done,
    /// No longer needed.
    Cancelled,
}

/// Where a task came from.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TaskOrigin {
    /// Created by a user.
    Manual,
    /// Created from a stage's task template when the deal entered that stage.
    StageTemplate {
        /// The stage entered.
        stage: StageId,
        /// The template's id within the stage.
        template: String,
    },
}

/// A task on a deal.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Task {
    /// Identifier within the deal.
    pub id: RecordId,
    /// What to do, in both languages (manual tasks repeat the same text).
    pub title: LocalizedText,
    /// Who does it.
    pub assignee: UserId,
    /// Due date.
    pub due: Option<Date>,
    /// Open, done or cancelled.
    pub status: TaskStatus,
    /// Manual or from a stage template.
    pub origin: TaskOrigin,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was completed or cancelled.
    pub closed_at: Option<Timestamp>,
}

/// A manager comment (点评) or a reply to one.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Comment {
    /// Identifier within the deal.
    pub id: RecordId,
    /// Who wrote it.
    pub author: UserId,
    /// When.
    pub at: Timestamp,
    /// The text.
    pub text: String,
    /// The comment this replies to.
    pub reply_to: Option<RecordId>,
}

/// A marketing touch on the way to the deal (ad click, event visit, campaign email, …).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Touchpoint {
    /// Identifier within the deal.
    pub id: RecordId,
    /// When it happened.
    pub at: Timestamp,
    /// Channel, from the configurable source-channel list.
    pub channel: String,
    /// Campaign, if any.
    pub campaign: Option<String>,
}
