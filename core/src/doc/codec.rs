//! How single values are spelled inside documents: enum names, dates, money.
//!
//! Enums are stored as their snake_case serde names (a unit test checks the two agree), dates
//! as `YYYY-MM-DD` strings, instants as Automerge timestamps (milliseconds since the epoch),
//! probabilities and discounts as unsigned basis points, and money as a map
//! `{ minor, currency }` that is always replaced whole, so that a concurrent change of the
//! amount on one replica and the currency on another can never combine into an amount nobody
//! entered.

use time::Date;

use crate::deal::{
    CompanySize, CompetitorStatus, ContactRole, DealRole, DealStatus, FollowUpKind, Influence,
    RelationshipKind, Stance, TaskStatus, TransitionKind,
};
use crate::pipeline::{CriterionPhase, DealField, ForecastCategory};

/// A field-less enum stored as its snake_case name.
pub(crate) trait DocName: Copy + Sized + 'static {
    /// What the schema expects, for validation problems.
    const EXPECTED: &'static str;
    /// Every variant, for tests.
    #[cfg(test)]
    const ALL: &'static [Self];
    /// The stored name.
    fn doc_name(self) -> &'static str;
    /// The variant with a stored name.
    fn from_doc_name(name: &str) -> Option<Self>;
}

macro_rules! doc_names {
    ($ty:ident, $expected:literal { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl DocName for $ty {
            const EXPECTED: &'static str = $expected;
            #[cfg(test)]
            const ALL: &'static [Self] = &[$($ty::$variant),+];

            fn doc_name(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }

            fn from_doc_name(name: &str) -> Option<Self> {
                match name {
                    $($name => Some($ty::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

doc_names!(CompanySize, "one of micro, small, medium, large, enterprise" {
    Micro => "micro", Small => "small", Medium => "medium", Large => "large",
    Enterprise => "enterprise",
});
doc_names!(FollowUpKind, "one of call, visit, meeting, email, im, demo" {
    Call => "call", Visit => "visit", Meeting => "meeting", Email => "email", Im => "im",
    Demo => "demo",
});
doc_names!(TaskStatus, "one of open, done, cancelled" {
    Open => "open", Done => "done", Cancelled => "cancelled",
});
doc_names!(ContactRole, "a contact role (decision_maker, champion, …)" {
    DecisionMaker => "decision_maker", Champion => "champion", Influencer => "influencer",
    User => "user", Technical => "technical", Financial => "financial", Blocker => "blocker",
    Other => "other",
});
doc_names!(Stance, "one of supporter, neutral, opponent" {
    Supporter => "supporter", Neutral => "neutral", Opponent => "opponent",
});
doc_names!(Influence, "one of low, medium, high" {
    Low => "low", Medium => "medium", High => "high",
});
doc_names!(RelationshipKind, "one of reports_to, influences" {
    ReportsTo => "reports_to", Influences => "influences",
});
doc_names!(CompetitorStatus, "one of active, eliminated, won_against_us" {
    Active => "active", Eliminated => "eliminated", WonAgainstUs => "won_against_us",
});
doc_names!(DealStatus, "one of open, won, lost, stopped" {
    Open => "open", Won => "won", Lost => "lost", Stopped => "stopped",
});
doc_names!(TransitionKind, "a transition kind (created, forward, …)" {
    Created => "created", Forward => "forward", Backward => "backward", Won => "won",
    Lost => "lost", Stopped => "stopped", Reopened => "reopened",
});
doc_names!(DealRole, "one of owner, presales, manager, delivery, other" {
    Owner => "owner", Presales => "presales", Manager => "manager", Delivery => "delivery",
    Other => "other",
});
doc_names!(ForecastCategory, "one of pipeline, best_case, commit, closed" {
    Pipeline => "pipeline", BestCase => "best_case", Commit => "commit", Closed => "closed",
});
doc_names!(CriterionPhase, "one of entry, exit" {
    Entry => "entry", Exit => "exit",
});
doc_names!(DealField, "a deal field (title, industry, …)" {
    Title => "title", AccountName => "account_name", Industry => "industry",
    CompanySize => "company_size", Region => "region", Background => "background",
    ExpectedClose => "expected_close", Needs => "needs", BusinessValue => "business_value",
    ApprovalCycle => "approval_cycle", Source => "source", Campaign => "campaign",
});

/// `YYYY-MM-DD` (a year before 1 is written with a sign, `-0001-01-01`).
///
/// Written by hand rather than through `time`'s format descriptions: those bring `time`'s
/// whole formatting and parsing machinery into the browser module for one fixed layout.
pub(crate) fn format_date(date: Date) -> String {
    let year = date.year();
    let sign = if year < 0 { "-" } else { "" };
    format!(
        "{sign}{:04}-{:02}-{:02}",
        year.unsigned_abs(),
        u8::from(date.month()),
        date.day()
    )
}

/// Parses `YYYY-MM-DD` (four-digit year, optionally signed; two-digit month and day).
pub(crate) fn parse_date(text: &str) -> Option<Date> {
    let (negative, unsigned) = match text.as_bytes().first()? {
        b'-' => (true, text.get(1..)?),
        b'+' => (false, text.get(1..)?),
        _ => (false, text),
    };
    let mut parts = unsigned.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    let digits = |part: &str| {
        part.bytes().try_fold(0_u16, |value, digit| {
            digit
                .is_ascii_digit()
                .then(|| value * 10 + u16::from(digit - b'0'))
        })
    };
    let year = i32::from(digits(year)?);
    let month = time::Month::try_from(u8::try_from(digits(month)?).ok()?).ok()?;
    let day = u8::try_from(digits(day)?).ok()?;
    Date::from_calendar_date(if negative { -year } else { year }, month, day).ok()
}

/// Serde for a `Date` field as `YYYY-MM-DD` through [`format_date`] and [`parse_date`]: the
/// same text `time`'s own serde writes for human-readable formats, without linking `time`'s
/// format-description machinery into the browser modules (the main module writes core's deals
/// for the compute module with serde). Use as `#[serde(with = "crate::doc::codec::serde_date")]`.
pub(crate) mod serde_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    /// Writes the date as `YYYY-MM-DD`.
    pub(crate) fn serialize<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::format_date(*date))
    }

    /// Reads a `YYYY-MM-DD` date.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Date, D::Error> {
        let text = String::deserialize(deserializer)?;
        super::parse_date(&text).ok_or_else(|| {
            serde::de::Error::invalid_value(
                serde::de::Unexpected::Str(&text),
                &"a date written YYYY-MM-DD",
            )
        })
    }
}

/// [`serde_date`] for an optional date (`null` when absent).
pub(crate) mod serde_option_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    /// Writes the date as `YYYY-MM-DD`, or `null`.
    pub(crate) fn serialize<S: Serializer>(
        date: &Option<Date>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match date {
            Some(date) => super::serde_date::serialize(date, serializer),
            None => serializer.serialize_none(),
        }
    }

    /// Reads a `YYYY-MM-DD` date or `null`.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Date>, D::Error> {
        #[derive(Deserialize)]
        struct Wrapped(#[serde(with = "super::serde_date")] Date);
        Ok(Option::<Wrapped>::deserialize(deserializer)?.map(|Wrapped(date)| date))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_serde_names<T: DocName + serde::Serialize>() {
        for variant in T::ALL {
            let json = serde_json::to_string(variant).unwrap();
            assert_eq!(json, format!("\"{}\"", variant.doc_name()));
            assert_eq!(
                T::from_doc_name(variant.doc_name()).map(DocName::doc_name),
                Some(variant.doc_name())
            );
        }
        assert!(T::from_doc_name("no_such_name").is_none());
    }

    #[test]
    fn names_match_serde() {
        check_serde_names::<CompanySize>();
        check_serde_names::<FollowUpKind>();
        check_serde_names::<TaskStatus>();
        check_serde_names::<ContactRole>();
        check_serde_names::<Stance>();
        check_serde_names::<Influence>();
        check_serde_names::<RelationshipKind>();
        check_serde_names::<CompetitorStatus>();
        check_serde_names::<DealStatus>();
        check_serde_names::<TransitionKind>();
        check_serde_names::<DealRole>();
        check_serde_names::<ForecastCategory>();
        check_serde_names::<CriterionPhase>();
        check_serde_names::<DealField>();
    }

    #[test]
    fn dates_round_trip() {
        let date = time::macros::date!(2026 - 03 - 31);
        assert_eq!(format_date(date), "2026-03-31");
        assert_eq!(parse_date("2026-03-31"), Some(date));
        assert_eq!(parse_date("31/03/2026"), None);
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("2026-3-31"), None);
        assert_eq!(parse_date("2026-03-31-01"), None);
        assert_eq!(parse_date("2026-03-3a"), None);
        assert_eq!(parse_date("+2026-03-31"), Some(date));
        assert_eq!(parse_date(""), None);
    }

    #[test]
    fn serde_dates_read_and_write_what_time_serde_does() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct Fields {
            #[serde(with = "serde_date")]
            due: Date,
            #[serde(default, with = "serde_option_date")]
            close: Option<Date>,
        }
        #[derive(serde::Serialize)]
        struct TimeFields {
            due: Date,
            close: Option<Date>,
        }
        for date in [
            time::macros::date!(2026 - 06 - 30),
            time::macros::date!(0001 - 01 - 01),
            time::macros::date!(-0001 - 06 - 15),
        ] {
            for close in [Some(date), None] {
                let ours = serde_json::to_string(&Fields { due: date, close }).unwrap();
                let time_serde = serde_json::to_string(&TimeFields { due: date, close }).unwrap();
                assert_eq!(ours, time_serde);
                let read: Fields = serde_json::from_str(&time_serde).unwrap();
                assert_eq!(read, Fields { due: date, close });
            }
        }
        // An absent optional date is `None`, as for a plain `Option` field; a malformed one is
        // an error.
        let read: Fields = serde_json::from_str(r#"{"due":"2026-06-30"}"#).unwrap();
        assert_eq!(read.close, None);
        assert!(serde_json::from_str::<Fields>(r#"{"due":"30/06/2026"}"#).is_err());
        assert!(serde_json::from_str::<Fields>(r#"{"due":"2026-06-30","close":7}"#).is_err());
    }

    #[test]
    fn dates_spell_like_time_formats_them() {
        let layout = time::macros::format_description!("[year]-[month]-[day]");
        for date in [
            time::macros::date!(0001 - 01 - 01),
            time::macros::date!(0000 - 12 - 31),
            time::macros::date!(-0001 - 06 - 15),
            time::macros::date!(-9999 - 01 - 01),
            time::macros::date!(9999 - 12 - 31),
            time::macros::date!(2024 - 02 - 29),
        ] {
            let expected = date.format(layout).unwrap();
            assert_eq!(format_date(date), expected);
            assert_eq!(parse_date(&expected), Some(date));
            assert_eq!(Date::parse(&format_date(date), layout).ok(), Some(date));
        }
    }
}
