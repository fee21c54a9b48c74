//! Scoring (商机评分): which deals deserve a rep's time, and why.
//!
//! - [`FitScorer`] (属性评分): weighted rules over the account against the ideal customer
//!   profile, each rule explained.
//! - [`engagement_score`] (行为积分): follow-ups and touchpoints weighted by kind and decayed by
//!   age.
//! - [`WinPredictor`] (智能评分): naive Bayes over per-team [`TeamWinCounts`] of won and lost
//!   deals per (feature, value), with the top positive and negative factors; counts are
//!   additive, so copies trained apart [`merge`](TeamWinCounts::merge) by adding.
//! - [`deal_health`]: rules over the deal's state, each with a reason and a next best action.
//! - [`rfm`]: recency, frequency and monetary quintiles and segments of existing customers.
//!
//! Every score carries what it was computed from; every reason and action is bilingual.

mod engagement;
mod error;
mod fit;
mod health;
mod health_text;
mod rfm;
mod win_counts;
mod win_features;
mod win_prediction;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use engagement::{
    EngagementScore, EngagementSettings, Interaction, InteractionKind, engagement_score,
};
pub use error::{FitProblem, Requirement, ScoreError};
pub use fit::{FitCondition, FitProfile, FitRule, FitRuleResult, FitScore, FitScorer, RuleOutcome};
pub use health::{
    HealthFinding, HealthPenalties, HealthReport, HealthRule, HealthSettings, deal_health,
};
pub use rfm::{Purchase, RfmScore, RfmSegment, purchases_from_deals, rfm};
pub use win_counts::{TeamWinCounts, WinCounts, WonLost};
pub use win_features::{Feature, FeatureExtractor};
pub(crate) use win_features::{NO, YES, size_value};
pub use win_prediction::{
    PredictionBasis, WinFactor, WinModelSettings, WinPrediction, WinPredictor,
};

/// A score from 0 to 100 points.
///
/// ```
/// use dealflow_core::Score;
/// assert_eq!(Score::new(80).unwrap().points(), 80);
/// assert!(Score::new(101).is_err());
/// ```
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default, Serialize, Deserialize,
)]
#[serde(try_from = "u8", into = "u8")]
pub struct Score(u8);

impl Score {
    /// A score of `points` (0..=100).
    pub fn new(points: u8) -> Result<Self, ScoreError> {
        if points <= 100 {
            Ok(Score(points))
        } else {
            Err(ScoreError::ScoreOutOfRange { points })
        }
    }

    /// Points, 0..=100.
    pub const fn points(self) -> u8 {
        self.0
    }

    /// `100 × part / whole`, rounded half up and capped at 100; 0 when `whole` is 0.
    pub(crate) fn from_ratio(part: u64, whole: u64) -> Score {
        if whole == 0 {
            return Score(0);
        }
        let points = (u128::from(part) * 200 + u128::from(whole)) / (u128::from(whole) * 2);
        Score(u8::try_from(points.min(100)).unwrap_or(100))
    }

    /// `100 × fraction`, rounded and clamped to 0..=100 (NaN is 0).
    pub(crate) fn from_fraction(fraction: f64) -> Score {
        if fraction.is_nan() {
            return Score(0);
        }
        // The clamp keeps the value within 0..=100, so the cast is exact.
        Score((fraction * 100.0).round().clamp(0.0, 100.0) as u8)
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl TryFrom<u8> for Score {
    type Error = ScoreError;

    fn try_from(points: u8) -> Result<Self, Self::Error> {
        Score::new(points)
    }
}

impl From<Score> for u8 {
    fn from(score: Score) -> Self {
        score.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_round_half_up() {
        assert_eq!(Score::from_ratio(3, 4).points(), 75);
        assert_eq!(Score::from_ratio(1, 3).points(), 33);
        assert_eq!(Score::from_ratio(2, 3).points(), 67);
        assert_eq!(Score::from_ratio(1, 200).points(), 1); // 0.5 rounds up
        assert_eq!(Score::from_ratio(5, 0).points(), 0);
        assert_eq!(Score::from_ratio(7, 5).points(), 100);
        assert_eq!(Score::from_fraction(0.444).points(), 44);
        assert_eq!(Score::from_fraction(f64::NAN).points(), 0);
        assert_eq!(Score::from_fraction(3.0).points(), 100);
    }
}
