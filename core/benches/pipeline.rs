//! Stage moves and attention lists at 100,000 deals, on deterministic generated inputs.
//!
//! Run with `cargo bench -p dealflow-core --bench pipeline`. Inputs come from a ChaCha8 RNG
//! with a fixed seed, so every run (and every branch) measures the same deals.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use dealflow_core::{
    Account, AttentionConfig, AttentionLists, Contact, ContactId, ContactRole, Currency, Deal,
    DealId, FollowUp, FollowUpKind, Influence, Money, MoveContext, MoveTarget, NewDeal, NextStep,
    Pipeline, RecordId, Stance, Timestamp, UserId,
};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use time::UtcOffset;
use time::macros::offset;

const N_DEALS: usize = 100_000;
const SEED: u64 = 2026;
const BEIJING: UtcOffset = offset!(+8);
/// 2026-03-02 00:00 in Beijing.
const DAY_ZERO: Timestamp = Timestamp::from_millis(1_772_380_800_000);

fn ctx(id: String, now: Timestamp) -> MoveContext {
    MoveContext {
        now,
        offset: BEIJING,
        by: UserId::new("rep-li").unwrap_or_else(|_| unreachable!()),
        transition_id: RecordId::new(id).unwrap_or_else(|_| unreachable!()),
    }
}

/// One deal per index, spread over both templates and all their stages, with random
/// contacts, follow-ups, next steps and close dates.
fn generate_deals(rng: &mut ChaCha8Rng, pipelines: &[Pipeline]) -> Vec<Deal> {
    let reps: Vec<UserId> = (0..50)
        .map(|index| UserId::new(format!("rep-{index}")).unwrap())
        .collect();
    (0..N_DEALS)
        .map(|index| {
            let pipeline = &pipelines[index % pipelines.len()];
            let opened_day = rng.random_range(0..150i64);
            let opened_at = DAY_ZERO.plus_days(opened_day);
            let stage = &pipeline.stages[rng.random_range(0..pipeline.stages.len())];
            let new = NewDeal {
                id: DealId::new(format!("deal-{index:06}")).unwrap(),
                title: format!("商机 {index}"),
                account: Account {
                    name: format!("客户 {index}"),
                    ..Account::default()
                },
                amount: Money::from_major(rng.random_range(10_000..2_000_000), Currency::CNY)
                    .unwrap(),
                expected_close: rng.random_bool(0.7).then(|| {
                    opened_at
                        .plus_days(rng.random_range(10..150))
                        .date_at(BEIJING)
                }),
                owner: reps[rng.random_range(0..reps.len())].clone(),
                team: None,
                source: None,
                stage: None,
            };
            let mut deal = match pipeline.open_deal(new, &ctx(format!("t0-{index}"), opened_at)) {
                Ok((deal, _)) => deal,
                Err(error) => panic!("generated deal must open: {error}"),
            };
            // Place the deal in a later stage directly (setup only: stage placement is not
            // what is measured), with its data filled so criteria are mostly met.
            if let Some(entry) = deal.history.last_mut() {
                entry.stage = stage.id.clone();
            }
            fill(&mut deal, rng, opened_day);
            deal
        })
        .collect()
}

fn fill(deal: &mut Deal, rng: &mut ChaCha8Rng, opened_day: i64) {
    let template_tasks: Vec<RecordId> = deal.tasks.keys().cloned().collect();
    for task in template_tasks {
        if rng.random_bool(0.7) {
            let _ = deal.complete_task(&task, DAY_ZERO.plus_days(opened_day + 1));
        }
    }
    if rng.random_bool(0.8) {
        deal.account.industry = Some("制造业".into());
        deal.needs = "替换旧系统".into();
        deal.business_value = "降本增效".into();
        deal.expected_close
            .get_or_insert(DAY_ZERO.plus_days(200).date_at(BEIJING));
        deal.budget.max = Some(deal.amount);
        deal.budget.confirmed = rng.random_bool(0.6);
    }
    let n_contacts = rng.random_range(0..5usize);
    for contact_index in 0..n_contacts {
        let role = match contact_index {
            0 if rng.random_bool(0.7) => ContactRole::DecisionMaker,
            _ => ContactRole::Influencer,
        };
        let _ = deal.add_contact(Contact {
            id: ContactId::new(format!("c{contact_index}")).unwrap(),
            name: format!("联系人 {contact_index}"),
            title: String::new(),
            role,
            stance: Stance::Neutral,
            influence: Influence::Medium,
            last_contacted: None,
            phone: String::new(),
            email: String::new(),
        });
    }
    let n_follow_ups = rng.random_range(0..6usize);
    for follow_up_index in 0..n_follow_ups {
        let participants = if n_contacts > 0 && rng.random_bool(0.5) {
            vec![ContactId::new(format!("c{}", rng.random_range(0..n_contacts))).unwrap()]
        } else {
            vec![]
        };
        let at = DAY_ZERO.plus_days(opened_day + rng.random_range(0..60i64));
        let next_step = rng.random_bool(0.6).then(|| NextStep {
            action: "回访".into(),
            due: at.plus_days(rng.random_range(1..30)).date_at(BEIJING),
            owner: None,
        });
        let kind = [
            FollowUpKind::Call,
            FollowUpKind::Demo,
            FollowUpKind::Meeting,
        ][follow_up_index % 3];
        let _ = deal.record_follow_up(FollowUp {
            id: RecordId::new(format!("f{follow_up_index}")).unwrap(),
            kind,
            at,
            by: deal.owner.clone(),
            participants,
            summary: "跟进".into(),
            customer_feedback: "反馈".into(),
            next_step,
        });
    }
}

/// A move for each deal: mostly forward to the next stage (met or not), some wins, losses
/// and backward moves.
fn generate_moves(
    rng: &mut ChaCha8Rng,
    deals: &[Deal],
    pipelines: &[Pipeline],
) -> Vec<(MoveTarget, MoveContext)> {
    deals
        .iter()
        .enumerate()
        .map(|(index, deal)| {
            let pipeline = &pipelines[index % pipelines.len()];
            let current = deal
                .stage()
                .and_then(|stage| pipeline.stage_index(stage).ok())
                .unwrap_or(0);
            let roll = rng.random_range(0..100u32);
            let target = if roll < 60 {
                let next = (current + 1).min(pipeline.stages.len() - 1);
                MoveTarget::Stage {
                    stage: pipeline.stages[next].id.clone(),
                }
            } else if roll < 75 {
                MoveTarget::Won
            } else if roll < 85 {
                MoveTarget::Lost {
                    reason: "price".into(),
                    note: String::new(),
                }
            } else {
                MoveTarget::Stage {
                    stage: pipeline.stages[current.saturating_sub(1)].id.clone(),
                }
            };
            let now = DAY_ZERO.plus_days(rng.random_range(100..200i64));
            (target, ctx(format!("t1-{index}"), now))
        })
        .collect()
}

fn pipeline_of<'a>(pipelines: &'a [Pipeline], deal: &Deal) -> &'a Pipeline {
    pipelines
        .iter()
        .find(|pipeline| pipeline.id == deal.pipeline)
        .unwrap_or(&pipelines[0])
}

fn stage_moves(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let pipelines = [
        Pipeline::template_new_business(),
        Pipeline::template_solution_sales(),
    ];
    let deals = generate_deals(&mut rng, &pipelines);
    let moves = generate_moves(&mut rng, &deals, &pipelines);

    let mut group = c.benchmark_group("stage_moves");
    group.sample_size(10);
    group.throughput(Throughput::Elements(N_DEALS as u64));
    group.bench_function("check_100k", |bench| {
        bench.iter(|| {
            let mut accepted = 0usize;
            for (deal, (target, ctx)) in deals.iter().zip(&moves) {
                let pipeline = pipeline_of(&pipelines, deal);
                if pipeline.check_move(deal, target, ctx).is_ok() {
                    accepted += 1;
                }
            }
            black_box(accepted)
        });
    });
    group.bench_function("move_100k", |bench| {
        bench.iter_batched(
            || deals.clone(),
            |mut deals| {
                let mut accepted = 0usize;
                for (deal, (target, ctx)) in deals.iter_mut().zip(&moves) {
                    let pipeline = pipeline_of(&pipelines, deal);
                    if pipeline.move_deal(deal, target, ctx).is_ok() {
                        accepted += 1;
                    }
                }
                black_box(accepted);
                deals
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
    let accepted = deals
        .iter()
        .zip(&moves)
        .filter(|(deal, (target, ctx))| {
            pipeline_of(&pipelines, deal)
                .check_move(deal, target, ctx)
                .is_ok()
        })
        .count();
    eprintln!(
        "stage_moves: {accepted} of {N_DEALS} moves accepted, the rest rejected with problems"
    );
}

fn attention(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED + 1);
    let pipelines = [
        Pipeline::template_new_business(),
        Pipeline::template_solution_sales(),
    ];
    let deals = generate_deals(&mut rng, &pipelines);
    let config = AttentionConfig::default();
    let now = DAY_ZERO.plus_days(150);

    let mut group = c.benchmark_group("attention");
    group.sample_size(10);
    group.throughput(Throughput::Elements(N_DEALS as u64));
    group.bench_function("lists_100k", |bench| {
        bench.iter(|| {
            black_box(AttentionLists::compute(
                &deals, &pipelines, &config, now, BEIJING,
            ))
        });
    });
    group.finish();
    let lists = AttentionLists::compute(&deals, &pipelines, &config, now, BEIJING);
    eprintln!(
        "attention: {} overdue tasks, {} overdue next steps, {} without next step, {} stalled",
        lists.overdue_tasks.len(),
        lists.overdue_next_steps.len(),
        lists.deals_without_next_step.len(),
        lists.stalled_deals.len()
    );
}

criterion_group!(benches, stage_moves, attention);
criterion_main!(benches);
