//! Errors of scoring.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::i18n::{Locale, Localized};
use crate::money::MoneyError;

/// Errors of fit, engagement, win-probability, health and RFM scoring.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ScoreError {
    /// The fit (ideal customer profile) rules are invalid; every problem is listed.
    #[error("invalid fit rules: {}", join(problems))]
    InvalidFitProfile {
        /// What is wrong.
        problems: Vec<FitProblem>,
    },
    /// A numeric setting is out of its range.
    #[error("invalid setting {setting} = {value}: it must be {requirement}")]
    InvalidSetting {
        /// The setting's name, e.g. `half_life_days`.
        setting: &'static str,
        /// The value given.
        value: String,
        /// What it must be.
        requirement: Requirement,
    },
    /// A score above 100 points.
    #[error("score out of range: {points} is above 100 points")]
    ScoreOutOfRange {
        /// The value given.
        points: u8,
    },
    /// Money arithmetic or currency conversion failed.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl ScoreError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            ScoreError::InvalidFitProfile { .. } | ScoreError::InvalidSetting { .. } => {
                ErrorCode::InvalidScoringConfig
            }
            ScoreError::ScoreOutOfRange { .. } => ErrorCode::ScoreOutOfRange,
            ScoreError::Money(error) => error.code(),
        }
    }
}

impl Localized for ScoreError {
    fn localized(&self, locale: Locale) -> String {
        match (locale, self) {
            (_, ScoreError::Money(error)) => error.localized(locale),
            (Locale::En, _) => self.to_string(),
            (Locale::ZhCn, ScoreError::InvalidFitProfile { problems }) => {
                let problems: Vec<String> = problems
                    .iter()
                    .map(|problem| problem.localized(Locale::ZhCn))
                    .collect();
                format!("属性评分规则无效：{}", problems.join("；"))
            }
            (
                Locale::ZhCn,
                ScoreError::InvalidSetting {
                    setting,
                    value,
                    requirement,
                },
            ) => format!(
                "设置 {setting} = {value} 无效：必须{}",
                requirement.localized(Locale::ZhCn)
            ),
            (Locale::ZhCn, ScoreError::ScoreOutOfRange { points }) => {
                format!("分数超出范围：{points} 分超过 100 分")
            }
        }
    }
}

/// What a numeric setting must be.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum Requirement {
    /// Greater than zero.
    Positive,
    /// A finite number greater than zero.
    PositiveFinite,
    /// Strictly increasing.
    Ascending,
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.localized(Locale::En))
    }
}

impl Localized for Requirement {
    fn localized(&self, locale: Locale) -> String {
        let (zh_cn, en) = match self {
            Requirement::Positive => ("大于零", "greater than zero"),
            Requirement::PositiveFinite => ("大于零的有限数", "a finite number greater than zero"),
            Requirement::Ascending => ("严格递增", "strictly increasing"),
        };
        match locale {
            Locale::ZhCn => zh_cn.to_owned(),
            Locale::En => en.to_owned(),
        }
    }
}

/// One problem of a fit profile.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FitProblem {
    /// The profile has no rule.
    NoRules,
    /// A rule has an empty id.
    EmptyId,
    /// Two rules share an id.
    DuplicateId {
        /// The id.
        rule: String,
    },
    /// A rule's label lacks its zh-CN or en text.
    IncompleteLabel {
        /// The rule.
        rule: String,
    },
    /// A rule has weight zero, so it could never count.
    ZeroWeight {
        /// The rule.
        rule: String,
    },
    /// A rule lists no accepted value.
    EmptyList {
        /// The rule.
        rule: String,
    },
    /// A budget threshold is negative.
    NegativeBudget {
        /// The rule.
        rule: String,
    },
}

impl fmt::Display for FitProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.localized(Locale::En))
    }
}

impl Localized for FitProblem {
    fn localized(&self, locale: Locale) -> String {
        match (locale, self) {
            (Locale::En, FitProblem::NoRules) => "add at least one rule".to_owned(),
            (Locale::ZhCn, FitProblem::NoRules) => "请至少添加一条规则".to_owned(),
            (Locale::En, FitProblem::EmptyId) => "give every rule an id".to_owned(),
            (Locale::ZhCn, FitProblem::EmptyId) => "每条规则都需要标识".to_owned(),
            (Locale::En, FitProblem::DuplicateId { rule }) => {
                format!("rule id {rule:?} is used twice: make ids unique")
            }
            (Locale::ZhCn, FitProblem::DuplicateId { rule }) => {
                format!("规则标识 {rule:?} 重复：标识须唯一")
            }
            (Locale::En, FitProblem::IncompleteLabel { rule }) => {
                format!("rule {rule:?} needs a label in both zh-CN and en")
            }
            (Locale::ZhCn, FitProblem::IncompleteLabel { rule }) => {
                format!("规则 {rule:?} 需要中英文名称")
            }
            (Locale::En, FitProblem::ZeroWeight { rule }) => {
                format!("rule {rule:?} has weight 0: give it a positive weight or remove it")
            }
            (Locale::ZhCn, FitProblem::ZeroWeight { rule }) => {
                format!("规则 {rule:?} 的权重为 0：请设置正权重或删除该规则")
            }
            (Locale::En, FitProblem::EmptyList { rule }) => {
                format!("rule {rule:?} lists no value: add the values that fit")
            }
            (Locale::ZhCn, FitProblem::EmptyList { rule }) => {
                format!("规则 {rule:?} 未列出任何取值：请添加符合条件的取值")
            }
            (Locale::En, FitProblem::NegativeBudget { rule }) => {
                format!("rule {rule:?} has a negative budget threshold")
            }
            (Locale::ZhCn, FitProblem::NegativeBudget { rule }) => {
                format!("规则 {rule:?} 的预算门槛为负数")
            }
        }
    }
}

fn join(problems: &[FitProblem]) -> String {
    let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
    problems.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_code_and_both_languages() {
        let errors = [
            ScoreError::InvalidFitProfile {
                problems: vec![
                    FitProblem::NoRules,
                    FitProblem::DuplicateId { rule: "a".into() },
                ],
            },
            ScoreError::InvalidSetting {
                setting: "half_life_days",
                value: "0".into(),
                requirement: Requirement::Positive,
            },
            ScoreError::ScoreOutOfRange { points: 101 },
            ScoreError::Money(MoneyError::Overflow),
        ];
        for error in errors {
            let text = error.localized_text();
            assert!(!text.is_incomplete());
            assert_ne!(text.zh_cn, text.en);
            assert!(!error.code().as_str().is_empty());
        }
        let error = ScoreError::InvalidSetting {
            setting: "half_life_days",
            value: "0".into(),
            requirement: Requirement::Positive,
        };
        assert_eq!(
            error.to_string(),
            "invalid setting half_life_days = 0: it must be greater than zero"
        );
        assert_eq!(
            error.localized(Locale::ZhCn),
            "设置 half_life_days = 0 无效：必须大于零"
        );
    }
}
