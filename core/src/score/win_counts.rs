//! The naive-Bayes model as additive counts: per team, how many won and lost deals had each
//! (feature, value). Counts only ever add, so two copies trained on different deals merge by
//! adding, and the structure maps onto CRDT counters (team / feature / value / won|lost).

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::error::ScoreError;
use super::win_features::{Feature, FeatureExtractor, Purpose, ValueKey, outcome, touch_ahead};
use crate::deal::{Deal, DealStatus};
use crate::deal_table::{DealTable, NONE};
use crate::id::TeamId;

/// Won and lost counts.
///
/// Counts are `i64` like Automerge counters; a count below zero can only come from removing a
/// deal that was never added, and is read as zero.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize)]
pub struct WonLost {
    /// Won deals.
    pub won: i64,
    /// Lost deals.
    pub lost: i64,
}

impl WonLost {
    fn add(&mut self, other: WonLost) {
        self.won = self.won.saturating_add(other.won);
        self.lost = self.lost.saturating_add(other.lost);
    }

    fn is_zero(self) -> bool {
        self.won == 0 && self.lost == 0
    }

    fn step(won: bool, delta: i64) -> WonLost {
        if won {
            WonLost {
                won: delta,
                lost: 0,
            }
        } else {
            WonLost {
                won: 0,
                lost: delta,
            }
        }
    }
}

/// One team's counts: the closed deals and, per feature and value, the won and lost deals that
/// had it.
///
/// The layout is flat and serde-friendly (string keys all the way down), so it can be stored as
/// counters in a document. Zero entries are pruned so that equal counts compare equal.
///
/// ```
/// use dealflow_core::*;
/// let mut a = WinCounts::default();
/// a.add(&[(Feature::Industry, "制造业")], true);
/// let mut b = WinCounts::default();
/// b.add(&[(Feature::Industry, "制造业")], false);
/// a.merge(&b);
/// assert_eq!(a.count(Feature::Industry, "制造业"), WonLost { won: 1, lost: 1 });
/// assert_eq!(a.closed, WonLost { won: 1, lost: 1 });
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct WinCounts {
    /// Closed deals counted.
    pub closed: WonLost,
    /// Per feature, per value: won and lost deals with that value.
    pub values: BTreeMap<Feature, BTreeMap<String, WonLost>>,
}

impl WinCounts {
    /// Counts a closed deal with `features` (as from [`FeatureExtractor::training_features`]):
    /// `won` or lost.
    pub fn add(&mut self, features: &[(Feature, &str)], won: bool) {
        self.apply(features, WonLost::step(won, 1));
    }

    /// Takes back a deal counted with [`WinCounts::add`] (e.g. when it is reopened). Pass the
    /// same features it was added with.
    pub fn remove(&mut self, features: &[(Feature, &str)], won: bool) {
        self.apply(features, WonLost::step(won, -1));
    }

    /// Counts `deal` if it is won or lost; returns whether it was counted.
    pub fn add_deal(
        &mut self,
        deal: &Deal,
        extractor: &FeatureExtractor,
    ) -> Result<bool, ScoreError> {
        let Some(won) = outcome(deal) else {
            return Ok(false);
        };
        self.add(&extractor.training_features(deal)?, won);
        Ok(true)
    }

    /// Takes back `deal` as it was counted; returns whether it had an outcome to take back.
    pub fn remove_deal(
        &mut self,
        deal: &Deal,
        extractor: &FeatureExtractor,
    ) -> Result<bool, ScoreError> {
        self.apply_deal(deal, extractor, -1)
    }

    /// Adds `other`'s counts to these.
    pub fn merge(&mut self, other: &WinCounts) {
        self.closed.add(other.closed);
        for (feature, values) in &other.values {
            let mine = self.values.entry(*feature).or_default();
            for (value, count) in values {
                match mine.get_mut(value.as_str()) {
                    Some(existing) => existing.add(*count),
                    None => {
                        mine.insert(value.clone(), *count);
                    }
                }
            }
            mine.retain(|_, count| !count.is_zero());
        }
        self.values.retain(|_, values| !values.is_empty());
    }

    /// The counts of one (feature, value).
    pub fn count(&self, feature: Feature, value: &str) -> WonLost {
        self.values
            .get(&feature)
            .and_then(|values| values.get(value))
            .copied()
            .unwrap_or_default()
    }

    /// Closed deals counted (negative totals read as zero).
    pub fn closed_deals(&self) -> u64 {
        non_negative(self.closed.won).saturating_add(non_negative(self.closed.lost))
    }

    fn apply_deal(
        &mut self,
        deal: &Deal,
        extractor: &FeatureExtractor,
        delta: i64,
    ) -> Result<bool, ScoreError> {
        let Some(won) = outcome(deal) else {
            return Ok(false);
        };
        let delta = WonLost::step(won, delta);
        self.closed.add(delta);
        extractor.visit(deal, Purpose::Training, |feature, value| {
            self.apply_one(feature, value, delta);
        })?;
        Ok(true)
    }

    fn apply(&mut self, features: &[(Feature, &str)], delta: WonLost) {
        self.closed.add(delta);
        for (feature, value) in features {
            self.apply_one(*feature, value, delta);
        }
    }

    fn apply_one(&mut self, feature: Feature, value: &str, delta: WonLost) {
        let values = self.values.entry(feature).or_default();
        match values.get_mut(value) {
            Some(count) => {
                count.add(delta);
                if count.is_zero() {
                    values.remove(value);
                }
            }
            None => {
                values.insert(value.to_owned(), delta);
            }
        }
        if values.is_empty() {
            self.values.remove(&feature);
        }
    }
}

/// Dense tables of more cells than this fall back to the per-deal path (many teams times many
/// distinct values would cost more memory than they save time).
pub(crate) const MAX_DENSE_CELLS: usize = 1 << 20;

impl DealTable<'_> {
    /// [`TeamWinCounts::train`] over the table's deals: the same counts, added up in a flat
    /// array per team indexed by interned (feature, value).
    pub fn train_win_counts(
        &self,
        extractor: &FeatureExtractor,
    ) -> Result<TeamWinCounts, ScoreError> {
        let n_values = self.values.len();
        // One row per (feature, value) of the table, then one per amount band.
        let width = n_values + extractor.band_count();
        // One slot per team, the last for deals without a team.
        let n_slots = self.teams.len() + 1;
        if n_slots.saturating_mul(width) > MAX_DENSE_CELLS {
            return TeamWinCounts::train(self.deals, extractor);
        }
        let mut closed = vec![None::<WonLost>; n_slots];
        let mut cells = vec![WonLost::default(); n_slots * width];
        // The last deal (index + 1) that counted each stage, to count a stage once per deal.
        let mut stage_mark = vec![0_usize; n_values];
        for (index, amount) in self.amount.iter().enumerate() {
            let won = match self.status(index) {
                DealStatus::Won => true,
                DealStatus::Lost => false,
                DealStatus::Open | DealStatus::Stopped => continue,
            };
            let delta = WonLost::step(won, 1);
            let slot = match self.team.get(index) {
                Some(&team) if team != NONE => team as usize,
                _ => n_slots - 1,
            };
            let Some(row) = cells.get_mut(slot * width..(slot + 1) * width) else {
                continue;
            };
            let rows = self.history_rows(index);
            for stage in self.history_stage.get(rows).unwrap_or_default() {
                let stage = *stage as usize;
                if let Some(mark) = stage_mark.get_mut(stage)
                    && *mark != index + 1
                {
                    *mark = index + 1;
                    if let Some(cell) = row.get_mut(stage) {
                        cell.add(delta);
                    }
                }
            }
            let (features, _) = self.features(index);
            for value in features {
                if let Some(cell) = row.get_mut(*value as usize) {
                    cell.add(delta);
                }
            }
            let band = extractor.band_index(*amount)?;
            if let Some(cell) = row.get_mut(n_values + band) {
                cell.add(delta);
            }
            if let Some(total) = closed.get_mut(slot) {
                total.get_or_insert_default().add(delta);
            }
        }
        let mut trained = TeamWinCounts::default();
        for (slot, (total, row)) in closed
            .into_iter()
            .zip(cells.chunks(width.max(1)))
            .enumerate()
        {
            let Some(total) = total else {
                continue;
            };
            let target = match self.teams.list.get(slot) {
                Some(team) => trained.teams.entry((*team).clone()).or_default(),
                None => &mut trained.without_team,
            };
            target.closed = total;
            for (id, count) in row.iter().enumerate() {
                if count.is_zero() {
                    continue;
                }
                let (feature, value) = match self.values.list.get(id) {
                    Some((feature, value)) => (*feature, *value),
                    None => (Feature::AmountBand, extractor.band_label(id - n_values)),
                };
                target
                    .values
                    .entry(feature)
                    .or_default()
                    .insert(value.to_owned(), *count);
            }
        }
        Ok(trained)
    }
}

pub(super) fn non_negative(count: i64) -> u64 {
    u64::try_from(count).unwrap_or(0)
}

/// Counts per team (Odoo's predictive lead scoring learns per sales team), plus the deals
/// without a team.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct TeamWinCounts {
    /// Per team.
    pub teams: BTreeMap<TeamId, WinCounts>,
    /// Deals without a team.
    pub without_team: WinCounts,
}

impl TeamWinCounts {
    /// Counts every won and lost deal of `deals` under its team; the same counts as
    /// [`TeamWinCounts::add_deal`] for each deal.
    pub fn train(deals: &[Deal], extractor: &FeatureExtractor) -> Result<Self, ScoreError> {
        // Count in hash maps keyed by borrowed strings, then build the ordered, owned maps once:
        // one string allocation per distinct value instead of a B-tree walk per pair.
        let mut pending: FxHashMap<Option<ValueKey<'_>>, PendingCounts<'_>> = FxHashMap::default();
        for (index, deal) in deals.iter().enumerate() {
            touch_ahead(deals, index + 1, Purpose::Training);
            let Some(won) = outcome(deal) else {
                continue;
            };
            let delta = WonLost::step(won, 1);
            let team = deal.team.as_ref().map(|team| ValueKey(team.as_str()));
            let counts = pending.entry(team).or_insert_with(|| PendingCounts {
                team: deal.team.as_ref(),
                ..PendingCounts::default()
            });
            counts.closed.add(delta);
            extractor.visit(deal, Purpose::Training, |feature, value| {
                counts
                    .values
                    .entry((feature, ValueKey(value)))
                    .or_default()
                    .add(delta);
            })?;
        }
        let mut trained = TeamWinCounts::default();
        for counts in pending.into_values() {
            let target = match counts.team {
                Some(team) => trained.teams.entry(team.clone()).or_default(),
                None => &mut trained.without_team,
            };
            target.closed = counts.closed;
            for ((feature, value), count) in counts.values {
                target
                    .values
                    .entry(feature)
                    .or_default()
                    .insert(value.0.to_owned(), count);
            }
        }
        Ok(trained)
    }

    /// The counts of `team` (or of the deals without a team).
    pub fn counts(&self, team: Option<&TeamId>) -> Option<&WinCounts> {
        match team {
            Some(team) => self.teams.get(team),
            None => Some(&self.without_team),
        }
    }

    /// Counts `deal` under its team if it is won or lost; returns whether it was counted.
    pub fn add_deal(
        &mut self,
        deal: &Deal,
        extractor: &FeatureExtractor,
    ) -> Result<bool, ScoreError> {
        self.counts_mut(deal).add_deal(deal, extractor)
    }

    /// Takes back `deal` as it was counted; returns whether it had an outcome to take back.
    pub fn remove_deal(
        &mut self,
        deal: &Deal,
        extractor: &FeatureExtractor,
    ) -> Result<bool, ScoreError> {
        self.counts_mut(deal).remove_deal(deal, extractor)
    }

    /// Adds `other`'s counts to these, team by team.
    pub fn merge(&mut self, other: &TeamWinCounts) {
        for (team, counts) in &other.teams {
            self.teams.entry(team.clone()).or_default().merge(counts);
        }
        self.without_team.merge(&other.without_team);
    }

    fn counts_mut(&mut self, deal: &Deal) -> &mut WinCounts {
        match &deal.team {
            Some(team) => self.teams.entry(team.clone()).or_default(),
            None => &mut self.without_team,
        }
    }
}

/// Counts of one team during batch training, keyed by borrowed values.
#[derive(Debug, Default)]
struct PendingCounts<'a> {
    /// The team, as keyed (its text).
    team: Option<&'a TeamId>,
    closed: WonLost,
    values: FxHashMap<(Feature, ValueKey<'a>), WonLost>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_then_remove_leaves_nothing() {
        let mut counts = WinCounts::default();
        let features = [(Feature::Industry, "能源"), (Feature::Source, "referral")];
        counts.add(&features, true);
        counts.add(&features, false);
        assert_eq!(
            counts.count(Feature::Source, "referral"),
            WonLost { won: 1, lost: 1 }
        );
        assert_eq!(counts.closed_deals(), 2);
        counts.remove(&features, true);
        counts.remove(&features, false);
        assert_eq!(counts, WinCounts::default());
    }

    #[test]
    fn merging_adds_and_prunes() {
        let mut a = WinCounts::default();
        a.add(&[(Feature::Region, "华东")], true);
        let mut b = WinCounts::default();
        b.remove(&[(Feature::Region, "华东")], true);
        b.add(&[(Feature::Region, "华南")], false);
        a.merge(&b);
        assert_eq!(a.count(Feature::Region, "华东"), WonLost::default());
        assert_eq!(
            a.count(Feature::Region, "华南"),
            WonLost { won: 0, lost: 1 }
        );
        assert_eq!(a.closed, WonLost { won: 0, lost: 1 });
        assert_eq!(a.values.get(&Feature::Region).map(BTreeMap::len), Some(1));
    }

    #[test]
    fn negative_counts_read_as_zero() {
        let mut counts = WinCounts::default();
        counts.remove(&[], true);
        assert_eq!(counts.closed_deals(), 0);
        assert_eq!(non_negative(-3), 0);
    }

    #[test]
    fn serializes_with_string_keys() {
        let mut counts = WinCounts::default();
        counts.add(&[(Feature::AmountBand, "<100000.00 CNY")], true);
        let json = serde_json::to_string(&counts).unwrap();
        assert_eq!(
            json,
            r#"{"closed":{"won":1,"lost":0},"values":{"amount_band":{"<100000.00 CNY":{"won":1,"lost":0}}}}"#
        );
        let back: WinCounts = serde_json::from_str(&json).unwrap();
        assert_eq!(back, counts);
    }
}
