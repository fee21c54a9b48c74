//! Forecasting at scale: the four-model forecast plus stage win rates over 100,000 deals with
//! 1,000,000 stage-history events, and a 10,000-trial Monte Carlo over 10,000 open deals.

#[path = "support/generate.rs"]
mod generate;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dealflow_core::*;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

fn forecast_and_win_rates(c: &mut Criterion) {
    let deals = generate::deals(100_000, 10, generate::Mix::Pipeline, 1);
    let events: usize = deals.iter().map(|deal| deal.history.len()).sum();
    assert_eq!(events, 1_000_000);
    let pipelines = [Pipeline::template_new_business()];
    let teams = generate::hierarchy();
    let settings = generate::settings(PeriodKind::Month);
    let window = TimeWindow::new(generate::at(-400), generate::at(400)).unwrap();

    let mut group = c.benchmark_group("forecast");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(deals.len() as u64));
    group.bench_function("win_rates_and_four_models/100k_deals_1m_events", |b| {
        b.iter(|| {
            let rates = [stage_win_rates(&deals, &pipelines[0], window, 10).unwrap()];
            let inputs = ForecastInputs {
                deals: &deals,
                pipelines: &pipelines,
                teams: &teams,
                stage_win_rates: &rates,
            };
            let result = forecast(&inputs, &settings).unwrap();
            black_box(result.rows.len())
        })
    });
    group.bench_function("win_rates/100k_deals_1m_events", |b| {
        b.iter(|| black_box(stage_win_rates(&deals, &pipelines[0], window, 10).unwrap()))
    });
    // The same over a `DealTable` built once, as a caller that keeps it (the browser's snapshot)
    // pays per computation; the build is timed apart.
    group.bench_function("table/build/100k_deals_1m_events", |b| {
        b.iter(|| black_box(DealTable::new(&deals).len()))
    });
    let table = DealTable::new(&deals);
    group.bench_function(
        "table/win_rates_and_four_models/100k_deals_1m_events",
        |b| {
            b.iter(|| {
                let rates = [table.stage_win_rates(&pipelines[0], window, 10).unwrap()];
                let result = table
                    .forecast(&pipelines, &teams, &rates, &settings)
                    .unwrap();
                black_box(result.rows.len())
            })
        },
    );
    group.bench_function("table/win_rates/100k_deals_1m_events", |b| {
        b.iter(|| black_box(table.stage_win_rates(&pipelines[0], window, 10).unwrap()))
    });
    group.bench_function("table/four_models/100k_deals", |b| {
        b.iter(|| {
            let result = table.forecast(&pipelines, &teams, &[], &settings).unwrap();
            black_box(result.rows.len())
        })
    });
    group.bench_function("four_models/100k_deals", |b| {
        let inputs = ForecastInputs {
            deals: &deals,
            pipelines: &pipelines,
            teams: &teams,
            stage_win_rates: &[],
        };
        b.iter(|| black_box(forecast(&inputs, &settings).unwrap().rows.len()))
    });
    group.finish();
}

fn monte_carlo(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let deals: Vec<SimulatedDeal> = (0..10_000)
        .map(|_| SimulatedDeal {
            amount: Money::new(rng.random_range(1_000_000..200_000_000), Currency::CNY),
            probability: Probability::from_basis_points(rng.random_range(1..10_000)).unwrap(),
        })
        .collect();
    let settings = SimulationSettings {
        trials: 10_000,
        seed: 42,
    };
    let mut group = c.benchmark_group("forecast");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(10_000 * 10_000));
    group.bench_function("monte_carlo/10k_deals_10k_trials", |b| {
        b.iter(|| {
            black_box(simulate_revenue(&deals, Money::zero(Currency::CNY), settings).unwrap())
        })
    });
    group.finish();
}

criterion_group!(benches, forecast_and_win_rates, monte_carlo);
criterion_main!(benches);
