//! Contracts (合同): created from an accepted quote, signed once, and signing wins the deal.
//!
//! Signing goes through [`Pipeline::move_deal`] with [`MoveTarget::Won`], so the pipeline's exit
//! criteria still apply: if the move is rejected, neither the contract nor the deal changes and
//! the error carries every problem of the move.

mod error;

use serde::{Deserialize, Serialize};
use time::Date;

pub use error::{ContractError, ContractProblem};

use crate::deal::{Deal, DealStatus};
use crate::i18n::LocalizedText;
use crate::id::{ContractId, DealId, QuoteId, RecordId, UserId};
use crate::money::Money;
use crate::pipeline::{MoveContext, MoveOutcome, MoveTarget, Pipeline};
use crate::quote::{Quote, QuoteStatus};
use crate::timestamp::Timestamp;

/// A contract for a deal, made from the quote the customer accepted.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Contract {
    /// Identifier.
    pub id: ContractId,
    /// Contract number as printed (合同编号), e.g. `HT-2026-0042`.
    pub number: String,
    /// The deal.
    pub deal: DealId,
    /// The accepted quote it was made from.
    pub quote: QuoteId,
    /// The parties: at least one buyer and one seller.
    pub parties: Vec<Party>,
    /// The contract amount: the quote's total including tax. Payment plans sum to it exactly.
    pub amount: Money,
    /// Draft or signed.
    pub status: ContractStatus,
    /// The signing, once signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing: Option<Signing>,
    /// When the contract was created.
    pub created_at: Timestamp,
    /// Who created it.
    pub created_by: UserId,
}

/// A party to a contract.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Party {
    /// The party's role.
    pub role: PartyRole,
    /// Company or person name, as registered.
    pub name: String,
    /// The person signing for it (法定代表人或授权代表).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub representative: Option<String>,
}

/// The role of a contract party.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyRole {
    /// The customer (usually 甲方 in Chinese contracts).
    Buyer,
    /// Our company (usually 乙方).
    Seller,
    /// Anyone else: guarantor, reseller, end user.
    Other,
}

/// Draft or signed.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContractStatus {
    /// Drawn up, not yet signed (待签).
    Draft,
    /// Signed by the parties (已签).
    Signed,
}

/// What is needed to draw up a contract from a quote.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct NewContract {
    /// Identifier.
    pub id: ContractId,
    /// Contract number as printed.
    pub number: String,
    /// The parties.
    pub parties: Vec<Party>,
}

/// The signing as the user reports it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ContractSignature {
    /// The date on the signed contract (not later than today).
    pub signed_on: Date,
    /// Reference to the signed file: an opaque storage key, URL or content hash.
    pub file: String,
}

/// A recorded signing.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Signing {
    /// The date on the signed contract.
    pub signed_on: Date,
    /// Reference to the signed file.
    pub file: String,
    /// Who recorded the signing.
    pub by: UserId,
    /// When it was recorded.
    pub at: Timestamp,
}

impl Contract {
    /// Draws up a contract from an accepted quote: the amount is the quote's total including
    /// tax. Checks the number, the parties (a buyer and a seller, named) and a positive amount,
    /// listing every problem.
    pub fn from_quote(
        quote: &Quote,
        new: NewContract,
        by: UserId,
        now: Timestamp,
    ) -> Result<Contract, ContractError> {
        if quote.status != QuoteStatus::Accepted {
            return Err(ContractError::QuoteNotAccepted {
                quote: quote.id.clone(),
                status: quote.status,
            });
        }
        let amount = quote.totals()?.total;
        let contract = Contract {
            id: new.id,
            number: new.number.trim().to_owned(),
            deal: quote.deal.clone(),
            quote: quote.id.clone(),
            parties: new.parties,
            amount,
            status: ContractStatus::Draft,
            signing: None,
            created_at: now,
            created_by: by,
        };
        contract.validate()?;
        Ok(contract)
    }

    /// Checks a contract, e.g. one that arrived as data: every problem is listed.
    pub fn validate(&self) -> Result<(), ContractError> {
        let mut problems = Vec::new();
        if self.number.trim().is_empty() {
            problems.push(ContractProblem::EmptyNumber);
        }
        if !self
            .parties
            .iter()
            .any(|party| party.role == PartyRole::Buyer)
        {
            problems.push(ContractProblem::NoBuyer);
        }
        if !self
            .parties
            .iter()
            .any(|party| party.role == PartyRole::Seller)
        {
            problems.push(ContractProblem::NoSeller);
        }
        if self
            .parties
            .iter()
            .any(|party| party.name.trim().is_empty())
        {
            problems.push(ContractProblem::UnnamedParty);
        }
        if !self.amount.is_positive() {
            problems.push(ContractProblem::AmountNotPositive);
        }
        if (self.status == ContractStatus::Signed) != self.signing.is_some() {
            problems.push(ContractProblem::SigningMismatch);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ContractError::Invalid {
                contract: self.id.clone(),
                problems,
            })
        }
    }

    /// Records the signing and marks the deal won through `pipeline` (as `ctx.by`, at
    /// `ctx.now`); the deal's amount becomes the contract amount, logged as change
    /// `<transition id>.amount`.
    ///
    /// Returns the move, or `None` when the deal was already won. If the pipeline rejects the
    /// move, neither the contract nor the deal changes and the error lists the move's problems
    /// ([`ContractError::Pipeline`] with
    /// [`PipelineError::MoveRejected`](crate::PipelineError::MoveRejected)).
    pub fn sign(
        &mut self,
        deal: &mut Deal,
        pipeline: &Pipeline,
        signature: &ContractSignature,
        ctx: &MoveContext,
    ) -> Result<Option<MoveOutcome>, ContractError> {
        if self.status == ContractStatus::Signed {
            return Err(ContractError::AlreadySigned {
                contract: self.id.clone(),
            });
        }
        if deal.id != self.deal {
            return Err(ContractError::WrongDeal {
                contract: self.id.clone(),
                expected: self.deal.clone(),
                actual: deal.id.clone(),
            });
        }
        let file = signature.file.trim();
        if file.is_empty() {
            return Err(ContractError::SignedFileMissing {
                contract: self.id.clone(),
            });
        }
        let today = ctx.now.date_at(ctx.offset);
        if signature.signed_on > today {
            return Err(ContractError::SigningDateInFuture {
                contract: self.id.clone(),
                signed_on: signature.signed_on,
            });
        }
        // Work on a copy so a rejected move leaves the deal exactly as it was.
        let mut won = deal.clone();
        let change_id = RecordId::new(format!("{}.amount", ctx.transition_id))?;
        won.set_amount(self.amount, ctx.by.clone(), ctx.now, change_id);
        let outcome = if won.status() == DealStatus::Won {
            None
        } else {
            Some(pipeline.move_deal(&mut won, &MoveTarget::Won, ctx)?)
        };
        *deal = won;
        self.status = ContractStatus::Signed;
        self.signing = Some(Signing {
            signed_on: signature.signed_on,
            file: file.to_owned(),
            by: ctx.by.clone(),
            at: ctx.now,
        });
        Ok(outcome)
    }
}

impl PartyRole {
    /// The role in both languages.
    pub fn label(self) -> LocalizedText {
        let (zh_cn, en) = match self {
            PartyRole::Buyer => ("买方", "buyer"),
            PartyRole::Seller => ("卖方", "seller"),
            PartyRole::Other => ("其他方", "other party"),
        };
        LocalizedText::new(zh_cn, en)
    }
}

impl ContractStatus {
    /// The status in both languages.
    pub fn label(self) -> LocalizedText {
        match self {
            ContractStatus::Draft => LocalizedText::new("待签", "draft"),
            ContractStatus::Signed => LocalizedText::new("已签", "signed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Locale, Localized};
    use crate::money::Currency;

    fn contract() -> Contract {
        Contract {
            id: ContractId::new("c").unwrap(),
            number: "HT-1".into(),
            deal: DealId::new("d").unwrap(),
            quote: QuoteId::new("q").unwrap(),
            parties: vec![
                Party {
                    role: PartyRole::Buyer,
                    name: "客户".into(),
                    representative: None,
                },
                Party {
                    role: PartyRole::Seller,
                    name: "我方".into(),
                    representative: None,
                },
            ],
            amount: Money::new(1, Currency::CNY),
            status: ContractStatus::Draft,
            signing: None,
            created_at: Timestamp::from_millis(0),
            created_by: UserId::new("rep").unwrap(),
        }
    }

    #[test]
    fn stored_contracts_are_checked() {
        assert_eq!(contract().validate(), Ok(()));
        let corrupt = Contract {
            status: ContractStatus::Signed,
            amount: Money::new(0, Currency::CNY),
            ..contract()
        };
        let err = corrupt.validate().unwrap_err();
        assert_eq!(
            err,
            ContractError::Invalid {
                contract: ContractId::new("c").unwrap(),
                problems: vec![
                    ContractProblem::AmountNotPositive,
                    ContractProblem::SigningMismatch
                ],
            }
        );
        assert_eq!(
            err.to_string(),
            "contract c is invalid: the contract amount must be above zero; the signed status and the signing record disagree"
        );
        assert_eq!(
            err.localized(Locale::ZhCn),
            "合同 c 信息有误：合同金额须大于零；签署状态与签署记录不一致"
        );
    }

    #[test]
    fn contracts_round_trip_through_serde() {
        let json = serde_json::to_string(&contract()).unwrap();
        assert!(json.contains(r#""role":"buyer""#));
        assert_eq!(serde_json::from_str::<Contract>(&json).unwrap(), contract());
    }
}
