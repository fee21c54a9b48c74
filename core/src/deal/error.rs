//! Errors of editing a deal record: follow-ups, tasks, comments, contacts, product lines,
//! checklist ticks and the manual probability.

use crate::deal::{DealStatus, TaskStatus};
use crate::error::ErrorCode;
use crate::i18n::{Locale, Localized};
use crate::id::{ContactId, PipelineId, RecordId};
use crate::money::{Currency, Money, MoneyError};

/// Why an edit of a deal record was refused. A refused edit changes nothing.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DealError {
    /// Contacts named by the edit are not on the deal.
    #[error(
        "contacts {} are not on the deal: add them to the deal first",
        join(contacts)
    )]
    UnknownContacts {
        /// Every unknown contact, in the order given.
        contacts: Vec<ContactId>,
    },
    /// A reply names a comment that does not exist.
    #[error("comment {comment} does not exist on the deal: reply to an existing comment")]
    UnknownComment {
        /// The missing comment.
        comment: RecordId,
    },
    /// The task does not exist.
    #[error("task {task} does not exist on the deal: pick one of its tasks")]
    UnknownTask {
        /// The missing task.
        task: RecordId,
    },
    /// The task is already done or cancelled.
    #[error("task {task} is already {}: only open tasks can be completed or cancelled", status_en(*status))]
    TaskClosed {
        /// The task.
        task: RecordId,
        /// Its status.
        status: TaskStatus,
    },
    /// The record id (or contact id) is already used on the deal.
    #[error("id {id} is already used on the deal: draw a new id")]
    DuplicateId {
        /// The id in use.
        id: String,
    },
    /// A comment without text.
    #[error("the comment is empty: write something")]
    EmptyComment,
    /// A product line with a quantity of zero or less.
    #[error("product line {line} has quantity {quantity}: quantities are positive")]
    InvalidQuantity {
        /// The line.
        line: RecordId,
        /// The quantity given.
        quantity: i64,
    },
    /// A product line with a negative unit price.
    #[error("product line {line} has a negative unit price {price}: prices are zero or more")]
    NegativePrice {
        /// The line.
        line: RecordId,
        /// The price given.
        price: Money,
    },
    /// A product line priced in another currency than the deal amount.
    #[error(
        "product line {line} is priced in {line_currency} but the deal is in {deal_currency}: price it in {deal_currency}"
    )]
    CurrencyMismatch {
        /// The line.
        line: RecordId,
        /// The deal amount's currency.
        deal_currency: Currency,
        /// The line's currency.
        line_currency: Currency,
    },
    /// A relationship from a contact to itself.
    #[error("contact {contact} cannot report to or influence themselves: pick another contact")]
    SelfRelationship {
        /// The contact.
        contact: ContactId,
    },
    /// The criterion is not a checklist criterion of the deal's pipeline.
    #[error(
        "criterion {criterion} is not a checklist item of pipeline {pipeline}: tick one of its checklist criteria"
    )]
    UnknownChecklistItem {
        /// The criterion id given.
        criterion: String,
        /// The pipeline.
        pipeline: PipelineId,
    },
    /// The pipeline given is not the deal's.
    #[error("the deal is in pipeline {actual}, not {expected}: use the deal's own pipeline")]
    WrongPipeline {
        /// The pipeline given.
        expected: PipelineId,
        /// The deal's pipeline.
        actual: PipelineId,
    },
    /// The edit only makes sense on an open deal.
    #[error("the deal is {}: reopen it first", deal_status_en(*status))]
    DealClosed {
        /// The deal's status.
        status: DealStatus,
    },
    /// Money arithmetic failed (e.g. a line total overflowed).
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl DealError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            DealError::UnknownContacts { .. } => ErrorCode::UnknownContact,
            DealError::UnknownComment { .. } => ErrorCode::UnknownComment,
            DealError::UnknownTask { .. } => ErrorCode::UnknownTask,
            DealError::TaskClosed { .. } => ErrorCode::TaskClosed,
            DealError::DuplicateId { .. } => ErrorCode::DuplicateRecord,
            DealError::EmptyComment => ErrorCode::EmptyComment,
            DealError::InvalidQuantity { .. } => ErrorCode::InvalidQuantity,
            DealError::NegativePrice { .. } => ErrorCode::NegativePrice,
            DealError::CurrencyMismatch { .. } => ErrorCode::CurrencyMismatch,
            DealError::SelfRelationship { .. } => ErrorCode::InvalidRelationship,
            DealError::UnknownChecklistItem { .. } => ErrorCode::UnknownChecklistItem,
            DealError::WrongPipeline { .. } => ErrorCode::WrongPipeline,
            DealError::DealClosed { .. } => ErrorCode::DealClosed,
            DealError::Money(error) => error.code(),
        }
    }
}

impl Localized for DealError {
    fn localized(&self, locale: Locale) -> String {
        match (locale, self) {
            (_, DealError::Money(error)) => error.localized(locale),
            (Locale::En, _) => self.to_string(),
            (Locale::ZhCn, DealError::UnknownContacts { contacts }) => {
                format!("联系人 {} 不在本商机中：请先添加联系人", join(contacts))
            }
            (Locale::ZhCn, DealError::UnknownComment { comment }) => {
                format!("点评 {comment} 不存在：请回复已有的点评")
            }
            (Locale::ZhCn, DealError::UnknownTask { task }) => {
                format!("任务 {task} 不存在：请选择本商机的任务")
            }
            (Locale::ZhCn, DealError::TaskClosed { task, status }) => {
                let status = match status {
                    TaskStatus::Open => "进行中",
                    TaskStatus::Done => "已完成",
                    TaskStatus::Cancelled => "已取消",
                };
                format!("任务 {task} {status}：只有未完成的任务可以完成或取消")
            }
            (Locale::ZhCn, DealError::DuplicateId { id }) => {
                format!("标识 {id} 已在本商机中使用：请生成新的标识")
            }
            (Locale::ZhCn, DealError::EmptyComment) => "点评内容为空：请填写内容".to_owned(),
            (Locale::ZhCn, DealError::InvalidQuantity { line, quantity }) => {
                format!("产品明细 {line} 的数量为 {quantity}：数量须大于零")
            }
            (Locale::ZhCn, DealError::NegativePrice { line, price }) => {
                format!("产品明细 {line} 的单价 {price} 为负数：单价须大于或等于零")
            }
            (
                Locale::ZhCn,
                DealError::CurrencyMismatch {
                    line,
                    deal_currency,
                    line_currency,
                },
            ) => format!(
                "产品明细 {line} 以 {line_currency} 计价，而商机金额以 {deal_currency} 计价：请以 {deal_currency} 计价"
            ),
            (Locale::ZhCn, DealError::SelfRelationship { contact }) => {
                format!("联系人 {contact} 不能汇报给或影响自己：请选择其他联系人")
            }
            (
                Locale::ZhCn,
                DealError::UnknownChecklistItem {
                    criterion,
                    pipeline,
                },
            ) => format!("{criterion} 不是销售流程 {pipeline} 的检查项：请勾选该流程中的检查项"),
            (Locale::ZhCn, DealError::WrongPipeline { expected, actual }) => {
                format!("商机属于销售流程 {actual}，而非 {expected}：请使用商机所在的流程")
            }
            (Locale::ZhCn, DealError::DealClosed { status }) => {
                let status = match status {
                    DealStatus::Open => "进行中",
                    DealStatus::Won => "已赢单",
                    DealStatus::Lost => "已输单",
                    DealStatus::Stopped => "已暂停",
                };
                format!("商机{status}：请先重新打开")
            }
        }
    }
}

fn join(contacts: &[ContactId]) -> String {
    let ids: Vec<&str> = contacts.iter().map(ContactId::as_str).collect();
    ids.join(", ")
}

fn status_en(status: TaskStatus) -> &'static str {
    match status {
        TaskStatus::Open => "open",
        TaskStatus::Done => "done",
        TaskStatus::Cancelled => "cancelled",
    }
}

fn deal_status_en(status: DealStatus) -> &'static str {
    match status {
        DealStatus::Open => "open",
        DealStatus::Won => "won",
        DealStatus::Lost => "lost",
        DealStatus::Stopped => "stopped",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{cny, contact_id, record};

    #[test]
    fn every_error_has_a_code_and_both_languages() {
        let errors = [
            DealError::UnknownContacts {
                contacts: vec![contact_id("a"), contact_id("b")],
            },
            DealError::UnknownComment {
                comment: record("c"),
            },
            DealError::UnknownTask { task: record("t") },
            DealError::TaskClosed {
                task: record("t"),
                status: TaskStatus::Cancelled,
            },
            DealError::DuplicateId { id: "x".into() },
            DealError::EmptyComment,
            DealError::InvalidQuantity {
                line: record("p"),
                quantity: 0,
            },
            DealError::NegativePrice {
                line: record("p"),
                price: cny(-1),
            },
            DealError::CurrencyMismatch {
                line: record("p"),
                deal_currency: Currency::CNY,
                line_currency: Currency::USD,
            },
            DealError::SelfRelationship {
                contact: contact_id("a"),
            },
            DealError::UnknownChecklistItem {
                criterion: "c".into(),
                pipeline: PipelineId::new("p").unwrap(),
            },
            DealError::WrongPipeline {
                expected: PipelineId::new("p").unwrap(),
                actual: PipelineId::new("q").unwrap(),
            },
            DealError::DealClosed {
                status: DealStatus::Won,
            },
            DealError::Money(MoneyError::Overflow),
        ];
        let mut codes: Vec<&str> = Vec::new();
        for error in &errors {
            let zh = error.localized(Locale::ZhCn);
            let en = error.localized(Locale::En);
            assert_eq!(en, error.to_string());
            assert_ne!(zh, en, "{error:?} has a Chinese message");
            assert!(!en.ends_with('.'), "{en}");
            codes.push(error.code().as_str());
        }
        assert_eq!(
            errors[0].to_string(),
            "contacts a, b are not on the deal: add them to the deal first"
        );
        assert_eq!(codes[8], "currency_mismatch");
        assert_eq!(codes[13], "amount_out_of_range");
        let as_crate_error: crate::Error = errors[1].clone().into();
        assert_eq!(as_crate_error.code(), ErrorCode::UnknownComment);
    }
}
