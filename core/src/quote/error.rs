//! Errors of quotes, their approval and their sync to the deal.

use time::Date;

use super::{PolicyProblem, QuoteActionKind, QuoteStatus};
use crate::catalog::CatalogError;
use crate::error::ErrorCode;
use crate::i18n::{Locale, Localized};
use crate::id::{DealId, QuoteId, RecordId};
use crate::money::MoneyError;

/// Errors of quotes, their approval and their sync to the deal.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum QuoteError {
    /// The command was made against an older version: someone else changed the quote first.
    #[error(
        "quote {quote} changed since you loaded it (version {expected}, now {actual}): reload it and try again"
    )]
    StaleQuote {
        /// The quote.
        quote: QuoteId,
        /// The version the command named.
        expected: u64,
        /// The quote's current version.
        actual: u64,
    },
    /// The version or revision counter cannot go higher (corrupt input).
    #[error("quote {quote} has no versions left: create a new quote")]
    VersionExhausted {
        /// The quote.
        quote: QuoteId,
    },
    /// The action is not possible in the quote's status.
    #[error("cannot {} quote {quote} while it is {}", action.label().en, status.label().en)]
    InvalidTransition {
        /// The quote.
        quote: QuoteId,
        /// Its status.
        status: QuoteStatus,
        /// The action refused.
        action: QuoteActionKind,
    },
    /// The quote was sent, accepted, expired or superseded, so its content is final.
    #[error("quote {quote} is {} and can no longer change: create a new revision", status.label().en)]
    NotEditable {
        /// The quote.
        quote: QuoteId,
        /// Its status.
        status: QuoteStatus,
    },
    /// The quote has no lines.
    #[error("quote {quote} has no lines: add at least one line first")]
    EmptyQuote {
        /// The quote.
        quote: QuoteId,
    },
    /// The validity date has passed.
    #[error(
        "quote {quote} was valid until {valid_until}: set a later validity date or create a new revision"
    )]
    QuoteExpired {
        /// The quote.
        quote: QuoteId,
        /// Its last valid day.
        valid_until: Date,
    },
    /// Expiring a quote that is still valid.
    #[error("quote {quote} is valid until {valid_until}: it cannot expire before then")]
    NotYetExpired {
        /// The quote.
        quote: QuoteId,
        /// Its last valid day.
        valid_until: Date,
    },
    /// The approver's level is below what the discount needs.
    #[error(
        "quote {quote} needs an approver of level {required}, yours is {actual}: ask a manager higher up"
    )]
    InsufficientApprovalLevel {
        /// The quote.
        quote: QuoteId,
        /// The level needed.
        required: u8,
        /// The approver's level.
        actual: u8,
    },
    /// The owner tried to approve or reject their own quote.
    #[error("you own quote {quote} and cannot decide on its approval: ask your manager")]
    SelfApproval {
        /// The quote.
        quote: QuoteId,
    },
    /// A rejection without a comment.
    #[error("rejecting quote {quote} needs a comment: say what to change")]
    CommentRequired {
        /// The quote.
        quote: QuoteId,
    },
    /// No line with this id.
    #[error("quote {quote} has no line {line}")]
    UnknownLine {
        /// The quote.
        quote: QuoteId,
        /// The line asked for.
        line: RecordId,
    },
    /// A line's catalogue snapshot is for another product or quantity than the line.
    #[error("line {line} does not match its catalogue price: price it again from the catalogue")]
    InconsistentLine {
        /// The line.
        line: RecordId,
    },
    /// A negative price or amount on a line.
    #[error("line {line} has a negative price: prices are zero or more; use a discount instead")]
    NegativePrice {
        /// The line.
        line: RecordId,
    },
    /// A line's catalogue price differs from what the catalogue gives.
    #[error("the catalogue price of line {line} on quote {quote} is out of date: price it again")]
    PriceMismatch {
        /// The quote.
        quote: QuoteId,
        /// The line.
        line: RecordId,
    },
    /// The quote belongs to another deal.
    #[error("quote {quote} belongs to deal {expected}, not {actual}")]
    WrongDeal {
        /// The quote.
        quote: QuoteId,
        /// The quote's deal.
        expected: DealId,
        /// The deal given.
        actual: DealId,
    },
    /// A tax rate above 100 %.
    #[error("tax rate out of range: {basis_points} basis points is above 100% (10000)")]
    TaxRateOutOfRange {
        /// The value given.
        basis_points: u16,
    },
    /// The approval policy is invalid; every problem is listed.
    #[error("the approval policy is invalid: {}", join(problems))]
    InvalidApprovalPolicy {
        /// What is wrong.
        problems: Vec<PolicyProblem>,
    },
    /// Pricing from the catalogue failed (unknown product, bad quantity, …).
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// Money arithmetic failed (overflow, currency mismatch, discount out of range).
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl QuoteError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            QuoteError::StaleQuote { .. } | QuoteError::VersionExhausted { .. } => {
                ErrorCode::StaleQuote
            }
            QuoteError::InvalidTransition { .. } => ErrorCode::InvalidQuoteTransition,
            QuoteError::NotEditable { .. } => ErrorCode::QuoteNotEditable,
            QuoteError::EmptyQuote { .. } => ErrorCode::EmptyQuote,
            QuoteError::QuoteExpired { .. } => ErrorCode::QuoteExpired,
            QuoteError::NotYetExpired { .. } => ErrorCode::QuoteNotExpired,
            QuoteError::InsufficientApprovalLevel { .. } => ErrorCode::InsufficientApprovalLevel,
            QuoteError::SelfApproval { .. } => ErrorCode::SelfApproval,
            QuoteError::CommentRequired { .. } => ErrorCode::CommentRequired,
            QuoteError::UnknownLine { .. } => ErrorCode::UnknownQuoteLine,
            QuoteError::InconsistentLine { .. } | QuoteError::NegativePrice { .. } => {
                ErrorCode::InvalidQuoteLine
            }
            QuoteError::PriceMismatch { .. } => ErrorCode::PriceMismatch,
            QuoteError::WrongDeal { .. } => ErrorCode::WrongDeal,
            QuoteError::TaxRateOutOfRange { .. } => ErrorCode::TaxRateOutOfRange,
            QuoteError::InvalidApprovalPolicy { .. } => ErrorCode::InvalidApprovalPolicy,
            QuoteError::Catalog(error) => error.code(),
            QuoteError::Money(error) => error.code(),
        }
    }
}

impl Localized for QuoteError {
    fn localized(&self, locale: Locale) -> String {
        match (locale, self) {
            (_, QuoteError::Catalog(error)) => error.localized(locale),
            (_, QuoteError::Money(error)) => error.localized(locale),
            (Locale::En, _) => self.to_string(),
            (Locale::ZhCn, error) => zh_cn(error),
        }
    }
}

fn zh_cn(error: &QuoteError) -> String {
    match error {
        QuoteError::StaleQuote {
            quote,
            expected,
            actual,
        } => format!(
            "报价单 {quote} 已被他人修改（您看到的是第 {expected} 版，当前为第 {actual} 版）：请刷新后重试"
        ),
        QuoteError::VersionExhausted { quote } => {
            format!("报价单 {quote} 的版本号已用尽：请新建报价单")
        }
        QuoteError::InvalidTransition {
            quote,
            status,
            action,
        } => format!(
            "报价单 {quote} 处于“{}”状态，不能{}",
            status.label().zh_cn,
            action.label().zh_cn
        ),
        QuoteError::NotEditable { quote, status } => format!(
            "报价单 {quote} 处于“{}”状态，内容不能再修改：请创建新版本",
            status.label().zh_cn
        ),
        QuoteError::EmptyQuote { quote } => {
            format!("报价单 {quote} 没有任何报价行：请先添加至少一行")
        }
        QuoteError::QuoteExpired { quote, valid_until } => {
            format!("报价单 {quote} 的有效期至 {valid_until}，已过期：请延长有效期或创建新版本")
        }
        QuoteError::NotYetExpired { quote, valid_until } => {
            format!("报价单 {quote} 的有效期至 {valid_until}，尚未过期")
        }
        QuoteError::InsufficientApprovalLevel {
            quote,
            required,
            actual,
        } => format!(
            "报价单 {quote} 需要第 {required} 级审批人，您的级别为 {actual}：请提交更高一级的主管审批"
        ),
        QuoteError::SelfApproval { quote } => {
            format!("您是报价单 {quote} 的负责人，不能审批自己的报价：请提交给主管")
        }
        QuoteError::CommentRequired { quote } => {
            format!("驳回报价单 {quote} 须填写意见：请说明需要修改的内容")
        }
        QuoteError::UnknownLine { quote, line } => {
            format!("报价单 {quote} 中没有报价行 {line}")
        }
        QuoteError::InconsistentLine { line } => {
            format!("报价行 {line} 与其目录价格不一致：请从产品目录重新定价")
        }
        QuoteError::NegativePrice { line } => {
            format!("报价行 {line} 的价格为负数：价格须不小于零，优惠请使用折扣")
        }
        QuoteError::PriceMismatch { quote, line } => {
            format!("报价单 {quote} 中报价行 {line} 的目录价格已失效：请重新定价")
        }
        QuoteError::WrongDeal {
            quote,
            expected,
            actual,
        } => format!("报价单 {quote} 属于商机 {expected}，而非 {actual}"),
        QuoteError::TaxRateOutOfRange { basis_points } => {
            format!("税率超出范围：{basis_points} 个基点超过 100%（10000）")
        }
        QuoteError::InvalidApprovalPolicy { problems } => {
            let problems: Vec<String> = problems
                .iter()
                .map(|problem| problem.localized(Locale::ZhCn))
                .collect();
            format!("审批规则配置无效：{}", problems.join("；"))
        }
        QuoteError::Catalog(error) => error.localized(Locale::ZhCn),
        QuoteError::Money(error) => error.localized(Locale::ZhCn),
    }
}

fn join(problems: &[PolicyProblem]) -> String {
    let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
    problems.join("; ")
}
