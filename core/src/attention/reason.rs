//! Why a deal counts as stalled, as stable data with messages in both languages.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::i18n::{Locale, Localized};
use crate::id::{ContactId, StageId};

/// One reason an open deal counts as stalled (a "zombie" deal).
///
/// Serialized with a `kind` tag (`dwell_exceeded`, `no_recent_follow_up`, …) and plain fields,
/// so the UI and the health score can read them without parsing messages; [`Localized`] gives
/// the sentence to show. Day counts are whole calendar days in the organisation's time zone.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum StallReason {
    /// The deal has stayed in its stage longer than the stage's `max_dwell_days`.
    DwellExceeded {
        /// The stage.
        stage: StageId,
        /// The day the deal entered it.
        entered_on: Date,
        /// Days since then.
        days_in_stage: i64,
        /// The stage's limit.
        max_dwell_days: u32,
    },
    /// No follow-up for more than the configured number of days (counted from the deal's
    /// creation when it has never had one).
    NoRecentFollowUp {
        /// The day of the last follow-up; `None` when there has been none.
        last_follow_up_on: Option<Date>,
        /// Days since the last follow-up (or since creation).
        days_without_follow_up: i64,
        /// The configured limit ([`AttentionConfig::follow_up_days`](crate::AttentionConfig::follow_up_days)).
        max_days: u32,
    },
    /// The expected close date is in the past.
    CloseDatePassed {
        /// The expected close date.
        expected_close: Date,
        /// Days since it.
        days_overdue: i64,
    },
    /// No contact with role decision maker is on the deal after the grace period.
    NoDecisionMaker {
        /// Days since the deal was created.
        days_open: i64,
        /// The configured grace period.
        grace_days: u32,
    },
    /// Decision makers are on the deal, but none has ever been contacted: none has a
    /// `last_contacted` date or took part in a follow-up.
    DecisionMakerNotContacted {
        /// The decision makers, by id.
        contacts: Vec<ContactId>,
        /// Days since the deal was created.
        days_open: i64,
        /// The configured grace period.
        grace_days: u32,
    },
}

impl StallReason {
    /// A stable snake_case code, the same as the serde tag.
    pub fn code(&self) -> &'static str {
        match self {
            StallReason::DwellExceeded { .. } => "dwell_exceeded",
            StallReason::NoRecentFollowUp { .. } => "no_recent_follow_up",
            StallReason::CloseDatePassed { .. } => "close_date_passed",
            StallReason::NoDecisionMaker { .. } => "no_decision_maker",
            StallReason::DecisionMakerNotContacted { .. } => "decision_maker_not_contacted",
        }
    }

    /// How many days past its threshold the reason is (at least 0): how overdue the deal is on
    /// this count. Stalled deals are sorted by their worst reason.
    pub fn days_past_threshold(&self) -> i64 {
        let past = match self {
            StallReason::DwellExceeded {
                days_in_stage,
                max_dwell_days,
                ..
            } => days_in_stage - i64::from(*max_dwell_days),
            StallReason::NoRecentFollowUp {
                days_without_follow_up,
                max_days,
                ..
            } => days_without_follow_up - i64::from(*max_days),
            StallReason::CloseDatePassed { days_overdue, .. } => *days_overdue,
            StallReason::NoDecisionMaker {
                days_open,
                grace_days,
            }
            | StallReason::DecisionMakerNotContacted {
                days_open,
                grace_days,
                ..
            } => days_open - i64::from(*grace_days),
        };
        past.max(0)
    }
}

impl Localized for StallReason {
    fn localized(&self, locale: Locale) -> String {
        match (locale, self) {
            (
                Locale::ZhCn,
                StallReason::DwellExceeded {
                    entered_on,
                    days_in_stage,
                    max_dwell_days,
                    ..
                },
            ) => format!(
                "自 {entered_on} 起在当前阶段停留 {days_in_stage} 天，超过上限 {max_dwell_days} 天"
            ),
            (
                Locale::En,
                StallReason::DwellExceeded {
                    entered_on,
                    days_in_stage,
                    max_dwell_days,
                    ..
                },
            ) => format!(
                "{days_in_stage} days in the current stage since {entered_on}, over the {max_dwell_days}-day limit"
            ),
            (
                Locale::ZhCn,
                StallReason::NoRecentFollowUp {
                    last_follow_up_on: Some(last),
                    days_without_follow_up,
                    max_days,
                },
            ) => format!(
                "已 {days_without_follow_up} 天未跟进（上次跟进：{last}），超过 {max_days} 天"
            ),
            (
                Locale::En,
                StallReason::NoRecentFollowUp {
                    last_follow_up_on: Some(last),
                    days_without_follow_up,
                    max_days,
                },
            ) => format!(
                "no follow-up for {days_without_follow_up} days (last on {last}), over the {max_days}-day limit"
            ),
            (
                Locale::ZhCn,
                StallReason::NoRecentFollowUp {
                    last_follow_up_on: None,
                    days_without_follow_up,
                    ..
                },
            ) => format!("创建 {days_without_follow_up} 天以来从未跟进"),
            (
                Locale::En,
                StallReason::NoRecentFollowUp {
                    last_follow_up_on: None,
                    days_without_follow_up,
                    ..
                },
            ) => format!(
                "no follow-up in the {days_without_follow_up} days since the deal was created"
            ),
            (
                Locale::ZhCn,
                StallReason::CloseDatePassed {
                    expected_close,
                    days_overdue,
                },
            ) => format!(
                "预计成交日期 {expected_close} 已过去 {days_overdue} 天：请更新日期或推进成交"
            ),
            (
                Locale::En,
                StallReason::CloseDatePassed {
                    expected_close,
                    days_overdue,
                },
            ) => format!(
                "the expected close date {expected_close} passed {days_overdue} days ago: update it or close the deal"
            ),
            (Locale::ZhCn, StallReason::NoDecisionMaker { days_open, .. }) => {
                format!("商机已进行 {days_open} 天，仍未确认决策者")
            }
            (Locale::En, StallReason::NoDecisionMaker { days_open, .. }) => {
                format!("no decision maker identified after {days_open} days")
            }
            (Locale::ZhCn, StallReason::DecisionMakerNotContacted { days_open, .. }) => {
                format!("商机已进行 {days_open} 天，从未接触决策者")
            }
            (Locale::En, StallReason::DecisionMakerNotContacted { days_open, .. }) => {
                format!("the decision maker has not been contacted in {days_open} days")
            }
        }
    }
}
