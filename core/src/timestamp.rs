//! Instants and calendar dates. Core never reads the clock: callers pass `now` in.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, UtcOffset};

/// An instant, in milliseconds since the Unix epoch (UTC).
///
/// ```
/// use dealflow_core::Timestamp;
/// use time::{macros::{date, offset}};
/// let t = Timestamp::from_millis(1_764_000_000_000); // 2025-11-24T16:00:00Z
/// assert_eq!(t.date_at(offset!(+8)), date!(2025-11-25)); // already the 25th in Beijing
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

/// Milliseconds in a day.
pub const MILLIS_PER_DAY: i64 = 86_400_000;

impl Timestamp {
    /// An instant `millis` milliseconds after the Unix epoch.
    pub const fn from_millis(millis: i64) -> Self {
        Timestamp(millis)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn millis(self) -> i64 {
        self.0
    }

    /// Midnight at the start of `date` in the time zone `offset`.
    pub fn start_of_day(date: Date, offset: UtcOffset) -> Self {
        let instant = date.midnight().assume_offset(offset);
        Timestamp(instant_millis(instant))
    }

    /// The calendar date of this instant in the time zone `offset` (an organisation's zone).
    ///
    /// Instants outside the years ±9999 saturate to the representable range.
    pub fn date_at(self, offset: UtcOffset) -> Date {
        let nanos = i128::from(self.0) * 1_000_000;
        match OffsetDateTime::from_unix_timestamp_nanos(nanos) {
            Ok(instant) => instant.to_offset(offset).date(),
            Err(_) if self.0 < 0 => Date::MIN,
            Err(_) => Date::MAX,
        }
    }

    /// This instant moved by `days` whole days (saturating).
    pub const fn plus_days(self, days: i64) -> Self {
        Timestamp(self.0.saturating_add(days.saturating_mul(MILLIS_PER_DAY)))
    }

    /// Whole days from `earlier` to `self`, rounded down (negative if `earlier` is later).
    pub const fn days_since(self, earlier: Timestamp) -> i64 {
        self.0.saturating_sub(earlier.0).div_euclid(MILLIS_PER_DAY)
    }
}

fn instant_millis(instant: OffsetDateTime) -> i64 {
    // Dates are bounded to ±9999 years, so milliseconds always fit in an i64.
    i64::try_from(instant.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, offset};

    #[test]
    fn day_arithmetic() {
        let start = Timestamp::start_of_day(date!(2026 - 11 - 25), offset!(+8));
        assert_eq!(start.date_at(offset!(+8)), date!(2026 - 11 - 25));
        assert_eq!(start.date_at(offset!(UTC)), date!(2026 - 11 - 24));
        assert_eq!(start.plus_days(3).days_since(start), 3);
        assert_eq!(start.days_since(start.plus_days(1)), -1);
        assert_eq!(
            Timestamp::from_millis(i64::MAX).date_at(offset!(UTC)),
            Date::MAX
        );
    }
}
