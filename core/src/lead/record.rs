//! The lead record, its status and who holds it.

use serde::{Deserialize, Serialize};

use crate::i18n::{Locale, Localized, LocalizedText};
use crate::id::{AccountId, ChannelId, ContactId, DealId, LeadId, PoolId, TeamId, UserId};
use crate::lead::error::LeadError;
use crate::timestamp::Timestamp;

/// A lead: a person at a company who may buy, before it becomes a deal.
///
/// Custody (who holds the lead) and status change only through functions that return a new
/// record with `version` incremented, so the server can apply them with compare-and-set: a
/// command carries the version it was decided against, and a store that finds another version
/// rejects it (see [`crate::PoolCommand`]).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Lead {
    /// Identifier.
    pub id: LeadId,
    /// Contact person (联系人).
    pub contact_name: String,
    /// Company name as given.
    pub company: String,
    /// Phone, as given (validated; see [`crate::normalize_phone`]).
    #[serde(default)]
    pub phone: Option<String>,
    /// Email, as given (validated).
    #[serde(default)]
    pub email: Option<String>,
    /// Region (地区), e.g. "华东".
    #[serde(default)]
    pub region: Option<String>,
    /// Industry (行业).
    #[serde(default)]
    pub industry: Option<String>,
    /// Product or product line of interest (意向产品).
    #[serde(default)]
    pub product_interest: Option<String>,
    /// Source channel (来源渠道), one of the organisation's [`crate::SourceChannels`].
    pub source: ChannelId,
    /// Marketing campaign (市场活动), if any.
    #[serde(default)]
    pub campaign: Option<String>,
    /// Free-text notes.
    #[serde(default)]
    pub notes: String,
    /// When the lead was created.
    pub created_at: Timestamp,
    /// When anyone first followed it up.
    #[serde(default)]
    pub first_follow_up_at: Option<Timestamp>,
    /// When it was last followed up.
    #[serde(default)]
    pub last_follow_up_at: Option<Timestamp>,
    /// Who holds it now.
    pub custody: Custody,
    /// The pool it returns to when returned or recycled, once it has been in one.
    #[serde(default)]
    pub home_pool: Option<PoolId>,
    /// Where it is in its life.
    pub status: LeadStatus,
    /// Incremented by every change of custody, status or follow-up; the compare-and-set token.
    #[serde(default)]
    pub version: u64,
}

/// Who holds a lead.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum Custody {
    /// Nobody yet: freshly imported or created, waiting for assignment.
    Unassigned,
    /// Distributed to a team, waiting for one of its managers to assign a rep (cascading
    /// distribution: the company assigns to a team, the team lead to a rep).
    Team {
        /// The team.
        team: TeamId,
        /// Since when.
        since: Timestamp,
    },
    /// In a pool, free to be claimed.
    InPool {
        /// The pool.
        pool: PoolId,
        /// Since when.
        since: Timestamp,
    },
    /// Owned by a user.
    Owned {
        /// The owner.
        owner: UserId,
        /// Since when: the claim, assignment or transfer that gave it to them.
        since: Timestamp,
    },
}

impl Custody {
    /// The owner, if the lead is owned.
    pub fn owner(&self) -> Option<&UserId> {
        match self {
            Custody::Owned { owner, .. } => Some(owner),
            Custody::Unassigned | Custody::Team { .. } | Custody::InPool { .. } => None,
        }
    }

    /// The pool, if the lead sits in one.
    pub fn pool(&self) -> Option<&PoolId> {
        match self {
            Custody::InPool { pool, .. } => Some(pool),
            Custody::Unassigned | Custody::Team { .. } | Custody::Owned { .. } => None,
        }
    }

    /// The team, if the lead waits in a team's queue.
    pub fn team(&self) -> Option<&TeamId> {
        match self {
            Custody::Team { team, .. } => Some(team),
            Custody::Unassigned | Custody::InPool { .. } | Custody::Owned { .. } => None,
        }
    }
}

/// Where a lead is in its life: 未处理 → 跟进中 → 已转化 / 无效.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum LeadStatus {
    /// 未处理: nobody has followed it up yet.
    Unprocessed,
    /// 跟进中: being worked.
    Following,
    /// 已转化: converted into an account, a contact and a deal.
    Converted {
        /// The account it became part of.
        account: AccountId,
        /// The contact it became.
        contact: ContactId,
        /// The deal it became.
        deal: DealId,
        /// When.
        at: Timestamp,
    },
    /// 无效: not worth pursuing.
    Invalid {
        /// Why.
        reason: InvalidReason,
        /// When.
        at: Timestamp,
    },
}

impl LeadStatus {
    /// Whether the lead is still open (unprocessed or following).
    pub fn is_open(&self) -> bool {
        matches!(self, LeadStatus::Unprocessed | LeadStatus::Following)
    }
}

/// Why a lead was marked invalid.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum InvalidReason {
    /// 无法联系: wrong number, no answer, bounced email.
    Unreachable,
    /// 无需求: no need or budget.
    NoNeed,
    /// 重复线索: duplicates another lead or an existing customer.
    Duplicate,
    /// 信息虚假: fake or spam details.
    FakeInformation,
    /// 同行: a competitor fishing.
    Competitor,
    /// 其他: explained in a note.
    Other {
        /// The explanation; must not be empty.
        note: String,
    },
}

impl Localized for InvalidReason {
    fn localized(&self, locale: Locale) -> String {
        let text = match self {
            InvalidReason::Unreachable => LocalizedText::new("无法联系", "unreachable"),
            InvalidReason::NoNeed => LocalizedText::new("无需求", "no need"),
            InvalidReason::Duplicate => LocalizedText::new("重复线索", "duplicate"),
            InvalidReason::FakeInformation => LocalizedText::new("信息虚假", "fake information"),
            InvalidReason::Competitor => LocalizedText::new("同行", "competitor"),
            InvalidReason::Other { note } => {
                LocalizedText::new(format!("其他：{note}"), format!("other: {note}"))
            }
        };
        text.get(locale).to_owned()
    }
}

/// The fields of a new lead, before it gets an id, a time and a custody.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct LeadDraft {
    /// Contact person.
    pub contact_name: String,
    /// Company.
    pub company: String,
    /// Phone.
    pub phone: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// Industry.
    pub industry: Option<String>,
    /// Product of interest.
    pub product_interest: Option<String>,
    /// Campaign.
    pub campaign: Option<String>,
    /// Notes.
    pub notes: String,
}

impl Lead {
    /// A new, unassigned, unprocessed lead at version 0. The draft is taken as given; the import
    /// and the UI validate phones and emails with [`crate::normalize_phone`] and
    /// [`crate::normalize_email`] first.
    pub fn new(id: LeadId, draft: LeadDraft, source: ChannelId, created_at: Timestamp) -> Lead {
        Lead {
            id,
            contact_name: draft.contact_name,
            company: draft.company,
            phone: draft.phone,
            email: draft.email,
            region: draft.region,
            industry: draft.industry,
            product_interest: draft.product_interest,
            source,
            campaign: draft.campaign,
            notes: draft.notes,
            created_at,
            first_follow_up_at: None,
            last_follow_up_at: None,
            custody: Custody::Unassigned,
            home_pool: None,
            status: LeadStatus::Unprocessed,
            version: 0,
        }
    }

    /// The owner, if any.
    pub fn owner(&self) -> Option<&UserId> {
        self.custody.owner()
    }

    /// Whether the current owner has followed the lead up since they got it. False when the lead
    /// is not owned.
    pub fn followed_up_by_owner(&self) -> bool {
        match (&self.custody, self.last_follow_up_at) {
            (Custody::Owned { since, .. }, Some(last)) => last >= *since,
            _ => false,
        }
    }

    /// Whether the lead is owned, open and not yet followed up by its owner: what counts against
    /// a rep's claim limit and what SLA and recycling rules watch.
    pub fn awaits_follow_up(&self) -> bool {
        self.owner().is_some() && self.status.is_open() && !self.followed_up_by_owner()
    }

    /// Records a follow-up (call, visit, email) at `now`: the lead becomes 跟进中 and its
    /// follow-up times are updated. Only an owned, open lead can be followed up.
    pub fn record_follow_up(&self, now: Timestamp) -> Result<Lead, LeadError> {
        self.ensure_open()?;
        if self.owner().is_none() {
            return Err(LeadError::NotOwned {
                lead: self.id.clone(),
            });
        }
        let mut next = self.clone();
        next.first_follow_up_at = Some(self.first_follow_up_at.unwrap_or(now));
        next.last_follow_up_at = Some(self.last_follow_up_at.map_or(now, |last| last.max(now)));
        next.status = LeadStatus::Following;
        next.version = self.version.wrapping_add(1);
        Ok(next)
    }

    /// Marks the lead invalid (无效) for `reason`. An `Other` reason needs a note.
    pub fn mark_invalid(&self, reason: InvalidReason, now: Timestamp) -> Result<Lead, LeadError> {
        self.ensure_open()?;
        if let InvalidReason::Other { note } = &reason
            && note.trim().is_empty()
        {
            return Err(LeadError::EmptyNote);
        }
        let mut next = self.clone();
        next.status = LeadStatus::Invalid { reason, at: now };
        next.version = self.version.wrapping_add(1);
        Ok(next)
    }

    pub(crate) fn ensure_open(&self) -> Result<(), LeadError> {
        if self.status.is_open() {
            Ok(())
        } else {
            Err(LeadError::Closed {
                lead: self.id.clone(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead() -> Lead {
        Lead::new(
            LeadId::new("l1").unwrap(),
            LeadDraft {
                contact_name: "张三".into(),
                company: "示例".into(),
                ..LeadDraft::default()
            },
            ChannelId::new("web_form").unwrap(),
            Timestamp::from_millis(0),
        )
    }

    #[test]
    fn follow_up_needs_an_owner_and_tracks_times() {
        let unowned = lead();
        assert!(matches!(
            unowned.record_follow_up(Timestamp::from_millis(5)),
            Err(LeadError::NotOwned { .. })
        ));
        let mut owned = lead();
        owned.custody = Custody::Owned {
            owner: UserId::new("u").unwrap(),
            since: Timestamp::from_millis(10),
        };
        assert!(owned.awaits_follow_up());
        let followed = owned.record_follow_up(Timestamp::from_millis(20)).unwrap();
        assert_eq!(followed.status, LeadStatus::Following);
        assert_eq!(followed.version, 1);
        assert!(!followed.awaits_follow_up());
        let again = followed
            .record_follow_up(Timestamp::from_millis(15))
            .unwrap();
        assert_eq!(again.first_follow_up_at, Some(Timestamp::from_millis(20)));
        assert_eq!(again.last_follow_up_at, Some(Timestamp::from_millis(20)));
    }

    #[test]
    fn closed_leads_stay_closed() {
        let invalid = lead()
            .mark_invalid(InvalidReason::NoNeed, Timestamp::from_millis(1))
            .unwrap();
        assert!(matches!(
            invalid.mark_invalid(InvalidReason::Duplicate, Timestamp::from_millis(2)),
            Err(LeadError::Closed { .. })
        ));
        assert_eq!(
            lead().mark_invalid(
                InvalidReason::Other { note: " ".into() },
                Timestamp::from_millis(1)
            ),
            Err(LeadError::EmptyNote)
        );
    }
}
