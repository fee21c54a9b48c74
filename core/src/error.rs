//! Stable error codes and the crate-wide error type.
//!
//! Each area has its own error enum (`MoneyError`, `PipelineError`, …) with data-carrying
//! variants, lowercase messages that say what to do, and a zh-CN translation through
//! [`Localized`]. [`Error`] wraps them all, and every error maps to one field-less [`ErrorCode`]
//! whose snake_case name is a stable contract for the wasm binding (a TS string union) and the
//! server (an HTTP status and a `{ code, message }` body).

use serde::{Deserialize, Serialize};

use crate::analytics::AnalyticsError;
use crate::assignment::error::AssignmentError;
use crate::catalog::CatalogError;
use crate::contract::ContractError;
use crate::deal::DealError;
use crate::demo::DemoError;
use crate::doc::DocError;
use crate::forecast::ForecastError;
use crate::i18n::{Locale, Localized};
use crate::id::IdError;
use crate::lead::error::{ImportError, LeadError};
use crate::money::MoneyError;
use crate::org::error::OrgError;
use crate::payment::PaymentError;
use crate::pipeline::PipelineError;
use crate::pool::error::PoolError;
use crate::probability::ProbabilityError;
use crate::quote::QuoteError;
use crate::score::ScoreError;
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
    /// Bytes could not be decoded as an Automerge document, changes or sync message.
    CorruptDocument,
    /// A document holds another kind of data than expected.
    WrongDocumentType,
    /// A document lacks its identifying field.
    InvalidDocument,
    /// An edit referred to a record the document does not hold.
    UnknownRecord,
    /// An edit tried to rewrite the stage history.
    HistoryEditNotAllowed,
    /// A text edit fell outside the text.
    TextRangeOutOfBounds,
    /// Automerge refused a write (a bug).
    DocumentWriteFailed,
    /// A product is not in the catalogue.
    UnknownProduct,
    /// A product is no longer sold.
    InactiveProduct,
    /// A quantity of zero or less.
    InvalidQuantity,
    /// A product catalogue is invalid.
    InvalidCatalog,
    /// A quote command was made against an outdated version: reload and retry.
    StaleQuote,
    /// The quote's status does not allow the action.
    InvalidQuoteTransition,
    /// A sent, accepted, expired or superseded quote was edited.
    QuoteNotEditable,
    /// A quote without lines was submitted or synced.
    EmptyQuote,
    /// The quote's validity date has passed.
    QuoteExpired,
    /// A quote was expired before its validity date.
    QuoteNotExpired,
    /// The approver's level is below what the discount needs.
    InsufficientApprovalLevel,
    /// The quote's owner tried to approve or reject it.
    SelfApproval,
    /// A rejection without a comment.
    CommentRequired,
    /// A quote has no line with that id.
    UnknownQuoteLine,
    /// A quote line is negative or inconsistent with its catalogue price.
    InvalidQuoteLine,
    /// A quote line's catalogue price differs from the catalogue.
    PriceMismatch,
    /// A quote or contract was used with another deal than its own.
    WrongDeal,
    /// A tax rate above 100 %.
    TaxRateOutOfRange,
    /// An approval policy is invalid.
    InvalidApprovalPolicy,
    /// A contract was made from a quote the customer has not accepted.
    QuoteNotAccepted,
    /// A contract is incomplete or inconsistent.
    InvalidContract,
    /// A signed contract was signed again.
    ContractAlreadySigned,
    /// A signing without the signed file or dated in the future.
    InvalidSigning,
    /// The instalments do not add up to the contract amount.
    InstalmentsDoNotSum,
    /// A payment plan has no, too many, duplicate or non-positive instalments.
    InvalidPaymentPlan,
    /// Split shares do not add up to 100 % or do not match the instalments.
    InvalidSplit,
    /// A payment plan has no instalment with that id.
    UnknownInstalment,
    /// A receipt is not positive or reuses another receipt's id.
    InvalidReceipt,
    /// A payment plan has no receipt with that id.
    UnknownReceipt,
    /// A demo-data configuration cannot produce data (no reps, clashing deal ids).
    InvalidDemoConfig,
    /// Demo data refers to something it does not contain.
    InconsistentDemoData,
    /// A contact named by an edit is not on the deal.
    UnknownContact,
    /// A reply names a comment that does not exist.
    UnknownComment,
    /// A task id is not on the deal.
    UnknownTask,
    /// The task is already done or cancelled.
    TaskClosed,
    /// A record id is already used on the deal.
    DuplicateRecord,
    /// A comment has no text.
    EmptyComment,
    /// A product line's unit price is negative.
    NegativePrice,
    /// A power-map edge links a contact to itself.
    InvalidRelationship,
    /// A ticked criterion is not a checklist item of the pipeline.
    UnknownChecklistItem,
    /// The edit needs an open deal.
    DealClosed,
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
    /// A forecast period could not be parsed or is out of range.
    InvalidPeriod,
    /// Forecast settings are invalid (an empty time window, a bad number of trials).
    InvalidForecastSettings,
    /// A target's period does not fit the forecast's periods.
    PeriodMismatch,
    /// A scoring configuration (fit rules, engagement, win model, health) is invalid.
    InvalidScoringConfig,
    /// A score above 100 points.
    ScoreOutOfRange,
    /// An analysis needs a period and the filter has none.
    PeriodRequired,
    /// A report filter contradicts the analysis asked for.
    InvalidFilter,
    /// A funnel benchmark is invalid.
    InvalidBenchmark,
    /// Sales targets are invalid (e.g. two for the same rep).
    InvalidTarget,
    /// A deal-only action (the deal team) was asked of another kind of record.
    NotADeal,
}

impl ErrorCode {
    /// Every code, in declaration order: for bindings that publish the list (the wasm
    /// binding's TypeScript union) and for tests that must cover each code.
    pub const ALL: &'static [ErrorCode] = &[
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
        ErrorCode::CorruptDocument,
        ErrorCode::WrongDocumentType,
        ErrorCode::InvalidDocument,
        ErrorCode::UnknownRecord,
        ErrorCode::HistoryEditNotAllowed,
        ErrorCode::TextRangeOutOfBounds,
        ErrorCode::DocumentWriteFailed,
        ErrorCode::UnknownProduct,
        ErrorCode::InactiveProduct,
        ErrorCode::InvalidQuantity,
        ErrorCode::InvalidCatalog,
        ErrorCode::StaleQuote,
        ErrorCode::InvalidQuoteTransition,
        ErrorCode::QuoteNotEditable,
        ErrorCode::EmptyQuote,
        ErrorCode::QuoteExpired,
        ErrorCode::QuoteNotExpired,
        ErrorCode::InsufficientApprovalLevel,
        ErrorCode::SelfApproval,
        ErrorCode::CommentRequired,
        ErrorCode::UnknownQuoteLine,
        ErrorCode::InvalidQuoteLine,
        ErrorCode::PriceMismatch,
        ErrorCode::WrongDeal,
        ErrorCode::TaxRateOutOfRange,
        ErrorCode::InvalidApprovalPolicy,
        ErrorCode::QuoteNotAccepted,
        ErrorCode::InvalidContract,
        ErrorCode::ContractAlreadySigned,
        ErrorCode::InvalidSigning,
        ErrorCode::InstalmentsDoNotSum,
        ErrorCode::InvalidPaymentPlan,
        ErrorCode::InvalidSplit,
        ErrorCode::UnknownInstalment,
        ErrorCode::InvalidReceipt,
        ErrorCode::UnknownReceipt,
        ErrorCode::InvalidDemoConfig,
        ErrorCode::InconsistentDemoData,
        ErrorCode::UnknownContact,
        ErrorCode::UnknownComment,
        ErrorCode::UnknownTask,
        ErrorCode::TaskClosed,
        ErrorCode::DuplicateRecord,
        ErrorCode::EmptyComment,
        ErrorCode::NegativePrice,
        ErrorCode::InvalidRelationship,
        ErrorCode::UnknownChecklistItem,
        ErrorCode::DealClosed,
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
        ErrorCode::InvalidPeriod,
        ErrorCode::InvalidForecastSettings,
        ErrorCode::PeriodMismatch,
        ErrorCode::InvalidScoringConfig,
        ErrorCode::ScoreOutOfRange,
        ErrorCode::PeriodRequired,
        ErrorCode::InvalidFilter,
        ErrorCode::InvalidBenchmark,
        ErrorCode::InvalidTarget,
        ErrorCode::NotADeal,
    ];

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
            ErrorCode::CorruptDocument => "corrupt_document",
            ErrorCode::WrongDocumentType => "wrong_document_type",
            ErrorCode::InvalidDocument => "invalid_document",
            ErrorCode::UnknownRecord => "unknown_record",
            ErrorCode::HistoryEditNotAllowed => "history_edit_not_allowed",
            ErrorCode::TextRangeOutOfBounds => "text_range_out_of_bounds",
            ErrorCode::DocumentWriteFailed => "document_write_failed",
            ErrorCode::UnknownProduct => "unknown_product",
            ErrorCode::InactiveProduct => "inactive_product",
            ErrorCode::InvalidQuantity => "invalid_quantity",
            ErrorCode::InvalidCatalog => "invalid_catalog",
            ErrorCode::StaleQuote => "stale_quote",
            ErrorCode::InvalidQuoteTransition => "invalid_quote_transition",
            ErrorCode::QuoteNotEditable => "quote_not_editable",
            ErrorCode::EmptyQuote => "empty_quote",
            ErrorCode::QuoteExpired => "quote_expired",
            ErrorCode::QuoteNotExpired => "quote_not_expired",
            ErrorCode::InsufficientApprovalLevel => "insufficient_approval_level",
            ErrorCode::SelfApproval => "self_approval",
            ErrorCode::CommentRequired => "comment_required",
            ErrorCode::UnknownQuoteLine => "unknown_quote_line",
            ErrorCode::InvalidQuoteLine => "invalid_quote_line",
            ErrorCode::PriceMismatch => "price_mismatch",
            ErrorCode::WrongDeal => "wrong_deal",
            ErrorCode::TaxRateOutOfRange => "tax_rate_out_of_range",
            ErrorCode::InvalidApprovalPolicy => "invalid_approval_policy",
            ErrorCode::QuoteNotAccepted => "quote_not_accepted",
            ErrorCode::InvalidContract => "invalid_contract",
            ErrorCode::ContractAlreadySigned => "contract_already_signed",
            ErrorCode::InvalidSigning => "invalid_signing",
            ErrorCode::InstalmentsDoNotSum => "instalments_do_not_sum",
            ErrorCode::InvalidPaymentPlan => "invalid_payment_plan",
            ErrorCode::InvalidSplit => "invalid_split",
            ErrorCode::UnknownInstalment => "unknown_instalment",
            ErrorCode::InvalidReceipt => "invalid_receipt",
            ErrorCode::UnknownReceipt => "unknown_receipt",
            ErrorCode::InvalidDemoConfig => "invalid_demo_config",
            ErrorCode::InconsistentDemoData => "inconsistent_demo_data",
            ErrorCode::UnknownContact => "unknown_contact",
            ErrorCode::UnknownComment => "unknown_comment",
            ErrorCode::UnknownTask => "unknown_task",
            ErrorCode::TaskClosed => "task_closed",
            ErrorCode::DuplicateRecord => "duplicate_record",
            ErrorCode::EmptyComment => "empty_comment",
            ErrorCode::NegativePrice => "negative_price",
            ErrorCode::InvalidRelationship => "invalid_relationship",
            ErrorCode::UnknownChecklistItem => "unknown_checklist_item",
            ErrorCode::DealClosed => "deal_closed",
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
            ErrorCode::InvalidOrganisation => "invalid_organisation",
            ErrorCode::UnknownUser => "unknown_user",
            ErrorCode::InvalidSuccessor => "invalid_successor",
            ErrorCode::NotADeal => "not_a_deal",
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
            ErrorCode::InvalidPeriod => "invalid_period",
            ErrorCode::InvalidForecastSettings => "invalid_forecast_settings",
            ErrorCode::PeriodMismatch => "period_mismatch",
            ErrorCode::InvalidScoringConfig => "invalid_scoring_config",
            ErrorCode::ScoreOutOfRange => "score_out_of_range",
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
    /// Automerge documents.
    #[error(transparent)]
    Doc(#[from] DocError),
    /// The product catalogue and pricing.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// Quotes and their approval.
    #[error(transparent)]
    Quote(#[from] QuoteError),
    /// Contracts and signing.
    #[error(transparent)]
    Contract(#[from] ContractError),
    /// Payment plans and receipts.
    #[error(transparent)]
    Payment(#[from] PaymentError),
    /// Demo data generation.
    #[error(transparent)]
    Demo(#[from] DemoError),
    /// Editing a deal record.
    #[error(transparent)]
    Deal(#[from] DealError),
    /// The sync protocol: frames, handshakes, documents and stored chunks.
    #[error(transparent)]
    Sync(#[from] SyncError),
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
    /// Forecasts, win rates, simulations, targets and backtests.
    #[error(transparent)]
    Forecast(#[from] ForecastError),
    /// Fit, engagement, win-probability, health and RFM scoring.
    #[error(transparent)]
    Score(#[from] ScoreError),
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
            Error::Doc(error) => error.code(),
            Error::Catalog(error) => error.code(),
            Error::Quote(error) => error.code(),
            Error::Contract(error) => error.code(),
            Error::Payment(error) => error.code(),
            Error::Demo(error) => error.code(),
            Error::Deal(error) => error.code(),
            Error::Sync(error) => error.code(),
            Error::Lead(error) => error.code(),
            Error::Import(error) => error.code(),
            Error::Pool(error) => error.code(),
            Error::Assignment(error) => error.code(),
            Error::Org(error) => error.code(),
            Error::Forecast(error) => error.code(),
            Error::Score(error) => error.code(),
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
            Error::Doc(error) => error.localized(locale),
            Error::Catalog(error) => error.localized(locale),
            Error::Quote(error) => error.localized(locale),
            Error::Contract(error) => error.localized(locale),
            Error::Payment(error) => error.localized(locale),
            Error::Demo(error) => error.localized(locale),
            Error::Deal(error) => error.localized(locale),
            Error::Sync(error) => error.localized(locale),
            Error::Lead(error) => error.localized(locale),
            Error::Import(error) => error.localized(locale),
            Error::Pool(error) => error.localized(locale),
            Error::Assignment(error) => error.localized(locale),
            Error::Org(error) => error.localized(locale),
            Error::Forecast(error) => error.localized(locale),
            Error::Score(error) => error.localized(locale),
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
            ErrorCode::CorruptDocument,
            ErrorCode::WrongDocumentType,
            ErrorCode::InvalidDocument,
            ErrorCode::UnknownRecord,
            ErrorCode::HistoryEditNotAllowed,
            ErrorCode::TextRangeOutOfBounds,
            ErrorCode::DocumentWriteFailed,
            ErrorCode::UnknownProduct,
            ErrorCode::InactiveProduct,
            ErrorCode::InvalidQuantity,
            ErrorCode::InvalidCatalog,
            ErrorCode::StaleQuote,
            ErrorCode::InvalidQuoteTransition,
            ErrorCode::QuoteNotEditable,
            ErrorCode::EmptyQuote,
            ErrorCode::QuoteExpired,
            ErrorCode::QuoteNotExpired,
            ErrorCode::InsufficientApprovalLevel,
            ErrorCode::SelfApproval,
            ErrorCode::CommentRequired,
            ErrorCode::UnknownQuoteLine,
            ErrorCode::InvalidQuoteLine,
            ErrorCode::PriceMismatch,
            ErrorCode::WrongDeal,
            ErrorCode::TaxRateOutOfRange,
            ErrorCode::InvalidApprovalPolicy,
            ErrorCode::QuoteNotAccepted,
            ErrorCode::InvalidContract,
            ErrorCode::ContractAlreadySigned,
            ErrorCode::InvalidSigning,
            ErrorCode::InstalmentsDoNotSum,
            ErrorCode::InvalidPaymentPlan,
            ErrorCode::InvalidSplit,
            ErrorCode::UnknownInstalment,
            ErrorCode::InvalidReceipt,
            ErrorCode::UnknownReceipt,
            ErrorCode::InvalidDemoConfig,
            ErrorCode::InconsistentDemoData,
            ErrorCode::UnknownContact,
            ErrorCode::UnknownComment,
            ErrorCode::UnknownTask,
            ErrorCode::TaskClosed,
            ErrorCode::DuplicateRecord,
            ErrorCode::EmptyComment,
            ErrorCode::NegativePrice,
            ErrorCode::InvalidRelationship,
            ErrorCode::UnknownChecklistItem,
            ErrorCode::DealClosed,
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
            ErrorCode::InvalidOrganisation,
            ErrorCode::UnknownUser,
            ErrorCode::InvalidSuccessor,
            ErrorCode::NotADeal,
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
            ErrorCode::InvalidPeriod,
            ErrorCode::InvalidForecastSettings,
            ErrorCode::PeriodMismatch,
            ErrorCode::InvalidScoringConfig,
            ErrorCode::ScoreOutOfRange,
            ErrorCode::PeriodRequired,
            ErrorCode::InvalidFilter,
            ErrorCode::InvalidBenchmark,
            ErrorCode::InvalidTarget,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn all_lists_every_code_in_declaration_order() {
        use serde::de::IntoDeserializer;
        use serde::de::value::{Error as ValueError, U32Deserializer};
        // Derived `Deserialize` also accepts a variant's index: index `i` must be `ALL[i]`, and
        // the index just past `ALL` must name no variant, so a new code fails here until listed.
        let by_index = |index: usize| {
            let index = u32::try_from(index).unwrap();
            let deserializer: U32Deserializer<ValueError> = index.into_deserializer();
            ErrorCode::deserialize(deserializer)
        };
        for (index, code) in ErrorCode::ALL.iter().enumerate() {
            assert_eq!(by_index(index).unwrap(), *code);
        }
        assert!(by_index(ErrorCode::ALL.len()).is_err());
    }
}
