//! Deals prepared for analytics: every amount converted once into the reporting currency, and
//! the fields that analyses scan (stage history, owner, team, source, products) laid out as
//! compact columns of small integers.
//!
//! A [`Deal`] keeps its stage history as records full of strings, so scanning a million history
//! entries means chasing a million heap pointers. A [`DealSet`] reads each deal once, interns the
//! strings and stores each history entry in 16 bytes; every analysis and report then runs over
//! the columns, which is what lets a browser recompute any report instantly when a filter
//! changes. Build the set when the deals load and [`DealSet::upsert`] a deal when it changes.

use std::fmt;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use super::error::AnalyticsError;
use super::filter::product_key;
use time::Date;

use crate::deal::{CompanySize, Deal, DealStatus};
use crate::exchange::ExchangeRates;
use crate::id::DealId;
use crate::money::{Currency, Money, MoneyError};

/// Deals in one reporting currency, prepared for analytics.
///
/// ```
/// use dealflow_core::analytics::DealSet;
/// use dealflow_core::{Currency, ExchangeRates};
/// let rates = ExchangeRates::new(Currency::CNY).with_rate(Currency::USD, "7.2")?;
/// let set = DealSet::new(Vec::new(), rates)?;
/// assert!(set.is_empty());
/// assert_eq!(set.currency(), Currency::CNY);
/// # Ok::<(), dealflow_core::Error>(())
/// ```
#[derive(Clone)]
pub struct DealSet {
    deals: Vec<Deal>,
    rates: ExchangeRates,
    facts: Vec<DealFacts>,
    entries: Vec<Entry>,
    products: Vec<u32>,
    pub(crate) names: Names,
    positions: OnceLock<FxHashMap<DealId, usize>>,
    /// Entries and product keys left behind by replaced or removed deals.
    stale: usize,
}

/// The scanned fields of one deal.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DealFacts {
    /// Creation instant (ms).
    pub(crate) created: i64,
    /// Current amount in the reporting currency (minor units).
    pub(crate) amount: i64,
    entries_start: usize,
    entries_end: usize,
    products_start: usize,
    products_end: usize,
    pub(crate) pipeline: u32,
    pub(crate) owner: u32,
    /// [`NONE`] without a team.
    pub(crate) team: u32,
    /// [`NONE`] without a source.
    pub(crate) source: u32,
    /// The account's industry ([`NONE`] when not set).
    pub(crate) industry: u32,
    /// The account's region ([`NONE`] when not set).
    pub(crate) region: u32,
    /// The account's size band.
    pub(crate) size: Option<CompanySize>,
    /// The current expected close date.
    pub(crate) expected_close: Option<Date>,
    /// When the close date last changed (`i64::MIN` if never): before that instant the close
    /// date can only be read from the deal's log.
    pub(crate) close_changed: i64,
    /// When the amount last changed (`i64::MIN` if never).
    pub(crate) amount_changed: i64,
}

impl DealFacts {
    /// The expected close date just before `instant`: the current one when it has not changed
    /// since, else read from the deal's log.
    pub(crate) fn close_date_before(&self, deal: &Deal, instant: i64) -> Option<Date> {
        if self.close_changed < instant {
            self.expected_close
        } else {
            super::timeline::close_date_before(deal, instant)
        }
    }
}

/// One stage-history entry: the deal entered `stage` with `status` at `at`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Entry {
    pub(crate) at: i64,
    pub(crate) stage: u32,
    pub(crate) status: DealStatus,
}

/// The interned id of an absent optional field.
pub(crate) const NONE: u32 = u32::MAX;

/// Up to this many names an interner looks a name up by comparing it with each.
const LINEAR_NAMES: usize = 16;

/// Strings numbered in order of first appearance.
#[derive(Clone, Default)]
pub(crate) struct Interner {
    numbers: FxHashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Interner {
    fn intern(&mut self, name: &str) -> u32 {
        // Stages and pipelines are few: comparing with each name inline is cheaper than hashing
        // the name, and a million history entries each intern a stage.
        if self.names.len() <= LINEAR_NAMES {
            let found = self.names.iter().position(|known| {
                known.len() == name.len() && known.bytes().zip(name.bytes()).all(|(a, b)| a == b)
            });
            if let Some(number) = found.and_then(|index| u32::try_from(index).ok()) {
                return number;
            }
        } else if let Some(number) = self.numbers.get(name) {
            return *number;
        }
        // Four billion distinct names cannot fit in memory first; saturating keeps this total.
        let number = u32::try_from(self.names.len()).unwrap_or(NONE - 1);
        self.names.push(name.into());
        self.numbers.insert(name.into(), number);
        number
    }

    fn intern_optional(&mut self, name: Option<&str>) -> u32 {
        name.map_or(NONE, |name| self.intern(name))
    }

    /// The number of `name`, if any deal has it.
    pub(crate) fn find(&self, name: &str) -> Option<u32> {
        self.numbers.get(name).copied()
    }

    /// The name numbered `number`.
    pub(crate) fn name(&self, number: u32) -> Option<&str> {
        usize::try_from(number)
            .ok()
            .and_then(|index| self.names.get(index))
            .map(|name| &**name)
    }

    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }
}

/// The interned strings of a set.
#[derive(Clone, Default)]
pub(crate) struct Names {
    pub(crate) stages: Interner,
    pub(crate) pipelines: Interner,
    pub(crate) owners: Interner,
    pub(crate) teams: Interner,
    pub(crate) sources: Interner,
    pub(crate) products: Interner,
    /// The product name first seen with each product key, by the key's number.
    pub(crate) product_names: Vec<Box<str>>,
    pub(crate) industries: Interner,
    pub(crate) regions: Interner,
}

impl DealSet {
    /// Prepares `deals`, converting every amount with `rates` into their reporting currency.
    ///
    /// Errors when a rate is invalid or missing for a deal's currency. Deal ids should be unique;
    /// [`DealSet::get`] and [`DealSet::upsert`] find the last deal with an id.
    pub fn new(deals: Vec<Deal>, rates: ExchangeRates) -> Result<Self, AnalyticsError> {
        rates.validate()?;
        let entry_count = deals.iter().map(|deal| deal.history.len()).sum();
        let mut set = DealSet {
            deals: Vec::new(),
            rates,
            facts: Vec::with_capacity(deals.len()),
            entries: Vec::with_capacity(entry_count),
            products: Vec::new(),
            names: Names::default(),
            positions: OnceLock::new(),
            stale: 0,
        };
        for deal in deals.iter().take(2) {
            touch_history(deal);
        }
        if let Some(first) = deals.first() {
            touch(first);
        }
        for (index, deal) in deals.iter().enumerate() {
            // Start fetching the history of the deal after next and the strings of the next
            // deal (whose history is fetched by now) while this one is interned.
            if let Some(later) = deals.get(index + 2) {
                touch_history(later);
            }
            if let Some(next) = deals.get(index + 1) {
                touch(next);
            }
            let facts = set.prepare(deal)?;
            set.facts.push(facts);
        }
        set.deals = deals;
        Ok(set)
    }

    /// Adds a deal, or replaces the deal with the same id (e.g. after a sync brought changes).
    pub fn upsert(&mut self, deal: Deal) -> Result<(), AnalyticsError> {
        let facts = self.prepare(&deal)?;
        self.positions();
        let positions = self.positions.get_mut();
        let existing = positions
            .as_ref()
            .and_then(|positions| positions.get(&deal.id).copied());
        match existing {
            Some(index) => {
                if let (Some(slot), Some(old)) =
                    (self.deals.get_mut(index), self.facts.get_mut(index))
                {
                    self.stale += old.entries_end - old.entries_start;
                    self.stale += old.products_end - old.products_start;
                    *slot = deal;
                    *old = facts;
                }
            }
            None => {
                if let Some(positions) = positions {
                    positions.insert(deal.id.clone(), self.deals.len());
                }
                self.deals.push(deal);
                self.facts.push(facts);
            }
        }
        self.compact_if_stale();
        Ok(())
    }

    /// Removes the deal with `id` (e.g. when access to it was revoked) and returns it.
    pub fn remove(&mut self, id: &DealId) -> Option<Deal> {
        self.positions();
        let positions = self.positions.get_mut()?;
        let index = positions.remove(id)?;
        if index >= self.deals.len() {
            return None;
        }
        let removed = self.deals.swap_remove(index);
        let facts = self.facts.swap_remove(index);
        self.stale += facts.entries_end - facts.entries_start;
        self.stale += facts.products_end - facts.products_start;
        if let Some(moved) = self.deals.get(index) {
            positions.insert(moved.id.clone(), index);
        }
        self.compact_if_stale();
        Some(removed)
    }

    /// The deals, in the order given (upserts append; removals move the last deal into the gap).
    pub fn deals(&self) -> &[Deal] {
        &self.deals
    }

    /// The deals back.
    pub fn into_deals(self) -> Vec<Deal> {
        self.deals
    }

    /// The deal with `id`.
    pub fn get(&self, id: &DealId) -> Option<&Deal> {
        self.positions()
            .get(id)
            .and_then(|index| self.deals.get(*index))
    }

    /// Number of deals.
    pub fn len(&self) -> usize {
        self.deals.len()
    }

    /// Whether there are no deals.
    pub fn is_empty(&self) -> bool {
        self.deals.is_empty()
    }

    /// The reporting currency every amount is in.
    pub fn currency(&self) -> Currency {
        self.rates.reporting()
    }

    /// The rate table, for converting other amounts (targets, payments, product lines).
    pub fn rates(&self) -> &ExchangeRates {
        &self.rates
    }

    /// Each deal with its scanned fields.
    pub(crate) fn rows(&self) -> impl Iterator<Item = (&Deal, &DealFacts)> {
        self.deals.iter().zip(&self.facts)
    }

    /// The deal at `index` (in [`DealSet::deals`] order) and its scanned fields.
    pub(crate) fn row_at(&self, index: usize) -> Option<(&Deal, &DealFacts)> {
        Some((self.deals.get(index)?, self.facts.get(index)?))
    }

    /// The deal with `id` and its scanned fields.
    pub(crate) fn row(&self, id: &DealId) -> Option<(&Deal, &DealFacts)> {
        let index = *self.positions().get(id)?;
        Some((self.deals.get(index)?, self.facts.get(index)?))
    }

    /// The stage history of a deal.
    pub(crate) fn entries(&self, facts: &DealFacts) -> &[Entry] {
        self.entries
            .get(facts.entries_start..facts.entries_end)
            .unwrap_or_default()
    }

    /// The distinct product keys of a deal.
    pub(crate) fn products(&self, facts: &DealFacts) -> &[u32] {
        self.products
            .get(facts.products_start..facts.products_end)
            .unwrap_or_default()
    }

    /// `minor` units of the reporting currency.
    pub(crate) fn money(&self, minor: i64) -> Money {
        Money::new(minor, self.currency())
    }

    /// A deal's current amount in the reporting currency.
    pub(crate) fn amount(&self, facts: &DealFacts) -> Money {
        self.money(facts.amount)
    }

    /// `money` in the reporting currency.
    pub(crate) fn convert(&self, money: Money) -> Result<Money, MoneyError> {
        self.rates.convert(money)
    }

    fn positions(&self) -> &FxHashMap<DealId, usize> {
        self.positions.get_or_init(|| {
            self.deals
                .iter()
                .enumerate()
                .map(|(index, deal)| (deal.id.clone(), index))
                .collect()
        })
    }

    fn prepare(&mut self, deal: &Deal) -> Result<DealFacts, AnalyticsError> {
        let amount = self.rates.convert(deal.amount)?.minor();
        let entries_start = self.entries.len();
        for entry in &deal.history {
            let stage = self.names.stages.intern(entry.stage.as_str());
            self.entries.push(Entry {
                at: entry.at.millis(),
                stage,
                status: entry.status,
            });
        }
        let products_start = self.products.len();
        for line in deal.product_lines.values() {
            let product = self.names.products.intern(product_key(line));
            if self.names.product_names.len() < self.names.products.len() {
                self.names.product_names.push(line.product.as_str().into());
            }
            if !self
                .products
                .get(products_start..)
                .is_some_and(|keys| keys.contains(&product))
            {
                self.products.push(product);
            }
        }
        Ok(DealFacts {
            created: deal.created_at.millis(),
            amount,
            entries_start,
            entries_end: self.entries.len(),
            products_start,
            products_end: self.products.len(),
            pipeline: self.names.pipelines.intern(deal.pipeline.as_str()),
            owner: self.names.owners.intern(deal.owner.as_str()),
            team: self
                .names
                .teams
                .intern_optional(deal.team.as_ref().map(|team| team.as_str())),
            source: self.names.sources.intern_optional(deal.source.as_deref()),
            industry: self
                .names
                .industries
                .intern_optional(deal.account.industry.as_deref()),
            region: self
                .names
                .regions
                .intern_optional(deal.account.region.as_deref()),
            size: deal.account.size,
            expected_close: deal.expected_close,
            close_changed: deal
                .close_date_changes
                .last()
                .map_or(i64::MIN, |change| change.at.millis()),
            amount_changed: deal
                .amount_changes
                .last()
                .map_or(i64::MIN, |change| change.at.millis()),
        })
    }

    /// Rewrites the columns without the stale entries once they outnumber the live ones.
    fn compact_if_stale(&mut self) {
        if self.stale <= self.entries.len() / 2 {
            return;
        }
        let mut entries = Vec::with_capacity(self.entries.len() - self.stale);
        let mut products = Vec::new();
        for facts in &mut self.facts {
            let start = entries.len();
            entries.extend_from_slice(
                self.entries
                    .get(facts.entries_start..facts.entries_end)
                    .unwrap_or_default(),
            );
            (facts.entries_start, facts.entries_end) = (start, entries.len());
            let start = products.len();
            products.extend_from_slice(
                self.products
                    .get(facts.products_start..facts.products_end)
                    .unwrap_or_default(),
            );
            (facts.products_start, facts.products_end) = (start, products.len());
        }
        self.entries = entries;
        self.products = products;
        self.stale = 0;
    }
}

/// Reads the first byte of each string of `deal` that building a set interns. Every string
/// lives in its own heap block, so interning them one by one waits for one cache miss after
/// another; touching them all in a loop without dependencies (one deal ahead of the interning)
/// lets the processor fetch them in parallel, which halves the time to build a set.
fn touch(deal: &Deal) {
    let strings = deal
        .history
        .iter()
        .map(|entry| entry.stage.as_str())
        .chain([deal.pipeline.as_str(), deal.owner.as_str()])
        .chain(deal.team.as_ref().map(|team| team.as_str()))
        .chain(deal.source.as_deref())
        .chain(deal.account.industry.as_deref())
        .chain(deal.account.region.as_deref());
    let mut sum = 0_u8;
    for string in strings {
        sum = sum.wrapping_add(string.as_bytes().first().copied().unwrap_or_default());
    }
    let last_changes = [
        deal.close_date_changes.last().map(|change| change.at),
        deal.amount_changes.last().map(|change| change.at),
    ];
    std::hint::black_box((sum, last_changes));
}

/// Reads every entry of `deal`'s stage history, so that [`touch`] one deal later finds the
/// entries in cache and waits only for the strings they point to, all fetched in parallel.
fn touch_history(deal: &Deal) {
    let sum = deal
        .history
        .iter()
        .fold(0_i64, |sum, entry| sum.wrapping_add(entry.at.millis()));
    std::hint::black_box(sum);
}

impl DealFacts {
    /// The last history entry (the current state), if the history is not empty.
    pub(crate) fn current(self, set: &DealSet) -> Option<Entry> {
        set.entries(&self).last().copied()
    }
}

impl fmt::Debug for DealSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DealSet")
            .field("deals", &self.deals.len())
            .field("entries", &(self.entries.len() - self.stale))
            .field("currency", &self.currency())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::fixture::{DealBuilder, yuan};

    #[test]
    fn converts_and_interns() {
        let rates = ExchangeRates::new(Currency::CNY)
            .with_rate(Currency::USD, "7")
            .unwrap();
        let usd = DealBuilder::new("usd")
            .amount_money(Money::new(100, Currency::USD))
            .to("needs", 3)
            .product("crm", 10)
            .product("crm", 20)
            .build();
        let set = DealSet::new(vec![usd, DealBuilder::new("cny").build()], rates).unwrap();
        let (_, facts) = set.rows().next().unwrap();
        assert_eq!(set.amount(facts), Money::new(700, Currency::CNY));
        assert_eq!(set.entries(facts).len(), 2);
        assert_eq!(set.products(facts).len(), 1);
        assert_eq!(set.names.stages.len(), 2);
        assert_eq!(facts.team, NONE);
        let missing = DealSet::new(
            vec![
                DealBuilder::new("eur")
                    .amount_money(Money::new(1, Currency::EUR))
                    .build(),
            ],
            ExchangeRates::new(Currency::CNY),
        );
        assert!(matches!(
            missing,
            Err(AnalyticsError::Money(MoneyError::MissingRate { .. }))
        ));
    }

    #[test]
    fn upsert_and_remove_keep_columns_in_step() {
        let rates = ExchangeRates::new(Currency::CNY);
        let deals = vec![
            DealBuilder::new("a").build(),
            DealBuilder::new("b").to("needs", 1).build(),
            DealBuilder::new("c").build(),
        ];
        let mut set = DealSet::new(deals, rates).unwrap();
        set.upsert(
            DealBuilder::new("b")
                .amount(5)
                .to("needs", 1)
                .won(2)
                .build(),
        )
        .unwrap();
        set.upsert(DealBuilder::new("d").amount(7).build()).unwrap();
        assert_eq!(set.len(), 4);
        let b = set.get(&DealId::new("b").unwrap()).unwrap();
        assert_eq!(b.amount, yuan(5));
        let removed = set.remove(&DealId::new("a").unwrap()).unwrap();
        assert_eq!(removed.id.as_str(), "a");
        assert!(set.remove(&DealId::new("a").unwrap()).is_none());
        // "d" moved into the gap; its facts moved with it.
        assert_eq!(set.get(&DealId::new("d").unwrap()).unwrap().amount, yuan(7));
        let summary: Vec<(String, i64, usize)> = set
            .rows()
            .map(|(deal, facts)| (deal.id.to_string(), facts.amount, set.entries(facts).len()))
            .collect();
        assert_eq!(
            summary,
            [
                ("d".to_owned(), 700, 1),
                ("b".to_owned(), 500, 3),
                ("c".to_owned(), 10_000_000, 1),
            ]
        );
        // Replacing every deal many times compacts the columns rather than growing them.
        for round in 0..20 {
            set.upsert(DealBuilder::new("c").amount(round).build())
                .unwrap();
        }
        assert!(set.entries.len() <= 2 * 5 + 2);
    }
}
