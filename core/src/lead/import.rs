//! CSV import of leads, the way marketing hands over trade-show lists.
//!
//! The bytes may be UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030 (what Excel
//! writes on Chinese Windows). Columns are found by header name in zh-CN or en. Every row is
//! validated on its own: valid rows are imported, the others are listed with every reason, and
//! blank rows are counted, so no row disappears silently.

use std::borrow::Cow;
use std::collections::HashMap;

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE};
use serde::{Deserialize, Serialize};

use crate::id::{ChannelId, LeadId};
use crate::lead::column::LeadField;
use crate::lead::duplicate::{DuplicateIndex, DuplicateKeys, DuplicateMatch, RecordRef};
use crate::lead::error::ImportError;
use crate::lead::normalize::{normalize_company, normalize_email, normalize_phone};
use crate::lead::record::{Lead, LeadDraft};
use crate::lead::report::{
    ColumnMapping, ImportReport, ImportedLead, RejectedRow, RowProblem, SourceEncoding,
};
use crate::lead::source::{ChannelResolver, SourceChannels};
use crate::timestamp::Timestamp;

/// What to do with a row that matches an existing record or an earlier row.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicatePolicy {
    /// Reject the row and report whom it collides with.
    #[default]
    Reject,
    /// Import it anyway, listing the matches on the imported lead so a manager can decide.
    ImportAndFlag,
}

/// How to read the bytes.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EncodingChoice {
    /// A byte-order mark decides; without one, UTF-8 if the bytes are valid UTF-8, else GB18030.
    #[default]
    Auto,
    /// UTF-8 (a BOM is skipped).
    Utf8,
    /// GB18030 / GBK.
    Gb18030,
}

/// Import settings.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ImportOptions {
    /// New leads get ids `"{id_prefix}-{line}"`; pass something unique per import, e.g. the
    /// upload's id, since core draws no random ids.
    pub id_prefix: String,
    /// The organisation's source channels.
    pub channels: SourceChannels,
    /// The source of rows without a source cell.
    pub default_source: ChannelId,
    /// The campaign of rows without a campaign cell, e.g. the trade show's name.
    #[serde(default)]
    pub default_campaign: Option<String>,
    /// How to decode the bytes.
    #[serde(default)]
    pub encoding: EncodingChoice,
    /// What to do with duplicates.
    #[serde(default)]
    pub on_duplicate: DuplicatePolicy,
    /// At most this many matches are listed per row.
    #[serde(default = "default_max_matches")]
    pub max_matches_per_row: usize,
    /// Files with more data rows fail as a whole ([`ImportError::TooManyRows`]).
    #[serde(default = "default_max_rows")]
    pub max_rows: usize,
}

fn default_max_matches() -> usize {
    5
}

fn default_max_rows() -> usize {
    200_000
}

impl ImportOptions {
    /// Options with the standard channels, duplicates rejected and automatic encoding.
    pub fn new(id_prefix: impl Into<String>, default_source: ChannelId) -> Self {
        ImportOptions {
            id_prefix: id_prefix.into(),
            channels: SourceChannels::standard(),
            default_source,
            default_campaign: None,
            encoding: EncodingChoice::Auto,
            on_duplicate: DuplicatePolicy::Reject,
            max_matches_per_row: default_max_matches(),
            max_rows: default_max_rows(),
        }
    }
}

/// Imports leads from CSV `bytes`, checking each row against `existing` records (by normalised
/// phone, email and company) and against earlier rows of the same file. New leads are
/// unassigned and unprocessed, created at `now`.
///
/// ```
/// use dealflow_core::{
///     import_leads, AccountId, ChannelId, DuplicateIndex, DuplicateKeys, ImportOptions, Locale,
///     Localized, RecordRef, Timestamp, UserId,
/// };
/// let csv = "联系人,公司名称,手机,邮箱,来源\n\
///            张伟,上海示例科技有限公司,13800138000,zhang@example.cn,展会\n\
///            李娜,北京样本数据有限公司,1380013,,展会\n\
///            王芳,杭州测试网络有限公司,13900139000,wang@@example.cn,\n\
///            赵磊,Acme Co.，Ltd.,+86 137 0013 7000,,官网\n";
/// let mut existing = DuplicateIndex::new();
/// existing.insert(
///     RecordRef::Account(AccountId::new("acc-7")?),
///     &DuplicateKeys::from_fields("ACME", None, None),
///     Some(UserId::new("chen")?),
/// );
/// let options = ImportOptions::new("expo-2026", ChannelId::new("trade_show")?);
/// let report = import_leads(csv.as_bytes(), &options, &existing, Timestamp::from_millis(0))?;
///
/// assert_eq!(report.imported.len(), 1);
/// let reasons: Vec<(u64, String)> = report
///     .rejected
///     .iter()
///     .map(|row| (row.row, row.problems[0].localized(Locale::ZhCn)))
///     .collect();
/// assert_eq!(reasons[0], (3, "电话“1380013”无效：请填写 11 位手机号、带区号的座机或 +国家码 的号码".to_owned()));
/// assert_eq!(reasons[1], (4, "邮箱“wang@@example.cn”格式不正确".to_owned()));
/// assert_eq!(reasons[2], (5, "与已有客户 acc-7 撞单（公司名称相同），负责人：chen".to_owned()));
/// assert_eq!(
///     report.summary().localized(Locale::En),
///     "4 rows: 1 imported (0 flagged as possible duplicates), 3 rejected, 0 blank"
/// );
/// # Ok::<(), dealflow_core::Error>(())
/// ```
pub fn import_leads(
    bytes: &[u8],
    options: &ImportOptions,
    existing: &DuplicateIndex,
    now: Timestamp,
) -> Result<ImportReport, ImportError> {
    check_prefix(options)?;
    let detected = detect_encoding(bytes, options.encoding);
    let text = decode(bytes, detected)?;
    import_leads_text(&text, detected.encoding, options, existing, now)
}

/// What [`detect_encoding`] found.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DetectedEncoding {
    /// The encoding.
    pub encoding: SourceEncoding,
    /// Length of the byte-order mark to skip before decoding.
    pub bom_len: usize,
}

/// How [`import_leads`] reads `bytes`: a byte-order mark decides; without one, valid UTF-8 is
/// UTF-8 and anything else GB18030 (unless `choice` forces one).
///
/// ```
/// use dealflow_core::{detect_encoding, EncodingChoice, SourceEncoding};
/// let detected = detect_encoding(b"\xEF\xBB\xBFname", EncodingChoice::Auto);
/// assert_eq!((detected.encoding, detected.bom_len), (SourceEncoding::Utf8WithBom, 3));
/// let gbk = detect_encoding(b"\xD0\xD5\xC3\xFB", EncodingChoice::Auto); // 姓名 in GBK
/// assert_eq!(gbk.encoding.whatwg_label(), "gb18030");
/// ```
pub fn detect_encoding(bytes: &[u8], choice: EncodingChoice) -> DetectedEncoding {
    let found = |encoding, bom_len| DetectedEncoding { encoding, bom_len };
    if choice == EncodingChoice::Gb18030 {
        return found(SourceEncoding::Gb18030, 0);
    }
    match bytes {
        [0xEF, 0xBB, 0xBF, ..] => found(SourceEncoding::Utf8WithBom, 3),
        [0xFF, 0xFE, ..] => found(SourceEncoding::Utf16Le, 2),
        [0xFE, 0xFF, ..] => found(SourceEncoding::Utf16Be, 2),
        _ if choice == EncodingChoice::Utf8 || std::str::from_utf8(bytes).is_ok() => {
            found(SourceEncoding::Utf8, 0)
        }
        _ => found(SourceEncoding::Gb18030, 0),
    }
}

/// [`import_leads`] for text that is already decoded; `encoding` is only recorded in the report.
///
/// The browser can decode with its own `TextDecoder(detected.encoding.whatwg_label(),
/// { fatal: true })` after [`detect_encoding`] and call this, which keeps the GB18030 and other
/// decoding tables (about 120 KB gzipped) out of the wasm module.
pub fn import_leads_text(
    text: &str,
    encoding: SourceEncoding,
    options: &ImportOptions,
    existing: &DuplicateIndex,
    now: Timestamp,
) -> Result<ImportReport, ImportError> {
    check_prefix(options)?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    // The CSV reader counts a CRLF row's line only once it reads the next row, which would put
    // every reported row number one too low; Excel writes CRLF, so use LF throughout.
    let text: Cow<'_, str> = if text.contains("\r\n") {
        Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(text)
    };
    let delimiter = detect_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());

    let mut header = csv::StringRecord::new();
    match reader.read_record(&mut header) {
        Ok(true) => {}
        Ok(false) => return Err(ImportError::Empty),
        Err(error) => {
            return Err(ImportError::Malformed {
                message: error.to_string(),
            });
        }
    }
    if header.iter().all(|cell| cell.trim().is_empty()) {
        return Err(ImportError::Empty);
    }
    let columns = map_columns(&header)?;

    // Sizing the batch index up front saves rehashing every key as it grows; quoted line breaks
    // only make the estimate generous.
    let estimated_rows = text.matches('\n').count().min(options.max_rows);
    let mut positions = [None; LeadField::ALL.len()];
    for column in &columns {
        if let Some(field) = column.field
            && let Some(slot) = positions.get_mut(field as usize)
        {
            *slot = Some(column.index);
        }
    }
    let mut row_import = RowImport {
        options,
        channels: options.channels.resolver(),
        existing,
        header_len: columns.len(),
        positions,
        batch: DuplicateIndex::with_capacity(estimated_rows),
        batch_rows: HashMap::with_capacity(estimated_rows),
        now,
    };
    let mut report = ImportReport {
        encoding,
        delimiter: char::from(delimiter),
        columns,
        imported: Vec::new(),
        rejected: Vec::new(),
        blank_rows: Vec::new(),
    };
    let mut record = csv::StringRecord::new();
    let mut data_rows = 0_usize;
    loop {
        let read = reader.read_record(&mut record);
        let row = match &read {
            Ok(_) => record.position().map_or(0, csv::Position::line),
            Err(error) => error.position().map_or(0, csv::Position::line),
        };
        match read {
            Ok(false) => break,
            Ok(true) if record.iter().all(|cell| cell.trim().is_empty()) => {
                report.blank_rows.push(row);
                continue;
            }
            _ => {}
        }
        data_rows += 1;
        if data_rows > options.max_rows {
            return Err(ImportError::TooManyRows {
                limit: options.max_rows,
            });
        }
        match read {
            Ok(_) => match row_import.import_row(&record, row) {
                Ok(imported) => report.imported.push(imported),
                Err(problems) => report.rejected.push(RejectedRow { row, problems }),
            },
            Err(error) => report.rejected.push(RejectedRow {
                row,
                problems: vec![RowProblem::Unreadable {
                    message: error.to_string(),
                }],
            }),
        }
    }
    Ok(report)
}

/// Fails early, before any work, if the prefix cannot make lead ids.
fn check_prefix(options: &ImportOptions) -> Result<(), ImportError> {
    LeadId::new(format!("{}-{}", options.id_prefix, u64::MAX))?;
    Ok(())
}

/// `bytes` decoded as detected, failing on malformed sequences instead of replacing them.
fn decode(bytes: &[u8], detected: DetectedEncoding) -> Result<Cow<'_, str>, ImportError> {
    let body = bytes.get(detected.bom_len..).unwrap_or_default();
    let with = |encoding: &'static Encoding| {
        encoding
            .decode_without_bom_handling_and_without_replacement(body)
            .ok_or(ImportError::Undecodable)
    };
    match detected.encoding {
        SourceEncoding::Utf8 | SourceEncoding::Utf8WithBom => std::str::from_utf8(body)
            .map(Cow::Borrowed)
            .map_err(|_| ImportError::Undecodable),
        SourceEncoding::Utf16Le => with(UTF_16LE),
        SourceEncoding::Utf16Be => with(UTF_16BE),
        SourceEncoding::Gb18030 => with(GB18030),
    }
}

/// The most frequent of comma, tab and semicolon in the header line; comma on a tie.
fn detect_delimiter(text: &str) -> u8 {
    let first_line = text.lines().next().unwrap_or_default();
    let count = |separator: char| first_line.matches(separator).count();
    let (commas, tabs, semicolons) = (count(','), count('\t'), count(';'));
    if tabs > commas && tabs >= semicolons {
        b'\t'
    } else if semicolons > commas && semicolons > tabs {
        b';'
    } else {
        b','
    }
}

fn map_columns(header: &csv::StringRecord) -> Result<Vec<ColumnMapping>, ImportError> {
    let mut columns: Vec<ColumnMapping> = Vec::with_capacity(header.len());
    for (index, cell) in header.iter().enumerate() {
        let field = LeadField::from_header(cell);
        if let Some(field) = field
            && let Some(first) = columns.iter().find(|column| column.field == Some(field))
        {
            return Err(ImportError::DuplicateColumn {
                field,
                first: first.header.clone(),
                second: cell.to_owned(),
            });
        }
        columns.push(ColumnMapping {
            index,
            header: cell.trim().to_owned(),
            field,
        });
    }
    let has = |field| columns.iter().any(|column| column.field == Some(field));
    let missing: Vec<LeadField> = [LeadField::ContactName, LeadField::Company]
        .into_iter()
        .filter(|field| !has(*field))
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::MissingColumns { missing });
    }
    if !has(LeadField::Phone) && !has(LeadField::Email) {
        return Err(ImportError::NoContactColumn);
    }
    Ok(columns)
}

/// The per-row part of an import: validation, duplicate checks, and the batch seen so far.
struct RowImport<'a> {
    options: &'a ImportOptions,
    channels: ChannelResolver<'a>,
    existing: &'a DuplicateIndex,
    header_len: usize,
    /// Column index of each field, indexed by `LeadField as usize`.
    positions: [Option<usize>; LeadField::ALL.len()],
    batch: DuplicateIndex,
    batch_rows: HashMap<LeadId, u64>,
    now: Timestamp,
}

impl RowImport<'_> {
    fn import_row(
        &mut self,
        record: &csv::StringRecord,
        row: u64,
    ) -> Result<ImportedLead, Vec<RowProblem>> {
        let mut problems = Vec::new();
        let cell = |field: LeadField| -> &str {
            self.positions
                .get(field as usize)
                .copied()
                .flatten()
                .and_then(|index| record.get(index))
                .map_or("", str::trim)
        };
        let optional = |value: &str| (!value.is_empty()).then(|| value.to_owned());

        for field in LeadField::ALL {
            if cell(field).chars().count() > field.max_chars() {
                problems.push(RowProblem::TooLong {
                    field,
                    max_chars: field.max_chars(),
                });
            }
        }
        for field in [LeadField::ContactName, LeadField::Company] {
            if cell(field).is_empty() {
                problems.push(RowProblem::MissingRequired { field });
            }
        }
        let phone = match cell(LeadField::Phone) {
            "" => None,
            raw => normalize_phone(raw).or_else(|| {
                problems.push(RowProblem::InvalidPhone {
                    value: raw.to_owned(),
                });
                None
            }),
        };
        let email = match cell(LeadField::Email) {
            "" => None,
            raw => normalize_email(raw).or_else(|| {
                problems.push(RowProblem::InvalidEmail {
                    value: raw.to_owned(),
                });
                None
            }),
        };
        if cell(LeadField::Phone).is_empty() && cell(LeadField::Email).is_empty() {
            problems.push(RowProblem::NoContactMethod);
        }
        let source = match cell(LeadField::Source) {
            "" => Some(self.options.default_source.clone()),
            raw => self.channels.resolve(raw).cloned().or_else(|| {
                problems.push(RowProblem::UnknownSource {
                    value: raw.to_owned(),
                });
                None
            }),
        };
        let extra = record
            .iter()
            .skip(self.header_len)
            .filter(|cell| !cell.trim().is_empty())
            .count();
        if extra > 0 {
            problems.push(RowProblem::ExtraCells {
                expected: self.header_len,
                found: record.len(),
            });
        }
        let (Some(source), true) = (source, problems.is_empty()) else {
            return Err(problems);
        };

        let keys = DuplicateKeys {
            phone: phone.clone(),
            email: email.clone(),
            company: normalize_company(cell(LeadField::Company)),
        };
        let limit = self.options.max_matches_per_row;
        let mut duplicates: Vec<DuplicateMatch> = self.existing.find(&keys);
        duplicates.truncate(limit);
        let in_file = self.batch.find(&keys);
        if self.options.on_duplicate == DuplicatePolicy::Reject {
            for found in duplicates {
                problems.push(RowProblem::DuplicateOfExisting {
                    record: found.record,
                    owner: found.owner,
                    matched_on: found.matched_on,
                });
            }
            for found in in_file.into_iter().take(limit) {
                let first_row = match &found.record {
                    RecordRef::Lead(id) => self.batch_rows.get(id).copied().unwrap_or(0),
                    RecordRef::Account(_) => 0,
                };
                problems.push(RowProblem::DuplicateInFile {
                    first_row,
                    matched_on: found.matched_on,
                });
            }
            if !problems.is_empty() {
                return Err(problems);
            }
            duplicates = Vec::new();
        } else {
            duplicates.extend(in_file.into_iter().take(limit));
        }

        let id = LeadId::new(format!("{}-{row}", self.options.id_prefix)).map_err(|error| {
            vec![RowProblem::Unreadable {
                message: error.to_string(),
            }]
        })?;
        let draft = LeadDraft {
            contact_name: cell(LeadField::ContactName).to_owned(),
            company: cell(LeadField::Company).to_owned(),
            phone,
            email,
            region: optional(cell(LeadField::Region)),
            industry: optional(cell(LeadField::Industry)),
            product_interest: optional(cell(LeadField::ProductInterest)),
            campaign: optional(cell(LeadField::Campaign))
                .or_else(|| self.options.default_campaign.clone()),
            notes: cell(LeadField::Notes).to_owned(),
        };
        let lead = Lead::new(id.clone(), draft, source, self.now);
        self.batch.insert(RecordRef::Lead(id.clone()), &keys, None);
        self.batch_rows.insert(id, row);
        Ok(ImportedLead {
            row,
            lead,
            duplicates,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> ImportOptions {
        ImportOptions::new("t", ChannelId::new("web_form").unwrap())
    }

    #[test]
    fn detects_delimiters() {
        assert_eq!(detect_delimiter("a\tb\tc\nx,y"), b'\t');
        assert_eq!(detect_delimiter("a;b;c"), b';');
        assert_eq!(detect_delimiter("a,b;c"), b',');
        assert_eq!(detect_delimiter(""), b',');
    }

    #[test]
    fn decodes_boms_and_gbk() {
        let auto = |bytes: &[u8]| {
            let detected = detect_encoding(bytes, EncodingChoice::Auto);
            decode(bytes, detected).map(|text| (text.into_owned(), detected.encoding))
        };
        assert_eq!(
            auto(b"\xEF\xBB\xBFabc"),
            Ok(("abc".to_owned(), SourceEncoding::Utf8WithBom))
        );
        let (gbk, _, _) = GB18030.encode("联系人");
        assert_eq!(
            auto(&gbk),
            Ok(("联系人".to_owned(), SourceEncoding::Gb18030))
        );
        let utf16 = [0xFF, 0xFE, b'a', 0, b'b', 0];
        assert_eq!(auto(&utf16), Ok(("ab".to_owned(), SourceEncoding::Utf16Le)));
        assert_eq!(auto(b"\x81"), Err(ImportError::Undecodable));
        let forced_utf8 = detect_encoding(&gbk, EncodingChoice::Utf8);
        assert_eq!(decode(&gbk, forced_utf8), Err(ImportError::Undecodable));
    }

    #[test]
    fn header_errors() {
        let existing = DuplicateIndex::new();
        let now = Timestamp::from_millis(0);
        let import = |csv: &str| import_leads(csv.as_bytes(), &options(), &existing, now);
        assert_eq!(import("").err(), Some(ImportError::Empty));
        assert_eq!(
            import("姓名,电话\n").err(),
            Some(ImportError::MissingColumns {
                missing: vec![LeadField::Company]
            })
        );
        assert_eq!(
            import("name,company\n").err(),
            Some(ImportError::NoContactColumn)
        );
        assert!(matches!(
            import("name,company,phone,手机\n").err(),
            Some(ImportError::DuplicateColumn {
                field: LeadField::Phone,
                ..
            })
        ));
    }

    #[test]
    fn row_limit_fails_the_whole_file() {
        let mut options = options();
        options.max_rows = 1;
        let csv = "name,company,phone\na,b,13800138000\nc,d,13900139000\n";
        let result = import_leads(
            csv.as_bytes(),
            &options,
            &DuplicateIndex::new(),
            Timestamp::from_millis(0),
        );
        assert_eq!(result.err(), Some(ImportError::TooManyRows { limit: 1 }));
    }
}
