//! Durable write throughput of the SQLite store with group commit: `writers` tasks each write
//! 1 KiB batches (one put each) and wait for them to be durable; the group runs `WRITES` batches.
//! With one writer every batch pays its own `fsync`; with many, batches share commits.
//!
//! Run: `cargo bench -p dealflow-server --bench storage`. The database lives under cargo's
//! target tmp directory, on the real disk rather than a tmpfs.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use dealflow_server::storage::{SqliteOptions, SqliteStorage, Storage, StorageKey, StorageOp};

const WRITES: u64 = 512;
const VALUE_BYTES: usize = 1024;

fn group_commit(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let storage = Arc::new(
        runtime
            .block_on(SqliteStorage::open(SqliteOptions::new(
                dir.path().join("bench.sqlite3"),
            )))
            .unwrap(),
    );
    let next_key = Arc::new(AtomicU64::new(0));
    let mut group = c.benchmark_group("sqlite_durable_writes");
    group.throughput(Throughput::Elements(WRITES));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    for writers in [1_u64, 16, 128] {
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("{writers}_writers")),
            &writers,
            |bench, &writers| {
                bench.iter_custom(|iterations| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iterations {
                        total += runtime.block_on(write_all(&storage, &next_key, writers));
                    }
                    total
                });
            },
        );
    }
    group.finish();
    runtime.block_on(storage.close()).unwrap();
}

/// `writers` tasks share `WRITES` durable one-put batches; returns the wall time.
async fn write_all(
    storage: &Arc<SqliteStorage>,
    next_key: &Arc<AtomicU64>,
    writers: u64,
) -> Duration {
    let started = Instant::now();
    let per_writer = WRITES / writers;
    let mut tasks = Vec::new();
    for _ in 0..writers {
        let storage = Arc::clone(storage);
        let next_key = Arc::clone(next_key);
        tasks.push(tokio::spawn(async move {
            for _ in 0..per_writer {
                let n = next_key.fetch_add(1, Ordering::Relaxed);
                let name = format!("{n:016}");
                let key = StorageKey::new(["doc", "incremental", name.as_str()]).unwrap();
                storage
                    .put_batch(vec![StorageOp::put(
                        key,
                        vec![(n % 251) as u8; VALUE_BYTES],
                    )])
                    .await
                    .unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    started.elapsed()
}

criterion_group!(benches, group_commit);
criterion_main!(benches);
