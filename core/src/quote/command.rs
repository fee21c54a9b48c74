//! Commands on a quote and the events they log; [`Quote::decide`](super::Quote::decide) applies
//! them.

use serde::{Deserialize, Serialize};
use time::{Date, UtcOffset};

use super::approval::Approver;
use super::{QuoteLine, QuoteStatus, TaxBasis};
use crate::i18n::LocalizedText;
use crate::id::{QuoteId, RecordId, UserId};
use crate::money::Discount;
use crate::timestamp::Timestamp;

/// A change to a quote, made against the version the user saw.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct QuoteCommand {
    /// The quote's [`Quote::version`](super::Quote::version) when the command was made (compare-and-set).
    pub expected_version: u64,
    /// What to do.
    pub action: QuoteAction,
}

/// What a [`QuoteCommand`] does.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum QuoteAction {
    /// Change the content; a pending, approved or rejected quote goes back to draft.
    Edit {
        /// The change.
        edit: QuoteEdit,
    },
    /// Ask for approval; a quote whose discount needs none is approved at once.
    Submit,
    /// Take a pending quote back to draft.
    Withdraw,
    /// Approve a pending quote (needs an approver of sufficient level).
    Approve {
        /// Optional remark.
        #[serde(default)]
        comment: String,
    },
    /// Reject a pending quote, saying why (needs an approver of sufficient level).
    Reject {
        /// Why; required.
        comment: String,
    },
    /// Record that the approved quote went to the customer.
    Send,
    /// Record the customer's acceptance, within the validity date.
    Accept,
    /// Close an approved or sent quote whose validity date has passed.
    Expire,
    /// Close the quote because a new revision replaces it.
    Supersede {
        /// The new revision.
        successor: QuoteId,
    },
}

/// A change to a quote's content.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "edit", rename_all = "snake_case")]
pub enum QuoteEdit {
    /// Add a line, or replace the line with the same id.
    SetLine {
        /// The line.
        line: Box<QuoteLine>,
    },
    /// Remove a line.
    RemoveLine {
        /// Its id.
        line: RecordId,
    },
    /// Set the whole-quote discount.
    SetDiscount {
        /// The discount.
        discount: Discount,
    },
    /// Set whether prices include tax.
    SetTaxBasis {
        /// The basis.
        basis: TaxBasis,
    },
    /// Set the last day the offer is valid.
    SetValidUntil {
        /// The date, in the organisation's time zone.
        date: Date,
    },
}

/// Who acts on a quote, and when.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct QuoteContext {
    /// The acting user and their approval level over the quote's owner (from the server).
    pub actor: Approver,
    /// The current time (core never reads the clock).
    pub now: Timestamp,
    /// The organisation's UTC offset, for the validity date.
    pub offset: UtcOffset,
}

/// What happened to a quote: one entry of its log, returned by [`Quote::decide`](super::Quote::decide) so the server
/// can store and broadcast it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct QuoteEvent {
    /// The quote's version after the event.
    pub version: u64,
    /// When (never earlier than the previous event).
    pub at: Timestamp,
    /// Who.
    pub by: UserId,
    /// What.
    pub kind: QuoteEventKind,
}

/// The kinds of [`QuoteEvent`].
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QuoteEventKind {
    /// The quote (or a new revision) was created.
    Created {
        /// The revision it copies.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        previous: Option<QuoteId>,
    },
    /// The content changed; the quote is a draft again.
    Edited {
        /// The status before the edit.
        from: QuoteStatus,
    },
    /// Submitted; `None` means no approval was needed and the quote is approved.
    Submitted {
        /// The level the discount needs.
        required_level: Option<u8>,
    },
    /// Taken back to draft while pending.
    Withdrawn,
    /// Approved.
    Approved {
        /// The approver's level.
        level: u8,
        /// The approver's remark.
        comment: String,
    },
    /// Rejected.
    Rejected {
        /// The approver's level.
        level: u8,
        /// Why.
        comment: String,
    },
    /// Sent to the customer.
    Sent,
    /// Accepted by the customer.
    Accepted,
    /// Expired unaccepted.
    Expired,
    /// Replaced by a new revision.
    Superseded {
        /// The new revision.
        successor: QuoteId,
    },
}

/// The kind of a [`QuoteAction`], for errors and logs.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuoteActionKind {
    /// [`QuoteAction::Edit`].
    Edit,
    /// [`QuoteAction::Submit`].
    Submit,
    /// [`QuoteAction::Withdraw`].
    Withdraw,
    /// [`QuoteAction::Approve`].
    Approve,
    /// [`QuoteAction::Reject`].
    Reject,
    /// [`QuoteAction::Send`].
    Send,
    /// [`QuoteAction::Accept`].
    Accept,
    /// [`QuoteAction::Expire`].
    Expire,
    /// [`QuoteAction::Supersede`].
    Supersede,
}

impl QuoteAction {
    /// The kind of the action.
    pub fn kind(&self) -> QuoteActionKind {
        match self {
            QuoteAction::Edit { .. } => QuoteActionKind::Edit,
            QuoteAction::Submit => QuoteActionKind::Submit,
            QuoteAction::Withdraw => QuoteActionKind::Withdraw,
            QuoteAction::Approve { .. } => QuoteActionKind::Approve,
            QuoteAction::Reject { .. } => QuoteActionKind::Reject,
            QuoteAction::Send => QuoteActionKind::Send,
            QuoteAction::Accept => QuoteActionKind::Accept,
            QuoteAction::Expire => QuoteActionKind::Expire,
            QuoteAction::Supersede { .. } => QuoteActionKind::Supersede,
        }
    }
}

impl QuoteActionKind {
    /// The action's name in both languages.
    pub fn label(self) -> LocalizedText {
        let (zh_cn, en) = match self {
            QuoteActionKind::Edit => ("修改", "edit"),
            QuoteActionKind::Submit => ("提交审批", "submit"),
            QuoteActionKind::Withdraw => ("撤回", "withdraw"),
            QuoteActionKind::Approve => ("审批通过", "approve"),
            QuoteActionKind::Reject => ("驳回", "reject"),
            QuoteActionKind::Send => ("发送给客户", "send"),
            QuoteActionKind::Accept => ("确认客户接受", "accept"),
            QuoteActionKind::Expire => ("标记过期", "expire"),
            QuoteActionKind::Supersede => ("以新版本替代", "supersede"),
        };
        LocalizedText::new(zh_cn, en)
    }
}
