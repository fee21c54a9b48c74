//! Sync benchmarks on deterministic inputs: one edit propagated client → relay → client (on
//! freshly loaded nodes, and on live nodes with 1,000 and 10,000 changes of history), and
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
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

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

/// Three nodes (alice, the relay, bob) holding the same `n_changes` document, connected and
/// settled.
fn settled_nodes(id: DocumentId, snapshot: &[u8]) -> Vec<(PeerId, DocSync)> {
    let relay = peer("relay");
    let mut nodes: Vec<(PeerId, DocSync)> = ["alice", "relay", "bob"]
        .into_iter()
        .map(|name| {
            let chunks = vec![(StorageKey::snapshot(id, &[]), snapshot.to_vec())];
            let doc = DocSync::load(id, peer(name), chunks, Limits::default())
                .expect("load")
                .0;
            (peer(name), doc)
        })
        .collect();
    for index in [0, 2] {
        let client = nodes[index].0.clone();
        let step = nodes[index].1.sync_with(&relay);
        let sends = step
            .send
            .into_iter()
            .map(|out| (client.clone(), out))
            .collect();
        run_until_quiet(&mut nodes, sends);
    }
    // One warm-up edit, so one-time work after a load (Automerge rebuilding change metadata
    // from a snapshot) is not counted in the measured round.
    let ((), step) = nodes[0]
        .1
        .change(|tx| tx.put(ROOT, "stage", "demo"))
        .expect("warm-up edit");
    let sends = step
        .send
        .into_iter()
        .map(|out| (peer("alice"), out))
        .collect();
    run_until_quiet(&mut nodes, sends);
    nodes
}

/// One edit on alice, persisted, sent to the relay, stored and forwarded to bob, and every
/// acknowledgement delivered.
fn edit_round(nodes: &mut [(PeerId, DocSync)], amount: u64) {
    let ((), step) = nodes[0]
        .1
        .change(|tx| tx.put(ROOT, "amount", amount))
        .expect("edit");
    black_box(&step.store);
    let sends = step
        .send
        .into_iter()
        .map(|out| (peer("alice"), out))
        .collect();
    run_until_quiet(nodes, sends);
    assert_eq!(nodes[0].1.heads(), nodes[2].1.heads(), "bob has the edit");
}

fn sync_round(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let id = DocumentId::from_random_bytes([1; 16]);
    let mut group = c.benchmark_group("sync_round");
    group.throughput(Throughput::Elements(1));
    for n_changes in [100, 1_000] {
        let snapshot = deal_document(n_changes, &mut rng).save();
        // One edit on alice, persisted, sent to the relay, stored and forwarded to bob, and
        // every acknowledgement delivered, on a document with `n_changes` changes of history.
        group.bench_function(
            format!("one_edit_client_relay_client/{n_changes}_changes"),
            |bencher| {
                bencher.iter_batched(
                    || settled_nodes(id, &snapshot),
                    |mut nodes| {
                        edit_round(&mut nodes, 100_000);
                        nodes
                    },
                    BatchSize::PerIteration,
                );
            },
        );
    }
    group.finish();
}

/// The same round on nodes that stay loaded, so every iteration is an edit on a live document
/// with `n_changes` changes of history: what a relay pays per edit on an old deal.
fn steady_round(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let id = DocumentId::from_random_bytes([2; 16]);
    let mut group = c.benchmark_group("sync_round");
    group.throughput(Throughput::Elements(1));
    for n_changes in [1_000, 10_000] {
        let snapshot = deal_document(n_changes, &mut rng).save();
        let mut nodes = settled_nodes(id, &snapshot);
        let mut amount = 0_u64;
        group.bench_function(
            format!("one_edit_on_a_live_document/{n_changes}_changes"),
            |bencher| {
                bencher.iter(|| {
                    amount += 1;
                    edit_round(&mut nodes, amount);
                });
            },
        );
    }
    group.finish();
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

criterion_group!(benches, sync_round, steady_round, load_save);
criterion_main!(benches);
