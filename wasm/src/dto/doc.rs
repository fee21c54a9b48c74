//! Reading deal documents: tolerant reads with validation problems, text fields, and history.

use dealflow_core as domain;
use serde::Serialize;
use tsify::Tsify;

use wasm_bindgen::JsValue;

use super::common::{LocalizedText, Money, id};
use super::deal::Deal;
use crate::convert::{Fields, FromJs};
use crate::error::{Failure, JsResult};

/// A field that a tolerant read could not use: it fell back to its default or was left out,
/// and the rest of the deal still reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ValidationProblem {
    /// Where, as a JSON Pointer into the document (`/contacts/c-1/role`).
    pub path: String,
    /// What the schema expects there.
    pub expected: String,
    /// What was found.
    pub found: String,
    /// The problem in both languages, including what was used instead.
    pub message: LocalizedText,
}

impl From<domain::ValidationProblem> for ValidationProblem {
    fn from(problem: domain::ValidationProblem) -> Self {
        ValidationProblem {
            path: problem.path,
            expected: problem.expected,
            found: problem.found,
            message: problem.message.into(),
        }
    }
}

/// A deal read from its document, with the fields it could not use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct DealRead {
    /// The deal; unreadable fields hold their defaults.
    pub deal: Deal,
    /// Fields that had the wrong type or an invalid value (empty for a clean document).
    pub problems: Vec<ValidationProblem>,
}

impl From<domain::DealRead> for DealRead {
    fn from(read: domain::DealRead) -> Self {
        DealRead {
            deal: read.deal.into(),
            problems: read
                .problems
                .into_iter()
                .map(ValidationProblem::from)
                .collect(),
        }
    }
}

/// A collaborative text field of a deal, for character-level edits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum TextField {
    /// The deal's needs and pain points.
    Needs,
    /// The expected business value.
    BusinessValue,
    /// The account's background notes.
    AccountBackground,
    /// What was discussed in a follow-up.
    FollowUpSummary {
        /// The follow-up's id.
        record: String,
    },
    /// The customer's feedback in a follow-up.
    FollowUpFeedback {
        /// The follow-up's id.
        record: String,
    },
    /// The text of a comment.
    CommentText {
        /// The comment's id.
        record: String,
    },
}

impl FromJs for domain::TextField {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        let record = || -> JsResult<domain::RecordId> { Ok(id(fields.text("record")?)?) };
        Ok(match fields.text("field")?.as_str() {
            "needs" => domain::TextField::Needs,
            "business_value" => domain::TextField::BusinessValue,
            "account_background" => domain::TextField::AccountBackground,
            "follow_up_summary" => domain::TextField::FollowUpSummary(record()?),
            "follow_up_feedback" => domain::TextField::FollowUpFeedback(record()?),
            "comment_text" => domain::TextField::CommentText(record()?),
            _ => {
                return Err(Failure::Input(format!(
                    "{what}.field must be one of \"needs\" \"business_value\" \"account_background\" \"follow_up_summary\" \"follow_up_feedback\" \"comment_text\""
                )));
            }
        })
    }
}

/// One change of a document: who made it, when, and what it was.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ChangeRecord {
    /// The change's hash (hex).
    pub hash: String,
    /// The replica that made it (hex actor id).
    pub actor: String,
    /// The user, from the change message (absent for changes made by other tools).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// When, to the second.
    #[tsify(type = "Millis")]
    pub at: i64,
    /// What the edit was, e.g. `set title` or `move to stage demo`.
    pub summary: String,
}

impl From<domain::ChangeRecord> for ChangeRecord {
    fn from(record: domain::ChangeRecord) -> Self {
        ChangeRecord {
            hash: record.hash.to_string(),
            actor: record.actor.to_hex_string(),
            by: record.by.map(String::from),
            at: record.at.millis(),
            summary: record.summary,
        }
    }
}

/// A value in a field-level difference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum FieldValue {
    /// A string, text, or a list of strings joined with `, `.
    Text(String),
    /// An integer (quantities, basis points, counters).
    Integer(i64),
    /// A flag.
    Boolean(bool),
    /// An instant.
    Timestamp(#[tsify(type = "Millis")] i64),
    /// An amount.
    Money(Money),
    /// Anything else, described.
    Other(String),
}

impl From<domain::FieldValue> for FieldValue {
    fn from(value: domain::FieldValue) -> Self {
        match value {
            domain::FieldValue::Text(text) => FieldValue::Text(text),
            domain::FieldValue::Integer(integer) => FieldValue::Integer(integer),
            domain::FieldValue::Boolean(flag) => FieldValue::Boolean(flag),
            domain::FieldValue::Timestamp(at) => FieldValue::Timestamp(at.millis()),
            domain::FieldValue::Money(money) => FieldValue::Money(money.into()),
            domain::FieldValue::Other(description) => FieldValue::Other(description),
            other => FieldValue::Other(format!("{other:?}")),
        }
    }
}

/// A field whose value differs between two points in time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    /// The field, as a JSON Pointer into the document.
    pub path: String,
    /// The field's name in both languages.
    pub label: LocalizedText,
    /// The value at the start (absent when the field did not exist).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<FieldValue>,
    /// The value at the end (absent when removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<FieldValue>,
    /// Who made the last change to the field in the interval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// When that change was made.
    #[tsify(type = "Millis")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<i64>,
}

impl From<domain::FieldChange> for FieldChange {
    fn from(change: domain::FieldChange) -> Self {
        FieldChange {
            path: change.path,
            label: change.label.into(),
            before: change.before.map(FieldValue::from),
            after: change.after.map(FieldValue::from),
            by: change.by.map(String::from),
            at: change.at.map(domain::Timestamp::millis),
        }
    }
}
