//! Scoring at scale: training the naive-Bayes counts on 50,000 closed deals and scoring 100,000
//! open ones; also over `DealTable`s built once (and their builds alone).

#[path = "support/generate.rs"]
mod generate;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dealflow_core::*;

fn naive_bayes(c: &mut Criterion) {
    let closed = generate::deals(50_000, 6, generate::Mix::Closed, 3);
    let open = generate::deals(100_000, 4, generate::Mix::Open, 4);
    let pipelines = [Pipeline::template_new_business()];
    let bands = [
        Money::from_major(100_000, Currency::CNY).unwrap(),
        Money::from_major(500_000, Currency::CNY).unwrap(),
        Money::from_major(1_000_000, Currency::CNY).unwrap(),
    ];
    let extractor = FeatureExtractor::new(generate::rates(), &bands).unwrap();
    let settings = WinModelSettings::default();

    let mut group = c.benchmark_group("score");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements((closed.len() + open.len()) as u64));
    group.bench_function("naive_bayes/train_50k_score_100k", |b| {
        b.iter(|| {
            let counts = TeamWinCounts::train(&closed, &extractor).unwrap();
            let predictor =
                WinPredictor::new(&counts, &extractor, settings, &pipelines, &[]).unwrap();
            let mut sum = 0_u64;
            for prediction in predictor.predict_all(&open) {
                sum += u64::from(prediction.unwrap().probability.basis_points());
            }
            black_box(sum)
        })
    });
    group.bench_function("naive_bayes/train_50k", |b| {
        b.iter(|| black_box(TeamWinCounts::train(&closed, &extractor).unwrap()))
    });
    let counts = TeamWinCounts::train(&closed, &extractor).unwrap();
    let predictor = WinPredictor::new(&counts, &extractor, settings, &pipelines, &[]).unwrap();
    group.bench_function("naive_bayes/score_100k", |b| {
        b.iter(|| {
            let mut sum = 0_u64;
            for prediction in predictor.predict_all(&open) {
                sum += u64::from(prediction.unwrap().probability.basis_points());
            }
            black_box(sum)
        })
    });
    // The same over `DealTable`s built once, as a caller that keeps them pays per run; the
    // builds are timed apart.
    group.bench_function("naive_bayes/table/build_50k_and_100k", |b| {
        b.iter(|| black_box(DealTable::new(&closed).len() + DealTable::new(&open).len()))
    });
    let closed_table = DealTable::new(&closed);
    let open_table = DealTable::new(&open);
    group.bench_function("naive_bayes/table/train_50k_score_100k", |b| {
        b.iter(|| {
            let counts = closed_table.train_win_counts(&extractor).unwrap();
            let predictor =
                WinPredictor::new(&counts, &extractor, settings, &pipelines, &[]).unwrap();
            let mut sum = 0_u64;
            for prediction in predictor.predict_table(&open_table) {
                sum += u64::from(prediction.unwrap().probability.basis_points());
            }
            black_box(sum)
        })
    });
    group.bench_function("naive_bayes/table/train_50k", |b| {
        b.iter(|| black_box(closed_table.train_win_counts(&extractor).unwrap()))
    });
    group.bench_function("naive_bayes/table/score_100k", |b| {
        b.iter(|| {
            let mut sum = 0_u64;
            for prediction in predictor.predict_table(&open_table) {
                sum += u64::from(prediction.unwrap().probability.basis_points());
            }
            black_box(sum)
        })
    });
    // One call per deal, as a UI scoring a single deal does.
    group.bench_function("naive_bayes/score_100k_one_by_one", |b| {
        b.iter(|| {
            let mut sum = 0_u64;
            for deal in &open {
                sum += u64::from(predictor.predict(deal).unwrap().probability.basis_points());
            }
            black_box(sum)
        })
    });
    group.finish();
}

criterion_group!(benches, naive_bayes);
criterion_main!(benches);
