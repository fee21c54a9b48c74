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
//! - A [`Pipeline`] is an ordered list of [`Stage`]s, each with a default win probability, a
//!   forecast category, entry and exit [`Criterion`]s, a rotting threshold and task templates.
//! - A [`Deal`] is the whole record of an opportunity: account, amount, products, power map
//!   ([`Contact`]s and [`Relationship`]s), competitors, follow-ups, comments, tasks, next step
//!   and its stage history ([`StageTransition`]s).
//! - A [`DealDoc`] holds one deal as an Automerge document: typed edits that merge with
//!   concurrent ones, stage moves written only when the pipeline accepts them, tolerant reads
//!   that report [`ValidationProblem`]s, and history. [`PipelineDoc`] and [`ScoringCounts`]
//!   hold pipeline configurations and a team's scoring counts.
//! - Every user-facing message exists in zh-CN and en ([`LocalizedText`], [`Localized`]).
//! - Lead to cash: a [`Catalog`] prices [`QuoteLine`]s; a [`Quote`] moves through approval by
//!   compare-and-set commands ([`Quote::decide`]); an accepted quote becomes a [`Contract`]
//!   whose signing wins the deal; a [`PaymentPlan`] collects the contract amount. [`Quote`]
//!   walks the whole way in one example.
//!
//! ## Typical workflow
//!
//! Open a deal in a pipeline, try to move it, read the checklist of what is missing, fix it and
//! move again. Every move goes through [`Pipeline::move_deal`], which either records the move
//! (stage history plus the new stage's tasks) or changes nothing and lists every problem.
//!
//! ```
//! use dealflow_core::*;
//! use time::macros::offset;
//!
//! let pipeline = Pipeline::template_new_business();
//! let rep = UserId::new("rep-li")?;
//! let mut clock = 1_764_000_000_000; // ms since the epoch, passed in: core never reads the clock
//! let mut ctx = |id: &str| -> Result<MoveContext, Error> {
//!     clock += 86_400_000;
//!     Ok(MoveContext {
//!         now: Timestamp::from_millis(clock),
//!         offset: offset!(+8),
//!         by: rep.clone(),
//!         transition_id: RecordId::new(id)?,
//!     })
//! };
//!
//! let (mut deal, tasks) = pipeline.open_deal(
//!     NewDeal {
//!         id: DealId::new("deal-1")?,
//!         title: "华东电网 CRM 二期".into(),
//!         account: Account { name: "华东电网".into(), ..Account::default() },
//!         amount: Money::from_major(100_000, Currency::CNY)?,
//!         expected_close: None,
//!         owner: rep.clone(),
//!         team: None,
//!         source: Some("trade_show".into()),
//!         stage: None,
//!     },
//!     &ctx("t1")?,
//! )?;
//! assert_eq!(tasks.len(), 1); // 首次电话沟通 from the stage's task template
//!
//! // 线索验证 → 需求分析 needs the industry and the needs filled in: both are reported at once.
//! let needs = MoveTarget::Stage { stage: StageId::new("needs")? };
//! let Err(PipelineError::MoveRejected(rejected)) = pipeline.move_deal(&mut deal, &needs, &ctx("t2")?) else {
//!     panic!("the move must be rejected");
//! };
//! let missing: Vec<&str> = rejected.unmet_criteria().map(|c| c.message.en.as_str()).collect();
//! assert_eq!(missing, ["fill in the industry", "fill in the needs and pain points"]);
//! assert_eq!(deal.history.len(), 1); // a rejected move changes nothing
//!
//! deal.account.industry = Some("能源".into());
//! deal.needs = "统一客户服务平台，替换旧系统".into();
//! let outcome = pipeline.move_deal(&mut deal, &needs, &ctx("t3")?)?;
//! assert_eq!(deal.stage().map(StageId::as_str), Some("needs"));
//! assert_eq!(outcome.tasks.len(), 2); // 需求调研纪要 and 技术可行性评估
//! assert_eq!(deal.effective_probability(&pipeline)?.value, Probability::from_percent(25)?);
//! # Ok::<(), dealflow_core::Error>(())
//! ```
#![warn(missing_docs)]

mod catalog;
mod contract;
mod deal;
pub mod demo;
mod doc;
mod error;
mod exchange;
mod i18n;
mod id;
mod money;
mod payment;
mod pipeline;
mod probability;
mod quote;
mod team_hierarchy;
mod timestamp;

pub use catalog::{
    BundleComponent, Catalog, CatalogError, CatalogProblem, PriceBand, PriceRule, PriceTier,
    PricedLine, Product, Promotion, PromotionOffer, TierMode, VolumePricing,
};
pub use contract::{
    Contract, ContractError, ContractProblem, ContractSignature, ContractStatus, NewContract,
    Party, PartyRole, Signing,
};
pub use deal::{
    Account, AmountChange, Budget, CategoryOverride, ChecklistTick, CloseDateChange, Comment,
    CompanySize, Competitor, CompetitorStatus, Contact, ContactRole, Deal, DealRole, DealStatus,
    EffectiveProbability, FollowUp, FollowUpKind, ForecastAdjustment, Influence,
    LearnedProbability, ManualProbability, NewDeal, NextStep, ProbabilityInputs, ProbabilitySource,
    ProductLine, Relationship, RelationshipKind, StageTransition, StageVisit, Stance, Task,
    TaskOrigin, TaskStatus, Touchpoint, TransitionKind,
};
pub use doc::{
    ChangeRecord, DEAL_TYPE, DealDoc, DealRead, DocError, FieldChange, FieldValue, PIPELINE_TYPE,
    PipelineDoc, PipelineRead, SCHEMA_VERSION, SCORING_COUNTS_TYPE, ScoringCounts,
    ScoringCountsRead, ScoringOutcome, TextField, UNKNOWN_ID, ValidationProblem,
};
pub use error::{Error, ErrorCode};
pub use exchange::ExchangeRates;
pub use i18n::{Locale, Localized, LocalizedText};
pub use id::{
    AccountId, ContactId, ContractId, DealId, IdError, LeadId, MAX_ID_LEN, PipelineId, ProductId,
    PromotionId, QuoteId, RecordId, StageId, TeamId, UserId,
};
pub use money::{Currency, Discount, Money, MoneyError};
pub use payment::{
    AgeBucket, AgeBuckets, CollectionStatus, Instalment, InstalmentState, InstalmentStatus,
    MAX_INSTALMENTS, PaymentError, PaymentPlan, Receipt, ScheduledInstalment, Split,
    split_by_basis_points, split_equal,
};
pub use pipeline::{
    ConfigProblem, Criterion, CriterionPhase, DealField, ForecastCategory, MoveContext,
    MoveOutcome, MoveProblem, MoveRejected, MoveRules, MoveTarget, Pipeline, PipelineError, Reason,
    Rule, Stage, TaskTemplate, UnmetCriterion,
};
pub use probability::{Probability, ProbabilityError};
pub use quote::{
    ApprovalDecision, ApprovalOutcome, ApprovalPolicy, ApprovalThreshold, Approver, LinePrice,
    LineTotals, NewQuote, PolicyProblem, Quote, QuoteAction, QuoteActionKind, QuoteCommand,
    QuoteContext, QuoteEdit, QuoteError, QuoteEvent, QuoteEventKind, QuoteLine, QuoteStatus,
    QuoteTotals, TaxBasis, TaxRate,
};
pub use team_hierarchy::TeamHierarchy;
pub use timestamp::{MILLIS_PER_DAY, Timestamp};

/// The Automerge crate that documents are built on, so that the binding and the server use
/// the same version (one copy of Automerge in the browser).
pub use automerge;

/// The README's examples, compiled and run as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
