//! Engagement score (行为积分): follow-ups and marketing touches, weighted by type and decayed
//! by age with a configurable half-life.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Score;
use super::error::{Requirement, ScoreError};
use crate::deal::{Deal, FollowUpKind};
use crate::i18n::LocalizedText;
use crate::id::RecordId;
use crate::timestamp::{MILLIS_PER_DAY, Timestamp};

/// How interactions count. Serde configuration; checked by [`engagement_score`].
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct EngagementSettings {
    /// Points of a fresh follow-up of each kind; kinds not listed count 0.
    pub follow_up_points: BTreeMap<FollowUpKind, u32>,
    /// Points of a fresh marketing touchpoint.
    pub touchpoint_points: u32,
    /// Days after which an interaction counts half (positive).
    pub half_life_days: u32,
    /// Decayed points that make a score of 100 (positive); more is capped at 100.
    pub full_score_points: u32,
}

impl Default for EngagementSettings {
    /// Visits and demos count most, instant messages least; a 14-day half-life; 40 points for
    /// a full score (e.g. a visit, a demo and a meeting this week plus a few calls).
    fn default() -> Self {
        EngagementSettings {
            follow_up_points: BTreeMap::from([
                (FollowUpKind::Visit, 10),
                (FollowUpKind::Demo, 12),
                (FollowUpKind::Meeting, 8),
                (FollowUpKind::Call, 3),
                (FollowUpKind::Email, 2),
                (FollowUpKind::Im, 1),
            ]),
            touchpoint_points: 1,
            half_life_days: 14,
            full_score_points: 40,
        }
    }
}

/// What kind of interaction.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize)]
#[serde(tag = "kind", content = "follow_up", rename_all = "snake_case")]
pub enum InteractionKind {
    /// A follow-up of this kind.
    FollowUp(FollowUpKind),
    /// A marketing touchpoint.
    Touchpoint,
}

/// One interaction's contribution.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct Interaction<'a> {
    /// The follow-up or touchpoint record.
    pub record: &'a RecordId,
    /// Its kind.
    pub kind: InteractionKind,
    /// When it happened.
    pub at: Timestamp,
    /// Age in days at `now` (fractional).
    pub age_days: f64,
    /// Points when fresh.
    pub weight: u32,
    /// `0.5 ^ (age_days / half_life_days)`.
    pub decay: f64,
    /// `weight × decay`.
    pub points: f64,
}

/// A deal's engagement score and what it is made of.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct EngagementScore<'a> {
    /// `min(100, round(100 × points / full_score_points))`.
    pub score: Score,
    /// Sum of the decayed points.
    pub points: f64,
    /// Every counted interaction, largest contribution first.
    pub interactions: Vec<Interaction<'a>>,
    /// Interactions dated after `now` (ignored; usually a wrong clock on a device).
    pub future_ignored: u32,
}

impl EngagementScore<'_> {
    /// A one-line explanation, e.g. "23.5 points from 6 interactions (half-life 14 days)".
    pub fn explain(&self, settings: &EngagementSettings) -> LocalizedText {
        let count = self.interactions.len();
        let days = settings.half_life_days;
        LocalizedText::new(
            format!(
                "{count} 次互动折算 {:.1} 分（半衰期 {days} 天），满分需 {} 分",
                self.points, settings.full_score_points
            ),
            format!(
                "{:.1} points from {count} interactions (half-life {days} days); {} points make 100",
                self.points, settings.full_score_points
            ),
        )
    }
}

/// Scores the follow-ups and touchpoints of `deal` as of `now`.
///
/// Each interaction is worth its kind's points times `0.5 ^ (age / half-life)`, so an
/// interaction one half-life old counts half and two half-lives old a quarter.
pub fn engagement_score<'a>(
    deal: &'a Deal,
    now: Timestamp,
    settings: &EngagementSettings,
) -> Result<EngagementScore<'a>, ScoreError> {
    if settings.half_life_days == 0 {
        return Err(invalid("half_life_days", settings.half_life_days));
    }
    if settings.full_score_points == 0 {
        return Err(invalid("full_score_points", settings.full_score_points));
    }
    let half_life_millis = f64::from(settings.half_life_days) * MILLIS_PER_DAY as f64;
    let mut interactions = Vec::new();
    let mut future_ignored = 0_u32;
    let follow_ups = deal.follow_ups.values().map(|follow_up| {
        let weight = settings
            .follow_up_points
            .get(&follow_up.kind)
            .copied()
            .unwrap_or(0);
        (
            &follow_up.id,
            InteractionKind::FollowUp(follow_up.kind),
            follow_up.at,
            weight,
        )
    });
    let touchpoints = deal.touchpoints.values().map(|touchpoint| {
        (
            &touchpoint.id,
            InteractionKind::Touchpoint,
            touchpoint.at,
            settings.touchpoint_points,
        )
    });
    for (record, kind, at, weight) in follow_ups.chain(touchpoints) {
        let age_millis = now.millis().saturating_sub(at.millis());
        if age_millis < 0 {
            future_ignored = future_ignored.saturating_add(1);
            continue;
        }
        if weight == 0 {
            continue;
        }
        let decay = 0.5_f64.powf(age_millis as f64 / half_life_millis);
        interactions.push(Interaction {
            record,
            kind,
            at,
            age_days: age_millis as f64 / MILLIS_PER_DAY as f64,
            weight,
            decay,
            points: f64::from(weight) * decay,
        });
    }
    interactions.sort_by(|a, b| {
        b.points
            .total_cmp(&a.points)
            .then_with(|| a.record.cmp(b.record))
    });
    let points: f64 = interactions
        .iter()
        .map(|interaction| interaction.points)
        .sum();
    let ratio = points / f64::from(settings.full_score_points);
    Ok(EngagementScore {
        score: Score::from_fraction(ratio),
        points,
        interactions,
        future_ignored,
    })
}

fn invalid(setting: &'static str, value: u32) -> ScoreError {
    ScoreError::InvalidSetting {
        setting,
        value: value.to_string(),
        requirement: Requirement::Positive,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deal::{FollowUp, Touchpoint};
    use crate::test_deal::{day, open_deal, user};

    fn follow_up(id: &str, kind: FollowUpKind, at: Timestamp) -> (RecordId, FollowUp) {
        let id = RecordId::new(id).unwrap();
        let record = FollowUp {
            id: id.clone(),
            kind,
            at,
            by: user("rep-a"),
            participants: Vec::new(),
            summary: String::new(),
            customer_feedback: String::new(),
            next_step: None,
        };
        (id, record)
    }

    #[test]
    fn decays_by_half_life() {
        let mut deal = open_deal("d", "demo", 1);
        deal.follow_ups = [
            follow_up("visit", FollowUpKind::Visit, day(28)),
            follow_up("demo", FollowUpKind::Demo, day(14)),
            follow_up("email", FollowUpKind::Email, day(0)),
            follow_up("future", FollowUpKind::Call, day(30)),
        ]
        .into_iter()
        .collect();
        let touch = RecordId::new("ad").unwrap();
        deal.touchpoints.insert(
            touch.clone(),
            Touchpoint {
                id: touch,
                at: day(21),
                channel: "wechat_ad".into(),
                campaign: None,
            },
        );
        let settings = EngagementSettings::default();
        let score = engagement_score(&deal, day(28), &settings).unwrap();
        // Visit today 10, demo one half-life ago 12 × ½ = 6, email two half-lives ago
        // 2 × ¼ = 0.5, touchpoint half a half-life ago 1 × 2^-½ ≈ 0.7071.
        let expected = 10.0 + 6.0 + 0.5 + 0.5_f64.sqrt();
        assert!((score.points - expected).abs() < 1e-9, "{}", score.points);
        // 17.2071 / 40 = 43.02 % → 43.
        assert_eq!(score.score.points(), 43);
        assert_eq!(score.future_ignored, 1);
        let order: Vec<&str> = score
            .interactions
            .iter()
            .map(|i| i.record.as_str())
            .collect();
        assert_eq!(order, ["visit", "demo", "ad", "email"]);
        assert!(
            score
                .explain(&settings)
                .en
                .starts_with("17.2 points from 4 interactions")
        );
    }

    #[test]
    fn caps_at_100_and_checks_settings() {
        let mut deal = open_deal("d", "demo", 1);
        deal.follow_ups = (0..10)
            .map(|n| follow_up(&format!("v{n}"), FollowUpKind::Visit, day(5)))
            .collect();
        let settings = EngagementSettings::default();
        assert_eq!(
            engagement_score(&deal, day(5), &settings)
                .unwrap()
                .score
                .points(),
            100
        );
        let broken = EngagementSettings {
            half_life_days: 0,
            ..settings.clone()
        };
        assert!(engagement_score(&deal, day(5), &broken).is_err());
        let broken = EngagementSettings {
            full_score_points: 0,
            ..settings
        };
        assert!(engagement_score(&deal, day(5), &broken).is_err());
    }
}
