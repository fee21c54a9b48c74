//! Errors of lead records, conversion and CSV import.

use crate::error::ErrorCode;
use crate::i18n::{Locale, Localized};
use crate::id::{IdError, LeadId, PipelineId};
use crate::lead::column::LeadField;
use crate::pipeline::PipelineError;

/// Errors of lead changes and conversion.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LeadError {
    /// The lead is converted or invalid.
    #[error("lead {lead} is already converted or invalid: reopen it or create a new lead")]
    Closed {
        /// The lead.
        lead: LeadId,
    },
    /// The lead has no owner, so nobody can follow it up or own the deal.
    #[error("lead {lead} has no owner: assign or claim it first")]
    NotOwned {
        /// The lead.
        lead: LeadId,
    },
    /// An "other" reason without an explanation.
    #[error("the reason \"other\" needs a note: say why")]
    EmptyNote,
    /// The conversion names a stage the pipeline does not have, or the pipeline has none.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// The pipeline has no stages to put the new deal in.
    #[error("pipeline {pipeline} has no stages: add one before converting leads into it")]
    EmptyPipeline {
        /// The pipeline.
        pipeline: PipelineId,
    },
    /// The deal title is empty or longer than 200 characters.
    #[error("deal title must be 1-200 characters: give a short title")]
    InvalidTitle,
}

impl LeadError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            LeadError::Closed { .. } => ErrorCode::LeadClosed,
            LeadError::NotOwned { .. } => ErrorCode::LeadNotOwned,
            LeadError::EmptyNote | LeadError::InvalidTitle => ErrorCode::InvalidLeadInput,
            LeadError::Pipeline(error) => error.code(),
            LeadError::EmptyPipeline { .. } => ErrorCode::InvalidPipeline,
        }
    }
}

impl Localized for LeadError {
    fn localized(&self, locale: Locale) -> String {
        match (locale, self) {
            (_, LeadError::Pipeline(error)) => error.localized(locale),
            (Locale::En, _) => self.to_string(),
            (Locale::ZhCn, LeadError::Closed { lead }) => {
                format!("线索 {lead} 已转化或已标记无效：请重新打开或新建线索")
            }
            (Locale::ZhCn, LeadError::NotOwned { lead }) => {
                format!("线索 {lead} 没有负责人：请先分配或领取")
            }
            (Locale::ZhCn, LeadError::EmptyNote) => "原因为“其他”时须填写说明".to_owned(),
            (Locale::ZhCn, LeadError::EmptyPipeline { pipeline }) => {
                format!("销售流程 {pipeline} 没有阶段：请先添加阶段再转化线索")
            }
            (Locale::ZhCn, LeadError::InvalidTitle) => {
                "商机名称须为 1–200 个字符：请填写简短名称".to_owned()
            }
        }
    }
}

/// Errors that stop a whole CSV import. Problems with single rows are not errors: they are
/// listed in the [`crate::ImportReport`] while the other rows are imported.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The bytes are neither UTF-8 (with or without BOM), UTF-16 with BOM, nor GB18030/GBK.
    #[error("the file is not UTF-8, UTF-16 or GBK/GB18030 text: save it as CSV (UTF-8) and retry")]
    Undecodable,
    /// The file has no header row.
    #[error("the file is empty: the first row must name the columns")]
    Empty,
    /// Required columns are missing from the header.
    #[error(
        "missing required columns {}: add them to the header row",
        field_list(missing, Locale::En)
    )]
    MissingColumns {
        /// The missing fields.
        missing: Vec<LeadField>,
    },
    /// Neither a phone nor an email column.
    #[error("no phone or email column: add at least one so leads can be contacted")]
    NoContactColumn,
    /// Two header cells name the same field.
    #[error(
        "columns {first:?} and {second:?} both map to {}: rename or remove one",
        field.localized(Locale::En)
    )]
    DuplicateColumn {
        /// The field.
        field: LeadField,
        /// The first header naming it.
        first: String,
        /// The second.
        second: String,
    },
    /// More rows than the import accepts at once.
    #[error("the file has more than {limit} rows: split it into smaller files")]
    TooManyRows {
        /// The limit.
        limit: usize,
    },
    /// The id prefix cannot form valid lead ids.
    #[error("invalid lead id prefix: {0}")]
    IdPrefix(#[from] IdError),
    /// The header row cannot be parsed.
    #[error("the header row cannot be read ({message}): check the file is a CSV")]
    Malformed {
        /// The parser's message.
        message: String,
    },
}

impl ImportError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            ImportError::IdPrefix(error) => error.code(),
            ImportError::TooManyRows { .. } => ErrorCode::ImportTooLarge,
            ImportError::Undecodable
            | ImportError::Empty
            | ImportError::MissingColumns { .. }
            | ImportError::NoContactColumn
            | ImportError::DuplicateColumn { .. }
            | ImportError::Malformed { .. } => ErrorCode::InvalidImportFile,
        }
    }
}

impl Localized for ImportError {
    fn localized(&self, locale: Locale) -> String {
        match (locale, self) {
            (_, ImportError::IdPrefix(error)) => error.localized(locale),
            (Locale::En, _) => self.to_string(),
            (Locale::ZhCn, ImportError::Undecodable) => {
                "文件不是 UTF-8、UTF-16 或 GBK/GB18030 文本：请另存为 CSV（UTF-8）后重试".to_owned()
            }
            (Locale::ZhCn, ImportError::Empty) => "文件为空：第一行须为列名".to_owned(),
            (Locale::ZhCn, ImportError::MissingColumns { missing }) => {
                format!(
                    "缺少必填列：{}；请在表头中添加",
                    field_list(missing, Locale::ZhCn)
                )
            }
            (Locale::ZhCn, ImportError::NoContactColumn) => {
                "缺少电话或邮箱列：请至少提供一列联系方式".to_owned()
            }
            (
                Locale::ZhCn,
                ImportError::DuplicateColumn {
                    field,
                    first,
                    second,
                },
            ) => format!(
                "列“{first}”和“{second}”都对应字段“{}”：请重命名或删除其中一列",
                field.localized(Locale::ZhCn)
            ),
            (Locale::ZhCn, ImportError::TooManyRows { limit }) => {
                format!("文件超过 {limit} 行：请拆分成较小的文件")
            }
            (Locale::ZhCn, ImportError::Malformed { message }) => {
                format!("无法读取表头（{message}）：请确认文件为 CSV 格式")
            }
        }
    }
}

/// Field labels joined for a message: "联系人、公司名称" or "Contact name, Company".
fn field_list(fields: &[LeadField], locale: Locale) -> String {
    let separator = match locale {
        Locale::ZhCn => "、",
        Locale::En => ", ",
    };
    fields
        .iter()
        .map(|field| field.localized(locale))
        .collect::<Vec<_>>()
        .join(separator)
}
