//! Follow-up SLA: a lead whose owner has not followed it up within N days of getting it is
//! reassigned to another eligible rep or returned to a pool.

use serde::{Deserialize, Serialize};

use crate::assignment::engine::{AssignmentContext, AssignmentDecision, AssignmentOutcome};
use crate::assignment::error::AssignmentError;
use crate::assignment::rule::{AssignmentPolicy, AssignmentSubject};
use crate::i18n::{Locale, Localized};
use crate::id::{LeadId, PoolId, TeamId, UserId};
use crate::lead::record::{Custody, Lead};
use crate::pool::config::PoolDirectory;
use crate::pool::history::{Actor, MoveKind, Transition, into_pool, owned_by, to_team, transition};
use crate::timestamp::Timestamp;

/// What to do with a lead that missed its follow-up SLA.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaAction {
    /// Reassign by the assignment policy, excluding the current owner; keep it if nobody fits.
    Reassign,
    /// Return it to its home pool (or the fallback pool).
    ReturnToPool,
    /// Reassign; if nobody fits, return it to a pool.
    ReassignOrReturn,
}

/// The follow-up SLA (首次跟进时限).
///
/// It watches every owned, open lead that its owner has not followed up since getting it. Pools'
/// own recycling rules watch claimed leads too; when both apply, whichever the server runs first
/// wins and the other fails on the version check.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SlaPolicy {
    /// Days an owner has for the first follow-up, e.g. 3.
    pub follow_up_within_days: u32,
    /// What happens after.
    pub on_breach: SlaAction,
    /// The pool for leads that have no home pool.
    #[serde(default)]
    pub fallback_pool: Option<PoolId>,
}

/// A lead that missed the SLA.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SlaBreach {
    /// The lead.
    pub lead: LeadId,
    /// Its owner.
    pub owner: UserId,
    /// Days since the owner got it.
    pub days: i64,
    /// The lead's version when found.
    pub version: u64,
}

/// What SLA handling did.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum SlaOutcome {
    /// Given to another rep.
    Reassigned {
        /// The previous owner.
        from: UserId,
        /// The new owner.
        to: UserId,
    },
    /// Handed to a team's queue for its managers.
    Distributed {
        /// The previous owner.
        from: UserId,
        /// The team.
        team: TeamId,
    },
    /// Returned to a pool.
    Returned {
        /// The previous owner.
        from: UserId,
        /// The pool.
        pool: PoolId,
    },
    /// Left with its owner: no other rep is eligible and no pool applies. A manager should look.
    Kept {
        /// The owner.
        owner: UserId,
    },
}

/// The result of handling one breach: the transition to apply (if any), what happened, and the
/// assignment decision behind a reassignment (with its explanation and cursor move).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SlaResolution {
    /// What happened.
    pub outcome: SlaOutcome,
    /// The custody change to apply with compare-and-set; `None` when the lead is kept.
    pub transition: Option<Transition>,
    /// The assignment run, when a reassignment was attempted.
    pub decision: Option<AssignmentDecision>,
}

impl SlaPolicy {
    /// The breach of `lead` at `now`, if it is overdue.
    pub fn breach(&self, lead: &Lead, now: Timestamp) -> Option<SlaBreach> {
        let Custody::Owned { owner, since } = &lead.custody else {
            return None;
        };
        if !lead.awaits_follow_up() {
            return None;
        }
        let days = now.days_since(*since);
        (days >= i64::from(self.follow_up_within_days)).then(|| SlaBreach {
            lead: lead.id.clone(),
            owner: owner.clone(),
            days,
            version: lead.version,
        })
    }

    /// Every overdue lead among `leads`.
    pub fn breaches<'a>(
        &self,
        leads: impl IntoIterator<Item = &'a Lead>,
        now: Timestamp,
    ) -> Vec<SlaBreach> {
        leads
            .into_iter()
            .filter_map(|lead| self.breach(lead, now))
            .collect()
    }

    /// Handles an overdue `lead`: reassigns it through `policy` (never back to its owner) or
    /// returns it to a pool, per [`SlaPolicy::on_breach`]. Commit `decision` to the round-robin
    /// state and loads once the transition is applied.
    ///
    /// ```
    /// use dealflow_core::{
    ///     AssignmentContext, AssignmentPolicy, ChannelId, Custody, Lead, LeadDraft, LeadId,
    ///     Loads, Locale, Member, Organisation, PoolDirectory, Role, RoundRobinState, RuleSet,
    ///     SlaAction, SlaOutcome, SlaPolicy, AssignmentTarget, Team, TeamId, Timestamp, UserId,
    /// };
    /// let east = TeamId::new("east")?;
    /// let org = Organisation::new(
    ///     "示例科技",
    ///     vec![Team { id: east.clone(), name: "华东".into(), parent: None }],
    ///     ["li", "wang"].map(|id| Member {
    ///         id: UserId::new(id).unwrap(), name: id.into(), role: Role::Rep,
    ///         team: Some(east.clone()), active: true,
    ///     }).to_vec(),
    /// )?;
    /// // Everything goes to the east team's default rotation.
    /// let policy = AssignmentPolicy {
    ///     company: RuleSet { rules: vec![], fallback: Some(AssignmentTarget::Team { team: east }) },
    ///     teams: Default::default(),
    /// };
    /// let assigned_at = Timestamp::from_millis(1_764_000_000_000);
    /// let mut lead = Lead::new(LeadId::new("l-9")?, LeadDraft::default(), ChannelId::new("web_form")?, assigned_at);
    /// lead.custody = Custody::Owned { owner: UserId::new("li")?, since: assigned_at };
    ///
    /// let sla = SlaPolicy { follow_up_within_days: 3, on_breach: SlaAction::ReassignOrReturn, fallback_pool: None };
    /// let now = assigned_at.plus_days(4);
    /// assert_eq!(sla.breach(&lead, now).map(|breach| breach.days), Some(4));
    ///
    /// let (pools, loads, cursors) = (PoolDirectory::default(), Loads::new(), RoundRobinState::new());
    /// let context = AssignmentContext { org: &org, pools: &pools, loads: &loads, cursors: &cursors, exclude: &[] };
    /// let resolution = sla.resolve(&lead, &policy, &context, now)?;
    /// assert_eq!(resolution.outcome, SlaOutcome::Reassigned { from: UserId::new("li")?, to: UserId::new("wang")? });
    /// let moved = resolution.transition.expect("reassigned");
    /// assert_eq!(moved.lead.owner(), Some(&UserId::new("wang")?));
    /// assert_eq!(moved.expected_version(), 0);
    /// # Ok::<(), dealflow_core::Error>(())
    /// ```
    pub fn resolve(
        &self,
        lead: &Lead,
        policy: &AssignmentPolicy,
        context: &AssignmentContext<'_>,
        now: Timestamp,
    ) -> Result<SlaResolution, AssignmentError> {
        let breach = self
            .breach(lead, now)
            .ok_or_else(|| AssignmentError::NotOverdue {
                lead: lead.id.clone(),
            })?;
        let days = breach.days;
        let from = breach.owner.clone();
        let mut decision = None;
        if matches!(
            self.on_breach,
            SlaAction::Reassign | SlaAction::ReassignOrReturn
        ) {
            let mut exclude = context.exclude.to_vec();
            exclude.push(from.clone());
            let narrowed = AssignmentContext {
                exclude: &exclude,
                ..*context
            };
            let attempt = policy.assign(&AssignmentSubject::of_lead(lead), &narrowed);
            let placed = match &attempt.outcome {
                AssignmentOutcome::Owner { user, .. } => Some((
                    owned_by(user.clone(), now),
                    MoveKind::SlaReassigned { days },
                    SlaOutcome::Reassigned {
                        from: from.clone(),
                        to: user.clone(),
                    },
                )),
                AssignmentOutcome::Team { team, .. } => Some((
                    to_team(team.clone(), now),
                    MoveKind::SlaReassigned { days },
                    SlaOutcome::Distributed {
                        from: from.clone(),
                        team: team.clone(),
                    },
                )),
                AssignmentOutcome::Pool { pool, .. } => Some((
                    into_pool(pool.clone(), now),
                    MoveKind::SlaReturned { days },
                    SlaOutcome::Returned {
                        from: from.clone(),
                        pool: pool.clone(),
                    },
                )),
                AssignmentOutcome::Unassigned => None,
            };
            decision = Some(attempt);
            if let Some((custody, kind, outcome)) = placed {
                return Ok(SlaResolution {
                    outcome,
                    transition: Some(transition(lead, custody, kind, Actor::System, now)),
                    decision,
                });
            }
        }
        if matches!(
            self.on_breach,
            SlaAction::ReturnToPool | SlaAction::ReassignOrReturn
        ) && let Some(pool) = self.return_pool(lead, context.pools)
        {
            return Ok(SlaResolution {
                outcome: SlaOutcome::Returned {
                    from,
                    pool: pool.clone(),
                },
                transition: Some(transition(
                    lead,
                    into_pool(pool, now),
                    MoveKind::SlaReturned { days },
                    Actor::System,
                    now,
                )),
                decision,
            });
        }
        Ok(SlaResolution {
            outcome: SlaOutcome::Kept { owner: from },
            transition: None,
            decision,
        })
    }

    fn return_pool(&self, lead: &Lead, pools: &PoolDirectory) -> Option<PoolId> {
        [lead.home_pool.as_ref(), self.fallback_pool.as_ref()]
            .into_iter()
            .flatten()
            .find(|pool| pools.get(pool).is_some())
            .cloned()
    }
}

impl Localized for SlaOutcome {
    fn localized(&self, locale: Locale) -> String {
        match (locale, self) {
            (Locale::ZhCn, SlaOutcome::Reassigned { from, to }) => {
                format!("{from} 超时未跟进，线索已改派给 {to}")
            }
            (Locale::En, SlaOutcome::Reassigned { from, to }) => {
                format!("{from} missed the follow-up deadline: reassigned to {to}")
            }
            (Locale::ZhCn, SlaOutcome::Distributed { from, team }) => {
                format!("{from} 超时未跟进，线索已交回团队 {team} 重新分配")
            }
            (Locale::En, SlaOutcome::Distributed { from, team }) => {
                format!("{from} missed the follow-up deadline: handed back to team {team}")
            }
            (Locale::ZhCn, SlaOutcome::Returned { from, pool }) => {
                format!("{from} 超时未跟进，线索已退回线索池 {pool}")
            }
            (Locale::En, SlaOutcome::Returned { from, pool }) => {
                format!("{from} missed the follow-up deadline: returned to pool {pool}")
            }
            (Locale::ZhCn, SlaOutcome::Kept { owner }) => {
                format!("{owner} 超时未跟进，但没有其他可分配的人或线索池：请经理处理")
            }
            (Locale::En, SlaOutcome::Kept { owner }) => format!(
                "{owner} missed the follow-up deadline, but nobody else is eligible and no pool applies: a manager should decide"
            ),
        }
    }
}
