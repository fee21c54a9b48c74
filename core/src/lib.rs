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
//! - Documents sync over the automerge-repo protocol through [`sync`]: a sans-IO state machine
//!   that the browser and the relay both drive (frames and storage writes out, events in).
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

mod error;
mod i18n;
mod id;
mod money;
mod pipeline;
mod probability;
pub mod sync;
mod timestamp;

pub use error::{Error, ErrorCode};
pub use i18n::{Locale, Localized, LocalizedText};
pub use id::{
    AccountId, ContactId, DealId, IdError, LeadId, MAX_ID_LEN, PipelineId, ProductId, RecordId,
    StageId, TeamId, UserId,
};
pub use money::{Currency, Money, MoneyError};
pub use pipeline::{Pipeline, PipelineError, Stage};
pub use probability::{Probability, ProbabilityError};
pub use timestamp::{MILLIS_PER_DAY, Timestamp};

/// The README's examples, compiled and run as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
