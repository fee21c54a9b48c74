//! The quote state machine: every change is a command checked against the quote's version.
//!
//! ```text
//! draft ──submit──▶ pending ──approve──▶ approved ──send──▶ sent ──accept──▶ accepted
//!   ▲  └─(no approval needed)──────────▶    │                 └──expire──▶ expired
//!   │               │ └──reject──▶ rejected │
//!   └──edit─────────┴──────────────┴────────┘   (any edit sends the quote back to draft)
//! ```
//!
//! Approval is an exclusive decision that the server arbitrates: [`Quote::decide`] is pure, so
//! the server runs it inside a storage transaction, and every command carries the version it was
//! made against. The first command applied moves the version on, so a second command made
//! against the same version gets [`QuoteError::StaleQuote`]: two approvers acting at once cannot
//! both win.

use serde::{Deserialize, Serialize};
use time::{Date, UtcOffset};

use super::approval::{ApprovalDecision, ApprovalOutcome, ApprovalPolicy, Approver};
use super::{Quote, QuoteError, QuoteLine, QuoteStatus, TaxBasis};
use crate::i18n::LocalizedText;
use crate::id::{QuoteId, RecordId, UserId};
use crate::money::Discount;
use crate::timestamp::Timestamp;

/// A change to a quote, made against the version the user saw.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct QuoteCommand {
    /// The quote's [`Quote::version`] when the command was made (compare-and-set).
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

/// What happened to a quote: one entry of its log, returned by [`Quote::decide`] so the server
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

impl Quote {
    /// Applies `command` by `ctx.actor` at `ctx.now`: the quote after the command and the event
    /// to log, or an error and no change. Pure, so the server can run it inside a storage
    /// transaction and store the result only if the version it read is still current.
    ///
    /// `policy` is the organisation's approval policy, supplied by the server; approval levels
    /// are recomputed from the quote's content at submission and at approval, so a stored
    /// `required_level` is never trusted.
    pub fn decide(
        &self,
        command: &QuoteCommand,
        policy: &ApprovalPolicy,
        ctx: &QuoteContext,
    ) -> Result<(Quote, QuoteEvent), QuoteError> {
        if command.expected_version != self.version {
            return Err(QuoteError::StaleQuote {
                quote: self.id.clone(),
                expected: command.expected_version,
                actual: self.version,
            });
        }
        let version = self
            .version
            .checked_add(1)
            .ok_or_else(|| QuoteError::VersionExhausted {
                quote: self.id.clone(),
            })?;
        let mut next = self.clone();
        let kind = next.apply(&command.action, policy, ctx)?;
        let at = self
            .events
            .last()
            .map_or(ctx.now, |last| last.at.max(ctx.now));
        let event = QuoteEvent {
            version,
            at,
            by: ctx.actor.user.clone(),
            kind,
        };
        next.version = version;
        next.events.push(event.clone());
        Ok((next, event))
    }

    fn apply(
        &mut self,
        action: &QuoteAction,
        policy: &ApprovalPolicy,
        ctx: &QuoteContext,
    ) -> Result<QuoteEventKind, QuoteError> {
        let today = ctx.now.date_at(ctx.offset);
        let from = self.status;
        let refuse = || QuoteError::InvalidTransition {
            quote: self.id.clone(),
            status: from,
            action: action.kind(),
        };
        match action {
            QuoteAction::Edit { edit } => {
                if !from.is_editable() {
                    return Err(QuoteError::NotEditable {
                        quote: self.id.clone(),
                        status: from,
                    });
                }
                self.edit(edit)?;
                self.totals()?;
                self.status = QuoteStatus::Draft;
                self.required_level = None;
                self.decision = None;
                Ok(QuoteEventKind::Edited { from })
            }
            QuoteAction::Submit => {
                if from != QuoteStatus::Draft {
                    return Err(refuse());
                }
                if self.lines.is_empty() {
                    return Err(QuoteError::EmptyQuote {
                        quote: self.id.clone(),
                    });
                }
                self.check_valid_on(today)?;
                policy.validate()?;
                let required_level = policy.required_level(&self.totals()?);
                self.status = match required_level {
                    Some(_) => QuoteStatus::PendingApproval,
                    None => QuoteStatus::Approved,
                };
                self.required_level = required_level;
                Ok(QuoteEventKind::Submitted { required_level })
            }
            QuoteAction::Withdraw => {
                if from != QuoteStatus::PendingApproval {
                    return Err(refuse());
                }
                self.status = QuoteStatus::Draft;
                self.required_level = None;
                Ok(QuoteEventKind::Withdrawn)
            }
            QuoteAction::Approve { comment } | QuoteAction::Reject { comment } => {
                if from != QuoteStatus::PendingApproval {
                    return Err(refuse());
                }
                let outcome = match action {
                    QuoteAction::Approve { .. } => ApprovalOutcome::Approved,
                    _ => ApprovalOutcome::Rejected,
                };
                self.decide_approval(outcome, comment, policy, ctx)
            }
            QuoteAction::Send => {
                if from != QuoteStatus::Approved {
                    return Err(refuse());
                }
                self.check_valid_on(today)?;
                self.status = QuoteStatus::Sent;
                Ok(QuoteEventKind::Sent)
            }
            QuoteAction::Accept => {
                if from != QuoteStatus::Sent {
                    return Err(refuse());
                }
                self.check_valid_on(today)?;
                self.status = QuoteStatus::Accepted;
                Ok(QuoteEventKind::Accepted)
            }
            QuoteAction::Expire => {
                if !matches!(from, QuoteStatus::Approved | QuoteStatus::Sent) {
                    return Err(refuse());
                }
                if today <= self.valid_until {
                    return Err(QuoteError::NotYetExpired {
                        quote: self.id.clone(),
                        valid_until: self.valid_until,
                    });
                }
                self.status = QuoteStatus::Expired;
                Ok(QuoteEventKind::Expired)
            }
            QuoteAction::Supersede { successor } => {
                if matches!(from, QuoteStatus::Accepted | QuoteStatus::Superseded)
                    || *successor == self.id
                {
                    return Err(refuse());
                }
                self.status = QuoteStatus::Superseded;
                Ok(QuoteEventKind::Superseded {
                    successor: successor.clone(),
                })
            }
        }
    }

    /// Approve or reject: never by the owner, never below the level the content needs now, and
    /// never below level 1 (a pending quote always waits for a manager).
    fn decide_approval(
        &mut self,
        outcome: ApprovalOutcome,
        comment: &str,
        policy: &ApprovalPolicy,
        ctx: &QuoteContext,
    ) -> Result<QuoteEventKind, QuoteError> {
        if ctx.actor.user == self.owner {
            return Err(QuoteError::SelfApproval {
                quote: self.id.clone(),
            });
        }
        policy.validate()?;
        let recomputed = policy.required_level(&self.totals()?).unwrap_or(0);
        let required = recomputed.max(self.required_level.unwrap_or(0)).max(1);
        if ctx.actor.level < required {
            return Err(QuoteError::InsufficientApprovalLevel {
                quote: self.id.clone(),
                required,
                actual: ctx.actor.level,
            });
        }
        let comment = comment.trim().to_owned();
        if outcome == ApprovalOutcome::Rejected && comment.is_empty() {
            return Err(QuoteError::CommentRequired {
                quote: self.id.clone(),
            });
        }
        self.decision = Some(ApprovalDecision {
            outcome,
            by: ctx.actor.user.clone(),
            level: ctx.actor.level,
            required_level: required,
            at: ctx.now,
            comment: comment.clone(),
        });
        let level = ctx.actor.level;
        Ok(match outcome {
            ApprovalOutcome::Approved => {
                self.status = QuoteStatus::Approved;
                QuoteEventKind::Approved { level, comment }
            }
            ApprovalOutcome::Rejected => {
                self.status = QuoteStatus::Rejected;
                QuoteEventKind::Rejected { level, comment }
            }
        })
    }

    fn edit(&mut self, edit: &QuoteEdit) -> Result<(), QuoteError> {
        match edit {
            QuoteEdit::SetLine { line } => {
                line.check(self.currency)?;
                let line = QuoteLine::clone(line);
                match self
                    .lines
                    .iter_mut()
                    .find(|existing| existing.id == line.id)
                {
                    Some(existing) => *existing = line,
                    None => self.lines.push(line),
                }
            }
            QuoteEdit::RemoveLine { line } => {
                let before = self.lines.len();
                self.lines.retain(|existing| existing.id != *line);
                if self.lines.len() == before {
                    return Err(QuoteError::UnknownLine {
                        quote: self.id.clone(),
                        line: line.clone(),
                    });
                }
            }
            QuoteEdit::SetDiscount { discount } => self.discount = *discount,
            QuoteEdit::SetTaxBasis { basis } => self.tax_basis = *basis,
            QuoteEdit::SetValidUntil { date } => self.valid_until = *date,
        }
        Ok(())
    }

    fn check_valid_on(&self, today: Date) -> Result<(), QuoteError> {
        if today > self.valid_until {
            Err(QuoteError::QuoteExpired {
                quote: self.id.clone(),
                valid_until: self.valid_until,
            })
        } else {
            Ok(())
        }
    }
}
