//! Leads and quotes: the records behind the relay's exclusive actions besides ownership.
//!
//! CRDTs merge; they cannot decide who wins a lead or whose approval counts. So leads (with
//! their version and the history of every move) and quotes (with their version and events) live
//! in the relay's store, and every change is decided by core ([`dealflow_core::decide`] for
//! pool commands, [`dealflow_core::Quote::decide`] for quotes) **inside one write transaction**
//! that reads the stored row, runs the decision, and writes the result with compare-and-set on
//! the version (`UPDATE … WHERE id = ? AND version = ?`) together with its history entry. Two
//! concurrent commands on one lead or quote are therefore serialised: the second is decided
//! against what the first left, and loses with core's error (already claimed, stale quote).
//!
//! The trait is small and its decisions are closures over stored values, so a PostgreSQL
//! backend implements it with `SELECT … FOR UPDATE` in a transaction, as the SQLite backend
//! does with its single writer.

use std::fmt;

use dealflow_core::sync::DocumentId;
use dealflow_core::{
    Lead, LeadId, LeadMove, PoolId, Quote, QuoteEvent, QuoteId, Transition, UserId,
};

use super::StorageFuture;

/// A quote and the deal document it belongs to.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct StoredQuote {
    /// The deal document the quote is on: its access decides who may see and act on the quote.
    pub document: DocumentId,
    /// The quote, with its version and events.
    pub quote: Quote,
}

/// A pool command decided inside the write transaction: the stored lead and how many leads from
/// its pool the claimant already holds without having followed them up (0 if the command is
/// not a claim) in, the transition or why not out.
pub type LeadDecision =
    Box<dyn FnOnce(&Lead, u32) -> Result<Transition, dealflow_core::Error> + Send>;

/// A quote command decided inside the write transaction: the stored quote in, the next quote
/// and the event to log, or why not, out.
pub type QuoteDecision =
    Box<dyn FnOnce(&StoredQuote) -> Result<(Quote, QuoteEvent), dealflow_core::Error> + Send>;

/// Where leads and quotes live. Implemented by [`SqliteStorage`](super::SqliteStorage)
/// (tables `leads`, `lead_moves`, `lead_pool_documents`, `quotes`, `quote_events`).
pub trait Arbitration: Send + Sync + fmt::Debug {
    /// Stores a new lead as `transition` leaves it (its first move, e.g. put into a pool, is
    /// recorded in its history). `false`, writing nothing, if the lead id is taken.
    fn insert_lead(&self, transition: Transition) -> StorageFuture<'_, bool>;

    /// A stored lead.
    fn lead(&self, id: LeadId) -> StorageFuture<'_, Option<Lead>>;

    /// Every move of a lead, oldest first.
    fn lead_history(&self, id: LeadId) -> StorageFuture<'_, Vec<LeadMove>>;

    /// The leads sitting in `pool` now, by id.
    fn leads_in_pool(&self, pool: PoolId) -> StorageFuture<'_, Vec<Lead>>;

    /// Runs `decide` on the stored lead inside a write transaction; for a claim by `claimant`
    /// it also counts the claimant's holdings from the lead's pool in the same transaction.
    /// Stores the transition with compare-and-set on the version and appends its move. `None`
    /// if the lead does not exist; `Some(Err)` if `decide` refused or the version moved
    /// (nothing written). Durable when it resolves.
    fn decide_lead(
        &self,
        id: LeadId,
        claimant: Option<UserId>,
        decide: LeadDecision,
    ) -> StorageFuture<'_, Option<Result<Transition, dealflow_core::Error>>>;

    /// The document of `pool`: the one recorded, or `candidate` recorded now.
    fn pool_document(&self, pool: PoolId, candidate: DocumentId) -> StorageFuture<'_, DocumentId>;

    /// Stores a new quote with its events. `false`, writing nothing, if the id is taken.
    fn insert_quote(&self, quote: StoredQuote) -> StorageFuture<'_, bool>;

    /// A stored quote.
    fn quote(&self, id: QuoteId) -> StorageFuture<'_, Option<StoredQuote>>;

    /// The quotes on a deal document, by id.
    fn quotes_on(&self, document: DocumentId) -> StorageFuture<'_, Vec<StoredQuote>>;

    /// Runs `decide` on the stored quote inside a write transaction and stores the next quote
    /// with compare-and-set on the version, appending its event. `None` if the quote does not
    /// exist; `Some(Err)` if `decide` refused or the version moved. Durable when it resolves.
    fn decide_quote(
        &self,
        id: QuoteId,
        decide: QuoteDecision,
    ) -> StorageFuture<'_, Option<Result<StoredQuote, dealflow_core::Error>>>;
}
