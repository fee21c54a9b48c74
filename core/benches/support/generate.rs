//! Deterministic benchmark data: deals with realistic stage histories, drawn from a seeded
//! ChaCha8 generator so every run measures the same input.
//!
//! Shared by the forecast and score benchmarks; each uses part of it.
#![allow(dead_code)]

use std::collections::BTreeMap;

use dealflow_core::*;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use time::Date;
use time::macros::offset;

/// 2026-01-01T00:00:00Z.
pub(crate) const START: i64 = 1_767_225_600_000;

pub(crate) fn at(days: i64) -> Timestamp {
    Timestamp::from_millis(START + days * MILLIS_PER_DAY)
}

/// What kind of deals to draw.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Mix {
    /// 60 % open, 20 % won, 15 % lost, 5 % stopped.
    Pipeline,
    /// Won or lost only (training data), 40 % won.
    Closed,
    /// Open only.
    Open,
}

pub(crate) fn rates() -> ExchangeRates {
    ExchangeRates::new(Currency::CNY)
        .with_rate(Currency::USD, "7.1234")
        .unwrap()
}

pub(crate) fn settings(kind: PeriodKind) -> ForecastSettings {
    ForecastSettings::new(rates(), offset!(+8), kind)
}

/// 40 teams under 5 regions under one company.
pub(crate) fn hierarchy() -> BTreeMap<TeamId, TeamId> {
    let mut parents = BTreeMap::new();
    for region in 0..5 {
        let region_id = TeamId::new(format!("region-{region}")).unwrap();
        parents.insert(region_id.clone(), TeamId::new("company").unwrap());
        for team in 0..8 {
            let team_id = TeamId::new(format!("team-{}", region * 8 + team)).unwrap();
            parents.insert(team_id, region_id.clone());
        }
    }
    parents
}

/// `count` deals of the new-business pipeline, each with exactly `events` history entries.
pub(crate) fn deals(count: usize, events: usize, mix: Mix, seed: u64) -> Vec<Deal> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let pipeline = Pipeline::template_new_business();
    let stage_ids: Vec<StageId> = pipeline
        .stages
        .iter()
        .map(|stage| stage.id.clone())
        .collect();
    let reps: Vec<UserId> = (0..200)
        .map(|n| UserId::new(format!("rep-{n}")).unwrap())
        .collect();
    let teams: Vec<TeamId> = (0..40)
        .map(|n| TeamId::new(format!("team-{n}")).unwrap())
        .collect();
    let industries = [
        "制造业",
        "能源",
        "金融",
        "零售",
        "医疗",
        "教育",
        "物流",
        "政府",
        "地产",
        "互联网",
    ];
    let regions = ["华东", "华南", "华北", "华中", "西南", "西北", "东北"];
    let sources = [
        "referral",
        "trade_show",
        "web",
        "cold_call",
        "partner",
        "campaign",
    ];
    let sizes = [
        CompanySize::Micro,
        CompanySize::Small,
        CompanySize::Medium,
        CompanySize::Large,
        CompanySize::Enterprise,
    ];
    let categories = [
        ForecastCategory::Pipeline,
        ForecastCategory::BestCase,
        ForecastCategory::Commit,
    ];
    let by = UserId::new("rep-0").unwrap();
    let record = |prefix: &str, n: usize| RecordId::new(format!("{prefix}{n}")).unwrap();
    (0..count)
        .map(|n| {
            let owner = rep(&reps, &mut rng);
            let team = teams[rng.random_range(0..teams.len())].clone();
            let currency = if rng.random_range(0..10) == 0 {
                Currency::USD
            } else {
                Currency::CNY
            };
            let amount = Money::new(rng.random_range(1_000_000..200_000_000), currency);
            let month = rng.random_range(1..=12_u8);
            let close = Date::from_calendar_date(
                2026,
                time::Month::try_from(month).unwrap(),
                rng.random_range(1..=28),
            )
            .ok();
            let outcome = match mix {
                Mix::Open => DealStatus::Open,
                Mix::Closed => {
                    if rng.random_range(0..10) < 4 {
                        DealStatus::Won
                    } else {
                        DealStatus::Lost
                    }
                }
                Mix::Pipeline => match rng.random_range(0..20) {
                    0..=11 => DealStatus::Open,
                    12..=15 => DealStatus::Won,
                    16..=18 => DealStatus::Lost,
                    _ => DealStatus::Stopped,
                },
            };
            // A walk through the stages, mostly forward, one entry every few days.
            let mut history = Vec::with_capacity(events);
            let mut stage_index = 0_usize;
            let mut day = -rng.random_range(0..300_i64);
            for event in 0..events {
                let last = event + 1 == events;
                let status = if last { outcome } else { DealStatus::Open };
                if event > 0 && !last {
                    stage_index = if rng.random_range(0..4) == 0 {
                        stage_index.saturating_sub(1)
                    } else {
                        (stage_index + 1).min(stage_ids.len() - 1)
                    };
                }
                day += rng.random_range(1..8);
                history.push(StageTransition {
                    id: record("t", event),
                    at: at(day),
                    by: by.clone(),
                    kind: match (event, status) {
                        (0, _) => TransitionKind::Created,
                        (_, DealStatus::Won) => TransitionKind::Won,
                        (_, DealStatus::Lost) => TransitionKind::Lost,
                        (_, DealStatus::Stopped) => TransitionKind::Stopped,
                        (_, DealStatus::Open) => TransitionKind::Forward,
                    },
                    stage: stage_ids[stage_index].clone(),
                    status,
                    reason: None,
                    note: String::new(),
                });
            }
            let mut deal = Deal::opened(
                NewDeal {
                    id: DealId::new(format!("deal-{n}")).unwrap(),
                    title: format!("deal {n}"),
                    account: Account {
                        id: Some(AccountId::new(format!("account-{}", n % 5_000)).unwrap()),
                        name: format!("account {n}"),
                        industry: Some(
                            industries[rng.random_range(0..industries.len())].to_owned(),
                        ),
                        size: Some(sizes[rng.random_range(0..sizes.len())]),
                        region: Some(regions[rng.random_range(0..regions.len())].to_owned()),
                        background: String::new(),
                    },
                    amount,
                    expected_close: close,
                    owner,
                    team: Some(team),
                    // Drawn after the account, as the deal's fields always were, so that a seed
                    // still generates the same deals.
                    source: Some(sources[rng.random_range(0..sources.len())].to_owned()),
                    stage: None,
                },
                pipeline.id.clone(),
                history,
                at(-400),
                by.clone(),
            );
            for line in 0..rng.random_range(1..=3) {
                let id = record("p", line);
                let product = rng.random_range(0..20);
                deal.product_lines.insert(
                    id.clone(),
                    ProductLine {
                        id,
                        product_id: Some(ProductId::new(format!("product-{product}")).unwrap()),
                        product: format!("product {product}"),
                        quantity: 1,
                        unit_price: amount,
                        discount: Discount::NONE,
                    },
                );
            }
            if rng.random_range(0..10) < 3 {
                let id = record("c", 0);
                deal.competitors.insert(
                    id.clone(),
                    Competitor {
                        id,
                        name: "竞品甲".into(),
                        product: String::new(),
                        price: None,
                        strengths: vec![],
                        weaknesses: vec![],
                        status: CompetitorStatus::Active,
                    },
                );
            }
            if rng.random_range(0..2) == 0 {
                let id = ContactId::new("boss").unwrap();
                deal.contacts.insert(
                    id.clone(),
                    Contact {
                        id,
                        name: "张总".into(),
                        title: String::new(),
                        role: ContactRole::DecisionMaker,
                        stance: Stance::Neutral,
                        influence: Influence::High,
                        last_contacted: None,
                        phone: String::new(),
                        email: String::new(),
                    },
                );
            }
            if rng.random_range(0..5) == 0 {
                deal.probability.manual = Some(ManualProbability {
                    value: Probability::from_basis_points(rng.random_range(0..=10_000)).unwrap(),
                    set_by: by.clone(),
                    set_at: at(0),
                });
            }
            if rng.random_range(0..10) < 3 {
                deal.probability.learned = Some(LearnedProbability {
                    value: Probability::from_basis_points(rng.random_range(0..=10_000)).unwrap(),
                    computed_at: at(0),
                });
            }
            if rng.random_range(0..10) == 0 {
                deal.forecast_category = Some(CategoryOverride {
                    category: categories[rng.random_range(0..categories.len())],
                    set_by: by.clone(),
                    set_at: at(0),
                });
            }
            if rng.random_range(0..20) == 0 {
                deal.forecast_adjustments.push(ForecastAdjustment {
                    id: record("adj", 0),
                    by: by.clone(),
                    at: at(1),
                    from: ForecastCategory::Pipeline,
                    to: categories[rng.random_range(0..categories.len())],
                    note: String::new(),
                });
            }
            deal
        })
        .collect()
}

fn rep(reps: &[UserId], rng: &mut ChaCha8Rng) -> UserId {
    reps[rng.random_range(0..reps.len())].clone()
}
