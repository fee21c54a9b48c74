//! The analytics set a pipeline review runs: funnel, stage dwell and pipeline change over
//! 100,000 deals with 1,000,000 stage-history entries, generated deterministically from a seed.
//!
//! Run with `cargo bench -p dealflow-core --bench analytics`; criterion writes the median to
//! `target/criterion/<group>/<bench>/new/estimates.json`.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dealflow_core::analytics::{
    DateRange, DealSet, Filter, PipelineScope, ReportContext, SegmentDimension, funnel,
    pipeline_change, stage_dwell,
};
use dealflow_core::{
    Account, AmountChange, CloseDateChange, CompanySize, Currency, Deal, DealStatus, ExchangeRates,
    MILLIS_PER_DAY, Money, NewDeal, Pipeline, PipelineId, StageId, StageTransition, TeamId,
    Timestamp, TransitionKind, UserId,
};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use time::macros::{date, offset};

const DEALS: usize = 100_000;
const ENTRIES_PER_DEAL: usize = 10;
/// 2024-01-01T00:00:00+08:00: deals are created over the two years that follow.
const EPOCH: i64 = 1_704_038_400_000;

fn id<T: TryFrom<String>>(text: String) -> T
where
    T::Error: std::fmt::Debug,
{
    T::try_from(text).expect("generated ids are valid")
}

/// `DEALS` deals in the new-business pipeline, each with exactly `ENTRIES_PER_DEAL` history
/// entries: a random walk of forward and backward moves, wins, losses, stops and reopens.
fn generate(seed: u64) -> Vec<Deal> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let pipeline = Pipeline::template_new_business();
    let stages: Vec<StageId> = pipeline
        .stages
        .iter()
        .map(|stage| stage.id.clone())
        .collect();
    let teams: Vec<TeamId> = (0..20).map(|team| id(format!("team-{team}"))).collect();
    let reps: Vec<UserId> = (0..200).map(|rep| id(format!("rep-{rep}"))).collect();
    let sources = [
        "web",
        "trade_show",
        "referral",
        "partner",
        "cold_call",
        "ads",
    ];
    let industries = [
        "制造业",
        "金融",
        "能源",
        "零售",
        "医疗",
        "教育",
        "政府",
        "物流",
    ];
    let sizes = [
        CompanySize::Micro,
        CompanySize::Small,
        CompanySize::Medium,
        CompanySize::Large,
        CompanySize::Enterprise,
    ];
    let mut deals = Vec::with_capacity(DEALS);
    for number in 0..DEALS {
        let owner = reps[rng.random_range(0..reps.len())].clone();
        let created = EPOCH + rng.random_range(0..730) * MILLIS_PER_DAY;
        let currency = if rng.random_bool(0.1) {
            Currency::USD
        } else {
            Currency::CNY
        };
        let amount = Money::new(rng.random_range(10_000..5_000_000) * 100, currency);
        let mut history = Vec::with_capacity(ENTRIES_PER_DEAL);
        let mut at = created;
        let mut stage = 0_usize;
        let mut status = DealStatus::Open;
        for entry in 0..ENTRIES_PER_DEAL {
            let (kind, next_status) = if entry == 0 {
                (TransitionKind::Created, DealStatus::Open)
            } else if status != DealStatus::Open {
                stage = rng.random_range(0..stages.len());
                (TransitionKind::Reopened, DealStatus::Open)
            } else {
                let roll = rng.random_range(0..100);
                if roll < 60 && stage + 1 < stages.len() {
                    stage += 1;
                    (TransitionKind::Forward, DealStatus::Open)
                } else if roll < 75 && stage > 0 {
                    stage -= 1;
                    (TransitionKind::Backward, DealStatus::Open)
                } else if roll < 83 {
                    (TransitionKind::Won, DealStatus::Won)
                } else if roll < 93 {
                    (TransitionKind::Lost, DealStatus::Lost)
                } else {
                    (TransitionKind::Stopped, DealStatus::Stopped)
                }
            };
            if entry > 0 {
                at +=
                    rng.random_range(1..20) * MILLIS_PER_DAY + rng.random_range(0..MILLIS_PER_DAY);
            }
            status = next_status;
            let reason = match status {
                DealStatus::Lost => Some("price".to_owned()),
                DealStatus::Stopped => Some("budget_frozen".to_owned()),
                _ => None,
            };
            history.push(StageTransition {
                id: id(format!("h{entry}")),
                at: Timestamp::from_millis(at),
                by: owner.clone(),
                kind,
                stage: stages[stage].clone(),
                status,
                reason,
                note: String::new(),
            });
        }
        let mut close = date!(2024 - 03 - 31);
        let mut close_date_changes = Vec::new();
        let mut amount_changes = Vec::new();
        let mut current_amount = amount;
        for change in 0..rng.random_range(0..4) {
            let at = Timestamp::from_millis(created + (change + 1) * 15 * MILLIS_PER_DAY);
            let moved = close.saturating_add(time::Duration::days(rng.random_range(-20..60)));
            close_date_changes.push(CloseDateChange {
                id: id(format!("c{change}")),
                at,
                by: owner.clone(),
                from: Some(close),
                to: Some(moved),
            });
            close = moved;
            let new_amount = Money::new(
                current_amount.minor() + rng.random_range(-100_000..100_000) * 100,
                currency,
            );
            amount_changes.push(AmountChange {
                id: id(format!("a{change}")),
                at,
                by: owner.clone(),
                from: current_amount,
                to: new_amount,
            });
            current_amount = new_amount;
        }
        // The random draws in the order the deal's fields always made them (industry, size,
        // source, team), so that a seed still generates the same deals.
        let account = Account {
            industry: Some(industries[rng.random_range(0..industries.len())].to_owned()),
            size: Some(sizes[rng.random_range(0..sizes.len())]),
            ..Account::default()
        };
        let source = Some(sources[rng.random_range(0..sources.len())].to_owned());
        let team = Some(teams[rng.random_range(0..teams.len())].clone());
        let mut deal = Deal::opened(
            NewDeal {
                id: id(format!("deal-{number}")),
                title: format!("商机 {number}"),
                account,
                amount: current_amount,
                expected_close: Some(close),
                owner: owner.clone(),
                team,
                source,
                stage: None,
            },
            pipeline.id.clone(),
            history,
            Timestamp::from_millis(created),
            owner,
        );
        deal.close_date_changes = close_date_changes;
        deal.amount_changes = amount_changes;
        deals.push(deal);
    }
    deals
}

fn bench_analytics(c: &mut Criterion) {
    let deals = generate(0x5EED);
    let entries: usize = deals.iter().map(|deal| deal.history.len()).sum();
    assert_eq!((deals.len(), entries), (DEALS, DEALS * ENTRIES_PER_DEAL));
    let pipeline = Pipeline::template_new_business();
    let rates = ExchangeRates::new(Currency::CNY)
        .with_rate(Currency::USD, "7.1234")
        .expect("valid rate");
    // Teams 0–9 report to "east", the rest to "west"; both report to the company.
    let mut teams: BTreeMap<TeamId, TeamId> = BTreeMap::new();
    for team in 0..20 {
        let parent = if team < 10 { "east" } else { "west" };
        teams.insert(id(format!("team-{team}")), id(parent.to_owned()));
    }
    teams.insert(id("east".to_owned()), id("company".to_owned()));
    teams.insert(id("west".to_owned()), id("company".to_owned()));
    let ctx = ReportContext::new(
        &teams,
        offset!(+8),
        Timestamp::from_millis(EPOCH + 800 * MILLIS_PER_DAY),
    );
    let everything = Filter::all().in_pipeline(id::<PipelineId>("new_business".to_owned()));
    let month = DateRange::month(2025, time::Month::June).expect("valid month");
    let review = everything.clone().in_period(month);
    let scope = PipelineScope::ClosingIn {
        period: DateRange::quarter(2024, 2).expect("valid quarter"),
    };
    let run_set = |set: &DealSet| {
        let funnel = funnel(set, &pipeline, &everything, &ctx).expect("funnel");
        let dwell = stage_dwell(set, &pipeline, &everything, &ctx, &[]).expect("dwell");
        let change = pipeline_change(set, &review, &ctx, scope).expect("change");
        (funnel, dwell, change)
    };

    let mut group = c.benchmark_group("analytics_100k_deals_1m_entries");
    group.sample_size(20);
    group.throughput(Throughput::Elements(entries as u64));
    let mut spare = Some(deals);
    // Building consumes the deals: time only the build, then take them back for the next one.
    group.bench_function("build_deal_set", |b| {
        b.iter_custom(|iterations| timed_builds(&mut spare, &rates, iterations, |_| ()))
    });
    group.bench_function("full_set_including_build", |b| {
        b.iter_custom(|iterations| {
            timed_builds(&mut spare, &rates, iterations, |set| {
                black_box(run_set(set));
            })
        })
    });
    let set = DealSet::new(spare.take().expect("deals are back"), rates.clone()).expect("set");
    group.bench_function("funnel", |b| {
        b.iter(|| funnel(black_box(&set), &pipeline, &everything, &ctx).expect("funnel"))
    });
    group.bench_function("stage_dwell", |b| {
        b.iter(|| stage_dwell(black_box(&set), &pipeline, &everything, &ctx, &[]).expect("dwell"))
    });
    group.bench_function("stage_dwell_by_industry", |b| {
        let by_industry = [SegmentDimension::Industry];
        b.iter(|| {
            stage_dwell(black_box(&set), &pipeline, &everything, &ctx, &by_industry).expect("dwell")
        })
    });
    group.bench_function("pipeline_change", |b| {
        b.iter(|| pipeline_change(black_box(&set), &review, &ctx, scope).expect("change"))
    });
    group.bench_function("full_set", |b| b.iter(|| run_set(black_box(&set))));
    group.finish();
}

/// Runs `iterations` builds of a set from `spare` (each followed by `work` on it) and returns the
/// time they took, leaving the deals in `spare` again.
#[allow(clippy::disallowed_methods)] // A benchmark measures time; core code never does.
fn timed_builds(
    spare: &mut Option<Vec<Deal>>,
    rates: &ExchangeRates,
    iterations: u64,
    mut work: impl FnMut(&DealSet),
) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iterations {
        let deals = spare.take().expect("deals are back");
        let started = Instant::now();
        let set = DealSet::new(deals, rates.clone()).expect("set");
        work(&set);
        total += started.elapsed();
        *spare = Some(set.into_deals());
    }
    total
}

criterion_group!(benches, bench_analytics);
criterion_main!(benches);
