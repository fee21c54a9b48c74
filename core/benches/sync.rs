//! Sync benchmarks on deterministic inputs: one edit propagated client → relay → client, and
//! saving and loading a 1,000-change deal document.
//!
//! `cargo bench -p dealflow-core --bench sync`

use std::collections::BTreeMap;
use std::hint::black_box;

use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use dealflow_core::sync::{
    DocSync, DocumentId, Limits, Outgoing, PeerId, StorageKey, StorageOp, StoredChunks,
    WireMessage, load_chunks,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const SEED: u64 = 0x5eed_dea1;
const FIELDS: [&str; 8] = [
    "stage",
    "amount",
    "owner",
    "close_date",
    "next_step",
    "competitor",
    "probability",
    "note",
];

fn peer(name: &str) -> PeerId {
    PeerId::new(name).expect("valid peer id")
}

/// A deal-like document built from `n_changes` single-field edits.
fn deal_document(n_changes: usize, rng: &mut ChaCha8Rng) -> Automerge {
    let mut doc = Automerge::new();
    for index in 0..n_changes {
        let mut tx = doc.transaction();
        let field = FIELDS[rng.random_range(0..FIELDS.len())];
        tx.put(
            ROOT,
            field,
            format!("value {index} {}", rng.random::<u32>()),
        )
        .expect("put");
        tx.commit();
    }
    doc
}

/// Delivers frames between the three nodes until nobody has anything to send.
fn run_until_quiet(nodes: &mut [(PeerId, DocSync)], mut in_flight: Vec<(PeerId, Outgoing)>) {
    while let Some((from, outgoing)) = in_flight.pop() {
        let frame = outgoing.encode();
        let message = WireMessage::decode(&frame).expect("our frame decodes");
        let (_, target) = nodes
            .iter_mut()
            .find(|(id, _)| *id == outgoing.peer)
            .expect("known peer");
        let step = target.receive(&from, message).expect("valid message");
        let sender = outgoing.peer.clone();
        in_flight.extend(step.send.into_iter().map(|out| (sender.clone(), out)));
    }
}

fn sync_round(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let id = DocumentId::from_random_bytes([1; 16]);
    let (alice, relay, bob) = (peer("alice"), peer("relay"), peer("bob"));
    let base = deal_document(100, &mut rng).save();
    let chunks = || vec![(StorageKey::snapshot(id, &[]), base.clone())];
    let load = |me: &PeerId| {
        DocSync::load(id, me.clone(), chunks(), Limits::default())
            .expect("load")
            .0
    };
    let mut nodes = vec![
        (alice.clone(), load(&alice)),
        (relay.clone(), load(&relay)),
        (bob.clone(), load(&bob)),
    ];
    // Connect alice and bob to the relay and settle.
    for client in [&alice, &bob] {
        let (_, node) = nodes
            .iter_mut()
            .find(|(id, _)| id == client)
            .expect("client");
        let step = node.sync_with(&relay);
        let sends = step
            .send
            .into_iter()
            .map(|out| (client.clone(), out))
            .collect();
        run_until_quiet(&mut nodes, sends);
    }

    let mut group = c.benchmark_group("sync");
    group.throughput(Throughput::Elements(1));
    group.bench_function("one_edit_client_relay_client", |bencher| {
        let mut counter = 0u64;
        bencher.iter(|| {
            counter += 1;
            let (_, alice_doc) = &mut nodes[0];
            let ((), step) = alice_doc
                .change(|tx| tx.put(ROOT, "amount", counter as i64))
                .expect("edit");
            black_box(&step.store);
            let sends = step
                .send
                .into_iter()
                .map(|out| (alice.clone(), out))
                .collect();
            run_until_quiet(&mut nodes, sends);
        });
    });
    group.finish();
    assert_eq!(
        nodes[0].1.heads(),
        nodes[2].1.heads(),
        "bob received alice's edits"
    );
}

fn load_save(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let id = DocumentId::from_random_bytes([2; 16]);
    let doc = deal_document(1_000, &mut rng);
    let snapshot = doc.save();
    // The chunks on disk after saving the document once per change (incrementals and the
    // compactions the save rule chose).
    let mut on_disk = BTreeMap::new();
    let mut stored = StoredChunks::new();
    let mut replay = Automerge::new();
    for change in doc.get_changes(&[]) {
        replay.apply_changes([change]).expect("apply");
        for op in stored.save(id, &replay) {
            match op {
                StorageOp::Put { key, bytes } => on_disk.insert(key, bytes),
                StorageOp::Delete { key } => on_disk.remove(&key),
            };
        }
    }
    let incremental: Vec<(StorageKey, Vec<u8>)> = on_disk.into_iter().collect();

    let mut group = c.benchmark_group("storage_1000_changes");
    group.throughput(Throughput::Elements(1_000));
    group.bench_function("save_snapshot", |bencher| {
        bencher.iter(|| black_box(StoredChunks::new().compact(id, black_box(&doc))));
    });
    group.bench_function("load_snapshot", |bencher| {
        bencher.iter_batched(
            || vec![(StorageKey::snapshot(id, &doc.get_heads()), snapshot.clone())],
            |chunks| black_box(load_chunks(id, chunks, &Limits::default()).expect("load")),
            BatchSize::SmallInput,
        );
    });
    group.bench_function("load_as_saved_change_by_change", |bencher| {
        bencher.iter_batched(
            || incremental.clone(),
            |chunks| black_box(load_chunks(id, chunks, &Limits::default()).expect("load")),
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

criterion_group!(benches, sync_round, load_save);
criterion_main!(benches);
