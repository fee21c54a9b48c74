//! Generates the demo data and its documents, prints what came out and how long it took.
//!
//! `cargo run --release -p dealflow-core --example demo_data -- [deals] [seed]`
//!
//! A hand-run measurement, not a benchmark: the server generates the demo once, on its first
//! start, and this shows how long that takes.
#![allow(clippy::print_stdout, clippy::disallowed_methods)]

use std::collections::BTreeMap;
use std::time::Instant;

use dealflow_core::demo::{DemoConfig, deal_documents, generate};
use dealflow_core::{DealStatus, MILLIS_PER_DAY, Timestamp};
use time::macros::offset;

fn main() -> Result<(), dealflow_core::Error> {
    let mut args = std::env::args().skip(1);
    let n_deals = args.next().and_then(|arg| arg.parse().ok()).unwrap_or(300);
    let seed = args.next().and_then(|arg| arg.parse().ok()).unwrap_or(42);
    // 2026-03-15 10:00 in Beijing.
    let now = Timestamp::from_millis(1_773_540_000_000);
    let mut config = DemoConfig::new(seed, now, offset!(+8));
    config.n_deals = n_deals;

    let started = Instant::now();
    let data = generate(&config)?;
    let generated = started.elapsed();
    let started = Instant::now();
    let mut documents = deal_documents(&data)?;
    let replayed = started.elapsed();
    let started = Instant::now();
    let bytes: usize = documents.iter_mut().map(|(_, doc)| doc.save().len()).sum();
    let saved = started.elapsed();

    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    for deal in &data.deals {
        *statuses.entry(format!("{:?}", deal.status())).or_default() += 1;
    }
    let won = statuses.get("Won").copied().unwrap_or(0);
    let lost = statuses.get("Lost").copied().unwrap_or(0);
    let events: usize = data
        .timelines
        .iter()
        .map(|timeline| timeline.events.len())
        .sum();
    let stalled = data
        .deals
        .iter()
        .filter(|deal| deal.status() == DealStatus::Open)
        .filter(|deal| {
            let Some(pipeline) = data.pipeline(&deal.pipeline) else {
                return false;
            };
            let (Some(stage), Some(entered)) = (deal.stage(), deal.stage_entered_at()) else {
                return false;
            };
            let max = pipeline
                .stage(stage)
                .ok()
                .and_then(|stage| stage.max_dwell_days)
                .map_or(i64::MAX, i64::from);
            now.days_since(entered) > max
        })
        .count();
    let today = now.date_at(config.offset);
    let overdue_next_step = data
        .deals
        .iter()
        .filter(|deal| deal.is_open())
        .filter(|deal| deal.next_step.as_ref().is_some_and(|step| step.due < today))
        .count();
    let reopened = data
        .deals
        .iter()
        .filter(|deal| {
            deal.history
                .iter()
                .any(|entry| entry.kind == dealflow_core::TransitionKind::Reopened)
        })
        .count();
    let mean_cycle_days = data
        .deals
        .iter()
        .filter(|deal| deal.status() == DealStatus::Won)
        .filter_map(|deal| {
            deal.stage_entered_at()
                .map(|at| (at.millis() - deal.created_at.millis()) / MILLIS_PER_DAY)
        })
        .sum::<i64>()
        / i64::try_from(won.max(1)).unwrap_or(1);

    println!("deals: {} ({statuses:?})", data.deals.len());
    println!(
        "won among closed: {}%, open: {}%, stalled open: {stalled}, open with overdue next step: {overdue_next_step}, reopened: {reopened}, mean won cycle: {mean_cycle_days} days",
        won * 100 / (won + lost).max(1),
        statuses.get("Open").copied().unwrap_or(0) * 100 / data.deals.len().max(1),
    );
    println!("events: {events}, targets: {}", data.targets.len());
    println!("generate: {generated:?}");
    println!("deal_documents: {replayed:?}");
    println!("save: {saved:?} ({bytes} bytes)");
    Ok(())
}
