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
//! - Edits of a deal record ([`Deal::record_follow_up`], [`Deal::add_comment`],
//!   [`Deal::complete_task`], [`Deal::add_product_line`], [`Deal::tick_checklist`], …) check
//!   their input and refuse with a [`DealError`] that changes nothing.
//! - [`AttentionLists`] are computed over many deals at a given `now`: overdue tasks and next
//!   steps, deals without a next step, and stalled deals with typed [`StallReason`]s.
//! - Every user-facing message exists in zh-CN and en ([`LocalizedText`], [`Localized`]).
//! - Lead to cash: a [`Catalog`] prices [`QuoteLine`]s; a [`Quote`] moves through approval by
//!   compare-and-set commands ([`Quote::decide`]); an accepted quote becomes a [`Contract`]
//!   whose signing wins the deal; a [`PaymentPlan`] collects the contract amount. [`Quote`]
//!   walks the whole way in one example.
//! - Documents sync over the automerge-repo protocol through [`sync`]: a sans-IO state machine
//!   that the browser and the relay both drive (frames and storage writes out, events in).
//! - A [`Lead`] arrives by hand or by CSV import ([`import_leads`]), is checked for collisions
//!   with existing records ([`DuplicateIndex`]), is distributed by an [`AssignmentPolicy`] or
//!   claimed from a pool ([`PoolCommand`], decided by [`decide`]), and is converted into an
//!   account, a contact and a deal ([`convert_lead`]).
//! - The [`Organisation`] (company, nested teams, roles) decides who may read, write or
//!   administer a record ([`access`]).
//!
//! ## Forecasting and scoring
//!
//! - [`forecast`] puts every deal in a [`Period`] and rolls four models up by rep, team and
//!   pipeline in a reporting currency; [`stage_win_rates`], [`Forecast::simulate`],
//!   [`Forecast::attainment`] and [`backtest`] build on it.
//! - [`FitScorer`], [`engagement_score`], [`WinPredictor`] over [`TeamWinCounts`],
//!   [`deal_health`] and [`rfm`] score deals and customers, each result explained.
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

pub mod analytics;
mod assignment;
mod attention;
mod catalog;
mod contract;
mod deal;
mod deal_table;
pub mod demo;
mod doc;
mod error;
mod exchange;
#[cfg(test)]
mod fixture;
mod forecast;
mod i18n;
mod id;
mod lead;
mod money;
mod org;
mod payment;
mod pipeline;
mod pool;
mod probability;
mod quote;
pub mod report;
mod score;
pub mod sync;
mod team_hierarchy;
#[cfg(test)]
mod test_deal;
mod timestamp;

pub use attention::{
    AttentionConfig, AttentionLists, DealWithoutNextStep, OverdueNextStep, OverdueTask,
    StallReason, StalledDeal, Unresolved, UnresolvedDeal,
};
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
    CompanySize, Competitor, CompetitorStatus, Contact, ContactRole, Deal, DealError, DealRole,
    DealStatus, EffectiveProbability, FollowUp, FollowUpKind, ForecastAdjustment, Influence,
    LearnedProbability, ManualProbability, NewDeal, NextStep, PowerMapProblem, ProbabilityInputs,
    ProbabilitySource, ProductLine, Relationship, RelationshipKind, StageTransition, StageVisit,
    Stance, Task, TaskOrigin, TaskStatus, Touchpoint, TransitionKind,
};
pub use deal_table::DealTable;
pub use doc::{
    ChangeRecord, DEAL_TYPE, DealDoc, DealRead, DocError, FieldChange, FieldValue,
    ORGANISATION_TYPE, PIPELINE_TYPE, PipelineDoc, PipelineRead, SCHEMA_VERSION,
    SCORING_COUNTS_TYPE, ScoringCounts, ScoringCountsRead, ScoringOutcome, TextField, UNKNOWN_ID,
    ValidationProblem,
};
pub use doc::{
    DealQuote, LEAD_POOL_TYPE, LeadPoolRead, PooledLead, QUOTES_KEY, deal_quotes, read_lead_pool,
    write_deal_quote, write_lead_pool,
};
pub use doc::{
    deal_title, document_type, is_deal_document, relay_commit_options, write_deal_owner,
    write_deal_team_member,
};
pub use error::{Error, ErrorCode};
pub use exchange::ExchangeRates;
pub use forecast::{
    Backtest, BacktestRow, BacktestSettings, BasisCounts, CategoryCall, CategoryTotals,
    DealForecast, Exclusion, ExclusionReason, Forecast, ForecastError, ForecastFigures,
    ForecastGroup, ForecastInputs, ForecastModel, ForecastRow, ForecastSettings, MAX_TRIALS,
    ModelError, ModelProbability, PerModel, Period, PeriodKind, ProbabilityBasis, Quarter, Ratio,
    RevenueRange, SimulatedDeal, SimulatedModel, SimulationSettings, StageWinRate, StageWinRates,
    Target, TargetAttainment, TimeWindow, backtest, deal_as_of, forecast, simulate_revenue,
    stage_win_rates,
};
pub use i18n::{Locale, Localized, LocalizedText};
pub use id::{
    AccountId, ChannelId, ContactId, ContractId, DealId, IdError, LeadId, MAX_ID_LEN, PipelineId,
    PoolId, ProductId, PromotionId, QuoteId, RecordId, RuleId, StageId, TeamId, UserId,
};
pub use money::{Currency, Discount, Money, MoneyError};
pub use payment::{
    AgeBucket, AgeBuckets, CollectionStatus, Instalment, InstalmentState, InstalmentStatus,
    MAX_INSTALMENTS, PaymentError, PaymentPlan, Receipt, ScheduledInstalment, Split,
    split_by_basis_points, split_equal,
};
pub use pipeline::{
    ConfigItem, ConfigProblem, Criterion, CriterionPhase, DealField, ForecastCategory, MoveContext,
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
pub use score::{
    EngagementScore, EngagementSettings, Feature, FeatureExtractor, FitCondition, FitProblem,
    FitProfile, FitRule, FitRuleResult, FitScore, FitScorer, HealthFinding, HealthPenalties,
    HealthReport, HealthRule, HealthSettings, Interaction, InteractionKind, PredictionBasis,
    Purchase, Requirement, RfmScore, RfmSegment, RuleOutcome, Score, ScoreError, TeamWinCounts,
    WinCounts, WinFactor, WinModelSettings, WinPrediction, WinPredictor, WonLost, deal_health,
    engagement_score, purchases_from_deals, rfm,
};
pub use team_hierarchy::TeamHierarchy;
pub use timestamp::{MILLIS_PER_DAY, Timestamp};

pub use assignment::engine::{
    AssignmentContext, AssignmentDecision, AssignmentOutcome, AssignmentStep, Loads, Scope,
};
pub use assignment::error::{AssignmentError, PolicyIssue};
pub use assignment::round_robin::{CursorKey, CursorMove, RoundRobinState};
pub use assignment::rule::{
    AssignmentPolicy, AssignmentRule, AssignmentStrategy, AssignmentSubject, AssignmentTarget,
    Condition, ConditionHit, ConditionMiss, RuleSet, SubjectField,
};
pub use assignment::sla::{SlaAction, SlaBreach, SlaOutcome, SlaPolicy, SlaResolution};
/// The Automerge crate that documents are built on, so that the binding and the server use
/// the same version (one copy of Automerge in the browser).
pub use automerge;
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
pub use org::ownership::{OwnershipChange, decide_ownership};
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
