//! The outcome of a CSV import: what was imported, which rows failed and why.

use serde::{Deserialize, Serialize};

use crate::i18n::{Locale, Localized};
use crate::id::UserId;
use crate::lead::column::LeadField;
use crate::lead::duplicate::{DuplicateMatch, MatchField, RecordRef};
use crate::lead::record::Lead;

/// How the file's bytes were decoded.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceEncoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark (as Excel's "CSV UTF-8" writes).
    Utf8WithBom,
    /// UTF-16 little-endian with a byte-order mark.
    Utf16Le,
    /// UTF-16 big-endian with a byte-order mark.
    Utf16Be,
    /// GB18030, which includes GBK and GB2312 (Excel's default CSV in Chinese Windows).
    Gb18030,
}

impl SourceEncoding {
    /// The WHATWG Encoding Standard label, as the browser's `TextDecoder` takes it.
    pub fn whatwg_label(self) -> &'static str {
        match self {
            SourceEncoding::Utf8 | SourceEncoding::Utf8WithBom => "utf-8",
            SourceEncoding::Utf16Le => "utf-16le",
            SourceEncoding::Utf16Be => "utf-16be",
            SourceEncoding::Gb18030 => "gb18030",
        }
    }
}

/// How one header cell was understood.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ColumnMapping {
    /// Zero-based column index.
    pub index: usize,
    /// The header as written.
    pub header: String,
    /// The field it fills, or `None` if the column is not recognised and was ignored.
    pub field: Option<LeadField>,
}

/// A row that became a lead.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ImportedLead {
    /// The line in the file where the row starts (the header is line 1).
    pub row: u64,
    /// The new lead: unassigned, unprocessed, version 0.
    pub lead: Lead,
    /// Existing records or earlier rows it matches; only non-empty when duplicates are imported
    /// with [`crate::DuplicatePolicy::ImportAndFlag`].
    pub duplicates: Vec<DuplicateMatch>,
}

/// A row that was not imported, with every reason.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct RejectedRow {
    /// The line in the file where the row starts (the header is line 1).
    pub row: u64,
    /// What is wrong with it; never empty.
    pub problems: Vec<RowProblem>,
}

/// Why a row was rejected.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "problem")]
pub enum RowProblem {
    /// A required cell is empty.
    MissingRequired {
        /// The field.
        field: LeadField,
    },
    /// Neither a phone nor an email.
    NoContactMethod,
    /// The phone is not a plausible number.
    InvalidPhone {
        /// The value as written.
        value: String,
    },
    /// The email is not a plausible address.
    InvalidEmail {
        /// The value as written.
        value: String,
    },
    /// The source names no configured channel.
    UnknownSource {
        /// The value as written.
        value: String,
    },
    /// A cell is longer than its field allows.
    TooLong {
        /// The field.
        field: LeadField,
        /// The limit in characters.
        max_chars: usize,
    },
    /// The row has non-empty cells beyond the header's columns.
    ExtraCells {
        /// Columns in the header.
        expected: usize,
        /// Cells in the row.
        found: usize,
    },
    /// The row repeats an earlier row of the same file.
    DuplicateInFile {
        /// The earlier row.
        first_row: u64,
        /// The fields that matched.
        matched_on: Vec<MatchField>,
    },
    /// The row matches an existing lead or account (撞单).
    DuplicateOfExisting {
        /// The existing record.
        record: RecordRef,
        /// Its owner, who should be asked first.
        owner: Option<UserId>,
        /// The fields that matched.
        matched_on: Vec<MatchField>,
    },
    /// The CSV parser could not read the row.
    Unreadable {
        /// The parser's message.
        message: String,
    },
}

impl Localized for RowProblem {
    fn localized(&self, locale: Locale) -> String {
        let zh = locale == Locale::ZhCn;
        match self {
            RowProblem::MissingRequired { field } if zh => {
                format!("缺少必填项“{}”", field.localized(locale))
            }
            RowProblem::MissingRequired { field } => {
                format!("required field \"{}\" is empty", field.localized(locale))
            }
            RowProblem::NoContactMethod if zh => "电话和邮箱至少填写一项".to_owned(),
            RowProblem::NoContactMethod => "give a phone or an email".to_owned(),
            RowProblem::InvalidPhone { value } if zh => {
                format!("电话“{value}”无效：请填写 11 位手机号、带区号的座机或 +国家码 的号码")
            }
            RowProblem::InvalidPhone { value } => format!(
                "phone \"{value}\" is invalid: use an 11-digit mobile, a landline with area code, or +country code"
            ),
            RowProblem::InvalidEmail { value } if zh => format!("邮箱“{value}”格式不正确"),
            RowProblem::InvalidEmail { value } => format!("email \"{value}\" is invalid"),
            RowProblem::UnknownSource { value } if zh => {
                format!("来源渠道“{value}”未配置：请使用已配置的渠道名称")
            }
            RowProblem::UnknownSource { value } => {
                format!("source \"{value}\" is not a configured channel: use a configured one")
            }
            RowProblem::TooLong { field, max_chars } if zh => {
                format!("“{}”超过 {max_chars} 个字符", field.localized(locale))
            }
            RowProblem::TooLong { field, max_chars } => format!(
                "\"{}\" is longer than {max_chars} characters",
                field.localized(locale)
            ),
            RowProblem::ExtraCells { expected, found } if zh => {
                format!("该行有 {found} 列，但表头只有 {expected} 列")
            }
            RowProblem::ExtraCells { expected, found } => {
                format!("the row has {found} cells but the header has {expected} columns")
            }
            RowProblem::DuplicateInFile {
                first_row,
                matched_on,
            } if zh => format!(
                "与第 {first_row} 行重复（{}相同）",
                match_list(matched_on, locale)
            ),
            RowProblem::DuplicateInFile {
                first_row,
                matched_on,
            } => format!(
                "duplicates row {first_row} (same {})",
                match_list(matched_on, locale)
            ),
            RowProblem::DuplicateOfExisting {
                record,
                owner,
                matched_on,
            } => {
                let fields = match_list(matched_on, locale);
                let (kind, id) = match record {
                    RecordRef::Lead(id) => (if zh { "线索" } else { "lead" }, id.as_str()),
                    RecordRef::Account(id) => (if zh { "客户" } else { "account" }, id.as_str()),
                };
                match (zh, owner) {
                    (true, Some(owner)) => {
                        format!("与已有{kind} {id} 撞单（{fields}相同），负责人：{owner}")
                    }
                    (true, None) => format!("与已有{kind} {id} 重复（{fields}相同），暂无负责人"),
                    (false, Some(owner)) => {
                        format!(
                            "collides with existing {kind} {id} (same {fields}), owned by {owner}"
                        )
                    }
                    (false, None) => {
                        format!("duplicates existing {kind} {id} (same {fields}), no owner yet")
                    }
                }
            }
            RowProblem::Unreadable { message } if zh => format!("无法解析该行：{message}"),
            RowProblem::Unreadable { message } => format!("the row cannot be read: {message}"),
        }
    }
}

fn match_list(fields: &[MatchField], locale: Locale) -> String {
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

/// Everything an import did. Every data row of the file is accounted for exactly once: in
/// `imported`, in `rejected`, or in `blank_rows`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ImportReport {
    /// How the bytes were decoded.
    pub encoding: SourceEncoding,
    /// The field separator found in the header (`,`, tab or `;`).
    pub delimiter: char,
    /// How each header cell was understood; unrecognised columns are listed with no field.
    pub columns: Vec<ColumnMapping>,
    /// Rows that became leads.
    pub imported: Vec<ImportedLead>,
    /// Rows that were not imported, with reasons.
    pub rejected: Vec<RejectedRow>,
    /// Rows whose cells are all empty (Excel often leaves some at the end).
    pub blank_rows: Vec<u64>,
}

impl ImportReport {
    /// Data rows read (excluding the header).
    pub fn total_rows(&self) -> usize {
        self.imported.len() + self.rejected.len() + self.blank_rows.len()
    }

    /// The header cells that were not recognised and whose contents were therefore not imported.
    pub fn ignored_columns(&self) -> impl Iterator<Item = &str> {
        self.columns
            .iter()
            .filter(|column| column.field.is_none())
            .map(|column| column.header.as_str())
    }

    /// The imported leads, in file order.
    pub fn leads(&self) -> impl Iterator<Item = &Lead> {
        self.imported.iter().map(|imported| &imported.lead)
    }

    /// A one-line summary for the user.
    pub fn summary(&self) -> ImportSummary {
        ImportSummary {
            total: self.total_rows(),
            imported: self.imported.len(),
            rejected: self.rejected.len(),
            blank: self.blank_rows.len(),
            flagged: self
                .imported
                .iter()
                .filter(|imported| !imported.duplicates.is_empty())
                .count(),
        }
    }
}

/// Counts of an import, with a bilingual one-line rendering.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ImportSummary {
    /// Data rows read.
    pub total: usize,
    /// Rows imported.
    pub imported: usize,
    /// Rows rejected.
    pub rejected: usize,
    /// Blank rows skipped.
    pub blank: usize,
    /// Imported rows flagged as possible duplicates.
    pub flagged: usize,
}

impl Localized for ImportSummary {
    fn localized(&self, locale: Locale) -> String {
        let ImportSummary {
            total,
            imported,
            rejected,
            blank,
            flagged,
        } = *self;
        match locale {
            Locale::ZhCn => format!(
                "共 {total} 行：导入 {imported} 行（其中 {flagged} 行疑似重复），失败 {rejected} 行，空行 {blank} 行"
            ),
            Locale::En => format!(
                "{total} rows: {imported} imported ({flagged} flagged as possible duplicates), {rejected} rejected, {blank} blank"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::LeadId;

    #[test]
    fn every_problem_reads_in_both_languages() {
        let problems = [
            RowProblem::MissingRequired {
                field: LeadField::Company,
            },
            RowProblem::NoContactMethod,
            RowProblem::InvalidPhone { value: "1".into() },
            RowProblem::InvalidEmail { value: "a".into() },
            RowProblem::UnknownSource { value: "x".into() },
            RowProblem::TooLong {
                field: LeadField::Notes,
                max_chars: 5,
            },
            RowProblem::ExtraCells {
                expected: 2,
                found: 3,
            },
            RowProblem::DuplicateInFile {
                first_row: 2,
                matched_on: vec![MatchField::Phone, MatchField::Email],
            },
            RowProblem::DuplicateOfExisting {
                record: RecordRef::Lead(LeadId::new("l").unwrap()),
                owner: None,
                matched_on: vec![MatchField::Company],
            },
            RowProblem::Unreadable {
                message: "m".into(),
            },
        ];
        for problem in problems {
            let text = problem.localized_text();
            assert!(!text.is_incomplete(), "{problem:?}");
            assert_ne!(text.zh_cn, text.en, "{problem:?}");
        }
    }
}
