//! Property: 3–5 replicas of a deal make random concurrent edits (scalar fields, text splices,
//! records, stage moves through `move_stage`), sync in random pairs while others stay
//! partitioned, and after a final full sync in random order they are identical: the same
//! heads, the same deal, and the same derived figures (effective probability, weighted value,
//! stage visits, the forecast and the attention lists). Seeds can be fixed with
//! `PROPTEST_RNG_SEED`.

use std::collections::BTreeMap;

use dealflow_core::automerge::{ActorId, sync};
use dealflow_core::*;
use proptest::prelude::*;
use time::macros::{date, offset};

const START: i64 = 1_764_000_000_000;
const HOUR: i64 = 3_600_000;

#[derive(Clone, Debug)]
enum Op {
    SetTitle {
        replica: usize,
        title: usize,
    },
    SpliceNeeds {
        replica: usize,
        position: usize,
        delete: usize,
        insert: usize,
    },
    EditContact {
        replica: usize,
        contact: usize,
        field: usize,
        value: usize,
    },
    RemoveContact {
        replica: usize,
        contact: usize,
    },
    AddFollowUp {
        replica: usize,
        kind: usize,
    },
    SetAmount {
        replica: usize,
        major: i64,
    },
    SetProbability {
        replica: usize,
        percent: Option<u8>,
    },
    Move {
        replica: usize,
        target: usize,
    },
    Sync {
        left: usize,
        right: usize,
    },
    Merge {
        into: usize,
        from: usize,
    },
}

const TITLES: [&str; 3] = ["华东电网 CRM 二期", "华东电网 CRM 扩容", "East Grid CRM"];
const INSERTS: [&str; 4] = ["急", "，含工单系统", "AI ", "\u{1F600}"];
const CONTACTS: [&str; 3] = ["c-wang", "c-chen", "c-liu"];

fn op(replicas: usize) -> impl Strategy<Value = Op> {
    let replica = 0..replicas;
    prop_oneof![
        (replica.clone(), 0..TITLES.len())
            .prop_map(|(replica, title)| Op::SetTitle { replica, title }),
        (replica.clone(), 0..40_usize, 0..4_usize, 0..INSERTS.len()).prop_map(
            |(replica, position, delete, insert)| Op::SpliceNeeds {
                replica,
                position,
                delete,
                insert
            }
        ),
        (replica.clone(), 0..CONTACTS.len(), 0..3_usize, 0..3_usize).prop_map(
            |(replica, contact, field, value)| Op::EditContact {
                replica,
                contact,
                field,
                value
            }
        ),
        (replica.clone(), 0..CONTACTS.len())
            .prop_map(|(replica, contact)| Op::RemoveContact { replica, contact }),
        (replica.clone(), 0..3_usize).prop_map(|(replica, kind)| Op::AddFollowUp { replica, kind }),
        (replica.clone(), 1..500_000_i64)
            .prop_map(|(replica, major)| Op::SetAmount { replica, major }),
        (replica.clone(), proptest::option::of(0..=100_u8))
            .prop_map(|(replica, percent)| Op::SetProbability { replica, percent }),
        (replica.clone(), 0..8_usize).prop_map(|(replica, target)| Op::Move { replica, target }),
        (replica.clone(), replica.clone()).prop_map(|(left, right)| Op::Sync { left, right }),
        (replica.clone(), replica).prop_map(|(into, from)| Op::Merge { into, from }),
    ]
}

fn scenario() -> impl Strategy<Value = (usize, Vec<Op>, Vec<(usize, usize)>)> {
    (3..=5_usize).prop_flat_map(|replicas| {
        let pairs: Vec<(usize, usize)> = (0..replicas)
            .flat_map(|left| (0..replicas).map(move |right| (left, right)))
            .filter(|(left, right)| left < right)
            .collect();
        (
            Just(replicas),
            proptest::collection::vec(op(replicas), 1..40),
            Just(pairs).prop_shuffle(),
        )
    })
}

fn user(id: &str) -> UserId {
    UserId::new(id).unwrap()
}

fn record(id: String) -> RecordId {
    RecordId::new(id).unwrap()
}

/// A deal that meets most stage criteria, so that random moves are often accepted.
fn deal(pipeline: &Pipeline) -> Deal {
    let ctx = MoveContext {
        now: Timestamp::from_millis(START),
        offset: offset!(+8),
        by: user("rep-0"),
        transition_id: record("t-start".into()),
    };
    let (mut deal, _) = pipeline
        .open_deal(
            NewDeal {
                id: DealId::new("deal-p").unwrap(),
                title: TITLES[0].into(),
                account: Account {
                    name: "华东电网".into(),
                    industry: Some("能源".into()),
                    ..Account::default()
                },
                amount: Money::from_major(100_000, Currency::CNY).unwrap(),
                expected_close: Some(date!(2026 - 06 - 30)),
                owner: user("rep-0"),
                team: None,
                source: None,
                stage: None,
            },
            &ctx,
        )
        .unwrap();
    deal.needs = "统一客户服务平台".into();
    deal.business_value = "降本".into();
    deal.budget.min = Some(Money::from_major(50_000, Currency::CNY).unwrap());
    deal.budget.confirmed = true;
    for (index, id) in CONTACTS.iter().enumerate() {
        let contact_id = ContactId::new(*id).unwrap();
        deal.contacts.insert(
            contact_id.clone(),
            Contact {
                id: contact_id,
                name: format!("联系人{index}"),
                title: String::new(),
                role: if index == 0 {
                    ContactRole::DecisionMaker
                } else {
                    ContactRole::Influencer
                },
                stance: Stance::Neutral,
                influence: Influence::Medium,
                last_contacted: None,
                phone: String::new(),
                email: String::new(),
            },
        );
    }
    deal.checklist.insert(
        "contract_reviewed".into(),
        ChecklistTick {
            by: user("rep-0"),
            at: Timestamp::from_millis(START),
        },
    );
    deal
}

fn target(index: usize) -> MoveTarget {
    let stage = |id: &str| StageId::new(id).unwrap();
    match index {
        0 => MoveTarget::Stage {
            stage: stage("needs"),
        },
        1 => MoveTarget::Stage {
            stage: stage("demo"),
        },
        2 => MoveTarget::Stage {
            stage: stage("negotiate"),
        },
        3 => MoveTarget::Stage {
            stage: stage("qualify"),
        },
        4 => MoveTarget::Won,
        5 => MoveTarget::Lost {
            reason: "price".into(),
            note: String::new(),
        },
        6 => MoveTarget::Stopped {
            reason: "customer_postponed".into(),
            note: String::new(),
        },
        _ => MoveTarget::Reopen {
            stage: stage("needs"),
        },
    }
}

type SyncStates = BTreeMap<(usize, usize), (sync::State, sync::State)>;

/// Syncs two replicas with their persistent sync states until neither has anything to say.
fn sync_pair(replicas: &mut [DealDoc], states: &mut SyncStates, left: usize, right: usize) {
    if left == right {
        return;
    }
    let (low, high) = (left.min(right), left.max(right));
    let (low_state, high_state) = states.entry((low, high)).or_default();
    let (head, tail) = replicas.split_at_mut(high);
    let (low_doc, high_doc) = (&mut head[low], &mut tail[0]);
    for _ in 0..100 {
        let to_high = low_doc.generate_sync_message(low_state);
        let to_low = high_doc.generate_sync_message(high_state);
        if to_high.is_none() && to_low.is_none() {
            return;
        }
        if let Some(message) = to_high {
            high_doc.receive_sync_message(high_state, message).unwrap();
        }
        if let Some(message) = to_low {
            low_doc.receive_sync_message(low_state, message).unwrap();
        }
    }
    panic!("sync between {low} and {high} did not settle");
}

fn apply(
    pipeline: &Pipeline,
    replicas: &mut [DealDoc],
    states: &mut SyncStates,
    step: usize,
    op: &Op,
) {
    let now = Timestamp::from_millis(START + (step as i64 + 1) * HOUR);
    match op {
        Op::SetTitle { replica, title } => {
            replicas[*replica]
                .set_title(&user(&format!("rep-{replica}")), now, TITLES[*title])
                .unwrap();
        }
        Op::SpliceNeeds {
            replica,
            position,
            delete,
            insert,
        } => {
            let doc = &mut replicas[*replica];
            let length = doc.read().unwrap().deal.needs.chars().count();
            let position = position % (length + 1);
            let delete = (*delete).min(length - position);
            doc.splice_text(
                &user(&format!("rep-{replica}")),
                now,
                &TextField::Needs,
                position,
                delete,
                INSERTS[*insert],
            )
            .unwrap();
        }
        Op::EditContact {
            replica,
            contact,
            field,
            value,
        } => {
            let doc = &mut replicas[*replica];
            let id = ContactId::new(CONTACTS[*contact]).unwrap();
            let Some(mut edited) = doc.read().unwrap().deal.contacts.get(&id).cloned() else {
                return;
            };
            match field {
                0 => edited.stance = [Stance::Supporter, Stance::Neutral, Stance::Opponent][*value],
                1 => edited.phone = format!("1380000000{value}{replica}"),
                _ => {
                    edited.influence = [Influence::Low, Influence::Medium, Influence::High][*value]
                }
            }
            doc.upsert_contact(&user(&format!("rep-{replica}")), now, &edited)
                .unwrap();
        }
        Op::RemoveContact { replica, contact } => {
            replicas[*replica]
                .remove_contact(
                    &user(&format!("rep-{replica}")),
                    now,
                    &ContactId::new(CONTACTS[*contact]).unwrap(),
                )
                .unwrap();
        }
        Op::AddFollowUp { replica, kind } => {
            let follow_up = FollowUp {
                id: record(format!("f-{replica}-{step}")),
                kind: [FollowUpKind::Call, FollowUpKind::Demo, FollowUpKind::Visit][*kind],
                at: now,
                by: user(&format!("rep-{replica}")),
                participants: vec![ContactId::new(CONTACTS[0]).unwrap()],
                summary: format!("跟进 {step}"),
                customer_feedback: "满意".into(),
                next_step: None,
            };
            replicas[*replica]
                .record_follow_up(&user(&format!("rep-{replica}")), now, follow_up)
                .unwrap();
        }
        Op::SetAmount { replica, major } => {
            replicas[*replica]
                .set_amount(
                    &user(&format!("rep-{replica}")),
                    now,
                    Money::from_major(*major, Currency::CNY).unwrap(),
                    record(format!("amt-{replica}-{step}")),
                )
                .unwrap();
        }
        Op::SetProbability { replica, percent } => {
            let probability = percent.map(|percent| Probability::from_percent(percent).unwrap());
            replicas[*replica]
                .set_manual_probability(&user(&format!("rep-{replica}")), now, probability)
                .unwrap();
        }
        Op::Move {
            replica,
            target: index,
        } => {
            let doc = &mut replicas[*replica];
            let heads = doc.heads();
            let ctx = MoveContext {
                now,
                offset: offset!(+8),
                by: user(&format!("rep-{replica}")),
                transition_id: record(format!("t-{replica}-{step}")),
            };
            if doc.move_stage(pipeline, &target(*index), &ctx).is_err() {
                assert_eq!(doc.heads(), heads, "a rejected move wrote something");
            }
        }
        Op::Sync { left, right } => sync_pair(replicas, states, *left, *right),
        Op::Merge { into, from } => {
            if into != from {
                let mut source =
                    replicas[*from].fork(ActorId::from(format!("tmp-{step}").as_bytes()));
                replicas[*into].merge(&mut source).unwrap();
            }
        }
    }
}

/// Every figure this branch derives from a deal.
fn figures(pipeline: &Pipeline, deal: &Deal) -> impl PartialEq + std::fmt::Debug {
    let weighted = deal
        .stage()
        .map(|stage| pipeline.weighted_value(&[(stage.clone(), deal.amount)], Currency::CNY));
    (
        deal.effective_probability(pipeline),
        weighted,
        deal.stage_visits(),
        deal.status(),
        deal.close_date_push_count(),
        deal.last_follow_up().map(|follow_up| follow_up.id.clone()),
        forecast_and_attention(pipeline, deal),
    )
}

/// The quarter forecast and the attention lists (three months on) over the one deal.
fn forecast_and_attention(pipeline: &Pipeline, deal: &Deal) -> impl PartialEq + std::fmt::Debug {
    let deals = [deal.clone()];
    let pipelines = [pipeline.clone()];
    let teams: BTreeMap<TeamId, TeamId> = BTreeMap::new();
    let inputs = ForecastInputs {
        deals: &deals,
        pipelines: &pipelines,
        teams: &teams,
        stage_win_rates: &[],
    };
    let settings = ForecastSettings::new(
        ExchangeRates::new(Currency::CNY),
        offset!(+8),
        PeriodKind::Quarter,
    );
    let rows = forecast(&inputs, &settings).map(|result| (result.rows, result.excluded));
    let attention = AttentionLists::compute(
        &deals,
        &pipelines,
        &AttentionConfig::default(),
        Timestamp::from_millis(START + 90 * 24 * HOUR),
        offset!(+8),
    );
    (rows, attention)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn replicas_converge_after_random_concurrent_edits((count, ops, final_order) in scenario()) {
        let pipeline = Pipeline::template_new_business();
        let mut origin = DealDoc::create(
            &deal(&pipeline),
            ActorId::from(*b"origin"),
            &user("rep-0"),
            Timestamp::from_millis(START),
        )
        .unwrap();
        let mut replicas: Vec<DealDoc> = (0..count)
            .map(|index| origin.fork(ActorId::from(format!("replica-{index}").as_bytes())))
            .collect();
        let mut states = SyncStates::new();
        for (step, op) in ops.iter().enumerate() {
            apply(&pipeline, &mut replicas, &mut states, step, op);
        }
        // Heal every partition: each pair syncs, in a random order, twice over.
        for _ in 0..2 {
            for (left, right) in &final_order {
                sync_pair(&mut replicas, &mut states, *left, *right);
            }
        }

        let reference_heads = {
            let mut heads = replicas[0].heads();
            heads.sort();
            heads
        };
        let reference = replicas[0].read().unwrap();
        prop_assert!(reference.problems.is_empty(), "{:?}", reference.problems);
        prop_assert!(!reference.deal.history.is_empty());
        let reference_figures = figures(&pipeline, &reference.deal);
        for replica in &mut replicas[1..] {
            let mut heads = replica.heads();
            heads.sort();
            prop_assert_eq!(&heads, &reference_heads);
            let read = replica.read().unwrap();
            prop_assert_eq!(&read.deal, &reference.deal);
            prop_assert_eq!(figures(&pipeline, &read.deal), figures(&pipeline, &reference.deal));
            // What is stored reads back the same.
            let reloaded = DealDoc::load(&replica.save(), ActorId::from(*b"reload")).unwrap();
            prop_assert_eq!(reloaded.read().unwrap().deal, reference.deal.clone());
        }
        prop_assert_eq!(figures(&pipeline, &reference.deal), reference_figures);
        // History entries are in (at, id) order on every replica.
        let keys: Vec<_> = reference.deal.history.iter().map(|entry| (entry.at, entry.id.clone())).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        prop_assert_eq!(keys, sorted);
    }
}
