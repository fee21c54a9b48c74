//! Learned win probability (智能评分): naive Bayes over the team's counts, in the manner of
//! Odoo's predictive lead scoring, with the factors that pushed the probability up and down.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::error::{Requirement, ScoreError};
use super::win_counts::{MAX_DENSE_CELLS, TeamWinCounts, WinCounts, WonLost, non_negative};
use super::win_features::{Feature, FeatureExtractor, Purpose, ValueKey, touch_ahead};
use crate::deal::{Deal, LearnedProbability};
use crate::deal_table::{DealTable, NONE};
use crate::forecast::StageWinRates;
use crate::i18n::LocalizedText;
use crate::id::TeamId;
use crate::pipeline::Pipeline;
use crate::probability::Probability;
use crate::timestamp::Timestamp;

/// How the model predicts. Serde configuration; checked by [`WinPredictor::new`].
#[derive(Clone, Copy, PartialEq, Debug, Serialize, Deserialize)]
pub struct WinModelSettings {
    /// Laplace smoothing α added to every count (positive; 1 is classic Laplace smoothing).
    pub smoothing: f64,
    /// Below this many closed deals in a team the model is not trusted and the stage rate is
    /// used instead.
    pub min_closed_deals: u32,
    /// How many positive and how many negative factors to return.
    pub top_factors: u8,
}

impl Default for WinModelSettings {
    fn default() -> Self {
        WinModelSettings {
            smoothing: 1.0,
            min_closed_deals: 30,
            top_factors: 3,
        }
    }
}

/// One (feature, value) of a deal and how it moved the prediction.
#[derive(Clone, Copy, PartialEq, Debug, Serialize)]
pub struct WinFactor<'a> {
    /// The feature.
    pub feature: Feature,
    /// The deal's value.
    pub value: &'a str,
    /// Won deals of the team with this value.
    pub won: i64,
    /// Lost deals of the team with this value.
    pub lost: i64,
    /// `ln(P(value | won) / P(value | lost))`: positive raises the odds of winning.
    pub weight: f64,
}

impl WinFactor<'_> {
    /// E.g. "industry = 制造业: 31 won, 12 lost among closed deals".
    pub fn explain(&self) -> LocalizedText {
        let label = self.feature.label();
        LocalizedText::new(
            format!(
                "{} = {}：已结束商机中赢 {} 个、输 {} 个",
                label.zh_cn, self.value, self.won, self.lost
            ),
            format!(
                "{} = {}: {} won, {} lost among closed deals",
                label.en, self.value, self.won, self.lost
            ),
        )
    }
}

/// What a prediction rests on.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PredictionBasis {
    /// The naive-Bayes model over the team's closed deals.
    Model {
        /// The team whose counts were used (`None`: deals without a team).
        team: Option<TeamId>,
        /// Closed deals the counts rest on.
        closed_deals: u64,
    },
    /// Too few closed deals: the stage's win rate stands in.
    StageRate {
        /// The team.
        team: Option<TeamId>,
        /// Closed deals the team has.
        closed_deals: u64,
        /// Closed deals needed.
        required: u32,
        /// Closed deals the historical stage rate rests on (0: the configured default).
        stage_rests_on: u32,
    },
}

/// A learned win probability with its explanation.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct WinPrediction<'a> {
    /// The probability.
    pub probability: Probability,
    /// Model or stage fallback.
    pub basis: PredictionBasis,
    /// Factors that raised the odds, strongest first.
    pub positive: Vec<WinFactor<'a>>,
    /// Factors that lowered the odds, strongest first.
    pub negative: Vec<WinFactor<'a>>,
}

impl WinPrediction<'_> {
    /// The probability to store as [`Deal::probability`]'s learned value; `None` for a stage
    /// fallback, which forecasts apply by themselves.
    pub fn learned(&self, computed_at: Timestamp) -> Option<LearnedProbability> {
        match self.basis {
            PredictionBasis::Model { .. } => Some(LearnedProbability {
                value: self.probability,
                computed_at,
            }),
            PredictionBasis::StageRate { .. } => None,
        }
    }

    /// What the prediction rests on, e.g. "learned from 120 closed deals of the team" or "only
    /// 12 closed deals (30 needed): using the stage win rate".
    pub fn explain(&self) -> LocalizedText {
        match &self.basis {
            PredictionBasis::Model { closed_deals, .. } => LocalizedText::new(
                format!("根据团队 {closed_deals} 个已结束商机学习得出"),
                format!("learned from {closed_deals} closed deals of the team"),
            ),
            PredictionBasis::StageRate {
                closed_deals,
                required,
                ..
            } => LocalizedText::new(
                format!(
                    "团队仅有 {closed_deals} 个已结束商机（至少需要 {required} 个）：改用阶段赢率"
                ),
                format!(
                    "only {closed_deals} closed deals in the team ({required} needed): using the stage win rate"
                ),
            ),
        }
    }
}

/// Per (feature, value): the counts and the log-likelihood ratio.
#[derive(Clone, Copy, Debug)]
struct ValueStat {
    count: WonLost,
    weight: f64,
}

/// One team's counts turned into log-likelihood ratios, looked up by borrowed value.
#[derive(Clone, Debug)]
struct TeamModel<'a> {
    closed_deals: u64,
    prior_log_odds: f64,
    tables: Vec<FxHashMap<ValueKey<'a>, ValueStat>>,
}

impl<'a> TeamModel<'a> {
    /// With α the smoothing, W and L the won and lost totals and k the number of values the
    /// feature has:
    ///
    /// `P(v | won) = (won_v + α) / (W + α·k)`, `P(v | lost) = (lost_v + α) / (L + α·k)`,
    /// weight = `ln(P(v | won) / P(v | lost))`, prior log-odds = `ln((W + α) / (L + α))`.
    fn new(counts: &'a WinCounts, smoothing: f64) -> Self {
        let won_total = non_negative(counts.closed.won) as f64;
        let lost_total = non_negative(counts.closed.lost) as f64;
        let mut tables: Vec<FxHashMap<ValueKey<'a>, ValueStat>> =
            Feature::ALL.iter().map(|_| FxHashMap::default()).collect();
        for (feature, values) in &counts.values {
            let k = values.len() as f64;
            let Some(table) = tables.get_mut(feature.index()) else {
                continue;
            };
            table.reserve(values.len());
            for (value, count) in values {
                let p_won =
                    (non_negative(count.won) as f64 + smoothing) / (won_total + smoothing * k);
                let p_lost =
                    (non_negative(count.lost) as f64 + smoothing) / (lost_total + smoothing * k);
                table.insert(
                    ValueKey(value.as_str()),
                    ValueStat {
                        count: *count,
                        weight: (p_won / p_lost).ln(),
                    },
                );
            }
        }
        TeamModel {
            closed_deals: counts.closed_deals(),
            prior_log_odds: ((won_total + smoothing) / (lost_total + smoothing)).ln(),
            tables,
        }
    }
}

/// A team's model for scoring a table, with its statistics per table value id.
struct SlotModel {
    /// Closed deals of the team's counts; `None` when the counts have no such team.
    closed_deals: Option<u64>,
    prior_log_odds: f64,
    stats: Vec<Option<ValueStat>>,
}

/// Scores open deals with the team counts, falling back to stage win rates where a team has
/// too few closed deals.
///
/// Built once (checking the settings and turning counts into lookup tables), then
/// [`WinPredictor::predict`] is cheap per deal.
#[derive(Clone, Debug)]
pub struct WinPredictor<'a> {
    settings: WinModelSettings,
    extractor: &'a FeatureExtractor,
    teams: FxHashMap<ValueKey<'a>, TeamModel<'a>>,
    without_team: TeamModel<'a>,
    pipelines: &'a [Pipeline],
    stage_win_rates: &'a [StageWinRates],
}

impl<'a> WinPredictor<'a> {
    /// A predictor over `counts`. `pipelines` and `stage_win_rates` serve the fallback: the
    /// stage's historical rate when known, else its configured probability.
    pub fn new(
        counts: &'a TeamWinCounts,
        extractor: &'a FeatureExtractor,
        settings: WinModelSettings,
        pipelines: &'a [Pipeline],
        stage_win_rates: &'a [StageWinRates],
    ) -> Result<Self, ScoreError> {
        if !(settings.smoothing.is_finite() && settings.smoothing > 0.0) {
            return Err(ScoreError::InvalidSetting {
                setting: "smoothing",
                value: settings.smoothing.to_string(),
                requirement: Requirement::PositiveFinite,
            });
        }
        let teams = counts
            .teams
            .iter()
            .map(|(team, counts)| {
                let model = TeamModel::new(counts, settings.smoothing);
                (ValueKey(team.as_str()), model)
            })
            .collect();
        Ok(WinPredictor {
            settings,
            extractor,
            teams,
            without_team: TeamModel::new(&counts.without_team, settings.smoothing),
            pipelines,
            stage_win_rates,
        })
    }

    /// The win probability of `deal` (scored on its current stage), with its top factors.
    ///
    /// Values the team has never seen are skipped rather than guessed.
    pub fn predict<'d>(&self, deal: &'d Deal) -> Result<WinPrediction<'d>, ScoreError>
    where
        'a: 'd,
    {
        let team = deal.team.as_ref();
        let model = match team {
            Some(team) => self.teams.get(&ValueKey(team.as_str())),
            None => Some(&self.without_team),
        };
        let closed_deals = model.map_or(0, |model| model.closed_deals);
        let Some(model) =
            model.filter(|_| closed_deals >= u64::from(self.settings.min_closed_deals))
        else {
            return Ok(self.stage_fallback(deal, team, closed_deals));
        };
        let mut tally = FactorTally::new(model.prior_log_odds, self.settings.top_factors);
        self.extractor
            .visit(deal, Purpose::Scoring, |feature, value| {
                let Some(stat) = model
                    .tables
                    .get(feature.index())
                    .and_then(|table| table.get(&ValueKey(value)))
                else {
                    return;
                };
                tally.add(feature, value, stat);
            })?;
        Ok(tally.finish(team, closed_deals))
    }

    /// The predictions of `deals`, in order: the same as [`WinPredictor::predict`] on each,
    /// but faster over many deals, because the next deal's strings are fetched from memory
    /// while one is scored.
    ///
    /// ```
    /// use dealflow_core::*;
    /// let counts = TeamWinCounts::default();
    /// let extractor = FeatureExtractor::new(ExchangeRates::new(Currency::CNY), &[])?;
    /// let pipelines = [Pipeline::template_new_business()];
    /// let predictor =
    ///     WinPredictor::new(&counts, &extractor, WinModelSettings::default(), &pipelines, &[])?;
    /// let deals: Vec<Deal> = Vec::new();
    /// assert_eq!(predictor.predict_all(&deals).count(), 0);
    /// # Ok::<(), dealflow_core::Error>(())
    /// ```
    pub fn predict_all<'d>(
        &self,
        deals: &'d [Deal],
    ) -> impl Iterator<Item = Result<WinPrediction<'d>, ScoreError>>
    where
        'a: 'd,
    {
        deals.iter().enumerate().map(move |(index, deal)| {
            touch_ahead(deals, index + 1, Purpose::Scoring);
            self.predict(deal)
        })
    }

    /// [`WinPredictor::predict_all`] over a [`DealTable`]: the same predictions, with each
    /// team's weights in a flat array indexed by the table's interned (feature, value) ids.
    ///
    /// ```
    /// use dealflow_core::*;
    /// let counts = TeamWinCounts::default();
    /// let extractor = FeatureExtractor::new(ExchangeRates::new(Currency::CNY), &[])?;
    /// let pipelines = [Pipeline::template_new_business()];
    /// let predictor =
    ///     WinPredictor::new(&counts, &extractor, WinModelSettings::default(), &pipelines, &[])?;
    /// let deals: Vec<Deal> = Vec::new();
    /// let table = DealTable::new(&deals);
    /// assert_eq!(predictor.predict_table(&table).count(), 0);
    /// # Ok::<(), dealflow_core::Error>(())
    /// ```
    pub fn predict_table<'d>(
        &self,
        table: &'d DealTable<'d>,
    ) -> impl Iterator<Item = Result<WinPrediction<'d>, ScoreError>>
    where
        'a: 'd,
    {
        let n_values = table.values.len();
        let width = n_values + self.extractor.band_count();
        let n_slots = table.teams.len() + 1;
        let dense = n_slots.saturating_mul(width) <= MAX_DENSE_CELLS;
        let slots: Vec<SlotModel> = if dense {
            (0..n_slots)
                .map(|slot| self.slot_model(table, slot, width))
                .collect()
        } else {
            Vec::new()
        };
        let rows = table.deals.iter().zip(&table.amount).enumerate();
        rows.map(move |(index, (deal, amount))| {
            if !dense {
                return self.predict(deal);
            }
            let slot = match table.team.get(index) {
                Some(&team) if team != NONE => team as usize,
                _ => n_slots - 1,
            };
            let team = table.teams.list.get(slot).copied();
            let slot_model = slots.get(slot);
            let closed_deals = slot_model.and_then(|slot| slot.closed_deals).unwrap_or(0);
            let Some(slot_model) = slot_model
                .filter(|slot| slot.closed_deals.is_some())
                .filter(|_| closed_deals >= u64::from(self.settings.min_closed_deals))
            else {
                return Ok(self.stage_fallback(deal, team, closed_deals));
            };
            let stats = &slot_model.stats;
            let mut tally = FactorTally::new(slot_model.prior_log_odds, self.settings.top_factors);
            // The pairs in the order `FeatureExtractor::visit` gives them for scoring: current
            // stage, source, industry, size, region, amount band, products, competitor,
            // decision maker.
            let named = |id: u32| {
                table
                    .values
                    .list
                    .get(id as usize)
                    .map(|(feature, value)| (id as usize, *feature, *value))
            };
            let stage = table
                .last_row(index)
                .and_then(|last| table.history_stage.get(last))
                .copied();
            let (features, before_band) = table.features(index);
            let (before, after) = features.split_at(before_band.min(features.len()));
            let band = self.extractor.band_index(*amount)?;
            let band_pair = (
                n_values + band,
                Feature::AmountBand,
                self.extractor.band_label(band),
            );
            let pairs = stage
                .into_iter()
                .chain(before.iter().copied())
                .filter_map(named)
                .chain(std::iter::once(band_pair))
                .chain(after.iter().copied().filter_map(named));
            for (id, feature, value) in pairs {
                let Some(stat) = stats.get(id).copied().flatten() else {
                    continue;
                };
                tally.add(feature, value, &stat);
            }
            Ok(tally.finish(team, closed_deals))
        })
    }

    /// The model of table team slot `slot` (the last slot: deals without a team), with its
    /// statistics per table value id, then per amount band; no statistics when the team has too
    /// few closed deals to be used.
    fn slot_model(&self, table: &DealTable<'_>, slot: usize, width: usize) -> SlotModel {
        let model = match table.teams.list.get(slot) {
            Some(team) => self.teams.get(&ValueKey(team.as_str())),
            None => Some(&self.without_team),
        };
        let trusted =
            model.filter(|model| model.closed_deals >= u64::from(self.settings.min_closed_deals));
        let closed_deals = model.map(|model| model.closed_deals);
        let prior_log_odds = model.map_or(0.0, |model| model.prior_log_odds);
        let Some(trusted) = trusted else {
            return SlotModel {
                closed_deals,
                prior_log_odds,
                stats: Vec::new(),
            };
        };
        let lookup = |feature: Feature, value: &str| {
            trusted
                .tables
                .get(feature.index())
                .and_then(|table| table.get(&ValueKey(value)))
                .copied()
        };
        let mut stats = Vec::with_capacity(width);
        stats.extend(
            table
                .values
                .list
                .iter()
                .map(|(feature, value)| lookup(*feature, value)),
        );
        stats.extend(
            (0..self.extractor.band_count())
                .map(|band| lookup(Feature::AmountBand, self.extractor.band_label(band))),
        );
        SlotModel {
            closed_deals,
            prior_log_odds,
            stats,
        }
    }

    fn stage_fallback<'d>(
        &self,
        deal: &Deal,
        team: Option<&TeamId>,
        closed_deals: u64,
    ) -> WinPrediction<'d> {
        let stage = deal.stage();
        let pipeline = self
            .pipelines
            .iter()
            .find(|pipeline| pipeline.id == deal.pipeline);
        let historical = self
            .stage_win_rates
            .iter()
            .find(|rates| rates.pipeline == deal.pipeline)
            .zip(stage)
            .and_then(|(rates, stage)| rates.stage(stage))
            .filter(|rate| rate.rests_on() > 0);
        let (probability, stage_rests_on) = match historical {
            Some(rate) => (rate.blended, rate.rests_on()),
            None => {
                let configured = pipeline
                    .zip(stage)
                    .and_then(|(pipeline, stage)| pipeline.stage(stage).ok())
                    .map_or(Probability::ZERO, |stage| stage.probability);
                (configured, 0)
            }
        };
        WinPrediction {
            probability,
            basis: PredictionBasis::StageRate {
                team: team.cloned(),
                closed_deals,
                required: self.settings.min_closed_deals,
                stage_rests_on,
            },
            positive: Vec::new(),
            negative: Vec::new(),
        }
    }
}

/// One deal's model prediction as its (feature, value) statistics are added, in the order the
/// features are visited: the log-odds and the strongest positive and negative factors. Both
/// scoring paths (per deal and over a `DealTable`) use it, so they agree factor for factor.
struct FactorTally<'d> {
    top: usize,
    log_odds: f64,
    positive: Vec<WinFactor<'d>>,
    negative: Vec<WinFactor<'d>>,
}

impl<'d> FactorTally<'d> {
    fn new(prior_log_odds: f64, top_factors: u8) -> Self {
        FactorTally {
            top: usize::from(top_factors),
            log_odds: prior_log_odds,
            positive: Vec::new(),
            negative: Vec::new(),
        }
    }

    fn add(&mut self, feature: Feature, value: &'d str, stat: &ValueStat) {
        self.log_odds += stat.weight;
        let factor = WinFactor {
            feature,
            value,
            won: stat.count.won,
            lost: stat.count.lost,
            weight: stat.weight,
        };
        if stat.weight > 0.0 {
            keep_strongest(&mut self.positive, factor, self.top, |a, b| {
                a.weight > b.weight
            });
        } else if stat.weight < 0.0 {
            keep_strongest(&mut self.negative, factor, self.top, |a, b| {
                a.weight < b.weight
            });
        }
    }

    fn finish(self, team: Option<&TeamId>, closed_deals: u64) -> WinPrediction<'d> {
        let log_odds = self.log_odds;
        WinPrediction {
            probability: Probability::from_fraction_clamped(1.0 / (1.0 + (-log_odds).exp())),
            basis: PredictionBasis::Model {
                team: team.cloned(),
                closed_deals,
            },
            positive: self.positive,
            negative: self.negative,
        }
    }
}

/// Inserts `factor` into `kept` (ordered strongest first by `stronger`) if it is among the
/// `limit` strongest; earlier factors win ties, so the order follows the features' order.
fn keep_strongest<'d>(
    kept: &mut Vec<WinFactor<'d>>,
    factor: WinFactor<'d>,
    limit: usize,
    stronger: impl Fn(&WinFactor<'d>, &WinFactor<'d>) -> bool,
) {
    let position = kept
        .iter()
        .position(|existing| stronger(&factor, existing))
        .unwrap_or(kept.len());
    if position < limit {
        if kept.len() == limit {
            kept.pop();
        }
        kept.insert(position, factor);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_likelihood_ratios_by_hand() {
        // 2 won in 制造业, 2 lost in 金融, α = 1, k = 2:
        // P(制造业 | won) = 3/4, P(制造业 | lost) = 1/4 → weight ln 3; prior ln(3/3) = 0.
        let mut counts = WinCounts::default();
        counts.add(&[(Feature::Industry, "制造业")], true);
        counts.add(&[(Feature::Industry, "制造业")], true);
        counts.add(&[(Feature::Industry, "金融")], false);
        counts.add(&[(Feature::Industry, "金融")], false);
        let model = TeamModel::new(&counts, 1.0);
        assert_eq!(model.closed_deals, 4);
        assert!(model.prior_log_odds.abs() < 1e-12);
        let table = &model.tables[Feature::Industry.index()];
        assert!((table[&ValueKey("制造业")].weight - 3.0_f64.ln()).abs() < 1e-12);
        assert!((table[&ValueKey("金融")].weight + 3.0_f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn rejects_bad_smoothing() {
        let counts = TeamWinCounts::default();
        let rates = crate::exchange::ExchangeRates::new(crate::money::Currency::CNY);
        let extractor = FeatureExtractor::new(rates, &[]).unwrap();
        for smoothing in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let settings = WinModelSettings {
                smoothing,
                ..WinModelSettings::default()
            };
            assert!(WinPredictor::new(&counts, &extractor, settings, &[], &[]).is_err());
        }
    }

    #[test]
    fn predicts_from_team_counts_with_factors() {
        use crate::deal::DealStatus;
        use crate::money::Currency;
        use crate::test_deal::{move_to, open_deal, team};
        let closed = |id: &str, industry: &str, won: bool| {
            let mut deal = open_deal(id, "qualify", 1);
            deal.team = Some(team("east"));
            deal.source = Some("referral".into());
            deal.account.industry = Some(industry.into());
            if won {
                move_to(&mut deal, 5, "demo", DealStatus::Open);
                move_to(&mut deal, 9, "demo", DealStatus::Won);
            } else {
                move_to(&mut deal, 9, "qualify", DealStatus::Lost);
            }
            deal
        };
        let history = [
            closed("w1", "制造业", true),
            closed("w2", "制造业", true),
            closed("l1", "金融", false),
            closed("l2", "金融", false),
        ];
        let rates = crate::exchange::ExchangeRates::new(Currency::CNY);
        let extractor = FeatureExtractor::new(rates, &[]).unwrap();
        let counts = TeamWinCounts::train(&history, &extractor).unwrap();
        let east = counts.counts(Some(&team("east"))).unwrap();
        assert_eq!(
            east.count(Feature::StageReached, "demo"),
            WonLost { won: 2, lost: 0 }
        );
        assert_eq!(
            east.count(Feature::StageReached, "qualify"),
            WonLost { won: 2, lost: 2 }
        );

        let pipelines = [Pipeline::template_new_business()];
        let settings = WinModelSettings {
            min_closed_deals: 4,
            ..WinModelSettings::default()
        };
        let predictor = WinPredictor::new(&counts, &extractor, settings, &pipelines, &[]).unwrap();
        let mut open = open_deal("o1", "demo", 1);
        open.team = Some(team("east"));
        open.source = Some("referral".into());
        open.account.industry = Some("制造业".into());
        // Stage demo: (2+1)/(2+2) ÷ (0+1)/(2+2) = 3; industry 制造业: 3/4 ÷ 1/4 = 3;
        // referral and the rest are seen equally often: 1. Odds 1 × 3 × 3 = 9 → 90 %.
        let prediction = predictor.predict(&open).unwrap();
        assert_eq!(
            prediction.probability,
            Probability::from_percent(90).unwrap()
        );
        let positive: Vec<(Feature, &str)> = prediction
            .positive
            .iter()
            .map(|f| (f.feature, f.value))
            .collect();
        assert_eq!(
            positive,
            [
                (Feature::StageReached, "demo"),
                (Feature::Industry, "制造业")
            ]
        );
        assert!(prediction.negative.is_empty());
        assert_eq!(
            prediction.positive[1].explain().en,
            "industry = 制造业: 2 won, 0 lost among closed deals"
        );
        assert_eq!(
            prediction
                .learned(Timestamp::from_millis(9))
                .map(|learned| learned.value),
            Some(prediction.probability)
        );

        let mut finance = open_deal("o2", "qualify", 1);
        finance.team = Some(team("east"));
        finance.account.industry = Some("金融".into());
        finance.account.region = Some("华北".into()); // never seen: skipped
        let prediction = predictor.predict(&finance).unwrap();
        assert_eq!(
            prediction.probability,
            Probability::from_percent(25).unwrap()
        );
        assert_eq!(prediction.negative.len(), 1);
        assert_eq!(prediction.negative[0].value, "金融");

        // A team without enough closed deals falls back to the stage rate and says so.
        let strict = WinModelSettings {
            min_closed_deals: 5,
            ..settings
        };
        let predictor = WinPredictor::new(&counts, &extractor, strict, &pipelines, &[]).unwrap();
        let prediction = predictor.predict(&open).unwrap();
        assert_eq!(
            prediction.probability,
            Probability::from_percent(40).unwrap()
        );
        assert_eq!(
            prediction.basis,
            PredictionBasis::StageRate {
                team: Some(team("east")),
                closed_deals: 4,
                required: 5,
                stage_rests_on: 0,
            }
        );
        assert_eq!(
            prediction.explain().en,
            "only 4 closed deals in the team (5 needed): using the stage win rate"
        );
        assert_eq!(prediction.learned(Timestamp::from_millis(9)), None);
        let mut stranger = open.clone();
        stranger.team = Some(team("west"));
        let prediction = predictor.predict(&stranger).unwrap();
        assert!(matches!(
            prediction.basis,
            PredictionBasis::StageRate {
                closed_deals: 0,
                ..
            }
        ));
    }
}
