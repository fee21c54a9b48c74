//! Errors of payment plans and receipts.

use super::MAX_INSTALMENTS;
use crate::error::ErrorCode;
use crate::i18n::{Locale, Localized};
use crate::id::RecordId;
use crate::money::{Currency, Money, MoneyError};

/// Errors of payment plans and receipts.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PaymentError {
    /// The instalments do not add up to the contract amount.
    #[error(
        "the instalments add up to {actual}, the contract amount is {expected}: adjust them to match"
    )]
    InstalmentsDoNotSum {
        /// The contract amount.
        expected: Money,
        /// The instalments' sum.
        actual: Money,
    },
    /// A plan without instalments, or a split into zero parts.
    #[error("a payment plan needs at least one instalment")]
    NoInstalments,
    /// More instalments than [`MAX_INSTALMENTS`].
    #[error("{count} instalments is too many: a plan has at most {MAX_INSTALMENTS}")]
    TooManyInstalments {
        /// The number asked for.
        count: usize,
    },
    /// An instalment of zero or less.
    #[error("instalment {instalment} is not positive: every instalment must be above zero")]
    InstalmentNotPositive {
        /// The instalment.
        instalment: RecordId,
    },
    /// Two instalments share an id.
    #[error("instalment id {instalment} is used twice")]
    DuplicateInstalment {
        /// The id.
        instalment: RecordId,
    },
    /// Percentage shares that do not add up to 100 %.
    #[error(
        "the shares add up to {basis_points} basis points: they must add up to exactly 10000 (100%)"
    )]
    SharesDoNotSum {
        /// Their sum.
        basis_points: u32,
    },
    /// A split with a different number of parts than instalments.
    #[error("{instalments} instalments but {parts} parts: give one part per instalment")]
    SplitCountMismatch {
        /// Instalments in the schedule.
        instalments: usize,
        /// Parts in the split.
        parts: usize,
    },
    /// A receipt for an instalment the plan does not have.
    #[error(
        "the plan has no instalment {instalment}: record the receipt against one of its instalments"
    )]
    UnknownInstalment {
        /// The instalment named.
        instalment: RecordId,
    },
    /// A receipt in another currency than the contract's.
    #[error(
        "receipt {receipt} is in {found}, the contract is in {expected}: record the amount credited in {expected}"
    )]
    ReceiptCurrency {
        /// The receipt.
        receipt: RecordId,
        /// The contract's currency.
        expected: Currency,
        /// The receipt's currency.
        found: Currency,
    },
    /// A receipt of zero or less.
    #[error(
        "receipt {receipt} is not positive: record money received; remove a receipt entered by mistake"
    )]
    ReceiptNotPositive {
        /// The receipt.
        receipt: RecordId,
    },
    /// A different receipt already has this id.
    #[error("receipt id {receipt} is already used by another receipt")]
    DuplicateReceipt {
        /// The id.
        receipt: RecordId,
    },
    /// No receipt with this id.
    #[error("the plan has no receipt {receipt}")]
    UnknownReceipt {
        /// The id.
        receipt: RecordId,
    },
    /// Money arithmetic failed (overflow, or an instalment in another currency).
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl PaymentError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            PaymentError::InstalmentsDoNotSum { .. } => ErrorCode::InstalmentsDoNotSum,
            PaymentError::NoInstalments
            | PaymentError::TooManyInstalments { .. }
            | PaymentError::InstalmentNotPositive { .. }
            | PaymentError::DuplicateInstalment { .. } => ErrorCode::InvalidPaymentPlan,
            PaymentError::SharesDoNotSum { .. } | PaymentError::SplitCountMismatch { .. } => {
                ErrorCode::InvalidSplit
            }
            PaymentError::UnknownInstalment { .. } => ErrorCode::UnknownInstalment,
            PaymentError::ReceiptCurrency { .. } => ErrorCode::CurrencyMismatch,
            PaymentError::ReceiptNotPositive { .. } | PaymentError::DuplicateReceipt { .. } => {
                ErrorCode::InvalidReceipt
            }
            PaymentError::UnknownReceipt { .. } => ErrorCode::UnknownReceipt,
            PaymentError::Money(error) => error.code(),
        }
    }
}

impl Localized for PaymentError {
    fn localized(&self, locale: Locale) -> String {
        match (locale, self) {
            (_, PaymentError::Money(error)) => error.localized(locale),
            (Locale::En, _) => self.to_string(),
            (Locale::ZhCn, error) => zh_cn(error),
        }
    }
}

fn zh_cn(error: &PaymentError) -> String {
    match error {
        PaymentError::InstalmentsDoNotSum { expected, actual } => {
            format!("各期金额合计 {actual}，合同金额为 {expected}：请调整至一致")
        }
        PaymentError::NoInstalments => "收款计划至少需要一期".to_owned(),
        PaymentError::TooManyInstalments { count } => {
            format!("{count} 期过多：收款计划最多 {MAX_INSTALMENTS} 期")
        }
        PaymentError::InstalmentNotPositive { instalment } => {
            format!("第 {instalment} 期金额须大于零")
        }
        PaymentError::DuplicateInstalment { instalment } => {
            format!("分期标识 {instalment} 重复")
        }
        PaymentError::SharesDoNotSum { basis_points } => {
            format!("各期比例合计 {basis_points} 个基点：须正好为 10000（100%）")
        }
        PaymentError::SplitCountMismatch { instalments, parts } => {
            format!("共 {instalments} 期，但给出了 {parts} 个比例或金额：请每期给出一个")
        }
        PaymentError::UnknownInstalment { instalment } => {
            format!("收款计划中没有第 {instalment} 期：请对应到计划中的某一期")
        }
        PaymentError::ReceiptCurrency {
            receipt,
            expected,
            found,
        } => format!(
            "回款 {receipt} 的币种为 {found}，合同币种为 {expected}：请按实际入账的 {expected} 金额登记"
        ),
        PaymentError::ReceiptNotPositive { receipt } => {
            format!("回款 {receipt} 金额须大于零；误登记的回款请删除")
        }
        PaymentError::DuplicateReceipt { receipt } => {
            format!("回款标识 {receipt} 已被另一笔回款使用")
        }
        PaymentError::UnknownReceipt { receipt } => format!("收款计划中没有回款 {receipt}"),
        PaymentError::Money(error) => error.localized(Locale::ZhCn),
    }
}
