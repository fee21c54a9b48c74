//! Analytics: pure functions from deals (and lead views) to typed, serializable results that the
//! browser renders as a table and a chart, instantly and offline.
//!
//! Deals are analysed as a [`DealSet`]: built once when the deals load (and kept current with
//! [`DealSet::upsert`] as documents sync), it converts every amount into one reporting currency
//! and lays the scanned fields out as compact columns. Every analysis then takes the set, a
//! [`Filter`] (period, pipeline, team with its sub-teams, rep, source, product) and a
//! [`ReportContext`] (the team tree, the organisation's time zone, and `now`). Results carry a
//! bilingual title, their table's [`Column`]s, a suggested [`ChartKind`], the raw numbers, and
//! labels in zh-CN and en.
//!
//! | analysis | function | the period selects |
//! |---|---|---|
//! | Funnel conversion and bottleneck | [`funnel`], [`funnel_against`] | deals created in it (a cohort) |
//! | Stage dwell time (mean, median, P90) by segment | [`stage_dwell`] | stays in a stage that ended in it |
//! | Sales cycle length (creation → won) by segment | [`sales_cycle`] | deals won in it |
//! | Loss reasons and win rate by segment | [`win_loss`] | deals won, lost or stopped in it |
//! | Competitors: deals, win rate, value at stake, strengths, weaknesses | [`competitors`] | deals active in it: created before its end, not closed before its start |
//! | Lead conversion by source, campaign and product | [`lead_conversion`] | leads created in it |
//! | Marketing attribution, five models side by side | [`attribution`] | deals won in it |
//! | Pipeline change between two dates | [`pipeline_change`] | the two dates: its first and last day |
//!
//! The weekly sales reports built on the same pieces are in [`crate::report`].
//!
//! # Numbers
//!
//! Money stays in integer minor units ([`Money`](crate::Money)); every amount is converted into
//! the reporting currency of the set's [`ExchangeRates`](crate::ExchangeRates) before it is
//! added up, and a missing rate is an error, never a silent skip. Ratios are [`Rate`]s in basis
//! points and durations are [`Days`] in hundredths of a day, both rounded half away from zero.
//! A ratio with a zero denominator is `None`, not 0 %. Percentiles use the nearest-rank method
//! (see [`DurationStats`]). Money split between touchpoints always adds up to the amount split
//! ([`allocate`]).
//!
//! # Funnel rules
//!
//! A deal *enters* a stage when its history has an open entry in that stage; the stage it was
//! lost or stopped in is the stage recorded on that history entry (the stage reached before
//! closing). For each stage a deal entered, exactly one of these holds:
//!
//! - **moved on**: the deal is won, or it ended (is open, lost or stopped) in a later stage;
//! - **lost there**, **stopped there**, **still open**: it ended in this stage, in that state;
//! - **fell back**: it ended in an *earlier* stage after a backward move or a reopen. Such a
//!   deal is counted at the stage where it ended, not as having entered this one, so each deal
//!   is lost, stopped or open at one stage only; `fell_back` reports how many there were.
//!
//! Hence for every stage `entered = moved_on + lost + stopped + still_open`, and over all stages
//! the lost, stopped and still-open counts add up to the cohort's lost, stopped and open deals.
//!
//! # Performance
//!
//! A [`Deal`](crate::Deal) keeps each history entry's stage id in its own heap block, so reading
//! a million entries straight from deals waits on a million cache misses per analysis. The
//! [`DealSet`] pays that once (fetching each deal's strings ahead of interning them) and keeps a
//! history entry in 16 bytes; analyses then filter on small integers, keep per-deal scratch
//! space across deals and select percentiles in linear time. `core/benches/analytics.rs`
//! measures building a set and the funnel, dwell and pipeline-change set over 100,000 deals with
//! 1,000,000 history entries.

mod attribution;
mod competitor;
pub(crate) mod deal_set;
mod dwell;
mod error;
pub(crate) mod filter;
mod funnel;
pub(crate) mod label;
mod lead_conversion;
pub(crate) mod period;
mod pipeline_change;
pub(crate) mod rank;
pub(crate) mod rate;
mod segment;
pub(crate) mod table;
pub(crate) mod tally;
pub(crate) mod timeline;
pub(crate) mod win_loss;

#[cfg(test)]
pub(crate) mod fixture;

pub use attribution::{
    AttributionModel, AttributionReport, AttributionRow, TouchDimension, allocate, attribution,
};
pub use competitor::{CompetitorReport, CompetitorRow, Mention, competitors};
pub use deal_set::DealSet;
pub use dwell::{
    CycleBreakdown, DwellBreakdown, DwellReport, SalesCycleReport, SegmentCycle, SegmentDwell,
    StageDwell, sales_cycle, stage_dwell,
};
pub use error::AnalyticsError;
pub use filter::{Filter, ReportContext};
pub use funnel::{
    Bottleneck, BottleneckBasis, FunnelBenchmark, FunnelReport, FunnelStage, funnel, funnel_against,
};
pub use lead_conversion::{
    LeadConversionReport, LeadConversionRow, LeadFact, LeadStatus, lead_conversion,
};
pub use period::{DateRange, ReportPeriod};
pub use pipeline_change::{
    ChangeBucket, ChangeEffect, ChangeKind, DealChange, PipelineChangeReport, PipelineScope,
    pipeline_change,
};
pub use rate::{Days, DurationStats, Rate};
pub use segment::{Segment, SegmentDimension};
pub use table::{ChartKind, Column, ColumnKind};
pub use tally::Tally;
pub use win_loss::{ReasonRow, SegmentWinRate, WinLossReport, WinRateBreakdown, win_loss};
