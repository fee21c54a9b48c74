//! Ratios and durations as fixed-point integers, so reports are exact and reproducible.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::money::round_half_away_from_zero;
use crate::timestamp::MILLIS_PER_DAY;

/// A ratio in basis points (1 bp = 0.01 %, 10 000 bp = 100 %), rounded half away from zero.
///
/// Unlike [`Probability`](crate::Probability) a rate is not bounded: a completion rate can be
/// 150 % and a change against a benchmark can be negative. Rates whose denominator is zero are
/// `None` in reports ("not defined"), never 0 %.
///
/// ```
/// use dealflow_core::analytics::Rate;
/// let rate = Rate::ratio(2, 3).unwrap();
/// assert_eq!(rate.basis_points(), 6_667); // 66.665 % rounds to 66.67 %
/// assert_eq!(rate.to_string(), "66.67%");
/// assert_eq!(Rate::ratio(3, 2).unwrap().to_string(), "150%");
/// assert_eq!(Rate::ratio(1, 0), None);
/// ```
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Rate(i64);

impl Rate {
    /// Basis points in 100 %.
    pub const SCALE: i64 = 10_000;
    /// 0 %.
    pub const ZERO: Rate = Rate(0);
    /// 100 %.
    pub const FULL: Rate = Rate(Self::SCALE);

    /// A rate of `basis_points` (10 000 = 100 %).
    pub const fn from_basis_points(basis_points: i64) -> Self {
        Rate(basis_points)
    }

    /// The rate in basis points.
    pub const fn basis_points(self) -> i64 {
        self.0
    }

    /// `numerator / denominator` in basis points, rounded half away from zero; `None` when the
    /// denominator is zero or the result does not fit.
    pub fn ratio(numerator: i64, denominator: i64) -> Option<Rate> {
        Self::ratio_wide(i128::from(numerator), i128::from(denominator))
    }

    /// [`Rate::ratio`] for counts.
    pub fn of_counts(numerator: u64, denominator: u64) -> Option<Rate> {
        Self::ratio_wide(i128::from(numerator), i128::from(denominator))
    }

    pub(crate) fn ratio_wide(numerator: i128, denominator: i128) -> Option<Rate> {
        if denominator == 0 {
            return None;
        }
        round_half_away_from_zero(numerator.checked_mul(i128::from(Self::SCALE))?, denominator)
            .ok()
            .map(Rate)
    }

    /// `self − other`, saturating (e.g. a benchmark minus the actual conversion).
    pub const fn minus(self, other: Rate) -> Rate {
        Rate(self.0.saturating_sub(other.0))
    }
}

impl fmt::Display for Rate {
    /// `"12.34%"`, `"30%"`, `"-5.50%"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let whole = self.0.unsigned_abs() / 100;
        let fraction = self.0.unsigned_abs() % 100;
        if fraction == 0 {
            write!(f, "{sign}{whole}%")
        } else {
            write!(f, "{sign}{whole}.{fraction:02}%")
        }
    }
}

/// Milliseconds in one hundredth of a day (14 min 24 s), the resolution of [`Days`].
const MILLIS_PER_HUNDREDTH_DAY: i64 = MILLIS_PER_DAY / 100;

/// A length of time in hundredths of a day (fixed point, two decimals): `Days` of 325 is
/// 3.25 days. Serialized as the integer number of hundredths.
///
/// ```
/// use dealflow_core::analytics::Days;
/// let days = Days::from_millis(3 * 86_400_000 + 21_600_000); // 3 days 6 hours
/// assert_eq!(days.hundredths(), 325);
/// assert_eq!(days.to_string(), "3.25");
/// ```
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Days(i64);

impl Days {
    /// A length of `hundredths` hundredths of a day.
    pub const fn from_hundredths(hundredths: i64) -> Self {
        Days(hundredths)
    }

    /// Whole days.
    pub const fn whole(days: i64) -> Self {
        Days(days.saturating_mul(100))
    }

    /// A duration in milliseconds, rounded half away from zero to a hundredth of a day.
    pub fn from_millis(millis: i64) -> Self {
        Self::mean_of_millis(i128::from(millis), 1)
    }

    /// The length in hundredths of a day.
    pub const fn hundredths(self) -> i64 {
        self.0
    }

    /// `total_millis / count` as days, rounded half away from zero; saturates on absurd input.
    pub(crate) fn mean_of_millis(total_millis: i128, count: u64) -> Self {
        let divisor = i128::from(count) * i128::from(MILLIS_PER_HUNDREDTH_DAY);
        match round_half_away_from_zero(total_millis, divisor) {
            Ok(hundredths) => Days(hundredths),
            Err(_) if total_millis < 0 => Days(i64::MIN),
            Err(_) => Days(i64::MAX),
        }
    }
}

impl fmt::Display for Days {
    /// `"3.25"`, `"-0.50"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let whole = self.0.unsigned_abs() / 100;
        let fraction = self.0.unsigned_abs() % 100;
        write!(f, "{sign}{whole}.{fraction:02}")
    }
}

/// Count, mean, median, 90th percentile and maximum of a set of durations.
///
/// Percentiles use the **nearest-rank** method: the p-th percentile of n sorted values is the
/// value at 1-based rank ⌈p × n / 100⌉. It is always one of the observed values; the median of
/// an even number of values is the lower of the two middle ones. The mean is rounded half away
/// from zero to a hundredth of a day. With no samples every statistic is `None`.
///
/// ```
/// use dealflow_core::analytics::{Days, DurationStats};
/// let day = 86_400_000;
/// let stats = DurationStats::from_millis(vec![4 * day, day, 3 * day, 2 * day]);
/// assert_eq!(stats.count, 4);
/// assert_eq!(stats.mean, Some(Days::from_hundredths(250)));
/// assert_eq!(stats.median, Some(Days::whole(2))); // rank ⌈0.5 × 4⌉ = 2
/// assert_eq!(stats.p90, Some(Days::whole(4))); // rank ⌈0.9 × 4⌉ = 4
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct DurationStats {
    /// Number of samples.
    pub count: u64,
    /// Arithmetic mean.
    pub mean: Option<Days>,
    /// 50th percentile (nearest rank).
    pub median: Option<Days>,
    /// 90th percentile (nearest rank).
    pub p90: Option<Days>,
    /// Longest sample.
    pub max: Option<Days>,
}

impl DurationStats {
    /// Statistics of durations given in milliseconds (reordered in place, in linear time).
    pub fn from_millis(mut samples: Vec<i64>) -> Self {
        Self::of_samples(&mut samples)
    }

    pub(crate) fn of_samples(samples: &mut [i64]) -> Self {
        let count = samples.len() as u64;
        let (Some(p90_index), Some(median_index)) =
            (rank_index(samples.len(), 90), rank_index(samples.len(), 50))
        else {
            return DurationStats::default();
        };
        let total: i128 = samples.iter().map(|&millis| i128::from(millis)).sum();
        let (below, p90, above) = samples.select_nth_unstable(p90_index);
        let p90 = *p90;
        // Selection leaves the smaller values in front and the larger behind, so the median is
        // selected within the front part and the maximum is found behind.
        let median = if median_index < p90_index {
            let (_, median, _) = below.select_nth_unstable(median_index);
            *median
        } else {
            p90
        };
        let max = above.iter().copied().fold(p90, i64::max);
        DurationStats {
            count,
            mean: Some(Days::mean_of_millis(total, count)),
            median: Some(Days::from_millis(median)),
            p90: Some(Days::from_millis(p90)),
            max: Some(Days::from_millis(max)),
        }
    }
}

/// The 0-based index of the nearest-rank `percent`-th percentile of `n` sorted values: rank
/// ⌈percent × n / 100⌉, minus one.
fn rank_index(n: usize, percent: usize) -> Option<usize> {
    if n == 0 {
        return None;
    }
    Some(n.saturating_mul(percent).div_ceil(100).clamp(1, n) - 1)
}

/// The nearest-rank `percent`-th percentile: the value at 1-based rank ⌈percent × n / 100⌉.
#[cfg(test)]
fn nearest_rank(samples: &mut [i64], percent: usize) -> Option<i64> {
    let index = rank_index(samples.len(), percent)?;
    let (_, value, _) = samples.select_nth_unstable(index);
    Some(*value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_round_half_away_from_zero() {
        assert_eq!(Rate::ratio(1, 3), Some(Rate(3_333)));
        assert_eq!(Rate::ratio(-1, 8), Some(Rate(-1_250)));
        assert_eq!(Rate::ratio(1, 20_000), Some(Rate(1))); // 0.5 bp rounds up
        assert_eq!(Rate::of_counts(0, 0), None);
        assert_eq!(Rate(-550).to_string(), "-5.50%");
        assert_eq!(Rate(7).to_string(), "0.07%");
        assert_eq!(Rate::FULL.minus(Rate(2_500)), Rate(7_500));
    }

    #[test]
    fn nearest_rank_is_an_observed_value() {
        let mut samples: Vec<i64> = (1..=10).collect();
        assert_eq!(nearest_rank(&mut samples, 90), Some(9));
        assert_eq!(nearest_rank(&mut samples, 50), Some(5));
        assert_eq!(nearest_rank(&mut samples, 100), Some(10));
        let mut one = vec![7];
        assert_eq!(nearest_rank(&mut one, 50), Some(7));
        assert_eq!(nearest_rank(&mut [], 50), None);
        // 11 values: P90 rank ⌈9.9⌉ = 10, median rank ⌈5.5⌉ = 6.
        let mut eleven: Vec<i64> = (0..11).rev().collect();
        assert_eq!(nearest_rank(&mut eleven, 90), Some(9));
        assert_eq!(nearest_rank(&mut eleven, 50), Some(5));
    }

    #[test]
    fn stats_of_hand_computed_samples() {
        let hour = MILLIS_PER_DAY / 24;
        // 1 d, 2 d, 2 d 12 h, 10 d → mean 15.5 d / 4 = 3.875 → 3.88.
        let stats = DurationStats::from_millis(vec![
            10 * MILLIS_PER_DAY,
            MILLIS_PER_DAY,
            2 * MILLIS_PER_DAY + 12 * hour,
            2 * MILLIS_PER_DAY,
        ]);
        assert_eq!(stats.count, 4);
        assert_eq!(stats.mean, Some(Days(388)));
        assert_eq!(stats.median, Some(Days(200)));
        assert_eq!(stats.p90, Some(Days(1_000)));
        assert_eq!(stats.max, Some(Days(1_000)));
        assert_eq!(DurationStats::from_millis(vec![]), DurationStats::default());
    }

    #[test]
    fn days_display_and_saturation() {
        assert_eq!(Days::from_millis(-MILLIS_PER_DAY / 2).to_string(), "-0.50");
        assert_eq!(Days::whole(12).to_string(), "12.00");
        assert_eq!(Days::mean_of_millis(i128::MAX, 1), Days(i64::MAX));
    }
}
