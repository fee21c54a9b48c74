//! Quotes (报价单) on a deal: revisions, lines priced from the catalogue, discounts, tax, exact
//! totals, discount approval and syncing to the deal.
//!
//! A [`Quote`] changes only through [`Quote::decide`], which checks the command's version
//! (compare-and-set) and the state machine, and returns the new quote with the event to log.
//! Totals follow one rounding rule, described on [`QuoteTotals`]: per line, half away from zero,
//! totals are sums of rounded lines.

mod approval;
mod command;
mod decide;
mod error;
mod line;
mod sync;
mod tax;
mod total;

use serde::{Deserialize, Serialize};
use time::{Date, UtcOffset};

pub use approval::{
    ApprovalDecision, ApprovalOutcome, ApprovalPolicy, ApprovalThreshold, Approver, PolicyProblem,
};
pub use command::{
    QuoteAction, QuoteActionKind, QuoteCommand, QuoteContext, QuoteEdit, QuoteEvent, QuoteEventKind,
};
pub use error::QuoteError;
pub use line::{LinePrice, QuoteLine};
pub use tax::{TaxBasis, TaxRate};
pub use total::{LineTotals, QuoteTotals};

use crate::catalog::Catalog;
use crate::i18n::LocalizedText;
use crate::id::{DealId, QuoteId, RecordId, UserId};
use crate::money::{Currency, Discount};
use crate::timestamp::Timestamp;

/// A quote on a deal: one revision (V1, V2, …) with its lines, discounts, tax, validity date,
/// approval state and log.
///
/// # From quote to cash
///
/// A quote with a 15 % discount needs the owner's manager; once the customer accepts it, the
/// signed contract wins the deal, and the payment plan collects the contract amount.
///
/// ```
/// use dealflow_core::*;
/// use time::macros::{date, offset};
///
/// let day = |n: i64| Timestamp::start_of_day(date!(2026 - 03 - 01), offset!(+8)).plus_days(n);
/// let cny = |major| Money::from_major(major, Currency::CNY);
///
/// // The catalogue: CRM seats at ¥1,000.00 a year, 13 % VAT.
/// let mut catalog = Catalog::new(Currency::CNY);
/// catalog.insert_product(Product {
///     tax_rate: TaxRate::from_basis_points(1_300)?,
///     ..Product::new(
///         ProductId::new("crm-seat")?,
///         "CRM-SEAT-Y",
///         LocalizedText::new("CRM 用户许可（年）", "CRM user licence (year)"),
///         LocalizedText::new("用户/年", "user/year"),
///         cny(1_000)?,
///     )
/// });
/// // Discounts above 10 % need the manager (level 1), above 20 % the director (level 2).
/// let policy = ApprovalPolicy {
///     thresholds: vec![
///         ApprovalThreshold { above: Discount::from_basis_points(1_000)?, level: 1 },
///         ApprovalThreshold { above: Discount::from_basis_points(2_000)?, level: 2 },
///     ],
/// };
///
/// // A deal in the solution-sales pipeline (stages may be skipped).
/// let pipeline = Pipeline::template_solution_sales();
/// let rep = UserId::new("rep-li")?;
/// let move_ctx = |n: i64, id: &str| -> Result<MoveContext, Error> {
///     Ok(MoveContext { now: day(n), offset: offset!(+8), by: rep.clone(), transition_id: RecordId::new(id)? })
/// };
/// let (mut deal, _) = pipeline.open_deal(
///     NewDeal {
///         id: DealId::new("deal-1")?,
///         title: "华东电网 CRM 二期".into(),
///         account: Account { name: "华东电网".into(), ..Account::default() },
///         amount: cny(100_000)?,
///         expected_close: None,
///         owner: rep.clone(),
///         team: None,
///         source: None,
///         stage: None,
///     },
///     &move_ctx(0, "t1")?,
/// )?;
///
/// // 1. The rep quotes 100 seats with 15 % off and submits: it needs the manager.
/// let mut quote = Quote::new(
///     NewQuote {
///         id: QuoteId::new("q-1")?,
///         deal: deal.id.clone(),
///         owner: rep.clone(),
///         currency: Currency::CNY,
///         valid_until: date!(2026 - 03 - 31),
///         tax_basis: TaxBasis::Exclusive,
///     },
///     day(0),
/// );
/// let as_rep = QuoteContext {
///     actor: Approver { user: rep.clone(), level: 0 },
///     now: day(1),
///     offset: offset!(+8),
/// };
/// let seats = QuoteLine::from_catalog(RecordId::new("l1")?, &catalog, &ProductId::new("crm-seat")?, 100, date!(2026 - 03 - 02))?
///     .with_discount(Discount::from_basis_points(1_500)?);
/// let edit = QuoteAction::Edit { edit: QuoteEdit::SetLine { line: Box::new(seats) } };
/// (quote, _) = quote.decide(&QuoteCommand { expected_version: quote.version, action: edit }, &policy, &as_rep)?;
/// (quote, _) = quote.decide(&QuoteCommand { expected_version: quote.version, action: QuoteAction::Submit }, &policy, &as_rep)?;
/// assert_eq!(quote.status, QuoteStatus::PendingApproval);
/// assert_eq!(quote.required_level, Some(1));
/// // 100 × 1,000.00 = 100,000.00; 15 % off = 85,000.00; VAT 13 % = 11,050.00; total 96,050.00
/// let totals = quote.totals()?;
/// assert_eq!((totals.net, totals.tax, totals.total), (cny(85_000)?, cny(11_050)?, cny(96_050)?));
///
/// // 2. The manager approves; the rep sends it and records the customer's acceptance.
/// let as_manager = QuoteContext {
///     actor: Approver { user: UserId::new("mgr-wang")?, level: 1 },
///     ..as_rep.clone()
/// };
/// let approve = QuoteCommand { expected_version: quote.version, action: QuoteAction::Approve { comment: "同意".into() } };
/// (quote, _) = quote.decide(&approve, &policy, &as_manager)?;
/// // A second approval made against the same version loses: the decision is exclusive.
/// let late = quote.decide(&approve, &policy, &as_manager);
/// assert_eq!(late.unwrap_err().code(), ErrorCode::StaleQuote);
/// for action in [QuoteAction::Send, QuoteAction::Accept] {
///     (quote, _) = quote.decide(&QuoteCommand { expected_version: quote.version, action }, &policy, &as_rep)?;
/// }
/// quote.sync_to_deal(&mut deal, rep.clone(), day(2), RecordId::new("amount-1")?)?;
/// assert_eq!(deal.amount, cny(96_050)?);
///
/// // 3. The contract from the accepted quote; signing it wins the deal, through the pipeline's
/// //    rules: while the needs are not written down, signing changes nothing.
/// let mut contract = Contract::from_quote(
///     &quote,
///     NewContract {
///         id: ContractId::new("c-1")?,
///         number: "HT-2026-0042".into(),
///         parties: vec![
///             Party { role: PartyRole::Seller, name: "示例软件有限公司".into(), representative: None },
///             Party { role: PartyRole::Buyer, name: "华东电网".into(), representative: Some("张总".into()) },
///         ],
///     },
///     rep.clone(),
///     day(3),
/// )?;
/// let signature = ContractSignature { signed_on: date!(2026 - 03 - 05), file: "sha256:9f2c…".into() };
/// let refused = contract.sign(&mut deal, &pipeline, &signature, &move_ctx(4, "t2")?);
/// assert_eq!(refused.unwrap_err().code(), ErrorCode::MoveRejected);
/// assert_eq!((contract.status, deal.status()), (ContractStatus::Draft, DealStatus::Open));
/// // The missing needs and the returned signed copy (the template's last exit criterion).
/// deal.needs = "统一客户服务平台".into();
/// deal.tick_checklist(&pipeline, "contract_signed", rep.clone(), day(4))?;
/// contract.sign(&mut deal, &pipeline, &signature, &move_ctx(4, "t3")?)?;
/// assert_eq!((contract.status, deal.status()), (ContractStatus::Signed, DealStatus::Won));
///
/// // 4. A 30/60/10 payment plan (首付款/验收款/尾款) summing exactly to 96,050.00.
/// let schedule = [("p1", "首付款", date!(2026 - 03 - 15)), ("p2", "验收款", date!(2026 - 06 - 30)), ("p3", "尾款", date!(2027 - 03 - 31))]
///     .into_iter()
///     .map(|(id, label, due)| Ok(ScheduledInstalment { id: RecordId::new(id)?, label: label.into(), due }))
///     .collect::<Result<Vec<_>, Error>>()?;
/// let mut plan = PaymentPlan::split(&contract, schedule, &Split::BasisPoints(vec![3_000, 6_000, 1_000]))?;
/// let amounts: Vec<Money> = plan.instalments.iter().map(|instalment| instalment.amount).collect();
/// assert_eq!(amounts, [cny(28_815)?, cny(57_630)?, cny(9_605)?]);
///
/// // 5. Receipts: the down payment arrives in two parts, the second one late.
/// for (id, major, on) in [("r1", 20_000, date!(2026 - 03 - 14)), ("r2", 8_815, date!(2026 - 04 - 20))] {
///     plan.record_receipt(Receipt {
///         id: RecordId::new(id)?,
///         instalment: RecordId::new("p1")?,
///         amount: cny(major)?,
///         received_on: on,
///         reference: String::new(),
///         recorded_by: rep.clone(),
///         recorded_at: day(40),
///     })?;
/// }
/// let on_april_1 = plan.collection(date!(2026 - 04 - 01))?;
/// assert_eq!(on_april_1.received, cny(20_000)?);
/// assert_eq!(on_april_1.overdue.days_0_30, cny(8_815)?); // 17 days past due
/// let on_may_1 = plan.collection(date!(2026 - 05 - 01))?;
/// assert_eq!(on_may_1.received, cny(28_815)?);
/// assert_eq!(on_may_1.outstanding, cny(67_235)?);
/// assert_eq!(on_may_1.overdue.total()?, Money::zero(Currency::CNY));
/// # Ok::<(), dealflow_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Quote {
    /// Identifier of this revision.
    pub id: QuoteId,
    /// The deal quoted for.
    pub deal: DealId,
    /// The rep who owns the quote; approval levels are relative to them.
    pub owner: UserId,
    /// Revision number shown to the customer (1 for V1).
    pub revision: u32,
    /// The revision this one copies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<QuoteId>,
    /// Concurrency version: every command names it and every change increments it.
    pub version: u64,
    /// The currency of every amount on the quote.
    pub currency: Currency,
    /// Lines, in the order shown.
    pub lines: Vec<QuoteLine>,
    /// Whole-quote discount, spread over the lines.
    #[serde(default)]
    pub discount: Discount,
    /// Whether prices include tax.
    #[serde(default)]
    pub tax_basis: TaxBasis,
    /// Last day the offer is valid, in the organisation's time zone.
    pub valid_until: Date,
    /// Where the quote is in its life.
    pub status: QuoteStatus,
    /// While pending: the approval level the discount needed at submission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_level: Option<u8>,
    /// The approval decision, once made; cleared by an edit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<ApprovalDecision>,
    /// Everything that happened, in order.
    pub events: Vec<QuoteEvent>,
}

/// Where a quote is in its life.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuoteStatus {
    /// Being written (草稿).
    Draft,
    /// Waiting for a manager's approval (待审批).
    PendingApproval,
    /// Approved, or needing no approval (已批准).
    Approved,
    /// Rejected by the approver, with a comment (已驳回).
    Rejected,
    /// Sent to the customer (已发送).
    Sent,
    /// Accepted by the customer (客户已接受).
    Accepted,
    /// Past its validity date without acceptance (已过期).
    Expired,
    /// Replaced by a newer revision (已被新版本替代).
    Superseded,
}

/// What is needed to start a quote.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct NewQuote {
    /// Identifier.
    pub id: QuoteId,
    /// The deal.
    pub deal: DealId,
    /// The owning rep.
    pub owner: UserId,
    /// Currency of all amounts.
    pub currency: Currency,
    /// Last valid day.
    pub valid_until: Date,
    /// Whether prices include tax.
    pub tax_basis: TaxBasis,
}

impl Quote {
    /// An empty draft (revision 1, version 1) created by the owner at `now`.
    pub fn new(new: NewQuote, now: Timestamp) -> Quote {
        Quote {
            id: new.id,
            deal: new.deal,
            owner: new.owner.clone(),
            revision: 1,
            previous: None,
            version: 1,
            currency: new.currency,
            lines: Vec::new(),
            discount: Discount::NONE,
            tax_basis: new.tax_basis,
            valid_until: new.valid_until,
            status: QuoteStatus::Draft,
            required_level: None,
            decision: None,
            events: vec![QuoteEvent {
                version: 1,
                at: now,
                by: new.owner,
                kind: QuoteEventKind::Created { previous: None },
            }],
        }
    }

    /// A new revision that copies this one's content as a draft (revision + 1, version 1).
    ///
    /// This quote is not changed: close it with [`QuoteAction::Supersede`] so it can no longer be
    /// sent or accepted.
    pub fn revise(&self, id: QuoteId, by: UserId, now: Timestamp) -> Result<Quote, QuoteError> {
        let revision =
            self.revision
                .checked_add(1)
                .ok_or_else(|| QuoteError::VersionExhausted {
                    quote: self.id.clone(),
                })?;
        Ok(Quote {
            id,
            revision,
            previous: Some(self.id.clone()),
            version: 1,
            status: QuoteStatus::Draft,
            required_level: None,
            decision: None,
            events: vec![QuoteEvent {
                version: 1,
                at: now,
                by,
                kind: QuoteEventKind::Created {
                    previous: Some(self.id.clone()),
                },
            }],
            ..self.clone()
        })
    }

    /// The line with `id`.
    pub fn line(&self, id: &RecordId) -> Option<&QuoteLine> {
        self.lines.iter().find(|line| &line.id == id)
    }

    /// The status as the user should see it at `now`: an approved or sent quote past its
    /// validity date shows as expired before anyone records [`QuoteAction::Expire`].
    pub fn status_at(&self, now: Timestamp, offset: UtcOffset) -> QuoteStatus {
        let expired = now.date_at(offset) > self.valid_until;
        match self.status {
            QuoteStatus::Approved | QuoteStatus::Sent if expired => QuoteStatus::Expired,
            status => status,
        }
    }

    /// Checks every catalogue snapshot on the quote against `catalog`: each priced line must
    /// price the same today as it did on its date. The server calls this before submission so a
    /// client cannot claim a catalogue price (and so a smaller discount) that the catalogue
    /// does not give.
    pub fn verify_prices(&self, catalog: &Catalog) -> Result<(), QuoteError> {
        for line in &self.lines {
            if let Some(snapshot) = line.catalog_price() {
                let repriced = catalog.price(&snapshot.product, snapshot.quantity, snapshot.on)?;
                if repriced != *snapshot {
                    return Err(QuoteError::PriceMismatch {
                        quote: self.id.clone(),
                        line: line.id.clone(),
                    });
                }
            }
        }
        Ok(())
    }
}

impl QuoteStatus {
    /// The status in both languages.
    pub fn label(self) -> LocalizedText {
        let (zh_cn, en) = match self {
            QuoteStatus::Draft => ("草稿", "draft"),
            QuoteStatus::PendingApproval => ("待审批", "pending approval"),
            QuoteStatus::Approved => ("已批准", "approved"),
            QuoteStatus::Rejected => ("已驳回", "rejected"),
            QuoteStatus::Sent => ("已发送", "sent"),
            QuoteStatus::Accepted => ("客户已接受", "accepted"),
            QuoteStatus::Expired => ("已过期", "expired"),
            QuoteStatus::Superseded => ("已被新版本替代", "superseded"),
        };
        LocalizedText::new(zh_cn, en)
    }

    /// Whether the content may still change (draft, pending, approved or rejected; an edit
    /// sends it back to draft). Sent and later quotes change only through a new revision.
    pub fn is_editable(self) -> bool {
        matches!(
            self,
            QuoteStatus::Draft
                | QuoteStatus::PendingApproval
                | QuoteStatus::Approved
                | QuoteStatus::Rejected
        )
    }
}
