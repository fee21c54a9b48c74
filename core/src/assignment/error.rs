//! Errors of assignment policies and SLA handling.

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::i18n::{Locale, Localized};
use crate::id::{LeadId, PoolId, RuleId, TeamId, UserId};

/// One problem found by [`crate::AssignmentPolicy::issues`]. `rule` is `None` for a fallback or
/// a rule set as a whole.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "issue")]
pub enum PolicyIssue {
    /// Two rules share an id.
    DuplicateRule {
        /// The id.
        rule: RuleId,
    },
    /// A rule lacks its zh-CN or en name.
    UnnamedRule {
        /// The rule.
        rule: RuleId,
    },
    /// A team that does not exist.
    UnknownTeam {
        /// The rule.
        rule: Option<RuleId>,
        /// The team.
        team: TeamId,
    },
    /// A user who does not exist.
    UnknownUser {
        /// The rule.
        rule: Option<RuleId>,
        /// The user.
        user: UserId,
    },
    /// An admin listed as a candidate owner.
    NotAssignable {
        /// The rule.
        rule: Option<RuleId>,
        /// The user.
        user: UserId,
    },
    /// A pool that does not exist.
    UnknownPool {
        /// The rule.
        rule: Option<RuleId>,
        /// The pool.
        pool: PoolId,
    },
    /// A rep list that is empty.
    NoCandidates {
        /// The rule.
        rule: Option<RuleId>,
    },
    /// A team's rule targets something outside that team's subtree.
    OutsideTeam {
        /// The rule.
        rule: Option<RuleId>,
        /// The team whose rule set it is.
        team: TeamId,
    },
}

impl Localized for PolicyIssue {
    fn localized(&self, locale: Locale) -> String {
        let zh = locale == Locale::ZhCn;
        let rule_name = |rule: &Option<RuleId>| match (rule, zh) {
            (Some(rule), true) => format!("规则“{rule}”"),
            (Some(rule), false) => format!("rule {rule}"),
            (None, true) => "兜底规则".to_owned(),
            (None, false) => "the fallback".to_owned(),
        };
        match self {
            PolicyIssue::DuplicateRule { rule } if zh => format!("规则标识“{rule}”重复"),
            PolicyIssue::DuplicateRule { rule } => format!("rule id {rule} is used twice"),
            PolicyIssue::UnnamedRule { rule } if zh => format!("规则“{rule}”缺少中文或英文名称"),
            PolicyIssue::UnnamedRule { rule } => {
                format!("rule {rule} needs a zh-CN and an en name")
            }
            PolicyIssue::UnknownTeam { rule, team } if zh => {
                format!("{}引用了不存在的团队“{team}”", rule_name(rule))
            }
            PolicyIssue::UnknownTeam { rule, team } => {
                format!("{} refers to unknown team {team}", rule_name(rule))
            }
            PolicyIssue::UnknownUser { rule, user } if zh => {
                format!("{}引用了不存在的用户“{user}”", rule_name(rule))
            }
            PolicyIssue::UnknownUser { rule, user } => {
                format!("{} refers to unknown user {user}", rule_name(rule))
            }
            PolicyIssue::NotAssignable { rule, user } if zh => {
                format!("{}中的“{user}”是管理员，不能作为负责人", rule_name(rule))
            }
            PolicyIssue::NotAssignable { rule, user } => {
                format!(
                    "{} lists admin {user}, who cannot own leads",
                    rule_name(rule)
                )
            }
            PolicyIssue::UnknownPool { rule, pool } if zh => {
                format!("{}引用了不存在的线索池“{pool}”", rule_name(rule))
            }
            PolicyIssue::UnknownPool { rule, pool } => {
                format!("{} refers to unknown pool {pool}", rule_name(rule))
            }
            PolicyIssue::NoCandidates { rule } if zh => format!("{}没有候选人", rule_name(rule)),
            PolicyIssue::NoCandidates { rule } => format!("{} lists no reps", rule_name(rule)),
            PolicyIssue::OutsideTeam { rule, team } if zh => {
                format!("{}的目标不在团队“{team}”及其下级团队内", rule_name(rule))
            }
            PolicyIssue::OutsideTeam { rule, team } => format!(
                "{} targets something outside team {team}: team rules distribute within the team",
                rule_name(rule)
            ),
        }
    }
}

/// Errors of assignment and SLA handling.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AssignmentError {
    /// The policy does not fit the organisation.
    #[error("the assignment policy has {} problem(s): fix them before saving", issues.len())]
    InvalidPolicy {
        /// Every problem found.
        issues: Vec<PolicyIssue>,
    },
    /// The lead is not in breach of the SLA (it was followed up or moved meanwhile).
    #[error("lead {lead} is not overdue for its first follow-up")]
    NotOverdue {
        /// The lead.
        lead: LeadId,
    },
}

impl AssignmentError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            AssignmentError::InvalidPolicy { .. } => ErrorCode::InvalidAssignmentPolicy,
            AssignmentError::NotOverdue { .. } => ErrorCode::InvalidLeadMove,
        }
    }
}

impl Localized for AssignmentError {
    fn localized(&self, locale: Locale) -> String {
        match (locale, self) {
            (Locale::En, _) => self.to_string(),
            (Locale::ZhCn, AssignmentError::InvalidPolicy { issues }) => {
                format!("分配规则有 {} 处问题：请修正后再保存", issues.len())
            }
            (Locale::ZhCn, AssignmentError::NotOverdue { lead }) => {
                format!("线索 {lead} 未超过首次跟进时限")
            }
        }
    }
}
