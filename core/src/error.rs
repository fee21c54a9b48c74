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

/// The stable, field-less code of every error core can return, as a list: calls
/// `$callback! { $( $(#[doc])* Variant => "snake_case_name", )* }` with every code in
/// declaration order. Core defines [`ErrorCode`] from it and the wasm binding its TypeScript
/// union, so that the two cannot drift apart.
#[doc(hidden)]
#[macro_export]
macro_rules! with_error_codes {
    ($callback:ident) => {
        $callback! {
            /// An id was empty, too long or contained control characters.
            InvalidId => "invalid_id",
            /// A currency code is not ISO 4217.
            UnknownCurrency => "unknown_currency",
            /// Amounts in different currencies were combined.
            CurrencyMismatch => "currency_mismatch",
            /// An amount overflowed or a ratio divided by zero.
            AmountOutOfRange => "amount_out_of_range",
            /// No exchange rate between two currencies.
            MissingExchangeRate => "missing_exchange_rate",
            /// An exchange rate was zero, negative or malformed.
            InvalidExchangeRate => "invalid_exchange_rate",
            /// A probability above 100 %.
            ProbabilityOutOfRange => "probability_out_of_range",
            /// A discount above 100 %.
            DiscountOutOfRange => "discount_out_of_range",
            /// A pipeline configuration is invalid.
            InvalidPipeline => "invalid_pipeline",
            /// A stage id is not part of the pipeline.
            UnknownStage => "unknown_stage",
            /// A stage move broke the pipeline's rules; the error lists every problem.
            MoveRejected => "move_rejected",
            /// A deal was moved with a pipeline other than its own.
            WrongPipeline => "wrong_pipeline",
            /// Bytes could not be decoded as an Automerge document, changes or sync message.
            CorruptDocument => "corrupt_document",
            /// A document holds another kind of data than expected.
            WrongDocumentType => "wrong_document_type",
            /// A document lacks its identifying field.
            InvalidDocument => "invalid_document",
            /// An edit referred to a record the document does not hold.
            UnknownRecord => "unknown_record",
            /// An edit tried to rewrite the stage history.
            HistoryEditNotAllowed => "history_edit_not_allowed",
            /// A text edit fell outside the text.
            TextRangeOutOfBounds => "text_range_out_of_bounds",
            /// Automerge refused a write (a bug).
            DocumentWriteFailed => "document_write_failed",
            /// A product is not in the catalogue.
            UnknownProduct => "unknown_product",
            /// A product is no longer sold.
            InactiveProduct => "inactive_product",
            /// A quantity of zero or less.
            InvalidQuantity => "invalid_quantity",
            /// A product catalogue is invalid.
            InvalidCatalog => "invalid_catalog",
            /// A quote command was made against an outdated version: reload and retry.
            StaleQuote => "stale_quote",
            /// The quote's status does not allow the action.
            InvalidQuoteTransition => "invalid_quote_transition",
            /// A sent, accepted, expired or superseded quote was edited.
            QuoteNotEditable => "quote_not_editable",
            /// A quote without lines was submitted or synced.
            EmptyQuote => "empty_quote",
            /// The quote's validity date has passed.
            QuoteExpired => "quote_expired",
            /// A quote was expired before its validity date.
            QuoteNotExpired => "quote_not_expired",
            /// The approver's level is below what the discount needs.
            InsufficientApprovalLevel => "insufficient_approval_level",
            /// The quote's owner tried to approve or reject it.
            SelfApproval => "self_approval",
            /// A rejection without a comment.
            CommentRequired => "comment_required",
            /// A quote has no line with that id.
            UnknownQuoteLine => "unknown_quote_line",
            /// A quote line is negative or inconsistent with its catalogue price.
            InvalidQuoteLine => "invalid_quote_line",
            /// A quote line's catalogue price differs from the catalogue.
            PriceMismatch => "price_mismatch",
            /// A quote or contract was used with another deal than its own.
            WrongDeal => "wrong_deal",
            /// A tax rate above 100 %.
            TaxRateOutOfRange => "tax_rate_out_of_range",
            /// An approval policy is invalid.
            InvalidApprovalPolicy => "invalid_approval_policy",
            /// A contract was made from a quote the customer has not accepted.
            QuoteNotAccepted => "quote_not_accepted",
            /// A contract is incomplete or inconsistent.
            InvalidContract => "invalid_contract",
            /// A signed contract was signed again.
            ContractAlreadySigned => "contract_already_signed",
            /// A signing without the signed file or dated in the future.
            InvalidSigning => "invalid_signing",
            /// The instalments do not add up to the contract amount.
            InstalmentsDoNotSum => "instalments_do_not_sum",
            /// A payment plan has no, too many, duplicate or non-positive instalments.
            InvalidPaymentPlan => "invalid_payment_plan",
            /// Split shares do not add up to 100 % or do not match the instalments.
            InvalidSplit => "invalid_split",
            /// A payment plan has no instalment with that id.
            UnknownInstalment => "unknown_instalment",
            /// A receipt is not positive or reuses another receipt's id.
            InvalidReceipt => "invalid_receipt",
            /// A payment plan has no receipt with that id.
            UnknownReceipt => "unknown_receipt",
            /// A demo-data configuration cannot produce data (no reps, clashing deal ids).
            InvalidDemoConfig => "invalid_demo_config",
            /// Demo data refers to something it does not contain.
            InconsistentDemoData => "inconsistent_demo_data",
            /// A contact named by an edit is not on the deal.
            UnknownContact => "unknown_contact",
            /// A reply names a comment that does not exist.
            UnknownComment => "unknown_comment",
            /// A task id is not on the deal.
            UnknownTask => "unknown_task",
            /// The task is already done or cancelled.
            TaskClosed => "task_closed",
            /// A record id is already used on the deal.
            DuplicateRecord => "duplicate_record",
            /// A comment has no text.
            EmptyComment => "empty_comment",
            /// A product line's unit price is negative.
            NegativePrice => "negative_price",
            /// A power-map edge links a contact to itself.
            InvalidRelationship => "invalid_relationship",
            /// A ticked criterion is not a checklist item of the pipeline.
            UnknownChecklistItem => "unknown_checklist_item",
            /// The edit needs an open deal.
            DealClosed => "deal_closed",
            /// A sync frame is larger than the configured limit.
            FrameTooLarge => "frame_too_large",
            /// A sync frame is not valid CBOR or lacks the fields of its message type.
            MalformedFrame => "malformed_frame",
            /// A document id or automerge URL is invalid.
            InvalidDocumentId => "invalid_document_id",
            /// A peer, storage or session id is invalid.
            InvalidPeerId => "invalid_peer_id",
            /// A peer broke the handshake or addressed a message wrongly.
            ProtocolViolation => "protocol_violation",
            /// A peer offered no supported protocol version.
            UnsupportedProtocolVersion => "unsupported_protocol_version",
            /// An automerge sync message is malformed or its changes are corrupt.
            InvalidSyncMessage => "invalid_sync_message",
            /// A document would grow beyond the configured size cap.
            DocumentTooLarge => "document_too_large",
            /// Stored document chunks are corrupt or too large.
            CorruptStorage => "corrupt_storage",
            /// A local change to a document failed.
            LocalChangeFailed => "local_change_failed",
            /// The organisation tree is invalid (cycle, unknown team, duplicate id).
            InvalidOrganisation => "invalid_organisation",
            /// A user is unknown or inactive.
            UnknownUser => "unknown_user",
            /// A transfer's successor cannot take the work over.
            InvalidSuccessor => "invalid_successor",
            /// The user's role or team does not allow the action.
            Forbidden => "forbidden",
            /// The lead is already converted or invalid.
            LeadClosed => "lead_closed",
            /// The lead has no owner.
            LeadNotOwned => "lead_not_owned",
            /// A lead field or conversion input is invalid.
            InvalidLeadInput => "invalid_lead_input",
            /// A CSV import file cannot be used as a whole.
            InvalidImportFile => "invalid_import_file",
            /// A CSV import file has too many rows.
            ImportTooLarge => "import_too_large",
            /// No lead with this id.
            UnknownLead => "unknown_lead",
            /// Someone else holds the lead (lost a claim race).
            LeadAlreadyClaimed => "lead_already_claimed",
            /// The lead changed since the command was decided.
            StaleVersion => "stale_version",
            /// A custody change does not fit the lead's state.
            InvalidLeadMove => "invalid_lead_move",
            /// No pool with this id.
            UnknownPool => "unknown_pool",
            /// No team with this id.
            UnknownTeam => "unknown_team",
            /// Pool configuration is invalid.
            InvalidPoolConfig => "invalid_pool_config",
            /// The rep holds too many un-followed leads from the pool.
            ClaimLimitReached => "claim_limit_reached",
            /// An assignment policy does not fit the organisation.
            InvalidAssignmentPolicy => "invalid_assignment_policy",
            /// A forecast period could not be parsed or is out of range.
            InvalidPeriod => "invalid_period",
            /// Forecast settings are invalid (an empty time window, a bad number of trials).
            InvalidForecastSettings => "invalid_forecast_settings",
            /// A target's period does not fit the forecast's periods.
            PeriodMismatch => "period_mismatch",
            /// A scoring configuration (fit rules, engagement, win model, health) is invalid.
            InvalidScoringConfig => "invalid_scoring_config",
            /// A score above 100 points.
            ScoreOutOfRange => "score_out_of_range",
            /// An analysis needs a period and the filter has none.
            PeriodRequired => "period_required",
            /// A report filter contradicts the analysis asked for.
            InvalidFilter => "invalid_filter",
            /// A funnel benchmark is invalid.
            InvalidBenchmark => "invalid_benchmark",
            /// Sales targets are invalid (e.g. two for the same rep).
            InvalidTarget => "invalid_target",
            /// A deal-only action (the deal team) was asked of another kind of record.
            NotADeal => "not_a_deal",
        }
    };
}

/// Defines [`ErrorCode`], its [`ErrorCode::ALL`] and [`ErrorCode::as_str`] from the list.
macro_rules! define_error_code {
    ($( $(#[$doc:meta])* $variant:ident => $name:literal, )*) => {
        /// The stable, field-less code of every error core can return.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
        }

        impl ErrorCode {
            /// Every code, in declaration order: for bindings that publish the list (the wasm
            /// binding's TypeScript union) and for tests that must cover each code.
            pub const ALL: &'static [ErrorCode] = &[ $( ErrorCode::$variant, )* ];

            /// The snake_case name, e.g. `"unknown_stage"`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( ErrorCode::$variant => $name, )*
                }
            }
        }
    };
}

with_error_codes!(define_error_code);

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
        for code in ErrorCode::ALL.iter().copied() {
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
