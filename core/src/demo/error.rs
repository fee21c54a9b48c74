//! Errors of demo data generation.

use crate::error::ErrorCode;
use crate::i18n::{Locale, Localized};

/// A demo configuration that cannot produce data, or demo data that does not fit together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DemoError {
    /// No team of the organisation has a rep, so no deal would have an owner.
    #[error("the demo organisation has no reps: add at least one rep to a team")]
    NoReps,
    /// The configured deal-id function gave two deals the same id.
    #[error("two demo deals got the id {id}: make the deal-id function injective")]
    DuplicateDealId {
        /// The id given twice.
        id: String,
    },
    /// The data refers to something it does not contain (e.g. a pipeline or an actor).
    #[error("the demo data is inconsistent ({reason}): use the data that generate returned")]
    Inconsistent {
        /// What does not fit.
        reason: String,
    },
}

impl DemoError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            DemoError::NoReps | DemoError::DuplicateDealId { .. } => ErrorCode::InvalidDemoConfig,
            DemoError::Inconsistent { .. } => ErrorCode::InconsistentDemoData,
        }
    }
}

impl Localized for DemoError {
    fn localized(&self, locale: Locale) -> String {
        match (locale, self) {
            (Locale::En, _) => self.to_string(),
            (Locale::ZhCn, DemoError::NoReps) => {
                "演示组织中没有销售代表：请至少为一个团队添加一名销售代表".to_owned()
            }
            (Locale::ZhCn, DemoError::DuplicateDealId { id }) => {
                format!("两个演示商机得到了相同的标识 {id}：商机标识函数须为不同输入给出不同标识")
            }
            (Locale::ZhCn, DemoError::Inconsistent { reason }) => {
                format!("演示数据前后不一致（{reason}）：请使用 generate 返回的数据")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_exist_in_both_languages() {
        for error in [
            DemoError::NoReps,
            DemoError::DuplicateDealId { id: "d".into() },
            DemoError::Inconsistent {
                reason: "no pipeline x".into(),
            },
        ] {
            let text = error.localized_text();
            assert!(!text.is_incomplete());
            assert_ne!(text.zh_cn, text.en);
        }
        assert_eq!(DemoError::NoReps.code(), ErrorCode::InvalidDemoConfig);
    }
}
