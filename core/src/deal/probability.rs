//! Probability and forecast-category inputs of a deal.

use serde::{Deserialize, Serialize};

use crate::deal::DealError;
use crate::id::{RecordId, UserId};
use crate::pipeline::ForecastCategory;
use crate::probability::Probability;
use crate::timestamp::Timestamp;

/// A win probability computed by the scoring model.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct LearnedProbability {
    /// The probability.
    pub value: Probability,
    /// When the model computed it.
    pub computed_at: Timestamp,
}

/// A win probability set by hand.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ManualProbability {
    /// The probability.
    pub value: Probability,
    /// Who set it.
    pub set_by: UserId,
    /// When.
    pub set_at: Timestamp,
}

/// Which input an effective probability came from.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbabilitySource {
    /// Set by hand.
    Manual,
    /// From the scoring model.
    Learned,
    /// The current stage's default.
    StageDefault,
    /// The deal is won: 100 %.
    Won,
    /// The deal is lost or stopped: 0 %.
    Closed,
}

/// The probability that counts for a deal, and where it came from.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct EffectiveProbability {
    /// The probability.
    pub value: Probability,
    /// Its source.
    pub source: ProbabilitySource,
}

/// The owner's forecast category for a deal, overriding the stage default.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct CategoryOverride {
    /// The category.
    pub category: ForecastCategory,
    /// Who set it.
    pub set_by: UserId,
    /// When.
    pub set_at: Timestamp,
}

/// A manager's adjustment of a deal's forecast category, recorded apart from the owner's call.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ForecastAdjustment {
    /// Identifier within the deal.
    pub id: RecordId,
    /// The manager.
    pub by: UserId,
    /// When.
    pub at: Timestamp,
    /// Category before the adjustment.
    pub from: ForecastCategory,
    /// Category after it.
    pub to: ForecastCategory,
    /// Why.
    pub note: String,
}

impl crate::deal::Deal {
    /// The probability that counts, by one rule: a won deal is 100 %, a lost or stopped one 0 %;
    /// an open deal uses the manual override if set, else the learned value if set, else the
    /// current stage's default from `pipeline`.
    ///
    /// Errors when the deal is open in a stage the pipeline does not have.
    pub fn effective_probability(
        &self,
        pipeline: &crate::pipeline::Pipeline,
    ) -> Result<EffectiveProbability, crate::pipeline::PipelineError> {
        use crate::deal::DealStatus;
        let effective = |value, source| EffectiveProbability { value, source };
        match self.status() {
            DealStatus::Won => Ok(effective(Probability::CERTAIN, ProbabilitySource::Won)),
            DealStatus::Lost | DealStatus::Stopped => {
                Ok(effective(Probability::ZERO, ProbabilitySource::Closed))
            }
            DealStatus::Open => {
                if let Some(manual) = &self.probability.manual {
                    return Ok(effective(manual.value, ProbabilitySource::Manual));
                }
                if let Some(learned) = &self.probability.learned {
                    return Ok(effective(learned.value, ProbabilitySource::Learned));
                }
                let stage = match self.stage() {
                    Some(stage) => pipeline.stage(stage)?,
                    None => pipeline.first_stage()?,
                };
                Ok(effective(
                    stage.probability,
                    ProbabilitySource::StageDefault,
                ))
            }
        }
    }
}

impl crate::deal::Deal {
    /// Sets the manual probability override (who and when are recorded). Only open deals take
    /// one: a closed deal's probability follows from its outcome.
    pub fn set_manual_probability(
        &mut self,
        value: Probability,
        by: UserId,
        at: Timestamp,
    ) -> Result<(), DealError> {
        let status = self.status();
        if status != crate::deal::DealStatus::Open {
            return Err(DealError::DealClosed { status });
        }
        self.probability.manual = Some(ManualProbability {
            value,
            set_by: by,
            set_at: at,
        });
        Ok(())
    }

    /// Removes the manual override, so the learned value or the stage default counts again;
    /// returns the removed override. Who cleared it is in the deal document's change history.
    pub fn clear_manual_probability(&mut self) -> Option<ManualProbability> {
        self.probability.manual.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{ctx, day, open, user};
    use crate::pipeline::{MoveTarget, Pipeline};

    fn percent(value: u8) -> Probability {
        Probability::from_percent(value).unwrap()
    }

    #[test]
    fn manual_over_learned_over_stage_default() {
        let pipeline = Pipeline::template_new_business();
        let mut deal = open(&pipeline);
        let effective = |deal: &crate::deal::Deal| deal.effective_probability(&pipeline).unwrap();
        assert_eq!(
            effective(&deal),
            EffectiveProbability {
                value: percent(10),
                source: ProbabilitySource::StageDefault
            }
        );
        deal.probability.learned = Some(LearnedProbability {
            value: percent(22),
            computed_at: day(1),
        });
        assert_eq!(effective(&deal).source, ProbabilitySource::Learned);
        deal.set_manual_probability(percent(35), user("rep-li"), day(2))
            .unwrap();
        assert_eq!(effective(&deal).value, percent(35));
        assert_eq!(effective(&deal).source, ProbabilitySource::Manual);
        let manual = deal.probability.manual.clone().unwrap();
        assert_eq!((manual.set_by, manual.set_at), (user("rep-li"), day(2)));

        let cleared = deal.clear_manual_probability().unwrap();
        assert_eq!(cleared.value, percent(35));
        assert_eq!(deal.clear_manual_probability(), None);
        assert_eq!(effective(&deal).source, ProbabilitySource::Learned);
    }

    #[test]
    fn closed_deals_follow_their_outcome_and_refuse_overrides() {
        let pipeline = Pipeline::template_new_business();
        let mut deal = open(&pipeline);
        deal.set_manual_probability(percent(80), user("rep-li"), day(1))
            .unwrap();
        let lost = MoveTarget::Lost {
            reason: "price".into(),
            note: String::new(),
        };
        pipeline.move_deal(&mut deal, &lost, &ctx("t1", 2)).unwrap();
        let effective = deal.effective_probability(&pipeline).unwrap();
        assert_eq!(effective.value, Probability::ZERO);
        assert_eq!(effective.source, ProbabilitySource::Closed);
        assert_eq!(
            deal.set_manual_probability(percent(50), user("rep-li"), day(3)),
            Err(DealError::DealClosed {
                status: crate::deal::DealStatus::Lost
            })
        );
    }
}
