//! Crash durability: a write that `put_batch` acknowledged survives `kill -9`.
//!
//! The test re-runs this test binary as a child process in writer mode (`writer_child`, ignored
//! in normal runs): many tasks write numbered batches to SQLite and print `ack <n>` after each
//! batch resolves. The parent kills the child with SIGKILL mid-stream, reopens the database and
//! checks that every acknowledged batch is there, that every batch is whole (atomicity), and
//! that SQLite's integrity check passes. Three rounds on the same file, so recovery from a crash
//! is itself crashed into.
//!
//! SIGKILL stops the process, not the machine: what reached the OS is kept even without
//! `fsync`. Power-loss durability rests on `synchronous=FULL` and is not testable here.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use dealflow_server::storage::{SqliteOptions, SqliteStorage, Storage, StorageKey, StorageOp};

const DB_ENV: &str = "DEALFLOW_CRASH_TEST_DB";
const FIRST_BATCH_ENV: &str = "DEALFLOW_CRASH_TEST_FIRST_BATCH";
const WRITER_TASKS: u64 = 32;
/// The child stops on its own after this long, should the parent fail to kill it.
const CHILD_DEADLINE: Duration = Duration::from_secs(60);

fn chunk_key(batch: u64, part: &str) -> StorageKey {
    let document = format!("doc-{}", batch % 7);
    let name = format!("{batch:012}-{part}");
    StorageKey::new([document.as_str(), "incremental", name.as_str()]).unwrap()
}

fn marker_key(batch: u64) -> StorageKey {
    let name = format!("{batch:012}");
    StorageKey::new(["batches", name.as_str()]).unwrap()
}

/// Deterministic contents of different sizes, up to 256 KiB for every 50th batch.
fn chunk_value(batch: u64, part: &str) -> Vec<u8> {
    let len = if batch.is_multiple_of(50) {
        256 * 1024
    } else {
        64 + (batch % 4096) as usize
    };
    let seed = format!("{batch}-{part}");
    seed.bytes().cycle().take(len).collect()
}

fn batch_ops(batch: u64) -> Vec<StorageOp> {
    vec![
        StorageOp::put(chunk_key(batch, "a"), chunk_value(batch, "a")),
        StorageOp::put(chunk_key(batch, "b"), chunk_value(batch, "b")),
        StorageOp::put(marker_key(batch), batch.to_be_bytes().to_vec()),
    ]
}

/// The writer half, run by the parent as a child process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "child process of acknowledged_batches_survive_kill_9"]
async fn writer_child() {
    let Ok(path) = std::env::var(DB_ENV) else {
        return;
    };
    let first: u64 = std::env::var(FIRST_BATCH_ENV)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(0);
    let storage = Arc::new(SqliteStorage::open(SqliteOptions::new(path)).await.unwrap());
    let next = Arc::new(AtomicU64::new(first));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..WRITER_TASKS {
        let storage = Arc::clone(&storage);
        let next = Arc::clone(&next);
        tasks.push(tokio::spawn(async move {
            while started.elapsed() < CHILD_DEADLINE {
                let batch = next.fetch_add(1, Ordering::Relaxed);
                storage.put_batch(batch_ops(batch)).await.unwrap();
                let mut stdout = std::io::stdout().lock();
                writeln!(stdout, "ack {batch}").unwrap();
                stdout.flush().unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
}

/// Runs the child until it has acknowledged `kill_after` batches, kills it with SIGKILL and
/// returns every batch number it acknowledged.
fn write_until_killed(path: &Path, first_batch: u64, kill_after: usize) -> BTreeSet<u64> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["writer_child", "--exact", "--ignored", "--nocapture"])
        .env(DB_ENV, path)
        .env(FIRST_BATCH_ENV, first_batch.to_string())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut acknowledged = BTreeSet::new();
    // libtest may print its own words on the same line before the first acknowledgement.
    let ack = |line: &str| {
        line.rfind("ack ")
            .and_then(|start| line[start + 4..].trim().parse::<u64>().ok())
    };
    for line in lines.by_ref() {
        if let Some(batch) = ack(&line.unwrap()) {
            acknowledged.insert(batch);
            if acknowledged.len() >= kill_after {
                break;
            }
        }
    }
    // `Child::kill` is SIGKILL on Unix: no destructor, no checkpoint, no flush runs.
    child.kill().unwrap();
    // Acknowledgements already written to the pipe before the kill still count.
    for line in lines {
        let Ok(line) = line else { break };
        if let Some(batch) = ack(&line) {
            acknowledged.insert(batch);
        }
    }
    let status = child.wait().unwrap();
    assert!(!status.success(), "the writer was killed, not finished");
    acknowledged
}

#[tokio::test]
async fn acknowledged_batches_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.sqlite3");
    let mut all_acknowledged = BTreeSet::new();
    for (round, kill_after) in [150_usize, 400, 900].into_iter().enumerate() {
        let first_batch = round as u64 * 1_000_000;
        let acknowledged = write_until_killed(&path, first_batch, kill_after);
        assert!(acknowledged.len() >= kill_after);
        all_acknowledged.extend(acknowledged);

        let storage = SqliteStorage::open(SqliteOptions::new(&path))
            .await
            .unwrap();
        storage.check_integrity().await.unwrap();
        for &batch in &all_acknowledged {
            for part in ["a", "b"] {
                assert_eq!(
                    storage.load(&chunk_key(batch, part)).await.unwrap(),
                    Some(chunk_value(batch, part)),
                    "acknowledged batch {batch} lost its chunk {part} after round {round}"
                );
            }
        }
        // Batches that were in flight may or may not be there, but never half of one.
        let markers = storage
            .load_range(&StorageKey::new(["batches"]).unwrap())
            .await
            .unwrap();
        let stored: BTreeSet<u64> = markers
            .iter()
            .map(|(_, value)| u64::from_be_bytes(value.as_slice().try_into().unwrap()))
            .collect();
        assert!(stored.is_superset(&all_acknowledged));
        let mut n_chunks = 0;
        for document in 0..7 {
            let name = format!("doc-{document}");
            let chunks = storage
                .load_range(&StorageKey::new([name.as_str()]).unwrap())
                .await
                .unwrap();
            n_chunks += chunks.len();
            for (key, _) in chunks {
                let batch: u64 = key.parts()[2][..12].parse().unwrap();
                assert!(stored.contains(&batch), "chunk {key} without its batch");
            }
        }
        assert_eq!(n_chunks, 2 * stored.len(), "every stored batch is whole");
        storage.close().await.unwrap();
    }
}
