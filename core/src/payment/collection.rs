//! What has been received, what is outstanding and how long it is overdue, as of a date.

use serde::{Deserialize, Serialize};
use time::Date;

use super::{PaymentError, PaymentPlan};
use crate::i18n::LocalizedText;
use crate::id::RecordId;
use crate::money::{Currency, Money, MoneyError};

/// The collection status of a plan on a day.
///
/// Invariant: `received + outstanding = total`; `credit` is over-payment on top.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct CollectionStatus {
    /// The day the figures are for.
    pub as_of: Date,
    /// The contract amount.
    pub total: Money,
    /// Received and applied to instalments (at most each instalment's amount).
    pub received: Money,
    /// Still to be received.
    pub outstanding: Money,
    /// Received beyond the instalments' amounts (over-payment), not applied to anything.
    pub credit: Money,
    /// The overdue part of `outstanding`, by how long it is overdue.
    pub overdue: AgeBuckets,
    /// Each instalment's figures, in plan order.
    pub instalments: Vec<InstalmentStatus>,
}

/// The collection status of one instalment.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct InstalmentStatus {
    /// The instalment.
    pub id: RecordId,
    /// Its due date.
    pub due: Date,
    /// Its amount.
    pub amount: Money,
    /// Received against it, up to its amount.
    pub received: Money,
    /// Still to be received.
    pub outstanding: Money,
    /// Received against it beyond its amount.
    pub credit: Money,
    /// Days since the due date while something is outstanding; 0 when not overdue.
    pub days_past_due: i64,
    /// The age bucket when overdue.
    pub bucket: Option<AgeBucket>,
    /// Paid, partly paid or unpaid.
    pub state: InstalmentState,
}

/// How much of an instalment has arrived.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstalmentState {
    /// Nothing received (未回款).
    Unpaid,
    /// Some received (部分回款).
    PartlyPaid,
    /// Fully received (已回款).
    Paid,
}

/// How long an amount is overdue. An instalment is overdue from the day after its due date, so
/// the first bucket holds 1 to 30 days past due.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeBucket {
    /// 1–30 days past due.
    Days0To30,
    /// 31–60 days past due.
    Days31To60,
    /// 61–90 days past due.
    Days61To90,
    /// More than 90 days past due.
    Over90,
}

/// Overdue amounts by [`AgeBucket`].
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AgeBuckets {
    /// 1–30 days past due.
    pub days_0_30: Money,
    /// 31–60 days past due.
    pub days_31_60: Money,
    /// 61–90 days past due.
    pub days_61_90: Money,
    /// More than 90 days past due.
    pub over_90: Money,
}

impl AgeBucket {
    /// The buckets from youngest to oldest.
    pub const ALL: [AgeBucket; 4] = [
        AgeBucket::Days0To30,
        AgeBucket::Days31To60,
        AgeBucket::Days61To90,
        AgeBucket::Over90,
    ];

    /// The bucket for an amount `days` past due, or `None` when it is not overdue (`days ≤ 0`).
    pub fn for_days_past_due(days: i64) -> Option<AgeBucket> {
        match days {
            ..=0 => None,
            1..=30 => Some(AgeBucket::Days0To30),
            31..=60 => Some(AgeBucket::Days31To60),
            61..=90 => Some(AgeBucket::Days61To90),
            _ => Some(AgeBucket::Over90),
        }
    }

    /// The bucket's label in both languages.
    pub fn label(self) -> LocalizedText {
        let (zh_cn, en) = match self {
            AgeBucket::Days0To30 => ("逾期 0–30 天", "0–30 days overdue"),
            AgeBucket::Days31To60 => ("逾期 31–60 天", "31–60 days overdue"),
            AgeBucket::Days61To90 => ("逾期 61–90 天", "61–90 days overdue"),
            AgeBucket::Over90 => ("逾期 90 天以上", "over 90 days overdue"),
        };
        LocalizedText::new(zh_cn, en)
    }
}

impl AgeBuckets {
    /// All buckets at zero.
    pub fn zero(currency: Currency) -> Self {
        let zero = Money::zero(currency);
        AgeBuckets {
            days_0_30: zero,
            days_31_60: zero,
            days_61_90: zero,
            over_90: zero,
        }
    }

    /// The amount in `bucket`.
    pub fn get(&self, bucket: AgeBucket) -> Money {
        match bucket {
            AgeBucket::Days0To30 => self.days_0_30,
            AgeBucket::Days31To60 => self.days_31_60,
            AgeBucket::Days61To90 => self.days_61_90,
            AgeBucket::Over90 => self.over_90,
        }
    }

    /// Everything overdue.
    pub fn total(&self) -> Result<Money, MoneyError> {
        Money::sum(
            self.days_0_30.currency(),
            AgeBucket::ALL.map(|bucket| self.get(bucket)),
        )
    }

    fn add(&mut self, bucket: AgeBucket, amount: Money) -> Result<(), MoneyError> {
        let slot = match bucket {
            AgeBucket::Days0To30 => &mut self.days_0_30,
            AgeBucket::Days31To60 => &mut self.days_31_60,
            AgeBucket::Days61To90 => &mut self.days_61_90,
            AgeBucket::Over90 => &mut self.over_90,
        };
        *slot = slot.checked_add(amount)?;
        Ok(())
    }
}

impl PaymentPlan {
    /// The collection status as of `today`: receipts dated after `today` are not counted yet,
    /// so a past date gives the figures as they stood then.
    ///
    /// A receipt whose instalment is missing (possible only in corrupt data) counts as credit:
    /// the money arrived, so it is not dropped.
    pub fn collection(&self, today: Date) -> Result<CollectionStatus, PaymentError> {
        self.check_instalments()?;
        let currency = self.total.currency();
        let zero = Money::zero(currency);
        let mut paid: Vec<Money> = vec![zero; self.instalments.len()];
        let mut unapplied = zero;
        for receipt in self.receipts.values() {
            if receipt.received_on > today {
                continue;
            }
            let target = self
                .instalments
                .iter()
                .position(|instalment| instalment.id == receipt.instalment)
                .and_then(|index| paid.get_mut(index));
            match target {
                Some(paid) => *paid = paid.checked_add(receipt.amount)?,
                None => unapplied = unapplied.checked_add(receipt.amount)?,
            }
        }
        let mut status = CollectionStatus {
            as_of: today,
            total: self.total,
            received: zero,
            outstanding: zero,
            credit: unapplied,
            overdue: AgeBuckets::zero(currency),
            instalments: Vec::with_capacity(self.instalments.len()),
        };
        for (instalment, paid) in self.instalments.iter().zip(paid) {
            let received = if paid.minor() > instalment.amount.minor() {
                instalment.amount
            } else {
                paid
            };
            let outstanding = instalment.amount.checked_sub(received)?;
            let credit = paid.checked_sub(received)?;
            let days_past_due = if outstanding.is_positive() {
                (today - instalment.due).whole_days().max(0)
            } else {
                0
            };
            let bucket = AgeBucket::for_days_past_due(days_past_due);
            if let Some(bucket) = bucket {
                status.overdue.add(bucket, outstanding)?;
            }
            status.received = status.received.checked_add(received)?;
            status.outstanding = status.outstanding.checked_add(outstanding)?;
            status.credit = status.credit.checked_add(credit)?;
            status.instalments.push(InstalmentStatus {
                id: instalment.id.clone(),
                due: instalment.due,
                amount: instalment.amount,
                received,
                outstanding,
                credit,
                days_past_due,
                bucket,
                state: if !outstanding.is_positive() {
                    InstalmentState::Paid
                } else if received.is_positive() {
                    InstalmentState::PartlyPaid
                } else {
                    InstalmentState::Unpaid
                },
            });
        }
        Ok(status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_start_the_day_after_the_due_date() {
        let bucket = AgeBucket::for_days_past_due;
        assert_eq!(bucket(-5), None);
        assert_eq!(bucket(0), None);
        assert_eq!(bucket(1), Some(AgeBucket::Days0To30));
        assert_eq!(bucket(30), Some(AgeBucket::Days0To30));
        assert_eq!(bucket(31), Some(AgeBucket::Days31To60));
        assert_eq!(bucket(60), Some(AgeBucket::Days31To60));
        assert_eq!(bucket(61), Some(AgeBucket::Days61To90));
        assert_eq!(bucket(90), Some(AgeBucket::Days61To90));
        assert_eq!(bucket(91), Some(AgeBucket::Over90));
    }
}
