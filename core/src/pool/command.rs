//! Pool commands, decided one lead at a time.
//!
//! # How the server arbitrates
//!
//! CRDTs merge; they cannot decide who wins a lead. Claims, returns, puts, recycling and
//! assignments therefore go to the server, which for each command:
//!
//! 1. opens a storage transaction and locks the lead's row (and, for a claim, the claimant's
//!    holdings for that pool, e.g. by counting them in the same serialisable transaction);
//! 2. calls [`decide`] with the stored lead, the command, the org, the pools and the claimant's
//!    current holdings;
//! 3. on `Ok(transition)`, writes `transition.lead` with
//!    `UPDATE … WHERE id = ? AND version = transition.expected_version()` and appends
//!    `transition.record` to the lead's history, then commits;
//! 4. on `Err`, returns the error's code and localized message.
//!
//! Commands carry the lead version the client saw. Two reps claiming the same lead at once are
//! serialised by step 1: the first wins, the second finds the lead owned and gets
//! [`PoolError::LeadAlreadyClaimed`] naming the winner. A command decided against an older
//! version of a lead that is still claimable gets [`PoolError::StaleVersion`], so nobody acts on
//! a lead they have not seen. [`crate::LeadLedger`] is the same loop in memory.

use serde::{Deserialize, Serialize};

use crate::id::{LeadId, PoolId, RuleId, TeamId, UserId};
use crate::lead::error::LeadError;
use crate::lead::record::{Custody, Lead};
use crate::org::organisation::{Organisation, Role};
use crate::pool::config::{PoolConfig, PoolDirectory};
use crate::pool::error::PoolError;
use crate::pool::history::{
    Actor, MoveKind, ReturnReason, Transition, into_pool, owned_by, to_team, transition,
};
use crate::timestamp::Timestamp;

/// A change of who holds a lead.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "command")]
pub enum PoolCommand {
    /// A manager, an admin or an assignment rule puts a lead into a pool, from anywhere.
    Put {
        /// The lead.
        lead: LeadId,
        /// The pool.
        pool: PoolId,
        /// A manager of the pool's team, an admin, or the system for rules. The server must
        /// never accept `System` from a client.
        by: Actor,
        /// The version the manager saw.
        expected_version: u64,
    },
    /// A manager, an admin or an assignment rule hands a lead to a team's queue, for a manager
    /// of that team to assign (cascading distribution).
    Distribute {
        /// The lead.
        lead: LeadId,
        /// The team.
        team: TeamId,
        /// An admin, a manager whose subtree holds the team, or the system for rules. The server
        /// must never accept `System` from a client.
        by: Actor,
        /// The version seen.
        expected_version: u64,
    },
    /// A rep claims a pooled lead.
    Claim {
        /// The lead.
        lead: LeadId,
        /// The rep.
        by: UserId,
        /// The version the rep saw.
        expected_version: u64,
    },
    /// The owner (or their manager) returns a lead to its home pool.
    Return {
        /// The lead.
        lead: LeadId,
        /// The owner, their manager or an admin.
        by: UserId,
        /// Why.
        reason: ReturnReason,
        /// The version they saw.
        expected_version: u64,
    },
    /// The system returns a lead that waited too long for a follow-up to its home pool.
    Recycle {
        /// The lead.
        lead: LeadId,
        /// The version found when the lead was found due.
        expected_version: u64,
    },
    /// A manager, an admin or an assignment rule gives a lead to an owner.
    Assign {
        /// The lead.
        lead: LeadId,
        /// The new owner.
        to: UserId,
        /// Who assigns: a manager of the new owner's team, an admin, or the system for rules.
        /// The server must never accept `System` from a client.
        by: Actor,
        /// The rule that chose the owner, if any.
        #[serde(default)]
        rule: Option<RuleId>,
        /// The version seen.
        expected_version: u64,
    },
}

impl PoolCommand {
    /// The lead the command is about.
    pub fn lead(&self) -> &LeadId {
        match self {
            PoolCommand::Put { lead, .. }
            | PoolCommand::Distribute { lead, .. }
            | PoolCommand::Claim { lead, .. }
            | PoolCommand::Return { lead, .. }
            | PoolCommand::Recycle { lead, .. }
            | PoolCommand::Assign { lead, .. } => lead,
        }
    }

    /// The version the command was decided against.
    pub fn expected_version(&self) -> u64 {
        match self {
            PoolCommand::Put {
                expected_version, ..
            }
            | PoolCommand::Distribute {
                expected_version, ..
            }
            | PoolCommand::Claim {
                expected_version, ..
            }
            | PoolCommand::Return {
                expected_version, ..
            }
            | PoolCommand::Recycle {
                expected_version, ..
            }
            | PoolCommand::Assign {
                expected_version, ..
            } => *expected_version,
        }
    }
}

/// What [`decide`] needs besides the lead.
#[derive(Clone, Copy, Debug)]
pub struct PoolContext<'a> {
    /// The organisation, for roles and teams.
    pub org: &'a Organisation,
    /// The pools.
    pub pools: &'a PoolDirectory,
    /// For a claim: how many leads from the lead's pool the claimant holds without having
    /// followed them up ([`Lead::awaits_follow_up`] with that home pool). Ignored otherwise.
    pub claimant_holdings: u32,
}

/// Decides `command` against the stored `lead`: either the transition to apply, or why not.
///
/// ```
/// use dealflow_core::{
///     decide, ChannelId, Custody, Lead, LeadDraft, LeadId, LocalizedText, Member, Organisation,
///     PoolCommand, PoolConfig, PoolContext, PoolDirectory, PoolError, PoolId, Role, Team,
///     TeamId, Timestamp, UserId,
/// };
/// let org = Organisation::new(
///     "示例科技",
///     vec![Team { id: TeamId::new("east")?, name: "华东".into(), parent: None }],
///     ["li", "wang"].map(|id| Member {
///         id: UserId::new(id).unwrap(),
///         name: id.into(),
///         role: Role::Rep,
///         team: Some(TeamId::new("east").unwrap()),
///         active: true,
///     }).to_vec(),
/// )?;
/// let pool = PoolId::new("east-pool")?;
/// let pools = PoolDirectory::new(vec![PoolConfig {
///     id: pool.clone(),
///     name: LocalizedText::new("华东公海", "East pool"),
///     scope: Default::default(),
///     team: Some(TeamId::new("east")?),
///     claim_limit: 20,
///     recycle_unfollowed_after_days: Some(3),
///     recycle_idle_after_days: None,
/// }])?;
/// let mut lead = Lead::new(LeadId::new("l-1")?, LeadDraft::default(), ChannelId::new("web_form")?, Timestamp::from_millis(0));
/// lead.custody = Custody::InPool { pool, since: Timestamp::from_millis(0) };
/// let context = PoolContext { org: &org, pools: &pools, claimant_holdings: 0 };
///
/// // Li and Wang both saw version 0 and claim at the same moment; the server serialises them.
/// let li = PoolCommand::Claim { lead: lead.id.clone(), by: UserId::new("li")?, expected_version: 0 };
/// let wang = PoolCommand::Claim { lead: lead.id.clone(), by: UserId::new("wang")?, expected_version: 0 };
/// let won = decide(&lead, &li, &context, Timestamp::from_millis(1))?;
/// let stored = won.lead; // committed with version 1
/// let lost = decide(&stored, &wang, &context, Timestamp::from_millis(1)).unwrap_err();
/// assert_eq!(lost, PoolError::LeadAlreadyClaimed { lead: stored.id.clone(), by: UserId::new("li")? });
/// assert_eq!(lost.to_string(), "lead l-1 was already claimed by li: pick another lead");
/// # Ok::<(), dealflow_core::Error>(())
/// ```
pub fn decide(
    lead: &Lead,
    command: &PoolCommand,
    context: &PoolContext<'_>,
    now: Timestamp,
) -> Result<Transition, PoolError> {
    if command.lead() != &lead.id {
        return Err(PoolError::WrongLead {
            expected: command.lead().clone(),
            found: lead.id.clone(),
        });
    }
    match command {
        PoolCommand::Put { pool, by, .. } => put(lead, command, pool, by, context, now),
        PoolCommand::Distribute { team, by, .. } => {
            distribute(lead, command, team, by, context.org, now)
        }
        PoolCommand::Claim { by, .. } => claim(lead, command, by, context, now),
        PoolCommand::Return { by, reason, .. } => {
            give_back(lead, command, by, reason, context, now)
        }
        PoolCommand::Recycle { .. } => recycle(lead, command, context.pools, now),
        PoolCommand::Assign { to, by, rule, .. } => {
            assign(lead, command, to, by, rule.clone(), context.org, now)
        }
    }
}

fn put(
    lead: &Lead,
    command: &PoolCommand,
    pool_id: &PoolId,
    by: &Actor,
    context: &PoolContext<'_>,
    now: Timestamp,
) -> Result<Transition, PoolError> {
    let org = context.org;
    let pool = pool_config(context.pools, pool_id)?;
    if let Actor::User(user) = by {
        active(org, user)?;
        if !may_administer_pool(org, user, pool) {
            return Err(PoolError::NotAllowed { user: user.clone() });
        }
        if let Some(owner) = lead.owner()
            && !may_manage_owner(org, user, owner)
        {
            return Err(PoolError::NotOwner {
                lead: lead.id.clone(),
                user: user.clone(),
            });
        }
    }
    lead.ensure_open()?;
    if let Custody::InPool { pool: current, .. } = &lead.custody
        && current == pool_id
    {
        return Err(PoolError::AlreadyInPool {
            lead: lead.id.clone(),
            pool: current.clone(),
        });
    }
    check_version(lead, command)?;
    Ok(transition(
        lead,
        into_pool(pool_id.clone(), now),
        MoveKind::Put,
        by.clone(),
        now,
    ))
}

fn distribute(
    lead: &Lead,
    command: &PoolCommand,
    team: &TeamId,
    by: &Actor,
    org: &Organisation,
    now: Timestamp,
) -> Result<Transition, PoolError> {
    if org.team(team).is_none() {
        return Err(PoolError::UnknownTeam { team: team.clone() });
    }
    if let Actor::User(user) = by {
        active(org, user)?;
        if !org.is_admin(user) && !org.manages(user, team) {
            return Err(PoolError::NotAllowed { user: user.clone() });
        }
        if let Some(owner) = lead.owner()
            && !may_manage_owner(org, user, owner)
        {
            return Err(PoolError::NotOwner {
                lead: lead.id.clone(),
                user: user.clone(),
            });
        }
    }
    lead.ensure_open()?;
    if lead.custody.team() == Some(team) {
        return Err(PoolError::AlreadyWithTeam {
            lead: lead.id.clone(),
            team: team.clone(),
        });
    }
    check_version(lead, command)?;
    Ok(transition(
        lead,
        to_team(team.clone(), now),
        MoveKind::Distributed { team: team.clone() },
        by.clone(),
        now,
    ))
}

fn claim(
    lead: &Lead,
    command: &PoolCommand,
    by: &UserId,
    context: &PoolContext<'_>,
    now: Timestamp,
) -> Result<Transition, PoolError> {
    let org = context.org;
    let member = active(org, by)?;
    if member.role == Role::Admin {
        return Err(PoolError::NotAllowed { user: by.clone() });
    }
    // Custody before version: the loser of a race learns who won, not just "stale".
    let pool_id = match &lead.custody {
        Custody::Owned { owner, .. } => {
            return Err(PoolError::LeadAlreadyClaimed {
                lead: lead.id.clone(),
                by: owner.clone(),
            });
        }
        Custody::Unassigned | Custody::Team { .. } => {
            return Err(PoolError::NotInPool {
                lead: lead.id.clone(),
            });
        }
        Custody::InPool { pool, .. } => pool,
    };
    lead.ensure_open()?;
    check_version(lead, command)?;
    let pool = pool_config(context.pools, pool_id)?;
    if let Some(team) = &pool.team
        && !org.belongs_within(by, team)
    {
        return Err(PoolError::NotInAudience {
            user: by.clone(),
            pool: pool.id.clone(),
        });
    }
    if context.claimant_holdings >= pool.claim_limit {
        return Err(PoolError::ClaimLimitReached {
            user: by.clone(),
            pool: pool.id.clone(),
            limit: pool.claim_limit,
        });
    }
    Ok(transition(
        lead,
        owned_by(by.clone(), now),
        MoveKind::Claimed,
        Actor::User(by.clone()),
        now,
    ))
}

fn give_back(
    lead: &Lead,
    command: &PoolCommand,
    by: &UserId,
    reason: &ReturnReason,
    context: &PoolContext<'_>,
    now: Timestamp,
) -> Result<Transition, PoolError> {
    let org = context.org;
    active(org, by)?;
    let Some(owner) = lead.owner() else {
        return Err(LeadError::NotOwned {
            lead: lead.id.clone(),
        }
        .into());
    };
    if owner != by && !may_manage_owner(org, by, owner) {
        return Err(PoolError::NotOwner {
            lead: lead.id.clone(),
            user: by.clone(),
        });
    }
    if let ReturnReason::Other { note } = reason
        && note.trim().is_empty()
    {
        return Err(LeadError::EmptyNote.into());
    }
    lead.ensure_open()?;
    check_version(lead, command)?;
    let home = home_pool(lead, context.pools)?;
    Ok(transition(
        lead,
        into_pool(home.id.clone(), now),
        MoveKind::Returned {
            reason: reason.clone(),
        },
        Actor::User(by.clone()),
        now,
    ))
}

fn recycle(
    lead: &Lead,
    command: &PoolCommand,
    pools: &PoolDirectory,
    now: Timestamp,
) -> Result<Transition, PoolError> {
    check_version(lead, command)?;
    let home = home_pool(lead, pools)?;
    let cause = home
        .recycle_cause(lead, now)
        .ok_or_else(|| PoolError::NotDue {
            lead: lead.id.clone(),
        })?;
    Ok(transition(
        lead,
        into_pool(home.id.clone(), now),
        MoveKind::Recycled { cause },
        Actor::System,
        now,
    ))
}

fn assign(
    lead: &Lead,
    command: &PoolCommand,
    to: &UserId,
    by: &Actor,
    rule: Option<RuleId>,
    org: &Organisation,
    now: Timestamp,
) -> Result<Transition, PoolError> {
    eligible_owner(org, to)?;
    if let Actor::User(user) = by {
        active(org, user)?;
        let may = may_manage_owner(org, user, to)
            && lead
                .owner()
                .is_none_or(|current| may_manage_owner(org, user, current));
        if !may {
            return Err(PoolError::NotAllowed { user: user.clone() });
        }
    }
    lead.ensure_open()?;
    if lead.owner() == Some(to) {
        return Err(PoolError::AlreadyOwner {
            lead: lead.id.clone(),
            user: to.clone(),
        });
    }
    check_version(lead, command)?;
    Ok(transition(
        lead,
        owned_by(to.clone(), now),
        MoveKind::Assigned { rule },
        by.clone(),
        now,
    ))
}

/// The commands that return every due lead to its home pool at `now`: leads whose owner has not
/// followed them up, or whose last follow-up is too old, per their pool's rules. Submit each
/// like any command; one that lost a race with a follow-up fails harmlessly.
pub fn due_for_recycling<'a>(
    leads: impl IntoIterator<Item = &'a Lead>,
    pools: &PoolDirectory,
    now: Timestamp,
) -> Vec<PoolCommand> {
    leads
        .into_iter()
        .filter(|lead| {
            lead.home_pool
                .as_ref()
                .and_then(|pool| pools.get(pool))
                .is_some_and(|pool| pool.recycle_cause(lead, now).is_some())
        })
        .map(|lead| PoolCommand::Recycle {
            lead: lead.id.clone(),
            expected_version: lead.version,
        })
        .collect()
}

pub(crate) fn check_version(lead: &Lead, command: &PoolCommand) -> Result<(), PoolError> {
    check_expected(lead, command.expected_version())
}

pub(crate) fn check_expected(lead: &Lead, expected: u64) -> Result<(), PoolError> {
    if lead.version == expected {
        Ok(())
    } else {
        Err(PoolError::StaleVersion {
            lead: lead.id.clone(),
            expected,
            actual: lead.version,
        })
    }
}

fn active<'a>(
    org: &'a Organisation,
    user: &UserId,
) -> Result<&'a crate::org::organisation::Member, PoolError> {
    org.active_member(user)
        .ok_or_else(|| PoolError::InactiveUser { user: user.clone() })
}

/// `user` may own leads: an active rep or manager.
pub(crate) fn eligible_owner(org: &Organisation, user: &UserId) -> Result<(), PoolError> {
    let member = active(org, user)?;
    if member.role == Role::Admin {
        return Err(PoolError::NotAllowed { user: user.clone() });
    }
    Ok(())
}

fn pool_config<'a>(pools: &'a PoolDirectory, id: &PoolId) -> Result<&'a PoolConfig, PoolError> {
    pools
        .get(id)
        .ok_or_else(|| PoolError::UnknownPool { pool: id.clone() })
}

pub(crate) fn home_pool<'a>(
    lead: &Lead,
    pools: &'a PoolDirectory,
) -> Result<&'a PoolConfig, PoolError> {
    let id = lead
        .home_pool
        .as_ref()
        .ok_or_else(|| PoolError::NoHomePool {
            lead: lead.id.clone(),
        })?;
    pool_config(pools, id)
}

fn may_administer_pool(org: &Organisation, user: &UserId, pool: &PoolConfig) -> bool {
    if org.is_admin(user) {
        return true;
    }
    match &pool.team {
        Some(team) => org.manages(user, team),
        None => org
            .active_member(user)
            .is_some_and(|member| member.role == Role::Manager),
    }
}

fn may_manage_owner(org: &Organisation, user: &UserId, owner: &UserId) -> bool {
    org.is_admin(user)
        || org
            .member(owner)
            .and_then(|member| member.team.as_ref())
            .is_some_and(|team| org.manages(user, team))
}
