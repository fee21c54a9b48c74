//! Marketing attribution: how much won revenue each channel or campaign earned, under five
//! models side by side.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::deal_set::DealSet;
use super::error::AnalyticsError;
use super::filter::{Filter, ReportContext, Selection};
use super::label;
use super::lead_conversion::LeadFact;
use super::period::DateRange;
use super::table::{ChartKind, Column, ColumnKind};
use super::tally::{Tally, add_to};
use super::timeline::won_at;
use crate::deal::Touchpoint;
use crate::i18n::LocalizedText;
use crate::id::LeadId;
use crate::money::{Currency, Money};
use crate::timestamp::Timestamp;

/// How credit for a won deal is shared among its touchpoints.
///
/// Touchpoints are the deal's [`Touchpoint`](crate::Touchpoint)s up to the moment it was won, in
/// time order (ties by id). With a single touch every model gives it everything.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttributionModel {
    /// All credit to the first touch.
    FirstTouch,
    /// All credit to the last touch before the win.
    LastTouch,
    /// Equal credit to every touch.
    Linear,
    /// Position-based, 40/20/40: 40 % to the first touch, 40 % to the last, 20 % shared by the
    /// touches between (two touches: 50/50).
    UShaped,
    /// 30/30/30 + 10: 30 % to each of three anchors — the **first touch**, the **lead-creation
    /// touch** (the last touch at or before the lead was created; the deal's creation when the
    /// deal has no known lead) and the **opportunity-creation touch** (the last touch at or
    /// before the deal was created) — and 10 % shared by the other touches. An anchor with no
    /// touch before its moment falls back to the first touch. Anchors on the same touch add up
    /// (e.g. 60 % when lead and deal were created from the same touch); when every touch is an
    /// anchor, the 10 % is shared by the anchor touches.
    WShaped,
}

impl AttributionModel {
    /// Every model, in report order.
    pub const ALL: [AttributionModel; 5] = [
        AttributionModel::FirstTouch,
        AttributionModel::LastTouch,
        AttributionModel::Linear,
        AttributionModel::UShaped,
        AttributionModel::WShaped,
    ];

    /// The model's name.
    pub fn label(self) -> LocalizedText {
        let (zh_cn, en) = match self {
            AttributionModel::FirstTouch => ("首次触点", "First touch"),
            AttributionModel::LastTouch => ("末次触点", "Last touch"),
            AttributionModel::Linear => ("线性", "Linear"),
            AttributionModel::UShaped => ("U 型 (40/20/40)", "U-shaped (40/20/40)"),
            AttributionModel::WShaped => ("W 型 (30/30/30/10)", "W-shaped (30/30/30/10)"),
        };
        LocalizedText::new(zh_cn, en)
    }

    /// Integer weights of `touches` touches in time order; `lead_anchor` and `deal_anchor` are
    /// the positions of the W-shaped model's lead- and opportunity-creation touches.
    fn weights(self, touches: usize, lead_anchor: usize, deal_anchor: usize) -> Vec<u64> {
        let mut weights = vec![0_u64; touches];
        let last = touches.saturating_sub(1);
        match self {
            AttributionModel::FirstTouch => set(&mut weights, 0, 1),
            AttributionModel::LastTouch => set(&mut weights, last, 1),
            AttributionModel::Linear => weights.fill(1),
            AttributionModel::UShaped if touches <= 2 => weights.fill(1),
            AttributionModel::UShaped => {
                // 40 % each end and 20 % over n − 2 middle touches, over a common denominator.
                let middle = (touches - 2) as u64;
                weights.fill(20);
                set(&mut weights, 0, 40 * middle);
                set(&mut weights, last, 40 * middle);
            }
            AttributionModel::WShaped => {
                let mut roles = vec![0_u64; touches];
                for anchor in [0, lead_anchor, deal_anchor] {
                    if let Some(role) = roles.get_mut(anchor) {
                        *role += 1;
                    }
                }
                let anchors = roles.iter().filter(|roles| **roles > 0).count() as u64;
                let others = touches as u64 - anchors;
                for (weight, roles) in weights.iter_mut().zip(&roles) {
                    *weight = match (*roles, others) {
                        (0, _) => 10,
                        (roles, 0) => 30 * roles * anchors + 10,
                        (roles, others) => 30 * roles * others,
                    };
                }
            }
        }
        weights
    }
}

fn set(weights: &mut [u64], index: usize, value: u64) {
    if let Some(weight) = weights.get_mut(index) {
        *weight = value;
    }
}

/// Splits `amount` in proportion to `weights` so that the parts add up to `amount` exactly.
///
/// Each part is first rounded down (towards zero); the minor units left over go one each to the
/// parts with the largest remainders, the earlier part first on ties (largest-remainder
/// method). Returns `None` when the weights add up to zero.
///
/// ```
/// use dealflow_core::analytics::allocate;
/// use dealflow_core::{Currency, Money};
/// let parts = allocate(Money::new(100, Currency::CNY), &[1, 1, 1]).unwrap();
/// let minor: Vec<i64> = parts.iter().map(|part| part.minor()).collect();
/// assert_eq!(minor, [34, 33, 33]); // no fen lost
/// ```
pub fn allocate(amount: Money, weights: &[u64]) -> Option<Vec<Money>> {
    let total: u128 = weights.iter().map(|weight| u128::from(*weight)).sum();
    if total == 0 {
        return None;
    }
    let magnitude = u128::from(amount.minor().unsigned_abs());
    let mut parts: Vec<u128> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    for (index, weight) in weights.iter().enumerate() {
        let share = magnitude * u128::from(*weight);
        parts.push(share / total);
        remainders.push((share % total, index));
    }
    let handed_out: u128 = parts.iter().sum();
    let leftover = usize::try_from(magnitude - handed_out).unwrap_or(usize::MAX);
    remainders.sort_by(|left, right| right.0.cmp(&left.0).then(left.1.cmp(&right.1)));
    for (_, index) in remainders.into_iter().take(leftover) {
        if let Some(part) = parts.get_mut(index) {
            *part += 1;
        }
    }
    let sign: i128 = if amount.is_negative() { -1 } else { 1 };
    parts
        .into_iter()
        .map(|part| {
            let signed = i128::try_from(part).ok()? * sign;
            Some(Money::new(i64::try_from(signed).ok()?, amount.currency()))
        })
        .collect()
}

/// What the attribution rows are keyed by.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TouchDimension {
    /// The touchpoint's channel.
    Channel,
    /// The touchpoint's campaign.
    Campaign,
}

/// Won revenue credited to channels or campaigns under every [`AttributionModel`].
///
/// Every model column adds up to `won.amount` exactly.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AttributionReport {
    /// "营销归因" / "Marketing attribution".
    pub title: LocalizedText,
    /// Columns of each [`AttributionRow`].
    pub columns: Vec<Column>,
    /// Suggested chart.
    pub chart: ChartKind,
    /// Deals won in this period count (all without one).
    pub period: Option<DateRange>,
    /// Rows are channels or campaigns.
    pub dimension: TouchDimension,
    /// Currency of the amounts.
    pub currency: Currency,
    /// The won deals and their amount: the total every model distributes.
    pub won: Tally,
    /// One row per channel or campaign, most linear credit first.
    pub rows: Vec<AttributionRow>,
}

/// The credit of one channel or campaign.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AttributionRow {
    /// The channel or campaign; `None` for won revenue with no touchpoint and no source
    /// ("unattributed"), and in the campaign view also for touches without a campaign.
    pub key: Option<String>,
    /// Display label.
    pub label: LocalizedText,
    /// Touches counted (up to each deal's win).
    pub touches: u64,
    /// Won deals with at least one such touch.
    pub deals: u64,
    /// Credit under [`AttributionModel::FirstTouch`].
    pub first_touch: Money,
    /// Credit under [`AttributionModel::LastTouch`].
    pub last_touch: Money,
    /// Credit under [`AttributionModel::Linear`].
    pub linear: Money,
    /// Credit under [`AttributionModel::UShaped`].
    pub u_shaped: Money,
    /// Credit under [`AttributionModel::WShaped`].
    pub w_shaped: Money,
}

impl AttributionRow {
    /// The credit under one model.
    pub fn credit(&self, model: AttributionModel) -> Money {
        match model {
            AttributionModel::FirstTouch => self.first_touch,
            AttributionModel::LastTouch => self.last_touch,
            AttributionModel::Linear => self.linear,
            AttributionModel::UShaped => self.u_shaped,
            AttributionModel::WShaped => self.w_shaped,
        }
    }

    fn credit_mut(&mut self, model: AttributionModel) -> &mut Money {
        match model {
            AttributionModel::FirstTouch => &mut self.first_touch,
            AttributionModel::LastTouch => &mut self.last_touch,
            AttributionModel::Linear => &mut self.linear,
            AttributionModel::UShaped => &mut self.u_shaped,
            AttributionModel::WShaped => &mut self.w_shaped,
        }
    }
}

/// Attribution of the revenue of deals won in the filter's period, by channel or campaign.
///
/// `leads` supply the lead-creation moment of the W-shaped model (matched through
/// [`Deal::lead`](crate::Deal::lead)); pass an empty slice when there are none. A won deal without touchpoints is
/// credited to its source channel and campaign as a single touch, or left unattributed when it
/// has no source.
///
/// ```
/// use std::collections::BTreeMap;
/// use dealflow_core::analytics::{attribution, DealSet, Filter, ReportContext, TouchDimension};
/// use dealflow_core::DealStatus::Won;
#[doc = include_str!("doc_example.txt")]
/// let mut won = deal("won", 1_000, &[(30, "qualify", Won, "")]);
/// for (id, day, channel) in [("t1", -10, "ad"), ("t2", -5, "webinar"), ("t3", 10, "email")] {
///     let at = Timestamp::from_millis(1_767_196_800_000 + day * 86_400_000);
///     won.touchpoints.insert(RecordId::new(id)?, Touchpoint { id: RecordId::new(id)?, at, channel: channel.into(), campaign: None });
/// }
/// let set = DealSet::new(vec![won], ExchangeRates::new(Currency::CNY))?;
/// let teams = BTreeMap::<TeamId, TeamId>::new();
/// let ctx = ReportContext::new(&teams, time::macros::offset!(+8), Timestamp::from_millis(1_770_000_000_000));
/// let report = attribution(&set, &[], &Filter::all(), &ctx, TouchDimension::Channel)?;
/// let yuan = |channel: &str| {
///     let row = report.rows.iter().find(|row| row.key.as_deref() == Some(channel)).unwrap();
///     [row.first_touch, row.last_touch, row.linear, row.u_shaped, row.w_shaped].map(|m| m.minor() / 100)
/// };
/// assert_eq!(yuan("ad"), [1_000, 0, 333, 400, 300]);       // first touch
/// assert_eq!(yuan("webinar"), [0, 0, 333, 200, 600]);      // lead and deal created from it
/// assert_eq!(yuan("email"), [0, 1_000, 333, 400, 100]);
/// # Ok::<(), dealflow_core::Error>(())
/// ```
pub fn attribution(
    set: &DealSet,
    leads: &[LeadFact],
    filter: &Filter,
    ctx: &ReportContext<'_>,
    dimension: TouchDimension,
) -> Result<AttributionReport, AnalyticsError> {
    let currency = set.currency();
    let selection = Selection::new(filter, set, ctx);
    let lead_created: HashMap<&LeadId, Timestamp> = leads
        .iter()
        .map(|lead| (&lead.lead, lead.created_at))
        .collect();
    let mut won = Tally::zero(currency);
    let mut rows: Vec<AttributionRow> = Vec::new();
    let mut row_of: HashMap<Option<&str>, usize> = HashMap::new();
    let mut touches: Vec<&Touchpoint> = Vec::new();
    let mut touched_rows: Vec<usize> = Vec::new();
    for (deal, facts) in set.rows() {
        let Some(won_at) = won_at(set, facts) else {
            continue;
        };
        if !selection.in_period(won_at) || !selection.deal(set, facts) {
            continue;
        }
        let won_at = Timestamp::from_millis(won_at);
        let amount = set.amount(facts);
        won.add(amount)?;
        touches.clear();
        touches.extend(deal.touchpoints.values().filter(|touch| touch.at <= won_at));
        touches.sort_unstable_by(|left, right| (left.at, &left.id).cmp(&(right.at, &right.id)));
        let keys: Vec<Option<&str>> = if touches.is_empty() {
            // No touchpoint: the deal's own source stands in as its only touch.
            vec![match dimension {
                TouchDimension::Channel => deal.source.as_deref(),
                TouchDimension::Campaign => deal.source.as_ref().and(deal.campaign.as_deref()),
            }]
        } else {
            touches
                .iter()
                .map(|touch| match dimension {
                    TouchDimension::Channel => Some(touch.channel.as_str()),
                    TouchDimension::Campaign => touch.campaign.as_deref(),
                })
                .collect()
        };
        let lead_moment = deal
            .lead
            .as_ref()
            .and_then(|lead| lead_created.get(lead).copied())
            .unwrap_or(deal.created_at);
        let anchor = |moment: Timestamp| {
            touches
                .iter()
                .rposition(|touch| touch.at <= moment)
                .unwrap_or(0)
        };
        let (lead_anchor, deal_anchor) = (anchor(lead_moment), anchor(deal.created_at));
        touched_rows.clear();
        let row_indexes: Vec<usize> = keys
            .iter()
            .map(|key| {
                let next = rows.len();
                let index = *row_of.entry(*key).or_insert(next);
                if index == next {
                    rows.push(empty_row(*key, dimension, currency));
                }
                index
            })
            .collect();
        for &index in &row_indexes {
            if let Some(row) = rows.get_mut(index) {
                row.touches += u64::from(!touches.is_empty());
                if !touched_rows.contains(&index) {
                    touched_rows.push(index);
                    row.deals += 1;
                }
            }
        }
        for model in AttributionModel::ALL {
            let weights = model.weights(keys.len(), lead_anchor, deal_anchor);
            let Some(parts) = allocate(amount, &weights) else {
                continue;
            };
            for (index, part) in row_indexes.iter().zip(parts) {
                if let Some(row) = rows.get_mut(*index) {
                    add_to(row.credit_mut(model), part)?;
                }
            }
        }
    }
    rows.sort_by(|left, right| {
        right
            .linear
            .minor()
            .cmp(&left.linear.minor())
            .then_with(|| (left.key.is_none(), &left.key).cmp(&(right.key.is_none(), &right.key)))
    });
    Ok(AttributionReport {
        title: LocalizedText::new("营销归因", "Marketing attribution"),
        columns: columns(),
        chart: ChartKind::StackedBar,
        period: filter.period,
        dimension,
        currency,
        won,
        rows,
    })
}

fn empty_row(key: Option<&str>, dimension: TouchDimension, currency: Currency) -> AttributionRow {
    let label = match (key, dimension) {
        (Some(key), _) => label::verbatim(key),
        (None, TouchDimension::Channel) => LocalizedText::new("未归因", "Unattributed"),
        (None, TouchDimension::Campaign) => LocalizedText::new("无营销活动", "No campaign"),
    };
    let zero = Money::zero(currency);
    AttributionRow {
        key: key.map(str::to_owned),
        label,
        touches: 0,
        deals: 0,
        first_touch: zero,
        last_touch: zero,
        linear: zero,
        u_shaped: zero,
        w_shaped: zero,
    }
}

fn columns() -> Vec<Column> {
    let mut columns = vec![
        Column::new("label", "渠道/活动", "Channel / campaign", ColumnKind::Text),
        Column::new("touches", "触点数", "Touches", ColumnKind::Count),
        Column::new("deals", "赢单数", "Won deals", ColumnKind::Count),
    ];
    for (key, model) in [
        ("first_touch", AttributionModel::FirstTouch),
        ("last_touch", AttributionModel::LastTouch),
        ("linear", AttributionModel::Linear),
        ("u_shaped", AttributionModel::UShaped),
        ("w_shaped", AttributionModel::WShaped),
    ] {
        let label = model.label();
        columns.push(Column::new(key, &label.zh_cn, &label.en, ColumnKind::Money));
    }
    columns
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::analytics::fixture::{self, DealBuilder, cny, day};
    use crate::analytics::lead_conversion::LeadStatus;

    #[test]
    fn weights_of_each_model() {
        use AttributionModel::*;
        assert_eq!(FirstTouch.weights(3, 0, 0), [1, 0, 0]);
        assert_eq!(LastTouch.weights(3, 0, 0), [0, 0, 1]);
        assert_eq!(UShaped.weights(2, 0, 0), [1, 1]);
        assert_eq!(UShaped.weights(4, 0, 0), [80, 20, 20, 80]); // 40/10/10/40
        // Three distinct anchors and two others: 30/30/30 and 5/5.
        assert_eq!(WShaped.weights(5, 1, 3), [60, 60, 10, 60, 10]);
        // Every touch an anchor: the 10 % is shared by them.
        assert_eq!(WShaped.weights(3, 1, 2), [100, 100, 100]);
        // Lead and deal from the same touch: 30 + 60, 10 spread over the one other touch.
        assert_eq!(WShaped.weights(3, 1, 1), [30, 60, 10]);
        assert_eq!(WShaped.weights(1, 0, 0), [100]);
    }

    #[test]
    fn allocation_never_loses_a_fen() {
        let parts = |minor: i64, weights: &[u64]| -> Vec<i64> {
            allocate(cny(minor), weights)
                .unwrap()
                .iter()
                .map(|part| part.minor())
                .collect()
        };
        assert_eq!(parts(100, &[1, 1, 1]), [34, 33, 33]);
        assert_eq!(parts(-100, &[1, 1, 1]), [-34, -33, -33]);
        assert_eq!(parts(1, &[1, 1]), [1, 0]);
        assert_eq!(parts(10, &[60, 60, 10, 60, 10]), [3, 3, 1, 3, 0]);
        assert_eq!(parts(i64::MAX, &[1, 1]), [i64::MAX / 2 + 1, i64::MAX / 2]);
        assert_eq!(
            parts(i64::MIN, &[1, 3])
                .iter()
                .map(|part| i128::from(*part))
                .sum::<i128>(),
            i128::from(i64::MIN)
        );
        assert_eq!(allocate(cny(5), &[0, 0]), None);
        assert_eq!(allocate(cny(5), &[]), None);
    }

    #[test]
    fn channels_side_by_side() {
        let teams = BTreeMap::new();
        let ctx = fixture::context(&teams);
        let leads = [LeadFact {
            lead: LeadId::new("lead-1").unwrap(),
            created_at: day(-20),
            source: None,
            campaign: None,
            product: None,
            owner: None,
            team: None,
            status: LeadStatus::Converted,
            converted_deal: None,
        }];
        let deals = fixture::set(vec![
            // ad (−30) → expo (−20, created the lead) → webinar (−5) → [deal day 0] → email (10)
            // → won day 20 → call (25, after the win, ignored). ¥1,000.01.
            DealBuilder::new("a")
                .lead("lead-1")
                .amount_fen(100_001)
                .touch(day(-30), "ad", Some("spring"))
                .touch(day(-20), "expo", None)
                .touch(day(-5), "webinar", Some("spring"))
                .touch(day(10), "email", None)
                .touch(day(25), "call", None)
                .won(20)
                .build(),
            // No touchpoints: credited to its source.
            DealBuilder::new("b")
                .source("referral")
                .amount(500)
                .won(21)
                .build(),
            // No touchpoints and no source: unattributed.
            DealBuilder::new("c").amount(300).won(22).build(),
            DealBuilder::new("open").touch(day(1), "ad", None).build(),
        ]);
        let report = attribution(
            &deals,
            &leads,
            &Filter::all(),
            &ctx,
            TouchDimension::Channel,
        )
        .unwrap();
        assert_eq!((report.won.count, report.won.amount), (3, cny(180_001)));
        let row = |key: Option<&str>| -> [i64; 5] {
            let row = report
                .rows
                .iter()
                .find(|row| row.key.as_deref() == key)
                .unwrap();
            AttributionModel::ALL.map(|model| row.credit(model).minor())
        };
        // Deal a, 100001 fen over 4 touches (ad, expo, webinar, email):
        // linear 25000.25 each → 25001, 25000, 25000, 25000 (the first gets the leftover fen);
        // U 40/10/10/40 → 40000.4, 10000.1, 10000.1, 40000.4 → 40001, 10000, 10000, 40000;
        // W anchors: ad (first), expo (lead), webinar (deal) 30 % each, email 10 %.
        assert_eq!(row(Some("ad")), [100_001, 0, 25_001, 40_001, 30_001]);
        assert_eq!(row(Some("expo")), [0, 0, 25_000, 10_000, 30_000]);
        assert_eq!(row(Some("webinar")), [0, 0, 25_000, 10_000, 30_000]);
        assert_eq!(row(Some("email")), [0, 100_001, 25_000, 40_000, 10_000]);
        assert_eq!(row(Some("referral")), [50_000; 5]);
        assert_eq!(row(None), [30_000; 5]);
        assert!(
            report
                .rows
                .iter()
                .all(|row| row.key.as_deref() != Some("call"))
        );
        for model in AttributionModel::ALL {
            let total: i64 = report
                .rows
                .iter()
                .map(|row| row.credit(model).minor())
                .sum();
            assert_eq!(total, report.won.amount.minor(), "{model:?}");
        }
        let campaigns = attribution(
            &deals,
            &leads,
            &Filter::all(),
            &ctx,
            TouchDimension::Campaign,
        )
        .unwrap();
        let spring = campaigns
            .rows
            .iter()
            .find(|row| row.key.as_deref() == Some("spring"))
            .unwrap();
        assert_eq!((spring.touches, spring.deals), (2, 1));
        assert_eq!(spring.linear, cny(50_001));
    }
}
