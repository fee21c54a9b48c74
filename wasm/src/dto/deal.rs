//! The deal record and its parts.

use dealflow_core as domain;
use serde::Serialize;
use tsify::Tsify;

use wasm_bindgen::JsValue;

use super::common::{LocalizedText, Money, id, ids, opt_id, strings};
use super::pipeline::ForecastCategory;
use crate::convert::{Fields, FromJs, iso_date, opt_iso_date};
use crate::error::JsResult;

mirror_enum! {
    /// Company size by headcount.
    CompanySize = CompanySize {
        /// Fewer than 20 people.
        Micro = "micro",
        /// 20–99 people.
        Small = "small",
        /// 100–499 people.
        Medium = "medium",
        /// 500–1,999 people.
        Large = "large",
        /// 2,000 people or more.
        Enterprise = "enterprise",
    }
}

mirror_enum! {
    /// The part a contact plays in the buying decision.
    ContactRole = ContactRole {
        /// 决策者.
        DecisionMaker = "decision_maker",
        /// 内部支持者/教练.
        Champion = "champion",
        /// 影响者.
        Influencer = "influencer",
        /// 使用者.
        User = "user",
        /// 技术把关者.
        Technical = "technical",
        /// 财务把关者.
        Financial = "financial",
        /// 阻碍者.
        Blocker = "blocker",
        /// Any other role.
        Other = "other",
    }
}

mirror_enum! {
    /// How a contact feels about us.
    Stance = Stance {
        /// Supports us.
        Supporter = "supporter",
        /// Undecided.
        Neutral = "neutral",
        /// Opposes us.
        Opponent = "opponent",
    }
}

mirror_enum! {
    /// How much weight a contact's opinion carries.
    Influence = Influence {
        /// Little.
        Low = "low",
        /// Some.
        Medium = "medium",
        /// Strong.
        High = "high",
    }
}

mirror_enum! {
    /// The kind of a power-map edge.
    RelationshipKind = RelationshipKind {
        /// `from` reports to `to`.
        ReportsTo = "reports_to",
        /// `from` influences `to`.
        Influences = "influences",
    }
}

mirror_enum! {
    /// Where a competitor stands on the deal.
    CompetitorStatus = CompetitorStatus {
        /// Still in the running.
        Active = "active",
        /// Out of the running.
        Eliminated = "eliminated",
        /// Won the deal against us.
        WonAgainstUs = "won_against_us",
    }
}

mirror_enum! {
    /// How a follow-up happened.
    FollowUpKind = FollowUpKind {
        /// Phone call.
        Call = "call",
        /// Visit at the customer.
        Visit = "visit",
        /// Meeting.
        Meeting = "meeting",
        /// Email.
        Email = "email",
        /// Instant messaging, e.g. WeChat.
        Im = "im",
        /// Product or solution demo.
        Demo = "demo",
    }
}

mirror_enum! {
    /// Whether a task is still to do.
    TaskStatus = TaskStatus {
        /// To do.
        Open = "open",
        /// Completed.
        Done = "done",
        /// No longer needed.
        Cancelled = "cancelled",
    }
}

mirror_enum! {
    /// What a deal-team member does on the deal.
    DealRole = DealRole {
        /// The deal owner.
        Owner = "owner",
        /// Presales / solution engineer.
        Presales = "presales",
        /// The owner's manager.
        Manager = "manager",
        /// Customer success or delivery.
        Delivery = "delivery",
        /// Anyone else helping.
        Other = "other",
    }
}

mirror_enum! {
    /// Whether a deal is open or how it ended.
    DealStatus = DealStatus {
        /// In an open stage.
        Open = "open",
        /// Won (赢单).
        Won = "won",
        /// Lost (输单).
        Lost = "lost",
        /// Stopped or on hold (暂停).
        Stopped = "stopped",
    }
}

mirror_enum! {
    /// What kind of move a stage-history entry records.
    TransitionKind = TransitionKind {
        /// Created in this stage.
        Created = "created",
        /// Moved to a later stage.
        Forward = "forward",
        /// Moved to an earlier stage.
        Backward = "backward",
        /// Closed as won.
        Won = "won",
        /// Closed as lost.
        Lost = "lost",
        /// Stopped or put on hold.
        Stopped = "stopped",
        /// Reopened after being closed or stopped.
        Reopened = "reopened",
    }
}

mirror_enum! {
    /// Which input an effective probability came from.
    ProbabilitySource = ProbabilitySource {
        /// Set by hand.
        Manual = "manual",
        /// From the scoring model.
        Learned = "learned",
        /// The current stage's default.
        StageDefault = "stage_default",
        /// Won: 100 %.
        Won = "won",
        /// Lost or stopped: 0 %.
        Closed = "closed",
    }
}

/// The customer company of a deal.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// The account record, once the company is in the account list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Company name.
    pub name: String,
    /// Industry (e.g. 制造业).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub industry: Option<String>,
    /// Company size band.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<CompanySize>,
    /// Region (e.g. 华东).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Background notes (collaborative text; edit with `updateText`/`spliceText` while typing).
    #[serde(default)]
    pub background: String,
}

impl From<domain::Account> for Account {
    fn from(account: domain::Account) -> Self {
        Account {
            id: account.id.map(String::from),
            name: account.name,
            industry: account.industry,
            size: account.size.map(CompanySize::from),
            region: account.region,
            background: account.background,
        }
    }
}

impl FromJs for domain::Account {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::Account {
            id: opt_id(fields.opt_text("id")?)?,
            name: fields.text("name")?,
            industry: fields.opt_text("industry")?,
            size: fields.opt_name::<CompanySize>("size")?.map(Into::into),
            region: fields.opt_text("region")?,
            background: fields.text_or_empty("background")?,
        })
    }
}

/// The customer's budget.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct Budget {
    /// Lower end of the range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<Money>,
    /// Upper end of the range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<Money>,
    /// Whether the customer has confirmed the budget.
    pub confirmed: bool,
    /// How the customer approves spending (e.g. "季度预算，总经理审批").
    #[serde(default)]
    pub approval_cycle: String,
}

impl From<domain::Budget> for Budget {
    fn from(budget: domain::Budget) -> Self {
        Budget {
            min: budget.min.map(Money::from),
            max: budget.max.map(Money::from),
            confirmed: budget.confirmed,
            approval_cycle: budget.approval_cycle,
        }
    }
}

impl FromJs for domain::Budget {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::Budget {
            min: fields.opt_value("min")?,
            max: fields.opt_value("max")?,
            confirmed: fields.flag("confirmed")?,
            approval_cycle: fields.text_or_empty("approvalCycle")?,
        })
    }
}

/// One product or service on a deal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ProductLine {
    /// Identifier within the deal.
    pub id: String,
    /// The catalogue product, when it comes from the catalogue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    /// Product name as shown.
    pub product: String,
    /// Quantity (positive).
    pub quantity: i64,
    /// Price per unit before discount.
    pub unit_price: Money,
    /// Line discount in basis points (1 500 = 15 %).
    #[serde(default)]
    pub discount_bp: u16,
}

impl From<domain::ProductLine> for ProductLine {
    fn from(line: domain::ProductLine) -> Self {
        ProductLine {
            id: line.id.into(),
            product_id: line.product_id.map(String::from),
            product: line.product,
            quantity: line.quantity,
            unit_price: line.unit_price.into(),
            discount_bp: line.discount.basis_points(),
        }
    }
}

impl FromJs for domain::ProductLine {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::ProductLine {
            id: id(fields.text("id")?)?,
            product_id: opt_id(fields.opt_text("productId")?)?,
            product: fields.text("product")?,
            quantity: fields.integer("quantity")?,
            unit_price: fields.value("unitPrice")?,
            discount: super::common::discount(fields.number_or_zero("discountBp")?)?,
        })
    }
}

/// A person at the customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    /// Identifier.
    pub id: String,
    /// Name.
    pub name: String,
    /// Job title.
    #[serde(default)]
    pub title: String,
    /// Role in the decision.
    pub role: ContactRole,
    /// Stance towards us.
    pub stance: Stance,
    /// Influence on the decision.
    pub influence: Influence,
    /// When we last spoke with them.
    #[tsify(type = "Millis")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_contacted: Option<i64>,
    /// Phone number.
    #[serde(default)]
    pub phone: String,
    /// Email address.
    #[serde(default)]
    pub email: String,
}

impl From<domain::Contact> for Contact {
    fn from(contact: domain::Contact) -> Self {
        Contact {
            id: contact.id.into(),
            name: contact.name,
            title: contact.title,
            role: contact.role.into(),
            stance: contact.stance.into(),
            influence: contact.influence.into(),
            last_contacted: contact.last_contacted.map(domain::Timestamp::millis),
            phone: contact.phone,
            email: contact.email,
        }
    }
}

impl FromJs for domain::Contact {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::Contact {
            id: id(fields.text("id")?)?,
            name: fields.text("name")?,
            title: fields.text_or_empty("title")?,
            role: fields.name::<ContactRole>("role")?.into(),
            stance: fields.name::<Stance>("stance")?.into(),
            influence: fields.name::<Influence>("influence")?.into(),
            last_contacted: fields
                .opt_integer("lastContacted")?
                .map(domain::Timestamp::from_millis),
            phone: fields.text_or_empty("phone")?,
            email: fields.text_or_empty("email")?,
        })
    }
}

/// An edge of the power map between two contacts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct Relationship {
    /// Identifier within the deal.
    pub id: String,
    /// Source contact.
    pub from: String,
    /// Target contact.
    pub to: String,
    /// Reports to or influences.
    pub kind: RelationshipKind,
}

impl From<domain::Relationship> for Relationship {
    fn from(relationship: domain::Relationship) -> Self {
        Relationship {
            id: relationship.id.into(),
            from: relationship.from.into(),
            to: relationship.to.into(),
            kind: relationship.kind.into(),
        }
    }
}

impl FromJs for domain::Relationship {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::Relationship {
            id: id(fields.text("id")?)?,
            from: id(fields.text("from")?)?,
            to: id(fields.text("to")?)?,
            kind: fields.name::<RelationshipKind>("kind")?.into(),
        })
    }
}

/// A competitor on the deal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct Competitor {
    /// Identifier within the deal.
    pub id: String,
    /// Competitor company.
    pub name: String,
    /// Their product.
    #[serde(default)]
    pub product: String,
    /// Their price, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<Money>,
    /// Their strengths, one per entry.
    #[serde(default)]
    pub strengths: Vec<String>,
    /// Their weaknesses, one per entry.
    #[serde(default)]
    pub weaknesses: Vec<String>,
    /// Active, eliminated or won against us.
    pub status: CompetitorStatus,
}

impl From<domain::Competitor> for Competitor {
    fn from(competitor: domain::Competitor) -> Self {
        Competitor {
            id: competitor.id.into(),
            name: competitor.name,
            product: competitor.product,
            price: competitor.price.map(Money::from),
            strengths: competitor.strengths,
            weaknesses: competitor.weaknesses,
            status: competitor.status.into(),
        }
    }
}

impl FromJs for domain::Competitor {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::Competitor {
            id: id(fields.text("id")?)?,
            name: fields.text("name")?,
            product: fields.text_or_empty("product")?,
            price: fields.opt_value("price")?,
            strengths: fields.texts("strengths")?,
            weaknesses: fields.texts("weaknesses")?,
            status: fields.name::<CompetitorStatus>("status")?.into(),
        })
    }
}

/// The next action with the customer and when it is due.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct NextStep {
    /// What will be done, e.g. "安排技术交流会".
    pub action: String,
    /// Due date.
    #[tsify(type = "IsoDate")]
    #[serde(serialize_with = "iso_date")]
    pub due: time::Date,
    /// Who will do it (the deal owner when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

impl From<domain::NextStep> for NextStep {
    fn from(next_step: domain::NextStep) -> Self {
        NextStep {
            action: next_step.action,
            due: next_step.due,
            owner: next_step.owner.map(String::from),
        }
    }
}

impl FromJs for domain::NextStep {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::NextStep {
            action: fields.text("action")?,
            due: fields.date("due")?,
            owner: opt_id(fields.opt_text("owner")?)?,
        })
    }
}

/// A follow-up record (跟进记录).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct FollowUp {
    /// Identifier within the deal.
    pub id: String,
    /// Call, visit, meeting, …
    pub kind: FollowUpKind,
    /// When it happened.
    #[tsify(type = "Millis")]
    pub at: i64,
    /// Who recorded it.
    pub by: String,
    /// Customer contacts who took part (contact ids).
    #[serde(default)]
    pub participants: Vec<String>,
    /// What was discussed (collaborative text once recorded).
    #[serde(default)]
    pub summary: String,
    /// What the customer said (empty when none was recorded).
    #[serde(default)]
    pub customer_feedback: String,
    /// The next step agreed in this follow-up; it becomes the deal's next step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<NextStep>,
}

impl From<domain::FollowUp> for FollowUp {
    fn from(follow_up: domain::FollowUp) -> Self {
        FollowUp {
            id: follow_up.id.into(),
            kind: follow_up.kind.into(),
            at: follow_up.at.millis(),
            by: follow_up.by.into(),
            participants: strings(&follow_up.participants),
            summary: follow_up.summary,
            customer_feedback: follow_up.customer_feedback,
            next_step: follow_up.next_step.map(NextStep::from),
        }
    }
}

impl FromJs for domain::FollowUp {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::FollowUp {
            id: id(fields.text("id")?)?,
            kind: fields.name::<FollowUpKind>("kind")?.into(),
            at: domain::Timestamp::from_millis(fields.integer("at")?),
            by: id(fields.text("by")?)?,
            participants: ids(fields.texts("participants")?)?,
            summary: fields.text_or_empty("summary")?,
            customer_feedback: fields.text_or_empty("customerFeedback")?,
            next_step: fields.opt_value("nextStep")?,
        })
    }
}

/// Where a task came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TaskOrigin {
    /// Created by a user.
    Manual,
    /// Created from a stage's task template when the deal entered the stage.
    StageTemplate {
        /// The stage entered.
        stage: String,
        /// The template's id within the stage.
        template: String,
    },
}

impl From<domain::TaskOrigin> for TaskOrigin {
    fn from(origin: domain::TaskOrigin) -> Self {
        match origin {
            domain::TaskOrigin::Manual => TaskOrigin::Manual,
            domain::TaskOrigin::StageTemplate { stage, template } => TaskOrigin::StageTemplate {
                stage: stage.into(),
                template,
            },
        }
    }
}

impl FromJs for domain::TaskOrigin {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        match fields.text("kind")?.as_str() {
            "manual" => Ok(domain::TaskOrigin::Manual),
            "stage_template" => Ok(domain::TaskOrigin::StageTemplate {
                stage: id(fields.text("stage")?)?,
                template: fields.text("template")?,
            }),
            _ => Err(crate::error::Failure::Input(format!(
                "{what}.kind must be one of \"manual\" \"stage_template\""
            ))),
        }
    }
}

/// A task on a deal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// Identifier within the deal.
    pub id: String,
    /// What to do, in both languages (manual tasks repeat the same text).
    pub title: LocalizedText,
    /// Who does it.
    pub assignee: String,
    /// Due date.
    #[tsify(type = "IsoDate")]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "opt_iso_date")]
    pub due: Option<time::Date>,
    /// Open, done or cancelled.
    pub status: TaskStatus,
    /// Manual or from a stage template.
    pub origin: TaskOrigin,
    /// When it was created.
    #[tsify(type = "Millis")]
    pub created_at: i64,
    /// When it was completed or cancelled.
    #[tsify(type = "Millis")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<i64>,
}

impl From<domain::Task> for Task {
    fn from(task: domain::Task) -> Self {
        Task {
            id: task.id.into(),
            title: task.title.into(),
            assignee: task.assignee.into(),
            due: task.due,
            status: task.status.into(),
            origin: task.origin.into(),
            created_at: task.created_at.millis(),
            closed_at: task.closed_at.map(domain::Timestamp::millis),
        }
    }
}

impl FromJs for domain::Task {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::Task {
            id: id(fields.text("id")?)?,
            title: fields.value("title")?,
            assignee: id(fields.text("assignee")?)?,
            due: fields.opt_date("due")?,
            status: fields.name::<TaskStatus>("status")?.into(),
            origin: fields.value("origin")?,
            created_at: domain::Timestamp::from_millis(fields.integer("createdAt")?),
            closed_at: fields
                .opt_integer("closedAt")?
                .map(domain::Timestamp::from_millis),
        })
    }
}

/// A manager comment (点评) or a reply to one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct Comment {
    /// Identifier within the deal.
    pub id: String,
    /// Who wrote it.
    pub author: String,
    /// When.
    #[tsify(type = "Millis")]
    pub at: i64,
    /// The text.
    pub text: String,
    /// The comment this replies to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
}

impl From<domain::Comment> for Comment {
    fn from(comment: domain::Comment) -> Self {
        Comment {
            id: comment.id.into(),
            author: comment.author.into(),
            at: comment.at.millis(),
            text: comment.text,
            reply_to: comment.reply_to.map(String::from),
        }
    }
}

impl FromJs for domain::Comment {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::Comment {
            id: id(fields.text("id")?)?,
            author: id(fields.text("author")?)?,
            at: domain::Timestamp::from_millis(fields.integer("at")?),
            text: fields.text("text")?,
            reply_to: opt_id(fields.opt_text("replyTo")?)?,
        })
    }
}

/// A marketing touch on the way to the deal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct Touchpoint {
    /// Identifier within the deal.
    pub id: String,
    /// When it happened.
    #[tsify(type = "Millis")]
    pub at: i64,
    /// Channel.
    pub channel: String,
    /// Campaign, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
}

impl From<domain::Touchpoint> for Touchpoint {
    fn from(touchpoint: domain::Touchpoint) -> Self {
        Touchpoint {
            id: touchpoint.id.into(),
            at: touchpoint.at.millis(),
            channel: touchpoint.channel,
            campaign: touchpoint.campaign,
        }
    }
}

/// A member of the deal team and their role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct DealTeamMember {
    /// The user.
    pub user: String,
    /// Their role on the deal.
    pub role: DealRole,
}

/// A ticked checklist criterion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ChecklistTick {
    /// The criterion's id in the pipeline.
    pub criterion: String,
    /// Who ticked it.
    pub by: String,
    /// When.
    #[tsify(type = "Millis")]
    pub at: i64,
}

/// One entry of the stage history: the deal entered `stage` with `status` at `at`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct StageTransition {
    /// Identifier, unique within the deal.
    pub id: String,
    /// When the move happened.
    #[tsify(type = "Millis")]
    pub at: i64,
    /// Who made it.
    pub by: String,
    /// What kind of move.
    pub kind: TransitionKind,
    /// The stage after the move (for outcomes: the stage reached).
    pub stage: String,
    /// The status after the move.
    pub status: DealStatus,
    /// Loss or stop reason id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Free-text note.
    pub note: String,
}

impl From<domain::StageTransition> for StageTransition {
    fn from(entry: domain::StageTransition) -> Self {
        StageTransition {
            id: entry.id.into(),
            at: entry.at.millis(),
            by: entry.by.into(),
            kind: entry.kind.into(),
            stage: entry.stage.into(),
            status: entry.status.into(),
            reason: entry.reason,
            note: entry.note,
        }
    }
}

/// A change of the expected close date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct CloseDateChange {
    /// Identifier within the deal.
    pub id: String,
    /// When the change was made.
    #[tsify(type = "Millis")]
    pub at: i64,
    /// Who made it.
    pub by: String,
    /// The previous date.
    #[tsify(type = "IsoDate")]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "opt_iso_date")]
    pub from: Option<time::Date>,
    /// The new date.
    #[tsify(type = "IsoDate")]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "opt_iso_date")]
    pub to: Option<time::Date>,
}

impl From<domain::CloseDateChange> for CloseDateChange {
    fn from(change: domain::CloseDateChange) -> Self {
        CloseDateChange {
            id: change.id.into(),
            at: change.at.millis(),
            by: change.by.into(),
            from: change.from,
            to: change.to,
        }
    }
}

/// A change of the deal amount.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct AmountChange {
    /// Identifier within the deal.
    pub id: String,
    /// When the change was made.
    #[tsify(type = "Millis")]
    pub at: i64,
    /// Who made it.
    pub by: String,
    /// The previous amount.
    pub from: Money,
    /// The new amount.
    pub to: Money,
}

impl From<domain::AmountChange> for AmountChange {
    fn from(change: domain::AmountChange) -> Self {
        AmountChange {
            id: change.id.into(),
            at: change.at.millis(),
            by: change.by.into(),
            from: change.from.into(),
            to: change.to.into(),
        }
    }
}

/// A win probability computed by the scoring model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct LearnedProbability {
    /// Basis points (0..=10 000).
    pub value_bp: u16,
    /// When the model computed it.
    #[tsify(type = "Millis")]
    pub computed_at: i64,
}

/// A win probability set by hand.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ManualProbability {
    /// Basis points (0..=10 000).
    pub value_bp: u16,
    /// Who set it.
    pub set_by: String,
    /// When.
    #[tsify(type = "Millis")]
    pub set_at: i64,
}

/// The learned and manual probabilities of a deal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ProbabilityInputs {
    /// Filled by the scoring model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub learned: Option<LearnedProbability>,
    /// Set by the owner; wins while the deal is open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manual: Option<ManualProbability>,
}

impl From<domain::ProbabilityInputs> for ProbabilityInputs {
    fn from(inputs: domain::ProbabilityInputs) -> Self {
        ProbabilityInputs {
            learned: inputs.learned.map(|learned| LearnedProbability {
                value_bp: learned.value.basis_points(),
                computed_at: learned.computed_at.millis(),
            }),
            manual: inputs.manual.map(|manual| ManualProbability {
                value_bp: manual.value.basis_points(),
                set_by: manual.set_by.into(),
                set_at: manual.set_at.millis(),
            }),
        }
    }
}

/// The probability that counts for a deal, and where it came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct EffectiveProbability {
    /// Basis points (0..=10 000).
    pub value_bp: u16,
    /// Its source.
    pub source: ProbabilitySource,
}

impl From<domain::EffectiveProbability> for EffectiveProbability {
    fn from(effective: domain::EffectiveProbability) -> Self {
        EffectiveProbability {
            value_bp: effective.value.basis_points(),
            source: effective.source.into(),
        }
    }
}

/// The owner's forecast category, overriding the stage default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct CategoryOverride {
    /// The category.
    pub category: ForecastCategory,
    /// Who set it.
    pub set_by: String,
    /// When.
    #[tsify(type = "Millis")]
    pub set_at: i64,
}

/// A manager's adjustment of the forecast category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ForecastAdjustment {
    /// Identifier within the deal.
    pub id: String,
    /// The manager.
    pub by: String,
    /// When.
    #[tsify(type = "Millis")]
    pub at: i64,
    /// Category before.
    pub from: ForecastCategory,
    /// Category after.
    pub to: ForecastCategory,
    /// Why.
    pub note: String,
}

/// A sales opportunity (销售机会), as read from its document.
///
/// Records keyed by id in core (contacts, tasks, …) are arrays ordered by id; `stage`, `status`
/// and `stageEnteredAt` are derived from the stage history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct Deal {
    /// Identifier (the document id).
    pub id: String,
    /// Short title.
    pub title: String,
    /// The current stage, or for a closed deal the stage it reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// Open, won, lost or stopped.
    pub status: DealStatus,
    /// When the deal entered its current stage or outcome.
    #[tsify(type = "Millis")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage_entered_at: Option<i64>,
    /// The customer company.
    pub account: Account,
    /// Expected contract value.
    pub amount: Money,
    /// Expected close date.
    #[tsify(type = "IsoDate")]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "opt_iso_date")]
    pub expected_close: Option<time::Date>,
    /// Products and services being sold.
    pub product_lines: Vec<ProductLine>,
    /// Source channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Marketing campaign.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// The lead this deal was converted from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead: Option<String>,
    /// The owning rep (display only: the server keeps the authoritative owner).
    pub owner: String,
    /// The owner's team.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Others working on the deal.
    pub deal_team: Vec<DealTeamMember>,
    /// Needs and pain points (collaborative text).
    pub needs: String,
    /// Expected business value (collaborative text).
    pub business_value: String,
    /// Budget.
    pub budget: Budget,
    /// The pipeline the deal moves through.
    pub pipeline: String,
    /// Every stage move, oldest first; the first entry is the creation.
    pub history: Vec<StageTransition>,
    /// Learned and manual win probabilities.
    pub probability: ProbabilityInputs,
    /// The owner's forecast category override.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forecast_category: Option<CategoryOverride>,
    /// Manager adjustments to the forecast category.
    pub forecast_adjustments: Vec<ForecastAdjustment>,
    /// People at the customer.
    pub contacts: Vec<Contact>,
    /// Power-map edges.
    pub relationships: Vec<Relationship>,
    /// Competitors.
    pub competitors: Vec<Competitor>,
    /// Follow-up records.
    pub follow_ups: Vec<FollowUp>,
    /// Manager comments, threaded by `replyTo`.
    pub comments: Vec<Comment>,
    /// Tasks.
    pub tasks: Vec<Task>,
    /// The agreed next step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<NextStep>,
    /// Ticked checklist criteria.
    pub checklist: Vec<ChecklistTick>,
    /// Every change of the expected close date.
    pub close_date_changes: Vec<CloseDateChange>,
    /// Every change of the amount.
    pub amount_changes: Vec<AmountChange>,
    /// Marketing touchpoints.
    pub touchpoints: Vec<Touchpoint>,
    /// When the deal was created.
    #[tsify(type = "Millis")]
    pub created_at: i64,
    /// Who created it.
    pub created_by: String,
}

fn values<K, V, T: From<V>>(map: std::collections::BTreeMap<K, V>) -> Vec<T> {
    map.into_values().map(T::from).collect()
}

impl From<domain::Deal> for Deal {
    fn from(deal: domain::Deal) -> Self {
        let stage = deal.stage().map(ToString::to_string);
        let status = deal.status().into();
        let stage_entered_at = deal.stage_entered_at().map(domain::Timestamp::millis);
        Deal {
            id: deal.id.into(),
            title: deal.title,
            stage,
            status,
            stage_entered_at,
            account: deal.account.into(),
            amount: deal.amount.into(),
            expected_close: deal.expected_close,
            product_lines: values(deal.product_lines),
            source: deal.source,
            campaign: deal.campaign,
            lead: deal.lead.map(String::from),
            owner: deal.owner.into(),
            team: deal.team.map(String::from),
            deal_team: deal
                .deal_team
                .into_iter()
                .map(|(user, role)| DealTeamMember {
                    user: user.into(),
                    role: role.into(),
                })
                .collect(),
            needs: deal.needs,
            business_value: deal.business_value,
            budget: deal.budget.into(),
            pipeline: deal.pipeline.into(),
            history: deal
                .history
                .into_iter()
                .map(StageTransition::from)
                .collect(),
            probability: deal.probability.into(),
            forecast_category: deal.forecast_category.map(|category| CategoryOverride {
                category: category.category.into(),
                set_by: category.set_by.into(),
                set_at: category.set_at.millis(),
            }),
            forecast_adjustments: deal
                .forecast_adjustments
                .into_iter()
                .map(|adjustment| ForecastAdjustment {
                    id: adjustment.id.into(),
                    by: adjustment.by.into(),
                    at: adjustment.at.millis(),
                    from: adjustment.from.into(),
                    to: adjustment.to.into(),
                    note: adjustment.note,
                })
                .collect(),
            contacts: values(deal.contacts),
            relationships: values(deal.relationships),
            competitors: values(deal.competitors),
            follow_ups: values(deal.follow_ups),
            comments: values(deal.comments),
            tasks: values(deal.tasks),
            next_step: deal.next_step.map(NextStep::from),
            checklist: deal
                .checklist
                .into_iter()
                .map(|(criterion, tick)| ChecklistTick {
                    criterion,
                    by: tick.by.into(),
                    at: tick.at.millis(),
                })
                .collect(),
            close_date_changes: deal
                .close_date_changes
                .into_iter()
                .map(CloseDateChange::from)
                .collect(),
            amount_changes: deal
                .amount_changes
                .into_iter()
                .map(AmountChange::from)
                .collect(),
            touchpoints: values(deal.touchpoints),
            created_at: deal.created_at.millis(),
            created_by: deal.created_by.into(),
        }
    }
}

/// What is needed to open a deal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct NewDeal {
    /// Identifier: the document id (draw it from `crypto.getRandomValues`).
    pub id: String,
    /// Title.
    pub title: String,
    /// Customer company.
    pub account: Account,
    /// Expected value.
    pub amount: Money,
    /// Expected close date.
    #[tsify(type = "IsoDate")]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "opt_iso_date")]
    pub expected_close: Option<time::Date>,
    /// Owner.
    pub owner: String,
    /// Owner's team.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Source channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Stage to start in; the pipeline's first stage when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
}

impl FromJs for domain::NewDeal {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::NewDeal {
            id: id(fields.text("id")?)?,
            title: fields.text("title")?,
            account: fields.value("account")?,
            amount: fields.value("amount")?,
            expected_close: fields.opt_date("expectedClose")?,
            owner: id(fields.text("owner")?)?,
            team: opt_id(fields.opt_text("team")?)?,
            source: fields.opt_text("source")?,
            stage: opt_id(fields.opt_text("stage")?)?,
        })
    }
}

/// The few fields of a deal that boards and lists show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct DealSummary {
    /// Identifier.
    pub id: String,
    /// Title.
    pub title: String,
    /// Customer company name.
    pub account_name: String,
    /// The pipeline.
    pub pipeline: String,
    /// The current stage, or for a closed deal the stage it reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// Open, won, lost or stopped.
    pub status: DealStatus,
    /// When the deal entered its current stage or outcome.
    #[tsify(type = "Millis")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage_entered_at: Option<i64>,
    /// Expected value.
    pub amount: Money,
    /// Expected close date.
    #[tsify(type = "IsoDate")]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "opt_iso_date")]
    pub expected_close: Option<time::Date>,
    /// The owning rep.
    pub owner: String,
    /// The owner's team.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// The agreed next step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<NextStep>,
}

impl From<domain::Deal> for DealSummary {
    fn from(deal: domain::Deal) -> Self {
        DealSummary {
            stage: deal.stage().map(ToString::to_string),
            status: deal.status().into(),
            stage_entered_at: deal.stage_entered_at().map(domain::Timestamp::millis),
            id: deal.id.into(),
            title: deal.title,
            account_name: deal.account.name,
            pipeline: deal.pipeline.into(),
            amount: deal.amount.into(),
            expected_close: deal.expected_close,
            owner: deal.owner.into(),
            team: deal.team.map(String::from),
            next_step: deal.next_step.map(NextStep::from),
        }
    }
}
