//! The features the win-probability model counts: what a deal looked like, as (feature, value)
//! pairs of plain strings so counts can be stored and merged anywhere.

use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};

use super::error::{Requirement, ScoreError};
use crate::deal::{CompanySize, ContactRole, Deal, DealStatus};
use crate::exchange::ExchangeRates;
use crate::i18n::LocalizedText;
use crate::money::Money;

/// A deal attribute the win-probability model learns from.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    /// A stage the deal reached (closed deals count every stage of their history; open deals
    /// are scored on their current stage).
    StageReached,
    /// The source channel.
    Source,
    /// The account's industry.
    Industry,
    /// The account's size band.
    Size,
    /// The account's region.
    Region,
    /// The amount band (see [`FeatureExtractor`]).
    AmountBand,
    /// A product on the deal (catalogue id, else name); one value per product.
    Product,
    /// Whether any competitor is recorded.
    CompetitorPresent,
    /// Whether a decision maker is among the contacts.
    DecisionMakerIdentified,
}

impl Feature {
    /// All features, in a fixed order.
    pub const ALL: [Feature; 9] = [
        Feature::StageReached,
        Feature::Source,
        Feature::Industry,
        Feature::Size,
        Feature::Region,
        Feature::AmountBand,
        Feature::Product,
        Feature::CompetitorPresent,
        Feature::DecisionMakerIdentified,
    ];

    /// Position in [`Feature::ALL`].
    pub(super) fn index(self) -> usize {
        self as usize
    }

    /// Display name.
    pub fn label(self) -> LocalizedText {
        let (zh_cn, en) = match self {
            Feature::StageReached => ("所处阶段", "stage"),
            Feature::Source => ("来源渠道", "source"),
            Feature::Industry => ("行业", "industry"),
            Feature::Size => ("企业规模", "company size"),
            Feature::Region => ("区域", "region"),
            Feature::AmountBand => ("金额区间", "amount band"),
            Feature::Product => ("产品", "product"),
            Feature::CompetitorPresent => ("有竞争对手", "competitor present"),
            Feature::DecisionMakerIdentified => ("已识别决策者", "decision maker identified"),
        };
        LocalizedText::new(zh_cn, en)
    }
}

/// The value of a yes/no feature.
pub(crate) const YES: &str = "yes";
/// The value of a yes/no feature.
pub(crate) const NO: &str = "no";

/// Turns deals into (feature, value) pairs. Holds the amount bands and the exchange rates the
/// bands are compared in.
///
/// Band values are self-describing labels such as `"100000.00-500000.00 CNY"`, so counts
/// trained with other bands simply do not match instead of being misread.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FeatureExtractor {
    rates: ExchangeRates,
    /// Band edges in reporting minor units, strictly increasing.
    edges: Vec<i64>,
    /// `edges.len() + 1` labels.
    labels: Vec<String>,
}

/// What the pairs are extracted for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Purpose {
    /// Counting a closed deal: every stage of its history.
    Training,
    /// Scoring an open deal: its current stage.
    Scoring,
}

impl FeatureExtractor {
    /// An extractor with amount bands split at `band_edges` (strictly increasing, converted into
    /// the reporting currency of `rates`).
    pub fn new(rates: ExchangeRates, band_edges: &[Money]) -> Result<Self, ScoreError> {
        let reporting = rates.reporting();
        let converted = band_edges
            .iter()
            .map(|edge| rates.convert(*edge))
            .collect::<Result<Vec<Money>, _>>()?;
        if converted
            .windows(2)
            .any(|pair| matches!(pair, [low, high] if low.minor() >= high.minor()))
        {
            let listed: Vec<String> = converted.iter().map(ToString::to_string).collect();
            return Err(ScoreError::InvalidSetting {
                setting: "amount_bands",
                value: listed.join(", "),
                requirement: Requirement::Ascending,
            });
        }
        let number = |money: &Money| {
            let text = money.to_string();
            text.strip_suffix(reporting.code())
                .map_or(text.clone(), |number| number.trim_end().to_owned())
        };
        let mut labels = Vec::with_capacity(converted.len() + 1);
        match converted.first() {
            None => labels.push(format!("all {reporting}")),
            Some(first) => labels.push(format!("<{} {reporting}", number(first))),
        }
        for pair in converted.windows(2) {
            if let [low, high] = pair {
                labels.push(format!("{}-{} {reporting}", number(low), number(high)));
            }
        }
        if let Some(last) = converted.last() {
            labels.push(format!(">={} {reporting}", number(last)));
        }
        Ok(FeatureExtractor {
            rates,
            edges: converted.iter().map(|edge| edge.minor()).collect(),
            labels,
        })
    }

    /// The amount-band label of `amount`.
    pub fn amount_band(&self, amount: Money) -> Result<&str, ScoreError> {
        Ok(self.band_label(self.band_index(amount)?))
    }

    /// The position of `amount`'s band among the labels.
    pub(crate) fn band_index(&self, amount: Money) -> Result<usize, ScoreError> {
        let minor = self.rates.convert(amount)?.minor();
        Ok(self.edges.partition_point(|edge| *edge <= minor))
    }

    /// The label of band `index`.
    pub(crate) fn band_label(&self, index: usize) -> &str {
        self.labels.get(index).map_or("", String::as_str)
    }

    /// How many bands there are.
    pub(crate) fn band_count(&self) -> usize {
        self.labels.len()
    }

    /// The (feature, value) pairs of `deal` for training (every stage reached). Missing
    /// attributes give no pair; stages and products are deduplicated.
    pub fn training_features<'a>(
        &'a self,
        deal: &'a Deal,
    ) -> Result<Vec<(Feature, &'a str)>, ScoreError> {
        let mut pairs = Vec::new();
        self.visit(deal, Purpose::Training, |feature, value| {
            pairs.push((feature, value));
        })?;
        Ok(pairs)
    }

    /// Calls `visit` with each (feature, value) pair of `deal`, without allocating: training
    /// and scoring run this for every deal.
    pub(super) fn visit<'a>(
        &'a self,
        deal: &'a Deal,
        purpose: Purpose,
        mut visit: impl FnMut(Feature, &'a str),
    ) -> Result<(), ScoreError> {
        match purpose {
            Purpose::Scoring => {
                if let Some(stage) = deal.stage() {
                    visit(Feature::StageReached, stage.as_str());
                }
            }
            Purpose::Training => {
                for (index, entry) in deal.history.iter().enumerate() {
                    let earlier = deal.history.get(..index).unwrap_or_default();
                    let stage = entry.stage.as_str();
                    if !earlier
                        .iter()
                        .any(|previous| same(previous.stage.as_str(), stage))
                    {
                        visit(Feature::StageReached, entry.stage.as_str());
                    }
                }
            }
        }
        let text = |value: &'a Option<String>| {
            value
                .as_deref()
                .map(str::trim_ascii)
                .filter(|value| !value.is_empty())
        };
        if let Some(source) = text(&deal.source) {
            visit(Feature::Source, source);
        }
        if let Some(industry) = text(&deal.account.industry) {
            visit(Feature::Industry, industry);
        }
        if let Some(size) = deal.account.size {
            visit(Feature::Size, size_value(size));
        }
        if let Some(region) = text(&deal.account.region) {
            visit(Feature::Region, region);
        }
        visit(Feature::AmountBand, self.amount_band(deal.amount)?);
        let product = |line: &'a crate::deal::ProductLine| {
            line.product_id
                .as_ref()
                .map_or(line.product.trim_ascii(), |id| id.as_str())
        };
        for (index, line) in deal.product_lines.values().enumerate() {
            let key = product(line);
            let repeated = deal
                .product_lines
                .values()
                .take(index)
                .any(|earlier| same(product(earlier), key));
            if !key.is_empty() && !repeated {
                visit(Feature::Product, key);
            }
        }
        let yes_no = |flag: bool| if flag { YES } else { NO };
        visit(
            Feature::CompetitorPresent,
            yes_no(!deal.competitors.is_empty()),
        );
        visit(
            Feature::DecisionMakerIdentified,
            yes_no(
                deal.contacts
                    .values()
                    .any(|contact| contact.role == ContactRole::DecisionMaker),
            ),
        );
        Ok(())
    }
}

/// Whether two short strings are equal, comparing lengths first and bytes in an inline loop: a
/// `memcmp` call per comparison showed up as a sixth of a profile of training and scoring.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

/// A borrowed value or id as a hash-map key that compares with [`same`]: training and scoring
/// look a key up for every (feature, value) of every deal, and the standard `str` equality
/// calls `memcmp` for each of them (a tenth of a profile of training and scoring).
#[derive(Clone, Copy, Eq, Debug)]
pub(super) struct ValueKey<'a>(pub(super) &'a str);

impl PartialEq for ValueKey<'_> {
    fn eq(&self, other: &Self) -> bool {
        same(self.0, other.0)
    }
}

/// Hashes the text, as `str` does, so equal keys hash alike.
impl Hash for ValueKey<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

/// Whether a deal's outcome can be learned from: won or lost (stopped deals are on hold, not
/// decided; open ones have no outcome yet).
pub(super) fn outcome(deal: &Deal) -> Option<bool> {
    match deal.status() {
        DealStatus::Won => Some(true),
        DealStatus::Lost => Some(false),
        DealStatus::Open | DealStatus::Stopped => None,
    }
}

/// Reads the first byte of each string of `deal` that training or scoring (`purpose`) hashes
/// (its team, stages, source, industry, region and products). Every string lives in its own
/// heap block, so hashing them one by one waits for one cache miss after another; touching the
/// next deal's in a loop without dependencies lets the processor fetch them while the current
/// deal is counted or scored. Scoring reads only the current stage, so only its string is
/// touched: the other entries would be memory traffic for nothing.
fn touch(deal: &Deal, purpose: Purpose) {
    let stages: &[crate::deal::StageTransition] = match purpose {
        Purpose::Training => &deal.history,
        Purpose::Scoring => deal
            .history
            .last()
            .map(std::slice::from_ref)
            .unwrap_or_default(),
    };
    let strings = stages
        .iter()
        .map(|entry| entry.stage.as_str())
        .chain(deal.team.as_ref().map(|team| team.as_str()))
        .chain(deal.source.as_deref())
        .chain(deal.account.industry.as_deref())
        .chain(deal.account.region.as_deref())
        .chain(
            deal.product_lines
                .values()
                .filter_map(|line| line.product_id.as_ref().map(|id| id.as_str())),
        );
    let mut sum = 0_u8;
    for string in strings {
        sum = sum.wrapping_add(string.as_bytes().first().copied().unwrap_or_default());
    }
    std::hint::black_box(sum);
}

/// Starts fetching what training or scoring `deals[index]` reads, while `deals[index - 1]` is
/// processed: the history of the deal after it (every entry for training, the current one for
/// scoring) and the strings of the deal itself (whose history was fetched one step earlier),
/// so that every cache miss of a step is independent.
pub(super) fn touch_ahead(deals: &[Deal], index: usize, purpose: Purpose) {
    if let Some(later) = deals.get(index + 1) {
        let sum = match purpose {
            Purpose::Training => later
                .history
                .iter()
                .fold(0_i64, |sum, entry| sum.wrapping_add(entry.at.millis())),
            Purpose::Scoring => later.current().map_or(0, |entry| entry.at.millis()),
        };
        std::hint::black_box(sum);
    }
    if let Some(next) = deals.get(index) {
        touch(next, purpose);
    }
}

/// The value of [`Feature::Size`] for `size`.
pub(crate) fn size_value(size: CompanySize) -> &'static str {
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
    use crate::money::Currency;

    fn cny(major: i64) -> Money {
        Money::from_major(major, Currency::CNY).unwrap()
    }

    #[test]
    fn amount_bands_are_labelled_and_half_open() {
        let rates = ExchangeRates::new(Currency::CNY)
            .with_rate(Currency::USD, "7")
            .unwrap();
        let extractor = FeatureExtractor::new(rates, &[cny(100_000), cny(500_000)]).unwrap();
        assert_eq!(
            extractor.amount_band(cny(99_999)).unwrap(),
            "<100000.00 CNY"
        );
        assert_eq!(
            extractor.amount_band(cny(100_000)).unwrap(),
            "100000.00-500000.00 CNY"
        );
        assert_eq!(
            extractor.amount_band(cny(500_000)).unwrap(),
            ">=500000.00 CNY"
        );
        // $20,000 = ¥140,000.
        let usd = Money::from_major(20_000, Currency::USD).unwrap();
        assert_eq!(
            extractor.amount_band(usd).unwrap(),
            "100000.00-500000.00 CNY"
        );
    }

    #[test]
    fn bands_must_increase() {
        let rates = ExchangeRates::new(Currency::CNY);
        assert!(FeatureExtractor::new(rates.clone(), &[cny(5), cny(5)]).is_err());
        let none = FeatureExtractor::new(rates, &[]).unwrap();
        assert_eq!(none.amount_band(cny(1)).unwrap(), "all CNY");
    }
}
