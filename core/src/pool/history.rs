//! The history of every move of a lead: into a pool, claimed, returned, recycled, assigned,
//! reassigned on SLA, transferred.

use serde::{Deserialize, Serialize};

use crate::i18n::{Locale, Localized, LocalizedText};
use crate::id::{LeadId, PoolId, RuleId, TeamId, UserId};
use crate::lead::record::{Custody, Lead};
use crate::timestamp::Timestamp;

/// Who made a move.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "user")]
pub enum Actor {
    /// A person.
    User(UserId),
    /// An automatic rule: recycling, SLA, rule-based assignment.
    System,
}

/// Why a rep returned a lead to the pool.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ReturnReason {
    /// 无法联系.
    Unreachable,
    /// 无需求.
    NoNeed,
    /// 不在我的区域.
    WrongRegion,
    /// 跟进不过来.
    NoCapacity,
    /// 其他, with a note.
    Other {
        /// The explanation; must not be empty.
        note: String,
    },
}

impl Localized for ReturnReason {
    fn localized(&self, locale: Locale) -> String {
        let text = match self {
            ReturnReason::Unreachable => LocalizedText::new("无法联系", "unreachable"),
            ReturnReason::NoNeed => LocalizedText::new("无需求", "no need"),
            ReturnReason::WrongRegion => LocalizedText::new("不在负责区域", "not my region"),
            ReturnReason::NoCapacity => LocalizedText::new("跟进不过来", "no capacity"),
            ReturnReason::Other { note } => {
                LocalizedText::new(format!("其他：{note}"), format!("other: {note}"))
            }
        };
        text.get(locale).to_owned()
    }
}

/// Why a lead went back to its pool on its own.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum RecycleCause {
    /// The owner did not follow it up for `days` days after getting it.
    NotFollowedUp {
        /// Days since the owner got the lead.
        days: i64,
    },
    /// The last follow-up is `days` days old.
    Idle {
        /// Days since the last follow-up.
        days: i64,
    },
}

/// What kind of move happened.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum MoveKind {
    /// A manager put the lead into a pool.
    Put,
    /// A manager, an admin or a rule handed it to a team's queue.
    Distributed {
        /// The team.
        team: TeamId,
    },
    /// A rep claimed it from its pool.
    Claimed,
    /// The owner (or their manager) returned it to its pool.
    Returned {
        /// Why.
        reason: ReturnReason,
    },
    /// It went back to its pool automatically.
    Recycled {
        /// Why.
        cause: RecycleCause,
    },
    /// Assigned to an owner, by a person or by an assignment rule.
    Assigned {
        /// The rule that picked the owner, if a rule did.
        #[serde(default)]
        rule: Option<RuleId>,
    },
    /// Reassigned because the owner missed the follow-up SLA.
    SlaReassigned {
        /// Days the lead waited.
        days: i64,
    },
    /// Returned to a pool because the owner missed the follow-up SLA.
    SlaReturned {
        /// Days the lead waited.
        days: i64,
    },
    /// Handed over because the owner left.
    Transferred {
        /// The departing owner.
        from: UserId,
    },
}

/// One move of one lead: the history record. Follow-ups, comments and other history live with
/// the lead itself and are untouched by moves.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct LeadMove {
    /// The lead.
    pub lead: LeadId,
    /// The lead's version after the move.
    pub version: u64,
    /// When.
    pub at: Timestamp,
    /// Who.
    pub actor: Actor,
    /// Custody before.
    pub from: Custody,
    /// Custody after.
    pub to: Custody,
    /// What happened.
    pub kind: MoveKind,
}

/// The result of a decided command: the lead as it is now, and the history record to append.
/// A store applies it only if it still holds the lead at `lead.version - 1` (compare-and-set).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Transition {
    /// The updated lead.
    pub lead: Lead,
    /// The history record.
    pub record: LeadMove,
}

impl Transition {
    /// The version the lead must have in the store for this transition to apply.
    pub fn expected_version(&self) -> u64 {
        self.lead.version.wrapping_sub(1)
    }
}

/// Moves `lead` to `to`, bumping its version; a move into a pool makes that pool its home.
pub(crate) fn transition(
    lead: &Lead,
    to: Custody,
    kind: MoveKind,
    actor: Actor,
    now: Timestamp,
) -> Transition {
    let mut next = lead.clone();
    if let Custody::InPool { pool, .. } = &to {
        next.home_pool = Some(pool.clone());
    }
    next.custody = to.clone();
    next.version = lead.version.wrapping_add(1);
    let record = LeadMove {
        lead: lead.id.clone(),
        version: next.version,
        at: now,
        actor,
        from: lead.custody.clone(),
        to,
        kind,
    };
    Transition { lead: next, record }
}

/// A lead moved into `pool`.
pub(crate) fn into_pool(pool: PoolId, now: Timestamp) -> Custody {
    Custody::InPool { pool, since: now }
}

/// A lead waiting in `team`'s queue from `now`.
pub(crate) fn to_team(team: TeamId, now: Timestamp) -> Custody {
    Custody::Team { team, since: now }
}

/// A lead owned by `owner` from `now`.
pub(crate) fn owned_by(owner: UserId, now: Timestamp) -> Custody {
    Custody::Owned { owner, since: now }
}
