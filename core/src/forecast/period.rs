//! Calendar periods (months, quarters and years) that forecasts are bucketed by.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use super::error::ForecastError;

/// Whether a forecast is bucketed by month, quarter or year. Kinds order from the shortest.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    /// Calendar months.
    Month,
    /// Calendar quarters (Q1 = January–March).
    Quarter,
    /// Calendar years.
    Year,
}

/// A calendar quarter.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub enum Quarter {
    /// January–March.
    Q1,
    /// April–June.
    Q2,
    /// July–September.
    Q3,
    /// October–December.
    Q4,
}

impl Quarter {
    /// The quarter a month falls in.
    pub fn of(month: Month) -> Quarter {
        match u8::from(month) {
            1..=3 => Quarter::Q1,
            4..=6 => Quarter::Q2,
            7..=9 => Quarter::Q3,
            _ => Quarter::Q4,
        }
    }

    /// 1 to 4.
    pub fn number(self) -> u8 {
        match self {
            Quarter::Q1 => 1,
            Quarter::Q2 => 2,
            Quarter::Q3 => 3,
            Quarter::Q4 => 4,
        }
    }

    /// The first month of the quarter.
    pub fn first_month(self) -> Month {
        match self {
            Quarter::Q1 => Month::January,
            Quarter::Q2 => Month::April,
            Quarter::Q3 => Month::July,
            Quarter::Q4 => Month::October,
        }
    }

    fn from_number(number: u8) -> Option<Quarter> {
        match number {
            1 => Some(Quarter::Q1),
            2 => Some(Quarter::Q2),
            3 => Some(Quarter::Q3),
            4 => Some(Quarter::Q4),
            _ => None,
        }
    }
}

/// A calendar month, quarter or year, in the organisation's time zone (dates are already local).
///
/// Serialized as `"2026-03"` (March 2026), `"2026-Q1"` or `"2026"`, so periods can be map keys
/// in JSON.
/// Periods of one kind order chronologically.
///
/// ```
/// use dealflow_core::{Period, PeriodKind};
/// use time::macros::date;
/// let march = Period::of(date!(2026 - 03 - 31), PeriodKind::Month);
/// assert_eq!(march.to_string(), "2026-03");
/// let q1 = Period::of(date!(2026 - 03 - 31), PeriodKind::Quarter);
/// assert_eq!(q1.to_string(), "2026-Q1");
/// assert!(q1.contains_period(march));
/// assert_eq!("2026-Q1".parse::<Period>().unwrap(), q1);
/// let year = Period::of(date!(2026 - 03 - 31), PeriodKind::Year);
/// assert_eq!(year.to_string(), "2026");
/// assert!(year.contains_period(q1) && year.contains_period(march));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Period {
    /// A calendar month.
    Month {
        /// The year.
        year: i32,
        /// The month.
        month: Month,
    },
    /// A calendar quarter.
    Quarter {
        /// The year.
        year: i32,
        /// The quarter.
        quarter: Quarter,
    },
    /// A calendar year.
    Year {
        /// The year.
        year: i32,
    },
}

impl Period {
    /// The period of `kind` that contains `date`.
    pub fn of(date: Date, kind: PeriodKind) -> Period {
        match kind {
            PeriodKind::Month => Period::Month {
                year: date.year(),
                month: date.month(),
            },
            PeriodKind::Quarter => Period::Quarter {
                year: date.year(),
                quarter: Quarter::of(date.month()),
            },
            PeriodKind::Year => Period::Year { year: date.year() },
        }
    }

    /// Month, quarter or year.
    pub fn kind(self) -> PeriodKind {
        match self {
            Period::Month { .. } => PeriodKind::Month,
            Period::Quarter { .. } => PeriodKind::Quarter,
            Period::Year { .. } => PeriodKind::Year,
        }
    }

    /// The year.
    pub fn year(self) -> i32 {
        match self {
            Period::Month { year, .. } | Period::Quarter { year, .. } | Period::Year { year } => {
                year
            }
        }
    }

    /// Whether `date` falls in this period.
    pub fn contains(self, date: Date) -> bool {
        Period::of(date, self.kind()) == self
    }

    /// Whether `other` lies entirely within this period (a month within its quarter or year, a
    /// quarter within its year, or the same period).
    pub fn contains_period(self, other: Period) -> bool {
        match (self, other) {
            (Period::Year { year }, _) => year == other.year(),
            (Period::Quarter { year, quarter }, Period::Month { month, .. }) => {
                year == other.year() && quarter == Quarter::of(month)
            }
            (Period::Month { .. } | Period::Quarter { .. }, _) => self == other,
        }
    }

    /// The first day of the period.
    pub fn first_day(self) -> Result<Date, ForecastError> {
        let (year, month) = self.first_month();
        Date::from_calendar_date(year, month, 1).map_err(|_| self.out_of_range())
    }

    /// The first day after the period (the end of the half-open range `[first_day, end)`).
    pub fn end(self) -> Result<Date, ForecastError> {
        let (year, month) = match self {
            Period::Month { year, month } => (year, month),
            Period::Quarter { year, quarter } => (year, quarter.first_month().nth_next(2)),
            Period::Year { year } => (year, Month::December),
        };
        let (year, month) = if month == Month::December {
            (
                year.checked_add(1).ok_or_else(|| self.out_of_range())?,
                Month::January,
            )
        } else {
            (year, month.next())
        };
        Date::from_calendar_date(year, month, 1).map_err(|_| self.out_of_range())
    }

    fn first_month(self) -> (i32, Month) {
        match self {
            Period::Month { year, month } => (year, month),
            Period::Quarter { year, quarter } => (year, quarter.first_month()),
            Period::Year { year } => (year, Month::January),
        }
    }

    fn out_of_range(self) -> ForecastError {
        ForecastError::InvalidPeriod {
            text: self.to_string(),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Month { year, month } => write!(f, "{year:04}-{:02}", u8::from(*month)),
            Period::Quarter { year, quarter } => write!(f, "{year:04}-Q{}", quarter.number()),
            Period::Year { year } => write!(f, "{year:04}"),
        }
    }
}

impl FromStr for Period {
    type Err = ForecastError;

    /// Parses `"2026-03"`, `"2026-Q1"` (also `"2026-q1"`) or `"2026"`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || ForecastError::InvalidPeriod {
            text: text.to_owned(),
        };
        let trimmed = text.trim();
        if trimmed.len() == 4 && trimmed.bytes().all(|byte| byte.is_ascii_digit()) {
            let year: i32 = trimmed.parse().map_err(|_| invalid())?;
            return Ok(Period::Year { year });
        }
        let (year, rest) = text.trim().rsplit_once('-').ok_or_else(invalid)?;
        let year: i32 = year.parse().map_err(|_| invalid())?;
        if !(-9999..=9999).contains(&year) {
            return Err(invalid());
        }
        if let Some(quarter) = rest.strip_prefix(['Q', 'q']) {
            let quarter = quarter
                .parse::<u8>()
                .ok()
                .and_then(Quarter::from_number)
                .ok_or_else(invalid)?;
            return Ok(Period::Quarter { year, quarter });
        }
        let month = rest
            .parse::<u8>()
            .ok()
            .and_then(|month| Month::try_from(month).ok())
            .ok_or_else(invalid)?;
        Ok(Period::Month { year, month })
    }
}

impl TryFrom<String> for Period {
    type Error = ForecastError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<Period> for String {
    fn from(period: Period) -> Self {
        period.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn buckets_dates() {
        let day = date!(2026 - 08 - 15);
        assert_eq!(
            Period::of(day, PeriodKind::Month),
            Period::Month {
                year: 2026,
                month: Month::August
            }
        );
        assert_eq!(
            Period::of(day, PeriodKind::Quarter),
            Period::Quarter {
                year: 2026,
                quarter: Quarter::Q3
            }
        );
        let q4 = Period::of(date!(2026 - 12 - 31), PeriodKind::Quarter);
        assert_eq!(q4.first_day().unwrap(), date!(2026 - 10 - 01));
        assert_eq!(q4.end().unwrap(), date!(2027 - 01 - 01));
        let february = Period::of(date!(2028 - 02 - 29), PeriodKind::Month);
        assert_eq!(february.end().unwrap(), date!(2028 - 03 - 01));
        assert!(february.contains(date!(2028 - 02 - 01)));
        assert!(!february.contains(date!(2028 - 03 - 01)));
    }

    #[test]
    fn parses_and_prints() {
        for text in ["2026-01", "2026-12", "2026-Q4", "0999-Q1", "2026", "0999"] {
            assert_eq!(text.parse::<Period>().unwrap().to_string(), text);
        }
        assert_eq!("2026-q2".parse::<Period>().unwrap().to_string(), "2026-Q2");
        assert_eq!(
            " 2026 ".parse::<Period>().unwrap(),
            Period::Year { year: 2026 }
        );
        for bad in [
            "", "202", "20260", "+2026", "-2026", "2026-13", "2026-00", "2026-Q5", "x-01",
            "20000-01",
        ] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
        let json = serde_json::to_string(&Period::of(date!(2026 - 03 - 01), PeriodKind::Month));
        assert_eq!(json.unwrap(), "\"2026-03\"");
        assert!(serde_json::from_str::<Period>("\"2026-Q0\"").is_err());
    }

    #[test]
    fn years_bucket_dates_and_hold_their_quarters_and_months() {
        let year = Period::of(date!(2026 - 08 - 15), PeriodKind::Year);
        assert_eq!(year, Period::Year { year: 2026 });
        assert_eq!(year.kind(), PeriodKind::Year);
        assert_eq!(year.year(), 2026);
        assert_eq!(year.first_day().unwrap(), date!(2026 - 01 - 01));
        assert_eq!(year.end().unwrap(), date!(2027 - 01 - 01));
        assert!(year.contains(date!(2026 - 01 - 01)));
        assert!(year.contains(date!(2026 - 12 - 31)));
        assert!(!year.contains(date!(2027 - 01 - 01)));
        let q3 = Period::of(date!(2026 - 08 - 15), PeriodKind::Quarter);
        let august = Period::of(date!(2026 - 08 - 15), PeriodKind::Month);
        assert!(year.contains_period(q3) && year.contains_period(august));
        assert!(year.contains_period(year));
        assert!(!year.contains_period(Period::Year { year: 2025 }));
        assert!(!year.contains_period(Period::of(date!(2027 - 01 - 01), PeriodKind::Month)));
        assert!(!q3.contains_period(year) && !august.contains_period(year));
        assert!(PeriodKind::Month < PeriodKind::Quarter && PeriodKind::Quarter < PeriodKind::Year);
        let json = serde_json::to_string(&year).unwrap();
        assert_eq!(json, "\"2026\"");
        assert_eq!(serde_json::from_str::<Period>(&json).unwrap(), year);
        assert_eq!(
            serde_json::to_string(&PeriodKind::Year).unwrap(),
            "\"year\""
        );
    }

    #[test]
    fn months_lie_within_their_quarter() {
        let q2: Period = "2026-Q2".parse().unwrap();
        assert!(q2.contains_period("2026-05".parse().unwrap()));
        assert!(!q2.contains_period("2026-07".parse().unwrap()));
        assert!(!q2.contains_period("2025-05".parse().unwrap()));
        let may: Period = "2026-05".parse().unwrap();
        assert!(!may.contains_period(q2));
        assert!(may.contains_period(may));
    }

    #[test]
    fn extreme_years_do_not_panic() {
        let far = Period::Month {
            year: i32::MAX,
            month: Month::December,
        };
        assert!(far.end().is_err());
        assert!(far.first_day().is_err());
        let far_year = Period::Year { year: i32::MAX };
        assert!(far_year.end().is_err());
        assert!(far_year.first_day().is_err());
    }
}
