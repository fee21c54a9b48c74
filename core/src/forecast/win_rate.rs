//! Historical stage win rates: of the deals that entered a stage in a window, the share that
//! was eventually won, blended with the stage's configured probability when data is thin.

use serde::{Deserialize, Serialize};

use super::error::ForecastError;
use super::placement::{same_id, stage_position};
use crate::deal::{Deal, DealStatus};
use crate::deal_table::DealTable;
use crate::i18n::LocalizedText;
use crate::id::{PipelineId, StageId};
use crate::money::round_half_away_from_zero;
use crate::pipeline::Pipeline;
use crate::probability::Probability;
use crate::score::Feature;
use crate::timestamp::Timestamp;

/// A half-open time window `[from, to)`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub struct TimeWindow {
    /// Start (inclusive).
    pub from: Timestamp,
    /// End (exclusive).
    pub to: Timestamp,
}

impl TimeWindow {
    /// The window `[from, to)`; errors when it is empty.
    pub fn new(from: Timestamp, to: Timestamp) -> Result<Self, ForecastError> {
        let window = TimeWindow { from, to };
        window.validate()?;
        Ok(window)
    }

    /// Checks a window that arrived as data.
    pub fn validate(self) -> Result<(), ForecastError> {
        if self.from < self.to {
            Ok(())
        } else {
            Err(ForecastError::EmptyWindow {
                from: self.from,
                to: self.to,
            })
        }
    }

    /// Whether `at` lies in the window.
    pub fn contains(self, at: Timestamp) -> bool {
        self.from <= at && at < self.to
    }
}

/// The historical win rate of every stage of one pipeline.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct StageWinRates {
    /// The pipeline.
    pub pipeline: PipelineId,
    /// Deals count when they entered the stage within this window.
    pub window: TimeWindow,
    /// Weight of the configured stage probability, in pseudo-deals (see [`StageWinRate`]).
    pub prior_strength: u32,
    /// One entry per stage, in pipeline order.
    pub stages: Vec<StageWinRate>,
}

impl StageWinRates {
    /// The rate of `stage`.
    pub fn stage(&self, stage: &StageId) -> Option<&StageWinRate> {
        self.stages.iter().find(|rate| &rate.stage == stage)
    }
}

/// The win rate of one stage, with the counts it rests on.
///
/// The raw rate is `won / (won + lost + stopped)`: deals still open have no outcome yet and are
/// left out; stopped deals count as not won, like lost ones. The blended rate is the mean of a
/// Beta prior centred on the stage's configured probability `p₀` with strength `n₀`
/// pseudo-deals, updated with the outcomes:
///
/// `blended = (won + p₀·n₀) / (won + lost + stopped + n₀)`
///
/// computed in integer basis points and rounded half away from zero. With no closed deals it is
/// `p₀`; with many it approaches the raw rate.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct StageWinRate {
    /// The stage.
    pub stage: StageId,
    /// Deals that entered the stage within the window (each counted once).
    pub entered: u32,
    /// Of those, how many are won now.
    pub won: u32,
    /// How many are lost now.
    pub lost: u32,
    /// How many are stopped now.
    pub stopped: u32,
    /// How many are still open.
    pub still_open: u32,
    /// `won / (won + lost + stopped)`, or `None` when no deal has closed.
    pub raw: Option<Probability>,
    /// The stage's configured probability, the prior's mean.
    pub prior: Probability,
    /// The prior blended with the outcomes.
    pub blended: Probability,
}

impl StageWinRate {
    /// The number of closed deals the rate rests on.
    pub fn rests_on(&self) -> u32 {
        self.won
            .saturating_add(self.lost)
            .saturating_add(self.stopped)
    }

    /// Where the rate comes from, e.g. "40 closed deals (30 won, 10 lost or stopped), 12 still
    /// open; blended with the stage default 40% → 70.50%".
    pub fn explain(&self) -> LocalizedText {
        let not_won = self.lost.saturating_add(self.stopped);
        LocalizedText {
            zh_cn: format!(
                "基于 {} 个已结束商机（赢 {}，输或暂停 {}），另有 {} 个仍在跟进；与阶段默认概率 {} 加权后为 {}",
                self.rests_on(),
                self.won,
                not_won,
                self.still_open,
                self.prior,
                self.blended
            ),
            en: format!(
                "{} closed deals ({} won, {} lost or stopped), {} still open; blended with the stage default {} → {}",
                self.rests_on(),
                self.won,
                not_won,
                self.still_open,
                self.prior,
                self.blended
            ),
        }
    }
}

/// Learns each stage's win rate from the stage history of `deals` in `pipeline` (deals of other
/// pipelines are skipped).
///
/// A deal counts for stage S when one of its history entries enters S as an open deal within
/// `window`; entering S twice counts once. Its outcome is its status now. History entries naming
/// stages the pipeline no longer has are ignored.
///
/// ```
/// use dealflow_core::*;
///
/// let pipeline = Pipeline::template_new_business();
/// let window = TimeWindow::new(Timestamp::from_millis(0), Timestamp::from_millis(1_000))?;
/// let rates = stage_win_rates(&[], &pipeline, window, 10)?;
/// let demo = rates.stage(&StageId::new("demo")?).unwrap();
/// assert_eq!((demo.entered, demo.raw, demo.blended), (0, None, Probability::from_percent(40)?));
/// # Ok::<(), dealflow_core::Error>(())
/// ```
pub fn stage_win_rates(
    deals: &[Deal],
    pipeline: &Pipeline,
    window: TimeWindow,
    prior_strength: u32,
) -> Result<StageWinRates, ForecastError> {
    window.validate()?;
    let n_stages = pipeline.stages.len();
    // counts[stage] = [won, lost, stopped, open]
    let mut counts = vec![[0_u32; 4]; n_stages];
    let mut entered = vec![false; n_stages];
    let mut touched: Vec<usize> = Vec::with_capacity(n_stages);
    for (index, deal) in deals.iter().enumerate() {
        // Start fetching the history of the deal after next and the stage ids of the next deal
        // (whose history is fetched by now) while this one is counted.
        if let Some(later) = deals.get(index + 2) {
            touch_history(later);
        }
        if let Some(next) = deals.get(index + 1) {
            touch(next);
        }
        if !same_id(deal.pipeline.as_str(), pipeline.id.as_str()) {
            continue;
        }
        let outcome = match deal.status() {
            DealStatus::Won => 0,
            DealStatus::Lost => 1,
            DealStatus::Stopped => 2,
            DealStatus::Open => 3,
        };
        for entry in &deal.history {
            if entry.status != DealStatus::Open || !window.contains(entry.at) {
                continue;
            }
            let Some(stage_index) = stage_position(&pipeline.stages, &entry.stage) else {
                continue;
            };
            mark_entered(&mut entered, &mut touched, stage_index);
        }
        count_entered(&mut entered, &mut touched, &mut counts, outcome);
    }
    Ok(rates(pipeline, window, prior_strength, counts))
}

impl DealTable<'_> {
    /// [`stage_win_rates`] over the table's deals: the same rates, from flat history rows.
    pub fn stage_win_rates(
        &self,
        pipeline: &Pipeline,
        window: TimeWindow,
        prior_strength: u32,
    ) -> Result<StageWinRates, ForecastError> {
        window.validate()?;
        let n_stages = pipeline.stages.len();
        // counts[stage] = [won, lost, stopped, open]
        let mut counts = vec![[0_u32; 4]; n_stages];
        // The pipeline position of each interned stage id (`usize::MAX`: not in the pipeline).
        let mut position = vec![usize::MAX; self.values.len()];
        for (index, stage) in pipeline.stages.iter().enumerate() {
            let key = (Feature::StageReached, stage.id.as_str());
            if let Some(slot) = self
                .values
                .get(&key)
                .and_then(|id| position.get_mut(id as usize))
                && *slot == usize::MAX
            {
                *slot = index;
            }
        }
        let Some(pipeline_id) = self.pipeline_id(&pipeline.id) else {
            return Ok(rates(pipeline, window, prior_strength, counts));
        };
        // Stages are few: a bit per stage marks those the deal entered.
        let mut entered = vec![false; n_stages];
        let mut touched: Vec<usize> = Vec::with_capacity(n_stages);
        for (index, deal_pipeline) in self.pipeline.iter().enumerate() {
            if *deal_pipeline != pipeline_id {
                continue;
            }
            let outcome = match self.status(index) {
                DealStatus::Won => 0,
                DealStatus::Lost => 1,
                DealStatus::Stopped => 2,
                DealStatus::Open => 3,
            };
            let rows = self.history_rows(index);
            let stages = self.history_stage.get(rows.clone()).unwrap_or_default();
            let statuses = self.history_status.get(rows.clone()).unwrap_or_default();
            let times = self.history_at.get(rows).unwrap_or_default();
            for ((stage, status), at) in stages.iter().zip(statuses).zip(times) {
                if *status != DealStatus::Open || !window.contains(*at) {
                    continue;
                }
                let Some(stage_index) = position
                    .get(*stage as usize)
                    .copied()
                    .filter(|index| *index != usize::MAX)
                else {
                    continue;
                };
                mark_entered(&mut entered, &mut touched, stage_index);
            }
            count_entered(&mut entered, &mut touched, &mut counts, outcome);
        }
        Ok(rates(pipeline, window, prior_strength, counts))
    }
}

fn rates(
    pipeline: &Pipeline,
    window: TimeWindow,
    prior_strength: u32,
    counts: Vec<[u32; 4]>,
) -> StageWinRates {
    let stages = pipeline
        .stages
        .iter()
        .zip(counts)
        .map(|(stage, counts)| rate(stage.id.clone(), stage.probability, counts, prior_strength))
        .collect();
    StageWinRates {
        pipeline: pipeline.id.clone(),
        window,
        prior_strength,
        stages,
    }
}

/// Reads the first byte of the strings of `deal` that learning win rates compares. Each lives in
/// its own heap block, so comparing them one after another waits for one cache miss after
/// another; touching the next deal's in a loop without dependencies lets the processor fetch
/// them while the current deal is counted.
fn touch(deal: &Deal) {
    let mut sum = deal
        .pipeline
        .as_str()
        .as_bytes()
        .first()
        .copied()
        .unwrap_or_default();
    for entry in &deal.history {
        let first = entry.stage.as_str().as_bytes().first().copied();
        sum = sum.wrapping_add(first.unwrap_or_default());
    }
    std::hint::black_box(sum);
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

fn rate(stage: StageId, prior: Probability, counts: [u32; 4], prior_strength: u32) -> StageWinRate {
    let [won, lost, stopped, still_open] = counts;
    let decided = i128::from(won) + i128::from(lost) + i128::from(stopped);
    let scale = i128::from(Probability::SCALE);
    let raw = (decided > 0).then(|| to_probability(i128::from(won) * scale, decided));
    let pseudo = i128::from(prior_strength);
    let blended = if decided + pseudo == 0 {
        prior
    } else {
        to_probability(
            i128::from(won) * scale + i128::from(prior.basis_points()) * pseudo,
            decided + pseudo,
        )
    };
    StageWinRate {
        stage,
        entered: won
            .saturating_add(lost)
            .saturating_add(stopped)
            .saturating_add(still_open),
        won,
        lost,
        stopped,
        still_open,
        raw,
        prior,
        blended,
    }
}

/// `numerator / denominator` basis points; both are non-negative and the ratio is at most
/// 10 000, so the fallbacks never trigger.
fn to_probability(numerator: i128, denominator: i128) -> Probability {
    round_half_away_from_zero(numerator, denominator)
        .ok()
        .and_then(|basis_points| u16::try_from(basis_points).ok())
        .and_then(|basis_points| Probability::from_basis_points(basis_points).ok())
        .unwrap_or(Probability::ZERO)
}

/// Notes that the current deal entered stage `stage_index` (once per deal, however often).
fn mark_entered(entered: &mut [bool], touched: &mut Vec<usize>, stage_index: usize) {
    if let Some(seen) = entered.get_mut(stage_index)
        && !*seen
    {
        *seen = true;
        touched.push(stage_index);
    }
}

/// Counts the current deal once under `outcome` in every stage it entered, and clears the marks
/// for the next deal.
fn count_entered(
    entered: &mut [bool],
    touched: &mut Vec<usize>,
    counts: &mut [[u32; 4]],
    outcome: usize,
) {
    for stage_index in touched.drain(..) {
        if let Some(seen) = entered.get_mut(stage_index) {
            *seen = false;
        }
        if let Some(count) = counts
            .get_mut(stage_index)
            .and_then(|stage| stage.get_mut(outcome))
        {
            *count = count.saturating_add(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage() -> StageId {
        StageId::new("demo").unwrap()
    }

    fn percent(value: u8) -> Probability {
        Probability::from_percent(value).unwrap()
    }

    #[test]
    fn raw_rate_is_the_share_won_of_closed_deals() {
        // 100 entered 方案演示, 30 won and 70 lost → 30 %.
        let rate = rate(stage(), percent(40), [30, 70, 0, 0], 0);
        assert_eq!(rate.raw, Some(percent(30)));
        assert_eq!(rate.blended, percent(30));
        assert_eq!(rate.entered, 100);
        assert_eq!(rate.rests_on(), 100);
    }

    #[test]
    fn beta_prior_pulls_thin_data_to_the_default() {
        // 3 won of 4 closed, prior 40 % with strength 10:
        // (3·10000 + 4000·10) / (4 + 10) = 70000 / 14 = 5000 bp.
        let rate = rate(stage(), percent(40), [3, 1, 0, 2], 10);
        assert_eq!(rate.raw, Some(percent(75)));
        assert_eq!(rate.blended, percent(50));
        assert_eq!(rate.still_open, 2);
        assert_eq!(rate.entered, 6);
        // 1 won of 3 (one stopped): (10000 + 4000·10) / 13 = 3846.15… → 3846 bp.
        let rate = super::rate(stage(), percent(40), [1, 1, 1, 0], 10);
        assert_eq!(rate.blended.basis_points(), 3846);
        assert_eq!(rate.raw.map(Probability::basis_points), Some(3333));
    }

    #[test]
    fn no_data_means_the_prior() {
        let rate = rate(stage(), percent(40), [0, 0, 0, 5], 0);
        assert_eq!(rate.raw, None);
        assert_eq!(rate.blended, percent(40));
        assert!(rate.explain().en.contains("0 closed deals"));
    }

    #[test]
    fn empty_window_is_an_error() {
        let at = Timestamp::from_millis(5);
        assert!(TimeWindow::new(at, at).is_err());
        assert!(TimeWindow::new(at, Timestamp::from_millis(6)).is_ok());
    }

    #[test]
    fn learns_from_stage_history() {
        use crate::test_deal::{day, move_to, open_deal};
        let mut a = open_deal("a", "qualify", 1);
        move_to(&mut a, 5, "demo", DealStatus::Open);
        move_to(&mut a, 20, "demo", DealStatus::Won);
        let mut b = open_deal("b", "demo", 1);
        b.history[0].at = day(2);
        move_to(&mut b, 10, "demo", DealStatus::Lost);
        let mut c = open_deal("c", "qualify", 1);
        move_to(&mut c, 3, "demo", DealStatus::Open);
        move_to(&mut c, 4, "needs", DealStatus::Open);
        move_to(&mut c, 6, "demo", DealStatus::Open); // enters demo twice: counts once
        let mut e = open_deal("e", "demo", 1);
        e.history[0].at = day(50); // outside the window
        move_to(&mut e, 60, "demo", DealStatus::Won);
        let mut f = open_deal("f", "demo", 1);
        f.pipeline = PipelineId::new("other").unwrap();
        move_to(&mut f, 8, "demo", DealStatus::Won);
        let mut g = open_deal("g", "needs", 1);
        g.history[0].at = day(1);
        move_to(&mut g, 9, "needs", DealStatus::Stopped);
        let mut h = open_deal("h", "removed_stage", 1);
        move_to(&mut h, 9, "removed_stage", DealStatus::Won);
        let deals = [a, b, c, e, f, g, h];
        let pipeline = Pipeline::template_new_business();
        let window = TimeWindow::new(day(0), day(30)).unwrap();

        let rates = stage_win_rates(&deals, &pipeline, window, 0).unwrap();
        let counts = |id: &str| {
            let rate = rates.stage(&StageId::new(id).unwrap()).unwrap();
            (
                [
                    rate.entered,
                    rate.won,
                    rate.lost,
                    rate.stopped,
                    rate.still_open,
                ],
                rate.raw,
            )
        };
        let percent = |value| Some(Probability::from_percent(value).unwrap());
        assert_eq!(counts("demo"), ([3, 1, 1, 0, 1], percent(50)));
        assert_eq!(counts("qualify"), ([2, 1, 0, 0, 1], percent(100)));
        assert_eq!(counts("needs"), ([2, 0, 0, 1, 1], percent(0)));
        assert_eq!(counts("negotiate"), ([0, 0, 0, 0, 0], None));

        // Prior 40 % with strength 10: (1·10000 + 4000·10) / (2 + 10) = 4166.67 → 4167 bp.
        let blended = stage_win_rates(&deals, &pipeline, window, 10).unwrap();
        let demo = blended.stage(&StageId::new("demo").unwrap()).unwrap();
        assert_eq!(demo.blended.basis_points(), 4_167);
        assert_eq!(demo.rests_on(), 2);
    }
}
