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

/// Deals per random word: a trial draws one 64-bit output per eight deals, one byte each.
const LANES: usize = 8;

/// Deals per lookup: a trial adds the won amount of four deals with one table lookup.
const GROUP: usize = 4;

/// Subset sums per group (2⁴).
const SUBSETS: usize = 1 << GROUP;

/// Bits of a threshold compared with a random byte: 7, so that eight comparisons fit in one
/// 64-bit subtraction with a spare bit per lane to catch the borrow.
const TOP_BITS: u32 = 7;

/// The bits of a threshold left for ties.
const TIE_BITS: u32 = u32::BITS - TOP_BITS;

/// The high bit of every byte.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The low bit of every byte.
const ONES: u64 = 0x0101_0101_0101_0101;

/// Gathers the high bit of byte i of a word into bit 56 + i (the products never overlap, so
/// nothing carries between them).
const GATHER: u64 = 0x0002_0408_1020_4081;

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
/// Each deal is won with probability exactly `round(p × 2³²) / 2³²` (within 2⁻³³ of `p`): each
/// trial draws seven random bits per remaining deal from a xoshiro256++ generator seeded with
/// `seed` (through SplitMix64, as [`SeedableRng::seed_from_u64`] does) and compares them with the
/// top seven bits of the deal's threshold `round(p × 2³²)`; only on a tie (1 in 128) does it draw
/// 25 more bits to finish the comparison. xoshiro256++ is a statistical generator, not a
/// cryptographic one, which is all a simulation needs: it is plain 64-bit arithmetic, which
/// wasm runs as fast as native code, whereas ChaCha8 loses its SIMD in wasm. The whole trial is
/// 64-bit integer arithmetic with no SIMD instructions, so the browser runs it at about the
/// speed of native code (see `Portfolio`).
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
    let mut totals: Vec<i64> = Vec::with_capacity(settings.trials as usize);
    for _ in 0..settings.trials {
        // |won| is at most the bound checked above, so this stays within i64.
        let won = portfolio.trial(&mut rng);
        let total = i128::from(base) + i128::from(won);
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

/// `round(basis_points / 10 000 × 2³²)`, below 2³² for any probability under 100 %.
fn threshold(basis_points: u16) -> u32 {
    let scaled = (u64::from(basis_points) << 32) + u64::from(Probability::SCALE / 2);
    u32::try_from(scaled / u64::from(Probability::SCALE)).unwrap_or(u32::MAX)
}

/// The simulated deals laid out for fast trials.
///
/// Deals go eight to a 64-bit word, one byte each. A trial takes one random word per eight
/// deals, sets the high bit of every byte and subtracts the word of the deals' top threshold
/// bits: `0x80 + r − t` per byte (r the low seven random bits) never borrows from the next
/// byte, and its high bit is clear exactly where `r < t`, so one subtraction makes eight
/// comparisons. A byte equal to `0x80` is a tie, settled with 25 more random bits (rare: 1 in
/// 128). A multiplication gathers the eight outcomes into one byte, and each half of it indexes
/// the sixteen subset sums of four deals, precomputed once: a trial costs one lookup per four
/// deals, exact integer arithmetic throughout, and nothing wasm would need SIMD for.
#[derive(Debug)]
struct Portfolio {
    /// Byte i of word w: the top seven bits of the threshold of deal `8w + i` (0 for padding).
    tops: Vec<u64>,
    /// The low 25 bits of each deal's threshold, for ties (0 for padding: it never wins).
    tie_bits: Vec<u32>,
    /// `sums[16g + m]`: the total of the deals of group g (deals `4g..4g + 4`) whose bit is set
    /// in m.
    sums: Vec<i64>,
}

impl Portfolio {
    fn new(amounts: &[i64], thresholds: &[u32]) -> Self {
        let n_words = amounts.len().div_ceil(LANES);
        let mut tops = vec![0_u64; n_words];
        let mut tie_bits = vec![0_u32; n_words * LANES];
        for (index, threshold) in thresholds.iter().enumerate() {
            if let Some(word) = tops.get_mut(index / LANES) {
                *word |= u64::from(threshold >> TIE_BITS) << (8 * (index % LANES));
            }
            if let Some(bits) = tie_bits.get_mut(index) {
                *bits = threshold & ((1 << TIE_BITS) - 1);
            }
        }
        let mut sums = vec![0_i64; n_words * LANES / GROUP * SUBSETS];
        for (group, table) in sums.chunks_exact_mut(SUBSETS).enumerate() {
            let members = amounts.get(group * GROUP..).unwrap_or_default();
            for (subset, sum) in table.iter_mut().enumerate() {
                // Sums of amounts that all fit the bound checked by the caller cannot overflow.
                *sum = members
                    .iter()
                    .take(GROUP)
                    .enumerate()
                    .filter(|(member, _)| (subset >> member) & 1 == 1)
                    .map(|(_, amount)| *amount)
                    .fold(0_i64, i64::wrapping_add);
            }
        }
        Portfolio {
            tops,
            tie_bits,
            sums,
        }
    }

    /// The amount won in one trial.
    fn trial(&self, rng: &mut Xoshiro256PlusPlus) -> i64 {
        let mut won_total = 0_i64;
        for ((word_index, tops), sums) in self
            .tops
            .iter()
            .enumerate()
            .zip(self.sums.chunks_exact(2 * SUBSETS))
        {
            // Per byte, 0x80 + r − t with r the low seven random bits: in 1..=0xFF, so no byte
            // borrows from the next. Its high bit is clear where r < t (won); that of one less
            // is clear where r ≤ t (won or tied).
            let difference = (rng.next_u64() | HIGH).wrapping_sub(*tops);
            let mut won = !difference & HIGH;
            let won_or_tied = !difference.wrapping_sub(ONES) & HIGH;
            if won_or_tied != won {
                won = self.settle_ties(rng, word_index, won_or_tied ^ won, won);
            }
            let outcomes = (won.wrapping_mul(GATHER) >> 56) as usize;
            let low = sums.get(outcomes & (SUBSETS - 1)).copied().unwrap_or(0);
            let high = sums
                .get(SUBSETS + (outcomes >> GROUP))
                .copied()
                .unwrap_or(0);
            // Partial sums are bounded by the sum of absolute amounts, checked by the caller.
            won_total = won_total.wrapping_add(low).wrapping_add(high);
        }
        won_total
    }

    /// Settles the tied deals of word `word_index` (the high bits set in `ties`) in lane order,
    /// each with 25 more random bits; returns `won` with the deals that won the tie added.
    #[cold]
    fn settle_ties(
        &self,
        rng: &mut Xoshiro256PlusPlus,
        word_index: usize,
        ties: u64,
        mut won: u64,
    ) -> u64 {
        for lane in 0..LANES {
            let bit = 0x80 << (8 * lane);
            if ties & bit == 0 {
                continue;
            }
            let threshold = self
                .tie_bits
                .get(word_index * LANES + lane)
                .copied()
                .unwrap_or(0);
            if tie_draw(rng) < threshold {
                won |= bit;
            }
        }
        won
    }
}

/// 25 random bits: the top ones of a 64-bit output, the best bits of xoshiro256++.
fn tie_draw(rng: &mut Xoshiro256PlusPlus) -> u32 {
    (rng.next_u64() >> (u64::BITS - TIE_BITS)) as u32
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

    /// The trial rule written plainly: deals take the bytes of successive 64-bit outputs in
    /// order, eight per output; a deal wins when the low seven bits of its byte are below the
    /// top seven bits of its threshold, and ties are settled right after their output by 25
    /// more bits each, in deal order.
    fn plain_trial(rng: &mut Xoshiro256PlusPlus, amounts: &[i64], thresholds: &[u32]) -> i128 {
        let mut won = 0_i128;
        for (amounts, thresholds) in amounts.chunks(8).zip(thresholds.chunks(8)) {
            let bytes = rng.next_u64().to_le_bytes();
            for ((amount, threshold), byte) in amounts.iter().zip(thresholds).zip(bytes) {
                let random = u32::from(byte & 0x7F);
                let top = threshold >> 25;
                let wins = random < top
                    || (random == top && ((rng.next_u64() >> 39) as u32) < threshold & 0x01FF_FFFF);
                if wins {
                    won += i128::from(*amount);
                }
            }
            // Padding bytes of the last word tie when their seven bits are zero and draw too.
            for byte in bytes.iter().skip(amounts.len()) {
                if byte & 0x7F == 0 {
                    rng.next_u64();
                }
            }
        }
        won
    }

    #[test]
    fn word_comparisons_and_subset_sums_match_a_plain_loop() {
        let mut setup = Xoshiro256PlusPlus::seed_from_u64(9);
        for (n_deals, spread) in [
            (1, 1_i64 << 40),
            (13, 1_000),
            (300, 255),
            (1_000, 1 << 20),
            (700, i64::MAX >> 12),
        ] {
            let amounts: Vec<i64> = (0..n_deals)
                .map(|_| (setup.next_u64() as i64 >> 1) % spread)
                .collect(); // includes negative amounts
            // Half the thresholds are random; the other half put the top seven bits of the
            // random bytes on a tie often enough that 200 trials settle thousands of ties.
            let thresholds: Vec<u32> = (0..n_deals)
                .map(|index| {
                    let random = setup.next_u32();
                    if index % 2 == 0 {
                        random
                    } else {
                        random & 0x07FF_FFFF
                    }
                })
                .collect();
            let portfolio = Portfolio::new(&amounts, &thresholds);
            let mut fast = Xoshiro256PlusPlus::seed_from_u64(3);
            let mut plain = Xoshiro256PlusPlus::seed_from_u64(3);
            for _ in 0..200 {
                let won = portfolio.trial(&mut fast);
                assert_eq!(
                    i128::from(won),
                    plain_trial(&mut plain, &amounts, &thresholds)
                );
            }
        }
    }

    #[test]
    fn gathering_puts_the_high_bit_of_byte_i_in_bit_i() {
        for outcomes in 0..=255_u64 {
            let spread: u64 = (0..8)
                .map(|lane| ((outcomes >> lane) & 1) << (8 * lane + 7))
                .sum();
            assert_eq!(spread.wrapping_mul(GATHER) >> 56, outcomes);
        }
    }
}
