//! # Dealflow core
//!
//! Sales-opportunity tracking (销售机会跟踪) as pure Rust: the domain model, pipeline rules,
//! scoring, forecasting and analytics. The crate does no I/O and never reads the clock: time is
//! passed in as an argument, so the same code runs natively, in the sync server and in the
//! browser through WebAssembly.
//!
//! ## Data model
//!
//! - [`Money`] is integer minor units plus an ISO 4217 [`Currency`]; rounding is half away from
//!   zero to the minor unit.
//! - [`Probability`] is a bounded win probability in basis points.
//! - Ids are validated newtypes ([`DealId`], [`StageId`], [`UserId`], …).
//! - A [`Pipeline`] is an ordered list of [`Stage`]s, each with a default win probability.
//! - Every user-facing message exists in zh-CN and en ([`LocalizedText`], [`Localized`]).
//! - A [`Lead`] arrives by hand or by CSV import ([`import_leads`]), is checked for collisions
//!   with existing records ([`DuplicateIndex`]), is distributed by an [`AssignmentPolicy`] or
//!   claimed from a pool ([`PoolCommand`], decided by [`decide`]), and is converted into an
//!   account, a contact and a deal ([`convert_lead`]).
//! - The [`Organisation`] (company, nested teams, roles) decides who may read, write or
//!   administer a record ([`access`]).
//!
//! ## Example
//!
//! ```
//! use dealflow_core::{Currency, Money, Pipeline, StageId};
//!
//! let pipeline = Pipeline::template_new_business();
//! let deals = [
//!     (StageId::new("demo")?, Money::from_major(100_000, Currency::CNY)?),
//!     (StageId::new("negotiate")?, Money::from_major(50_000, Currency::CNY)?),
//! ];
//! let weighted = pipeline.weighted_value(&deals, Currency::CNY)?;
//! assert_eq!(weighted.to_string(), "75000.00 CNY");
//! # Ok::<(), dealflow_core::Error>(())
//! ```
#![warn(missing_docs)]

mod assignment;
mod error;
mod i18n;
mod id;
mod lead;
mod money;
mod org;
mod pipeline;
mod pool;
mod probability;
mod timestamp;

pub use error::{Error, ErrorCode};
pub use i18n::{Locale, Localized, LocalizedText};
pub use id::{
    AccountId, ChannelId, ContactId, DealId, IdError, LeadId, MAX_ID_LEN, PipelineId, PoolId,
    ProductId, RecordId, RuleId, StageId, TeamId, UserId,
};
pub use money::{Currency, Money, MoneyError};
pub use pipeline::{Pipeline, PipelineError, Stage};
pub use probability::{Probability, ProbabilityError};
pub use timestamp::{MILLIS_PER_DAY, Timestamp};

pub use assignment::engine::{
    AssignmentContext, AssignmentDecision, AssignmentOutcome, Loads, Scope, Step,
};
pub use assignment::error::{AssignmentError, PolicyIssue};
pub use assignment::round_robin::{CursorKey, CursorMove, RoundRobinState};
pub use assignment::rule::{
    AssignmentPolicy, AssignmentRule, AssignmentSubject, Condition, ConditionHit, ConditionMiss,
    RuleSet, Strategy, SubjectField, Target,
};
pub use assignment::sla::{SlaAction, SlaBreach, SlaOutcome, SlaPolicy, SlaResolution};
pub use lead::column::LeadField;
pub use lead::conversion::{
    AccountChoice, ConversionRequest, ConvertedAccount, ConvertedContact, ConvertedDeal,
    LeadConversion, convert_lead,
};
pub use lead::duplicate::{DuplicateIndex, DuplicateKeys, DuplicateMatch, MatchField, RecordRef};
pub use lead::error::{ImportError, LeadError};
pub use lead::import::{
    DetectedEncoding, DuplicatePolicy, EncodingChoice, ImportOptions, detect_encoding,
    import_leads, import_leads_text,
};
pub use lead::normalize::{normalize_company, normalize_email, normalize_label, normalize_phone};
pub use lead::record::{Custody, InvalidReason, Lead, LeadDraft, LeadStatus};
pub use lead::report::{
    ColumnMapping, ImportReport, ImportSummary, ImportedLead, RejectedRow, RowProblem,
    SourceEncoding,
};
pub use lead::source::{ChannelResolver, SourceChannel, SourceChannels};
pub use org::error::OrgError;
pub use org::organisation::{Member, Organisation, OrganisationData, Role, Team};
pub use org::transfer::{
    DealHandover, HandoverTarget, HeldDeal, HeldTask, LeadDisposition, LeadHandover, SkippedItem,
    TaskHandover, TaskParent, TransferPlan, TransferRequest, apply_lead_handover, plan_transfer,
};
pub use org::visibility::{
    Access, AccessDecision, AccessReason, DealTeamMember, PoolAudience, ResourceDescriptor,
    ResourceKind, access,
};
pub use pool::command::{PoolCommand, PoolContext, decide, due_for_recycling};
pub use pool::config::{PoolConfig, PoolDirectory, PoolScope};
pub use pool::error::PoolError;
pub use pool::history::{Actor, LeadMove, MoveKind, RecycleCause, ReturnReason, Transition};
pub use pool::ledger::LeadLedger;

/// The README's examples, compiled and run as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
