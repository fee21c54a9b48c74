//! Segments: the kinds of deals that analyses break their figures down by.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::deal_set::{DealFacts, DealSet, Interner, NONE};
use super::label;
use crate::deal::CompanySize;
use crate::i18n::LocalizedText;

/// A way to split deals into segments.
///
/// A deal belongs to exactly one segment of each dimension, except [`SegmentDimension::Product`]:
/// a deal with several products is in each of their segments (once per product, however many
/// lines it has), so product segments can add up to more than the whole. Deals with the field
/// empty form the "not set" segment (`key: None`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SegmentDimension {
    /// The account's industry.
    Industry,
    /// The account's size band.
    CompanySize,
    /// The account's region.
    Region,
    /// The products on the deal (catalogue id, else product name).
    Product,
    /// The deal's source channel.
    Source,
}

impl SegmentDimension {
    /// Every dimension.
    pub const ALL: [SegmentDimension; 5] = [
        SegmentDimension::Industry,
        SegmentDimension::CompanySize,
        SegmentDimension::Region,
        SegmentDimension::Product,
        SegmentDimension::Source,
    ];

    /// The dimension's name.
    pub fn label(self) -> LocalizedText {
        match self {
            SegmentDimension::Industry => LocalizedText::new("行业", "Industry"),
            SegmentDimension::CompanySize => LocalizedText::new("企业规模", "Company size"),
            SegmentDimension::Region => LocalizedText::new("区域", "Region"),
            SegmentDimension::Product => LocalizedText::new("产品", "Product"),
            SegmentDimension::Source => LocalizedText::new("来源渠道", "Source"),
        }
    }
}

/// One segment of a dimension, e.g. industry 制造业.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub struct Segment {
    /// The value (industry name, size band, product key, source); `None` for "not set".
    pub key: Option<String>,
    /// Display label.
    pub label: LocalizedText,
}

/// Assigns deals to the segments of one dimension, numbering segments as they are first seen.
/// It reads the set's interned columns only, never the deals.
pub(crate) struct SegmentIndex {
    dimension: SegmentDimension,
    numbers: FxHashMap<u32, usize>,
    /// The key of each segment ([`NONE`] for "not set").
    keys: Vec<u32>,
}

impl SegmentIndex {
    pub(crate) fn new(dimension: SegmentDimension) -> Self {
        SegmentIndex {
            dimension,
            numbers: FxHashMap::default(),
            keys: Vec::new(),
        }
    }

    pub(crate) fn dimension(&self) -> SegmentDimension {
        self.dimension
    }

    /// Replaces `numbers` with the segment numbers of a deal (one, or one per product).
    pub(crate) fn of_deal(&mut self, set: &DealSet, facts: &DealFacts, numbers: &mut Vec<usize>) {
        numbers.clear();
        match self.dimension {
            SegmentDimension::Industry => numbers.push(self.number(facts.industry)),
            SegmentDimension::Region => numbers.push(self.number(facts.region)),
            SegmentDimension::Source => numbers.push(self.number(facts.source)),
            SegmentDimension::CompanySize => {
                let key = facts.size.map_or(NONE, |size| size as u32);
                numbers.push(self.number(key));
            }
            SegmentDimension::Product => {
                // The set keeps each deal's product keys distinct.
                for product in set.products(facts) {
                    numbers.push(self.number(*product));
                }
                if numbers.is_empty() {
                    numbers.push(self.number(NONE));
                }
            }
        }
    }

    fn number(&mut self, key: u32) -> usize {
        let next = self.keys.len();
        *self.numbers.entry(key).or_insert_with(|| {
            self.keys.push(key);
            next
        })
    }

    /// Number of segments seen.
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// The segments and their numbers in display order: by key (size bands by size), "not set"
    /// last.
    pub(crate) fn into_sorted(self, set: &DealSet) -> Vec<(usize, Segment)> {
        let names = &set.names;
        let dimension = self.dimension;
        let mut segments: Vec<(usize, Segment, u32)> = self
            .keys
            .into_iter()
            .enumerate()
            .map(|(number, key)| {
                let name = |interner: &Interner| interner.name(key).map(str::to_owned);
                let (key_text, label, order) = match dimension {
                    SegmentDimension::Industry => text_segment(name(&names.industries)),
                    SegmentDimension::Region => text_segment(name(&names.regions)),
                    SegmentDimension::Source => text_segment(name(&names.sources)),
                    SegmentDimension::Product => {
                        let product_name = usize::try_from(key)
                            .ok()
                            .and_then(|index| names.product_names.get(index));
                        match (name(&names.products), product_name) {
                            (Some(key), Some(product)) => (Some(key), label::verbatim(product), 0),
                            _ => (None, label::not_set(), 0),
                        }
                    }
                    SegmentDimension::CompanySize => match size_of(key) {
                        Some(size) => (
                            Some(size_key(size).to_owned()),
                            label::company_size(size),
                            key,
                        ),
                        None => (None, label::not_set(), 0),
                    },
                };
                let segment = Segment {
                    key: key_text,
                    label,
                };
                (number, segment, order)
            })
            .collect();
        segments.sort_by(|(_, left, left_order), (_, right, right_order)| {
            (left.key.is_none(), left_order, &left.key).cmp(&(
                right.key.is_none(),
                right_order,
                &right.key,
            ))
        });
        segments
            .into_iter()
            .map(|(number, segment, _)| (number, segment))
            .collect()
    }
}

/// A text-valued segment: its key, its label and a neutral order.
fn text_segment(name: Option<String>) -> (Option<String>, LocalizedText, u32) {
    match name {
        Some(name) => {
            let label = label::verbatim(&name);
            (Some(name), label, 0)
        }
        None => (None, label::not_set(), 0),
    }
}

/// The size band numbered `key` (its position in [`CompanySize`]).
fn size_of(key: u32) -> Option<CompanySize> {
    [
        CompanySize::Micro,
        CompanySize::Small,
        CompanySize::Medium,
        CompanySize::Large,
        CompanySize::Enterprise,
    ]
    .into_iter()
    .find(|size| *size as u32 == key)
}

/// The serialized name of a size band, used as its segment key.
fn size_key(size: CompanySize) -> &'static str {
    match size {
        CompanySize::Micro => "micro",
        CompanySize::Small => "small",
        CompanySize::Medium => "medium",
        CompanySize::Large => "large",
        CompanySize::Enterprise => "enterprise",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::fixture::{self, DealBuilder};

    #[test]
    fn products_count_once_per_deal_and_sizes_sort_by_size() {
        let set = fixture::set(vec![
            DealBuilder::new("d1")
                .product("crm", 100)
                .product("crm", 200)
                .product("erp", 50)
                .size(CompanySize::Large)
                .build(),
            DealBuilder::new("d2").size(CompanySize::Micro).build(),
            DealBuilder::new("d3").build(),
        ]);
        let mut products = SegmentIndex::new(SegmentDimension::Product);
        let mut sizes = SegmentIndex::new(SegmentDimension::CompanySize);
        let mut numbers = Vec::new();
        let mut seen = Vec::new();
        for (_, facts) in set.rows() {
            products.of_deal(&set, facts, &mut numbers);
            seen.push(numbers.clone());
            sizes.of_deal(&set, facts, &mut numbers);
        }
        assert_eq!(seen, [vec![0, 1], vec![2], vec![2]]);
        let keys: Vec<Option<String>> = sizes
            .into_sorted(&set)
            .into_iter()
            .map(|(_, segment)| segment.key)
            .collect();
        assert_eq!(
            keys,
            [Some("micro".to_owned()), Some("large".to_owned()), None]
        );
        let labels: Vec<String> = products
            .into_sorted(&set)
            .into_iter()
            .map(|(_, segment)| segment.label.en)
            .collect();
        assert_eq!(labels, ["crm", "erp", "Not set"]);
    }
}
