//! Who must approve a discount: the approval policy and the approver's level.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{QuoteError, QuoteTotals};
use crate::i18n::{Locale, Localized};
use crate::id::UserId;
use crate::money::Discount;
use crate::timestamp::Timestamp;

/// Discount thresholds above which a quote needs approval, and by whom (organisation
/// configuration, checked by [`ApprovalPolicy::validate`]).
///
/// Level 1 is the quote owner's manager, level 2 the manager's manager, and so on. A quote needs
/// the highest level among the thresholds its discount is strictly above; an approver of that
/// level or higher decides alone.
///
/// ```
/// use dealflow_core::{ApprovalPolicy, Discount};
/// let policy: ApprovalPolicy = serde_json::from_str(r#"{
///     "thresholds": [ { "above": 1000, "level": 1 }, { "above": 2000, "level": 2 } ]
/// }"#).unwrap();
/// policy.validate().unwrap();
/// let at = |bp| policy.required_level_for(Discount::from_basis_points(bp).unwrap());
/// assert_eq!((at(1000), at(1001), at(2500)), (None, Some(1), Some(2)));
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct ApprovalPolicy {
    /// Thresholds in ascending order of discount and of level.
    pub thresholds: Vec<ApprovalThreshold>,
}

/// Discounts strictly above `above` need an approver of at least `level`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ApprovalThreshold {
    /// The discount that may still be given without this level's approval.
    pub above: Discount,
    /// The approval level needed beyond it (1 = the owner's manager).
    pub level: u8,
}

/// The user acting on a quote and their approval level over the quote's owner, as the server
/// computes it from the org hierarchy: 0 for the owner, peers and anyone outside the owner's
/// management chain, 1 for the owner's manager, 2 for the next level up, and so on. Core never
/// trusts a level from a client; the server supplies it.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub struct Approver {
    /// Who acts.
    pub user: UserId,
    /// Their level over the quote's owner.
    pub level: u8,
}

/// The approval decision on a quote.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ApprovalDecision {
    /// Approved or rejected.
    pub outcome: ApprovalOutcome,
    /// Who decided.
    pub by: UserId,
    /// Their level when deciding.
    pub level: u8,
    /// The level the quote needed.
    pub required_level: u8,
    /// When.
    pub at: Timestamp,
    /// The approver's comment (required when rejecting).
    pub comment: String,
}

/// How an approval ended.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalOutcome {
    /// Approved (审批通过).
    Approved,
    /// Rejected (驳回).
    Rejected,
}

impl ApprovalPolicy {
    /// The level needed for a quote with these totals, or `None` when no approval is needed.
    pub fn required_level(&self, totals: &QuoteTotals) -> Option<u8> {
        self.thresholds
            .iter()
            .filter(|threshold| totals.discount_exceeds(threshold.above))
            .map(|threshold| threshold.level)
            .max()
    }

    /// The level needed for a plain discount, or `None` when no approval is needed.
    pub fn required_level_for(&self, discount: Discount) -> Option<u8> {
        self.thresholds
            .iter()
            .filter(|threshold| discount > threshold.above)
            .map(|threshold| threshold.level)
            .max()
    }

    /// Checks the policy: levels from 1, thresholds and levels both strictly ascending, and no
    /// threshold at 100 % (no discount can be above it).
    pub fn validate(&self) -> Result<(), QuoteError> {
        let mut problems = Vec::new();
        let mut previous: Option<&ApprovalThreshold> = None;
        for threshold in &self.thresholds {
            if threshold.level == 0 {
                problems.push(PolicyProblem::LevelZero);
            }
            if threshold.above.basis_points() >= 10_000 {
                problems.push(PolicyProblem::UnreachableThreshold);
            }
            if let Some(previous) = previous
                && (threshold.above <= previous.above || threshold.level <= previous.level)
            {
                problems.push(PolicyProblem::NotAscending {
                    above: threshold.above.basis_points(),
                });
            }
            previous = Some(threshold);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(QuoteError::InvalidApprovalPolicy { problems })
        }
    }
}

/// One problem of an approval policy.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicyProblem {
    /// A threshold needs level 0, which is nobody's manager.
    LevelZero,
    /// A threshold at 100 %: no discount is above it.
    UnreachableThreshold,
    /// A threshold does not raise both the discount and the level of the previous one.
    NotAscending {
        /// The threshold's discount, in basis points.
        above: u16,
    },
}

impl fmt::Display for PolicyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.localized(Locale::En))
    }
}

impl Localized for PolicyProblem {
    fn localized(&self, locale: Locale) -> String {
        let (zh_cn, en) = match self {
            PolicyProblem::LevelZero => (
                "审批级别须从 1（直属上级）开始".to_owned(),
                "approval levels start at 1 (the owner's manager)".to_owned(),
            ),
            PolicyProblem::UnreachableThreshold => (
                "折扣阈值不能为 100%：没有折扣会超过它".to_owned(),
                "a threshold of 100% can never be exceeded".to_owned(),
            ),
            PolicyProblem::NotAscending { above } => (
                format!("{above} 个基点的阈值须在折扣和审批级别上都高于上一个阈值"),
                format!(
                    "the threshold at {above} basis points must raise both the discount and the level of the previous one"
                ),
            ),
        };
        match locale {
            Locale::ZhCn => zh_cn,
            Locale::En => en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn threshold(above: u16, level: u8) -> ApprovalThreshold {
        ApprovalThreshold {
            above: Discount::from_basis_points(above).unwrap(),
            level,
        }
    }

    #[test]
    fn bad_policies_list_every_problem() {
        let policy = ApprovalPolicy {
            thresholds: vec![threshold(1_000, 0), threshold(900, 2), threshold(10_000, 3)],
        };
        let Err(QuoteError::InvalidApprovalPolicy { problems }) = policy.validate() else {
            panic!("the policy is invalid");
        };
        assert_eq!(
            problems,
            [
                PolicyProblem::LevelZero,
                PolicyProblem::NotAscending { above: 900 },
                PolicyProblem::UnreachableThreshold,
            ]
        );
        assert_eq!(ApprovalPolicy::default().validate(), Ok(()));
        assert_eq!(
            ApprovalPolicy::default()
                .required_level_for(Discount::from_basis_points(10_000).unwrap()),
            None
        );
    }
}
