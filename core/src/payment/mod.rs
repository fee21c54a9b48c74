//! Payment plans (收款计划) and receipts (回款): instalments that sum exactly to the contract
//! amount, receipts recorded against them, and what is received, outstanding and overdue.

mod collection;
mod error;
mod split;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use time::Date;

pub use collection::{AgeBucket, AgeBuckets, CollectionStatus, InstalmentState, InstalmentStatus};
pub use error::PaymentError;
pub use split::{MAX_INSTALMENTS, Split, split_by_basis_points, split_equal};

use crate::contract::Contract;
use crate::id::{ContractId, RecordId, UserId};
use crate::money::{Money, MoneyError};
use crate::timestamp::Timestamp;

/// The instalments of a contract and the receipts recorded against them.
///
/// A plan keeps the raw facts, the instalments and the receipts (keyed by id, so
/// receipts recorded on two devices merge), and computes everything else on demand with
/// [`PaymentPlan::collection`]: a pure function of the plan and the date, so the figures are the
/// same on every device and can be taken "as of" any day.
///
/// Receipts are recorded against one instalment. What exceeds the instalment's amount is kept as
/// **credit** (over-payment): it is not moved silently to the next instalment, since finance
/// decides whether to refund it or apply it. So `received + outstanding = total` always, and
/// credit is reported separately.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PaymentPlan {
    /// The contract.
    pub contract: ContractId,
    /// The contract amount; the instalments sum to it exactly.
    pub total: Money,
    /// Instalments, in the order agreed.
    pub instalments: Vec<Instalment>,
    /// Receipts, keyed by id.
    #[serde(default)]
    pub receipts: BTreeMap<RecordId, Receipt>,
}

/// One agreed payment.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Instalment {
    /// Identifier within the plan.
    pub id: RecordId,
    /// What it is for, as agreed (首付款, 验收款, 尾款, …).
    pub label: String,
    /// When it is due.
    pub due: Date,
    /// How much is due (positive).
    pub amount: Money,
}

/// An instalment before its amount is known, for [`PaymentPlan::split`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ScheduledInstalment {
    /// Identifier within the plan.
    pub id: RecordId,
    /// What it is for.
    pub label: String,
    /// When it is due.
    pub due: Date,
}

/// Money received from the customer against an instalment.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Receipt {
    /// Identifier within the plan.
    pub id: RecordId,
    /// The instalment it pays.
    pub instalment: RecordId,
    /// How much arrived (positive, in the contract's currency).
    pub amount: Money,
    /// The value date of the payment.
    pub received_on: Date,
    /// Bank reference or voucher number.
    #[serde(default)]
    pub reference: String,
    /// Who recorded it.
    pub recorded_by: UserId,
    /// When it was recorded.
    pub recorded_at: Timestamp,
}

impl PaymentPlan {
    /// A plan with custom instalments, which must sum exactly to the contract amount.
    pub fn new(
        contract: &Contract,
        instalments: Vec<Instalment>,
    ) -> Result<PaymentPlan, PaymentError> {
        let plan = PaymentPlan {
            contract: contract.id.clone(),
            total: contract.amount,
            instalments,
            receipts: BTreeMap::new(),
        };
        plan.check_instalments()?;
        Ok(plan)
    }

    /// A plan whose amounts come from `split` over the schedule's instalments.
    ///
    /// ```
    /// use dealflow_core::*;
    /// # fn contract(amount: Money) -> Result<Contract, Error> {
    /// #     Ok(Contract {
    /// #         id: ContractId::new("c")?, number: "HT-1".into(), deal: DealId::new("d")?,
    /// #         quote: QuoteId::new("q")?, parties: vec![], amount, status: ContractStatus::Draft,
    /// #         signing: None, created_at: Timestamp::from_millis(0), created_by: UserId::new("u")?,
    /// #     })
    /// # }
    /// use time::macros::date;
    /// let contract = contract(Money::new(100_00, Currency::CNY))?; // ¥100.00
    /// let schedule = ["m1", "m2", "m3"]
    ///     .into_iter()
    ///     .zip([date!(2026 - 01 - 31), date!(2026 - 02 - 28), date!(2026 - 03 - 31)])
    ///     .map(|(id, due)| Ok(ScheduledInstalment { id: RecordId::new(id)?, label: String::new(), due }))
    ///     .collect::<Result<Vec<_>, Error>>()?;
    /// let plan = PaymentPlan::split(&contract, schedule, &Split::Equal)?;
    /// let amounts: Vec<i64> = plan.instalments.iter().map(|i| i.amount.minor()).collect();
    /// assert_eq!(amounts, [33_34, 33_33, 33_33]); // the first instalment takes the extra fen
    /// # Ok::<(), dealflow_core::Error>(())
    /// ```
    pub fn split(
        contract: &Contract,
        schedule: Vec<ScheduledInstalment>,
        split: &Split,
    ) -> Result<PaymentPlan, PaymentError> {
        let amounts = split.amounts(contract.amount, schedule.len())?;
        let instalments = schedule
            .into_iter()
            .zip(amounts)
            .map(|(scheduled, amount)| Instalment {
                id: scheduled.id,
                label: scheduled.label,
                due: scheduled.due,
                amount,
            })
            .collect();
        PaymentPlan::new(contract, instalments)
    }

    /// The instalment with `id`.
    pub fn instalment(&self, id: &RecordId) -> Option<&Instalment> {
        self.instalments
            .iter()
            .find(|instalment| &instalment.id == id)
    }

    /// Records a receipt against its instalment. Recording the same receipt again (same id,
    /// same content) changes nothing, so retries are safe; a different receipt under a used id
    /// is an error.
    pub fn record_receipt(&mut self, receipt: Receipt) -> Result<(), PaymentError> {
        self.check_receipt(&receipt)?;
        if let Some(existing) = self.receipts.get(&receipt.id) {
            if *existing == receipt {
                return Ok(());
            }
            return Err(PaymentError::DuplicateReceipt {
                receipt: receipt.id,
            });
        }
        self.receipts.insert(receipt.id.clone(), receipt);
        Ok(())
    }

    /// Removes a receipt recorded by mistake, returning it.
    pub fn remove_receipt(&mut self, id: &RecordId) -> Result<Receipt, PaymentError> {
        self.receipts
            .remove(id)
            .ok_or_else(|| PaymentError::UnknownReceipt {
                receipt: id.clone(),
            })
    }

    /// Checks a plan that arrived as data: the instalment rules of [`PaymentPlan::new`] and
    /// every receipt's instalment, currency and amount.
    pub fn validate(&self) -> Result<(), PaymentError> {
        self.check_instalments()?;
        for (key, receipt) in &self.receipts {
            if *key != receipt.id {
                return Err(PaymentError::UnknownReceipt {
                    receipt: key.clone(),
                });
            }
            self.check_receipt(receipt)?;
        }
        Ok(())
    }

    fn check_instalments(&self) -> Result<(), PaymentError> {
        if self.instalments.is_empty() {
            return Err(PaymentError::NoInstalments);
        }
        if self.instalments.len() > MAX_INSTALMENTS {
            return Err(PaymentError::TooManyInstalments {
                count: self.instalments.len(),
            });
        }
        let mut ids = BTreeSet::new();
        let mut sum = Money::zero(self.total.currency());
        for instalment in &self.instalments {
            if !ids.insert(&instalment.id) {
                return Err(PaymentError::DuplicateInstalment {
                    instalment: instalment.id.clone(),
                });
            }
            if instalment.amount.currency() != self.total.currency() {
                return Err(MoneyError::CurrencyMismatch {
                    expected: self.total.currency(),
                    found: instalment.amount.currency(),
                }
                .into());
            }
            if !instalment.amount.is_positive() {
                return Err(PaymentError::InstalmentNotPositive {
                    instalment: instalment.id.clone(),
                });
            }
            sum = sum.checked_add(instalment.amount)?;
        }
        if sum != self.total {
            return Err(PaymentError::InstalmentsDoNotSum {
                expected: self.total,
                actual: sum,
            });
        }
        Ok(())
    }

    fn check_receipt(&self, receipt: &Receipt) -> Result<(), PaymentError> {
        if self.instalment(&receipt.instalment).is_none() {
            return Err(PaymentError::UnknownInstalment {
                instalment: receipt.instalment.clone(),
            });
        }
        if receipt.amount.currency() != self.total.currency() {
            return Err(PaymentError::ReceiptCurrency {
                receipt: receipt.id.clone(),
                expected: self.total.currency(),
                found: receipt.amount.currency(),
            });
        }
        if !receipt.amount.is_positive() {
            return Err(PaymentError::ReceiptNotPositive {
                receipt: receipt.id.clone(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use time::macros::date;

    fn record(id: &str) -> RecordId {
        RecordId::new(id).unwrap()
    }

    fn plan() -> PaymentPlan {
        PaymentPlan {
            contract: ContractId::new("c").unwrap(),
            total: Money::new(100, Currency::CNY),
            instalments: vec![Instalment {
                id: record("i1"),
                label: "全款".into(),
                due: date!(2026 - 01 - 31),
                amount: Money::new(100, Currency::CNY),
            }],
            receipts: BTreeMap::new(),
        }
    }

    fn receipt(id: &str, instalment: &str) -> Receipt {
        Receipt {
            id: record(id),
            instalment: record(instalment),
            amount: Money::new(40, Currency::CNY),
            received_on: date!(2026 - 01 - 10),
            reference: String::new(),
            recorded_by: UserId::new("finance").unwrap(),
            recorded_at: Timestamp::from_millis(0),
        }
    }

    #[test]
    fn stored_receipts_are_checked() {
        let mut plan = plan();
        plan.receipts.insert(record("r1"), receipt("r1", "i1"));
        assert_eq!(plan.validate(), Ok(()));
        // A receipt stored under another key, or for a missing instalment (corrupt data).
        let mut misfiled = plan.clone();
        misfiled.receipts.insert(record("r2"), receipt("r3", "i1"));
        assert_eq!(
            misfiled.validate(),
            Err(PaymentError::UnknownReceipt {
                receipt: record("r2")
            })
        );
        let mut orphan = plan.clone();
        orphan.receipts.insert(record("r2"), receipt("r2", "gone"));
        assert_eq!(
            orphan.validate(),
            Err(PaymentError::UnknownInstalment {
                instalment: record("gone")
            })
        );
        // Collection still counts the orphan's money, as credit.
        let status = orphan.collection(date!(2026 - 02 - 01)).unwrap();
        assert_eq!(status.received, Money::new(40, Currency::CNY));
        assert_eq!(status.credit, Money::new(40, Currency::CNY));
        assert_eq!(status.outstanding, Money::new(60, Currency::CNY));
    }
}
