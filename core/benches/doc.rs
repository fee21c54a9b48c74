//! Deal documents: one local edit (target under 0.2 ms), alone and as the browser makes it
//! (handed to the sync client, which stores it and prepares the sync message), loading a deal
//! document with 1,000 changes, saving it, and reading it. Inputs are deterministic.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use dealflow_core::automerge::{ActorId, ReadDoc};
use dealflow_core::*;
use time::macros::offset;

const START: i64 = 1_764_000_000_000;

fn user() -> UserId {
    UserId::new("rep-li").unwrap()
}

fn new_deal(pipeline: &Pipeline) -> Deal {
    let ctx = MoveContext {
        now: Timestamp::from_millis(START),
        offset: offset!(+8),
        by: user(),
        transition_id: RecordId::new("t0").unwrap(),
    };
    let (mut deal, _) = pipeline
        .open_deal(
            NewDeal {
                id: DealId::new("deal-bench").unwrap(),
                title: "华东电网 CRM 二期".into(),
                account: Account {
                    name: "华东电网".into(),
                    industry: Some("能源".into()),
                    ..Account::default()
                },
                amount: Money::from_major(100_000, Currency::CNY).unwrap(),
                expected_close: None,
                owner: user(),
                team: None,
                source: Some("trade_show".into()),
                stage: None,
            },
            &ctx,
        )
        .unwrap();
    deal.needs = "统一客户服务平台，替换旧系统".into();
    for index in 0..10 {
        let id = ContactId::new(format!("c-{index}")).unwrap();
        deal.contacts.insert(
            id.clone(),
            Contact {
                id,
                name: format!("联系人 {index}"),
                title: "经理".into(),
                role: ContactRole::Influencer,
                stance: Stance::Neutral,
                influence: Influence::Medium,
                last_contacted: None,
                phone: String::new(),
                email: String::new(),
            },
        );
    }
    deal
}

/// A deal document with `changes` changes: typing, field edits, follow-ups and contacts.
fn document_with_changes(pipeline: &Pipeline, changes: usize) -> DealDoc {
    let mut doc = DealDoc::create(
        &new_deal(pipeline),
        ActorId::from(*b"bench"),
        &user(),
        Timestamp::from_millis(START),
    )
    .unwrap();
    for step in 1..changes {
        let now = Timestamp::from_millis(START + step as i64 * 60_000);
        match step % 4 {
            0 => {
                doc.set_title(&user(), now, &format!("华东电网 CRM 二期 v{step}"))
                    .unwrap();
            }
            1 => {
                let length = doc.read().unwrap().deal.needs.chars().count();
                doc.splice_text(&user(), now, &TextField::Needs, length, 0, "，补充")
                    .unwrap();
            }
            2 => {
                doc.record_follow_up(
                    &user(),
                    now,
                    FollowUp {
                        id: RecordId::new(format!("f-{step}")).unwrap(),
                        kind: FollowUpKind::Call,
                        at: now,
                        by: user(),
                        participants: vec![ContactId::new("c-1").unwrap()],
                        summary: format!("第 {step} 次电话沟通"),
                        customer_feedback: String::new(),
                        next_step: None,
                    },
                )
                .unwrap();
            }
            _ => {
                doc.set_amount(
                    &user(),
                    now,
                    Money::from_major(100_000 + step as i64, Currency::CNY).unwrap(),
                    RecordId::new(format!("amt-{step}")).unwrap(),
                )
                .unwrap();
            }
        }
    }
    doc
}

fn edits(criterion: &mut Criterion) {
    let pipeline = Pipeline::template_new_business();
    let mut group = criterion.benchmark_group("doc/edit");
    let base = document_with_changes(&pipeline, 100).save();
    let now = Timestamp::from_millis(START + 365 * MILLIS_PER_DAY);
    group.bench_function("splice_text (typing one character)", |bencher| {
        let mut doc = DealDoc::load(&base, ActorId::from(*b"typist")).unwrap();
        bencher.iter(|| {
            doc.splice_text(&user(), now, &TextField::Needs, 0, 0, "字")
                .unwrap();
        });
    });
    group.bench_function("set_title (compare, write, commit)", |bencher| {
        let mut doc = DealDoc::load(&base, ActorId::from(*b"editor")).unwrap();
        let mut flip = false;
        bencher.iter(|| {
            flip = !flip;
            let title = if flip { "标题 A" } else { "标题 B" };
            doc.set_title(&user(), now, title).unwrap();
        });
    });
    group.bench_function("upsert_contact (one field of a record)", |bencher| {
        let mut doc = DealDoc::load(&base, ActorId::from(*b"contact")).unwrap();
        let mut contact = doc
            .read()
            .unwrap()
            .deal
            .contacts
            .values()
            .next()
            .cloned()
            .unwrap();
        let mut count = 0_u64;
        bencher.iter(|| {
            count += 1;
            contact.phone = format!("138{count:08}");
            doc.upsert_contact(&user(), now, &contact.clone()).unwrap();
        });
    });
    group.bench_function("update (whole-deal read, diff, write, commit)", |bencher| {
        let mut doc = DealDoc::load(&base, ActorId::from(*b"updater")).unwrap();
        let mut flip = false;
        bencher.iter(|| {
            flip = !flip;
            doc.update(&user(), now, "set source", |deal| {
                deal.source = Some(if flip { "web" } else { "referral" }.to_owned());
            })
            .unwrap();
        });
    });
    group.bench_function(
        "set_title + publish (the browser's local edit: store and sync messages)",
        |bencher| {
            let mut doc = DealDoc::load(&base, ActorId::from(*b"browser")).unwrap();
            let mut client = sync::SyncClient::new(
                sync::PeerId::new("browser").unwrap(),
                sync::PeerMetadata::default(),
                sync::SessionId::new("session").unwrap(),
                sync::Limits::default(),
            );
            let id = sync::DocumentId::from_random_bytes([7; 16]);
            let changes = doc.changes_missing_from(&dealflow_core::automerge::Automerge::new());
            let _ = client.apply_local_changes(id, changes).unwrap();
            let mut flip = false;
            bencher.iter(|| {
                flip = !flip;
                let title = if flip { "标题 A" } else { "标题 B" };
                doc.set_title(&user(), now, title).unwrap();
                let synced = client.doc(id).unwrap();
                let changes = doc.changes_missing_from(synced);
                let step = client.apply_local_changes(id, changes).unwrap();
                black_box(step.store.len() + step.send.len());
            });
        },
    );
    group.finish();
}

fn load_save(criterion: &mut Criterion) {
    let pipeline = Pipeline::template_new_business();
    let mut doc = document_with_changes(&pipeline, 1_000);
    assert_eq!(doc.changes().len(), 1_000);
    let bytes = doc.save();
    let mut group = criterion.benchmark_group("doc/1000 changes");
    group.bench_function("load", |bencher| {
        bencher.iter(|| DealDoc::load(black_box(&bytes), ActorId::from(*b"loader")).unwrap());
    });
    group.bench_function("load + read", |bencher| {
        bencher.iter(|| {
            DealDoc::load(black_box(&bytes), ActorId::from(*b"loader"))
                .unwrap()
                .read()
                .unwrap()
        });
    });
    group.bench_function("read", |bencher| {
        bencher.iter(|| doc.read().unwrap());
    });
    group.bench_function("hydrate (automerge alone, part of read)", |bencher| {
        bencher.iter(|| {
            ReadDoc::hydrate(doc.as_automerge(), dealflow_core::automerge::ROOT, None).unwrap()
        });
    });
    group.bench_function("save", |bencher| {
        bencher.iter_batched_ref(
            || DealDoc::load(&bytes, ActorId::from(*b"saver")).unwrap(),
            |doc| doc.save(),
            BatchSize::SmallInput,
        );
    });
    group.finish();
    println!(
        "saved size of a deal with 1,000 changes: {} bytes",
        bytes.len()
    );
}

criterion_group!(benches, edits, load_save);
criterion_main!(benches);
