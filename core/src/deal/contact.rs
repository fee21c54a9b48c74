//! The decision chain (power map) and competitors of a deal.

use serde::{Deserialize, Serialize};

use crate::id::{ContactId, RecordId};
use crate::money::Money;
use crate::timestamp::Timestamp;

/// The part a contact plays in the buying decision.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactRole {
    /// Makes the final decision (决策者).
    DecisionMaker,
    /// Sells for us inside the customer (内部支持者/教练).
    Champion,
    /// Shapes the decision without making it (影响者).
    Influencer,
    /// Will use the product (使用者).
    User,
    /// Evaluates the technology (技术把关者).
    Technical,
    /// Holds the budget or approves spending (财务把关者).
    Financial,
    /// Works against the deal (阻碍者).
    Blocker,
    /// Any other role.
    Other,
}

/// How a contact feels about us.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stance {
    /// Supports us.
    Supporter,
    /// Undecided.
    Neutral,
    /// Opposes us.
    Opponent,
}

/// How much weight a contact's opinion carries.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Influence {
    /// Little influence.
    Low,
    /// Some influence.
    Medium,
    /// Strong influence.
    High,
}

/// A person at the customer.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Contact {
    /// Identifier.
    pub id: ContactId,
    /// Name.
    pub name: String,
    /// Job title.
    pub title: String,
    /// Role in the decision.
    pub role: ContactRole,
    /// Stance towards us.
    pub stance: Stance,
    /// Influence on the decision.
    pub influence: Influence,
    /// When we last spoke with them.
    pub last_contacted: Option<Timestamp>,
    /// Phone number.
    pub phone: String,
    /// Email address.
    pub email: String,
}

/// The kind of an edge in the power map.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationshipKind {
    /// `from` reports to `to`.
    ReportsTo,
    /// `from` influences `to`.
    Influences,
}

/// An edge between two contacts.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Relationship {
    /// Identifier within the deal.
    pub id: RecordId,
    /// Source contact.
    pub from: ContactId,
    /// Target contact.
    pub to: ContactId,
    /// Reports to or influences.
    pub kind: RelationshipKind,
}

/// Where a competitor stands on the deal.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompetitorStatus {
    /// Still in the running.
    Active,
    /// Out of the running.
    Eliminated,
    /// Won the deal against us.
    WonAgainstUs,
}

/// A competitor on the deal.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Competitor {
    /// Identifier within the deal.
    pub id: RecordId,
    /// Competitor company.
    pub name: String,
    /// Their product.
    pub product: String,
    /// Their price, if known.
    pub price: Option<Money>,
    /// Their strengths, one per entry (so analytics can count them).
    pub strengths: Vec<String>,
    /// Their weaknesses, one per entry.
    pub weaknesses: Vec<String>,
    /// Active, eliminated or won against us.
    pub status: CompetitorStatus,
}
