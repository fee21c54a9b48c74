//! The quote state machine: every change is a command checked against the quote's version.

use time::Date;

use super::approval::{ApprovalDecision, ApprovalOutcome, ApprovalPolicy};
use super::command::{
    QuoteAction, QuoteCommand, QuoteContext, QuoteEdit, QuoteEvent, QuoteEventKind,
};
use super::{Quote, QuoteError, QuoteLine, QuoteStatus};

impl Quote {
    /// Applies `command` by `ctx.actor` at `ctx.now`: the quote after the command and the event
    /// to log, or an error and no change.
    ///
    /// ```text
    /// draft ──submit──▶ pending ──approve──▶ approved ──send──▶ sent ──accept──▶ accepted
    ///   ▲  └─(no approval needed)──────────▶    │                 └──expire──▶ expired
    ///   │               │ └──reject──▶ rejected │
    ///   └──edit─────────┴──────────────┴────────┘   (any edit sends the quote back to draft)
    /// ```
    ///
    /// Approval is an exclusive decision that the server arbitrates. This function is pure, so
    /// the server runs it inside a storage transaction, and every command carries the version it
    /// was made against. The first command applied moves the version on, so a second command made
    /// against the same version gets [`QuoteError::StaleQuote`]: two approvers acting at once
    /// cannot both win.
    ///
    /// Approving or rejecting needs an approver other than the owner whose level is at least
    /// the level the discount needs (and at least 1); rejecting needs a comment. Sending and
    /// accepting need the validity date not to have passed, expiring needs it to have passed.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::LocalizedText;
    use crate::id::{DealId, QuoteId, RecordId, UserId};
    use crate::money::{Currency, Discount, Money};
    use crate::quote::approval::{ApprovalThreshold, Approver};
    use crate::quote::{NewQuote, TaxBasis, TaxRate};
    use crate::timestamp::Timestamp;
    use time::macros::{date, offset};

    const DAY: i64 = crate::timestamp::MILLIS_PER_DAY;

    fn user(id: &str) -> UserId {
        UserId::new(id).unwrap()
    }

    /// Levels: above 10 % the manager (1), above 20 % the director (2).
    fn policy() -> ApprovalPolicy {
        ApprovalPolicy {
            thresholds: vec![
                ApprovalThreshold {
                    above: Discount::from_basis_points(1_000).unwrap(),
                    level: 1,
                },
                ApprovalThreshold {
                    above: Discount::from_basis_points(2_000).unwrap(),
                    level: 2,
                },
            ],
        }
    }

    /// 2026-03-01 00:00 in UTC+8, plus `days`.
    fn ctx(who: &str, level: u8, days: i64) -> QuoteContext {
        let start = Timestamp::start_of_day(date!(2026 - 03 - 01), offset!(+8));
        QuoteContext {
            actor: Approver {
                user: user(who),
                level,
            },
            now: Timestamp::from_millis(start.millis() + days * DAY),
            offset: offset!(+8),
        }
    }

    fn line(discount_bp: u16) -> QuoteLine {
        QuoteLine::ad_hoc(
            RecordId::new("l1").unwrap(),
            LocalizedText::new("实施服务", "Implementation"),
            LocalizedText::new("人天", "person-day"),
            10,
            Money::from_major(2_000, Currency::CNY).unwrap(),
            TaxRate::from_basis_points(600).unwrap(),
        )
        .unwrap()
        .with_discount(Discount::from_basis_points(discount_bp).unwrap())
    }

    fn empty_quote() -> Quote {
        Quote::new(
            NewQuote {
                id: QuoteId::new("q1").unwrap(),
                deal: DealId::new("d1").unwrap(),
                owner: user("rep"),
                currency: Currency::CNY,
                valid_until: date!(2026 - 03 - 31),
                tax_basis: TaxBasis::Exclusive,
            },
            ctx("rep", 0, 0).now,
        )
    }

    fn run(quote: &Quote, action: QuoteAction, ctx: &QuoteContext) -> Result<Quote, QuoteError> {
        let command = QuoteCommand {
            expected_version: quote.version,
            action,
        };
        quote.decide(&command, &policy(), ctx).map(|(next, _)| next)
    }

    fn set_line(line: QuoteLine) -> QuoteAction {
        QuoteAction::Edit {
            edit: QuoteEdit::SetLine {
                line: Box::new(line),
            },
        }
    }

    /// A pending quote with one line at `discount_bp` off.
    fn pending(discount_bp: u16) -> Quote {
        let rep = ctx("rep", 0, 1);
        let quote = run(&empty_quote(), set_line(line(discount_bp)), &rep).unwrap();
        let quote = run(&quote, QuoteAction::Submit, &rep).unwrap();
        assert_eq!(quote.status, QuoteStatus::PendingApproval);
        quote
    }

    fn approve() -> QuoteAction {
        QuoteAction::Approve {
            comment: String::new(),
        }
    }

    #[test]
    fn submission_routes_by_discount() {
        let rep = ctx("rep", 0, 1);
        let draft = run(&empty_quote(), set_line(line(1_000)), &rep).unwrap();
        // exactly 10 % is not above the first threshold: approved without anyone
        let approved = run(&draft, QuoteAction::Submit, &rep).unwrap();
        assert_eq!(approved.status, QuoteStatus::Approved);
        assert_eq!(
            approved.events.last().map(|event| &event.kind),
            Some(&QuoteEventKind::Submitted {
                required_level: None
            })
        );
        assert_eq!(pending(1_001).required_level, Some(1));
        assert_eq!(pending(2_500).required_level, Some(2));
    }

    #[test]
    fn approval_needs_a_manager_of_sufficient_level() {
        let quote = pending(2_500);
        let err = run(&quote, approve(), &ctx("mgr", 1, 2)).unwrap_err();
        assert_eq!(
            err,
            QuoteError::InsufficientApprovalLevel {
                quote: quote.id.clone(),
                required: 2,
                actual: 1
            }
        );
        let err = run(&quote, approve(), &ctx("rep", 9, 2)).unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::SelfApproval);
        let approved = run(&quote, approve(), &ctx("director", 2, 2)).unwrap();
        assert_eq!(approved.status, QuoteStatus::Approved);
        let decision = approved.decision.as_ref().unwrap();
        assert_eq!((decision.level, decision.required_level), (2, 2));
        assert_eq!(decision.by, user("director"));
    }

    #[test]
    fn a_tampered_required_level_is_not_trusted() {
        let mut quote = pending(2_500);
        quote.required_level = Some(0);
        let err = run(&quote, approve(), &ctx("mgr", 1, 2)).unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::InsufficientApprovalLevel);
        // And a pending quote always needs a manager, even if the policy no longer asks for one.
        let quote = pending(1_500);
        let command = QuoteCommand {
            expected_version: quote.version,
            action: approve(),
        };
        let err = quote
            .decide(&command, &ApprovalPolicy::default(), &ctx("peer", 0, 2))
            .unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::InsufficientApprovalLevel);
    }

    #[test]
    fn rejection_needs_a_comment_and_an_edit_reopens() {
        let quote = pending(1_500);
        let blank = QuoteAction::Reject {
            comment: "  ".into(),
        };
        assert_eq!(
            run(&quote, blank, &ctx("mgr", 1, 2)).unwrap_err().code(),
            crate::ErrorCode::CommentRequired
        );
        let reject = QuoteAction::Reject {
            comment: "折扣过高，请降到 10% 以内".into(),
        };
        let rejected = run(&quote, reject, &ctx("mgr", 1, 2)).unwrap();
        assert_eq!(rejected.status, QuoteStatus::Rejected);
        assert_eq!(
            run(&rejected, QuoteAction::Submit, &ctx("rep", 0, 3))
                .unwrap_err()
                .code(),
            crate::ErrorCode::InvalidQuoteTransition
        );
        let draft = run(&rejected, set_line(line(800)), &ctx("rep", 0, 3)).unwrap();
        assert_eq!(draft.status, QuoteStatus::Draft);
        assert_eq!(draft.decision, None);
        assert_eq!(
            draft.events.last().map(|event| &event.kind),
            Some(&QuoteEventKind::Edited {
                from: QuoteStatus::Rejected
            })
        );
    }

    #[test]
    fn any_edit_sends_an_approved_quote_back_to_draft() {
        let approved = run(&pending(1_500), approve(), &ctx("mgr", 1, 2)).unwrap();
        let edits = [
            QuoteEdit::SetDiscount {
                discount: Discount::NONE,
            },
            QuoteEdit::SetTaxBasis {
                basis: TaxBasis::Inclusive,
            },
            QuoteEdit::SetValidUntil {
                date: date!(2026 - 04 - 30),
            },
            QuoteEdit::SetLine {
                line: Box::new(line(1_500)),
            },
        ];
        for edit in edits {
            let edited = run(&approved, QuoteAction::Edit { edit }, &ctx("rep", 0, 3)).unwrap();
            assert_eq!(edited.status, QuoteStatus::Draft);
            assert_eq!(edited.decision, None);
        }
        let withdrawn = run(&pending(1_500), QuoteAction::Withdraw, &ctx("rep", 0, 2)).unwrap();
        assert_eq!(withdrawn.status, QuoteStatus::Draft);
    }

    #[test]
    fn sent_quotes_are_final_until_accepted_or_expired() {
        let approved = run(&pending(1_500), approve(), &ctx("mgr", 1, 2)).unwrap();
        let sent = run(&approved, QuoteAction::Send, &ctx("rep", 0, 3)).unwrap();
        let err = run(&sent, set_line(line(0)), &ctx("rep", 0, 4)).unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::QuoteNotEditable);
        // valid until 03-31: on 03-31 it can still be accepted, on 04-01 no longer
        assert_eq!(
            run(&sent, QuoteAction::Expire, &ctx("rep", 0, 30))
                .unwrap_err()
                .code(),
            crate::ErrorCode::QuoteNotExpired
        );
        let accepted = run(&sent, QuoteAction::Accept, &ctx("rep", 0, 30)).unwrap();
        assert_eq!(accepted.status, QuoteStatus::Accepted);
        assert_eq!(
            run(&sent, QuoteAction::Accept, &ctx("rep", 0, 31))
                .unwrap_err()
                .code(),
            crate::ErrorCode::QuoteExpired
        );
        assert_eq!(
            sent.status_at(ctx("rep", 0, 31).now, offset!(+8)),
            QuoteStatus::Expired
        );
        let expired = run(&sent, QuoteAction::Expire, &ctx("rep", 0, 31)).unwrap();
        assert_eq!(expired.status, QuoteStatus::Expired);
        let successor = QuoteAction::Supersede {
            successor: QuoteId::new("q2").unwrap(),
        };
        assert_eq!(
            run(&accepted, successor.clone(), &ctx("rep", 0, 31))
                .unwrap_err()
                .code(),
            crate::ErrorCode::InvalidQuoteTransition
        );
        let superseded = run(&expired, successor, &ctx("rep", 0, 31)).unwrap();
        assert_eq!(superseded.status, QuoteStatus::Superseded);
    }

    #[test]
    fn bad_submissions_are_typed_errors() {
        let rep = ctx("rep", 0, 1);
        assert_eq!(
            run(&empty_quote(), QuoteAction::Submit, &rep)
                .unwrap_err()
                .code(),
            crate::ErrorCode::EmptyQuote
        );
        let late = run(&empty_quote(), set_line(line(0)), &rep).unwrap();
        assert_eq!(
            run(&late, QuoteAction::Submit, &ctx("rep", 0, 31))
                .unwrap_err()
                .code(),
            crate::ErrorCode::QuoteExpired
        );
        let mut usd = line(0);
        usd.price = super::super::LinePrice::Custom {
            unit_price: Money::new(1_00, Currency::USD),
            catalog: None,
        };
        assert_eq!(
            run(&empty_quote(), set_line(usd), &rep).unwrap_err().code(),
            crate::ErrorCode::CurrencyMismatch
        );
        let mut negative = line(0);
        negative.quantity = -2;
        assert_eq!(
            run(&empty_quote(), set_line(negative), &rep)
                .unwrap_err()
                .code(),
            crate::ErrorCode::InvalidQuantity
        );
        let remove = QuoteAction::Edit {
            edit: QuoteEdit::RemoveLine {
                line: RecordId::new("nope").unwrap(),
            },
        };
        assert_eq!(
            run(&empty_quote(), remove, &rep).unwrap_err().code(),
            crate::ErrorCode::UnknownQuoteLine
        );
        let bad_policy = ApprovalPolicy {
            thresholds: vec![ApprovalThreshold {
                above: Discount::NONE,
                level: 0,
            }],
        };
        let command = QuoteCommand {
            expected_version: late.version,
            action: QuoteAction::Submit,
        };
        assert_eq!(
            late.decide(&command, &bad_policy, &rep).unwrap_err().code(),
            crate::ErrorCode::InvalidApprovalPolicy
        );
    }

    #[test]
    fn versions_move_on_and_stale_commands_lose() {
        let quote = pending(1_500);
        let approve_v = QuoteCommand {
            expected_version: quote.version,
            action: approve(),
        };
        let (approved, event) = quote
            .decide(&approve_v, &policy(), &ctx("mgr", 1, 2))
            .unwrap();
        assert_eq!(approved.version, quote.version + 1);
        assert_eq!(event.version, approved.version);
        assert_eq!(approved.events.last(), Some(&event));
        assert_eq!(
            approved.decide(&approve_v, &policy(), &ctx("mgr-2", 1, 2)),
            Err(QuoteError::StaleQuote {
                quote: quote.id.clone(),
                expected: quote.version,
                actual: quote.version + 1
            })
        );
    }

    #[test]
    fn event_times_never_go_back() {
        let quote = pending(1_500);
        let last = quote.events.last().unwrap().at;
        // An approver whose clock lags a day behind.
        let (_, event) = quote
            .decide(
                &QuoteCommand {
                    expected_version: quote.version,
                    action: approve(),
                },
                &policy(),
                &ctx("mgr", 1, 0),
            )
            .unwrap();
        assert_eq!(event.at, last);
    }

    #[test]
    fn commands_round_trip_through_serde() {
        let command = QuoteCommand {
            expected_version: 7,
            action: QuoteAction::Reject {
                comment: "请补充交付范围".into(),
            },
        };
        let json = serde_json::to_string(&command).unwrap();
        assert_eq!(
            json,
            r#"{"expected_version":7,"action":{"action":"reject","comment":"请补充交付范围"}}"#
        );
        assert_eq!(
            serde_json::from_str::<QuoteCommand>(&json).unwrap(),
            command
        );
        let edit: QuoteCommand = serde_json::from_str(
            r#"{"expected_version":1,"action":{"action":"edit","edit":{"edit":"set_discount","discount":500}}}"#,
        )
        .unwrap();
        assert_eq!(
            edit.action,
            QuoteAction::Edit {
                edit: QuoteEdit::SetDiscount {
                    discount: Discount::from_basis_points(500).unwrap()
                }
            }
        );
        assert!(
            serde_json::from_str::<QuoteCommand>(
                r#"{"expected_version":1,"action":{"action":"edit","edit":{"edit":"set_discount","discount":10001}}}"#
            )
            .is_err()
        );
    }
}
