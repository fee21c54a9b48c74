//! Segments: the kinds of deals that analyses break their figures down by.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::filter::product_key;
use super::label;
use crate::deal::{CompanySize, Deal};
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
pub(crate) struct SegmentIndex<'d> {
    dimension: SegmentDimension,
    numbers: HashMap<Option<&'d str>, usize>,
    /// Per segment: its key, its label and an order key (size bands sort by size).
    segments: Vec<(Option<&'d str>, LocalizedText, u8)>,
}

impl<'d> SegmentIndex<'d> {
    pub(crate) fn new(dimension: SegmentDimension) -> Self {
        SegmentIndex {
            dimension,
            numbers: HashMap::new(),
            segments: Vec::new(),
        }
    }

    pub(crate) fn dimension(&self) -> SegmentDimension {
        self.dimension
    }

    /// Replaces `numbers` with the segment numbers of `deal` (one, or one per product).
    pub(crate) fn of_deal(&mut self, deal: &'d Deal, numbers: &mut Vec<usize>) {
        numbers.clear();
        match self.dimension {
            SegmentDimension::Industry => {
                let key = deal.account.industry.as_deref();
                numbers.push(self.number(
                    key,
                    || key.map_or_else(label::not_set, label::verbatim),
                    0,
                ));
            }
            SegmentDimension::Region => {
                let key = deal.account.region.as_deref();
                numbers.push(self.number(
                    key,
                    || key.map_or_else(label::not_set, label::verbatim),
                    0,
                ));
            }
            SegmentDimension::Source => {
                let key = deal.source.as_deref();
                numbers.push(self.number(
                    key,
                    || key.map_or_else(label::not_set, label::verbatim),
                    0,
                ));
            }
            SegmentDimension::CompanySize => {
                let size = deal.account.size;
                let key = size.map(size_key);
                let order = size.map_or(0, |size| size as u8);
                numbers.push(self.number(
                    key,
                    || size.map_or_else(label::not_set, label::company_size),
                    order,
                ));
            }
            SegmentDimension::Product => {
                for line in deal.product_lines.values() {
                    let key = product_key(line);
                    let number = self.number(Some(key), || label::verbatim(&line.product), 0);
                    if !numbers.contains(&number) {
                        numbers.push(number);
                    }
                }
                if numbers.is_empty() {
                    numbers.push(self.number(None, label::not_set, 0));
                }
            }
        }
    }

    fn number(
        &mut self,
        key: Option<&'d str>,
        label: impl FnOnce() -> LocalizedText,
        order: u8,
    ) -> usize {
        let next = self.segments.len();
        *self.numbers.entry(key).or_insert_with(|| {
            self.segments.push((key, label(), order));
            next
        })
    }

    /// Number of segments seen.
    pub(crate) fn len(&self) -> usize {
        self.segments.len()
    }

    /// The segments and their numbers in display order: by key (size bands by size), "not set"
    /// last.
    pub(crate) fn into_sorted(self) -> Vec<(usize, Segment)> {
        let mut segments: Vec<(usize, Segment, u8)> = self
            .segments
            .into_iter()
            .enumerate()
            .map(|(number, (key, label, order))| {
                let segment = Segment {
                    key: key.map(str::to_owned),
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
    use crate::analytics::fixture::DealBuilder;

    #[test]
    fn products_count_once_per_deal_and_sizes_sort_by_size() {
        let deals = [
            DealBuilder::new("d1")
                .product("crm", 100)
                .product("crm", 200)
                .product("erp", 50)
                .size(CompanySize::Large)
                .build(),
            DealBuilder::new("d2").size(CompanySize::Micro).build(),
            DealBuilder::new("d3").build(),
        ];
        let mut products = SegmentIndex::new(SegmentDimension::Product);
        let mut sizes = SegmentIndex::new(SegmentDimension::CompanySize);
        let mut numbers = Vec::new();
        let mut seen = Vec::new();
        for deal in &deals {
            products.of_deal(deal, &mut numbers);
            seen.push(numbers.clone());
            sizes.of_deal(deal, &mut numbers);
        }
        assert_eq!(seen, [vec![0, 1], vec![2], vec![2]]);
        let keys: Vec<Option<String>> = sizes
            .into_sorted()
            .into_iter()
            .map(|(_, segment)| segment.key)
            .collect();
        assert_eq!(
            keys,
            [Some("micro".to_owned()), Some("large".to_owned()), None]
        );
        let labels: Vec<String> = products
            .into_sorted()
            .into_iter()
            .map(|(_, segment)| segment.label.en)
            .collect();
        assert_eq!(labels, ["crm", "erp", "Not set"]);
    }
}
