//! RFM for existing customers: recency, frequency and monetary value of their purchases, scored
//! in quintiles and mapped to segments with advice.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::error::ScoreError;
use crate::deal::{Deal, DealStatus};
use crate::exchange::ExchangeRates;
use crate::i18n::LocalizedText;
use crate::id::AccountId;
use crate::money::Money;
use crate::timestamp::Timestamp;

/// One purchase (a won deal or a payment) by an account.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Purchase {
    /// The customer.
    pub account: AccountId,
    /// When.
    pub at: Timestamp,
    /// How much.
    pub amount: Money,
}

/// The purchases behind `deals`: every won deal whose account is in the account list, at the
/// time it was won, for its amount.
pub fn purchases_from_deals(deals: &[Deal]) -> Vec<Purchase> {
    deals
        .iter()
        .filter_map(|deal| {
            let current = deal
                .current()
                .filter(|entry| entry.status == DealStatus::Won)?;
            Some(Purchase {
                account: deal.account.id.clone()?,
                at: current.at,
                amount: deal.amount,
            })
        })
        .collect()
}

/// An RFM segment, from the recency and frequency scores (the common 10-segment grid).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RfmSegment {
    /// R 5, F 4–5: bought recently and often.
    Champions,
    /// R 3–4, F 4–5: buy regularly.
    LoyalCustomers,
    /// R 4–5, F 2–3: recent, with some repeat purchases.
    PotentialLoyalists,
    /// R 5, F 1: first purchase just now.
    NewCustomers,
    /// R 4, F 1: recent single purchase.
    Promising,
    /// R 3, F 3: average on both.
    NeedAttention,
    /// R 3, F 1–2: fading.
    AboutToSleep,
    /// R 1–2, F 3–4: used to buy often, not lately.
    AtRisk,
    /// R 1–2, F 5: the best customers of the past, gone quiet.
    CannotLoseThem,
    /// R 1–2, F 1–2: long gone, rarely bought.
    Hibernating,
}

impl RfmSegment {
    /// The segment of a recency and a frequency score (1–5 each; out-of-range values are
    /// clamped).
    pub fn of(recency: u8, frequency: u8) -> RfmSegment {
        match (recency.clamp(1, 5), frequency.clamp(1, 5)) {
            (1..=2, 1..=2) => RfmSegment::Hibernating,
            (1..=2, 3..=4) => RfmSegment::AtRisk,
            (1..=2, _) => RfmSegment::CannotLoseThem,
            (3, 1..=2) => RfmSegment::AboutToSleep,
            (3, 3) => RfmSegment::NeedAttention,
            (3..=4, 4..=5) => RfmSegment::LoyalCustomers,
            (4, 1) => RfmSegment::Promising,
            (4..=5, 2..=3) => RfmSegment::PotentialLoyalists,
            (5, 1) => RfmSegment::NewCustomers,
            _ => RfmSegment::Champions,
        }
    }

    /// Display name.
    pub fn label(self) -> LocalizedText {
        let (zh_cn, en) = match self {
            RfmSegment::Champions => ("重要价值客户", "Champions"),
            RfmSegment::LoyalCustomers => ("忠诚客户", "Loyal customers"),
            RfmSegment::PotentialLoyalists => ("潜力客户", "Potential loyalists"),
            RfmSegment::NewCustomers => ("新客户", "New customers"),
            RfmSegment::Promising => ("有望发展客户", "Promising"),
            RfmSegment::NeedAttention => ("需要关注客户", "Need attention"),
            RfmSegment::AboutToSleep => ("即将流失客户", "About to sleep"),
            RfmSegment::AtRisk => ("风险客户", "At risk"),
            RfmSegment::CannotLoseThem => ("重要挽留客户", "Cannot lose them"),
            RfmSegment::Hibernating => ("沉睡客户", "Hibernating"),
        };
        LocalizedText::new(zh_cn, en)
    }

    /// What to do with customers of the segment.
    pub fn advice(self) -> LocalizedText {
        let (zh_cn, en) = match self {
            RfmSegment::Champions => (
                "邀请参与新品试用和客户案例，争取转介绍",
                "invite them to early access and case studies; ask for referrals",
            ),
            RfmSegment::LoyalCustomers => (
                "推荐升级和增购，安排定期业务回顾",
                "offer upgrades and add-ons; hold regular business reviews",
            ),
            RfmSegment::PotentialLoyalists => (
                "提供成功实施支持，推荐相关产品",
                "support a successful rollout and suggest related products",
            ),
            RfmSegment::NewCustomers => (
                "做好上线培训和首次回访",
                "onboard them well and schedule a first check-in",
            ),
            RfmSegment::Promising => (
                "跟进使用情况，挖掘第二次合作机会",
                "check on adoption and look for a second project",
            ),
            RfmSegment::NeedAttention => (
                "安排拜访了解需求变化，提供限时方案",
                "visit to learn how their needs changed; make a timely offer",
            ),
            RfmSegment::AboutToSleep => (
                "主动联系，分享同行业成功案例重新激活",
                "reach out with a reference case from their industry to re-engage",
            ),
            RfmSegment::AtRisk => (
                "由客户经理和管理层共同回访，了解流失原因",
                "have the account manager and a manager call to learn why they stopped",
            ),
            RfmSegment::CannotLoseThem => (
                "高层拜访，制定专属挽留方案",
                "arrange an executive visit with a tailored win-back plan",
            ),
            RfmSegment::Hibernating => (
                "纳入低成本培育，等待新的需求信号",
                "keep them in low-cost nurturing until a new need shows",
            ),
        };
        LocalizedText::new(zh_cn, en)
    }
}

/// One customer's RFM figures and scores.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct RfmScore {
    /// The customer.
    pub account: AccountId,
    /// The latest purchase.
    pub last_purchase: Timestamp,
    /// Whole days from the latest purchase to `now` (0 for purchases dated after `now`).
    pub recency_days: i64,
    /// Number of purchases.
    pub frequency: u32,
    /// Total of the purchases in the reporting currency.
    pub monetary: Money,
    /// Recency score 1–5 (5: most recent).
    pub recency_score: u8,
    /// Frequency score 1–5 (5: most purchases).
    pub frequency_score: u8,
    /// Monetary score 1–5 (5: highest total).
    pub monetary_score: u8,
    /// The segment, from the recency and frequency scores.
    pub segment: RfmSegment,
}

impl RfmScore {
    /// The three scores as a code, e.g. `"R5F4M3"`.
    pub fn code(&self) -> String {
        format!(
            "R{}F{}M{}",
            self.recency_score, self.frequency_score, self.monetary_score
        )
    }
}

/// Scores every account that has purchases, as of `now`, sorted by account.
///
/// Scores are quintiles of the customers' rank: a customer's score is
/// `1 + ⌊5 × (customers strictly worse) / customers⌋`, so equal values get equal scores and
/// the scores are relative to this set of customers.
pub fn rfm(
    purchases: &[Purchase],
    now: Timestamp,
    rates: &ExchangeRates,
) -> Result<Vec<RfmScore>, ScoreError> {
    let mut accounts: BTreeMap<&AccountId, (Timestamp, u32, Money)> = BTreeMap::new();
    for purchase in purchases {
        let amount = rates.convert(purchase.amount)?;
        match accounts.get_mut(&purchase.account) {
            Some((last, count, total)) => {
                *last = (*last).max(purchase.at);
                *count = count.saturating_add(1);
                *total = total.checked_add(amount)?;
            }
            None => {
                accounts.insert(&purchase.account, (purchase.at, 1, amount));
            }
        }
    }
    let recency_days: Vec<i64> = accounts
        .values()
        .map(|(last, _, _)| now.days_since(*last).max(0))
        .collect();
    // Fewer days is better, so recency ranks on the negated value.
    let recency_scores = quintiles(&recency_days.iter().map(|days| -days).collect::<Vec<_>>());
    let frequency_scores = quintiles(
        &accounts
            .values()
            .map(|(_, count, _)| i64::from(*count))
            .collect::<Vec<_>>(),
    );
    let monetary_scores = quintiles(
        &accounts
            .values()
            .map(|(_, _, total)| total.minor())
            .collect::<Vec<_>>(),
    );
    Ok(accounts
        .into_iter()
        .zip(recency_days)
        .zip(
            recency_scores
                .into_iter()
                .zip(frequency_scores)
                .zip(monetary_scores),
        )
        .map(
            |(((account, (last, count, total)), days), ((recency, frequency), monetary))| {
                RfmScore {
                    account: account.clone(),
                    last_purchase: last,
                    recency_days: days,
                    frequency: count,
                    monetary: total,
                    recency_score: recency,
                    frequency_score: frequency,
                    monetary_score: monetary,
                    segment: RfmSegment::of(recency, frequency),
                }
            },
        )
        .collect())
}

/// `1 + ⌊5 × (values strictly below) / n⌋` for each value (higher is better).
fn quintiles(values: &[i64]) -> Vec<u8> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let n = sorted.len().max(1);
    values
        .iter()
        .map(|value| {
            let below = sorted.partition_point(|other| other < value);
            u8::try_from(1 + 5 * below / n).unwrap_or(5)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    #[test]
    fn quintiles_by_rank_with_ties() {
        // Ten distinct values: two per quintile.
        let values: Vec<i64> = (1..=10).collect();
        assert_eq!(quintiles(&values), vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        // Ties share the lower score: 3 of 5 below the two 9s → 1 + 15/5 = 4.
        assert_eq!(quintiles(&[1, 5, 9, 9, 2]), vec![1, 3, 4, 4, 2]);
        assert_eq!(quintiles(&[7]), vec![1]);
        assert!(quintiles(&[]).is_empty());
    }

    #[test]
    fn segment_grid_covers_every_cell() {
        assert_eq!(RfmSegment::of(5, 5), RfmSegment::Champions);
        assert_eq!(RfmSegment::of(5, 1), RfmSegment::NewCustomers);
        assert_eq!(RfmSegment::of(4, 1), RfmSegment::Promising);
        assert_eq!(RfmSegment::of(4, 4), RfmSegment::LoyalCustomers);
        assert_eq!(RfmSegment::of(3, 3), RfmSegment::NeedAttention);
        assert_eq!(RfmSegment::of(3, 2), RfmSegment::AboutToSleep);
        assert_eq!(RfmSegment::of(2, 4), RfmSegment::AtRisk);
        assert_eq!(RfmSegment::of(1, 5), RfmSegment::CannotLoseThem);
        assert_eq!(RfmSegment::of(1, 1), RfmSegment::Hibernating);
        assert_eq!(RfmSegment::of(5, 3), RfmSegment::PotentialLoyalists);
        for recency in 0..=6 {
            for frequency in 0..=6 {
                let segment = RfmSegment::of(recency, frequency);
                assert!(!segment.label().is_incomplete());
                assert!(!segment.advice().is_incomplete());
            }
        }
    }

    #[test]
    fn scores_accounts() {
        let day = |days: i64| Timestamp::from_millis(0).plus_days(days);
        let cny = |major| Money::from_major(major, Currency::CNY).unwrap();
        let account = |id: &str| AccountId::new(id).unwrap();
        let purchase = |id: &str, at: i64, major: i64| Purchase {
            account: account(id),
            at: day(at),
            amount: cny(major),
        };
        let purchases = [
            purchase("a", 90, 100),
            purchase("a", 95, 50),
            purchase("b", 10, 500),
            purchase("c", 99, 20),
        ];
        let scores = rfm(&purchases, day(100), &ExchangeRates::new(Currency::CNY)).unwrap();
        let a = &scores[0];
        assert_eq!((a.recency_days, a.frequency, a.monetary), (5, 2, cny(150)));
        // Recency: c (1 day) best, a (5) middle, b (90) worst → c 1+5·2/3=4, a 1+5/3=2, b 1.
        assert_eq!(
            scores.iter().map(|s| s.recency_score).collect::<Vec<_>>(),
            vec![2, 1, 4]
        );
        // Frequency: a 2 purchases → 1 + 5·2/3 = 4; b and c 1 → 1.
        assert_eq!(
            scores.iter().map(|s| s.frequency_score).collect::<Vec<_>>(),
            vec![4, 1, 1]
        );
        // Monetary: c ¥20 < a ¥150 < b ¥500 → 1, 2, 4.
        assert_eq!(
            scores.iter().map(|s| s.monetary_score).collect::<Vec<_>>(),
            vec![2, 4, 1]
        );
        assert_eq!(a.code(), "R2F4M2");
        assert_eq!(a.segment, RfmSegment::AtRisk);
        assert_eq!(scores[2].segment, RfmSegment::Promising);
    }
}
