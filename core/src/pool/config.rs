//! Pool configuration: what a pool holds, who may claim from it, the claim limit and the
//! recycling rules.

use serde::{Deserialize, Serialize};

use crate::i18n::LocalizedText;
use crate::id::{PoolId, TeamId};
use crate::lead::normalize::normalize_label;
use crate::lead::record::{Custody, Lead};
use crate::pool::error::PoolError;
use crate::pool::history::RecycleCause;
use crate::timestamp::Timestamp;

/// Which leads a pool is meant for. Unset fields match anything.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct PoolScope {
    /// Region, e.g. "华东".
    #[serde(default)]
    pub region: Option<String>,
    /// Industry, e.g. "制造业".
    #[serde(default)]
    pub industry: Option<String>,
    /// Product line, compared with the lead's product interest.
    #[serde(default)]
    pub product_line: Option<String>,
}

impl PoolScope {
    /// Whether `lead` fits this scope (labels compared loosely, see [`crate::normalize_label`]).
    pub fn matches(&self, lead: &Lead) -> bool {
        let fits = |wanted: &Option<String>, actual: &Option<String>| match wanted {
            None => true,
            Some(wanted) => actual
                .as_deref()
                .is_some_and(|actual| normalize_label(actual) == normalize_label(wanted)),
        };
        fits(&self.region, &lead.region)
            && fits(&self.industry, &lead.industry)
            && fits(&self.product_line, &lead.product_interest)
    }

    fn specificity(&self) -> usize {
        [&self.region, &self.industry, &self.product_line]
            .iter()
            .filter(|field| field.is_some())
            .count()
    }
}

/// A lead pool (线索池 / 公海).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PoolConfig {
    /// Identifier.
    pub id: PoolId,
    /// Display name, e.g. "华东公海".
    pub name: LocalizedText,
    /// Which leads it is meant for.
    #[serde(default)]
    pub scope: PoolScope,
    /// The team whose members (including sub-teams) may claim, and whose managers administer
    /// the pool; `None` for a company-wide pool administered by admins and any manager.
    #[serde(default)]
    pub team: Option<TeamId>,
    /// How many leads from this pool a rep may hold without having followed them up.
    pub claim_limit: u32,
    /// A claimed lead that its owner has not followed up within this many days returns here.
    #[serde(default)]
    pub recycle_unfollowed_after_days: Option<u32>,
    /// A lead whose last follow-up is this many days old returns here.
    #[serde(default)]
    pub recycle_idle_after_days: Option<u32>,
}

impl PoolConfig {
    /// Why `lead` is due to return to this pool at `now`, if it is: it must call this pool home,
    /// be owned and open, and have waited too long for a follow-up.
    pub fn recycle_cause(&self, lead: &Lead, now: Timestamp) -> Option<RecycleCause> {
        if lead.home_pool.as_ref() != Some(&self.id) || !lead.status.is_open() {
            return None;
        }
        let Custody::Owned { since, .. } = &lead.custody else {
            return None;
        };
        if lead.followed_up_by_owner() {
            let last = lead.last_follow_up_at?;
            let limit = self.recycle_idle_after_days?;
            let days = now.days_since(last);
            (days >= i64::from(limit)).then_some(RecycleCause::Idle { days })
        } else {
            let limit = self.recycle_unfollowed_after_days?;
            let days = now.days_since(*since);
            (days >= i64::from(limit)).then_some(RecycleCause::NotFollowedUp { days })
        }
    }
}

/// The organisation's pools, with unique ids.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(try_from = "Vec<PoolConfig>", into = "Vec<PoolConfig>")]
pub struct PoolDirectory {
    pools: Vec<PoolConfig>,
}

impl PoolDirectory {
    /// Validates that pool ids are unique.
    pub fn new(pools: Vec<PoolConfig>) -> Result<Self, PoolError> {
        for (index, pool) in pools.iter().enumerate() {
            if pools
                .iter()
                .skip(index + 1)
                .any(|other| other.id == pool.id)
            {
                return Err(PoolError::DuplicatePool {
                    pool: pool.id.clone(),
                });
            }
        }
        Ok(PoolDirectory { pools })
    }

    /// The pool with `id`.
    pub fn get(&self, id: &PoolId) -> Option<&PoolConfig> {
        self.pools.iter().find(|pool| &pool.id == id)
    }

    /// All pools, in configuration order.
    pub fn pools(&self) -> &[PoolConfig] {
        &self.pools
    }

    /// The pool a new lead most naturally belongs to: the matching pool with the most specific
    /// scope, the first configured on a tie.
    pub fn suggest(&self, lead: &Lead) -> Option<&PoolConfig> {
        let mut best: Option<&PoolConfig> = None;
        for pool in self.pools.iter().filter(|pool| pool.scope.matches(lead)) {
            if best.is_none_or(|best| pool.scope.specificity() > best.scope.specificity()) {
                best = Some(pool);
            }
        }
        best
    }
}

impl TryFrom<Vec<PoolConfig>> for PoolDirectory {
    type Error = PoolError;

    fn try_from(pools: Vec<PoolConfig>) -> Result<Self, Self::Error> {
        PoolDirectory::new(pools)
    }
}

impl From<PoolDirectory> for Vec<PoolConfig> {
    fn from(directory: PoolDirectory) -> Self {
        directory.pools
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::{ChannelId, LeadId, UserId};
    use crate::lead::record::{InvalidReason, LeadDraft};

    fn pool() -> PoolConfig {
        PoolConfig {
            id: PoolId::new("p").unwrap(),
            name: LocalizedText::new("公海", "Pool"),
            scope: PoolScope::default(),
            team: None,
            claim_limit: 1,
            recycle_unfollowed_after_days: Some(2),
            recycle_idle_after_days: None,
        }
    }

    fn claimed(home: &str) -> Lead {
        let mut lead = Lead::new(
            LeadId::new("l").unwrap(),
            LeadDraft::default(),
            ChannelId::new("web_form").unwrap(),
            Timestamp::from_millis(0),
        );
        lead.custody = Custody::Owned {
            owner: UserId::new("u").unwrap(),
            since: Timestamp::from_millis(0),
        };
        lead.home_pool = Some(PoolId::new(home).unwrap());
        lead
    }

    #[test]
    fn recycling_needs_home_open_and_overdue() {
        let start = Timestamp::from_millis(0);
        assert_eq!(
            pool().recycle_cause(&claimed("p"), start.plus_days(1)),
            None
        );
        assert_eq!(
            pool().recycle_cause(&claimed("p"), start.plus_days(2)),
            Some(RecycleCause::NotFollowedUp { days: 2 })
        );
        assert_eq!(
            pool().recycle_cause(&claimed("other"), start.plus_days(9)),
            None
        );
        let closed = claimed("p")
            .mark_invalid(InvalidReason::NoNeed, start)
            .unwrap();
        assert_eq!(pool().recycle_cause(&closed, start.plus_days(9)), None);
        // Followed up, and the pool does not recycle idle leads.
        let followed = claimed("p").record_follow_up(start).unwrap();
        assert_eq!(pool().recycle_cause(&followed, start.plus_days(90)), None);
    }
}
