//! Stable error codes and the crate-wide error type.
//!
//! Each area has its own error enum (`MoneyError`, `PipelineError`, …) with data-carrying
//! variants, lowercase messages that say what to do, and a zh-CN translation through
//! [`Localized`]. [`Error`] wraps them all, and every error maps to one field-less [`ErrorCode`]
//! whose snake_case name is a stable contract for the wasm binding (a TS string union) and the
//! server (an HTTP status and a `{ code, message }` body).

use serde::{Deserialize, Serialize};

use crate::i18n::{Locale, Localized};
use crate::id::IdError;
use crate::money::MoneyError;
use crate::pipeline::PipelineError;
use crate::probability::ProbabilityError;
use crate::sync::SyncError;

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
    /// A sync frame is larger than the configured limit.
    FrameTooLarge,
    /// A sync frame is not valid CBOR or lacks the fields of its message type.
    MalformedFrame,
    /// A document id or automerge URL is invalid.
    InvalidDocumentId,
    /// A peer, storage or session id is invalid.
    InvalidPeerId,
    /// A peer broke the handshake or addressed a message wrongly.
    ProtocolViolation,
    /// A peer offered no supported protocol version.
    UnsupportedProtocolVersion,
    /// An automerge sync message is malformed or its changes are corrupt.
    InvalidSyncMessage,
    /// A document would grow beyond the configured size cap.
    DocumentTooLarge,
    /// Stored document chunks are corrupt or too large.
    CorruptStorage,
    /// A local change to a document failed.
    LocalChangeFailed,
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
            ErrorCode::FrameTooLarge => "frame_too_large",
            ErrorCode::MalformedFrame => "malformed_frame",
            ErrorCode::InvalidDocumentId => "invalid_document_id",
            ErrorCode::InvalidPeerId => "invalid_peer_id",
            ErrorCode::ProtocolViolation => "protocol_violation",
            ErrorCode::UnsupportedProtocolVersion => "unsupported_protocol_version",
            ErrorCode::InvalidSyncMessage => "invalid_sync_message",
            ErrorCode::DocumentTooLarge => "document_too_large",
            ErrorCode::CorruptStorage => "corrupt_storage",
            ErrorCode::LocalChangeFailed => "local_change_failed",
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
    /// The sync protocol: frames, handshakes, documents and stored chunks.
    #[error(transparent)]
    Sync(#[from] SyncError),
}

impl Error {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Id(error) => error.code(),
            Error::Money(error) => error.code(),
            Error::Probability(error) => error.code(),
            Error::Pipeline(error) => error.code(),
            Error::Sync(error) => error.code(),
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
            Error::Sync(error) => error.localized(locale),
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
            ErrorCode::FrameTooLarge,
            ErrorCode::MalformedFrame,
            ErrorCode::InvalidDocumentId,
            ErrorCode::InvalidPeerId,
            ErrorCode::ProtocolViolation,
            ErrorCode::UnsupportedProtocolVersion,
            ErrorCode::InvalidSyncMessage,
            ErrorCode::DocumentTooLarge,
            ErrorCode::CorruptStorage,
            ErrorCode::LocalChangeFailed,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }
}
