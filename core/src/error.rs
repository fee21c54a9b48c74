//! Stable error codes and the crate-wide error type.
//!
//! Each area has its own error enum (`MoneyError`, `PipelineError`, …) with data-carrying
//! variants, lowercase messages that say what to do, and a zh-CN translation through
//! [`Localized`]. [`Error`] wraps them all, and every error maps to one field-less [`ErrorCode`]
//! whose snake_case name is a stable contract for the wasm binding (a TS string union) and the
//! server (an HTTP status and a `{ code, message }` body).

use serde::{Deserialize, Serialize};

use crate::analytics::AnalyticsError;
use crate::i18n::{Locale, Localized};
use crate::id::IdError;
use crate::money::MoneyError;
use crate::pipeline::PipelineError;
use crate::probability::ProbabilityError;

/// The stable, field-less code of every error core can return.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// An id was empty, too long or contained control characters.
    InvalidId,
    /// A currency code is not ISO 4217.
    UnknownCurrency,
    /// Amounts in different currencies were combined.
    CurrencyMismatch,
    /// An amount overflowed or a ratio divided by zero.
    AmountOutOfRange,
    /// No exchange rate between two currencies.
    MissingExchangeRate,
    /// An exchange rate was zero, negative or malformed.
    InvalidExchangeRate,
    /// A probability above 100 %.
    ProbabilityOutOfRange,
    /// A discount above 100 %.
    DiscountOutOfRange,
    /// A pipeline configuration is invalid.
    InvalidPipeline,
    /// A stage id is not part of the pipeline.
    UnknownStage,
    /// A stage move broke the pipeline's rules; the error lists every problem.
    MoveRejected,
    /// A deal was moved with a pipeline other than its own.
    WrongPipeline,
    /// A report period is invalid (ends before it starts, no such quarter, year out of range).
    InvalidPeriod,
    /// An analysis needs a period and the filter has none.
    PeriodRequired,
    /// A report filter contradicts the analysis asked for.
    InvalidFilter,
    /// A funnel benchmark is invalid.
    InvalidBenchmark,
    /// Sales targets are invalid (e.g. two for the same rep).
    InvalidTarget,
}

impl ErrorCode {
    /// The snake_case name, e.g. `"unknown_stage"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidId => "invalid_id",
            ErrorCode::UnknownCurrency => "unknown_currency",
            ErrorCode::CurrencyMismatch => "currency_mismatch",
            ErrorCode::AmountOutOfRange => "amount_out_of_range",
            ErrorCode::MissingExchangeRate => "missing_exchange_rate",
            ErrorCode::InvalidExchangeRate => "invalid_exchange_rate",
            ErrorCode::ProbabilityOutOfRange => "probability_out_of_range",
            ErrorCode::DiscountOutOfRange => "discount_out_of_range",
            ErrorCode::InvalidPipeline => "invalid_pipeline",
            ErrorCode::UnknownStage => "unknown_stage",
            ErrorCode::MoveRejected => "move_rejected",
            ErrorCode::WrongPipeline => "wrong_pipeline",
            ErrorCode::InvalidPeriod => "invalid_period",
            ErrorCode::PeriodRequired => "period_required",
            ErrorCode::InvalidFilter => "invalid_filter",
            ErrorCode::InvalidBenchmark => "invalid_benchmark",
            ErrorCode::InvalidTarget => "invalid_target",
        }
    }
}

/// Any error of this crate.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An invalid id.
    #[error(transparent)]
    Id(#[from] IdError),
    /// Money arithmetic or currency handling.
    #[error(transparent)]
    Money(#[from] MoneyError),
    /// A probability out of range.
    #[error(transparent)]
    Probability(#[from] ProbabilityError),
    /// Pipeline configuration or stage moves.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// Analytics and reports.
    #[error(transparent)]
    Analytics(#[from] AnalyticsError),
}

impl Error {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Id(error) => error.code(),
            Error::Money(error) => error.code(),
            Error::Probability(error) => error.code(),
            Error::Pipeline(error) => error.code(),
            Error::Analytics(error) => error.code(),
        }
    }
}

impl Localized for Error {
    fn localized(&self, locale: Locale) -> String {
        match self {
            Error::Id(error) => error.localized(locale),
            Error::Money(error) => error.localized(locale),
            Error::Probability(error) => error.localized(locale),
            Error::Pipeline(error) => error.localized(locale),
            Error::Analytics(error) => error.localized(locale),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_names_match_serde() {
        for code in [
            ErrorCode::InvalidId,
            ErrorCode::UnknownCurrency,
            ErrorCode::CurrencyMismatch,
            ErrorCode::AmountOutOfRange,
            ErrorCode::MissingExchangeRate,
            ErrorCode::InvalidExchangeRate,
            ErrorCode::ProbabilityOutOfRange,
            ErrorCode::DiscountOutOfRange,
            ErrorCode::InvalidPipeline,
            ErrorCode::UnknownStage,
            ErrorCode::MoveRejected,
            ErrorCode::WrongPipeline,
            ErrorCode::InvalidPeriod,
            ErrorCode::PeriodRequired,
            ErrorCode::InvalidFilter,
            ErrorCode::InvalidBenchmark,
            ErrorCode::InvalidTarget,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }
}
