//! The weekly sales reports (销售报表), built on [`crate::analytics`]: pure functions from a
//! [`DealSet`](crate::analytics::DealSet) (and, for collections, contract views) to typed,
//! serializable results with a bilingual title, column headers, a chart hint and raw numbers.
//!
//! | # | report | function | the period selects |
//! |---|---|---|---|
//! | 1 | Target completion per company, team and rep | [`target_completion`] | deals won in it; open deals expected to close in it |
//! | 2 | Team activity: new, signed, collected | [`team_activity`] | deals created / won in it; receipts dated in it |
//! | 3 | Signing bulletin (签单快报) with team, rep and product rankings | [`signing_bulletin`] | deals won in it |
//! | 4 | Rep performance ranking in team and company | [`rep_ranking`] | deals created / won / lost in it |
//! | 5 | Team pipeline follow-up per stage and rep | [`pipeline_follow_up`] | open deals expected to close in it |
//! | 6 | Individual closed and not-closed deal lists | [`deal_lists`] | deals closed in it; deals open now |
//! | 7 | Loss and stop analysis | [`loss_stop`] | deals lost or stopped in it |
//! | 8 | Collections (收款): plan against received, overdue, rankings | [`collections`] | instalments due / receipts dated in it |
//!
//! Every report takes the same [`Filter`](crate::analytics::Filter) (period, pipeline, team with
//! its sub-teams, rep, source, product) and [`ReportContext`](crate::analytics::ReportContext)
//! (team tree, time zone, now) as the analytics do; each function's documentation has a worked
//! example. Targets, contracts and payments are inputs ([`SalesTarget`], [`CollectionInput`]):
//! plain views the caller builds from its own records.
//!
//! ```
//! use std::collections::BTreeMap;
//! use dealflow_core::analytics::{DateRange, DealSet, Filter, ReportContext};
//! use dealflow_core::report::{signing_bulletin, team_activity};
//! use dealflow_core::{Currency, ExchangeRates, TeamId, Timestamp};
//! use time::{Month, macros::offset};
//!
//! // Deals come from the deal documents; here there are none yet.
//! let set = DealSet::new(Vec::new(), ExchangeRates::new(Currency::CNY))?;
//! let teams = BTreeMap::<TeamId, TeamId>::new();
//! let ctx = ReportContext::new(&teams, offset!(+8), Timestamp::from_millis(1_775_000_000_000));
//! let march = Filter::all().in_period(DateRange::month(2026, Month::March)?);
//! let bulletin = signing_bulletin(&set, &march, &ctx)?;
//! assert_eq!(bulletin.title.zh_cn, "签单快报");
//! assert_eq!(bulletin.total.count, 0);
//! let activity = team_activity(&set, &[], &march, &ctx)?;
//! assert!(activity.teams.is_empty());
//! # Ok::<(), dealflow_core::Error>(())
//! ```

mod collection;
mod deal_list;
mod loss_stop;
mod pipeline_follow_up;
mod ranking;
mod rep_ranking;
mod signing_bulletin;
mod target;
mod team_activity;

pub use collection::{
    CollectionInput, CollectionRanking, CollectionReport, CollectionTotals, ContractCollection,
    Instalment, Receipt, collections,
};
pub use deal_list::{DealLists, DealRow, deal_lists};
pub use loss_stop::{LossStopReport, OutcomeBreakdown, loss_stop};
pub use pipeline_follow_up::{
    FollowUpDeal, PipelineFollowUp, RepPipeline, StageHeader, pipeline_follow_up,
};
pub use ranking::Ranking;
pub use rep_ranking::{RepRanking, RepRow, rep_ranking};
pub use signing_bulletin::{ProductRanking, SignedDeal, SigningBulletin, signing_bulletin};
pub use target::{SalesTarget, TargetCompletionReport, TargetRow, TargetScope, target_completion};
pub use team_activity::{TeamActivityReport, TeamActivityRow, team_activity};
