//! Errors of analytics and reports.

use time::Date;

use crate::error::ErrorCode;
use crate::i18n::{Locale, Localized};
use crate::id::{PipelineId, StageId};
use crate::money::MoneyError;

use super::rate::Rate;

/// Why an analysis or report could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AnalyticsError {
    /// A date range ends before it starts.
    #[error("date range {start} to {end} ends before it starts: swap the dates")]
    InvalidDateRange {
        /// First day.
        start: Date,
        /// Last day.
        end: Date,
    },
    /// A quarter outside 1–4.
    #[error("quarter {quarter} does not exist: use 1, 2, 3 or 4")]
    InvalidQuarter {
        /// The quarter given.
        quarter: u8,
    },
    /// A month outside 1–12.
    #[error("month {month} of {year} does not exist: use 1 to 12")]
    InvalidMonth {
        /// The month given.
        month: u8,
        /// The year given.
        year: i32,
    },
    /// A year the calendar cannot represent.
    #[error("year {year} is out of range: use a year between -9999 and 9999")]
    YearOutOfRange {
        /// The year given.
        year: i32,
    },
    /// The analysis compares two dates and the filter has no period.
    #[error(
        "the pipeline change compares the start and the end of a period: set the filter's period"
    )]
    PeriodRequired,
    /// The filter names a pipeline other than the one the analysis is for.
    #[error(
        "the filter selects pipeline {filtered} but the analysis is for pipeline {requested}: use one pipeline"
    )]
    PipelineMismatch {
        /// The pipeline the analysis was asked for.
        requested: PipelineId,
        /// The pipeline in the filter.
        filtered: PipelineId,
    },
    /// A benchmark conversion rate is outside 0–100 %.
    #[error(
        "benchmark conversion {rate} for stage {stage} is outside 0% to 100%: fix the benchmark"
    )]
    InvalidBenchmark {
        /// The stage.
        stage: StageId,
        /// The rate given.
        rate: Rate,
    },
    /// Two targets were given for the same company, team or rep.
    #[error("two targets were given for {scope}: give one target per company, team or rep")]
    DuplicateTarget {
        /// The company, team or rep, e.g. `team east`.
        scope: String,
    },
    /// Converting or adding up amounts failed.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl AnalyticsError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            AnalyticsError::InvalidDateRange { .. }
            | AnalyticsError::InvalidQuarter { .. }
            | AnalyticsError::InvalidMonth { .. }
            | AnalyticsError::YearOutOfRange { .. } => ErrorCode::InvalidPeriod,
            AnalyticsError::PeriodRequired => ErrorCode::PeriodRequired,
            AnalyticsError::PipelineMismatch { .. } => ErrorCode::InvalidFilter,
            AnalyticsError::InvalidBenchmark { .. } => ErrorCode::InvalidBenchmark,
            AnalyticsError::DuplicateTarget { .. } => ErrorCode::InvalidTarget,
            AnalyticsError::Money(error) => error.code(),
        }
    }
}

impl Localized for AnalyticsError {
    fn localized(&self, locale: Locale) -> String {
        match (locale, self) {
            (_, AnalyticsError::Money(error)) => error.localized(locale),
            (Locale::En, _) => self.to_string(),
            (Locale::ZhCn, AnalyticsError::InvalidDateRange { start, end }) => {
                format!("日期范围 {start} 至 {end} 的结束早于开始：请交换两个日期")
            }
            (Locale::ZhCn, AnalyticsError::InvalidQuarter { quarter }) => {
                format!("不存在第 {quarter} 季度：请使用 1、2、3 或 4")
            }
            (Locale::ZhCn, AnalyticsError::InvalidMonth { month, year }) => {
                format!("{year} 年没有第 {month} 月：请使用 1 至 12")
            }
            (Locale::ZhCn, AnalyticsError::YearOutOfRange { year }) => {
                format!("年份 {year} 超出范围：请使用 -9999 至 9999 之间的年份")
            }
            (Locale::ZhCn, AnalyticsError::PeriodRequired) => {
                "管道变化分析比较时间段起止两个时点：请在筛选条件中设置时间段".to_owned()
            }
            (
                Locale::ZhCn,
                AnalyticsError::PipelineMismatch {
                    requested,
                    filtered,
                },
            ) => {
                format!(
                    "筛选条件选择了销售流程 {filtered}，而分析针对的是 {requested}：请只用一个流程"
                )
            }
            (Locale::ZhCn, AnalyticsError::InvalidBenchmark { stage, rate }) => {
                format!("阶段 {stage} 的基准转化率 {rate} 不在 0% 至 100% 之间：请修正基准")
            }
            (Locale::ZhCn, AnalyticsError::DuplicateTarget { scope }) => {
                format!("{scope} 有两个目标：每个公司、团队或销售只能设一个目标")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn codes_and_translations() {
        let error = AnalyticsError::InvalidDateRange {
            start: date!(2026 - 03 - 31),
            end: date!(2026 - 03 - 01),
        };
        assert_eq!(error.code(), ErrorCode::InvalidPeriod);
        assert_eq!(
            error.localized(Locale::ZhCn),
            "日期范围 2026-03-31 至 2026-03-01 的结束早于开始：请交换两个日期"
        );
        assert_eq!(
            error.localized(Locale::En),
            "date range 2026-03-31 to 2026-03-01 ends before it starts: swap the dates"
        );
        let money = AnalyticsError::from(MoneyError::Overflow);
        assert_eq!(money.code(), ErrorCode::AmountOutOfRange);
        assert_eq!(money.localized(Locale::ZhCn), "金额超出范围");
    }
}
