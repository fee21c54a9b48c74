//! Errors of pool commands and other custody changes.

use crate::error::ErrorCode;
use crate::i18n::{Locale, Localized};
use crate::id::{LeadId, PoolId, TeamId, UserId};
use crate::lead::error::LeadError;

/// Why a custody change (put, claim, return, recycle, assign, hand-over) was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PoolError {
    /// Someone else holds the lead: the claim lost the race.
    #[error("lead {lead} was already claimed by {by}: pick another lead")]
    LeadAlreadyClaimed {
        /// The lead.
        lead: LeadId,
        /// Who holds it now.
        by: UserId,
    },
    /// The lead changed since the command was decided.
    #[error("lead {lead} changed (version {actual}, expected {expected}): reload it and try again")]
    StaleVersion {
        /// The lead.
        lead: LeadId,
        /// The version the command was decided against.
        expected: u64,
        /// The lead's current version.
        actual: u64,
    },
    /// The lead is not in a pool, so it cannot be claimed.
    #[error("lead {lead} is not in a pool: only pooled leads can be claimed")]
    NotInPool {
        /// The lead.
        lead: LeadId,
    },
    /// The lead is already in that pool.
    #[error("lead {lead} is already in pool {pool}")]
    AlreadyInPool {
        /// The lead.
        lead: LeadId,
        /// The pool.
        pool: PoolId,
    },
    /// The lead already waits in that team's queue.
    #[error("lead {lead} is already with team {team}")]
    AlreadyWithTeam {
        /// The lead.
        lead: LeadId,
        /// The team.
        team: TeamId,
    },
    /// No team with this id.
    #[error("unknown team {team}: pick an existing team")]
    UnknownTeam {
        /// The team.
        team: TeamId,
    },
    /// The lead already belongs to the intended owner.
    #[error("lead {lead} already belongs to {user}")]
    AlreadyOwner {
        /// The lead.
        lead: LeadId,
        /// The owner.
        user: UserId,
    },
    /// No pool with this id.
    #[error("unknown pool {pool}: pick a configured pool")]
    UnknownPool {
        /// The pool.
        pool: PoolId,
    },
    /// Two pools share an id.
    #[error("pool id {pool} is used twice: give each pool its own id")]
    DuplicatePool {
        /// The pool.
        pool: PoolId,
    },
    /// The user is unknown or has left.
    #[error("user {user} is unknown or inactive")]
    InactiveUser {
        /// The user.
        user: UserId,
    },
    /// The user's role or team does not allow this action.
    #[error("{user} may not do this: ask a manager of the team or an admin")]
    NotAllowed {
        /// The user.
        user: UserId,
    },
    /// The user is not a member of the pool's team.
    #[error("{user} is not in the team of pool {pool}: claim from your own team's pools")]
    NotInAudience {
        /// The user.
        user: UserId,
        /// The pool.
        pool: PoolId,
    },
    /// The rep holds too many leads from this pool that they have not followed up.
    #[error(
        "{user} already holds {limit} leads from pool {pool} without a follow-up: follow them up before claiming more"
    )]
    ClaimLimitReached {
        /// The rep.
        user: UserId,
        /// The pool.
        pool: PoolId,
        /// The pool's limit.
        limit: u32,
    },
    /// Only the owner, their manager or an admin may return a lead.
    #[error("{user} does not own lead {lead}: only its owner or their manager may do this")]
    NotOwner {
        /// The lead.
        lead: LeadId,
        /// The user.
        user: UserId,
    },
    /// The lead has never been in a pool, so it has nowhere to return to.
    #[error("lead {lead} has no home pool: put it into a pool instead")]
    NoHomePool {
        /// The lead.
        lead: LeadId,
    },
    /// Recycling was asked for a lead that is not due (it was followed up meanwhile).
    #[error("lead {lead} is not due for recycling")]
    NotDue {
        /// The lead.
        lead: LeadId,
    },
    /// No lead with this id.
    #[error("unknown lead {lead}: it may have been deleted")]
    UnknownLead {
        /// The lead.
        lead: LeadId,
    },
    /// The command is for another lead than the one given.
    #[error("the command is for lead {expected} but lead {found} was given")]
    WrongLead {
        /// The command's lead.
        expected: LeadId,
        /// The lead passed in.
        found: LeadId,
    },
    /// The lead itself refused the change (closed, not owned, empty note).
    #[error(transparent)]
    Lead(#[from] LeadError),
}

impl PoolError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            PoolError::LeadAlreadyClaimed { .. } => ErrorCode::LeadAlreadyClaimed,
            PoolError::StaleVersion { .. } => ErrorCode::StaleVersion,
            PoolError::NotInPool { .. }
            | PoolError::AlreadyInPool { .. }
            | PoolError::AlreadyOwner { .. }
            | PoolError::AlreadyWithTeam { .. }
            | PoolError::NoHomePool { .. }
            | PoolError::NotDue { .. }
            | PoolError::WrongLead { .. } => ErrorCode::InvalidLeadMove,
            PoolError::UnknownPool { .. } => ErrorCode::UnknownPool,
            PoolError::UnknownLead { .. } => ErrorCode::UnknownLead,
            PoolError::UnknownTeam { .. } => ErrorCode::UnknownTeam,
            PoolError::DuplicatePool { .. } => ErrorCode::InvalidPoolConfig,
            PoolError::InactiveUser { .. } => ErrorCode::UnknownUser,
            PoolError::NotAllowed { .. }
            | PoolError::NotInAudience { .. }
            | PoolError::NotOwner { .. } => ErrorCode::Forbidden,
            PoolError::ClaimLimitReached { .. } => ErrorCode::ClaimLimitReached,
            PoolError::Lead(error) => error.code(),
        }
    }
}

impl Localized for PoolError {
    fn localized(&self, locale: Locale) -> String {
        if let PoolError::Lead(error) = self {
            return error.localized(locale);
        }
        if locale == Locale::En {
            return self.to_string();
        }
        match self {
            PoolError::LeadAlreadyClaimed { lead, by } => {
                format!("线索 {lead} 已被 {by} 领取：请选择其他线索")
            }
            PoolError::StaleVersion {
                lead,
                expected,
                actual,
            } => {
                format!("线索 {lead} 已被修改（当前版本 {actual}，预期 {expected}）：请刷新后重试")
            }
            PoolError::NotInPool { lead } => {
                format!("线索 {lead} 不在线索池中：只能领取池中的线索")
            }
            PoolError::AlreadyInPool { lead, pool } => {
                format!("线索 {lead} 已在线索池 {pool} 中")
            }
            PoolError::AlreadyOwner { lead, user } => format!("线索 {lead} 的负责人已是 {user}"),
            PoolError::AlreadyWithTeam { lead, team } => {
                format!("线索 {lead} 已分配给团队 {team}")
            }
            PoolError::UnknownTeam { team } => format!("团队 {team} 不存在：请选择已有团队"),
            PoolError::UnknownPool { pool } => {
                format!("线索池 {pool} 不存在：请选择已配置的线索池")
            }
            PoolError::DuplicatePool { pool } => {
                format!("线索池标识 {pool} 重复：每个线索池须有唯一标识")
            }
            PoolError::InactiveUser { user } => format!("用户 {user} 不存在或已离职"),
            PoolError::NotAllowed { user } => {
                format!("{user} 无权执行此操作：请联系团队经理或管理员")
            }
            PoolError::NotInAudience { user, pool } => {
                format!("{user} 不属于线索池 {pool} 所在团队：请从本团队的线索池领取")
            }
            PoolError::ClaimLimitReached { user, pool, limit } => {
                format!("{user} 已持有 {limit} 条来自线索池 {pool} 的未跟进线索：请先跟进再领取")
            }
            PoolError::NotOwner { lead, user } => {
                format!("{user} 不是线索 {lead} 的负责人：只有负责人或其经理可以操作")
            }
            PoolError::NoHomePool { lead } => {
                format!("线索 {lead} 没有所属线索池：请改为放入线索池")
            }
            PoolError::NotDue { lead } => format!("线索 {lead} 尚未到回收时间"),
            PoolError::UnknownLead { lead } => format!("线索 {lead} 不存在：可能已被删除"),
            PoolError::WrongLead { expected, found } => {
                format!("指令针对线索 {expected}，但传入的是线索 {found}")
            }
            PoolError::Lead(error) => error.localized(locale),
        }
    }
}
