//! Errors of Automerge documents, and the problems a tolerant read reports.

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::i18n::{Locale, Localized, LocalizedText};

/// Errors of loading, reading, editing and syncing documents.
///
/// Bytes from storage or peers never panic: they give [`DocError::Corrupt`]. A field of the
/// wrong type inside a valid document is not an error at all but a [`ValidationProblem`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DocError {
    /// Bytes could not be decoded as an Automerge document, changes or sync message.
    #[error("the {what} could not be decoded ({reason}): fetch it again from storage or the peer")]
    Corrupt {
        /// What was being decoded: "document", "changes" or "sync message".
        what: &'static str,
        /// Automerge's explanation.
        reason: String,
    },
    /// The document holds another kind of data (its `type` field).
    #[error(
        "the document is a {found} document, not a {expected} document: open it with the matching type"
    )]
    WrongType {
        /// The expected `type`.
        expected: &'static str,
        /// The `type` found (`missing` when absent).
        found: String,
    },
    /// The document lacks a valid identifier, so it cannot be read as a record.
    #[error("the document has no valid {field} ({reason}): it was not created by dealflow")]
    MissingIdentity {
        /// The identifying field, e.g. `id`.
        field: &'static str,
        /// Why it is unusable.
        reason: String,
    },
    /// An edit referred to a record the document does not hold.
    #[error("there is no {collection} record {id}: reload the deal and pick an existing record")]
    UnknownRecord {
        /// The collection, e.g. `followUps`.
        collection: &'static str,
        /// The record id.
        id: String,
    },
    /// An edit tried to rewrite the stage history, which only stage moves may append to.
    #[error(
        "stage history can only grow through stage moves: use move_stage instead of editing it"
    )]
    HistoryEdited,
    /// A text splice fell outside the text.
    #[error(
        "the text edit at {position} (deleting {delete}) is outside the text of {length} characters: reload the text and retry"
    )]
    TextRange {
        /// Splice position.
        position: usize,
        /// Characters to delete.
        delete: usize,
        /// Length of the text.
        length: usize,
    },
    /// Automerge refused a write; this is a bug in the schema code, not in the caller's input.
    #[error("the document rejected the write ({reason}): report this as a bug")]
    WriteFailed {
        /// Automerge's explanation.
        reason: String,
    },
}

impl DocError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            DocError::Corrupt { .. } => ErrorCode::CorruptDocument,
            DocError::WrongType { .. } => ErrorCode::WrongDocumentType,
            DocError::MissingIdentity { .. } => ErrorCode::InvalidDocument,
            DocError::UnknownRecord { .. } => ErrorCode::UnknownRecord,
            DocError::HistoryEdited => ErrorCode::HistoryEditNotAllowed,
            DocError::TextRange { .. } => ErrorCode::TextRangeOutOfBounds,
            DocError::WriteFailed { .. } => ErrorCode::DocumentWriteFailed,
        }
    }

    pub(crate) fn write(error: &automerge::AutomergeError) -> Self {
        DocError::WriteFailed {
            reason: error.to_string(),
        }
    }

    pub(crate) fn corrupt(what: &'static str, error: &automerge::AutomergeError) -> Self {
        DocError::Corrupt {
            what,
            reason: error.to_string(),
        }
    }
}

impl Localized for DocError {
    fn localized(&self, locale: Locale) -> String {
        match (locale, self) {
            (Locale::En, _) => self.to_string(),
            (Locale::ZhCn, DocError::Corrupt { what, reason }) => {
                let what = match *what {
                    "document" => "文档",
                    "changes" => "变更数据",
                    "sync message" => "同步消息",
                    other => other,
                };
                format!("{what}无法解码（{reason}）：请从存储或对端重新获取")
            }
            (Locale::ZhCn, DocError::WrongType { expected, found }) => {
                format!("该文档类型为 {found}，而非 {expected}：请用对应的类型打开")
            }
            (Locale::ZhCn, DocError::MissingIdentity { field, reason }) => {
                format!("文档缺少有效的 {field}（{reason}）：它不是由本系统创建的")
            }
            (Locale::ZhCn, DocError::UnknownRecord { collection, id }) => {
                format!("{collection} 中没有记录 {id}：请刷新商机后选择已有记录")
            }
            (Locale::ZhCn, DocError::HistoryEdited) => {
                "阶段历史只能通过阶段推进追加：请使用 move_stage，不要直接修改".to_owned()
            }
            (
                Locale::ZhCn,
                DocError::TextRange {
                    position,
                    delete,
                    length,
                },
            ) => format!(
                "在位置 {position} 删除 {delete} 个字符超出了文本长度 {length}：请刷新文本后重试"
            ),
            (Locale::ZhCn, DocError::WriteFailed { reason }) => {
                format!("文档拒绝了写入（{reason}）：这是程序缺陷，请报告")
            }
        }
    }
}

/// A field that a tolerant read could not use: it had the wrong type or an invalid value
/// (e.g. written by an older or buggy client and merged in). The field falls back to its
/// default or to absent, and the rest of the document still reads.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ValidationProblem {
    /// Where, as a JSON Pointer into the document (`/contacts/c-1/role`).
    pub path: String,
    /// What the schema expects there, e.g. `text` or `one of call, visit, …`.
    pub expected: String,
    /// What was found, e.g. `int 42` or `missing`.
    pub found: String,
    /// The problem in both languages, including what was used instead.
    pub message: LocalizedText,
}

impl ValidationProblem {
    pub(crate) fn new(path: String, expected: &str, found: String, fallback: Fallback) -> Self {
        let (fallback_zh, fallback_en) = match fallback {
            Fallback::Default => ("已使用默认值", "the default is used"),
            Fallback::Skipped => ("已跳过该记录", "the record is skipped"),
            Fallback::Kept => ("按原值读取", "the value is read as is"),
        };
        let message = LocalizedText::new(
            format!("字段 {path} 应为 {expected}，实际为 {found}；{fallback_zh}"),
            format!("field {path} should be {expected} but is {found}; {fallback_en}"),
        );
        ValidationProblem {
            path,
            expected: expected.to_owned(),
            found,
            message,
        }
    }
}

/// What a tolerant read did with a field it could not use.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Fallback {
    /// The field's default (or absent) is used.
    Default,
    /// The whole record is left out of the result (but kept in the document).
    Skipped,
    /// The value is read anyway (e.g. a document from a newer schema version).
    Kept,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_message_names_path_and_fallback() {
        let problem =
            ValidationProblem::new("/title".into(), "text", "int 42".into(), Fallback::Default);
        assert_eq!(
            problem.message.en,
            "field /title should be text but is int 42; the default is used"
        );
        assert!(problem.message.zh_cn.contains("已使用默认值"));
    }

    #[test]
    fn every_error_has_a_chinese_message() {
        let errors = [
            DocError::Corrupt {
                what: "document",
                reason: "bad header".into(),
            },
            DocError::WrongType {
                expected: "deal",
                found: "pipeline".into(),
            },
            DocError::HistoryEdited,
            DocError::TextRange {
                position: 9,
                delete: 1,
                length: 3,
            },
        ];
        for error in errors {
            let zh = error.localized(Locale::ZhCn);
            assert_ne!(zh, error.to_string());
            assert!(!error.to_string().ends_with('.'));
        }
    }
}
