//! Monte Carlo range of a period's revenue: each open deal is won with its probability, and the
//! spread of the simulated totals gives P10 / P50 / P90.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use super::error::ForecastError;
use super::model::{Forecast, ForecastModel};
use super::period::Period;
use super::rollup::ForecastGroup;
use crate::deal::DealStatus;
use crate::money::{Currency, Money, MoneyError};
use crate::probability::Probability;

/// The largest number of trials a simulation accepts (enough for a stable P10 to a tenth of a
/// percent; more would only keep a browser busy).
pub const MAX_TRIALS: u32 = 1_000_000;

/// Deals per block when looking for ties: a block is rescanned only when one of its
/// comparisons ties.
const TIE_BLOCK: usize = 32;

/// Bytes summed in 16-bit lanes before widening: 255 × 256 still fits in a `u16`.
const SUM_RUN: usize = 256;

/// How to run a simulation.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SimulationSettings {
    /// Number of trials (1..=[`MAX_TRIALS`]).
    pub trials: u32,
    /// The seed; the same seed and inputs give the same result on every platform.
    pub seed: u64,
}

/// An open deal in a simulation: won with `probability`, worth `amount` when won.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SimulatedDeal {
    /// The amount, all in one currency.
    pub amount: Money,
    /// The win probability.
    pub probability: Probability,
}

/// The distribution of simulated revenue.
///
/// Percentiles use the nearest-rank method on the sorted trial totals: Pk is the total at rank
/// ⌈k·trials/100⌉. All figures are integer minor units; the mean is rounded half away from zero.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
pub struct RevenueRange {
    /// Revenue that is certain: won deals and open deals at 100 %.
    pub certain: Money,
    /// The certain revenue given plus Σ amount × probability over the deals (each weight rounded
    /// half away from zero): what the mean converges to.
    pub expected: Money,
    /// The mean of the trial totals.
    pub mean: Money,
    /// 10th percentile: 90 % of trials reached at least this.
    pub p10: Money,
    /// Median.
    pub p50: Money,
    /// 90th percentile.
    pub p90: Money,
    /// Lowest trial total.
    pub min: Money,
    /// Highest trial total.
    pub max: Money,
    /// Deals simulated (those with a probability strictly between 0 and 100 %).
    pub simulated_deals: u32,
    /// Trials run.
    pub trials: u32,
    /// The seed used.
    pub seed: u64,
}

/// Simulates `deals` (all in the currency of `certain`) `settings.trials` times on top of the
/// `certain` revenue.
///
/// Deals at 0 % never win and deals at 100 % always do, so they are folded in without drawing.
/// Each trial draws one random byte per remaining deal from a xoshiro256++ generator seeded with
/// `seed` (through SplitMix64, as [`SeedableRng::seed_from_u64`] does) and compares it with the
/// top byte of the deal's probability as a 32-bit fraction `round(p × 2³²)`; only on a tie
/// (1 in 256) does it draw 24 more bits to finish the comparison. xoshiro256++ is a statistical
/// generator, not a cryptographic one, which is all a simulation needs: it gives eight bytes per
/// step in plain 64-bit arithmetic, which wasm runs as fast as native code, whereas ChaCha8 loses
/// its SIMD in wasm.
/// So each deal is won with probability exactly `round(p × 2³²) / 2³²` (within 2⁻³³ of `p`) at
/// a cost of about one byte of randomness instead of four.
///
/// ```
/// use dealflow_core::*;
/// let deals = [
///     SimulatedDeal { amount: Money::from_major(100_000, Currency::CNY)?, probability: Probability::from_percent(50)? },
///     SimulatedDeal { amount: Money::from_major(50_000, Currency::CNY)?, probability: Probability::from_percent(20)? },
/// ];
/// let certain = Money::zero(Currency::CNY);
/// let range = simulate_revenue(&deals, certain, SimulationSettings { trials: 10_000, seed: 7 })?;
/// assert_eq!(range.expected, Money::from_major(60_000, Currency::CNY)?);
/// assert!(range.p10.minor() <= range.p50.minor() && range.p50.minor() <= range.p90.minor());
/// assert_eq!(range, simulate_revenue(&deals, certain, SimulationSettings { trials: 10_000, seed: 7 })?);
/// # Ok::<(), dealflow_core::Error>(())
/// ```
pub fn simulate_revenue(
    deals: &[SimulatedDeal],
    certain: Money,
    settings: SimulationSettings,
) -> Result<RevenueRange, ForecastError> {
    if settings.trials == 0 || settings.trials > MAX_TRIALS {
        return Err(ForecastError::InvalidTrials {
            trials: settings.trials,
            max: MAX_TRIALS,
        });
    }
    let currency = certain.currency();
    let mut base = certain.minor();
    let mut expected = i128::from(certain.minor());
    // Bound every partial sum up front so trial totals cannot overflow.
    let mut bound = i128::from(certain.minor()).abs();
    let mut amounts: Vec<i64> = Vec::with_capacity(deals.len());
    let mut thresholds: Vec<u32> = Vec::with_capacity(deals.len());
    for deal in deals {
        if deal.amount.currency() != currency {
            return Err(MoneyError::CurrencyMismatch {
                expected: currency,
                found: deal.amount.currency(),
            }
            .into());
        }
        let amount = deal.amount.minor();
        bound += i128::from(amount).abs();
        expected += i128::from(deal.probability.weight(deal.amount)?.minor());
        match deal.probability.basis_points() {
            0 => {}
            Probability::SCALE => base = base.checked_add(amount).ok_or(MoneyError::Overflow)?,
            basis_points => {
                amounts.push(amount);
                thresholds.push(threshold(basis_points));
            }
        }
    }
    if bound > i128::from(i64::MAX) {
        return Err(MoneyError::Overflow.into());
    }
    let expected = i64::try_from(expected).map_err(|_| MoneyError::Overflow)?;
    let portfolio = Portfolio::new(&amounts, &thresholds);

    let mut rng = Xoshiro256PlusPlus::seed_from_u64(settings.seed);
    let mut bytes = vec![0_u8; amounts.len()];
    let mut masks = vec![0_u8; amounts.len()];
    let mut totals: Vec<i64> = Vec::with_capacity(settings.trials as usize);
    for _ in 0..settings.trials {
        fill_bytes(&mut rng, &mut bytes);
        let won = portfolio.trial(&mut rng, &bytes, &mut masks);
        // |won| is at most the bound checked above, so this stays within i64.
        let total = i128::from(base) + won;
        totals.push(i64::try_from(total).map_err(|_| MoneyError::Overflow)?);
    }
    totals.sort_unstable();
    let sum: i128 = totals.iter().map(|total| i128::from(*total)).sum();
    let mean = crate::money::round_half_away_from_zero(sum, i128::from(settings.trials))?;
    let money = |minor| Money::new(minor, currency);
    let percentile = |k: u64| money(nearest_rank(&totals, k));
    Ok(RevenueRange {
        certain: money(base),
        expected: money(expected),
        mean: money(mean),
        p10: percentile(10),
        p50: percentile(50),
        p90: percentile(90),
        min: money(totals.first().copied().unwrap_or(base)),
        max: money(totals.last().copied().unwrap_or(base)),
        simulated_deals: u32::try_from(amounts.len()).unwrap_or(u32::MAX),
        trials: settings.trials,
        seed: settings.seed,
    })
}

/// Fills `bytes` with the little-endian bytes of successive 64-bit outputs (the last one cut
/// short), the same on every platform.
fn fill_bytes(rng: &mut Xoshiro256PlusPlus, bytes: &mut [u8]) {
    let mut chunks = bytes.chunks_exact_mut(8);
    for chunk in &mut chunks {
        chunk.copy_from_slice(&rng.next_u64().to_le_bytes());
    }
    let rest = chunks.into_remainder();
    if !rest.is_empty() {
        let last = rng.next_u64().to_le_bytes();
        for (byte, random) in rest.iter_mut().zip(last) {
            *byte = random;
        }
    }
}

/// 24 random bits: the top ones of a 64-bit output, the best bits of xoshiro256++.
fn low_bits(rng: &mut Xoshiro256PlusPlus) -> u32 {
    (rng.next_u64() >> 40) as u32
}

/// `round(basis_points / 10 000 × 2³²)`, below 2³² for any probability under 100 %.
fn threshold(basis_points: u16) -> u32 {
    let scaled = (u64::from(basis_points) << 32) + u64::from(Probability::SCALE / 2);
    u32::try_from(scaled / u64::from(Probability::SCALE)).unwrap_or(u32::MAX)
}

/// The simulated deals laid out for fast trials.
///
/// A trial compares one random byte per deal with the top byte of its threshold, giving a
/// 0xFF/0x00 win mask per deal (ties, 1 in 256, are settled with 24 more random bits). The won
/// amount is then summed without widening each mask to 64 bits: amounts are split into byte
/// planes (plane k holds byte k of every amount, shifted to be non-negative), each plane is
/// summed under the masks as bytes — a byte-sum the compiler turns into `psadbw`-style SIMD on
/// any x86-64 and into plain loops elsewhere — and the planes are recombined as
/// `Σₖ 256ᵏ · planeₖ`. Exact integer arithmetic throughout.
#[derive(Debug)]
struct Portfolio {
    top_bytes: Vec<u8>,
    low_bits: Vec<u32>,
    /// `planes[k][i]` = byte k of `amount[i] - offset`.
    planes: Vec<Vec<u8>>,
    /// The smallest amount when negative, else 0; added back once per won deal.
    offset: i64,
}

impl Portfolio {
    fn new(amounts: &[i64], thresholds: &[u32]) -> Self {
        let offset = amounts.iter().copied().min().unwrap_or(0).min(0);
        let shifted: Vec<u64> = amounts
            .iter()
            .map(|amount| amount.abs_diff(offset))
            .collect();
        let widest = shifted.iter().copied().max().unwrap_or(0);
        let n_planes = (u64::BITS - widest.leading_zeros()).div_ceil(8) as usize;
        let planes = (0..n_planes)
            .map(|plane| {
                shifted
                    .iter()
                    .map(|amount| (amount >> (8 * plane)) as u8)
                    .collect()
            })
            .collect();
        Portfolio {
            top_bytes: thresholds
                .iter()
                .map(|threshold| (threshold >> 24) as u8)
                .collect(),
            low_bits: thresholds
                .iter()
                .map(|threshold| threshold & 0x00FF_FFFF)
                .collect(),
            planes,
            offset,
        }
    }

    /// The amount won in one trial with random `bytes` (one per deal); `masks` is scratch.
    fn trial(&self, rng: &mut Xoshiro256PlusPlus, bytes: &[u8], masks: &mut [u8]) -> i128 {
        for ((mask, byte), top) in masks.iter_mut().zip(bytes).zip(&self.top_bytes) {
            *mask = if byte < top { 0xFF } else { 0 };
        }
        // Settle ties block by block, in deal order, so the result depends only on the seed;
        // about one block of 64 in five has one.
        for (((masks, bytes), tops), lows) in masks
            .chunks_mut(TIE_BLOCK)
            .zip(bytes.chunks(TIE_BLOCK))
            .zip(self.top_bytes.chunks(TIE_BLOCK))
            .zip(self.low_bits.chunks(TIE_BLOCK))
        {
            let tied = bytes
                .iter()
                .zip(tops)
                .fold(false, |tied, (byte, top)| tied | (byte == top));
            if !tied {
                continue;
            }
            for (((mask, byte), top), low) in masks.iter_mut().zip(bytes).zip(tops).zip(lows) {
                if byte == top && low_bits(rng) < *low {
                    *mask = 0xFF;
                }
            }
        }
        let mut won: u128 = 0;
        for (k, plane) in self.planes.iter().enumerate() {
            // Sum in 16-bit lanes over runs of 256 bytes (at most 255 × 256, no overflow):
            // narrow lanes keep eight or more bytes per SIMD addition.
            let sum: u64 = plane
                .chunks(SUM_RUN)
                .zip(masks.chunks(SUM_RUN))
                .map(|(bytes, masks)| {
                    let run = bytes.iter().zip(masks).fold(0_u16, |run, (byte, mask)| {
                        run.wrapping_add(u16::from(byte & mask))
                    });
                    u64::from(run)
                })
                .sum();
            won += u128::from(sum) << (8 * k);
        }
        let mut total = i128::try_from(won).unwrap_or(i128::MAX);
        if self.offset != 0 {
            let wins: u64 = masks.iter().map(|mask| u64::from(mask & 1)).sum();
            total += i128::from(self.offset) * i128::from(wins);
        }
        total
    }
}

/// The value at rank ⌈k·n/100⌉ (1-based) of sorted `values`.
fn nearest_rank(values: &[i64], k: u64) -> i64 {
    let n = values.len() as u64;
    let rank = (k * n).div_ceil(100).max(1);
    let index = usize::try_from(rank - 1).unwrap_or(usize::MAX);
    values
        .get(index)
        .or(values.last())
        .copied()
        .unwrap_or_default()
}

/// Which probability a forecast simulation uses for each open deal.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SimulatedModel {
    /// The best-practice probability.
    BestPractice,
    /// The stage's configured probability.
    StageWeighted,
    /// The manual probability where set, else the stage's.
    ManualWeighted,
}

impl From<SimulatedModel> for ForecastModel {
    fn from(model: SimulatedModel) -> Self {
        match model {
            SimulatedModel::BestPractice => ForecastModel::BestPractice,
            SimulatedModel::StageWeighted => ForecastModel::StageWeighted,
            SimulatedModel::ManualWeighted => ForecastModel::ManualWeighted,
        }
    }
}

impl Forecast<'_> {
    /// The revenue range of `period` for `group`: won deals are certain, and each open deal is
    /// won with its probability under `model`.
    pub fn simulate(
        &self,
        period: Period,
        group: &ForecastGroup,
        model: SimulatedModel,
        settings: SimulationSettings,
    ) -> Result<RevenueRange, ForecastError> {
        let currency: Currency = self.currency;
        let mut certain = Money::zero(currency);
        let mut open = Vec::new();
        for line in self.deals_in(period, group) {
            if line.status == DealStatus::Won {
                certain = certain.checked_add(line.amount)?;
                continue;
            }
            let probability = match model {
                SimulatedModel::BestPractice => line.best_practice.value,
                SimulatedModel::StageWeighted => line.stage_probability,
                SimulatedModel::ManualWeighted => line.manual.value,
            };
            open.push(SimulatedDeal {
                amount: line.amount,
                probability,
            });
        }
        simulate_revenue(&open, certain, settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cny(major: i64) -> Money {
        Money::from_major(major, Currency::CNY).unwrap()
    }

    fn deal(major: i64, percent: u8) -> SimulatedDeal {
        SimulatedDeal {
            amount: cny(major),
            probability: Probability::from_percent(percent).unwrap(),
        }
    }

    fn settings(trials: u32) -> SimulationSettings {
        SimulationSettings { trials, seed: 42 }
    }

    #[test]
    fn thresholds_are_rounded_fractions_of_two_to_the_32() {
        assert_eq!(threshold(5_000), 1 << 31);
        assert_eq!(threshold(2_500), 1 << 30);
        assert_eq!(threshold(1), 429_497); // 2³² / 10 000 = 429 496.7296
        assert_eq!(threshold(9_999), 4_294_537_799); // 2³² − 429 496.7296 rounded
    }

    #[test]
    fn nearest_rank_percentiles() {
        let values: Vec<i64> = (1..=10).collect();
        assert_eq!(nearest_rank(&values, 10), 1);
        assert_eq!(nearest_rank(&values, 50), 5);
        assert_eq!(nearest_rank(&values, 90), 9);
        assert_eq!(nearest_rank(&[7], 10), 7);
        assert_eq!(nearest_rank(&[], 50), 0);
    }

    #[test]
    fn certain_and_impossible_deals_are_not_drawn() {
        let deals = [deal(100, 100), deal(50, 0)];
        let range = simulate_revenue(&deals, cny(10), settings(100)).unwrap();
        assert_eq!(range.simulated_deals, 0);
        assert_eq!(
            (range.p10, range.p50, range.p90),
            (cny(110), cny(110), cny(110))
        );
        assert_eq!(range.expected, cny(110));
        assert_eq!(range.certain, cny(110));
    }

    #[test]
    fn a_coin_flip_splits_the_range() {
        // One ¥1,000 deal at 50 %: P10 is 0, P90 is ¥1,000, the mean is near ¥500.
        let range = simulate_revenue(&[deal(1_000, 50)], cny(0), settings(10_000)).unwrap();
        assert_eq!(range.p10, cny(0));
        assert_eq!(range.p90, cny(1_000));
        assert_eq!(range.min, cny(0));
        assert_eq!(range.max, cny(1_000));
        let mean = range.mean.minor();
        assert!((45_000..=55_000).contains(&mean), "{mean}");
    }

    #[test]
    fn same_seed_same_result_other_seed_other_trials() {
        let deals: Vec<SimulatedDeal> = (1..=50)
            .map(|i| deal(i * 1_000, (i % 9 * 10) as u8 + 5))
            .collect();
        let first = simulate_revenue(&deals, cny(0), settings(500)).unwrap();
        let again = simulate_revenue(&deals, cny(0), settings(500)).unwrap();
        assert_eq!(first, again);
        let other = simulate_revenue(
            &deals,
            cny(0),
            SimulationSettings {
                trials: 500,
                seed: 43,
            },
        )
        .unwrap();
        assert_ne!(first.mean, other.mean);
    }

    #[test]
    fn rejects_bad_input() {
        assert!(matches!(
            simulate_revenue(&[], cny(0), settings(0)),
            Err(ForecastError::InvalidTrials { trials: 0, .. })
        ));
        let usd = SimulatedDeal {
            amount: Money::new(1, Currency::USD),
            probability: Probability::from_percent(50).unwrap(),
        };
        assert!(simulate_revenue(&[usd], cny(0), settings(1)).is_err());
        let huge = SimulatedDeal {
            amount: Money::new(i64::MAX, Currency::CNY),
            probability: Probability::from_percent(50).unwrap(),
        };
        assert!(simulate_revenue(&[huge, huge], cny(0), settings(1)).is_err());
    }

    /// The trial rule written plainly: a deal wins when its byte is below the top byte of its
    /// threshold, and ties are settled by 24 more bits, drawn block by block in deal order.
    fn plain_trial(rng: &mut Xoshiro256PlusPlus, amounts: &[i64], thresholds: &[u32]) -> i128 {
        let bytes: Vec<u8> = (0..amounts.len().div_ceil(8))
            .flat_map(|_| rng.next_u64().to_le_bytes())
            .take(amounts.len())
            .collect();
        let mut wins: Vec<bool> = bytes
            .iter()
            .zip(thresholds)
            .map(|(byte, threshold)| u32::from(*byte) < threshold >> 24)
            .collect();
        for block in (0..amounts.len()).step_by(TIE_BLOCK) {
            let end = (block + TIE_BLOCK).min(amounts.len());
            let tied = (block..end).any(|i| u32::from(bytes[i]) == thresholds[i] >> 24);
            if tied {
                for i in block..end {
                    if u32::from(bytes[i]) == thresholds[i] >> 24 {
                        wins[i] = (rng.next_u64() >> 40) < u64::from(thresholds[i] & 0x00FF_FFFF);
                    }
                }
            }
        }
        amounts
            .iter()
            .zip(wins)
            .filter(|(_, won)| *won)
            .map(|(amount, _)| i128::from(*amount))
            .sum()
    }

    #[test]
    fn byte_planes_sum_exactly_what_a_plain_loop_sums() {
        let mut setup = Xoshiro256PlusPlus::seed_from_u64(9);
        for (n_deals, spread) in [
            (1, 1_i64 << 40),
            (300, 255),
            (1_000, 1 << 20),
            (700, i64::MAX >> 12),
        ] {
            let amounts: Vec<i64> = (0..n_deals)
                .map(|_| (setup.next_u64() as i64 >> 1) % spread)
                .collect(); // includes negative amounts
            // One comparison in 256 ties, so 200 trials settle hundreds of ties.
            let thresholds: Vec<u32> = (0..n_deals).map(|_| setup.next_u32()).collect();
            let portfolio = Portfolio::new(&amounts, &thresholds);
            let mut fast = Xoshiro256PlusPlus::seed_from_u64(3);
            let mut plain = Xoshiro256PlusPlus::seed_from_u64(3);
            let mut bytes = vec![0_u8; n_deals];
            let mut masks = vec![0_u8; n_deals];
            for _ in 0..200 {
                fill_bytes(&mut fast, &mut bytes);
                let won = portfolio.trial(&mut fast, &bytes, &mut masks);
                assert_eq!(won, plain_trial(&mut plain, &amounts, &thresholds));
            }
        }
    }
}
