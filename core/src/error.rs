//! Stable error codes and the crate-wide error type.
//!
//! Each area has its own error enum (`MoneyError`, `PipelineError`, …) with data-carrying
//! variants, lowercase messages that say what to do, and a zh-CN translation through
//! [`Localized`]. [`Error`] wraps them all, and every error maps to one field-less [`ErrorCode`]
//! whose snake_case name is a stable contract for the wasm binding (a TS string union) and the
//! server (an HTTP status and a `{ code, message }` body).

use serde::{Deserialize, Serialize};

use crate::assignment::error::AssignmentError;
use crate::i18n::{Locale, Localized};
use crate::id::IdError;
use crate::lead::error::{ImportError, LeadError};
use crate::money::MoneyError;
use crate::org::error::OrgError;
use crate::pipeline::PipelineError;
use crate::pool::error::PoolError;
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
    /// A pipeline configuration is invalid.
    InvalidPipeline,
    /// A stage id is not part of the pipeline.
    UnknownStage,
    /// The organisation tree is invalid (cycle, unknown team, duplicate id).
    InvalidOrganisation,
    /// A user is unknown or inactive.
    UnknownUser,
    /// A transfer's successor cannot take the work over.
    InvalidSuccessor,
    /// The user's role or team does not allow the action.
    Forbidden,
    /// The lead is already converted or invalid.
    LeadClosed,
    /// The lead has no owner.
    LeadNotOwned,
    /// A lead field or conversion input is invalid.
    InvalidLeadInput,
    /// A CSV import file cannot be used as a whole.
    InvalidImportFile,
    /// A CSV import file has too many rows.
    ImportTooLarge,
    /// No lead with this id.
    UnknownLead,
    /// Someone else holds the lead (lost a claim race).
    LeadAlreadyClaimed,
    /// The lead changed since the command was decided.
    StaleVersion,
    /// A custody change does not fit the lead's state.
    InvalidLeadMove,
    /// No pool with this id.
    UnknownPool,
    /// No team with this id.
    UnknownTeam,
    /// Pool configuration is invalid.
    InvalidPoolConfig,
    /// The rep holds too many un-followed leads from the pool.
    ClaimLimitReached,
    /// An assignment policy does not fit the organisation.
    InvalidAssignmentPolicy,
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
            ErrorCode::InvalidPipeline => "invalid_pipeline",
            ErrorCode::UnknownStage => "unknown_stage",
            ErrorCode::InvalidOrganisation => "invalid_organisation",
            ErrorCode::UnknownUser => "unknown_user",
            ErrorCode::InvalidSuccessor => "invalid_successor",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::LeadClosed => "lead_closed",
            ErrorCode::LeadNotOwned => "lead_not_owned",
            ErrorCode::InvalidLeadInput => "invalid_lead_input",
            ErrorCode::InvalidImportFile => "invalid_import_file",
            ErrorCode::ImportTooLarge => "import_too_large",
            ErrorCode::UnknownLead => "unknown_lead",
            ErrorCode::LeadAlreadyClaimed => "lead_already_claimed",
            ErrorCode::StaleVersion => "stale_version",
            ErrorCode::InvalidLeadMove => "invalid_lead_move",
            ErrorCode::UnknownPool => "unknown_pool",
            ErrorCode::UnknownTeam => "unknown_team",
            ErrorCode::InvalidPoolConfig => "invalid_pool_config",
            ErrorCode::ClaimLimitReached => "claim_limit_reached",
            ErrorCode::InvalidAssignmentPolicy => "invalid_assignment_policy",
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
    /// Lead changes and conversion.
    #[error(transparent)]
    Lead(#[from] LeadError),
    /// A CSV import that failed as a whole.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// Pool commands and other custody changes.
    #[error(transparent)]
    Pool(#[from] PoolError),
    /// Assignment policies and SLA handling.
    #[error(transparent)]
    Assignment(#[from] AssignmentError),
    /// The organisation tree and ownership transfers.
    #[error(transparent)]
    Org(#[from] OrgError),
}

impl Error {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Id(error) => error.code(),
            Error::Money(error) => error.code(),
            Error::Probability(error) => error.code(),
            Error::Pipeline(error) => error.code(),
            Error::Lead(error) => error.code(),
            Error::Import(error) => error.code(),
            Error::Pool(error) => error.code(),
            Error::Assignment(error) => error.code(),
            Error::Org(error) => error.code(),
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
            Error::Lead(error) => error.localized(locale),
            Error::Import(error) => error.localized(locale),
            Error::Pool(error) => error.localized(locale),
            Error::Assignment(error) => error.localized(locale),
            Error::Org(error) => error.localized(locale),
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
            ErrorCode::InvalidPipeline,
            ErrorCode::UnknownStage,
            ErrorCode::InvalidOrganisation,
            ErrorCode::UnknownUser,
            ErrorCode::InvalidSuccessor,
            ErrorCode::Forbidden,
            ErrorCode::LeadClosed,
            ErrorCode::LeadNotOwned,
            ErrorCode::InvalidLeadInput,
            ErrorCode::InvalidImportFile,
            ErrorCode::ImportTooLarge,
            ErrorCode::UnknownLead,
            ErrorCode::LeadAlreadyClaimed,
            ErrorCode::StaleVersion,
            ErrorCode::InvalidLeadMove,
            ErrorCode::UnknownPool,
            ErrorCode::UnknownTeam,
            ErrorCode::InvalidPoolConfig,
            ErrorCode::ClaimLimitReached,
            ErrorCode::InvalidAssignmentPolicy,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }
}
