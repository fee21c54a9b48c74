//! Errors of forecasting.

use crate::error::ErrorCode;
use crate::i18n::{Locale, Localized};
use crate::money::MoneyError;
use crate::timestamp::Timestamp;

use super::period::{Period, PeriodKind};

/// Errors of forecasts, win rates, simulations, targets and backtests.
///
/// Deals that cannot be placed in a forecast (no expected close date, a stage the pipeline no
/// longer has) are not errors: forecasts list them as exclusions with a reason.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ForecastError {
    /// A period could not be parsed or lies outside the calendar (years ±9999).
    #[error("invalid period {text:?}: write a month as \"2026-03\" or a quarter as \"2026-Q1\"")]
    InvalidPeriod {
        /// The text or period given.
        text: String,
    },
    /// A time window ends before it starts (or is empty).
    #[error(
        "empty time window: from ({} ms) must be before to ({} ms)",
        from.millis(),
        to.millis()
    )]
    EmptyWindow {
        /// Start of the window.
        from: Timestamp,
        /// End of the window (exclusive).
        to: Timestamp,
    },
    /// A simulation was asked to run zero trials or more than the limit.
    #[error("invalid number of trials {trials}: run between 1 and {max} trials")]
    InvalidTrials {
        /// The number given.
        trials: u32,
        /// The largest number accepted.
        max: u32,
    },
    /// A target's period is shorter than the forecast's periods, so it cannot be filled.
    #[error(
        "target period {target} is shorter than the forecast's {forecast:?} periods: forecast by month to compare monthly targets"
    )]
    PeriodMismatch {
        /// The target's period.
        target: Period,
        /// The forecast's period kind.
        forecast: PeriodKind,
    },
    /// Money arithmetic or currency conversion failed.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl ForecastError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            ForecastError::InvalidPeriod { .. } => ErrorCode::InvalidPeriod,
            ForecastError::EmptyWindow { .. } | ForecastError::InvalidTrials { .. } => {
                ErrorCode::InvalidForecastSettings
            }
            ForecastError::PeriodMismatch { .. } => ErrorCode::PeriodMismatch,
            ForecastError::Money(error) => error.code(),
        }
    }
}

impl Localized for ForecastError {
    fn localized(&self, locale: Locale) -> String {
        match (locale, self) {
            (_, ForecastError::Money(error)) => error.localized(locale),
            (Locale::En, _) => self.to_string(),
            (Locale::ZhCn, ForecastError::InvalidPeriod { text }) => {
                format!("无效的期间 {text:?}：月份写作 \"2026-03\"，季度写作 \"2026-Q1\"")
            }
            (Locale::ZhCn, ForecastError::EmptyWindow { from, to }) => format!(
                "时间窗口为空：开始（{} 毫秒）必须早于结束（{} 毫秒）",
                from.millis(),
                to.millis()
            ),
            (Locale::ZhCn, ForecastError::InvalidTrials { trials, max }) => {
                format!("模拟次数 {trials} 无效：请在 1 到 {max} 次之间")
            }
            (Locale::ZhCn, ForecastError::PeriodMismatch { target, forecast }) => {
                let kind = match forecast {
                    PeriodKind::Month => "月",
                    PeriodKind::Quarter => "季度",
                    PeriodKind::Year => "年",
                };
                format!("目标期间 {target} 短于预测的期间（按{kind}）：请按月预测以比较月度目标")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_code_and_both_languages() {
        let errors = [
            ForecastError::InvalidPeriod { text: "x".into() },
            ForecastError::EmptyWindow {
                from: Timestamp::from_millis(2),
                to: Timestamp::from_millis(1),
            },
            ForecastError::InvalidTrials { trials: 0, max: 10 },
            ForecastError::PeriodMismatch {
                target: "2026-03".parse().unwrap(),
                forecast: PeriodKind::Quarter,
            },
            ForecastError::Money(MoneyError::Overflow),
        ];
        for error in errors {
            let text = error.localized_text();
            assert!(!text.is_incomplete());
            assert_ne!(text.zh_cn, text.en);
            assert!(!error.code().as_str().is_empty());
        }
    }
}
