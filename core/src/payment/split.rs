//! Splitting a contract amount into instalments without losing a minor unit.

use serde::{Deserialize, Serialize};

use super::PaymentError;
use crate::money::Money;

/// The most instalments a plan may have (a monthly plan over 80 years); bounds the work and
/// memory an untrusted count can cause.
pub const MAX_INSTALMENTS: usize = 1_000;

/// How a total is divided among instalments.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", content = "values", rename_all = "snake_case")]
pub enum Split {
    /// Equal parts; see [`split_equal`].
    Equal,
    /// Shares in basis points summing to 10 000 (e.g. 30/60/10 %); see
    /// [`split_by_basis_points`].
    BasisPoints(Vec<u16>),
    /// Amounts given by hand; the plan checks that they sum to the total.
    Custom(Vec<Money>),
}

impl Split {
    /// The amounts of `count` instalments of `total`.
    pub fn amounts(&self, total: Money, count: usize) -> Result<Vec<Money>, PaymentError> {
        match self {
            Split::Equal => split_equal(total, count),
            Split::BasisPoints(shares) => {
                check_count(shares.len(), count)?;
                split_by_basis_points(total, shares)
            }
            Split::Custom(amounts) => {
                check_count(amounts.len(), count)?;
                Ok(amounts.clone())
            }
        }
    }
}

fn check_count(given: usize, expected: usize) -> Result<(), PaymentError> {
    if given == expected {
        Ok(())
    } else {
        Err(PaymentError::SplitCountMismatch {
            instalments: expected,
            parts: given,
        })
    }
}

/// `total` in `count` equal parts. The remainder of the division is given one minor unit at a
/// time to the first instalments (so ¥100.00 in three is 33.34, 33.33, 33.33): deterministic,
/// each part within one minor unit of the others, and the parts sum exactly to `total`.
///
/// ```
/// use dealflow_core::{split_equal, Currency, Money};
/// let parts = split_equal(Money::new(10_00, Currency::CNY), 3).unwrap();
/// assert_eq!(parts, [Money::new(3_34, Currency::CNY), Money::new(3_33, Currency::CNY), Money::new(3_33, Currency::CNY)]);
/// ```
pub fn split_equal(total: Money, count: usize) -> Result<Vec<Money>, PaymentError> {
    check_bounds(count)?;
    // `count` is at most MAX_INSTALMENTS, so these conversions and products cannot fail.
    let divisor = i64::try_from(count).map_err(|_| PaymentError::TooManyInstalments { count })?;
    let base = total.minor() / divisor;
    let remainder = total.minor() % divisor; // same sign as the total
    let extra = remainder.signum();
    let with_extra = usize::try_from(remainder.unsigned_abs()).unwrap_or(count);
    Ok((0..count)
        .map(|index| {
            let minor = if index < with_extra {
                base + extra
            } else {
                base
            };
            Money::new(minor, total.currency())
        })
        .collect())
}

/// `total` divided by shares in basis points, which must sum to exactly 10 000.
///
/// Remainders use the largest-remainder method: each part is first rounded down, then the minor
/// units still missing go one each to the parts with the largest discarded fractions (ties to
/// the earlier part). Each part is therefore within one minor unit of its exact share, a 0 %
/// share gets nothing, and the parts sum exactly to `total`. A negative total is split as its
/// absolute value and negated.
///
/// ```
/// use dealflow_core::{split_by_basis_points, Currency, Money};
/// // ¥1.00 as 33.33 % / 33.33 % / 33.34 %: exact shares 0.3333, 0.3333, 0.3334 → 33, 33, 34 fen.
/// let parts = split_by_basis_points(Money::new(1_00, Currency::CNY), &[3_333, 3_333, 3_334]).unwrap();
/// assert_eq!(parts.iter().map(|part| part.minor()).collect::<Vec<_>>(), [33, 33, 34]);
/// ```
pub fn split_by_basis_points(total: Money, shares: &[u16]) -> Result<Vec<Money>, PaymentError> {
    check_bounds(shares.len())?;
    let sum: u32 = shares.iter().map(|share| u32::from(*share)).sum();
    if sum != 10_000 {
        return Err(PaymentError::SharesDoNotSum { basis_points: sum });
    }
    let magnitude = i128::from(total.minor()).abs();
    let sign = if total.is_negative() { -1 } else { 1 };
    let mut parts: Vec<(i128, i128)> = shares
        .iter()
        .map(|share| {
            let exact = magnitude * i128::from(*share);
            (exact / 10_000, exact % 10_000)
        })
        .collect();
    let floored: i128 = parts.iter().map(|(floor, _)| floor).sum();
    // Σ exact = magnitude × 10 000, so the missing units are Σ remainders / 10 000 < count.
    let missing = usize::try_from(magnitude - floored).unwrap_or(0);
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|left, right| {
        let remainder = |index: &usize| parts.get(*index).map_or(0, |(_, remainder)| *remainder);
        remainder(right).cmp(&remainder(left)).then(left.cmp(right))
    });
    for index in order.into_iter().take(missing) {
        if let Some((floor, _)) = parts.get_mut(index) {
            *floor += 1;
        }
    }
    parts
        .into_iter()
        .map(|(floor, _)| {
            i64::try_from(sign * floor)
                .map(|minor| Money::new(minor, total.currency()))
                .map_err(|_| PaymentError::Money(crate::money::MoneyError::Overflow))
        })
        .collect()
}

fn check_bounds(count: usize) -> Result<(), PaymentError> {
    if count == 0 {
        Err(PaymentError::NoInstalments)
    } else if count > MAX_INSTALMENTS {
        Err(PaymentError::TooManyInstalments { count })
    } else {
        Ok(())
    }
}

#[cfg(test)]
#[allow(
    clippy::inconsistent_digit_grouping,
    reason = "amounts are written as yuan_fen"
)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use proptest::prelude::*;

    fn minors(parts: &[Money]) -> Vec<i64> {
        parts.iter().map(|part| part.minor()).collect()
    }

    #[test]
    fn equal_split_gives_the_remainder_to_the_first() {
        let total = Money::new(100_00, Currency::CNY);
        // 10000 / 3 = 3333 rest 1: the first gets 3334
        assert_eq!(
            minors(&split_equal(total, 3).unwrap()),
            [33_34, 33_33, 33_33]
        );
        // 10000 / 7 = 1428 rest 4: the first four get 1429
        assert_eq!(
            minors(&split_equal(total, 7).unwrap()),
            [14_29, 14_29, 14_29, 14_29, 14_28, 14_28, 14_28]
        );
        // -10 / 4 = -2 rest -2: the first two get -3
        assert_eq!(
            minors(&split_equal(Money::new(-10, Currency::CNY), 4).unwrap()),
            [-3, -3, -2, -2]
        );
        assert_eq!(split_equal(total, 0), Err(PaymentError::NoInstalments));
        assert_eq!(
            split_equal(total, MAX_INSTALMENTS + 1),
            Err(PaymentError::TooManyInstalments {
                count: MAX_INSTALMENTS + 1
            })
        );
    }

    #[test]
    fn basis_point_split_uses_largest_remainders() {
        // ¥96,050.00 as 30/60/10: exact, no remainder
        let total = Money::new(96_050_00, Currency::CNY);
        assert_eq!(
            minors(&split_by_basis_points(total, &[3_000, 6_000, 1_000]).unwrap()),
            [28_815_00, 57_630_00, 9_605_00]
        );
        // 0.05 as 50/50: exact 2.5 and 2.5 → floors 2, 2, one unit missing, tie → the first
        let five = Money::new(5, Currency::CNY);
        assert_eq!(
            minors(&split_by_basis_points(five, &[5_000, 5_000]).unwrap()),
            [3, 2]
        );
        // 0.01 as 50/50/0: a 0 % share never receives a unit, and nothing goes negative
        let one = Money::new(1, Currency::CNY);
        assert_eq!(
            minors(&split_by_basis_points(one, &[5_000, 5_000, 0]).unwrap()),
            [1, 0, 0]
        );
        // 0.07 as 10/20/70: exact 0.7, 1.4, 4.9 → floors 0, 1, 4 (5), two missing → the .9 and .7
        let seven = Money::new(7, Currency::CNY);
        assert_eq!(
            minors(&split_by_basis_points(seven, &[1_000, 2_000, 7_000]).unwrap()),
            [1, 1, 5]
        );
        assert_eq!(
            split_by_basis_points(total, &[3_000, 6_000]),
            Err(PaymentError::SharesDoNotSum {
                basis_points: 9_000
            })
        );
        assert_eq!(
            Split::BasisPoints(vec![10_000]).amounts(total, 2),
            Err(PaymentError::SplitCountMismatch {
                instalments: 2,
                parts: 1
            })
        );
    }

    fn shares() -> impl Strategy<Value = Vec<u16>> {
        // Cut points in 0..=10000, sorted: consecutive differences are shares summing to 10000.
        prop::collection::vec(0u16..=10_000, 0..12).prop_map(|mut cuts| {
            cuts.sort_unstable();
            let mut previous = 0;
            let mut shares: Vec<u16> = cuts
                .into_iter()
                .map(|cut| {
                    let share = cut - previous;
                    previous = cut;
                    share
                })
                .collect();
            shares.push(10_000 - previous);
            shares
        })
    }

    proptest! {
        #[test]
        fn equal_splits_sum_to_the_total(minor in any::<i64>(), count in 1usize..=MAX_INSTALMENTS) {
            let total = Money::new(minor, Currency::CNY);
            let parts = split_equal(total, count).unwrap();
            prop_assert_eq!(parts.len(), count);
            prop_assert_eq!(Money::sum(Currency::CNY, parts.iter().copied()).unwrap(), total);
            let low = parts.iter().map(|part| part.minor()).min().unwrap();
            let high = parts.iter().map(|part| part.minor()).max().unwrap();
            prop_assert!(high - low <= 1);
        }

        #[test]
        fn basis_point_splits_sum_to_the_total(minor in any::<i64>(), shares in shares()) {
            let total = Money::new(minor, Currency::CNY);
            let parts = split_by_basis_points(total, &shares).unwrap();
            prop_assert_eq!(parts.len(), shares.len());
            prop_assert_eq!(Money::sum(Currency::CNY, parts.iter().copied()).unwrap(), total);
            for (part, share) in parts.iter().zip(&shares) {
                // Within one minor unit of the exact share.
                let exact = i128::from(minor) * i128::from(*share);
                let scaled = i128::from(part.minor()) * 10_000;
                prop_assert!((scaled - exact).abs() < 10_000);
            }
        }
    }
}
