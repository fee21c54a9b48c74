//! Error codes and the details attached to every error the binding throws.

use serde::{Deserialize, Serialize};
use tsify::Tsify;

use super::pipeline::{ConfigProblem, MoveProblem};

/// The stable code of every error the library throws: each of core's `ErrorCode`s, plus
/// `invalid_input` for arguments of the wrong shape. Switch on it, never on messages.
///
/// The variants mirror `dealflow_core::ErrorCode::ALL`; a unit test fails when they differ.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "snake_case")]
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
    /// An argument had the wrong shape or type (a bug in the calling code).
    InvalidInput,
}

/// What every thrown error carries besides `message` (which is English): a stable code, the
/// message in both languages, and for rejected moves or invalid pipelines every problem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDetails {
    /// The stable code.
    #[tsify(type = "ErrorCode")]
    pub code: String,
    /// The message in simplified Chinese.
    pub message_zh: String,
    /// The message in English (the same as `message`).
    pub message_en: String,
    /// For `move_rejected`: every reason the move was refused, as a checklist.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems: Option<Vec<MoveProblem>>,
    /// For `invalid_pipeline`: every problem of the configuration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_problems: Option<Vec<ConfigProblem>>,
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as ValueError, StrDeserializer};

    use super::ErrorCode;

    fn mirror(name: &str) -> Option<ErrorCode> {
        let deserializer: StrDeserializer<'_, ValueError> = name.into_deserializer();
        ErrorCode::deserialize(deserializer).ok()
    }

    #[test]
    fn every_core_code_is_in_the_typescript_union() {
        for code in dealflow_core::ErrorCode::ALL {
            assert!(
                mirror(code.as_str()).is_some(),
                "{} is missing",
                code.as_str()
            );
        }
        // The union holds core's codes and `invalid_input`, nothing else.
        let count = (0u32..)
            .take_while(|index| {
                let deserializer: serde::de::value::U32Deserializer<ValueError> =
                    index.into_deserializer();
                ErrorCode::deserialize(deserializer).is_ok()
            })
            .count();
        assert_eq!(count, dealflow_core::ErrorCode::ALL.len() + 1);
        assert_eq!(mirror("invalid_input"), Some(ErrorCode::InvalidInput));
    }
}
