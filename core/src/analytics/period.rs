//! Report periods: calendar date ranges in the organisation's time zone.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, Month, UtcOffset};

use super::error::AnalyticsError;
use crate::i18n::LocalizedText;
use crate::timestamp::Timestamp;

/// An inclusive range of calendar dates (`start..=end`) in the organisation's time zone, e.g.
/// a month, a quarter or the week of a pipeline review.
///
/// An instant belongs to the range when its calendar date at the organisation's UTC offset does:
/// from midnight at the start of `start` up to (excluding) midnight after `end`.
///
/// ```
/// use dealflow_core::analytics::DateRange;
/// use time::{Month, macros::{date, offset}};
/// use dealflow_core::Timestamp;
///
/// let march = DateRange::month(2026, Month::March)?;
/// assert_eq!((march.start(), march.end()), (date!(2026-03-01), date!(2026-03-31)));
/// let q1 = DateRange::quarter(2026, 1)?;
/// assert_eq!(q1.days(), 90);
/// // Midnight starting 1 April in Beijing is still 31 March in UTC.
/// let late = Timestamp::start_of_day(date!(2026-03-31), offset!(+8)).plus_days(1);
/// assert!(!march.contains(late, offset!(+8)));
/// assert!(march.contains(late, offset!(UTC)));
/// assert!(DateRange::new(date!(2026-03-02), date!(2026-03-01)).is_err());
/// # Ok::<(), dealflow_core::analytics::AnalyticsError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(try_from = "DateRangeFields")]
pub struct DateRange {
    start: Date,
    end: Date,
}

/// The serialized form of a [`DateRange`], validated on the way in.
#[derive(Deserialize)]
struct DateRangeFields {
    start: Date,
    end: Date,
}

impl TryFrom<DateRangeFields> for DateRange {
    type Error = AnalyticsError;

    fn try_from(fields: DateRangeFields) -> Result<Self, Self::Error> {
        DateRange::new(fields.start, fields.end)
    }
}

impl DateRange {
    /// The days from `start` to `end`, both included; errors when `end` is before `start`.
    pub fn new(start: Date, end: Date) -> Result<Self, AnalyticsError> {
        if end < start {
            return Err(AnalyticsError::InvalidDateRange { start, end });
        }
        Ok(DateRange { start, end })
    }

    /// One day.
    pub fn day(date: Date) -> Self {
        DateRange {
            start: date,
            end: date,
        }
    }

    /// A calendar month.
    pub fn month(year: i32, month: Month) -> Result<Self, AnalyticsError> {
        let start = first_of_month(year, month)?;
        let last = start
            .replace_day(month.length(year))
            .map_err(|_| AnalyticsError::YearOutOfRange { year })?;
        Ok(DateRange { start, end: last })
    }

    /// A calendar quarter (1–4): Q1 is January to March.
    pub fn quarter(year: i32, quarter: u8) -> Result<Self, AnalyticsError> {
        let (first, last) = match quarter {
            1 => (Month::January, Month::March),
            2 => (Month::April, Month::June),
            3 => (Month::July, Month::September),
            4 => (Month::October, Month::December),
            _ => return Err(AnalyticsError::InvalidQuarter { quarter }),
        };
        Ok(DateRange {
            start: DateRange::month(year, first)?.start,
            end: DateRange::month(year, last)?.end,
        })
    }

    /// A calendar year.
    pub fn year(year: i32) -> Result<Self, AnalyticsError> {
        Ok(DateRange {
            start: DateRange::month(year, Month::January)?.start,
            end: DateRange::month(year, Month::December)?.end,
        })
    }

    /// The Monday-to-Sunday week that contains `date` (clipped at the calendar's limits).
    pub fn week_of(date: Date) -> Self {
        let from_monday = i64::from(date.weekday().number_days_from_monday());
        let start = add_days(date, -from_monday);
        DateRange {
            start,
            end: add_days(start, 6),
        }
    }

    /// The first day.
    pub const fn start(self) -> Date {
        self.start
    }

    /// The last day (included).
    pub const fn end(self) -> Date {
        self.end
    }

    /// Number of days in the range.
    pub fn days(self) -> i64 {
        i64::from(self.end.to_julian_day() - self.start.to_julian_day()) + 1
    }

    /// Whether `date` is in the range.
    pub fn contains_date(self, date: Date) -> bool {
        self.start <= date && date <= self.end
    }

    /// Whether the instant falls on a day of the range in the time zone `offset`.
    pub fn contains(self, instant: Timestamp, offset: UtcOffset) -> bool {
        self.window(offset).contains(instant)
    }

    /// The range as half-open instants: midnight before `start` up to midnight after `end`.
    pub(crate) fn window(self, offset: UtcOffset) -> Window {
        let start = Timestamp::start_of_day(self.start, offset).millis();
        let end = match self.end.next_day() {
            Some(next) => Timestamp::start_of_day(next, offset).millis(),
            None => i64::MAX,
        };
        Window { start, end }
    }
}

impl fmt::Display for DateRange {
    /// `"2026-03-01..=2026-03-31"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..={}", self.start, self.end)
    }
}

/// A period as people choose it in a report's period picker; [`ReportPeriod::range`] resolves it
/// to dates and [`ReportPeriod::label`] names it in both languages.
///
/// ```
/// use dealflow_core::analytics::ReportPeriod;
/// let q1 = ReportPeriod::Quarter { year: 2026, quarter: 1 };
/// assert_eq!(q1.label()?.zh_cn, "2026年第1季度");
/// assert_eq!(q1.label()?.en, "Q1 2026");
/// assert_eq!(q1.range()?.days(), 90);
/// # Ok::<(), dealflow_core::analytics::AnalyticsError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReportPeriod {
    /// A calendar month (1–12).
    Month {
        /// Year.
        year: i32,
        /// Month, 1 = January.
        month: u8,
    },
    /// A calendar quarter (1–4).
    Quarter {
        /// Year.
        year: i32,
        /// Quarter, 1 = January to March.
        quarter: u8,
    },
    /// A calendar year.
    Year {
        /// Year.
        year: i32,
    },
    /// Any range of days.
    Custom {
        /// The range.
        range: DateRange,
    },
}

impl ReportPeriod {
    /// The dates of the period.
    pub fn range(self) -> Result<DateRange, AnalyticsError> {
        match self {
            ReportPeriod::Month { year, month } => DateRange::month(year, month_of(year, month)?),
            ReportPeriod::Quarter { year, quarter } => DateRange::quarter(year, quarter),
            ReportPeriod::Year { year } => DateRange::year(year),
            ReportPeriod::Custom { range } => Ok(range),
        }
    }

    /// The period's name, e.g. "2026年3月" / "Mar 2026".
    pub fn label(self) -> Result<LocalizedText, AnalyticsError> {
        let range = self.range()?;
        Ok(match self {
            ReportPeriod::Month { year, month } => {
                let name = month_of(year, month)?;
                let short = MONTH_ABBREVIATIONS
                    .get(usize::from(name as u8) - 1)
                    .copied()
                    .unwrap_or_default();
                LocalizedText::new(format!("{year}年{month}月"), format!("{short} {year}"))
            }
            ReportPeriod::Quarter { year, quarter } => LocalizedText::new(
                format!("{year}年第{quarter}季度"),
                format!("Q{quarter} {year}"),
            ),
            ReportPeriod::Year { year } => {
                LocalizedText::new(format!("{year}年"), year.to_string())
            }
            ReportPeriod::Custom { .. } => LocalizedText::new(
                format!("{} 至 {}", range.start, range.end),
                format!("{} to {}", range.start, range.end),
            ),
        })
    }
}

const MONTH_ABBREVIATIONS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn month_of(year: i32, month: u8) -> Result<Month, AnalyticsError> {
    Month::try_from(month).map_err(|_| AnalyticsError::InvalidMonth { month, year })
}

fn first_of_month(year: i32, month: Month) -> Result<Date, AnalyticsError> {
    Date::from_calendar_date(year, month, 1).map_err(|_| AnalyticsError::YearOutOfRange { year })
}

/// `date` moved by `days`, clipped to the calendar's limits.
pub(crate) fn add_days(date: Date, days: i64) -> Date {
    let julian = i64::from(date.to_julian_day()).saturating_add(days);
    let clipped = julian.clamp(
        i64::from(Date::MIN.to_julian_day()),
        i64::from(Date::MAX.to_julian_day()),
    );
    i32::try_from(clipped)
        .ok()
        .and_then(|julian| Date::from_julian_day(julian).ok())
        .unwrap_or(if days < 0 { Date::MIN } else { Date::MAX })
}

/// A half-open span of instants in milliseconds, for fast membership tests in hot loops.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Window {
    /// First instant included.
    pub(crate) start: i64,
    /// First instant after the window.
    pub(crate) end: i64,
}

impl Window {
    /// All of time.
    pub(crate) const ALL: Window = Window {
        start: i64::MIN,
        end: i64::MAX,
    };

    pub(crate) fn contains(self, instant: Timestamp) -> bool {
        self.start <= instant.millis() && instant.millis() < self.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, offset};

    #[test]
    fn calendar_periods() {
        let february = DateRange::month(2028, Month::February).unwrap();
        assert_eq!(february.end(), date!(2028 - 02 - 29));
        assert_eq!(
            DateRange::quarter(2026, 4).unwrap().start(),
            date!(2026 - 10 - 01)
        );
        assert_eq!(
            DateRange::quarter(2026, 5),
            Err(AnalyticsError::InvalidQuarter { quarter: 5 })
        );
        assert_eq!(DateRange::year(2026).unwrap().days(), 365);
        assert!(DateRange::year(100_000).is_err());
        let week = DateRange::week_of(date!(2026 - 03 - 12)); // a Thursday
        assert_eq!(
            (week.start(), week.end()),
            (date!(2026 - 03 - 09), date!(2026 - 03 - 15))
        );
        assert_eq!(DateRange::week_of(Date::MIN).start(), Date::MIN);
    }

    #[test]
    fn windows_follow_the_time_zone() {
        let day = DateRange::day(date!(2026 - 03 - 01));
        let window = day.window(offset!(+8));
        // Midnight in Beijing is 16:00 UTC the day before.
        assert_eq!(window.start, 1_772_294_400_000);
        assert_eq!(window.end - window.start, 86_400_000);
        let last = DateRange::day(Date::MAX).window(offset!(UTC));
        assert_eq!(last.end, i64::MAX);
    }

    #[test]
    fn labels_and_serde() {
        let march = ReportPeriod::Month {
            year: 2026,
            month: 3,
        };
        assert_eq!(
            march.label().unwrap(),
            LocalizedText::new("2026年3月", "Mar 2026")
        );
        assert!(
            ReportPeriod::Month {
                year: 2026,
                month: 13
            }
            .range()
            .is_err()
        );
        let json = serde_json::to_string(&march.range().unwrap()).unwrap();
        assert_eq!(json, r#"{"start":"2026-03-01","end":"2026-03-31"}"#);
        let reversed = r#"{"start":"2026-03-31","end":"2026-03-01"}"#;
        assert!(serde_json::from_str::<DateRange>(reversed).is_err());
    }
}
