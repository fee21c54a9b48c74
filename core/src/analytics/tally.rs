//! A count of records with their total amount: the cell of most report tables.

use serde::{Deserialize, Serialize};

use crate::money::{Currency, Money, MoneyError};

/// How many records, and their total amount in the reporting currency.
///
/// ```
/// use dealflow_core::analytics::Tally;
/// use dealflow_core::{Currency, Money};
/// let mut signed = Tally::zero(Currency::CNY);
/// signed.add(Money::new(100_00, Currency::CNY))?;
/// signed.add(Money::new(50_01, Currency::CNY))?;
/// assert_eq!((signed.count, signed.amount.minor()), (2, 150_01));
/// assert_eq!(signed.average().unwrap().minor(), 75_01); // 75.005 rounds half away from zero
/// # Ok::<(), dealflow_core::MoneyError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Tally {
    /// Number of records.
    pub count: u64,
    /// Their total amount.
    pub amount: Money,
}

impl Tally {
    /// No records.
    pub const fn zero(currency: Currency) -> Self {
        Tally {
            count: 0,
            amount: Money::zero(currency),
        }
    }

    /// Counts one more record of `amount` (which must be in the tally's currency).
    pub fn add(&mut self, amount: Money) -> Result<(), MoneyError> {
        self.amount = self.amount.checked_add(amount)?;
        self.count += 1;
        Ok(())
    }

    /// Adds another tally.
    pub fn merge(&mut self, other: Tally) -> Result<(), MoneyError> {
        self.amount = self.amount.checked_add(other.amount)?;
        self.count += other.count;
        Ok(())
    }

    /// The mean amount, rounded half away from zero; `None` for no records.
    pub fn average(&self) -> Option<Money> {
        let count = i64::try_from(self.count).ok()?;
        if count == 0 {
            return None;
        }
        self.amount.mul_ratio(1, count).ok()
    }
}

/// Adds `amount` to `total` (same currency); the running sum of report columns.
pub(crate) fn add_to(total: &mut Money, amount: Money) -> Result<(), MoneyError> {
    *total = total.checked_add(amount)?;
    Ok(())
}
