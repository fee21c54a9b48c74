//! A columnar, interned view of a set of deals, built once and kept by the caller, so that
//! forecasting and scoring over many deals read a few flat arrays instead of chasing every
//! deal's heap strings on every call.
//!
//! A [`Deal`] is a tree of heap blocks: every id and every stage of its history is its own
//! string. Learning win rates, forecasting and scoring 100,000 deals with a million history
//! entries through `&[Deal]` wait on memory for each of those strings, every call. A
//! [`DealTable`] reads them once: ids and feature values are interned to dense numbers, the
//! stage history becomes flat rows, and the computations over the table ([`DealTable::stage_win_rates`],
//! [`DealTable::forecast`], [`DealTable::train_win_counts`], [`WinPredictor::predict_table`])
//! index arrays. They return exactly what their `&[Deal]` counterparts return.
//!
//! The table borrows the deals, so it cannot outlive or miss an edit of them: build it again
//! after the deals change.
//!
//! [`WinPredictor::predict_table`]: crate::WinPredictor::predict_table

use std::fmt;

use rustc_hash::FxHashMap;

use crate::deal::{ContactRole, Deal, DealStatus};
use crate::id::{PipelineId, TeamId, UserId};
use crate::money::Money;
use crate::score::Feature;
use crate::timestamp::Timestamp;

/// The value id of "no value" (a deal without a team).
pub(crate) const NONE: u32 = u32::MAX;

/// Keys interned to dense ids in order of first appearance.
#[derive(Clone)]
pub(crate) struct Interner<K> {
    ids: FxHashMap<K, u32>,
    /// The key of each id.
    pub(crate) list: Vec<K>,
}

impl<K> Default for Interner<K> {
    fn default() -> Self {
        Interner {
            ids: FxHashMap::default(),
            list: Vec::new(),
        }
    }
}

impl<K: std::hash::Hash + Eq + Copy> Interner<K> {
    fn intern(&mut self, key: K) -> u32 {
        let next = u32::try_from(self.list.len()).unwrap_or(NONE);
        let id = *self.ids.entry(key).or_insert(next);
        if id == next {
            self.list.push(key);
        }
        id
    }

    pub(crate) fn get(&self, key: &K) -> Option<u32> {
        self.ids.get(key).copied()
    }

    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }
}

/// Deals as columns: ids and (feature, value) pairs interned to dense `u32`s, stage history as
/// flat rows. Built once with [`DealTable::new`]; see the module documentation.
///
/// ```
/// use dealflow_core::*;
///
/// let deals: Vec<Deal> = Vec::new();
/// let table = DealTable::new(&deals);
/// let pipeline = Pipeline::template_new_business();
/// let window = TimeWindow::new(Timestamp::from_millis(0), Timestamp::from_millis(1_000))?;
/// assert_eq!(
///     table.stage_win_rates(&pipeline, window, 10)?,
///     stage_win_rates(&deals, &pipeline, window, 10)?,
/// );
/// # Ok::<(), dealflow_core::Error>(())
/// ```
#[derive(Clone)]
pub struct DealTable<'a> {
    pub(crate) deals: &'a [Deal],
    /// (feature, value) pairs; stage ids are [`Feature::StageReached`] values.
    pub(crate) values: Interner<(Feature, &'a str)>,
    pub(crate) owners: Interner<&'a UserId>,
    pub(crate) teams: Interner<&'a TeamId>,
    pub(crate) pipelines: Interner<&'a PipelineId>,
    /// Per deal.
    pub(crate) owner: Vec<u32>,
    /// Per deal; [`NONE`] without a team.
    pub(crate) team: Vec<u32>,
    /// Per deal.
    pub(crate) pipeline: Vec<u32>,
    /// Per deal, as entered (converted per computation, whose rates may differ).
    pub(crate) amount: Vec<Money>,
    /// Per deal: the end of its rows in the history columns (the start is the previous deal's
    /// end).
    pub(crate) history_end: Vec<u32>,
    /// Per history row: the stage's value id.
    pub(crate) history_stage: Vec<u32>,
    /// Per history row.
    pub(crate) history_status: Vec<DealStatus>,
    /// Per history row.
    pub(crate) history_at: Vec<Timestamp>,
    /// Per deal: the end of its rows in `feature_values`.
    pub(crate) feature_end: Vec<u32>,
    /// Per deal: how many of its feature values come before the amount band.
    pub(crate) before_band: Vec<u8>,
    /// The deal's (feature, value) ids other than stages and the amount band, in the order the
    /// scoring model visits them: source, industry, size, region | products, competitor
    /// present, decision maker identified.
    pub(crate) feature_values: Vec<u32>,
}

impl fmt::Debug for DealTable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DealTable")
            .field("deals", &self.deals.len())
            .field("history_rows", &self.history_stage.len())
            .field("values", &self.values.len())
            .finish_non_exhaustive()
    }
}

impl<'a> DealTable<'a> {
    /// Reads `deals` into columns. Costs about one pass over every string of every deal; the
    /// computations over the table then cost a small fraction of that.
    pub fn new(deals: &'a [Deal]) -> Self {
        let rows: usize = deals.iter().map(|deal| deal.history.len()).sum();
        let mut table = DealTable {
            deals,
            values: Interner::default(),
            owners: Interner::default(),
            teams: Interner::default(),
            pipelines: Interner::default(),
            owner: Vec::with_capacity(deals.len()),
            team: Vec::with_capacity(deals.len()),
            pipeline: Vec::with_capacity(deals.len()),
            amount: Vec::with_capacity(deals.len()),
            history_end: Vec::with_capacity(deals.len()),
            history_stage: Vec::with_capacity(rows),
            history_status: Vec::with_capacity(rows),
            history_at: Vec::with_capacity(rows),
            feature_end: Vec::with_capacity(deals.len()),
            before_band: Vec::with_capacity(deals.len()),
            feature_values: Vec::with_capacity(deals.len() * 8),
        };
        for deal in deals {
            table.push(deal);
        }
        table
    }

    fn push(&mut self, deal: &'a Deal) {
        self.owner.push(self.owners.intern(&deal.owner));
        let team = deal
            .team
            .as_ref()
            .map_or(NONE, |team| self.teams.intern(team));
        self.team.push(team);
        self.pipeline.push(self.pipelines.intern(&deal.pipeline));
        self.amount.push(deal.amount);
        for entry in &deal.history {
            let stage = entry.stage.as_str();
            let id = self.values.intern((Feature::StageReached, stage));
            self.history_stage.push(id);
            self.history_status.push(entry.status);
            self.history_at.push(entry.at);
        }
        self.history_end.push(offset(self.history_stage.len()));

        // The same values, trimmed and filtered, as `FeatureExtractor::visit`.
        let start = self.feature_values.len();
        let text = |value: &'a Option<String>| {
            value
                .as_deref()
                .map(str::trim_ascii)
                .filter(|value| !value.is_empty())
        };
        let mut visit = |feature: Feature, value: &'a str| {
            let id = self.values.intern((feature, value));
            self.feature_values.push(id);
        };
        if let Some(source) = text(&deal.source) {
            visit(Feature::Source, source);
        }
        if let Some(industry) = text(&deal.account.industry) {
            visit(Feature::Industry, industry);
        }
        if let Some(size) = deal.account.size {
            visit(Feature::Size, crate::score::size_value(size));
        }
        if let Some(region) = text(&deal.account.region) {
            visit(Feature::Region, region);
        }
        let before_band = self.feature_values.len() - start;
        let products_start = self.feature_values.len();
        for line in deal.product_lines.values() {
            let key = line
                .product_id
                .as_ref()
                .map_or(line.product.trim_ascii(), |id| id.as_str());
            if key.is_empty() {
                continue;
            }
            let id = self.values.intern((Feature::Product, key));
            let repeated = self
                .feature_values
                .get(products_start..)
                .is_some_and(|earlier| earlier.contains(&id));
            if !repeated {
                self.feature_values.push(id);
            }
        }
        let yes_no = |flag: bool| {
            if flag {
                crate::score::YES
            } else {
                crate::score::NO
            }
        };
        let competitor = yes_no(!deal.competitors.is_empty());
        let id = self.values.intern((Feature::CompetitorPresent, competitor));
        self.feature_values.push(id);
        let decision_maker = yes_no(
            deal.contacts
                .values()
                .any(|contact| contact.role == ContactRole::DecisionMaker),
        );
        let id = self
            .values
            .intern((Feature::DecisionMakerIdentified, decision_maker));
        self.feature_values.push(id);
        self.before_band
            .push(u8::try_from(before_band).unwrap_or(u8::MAX));
        self.feature_end.push(offset(self.feature_values.len()));
    }

    /// The deals the table was built from.
    pub fn deals(&self) -> &'a [Deal] {
        self.deals
    }

    /// How many deals the table holds.
    pub fn len(&self) -> usize {
        self.deals.len()
    }

    /// Whether the table holds no deal.
    pub fn is_empty(&self) -> bool {
        self.deals.is_empty()
    }

    /// The history rows of deal `index`.
    pub(crate) fn history_rows(&self, index: usize) -> std::ops::Range<usize> {
        let end = self.history_end.get(index).map_or(0, |end| *end as usize);
        let start = index
            .checked_sub(1)
            .and_then(|previous| self.history_end.get(previous))
            .map_or(0, |start| *start as usize);
        start..end
    }

    /// The feature value ids of deal `index` (without stages and band), and how many of them
    /// come before the band.
    pub(crate) fn features(&self, index: usize) -> (&[u32], usize) {
        let end = self.feature_end.get(index).map_or(0, |end| *end as usize);
        let start = index
            .checked_sub(1)
            .and_then(|previous| self.feature_end.get(previous))
            .map_or(0, |start| *start as usize);
        let values = self.feature_values.get(start..end).unwrap_or_default();
        let before = self
            .before_band
            .get(index)
            .map_or(0, |before| usize::from(*before));
        (values, before)
    }

    /// The row of deal `index`'s current history entry ([`Deal::current`]).
    pub(crate) fn last_row(&self, index: usize) -> Option<usize> {
        let rows = self.history_rows(index);
        rows.end.checked_sub(1).filter(|last| rows.contains(last))
    }

    /// The status of deal `index` as [`Deal::status`] gives it.
    pub(crate) fn status(&self, index: usize) -> DealStatus {
        self.last_row(index)
            .and_then(|last| self.history_status.get(last))
            .copied()
            .unwrap_or(DealStatus::Open)
    }

    /// The id of `pipeline` in this table, if any deal is in it.
    pub(crate) fn pipeline_id(&self, pipeline: &PipelineId) -> Option<u32> {
        self.pipelines.get(&pipeline)
    }
}

/// A row count as a `u32` offset; tables hold fewer than 4 billion rows.
fn offset(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}
