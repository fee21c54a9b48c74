//! Identifier newtypes, so a deal id can never be passed where a user id is expected.
//!
//! Ids are opaque strings chosen by whoever creates the record (the browser draws them from
//! `crypto.getRandomValues`; core never generates randomness). They must be 1–128 characters
//! with no control characters; anything else is a [`IdError`].

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::i18n::{Locale, Localized};

/// Longest id accepted, in bytes.
pub const MAX_ID_LEN: usize = 128;

macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Validates and wraps an id.
            pub fn new(id: impl Into<String>) -> Result<Self, IdError> {
                let id = id.into();
                validate(&id, stringify!($name))?;
                Ok($name(id))
            }

            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;

            fn try_from(id: String) -> Result<Self, Self::Error> {
                $name::new(id)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = IdError;

            fn try_from(id: &str) -> Result<Self, Self::Error> {
                $name::new(id)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

string_id!(
    /// A deal (sales opportunity). For deals held in Automerge documents this is the document id.
    DealId
);
string_id!(
    /// A pipeline configuration, e.g. new business or renewals.
    PipelineId
);
string_id!(
    /// A stage within a pipeline.
    StageId
);
string_id!(
    /// A user: rep, manager or admin.
    UserId
);
string_id!(
    /// A team in the organisation hierarchy.
    TeamId
);
string_id!(
    /// A customer account (company).
    AccountId
);
string_id!(
    /// A contact person at a customer.
    ContactId
);
string_id!(
    /// A lead, before it becomes a deal.
    LeadId
);
string_id!(
    /// A record inside a deal: follow-up, comment, task, competitor entry, product line.
    RecordId
);
string_id!(
    /// A product in the catalogue.
    ProductId
);
string_id!(
    /// A promotion in the product catalogue.
    PromotionId
);
string_id!(
    /// A quote (报价单); each revision of a quote is its own record with its own id.
    QuoteId
);
string_id!(
    /// A contract (合同).
    ContractId
);

string_id!(
    /// A lead pool (线索池 / 公海).
    PoolId
);
string_id!(
    /// An assignment rule.
    RuleId
);
string_id!(
    /// A configurable lead source channel, e.g. `trade_show`.
    ChannelId
);

fn validate(id: &str, kind: &'static str) -> Result<(), IdError> {
    if id.is_empty() {
        return Err(IdError::Empty { kind });
    }
    if id.len() > MAX_ID_LEN {
        return Err(IdError::TooLong {
            kind,
            len: id.len(),
        });
    }
    if id.chars().any(char::is_control) {
        return Err(IdError::ControlCharacter { kind });
    }
    Ok(())
}

/// An id that is empty, too long or contains control characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// The id is empty.
    #[error("{kind} is empty: give a non-empty id")]
    Empty {
        /// Which id type.
        kind: &'static str,
    },
    /// The id is longer than [`MAX_ID_LEN`].
    #[error("{kind} is {len} bytes long: ids are at most 128 bytes")]
    TooLong {
        /// Which id type.
        kind: &'static str,
        /// Its length in bytes.
        len: usize,
    },
    /// The id contains a control character.
    #[error("{kind} contains a control character: ids are printable text")]
    ControlCharacter {
        /// Which id type.
        kind: &'static str,
    },
}

impl IdError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        ErrorCode::InvalidId
    }
}

impl Localized for IdError {
    fn localized(&self, locale: Locale) -> String {
        match (locale, self) {
            (Locale::En, _) => self.to_string(),
            (Locale::ZhCn, IdError::Empty { kind }) => format!("{kind} 为空：请提供非空的标识"),
            (Locale::ZhCn, IdError::TooLong { kind, len }) => {
                format!("{kind} 长 {len} 字节：标识最长 128 字节")
            }
            (Locale::ZhCn, IdError::ControlCharacter { kind }) => {
                format!("{kind} 含有控制字符：标识须为可打印文本")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_ids() {
        assert_eq!(DealId::new(""), Err(IdError::Empty { kind: "DealId" }));
        assert!(UserId::new("a\u{0}b").is_err());
        assert!(StageId::new("x".repeat(129)).is_err());
        assert_eq!(StageId::new("demo").unwrap().as_str(), "demo");
    }

    #[test]
    fn deserialization_validates() {
        assert!(serde_json::from_str::<DealId>(r#""""#).is_err());
        assert_eq!(
            serde_json::from_str::<DealId>(r#""d1""#).unwrap(),
            DealId::new("d1").unwrap()
        );
    }
}
