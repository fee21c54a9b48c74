//! Errors of the organisation tree and ownership transfers.

use crate::error::ErrorCode;
use crate::i18n::{Locale, Localized};
use crate::id::{TeamId, UserId};

/// Errors of the organisation tree and of ownership transfers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OrgError {
    /// Two teams share an id.
    #[error("team id {team} is used twice: give each team its own id")]
    DuplicateTeam {
        /// The team.
        team: TeamId,
    },
    /// A team's parent does not exist.
    #[error("team {team} has unknown parent {parent}: create the parent first")]
    UnknownParentTeam {
        /// The team.
        team: TeamId,
        /// The missing parent.
        parent: TeamId,
    },
    /// Following parents from a team leads back to it.
    #[error("team {team} is its own ancestor: teams must form a tree")]
    TeamCycle {
        /// A team on the cycle.
        team: TeamId,
    },
    /// Two members share a user id.
    #[error("user {user} is listed twice")]
    DuplicateMember {
        /// The user.
        user: UserId,
    },
    /// A member belongs to a team that does not exist.
    #[error("unknown team {team}: create it or pick an existing team")]
    UnknownTeam {
        /// The team.
        team: TeamId,
    },
    /// A manager or rep without a team.
    #[error("{user} is a manager or rep without a team: put them in a team")]
    MemberWithoutTeam {
        /// The user.
        user: UserId,
    },
    /// No member with this id.
    #[error("unknown user {user}")]
    UnknownUser {
        /// The user.
        user: UserId,
    },
    /// The successor cannot take the work over.
    #[error("{user} cannot take over: pick an active rep or manager other than the departing user")]
    InvalidSuccessor {
        /// The proposed successor.
        user: UserId,
    },
    /// The user may not change who owns the record or who is on its deal team.
    #[error(
        "{user} may not change the ownership of this record: ask its owner, a manager of its team or an admin"
    )]
    NotPermitted {
        /// The user who asked.
        user: UserId,
    },
    /// Deal teams exist on deals only.
    #[error("only deals have a deal team: share other records through their owner or team")]
    NotADeal,
}

impl OrgError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            OrgError::UnknownUser { .. } => ErrorCode::UnknownUser,
            OrgError::InvalidSuccessor { .. } => ErrorCode::InvalidSuccessor,
            OrgError::NotPermitted { .. } => ErrorCode::Forbidden,
            OrgError::NotADeal => ErrorCode::NotADeal,
            OrgError::DuplicateTeam { .. }
            | OrgError::UnknownParentTeam { .. }
            | OrgError::TeamCycle { .. }
            | OrgError::DuplicateMember { .. }
            | OrgError::UnknownTeam { .. }
            | OrgError::MemberWithoutTeam { .. } => ErrorCode::InvalidOrganisation,
        }
    }
}

impl Localized for OrgError {
    fn localized(&self, locale: Locale) -> String {
        if locale == Locale::En {
            return self.to_string();
        }
        match self {
            OrgError::DuplicateTeam { team } => {
                format!("团队标识 {team} 重复：每个团队须有唯一标识")
            }
            OrgError::UnknownParentTeam { team, parent } => {
                format!("团队 {team} 的上级团队 {parent} 不存在：请先创建上级团队")
            }
            OrgError::TeamCycle { team } => {
                format!("团队 {team} 成了自己的上级：团队须构成树形结构")
            }
            OrgError::DuplicateMember { user } => format!("用户 {user} 重复出现"),
            OrgError::UnknownTeam { team } => format!("团队 {team} 不存在：请创建或选择已有团队"),
            OrgError::MemberWithoutTeam { user } => {
                format!("{user} 是经理或销售，但不属于任何团队：请为其指定团队")
            }
            OrgError::UnknownUser { user } => format!("用户 {user} 不存在"),
            OrgError::InvalidSuccessor { user } => {
                format!("{user} 不能接手：请选择离职人员以外的在职销售或经理")
            }
            OrgError::NotPermitted { user } => {
                format!("{user} 无权变更该记录的负责人或协作成员：请联系负责人、其团队经理或管理员")
            }
            OrgError::NotADeal => "只有商机有协作团队：其他记录请通过负责人或团队共享".to_owned(),
        }
    }
}
