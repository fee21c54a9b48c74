//! The single writer thread and its group commit.
//!
//! Every write in the process goes through one thread that owns the writing connection. It takes
//! the first queued request, then everything else already queued (up to a group size), and
//! applies the whole group in one transaction: one `COMMIT`, so one WAL `fsync`, for many callers.
//! Each request runs inside its own savepoint, so a request that fails is rolled back alone and
//! the others still commit. Callers are answered through their oneshot only after `COMMIT`
//! returned, which is what makes "resolved" mean "durable".
//!
//! While a group is being committed new requests queue up; the slower the disk, the bigger the
//! next group, so throughput grows with load instead of collapsing.

use std::panic::AssertUnwindSafe;
use std::time::Instant;

use rusqlite::{Connection, Transaction};
use tokio::sync::{mpsc, oneshot};

use crate::observability::metrics;
use crate::storage::{StorageError, StorageOp};

/// Work that runs in the writer's transaction and reports its own result.
pub(super) type Exec = Box<dyn FnOnce(&Connection) -> Result<(), StorageError> + Send>;

/// A request to the writer thread.
pub(super) enum Job {
    /// Apply these operations in order.
    Batch {
        ops: Vec<StorageOp>,
        done: oneshot::Sender<Result<(), StorageError>>,
    },
    /// Run custom SQL (the directory tables) in the same transactional discipline.
    Exec {
        apply: Exec,
        done: oneshot::Sender<Result<(), StorageError>>,
    },
    /// Finish everything queued before this, checkpoint and close the connection.
    Close {
        done: oneshot::Sender<Result<(), StorageError>>,
    },
}

impl Job {
    fn weight(&self) -> usize {
        match self {
            Job::Batch { ops, .. } => ops.iter().map(StorageOp::value_len).sum(),
            Job::Exec { .. } | Job::Close { .. } => 0,
        }
    }
}

/// How large one group may grow.
#[derive(Clone, Copy, Debug)]
pub(super) struct GroupLimits {
    /// Most requests in one transaction.
    pub(super) max_requests: usize,
    /// Most value bytes in one transaction (a group always takes at least one request).
    pub(super) max_bytes: usize,
}

/// The writer thread's loop: runs until a `Close` arrives or every sender is gone.
pub(super) fn run(mut connection: Connection, mut jobs: mpsc::Receiver<Job>, limits: GroupLimits) {
    let mut carried: Option<Job> = None;
    loop {
        let Some(first) = carried.take().or_else(|| jobs.blocking_recv()) else {
            // Every handle was dropped without `close`: still end cleanly.
            let _ = close(connection);
            return;
        };
        if let Job::Close { done } = first {
            jobs.close();
            let _ = done.send(close(connection));
            return;
        }
        let mut bytes = first.weight();
        let mut group = vec![first];
        while group.len() < limits.max_requests && bytes < limits.max_bytes {
            match jobs.try_recv() {
                Ok(job @ Job::Close { .. }) => {
                    carried = Some(job);
                    break;
                }
                Ok(job) => {
                    bytes += job.weight();
                    group.push(job);
                }
                Err(_) => break,
            }
        }
        commit_group(&mut connection, group);
    }
}

fn commit_group(connection: &mut Connection, group: Vec<Job>) {
    let started = Instant::now();
    let n_requests = group.len();
    let n_ops: usize = group
        .iter()
        .map(|job| match job {
            Job::Batch { ops, .. } => ops.len(),
            Job::Exec { .. } | Job::Close { .. } => 1,
        })
        .sum();
    let mut transaction = match connection.transaction() {
        Ok(transaction) => transaction,
        Err(error) => {
            let error = StorageError::backend("begin a transaction", error);
            fail_group(group, &error);
            return;
        }
    };
    let mut answers = Vec::with_capacity(n_requests);
    for job in group {
        let (result, done) = match job {
            Job::Batch { ops, done } => (
                in_savepoint(&mut transaction, |connection| apply_ops(connection, &ops)),
                done,
            ),
            Job::Exec { apply, done } => (in_savepoint(&mut transaction, apply), done),
            // `run` never puts a Close into a group.
            Job::Close { done } => (Err(StorageError::Closed), done),
        };
        answers.push((done, result));
    }
    match transaction.commit() {
        Ok(()) => {
            metrics::record_storage_commit(n_requests, n_ops, started.elapsed());
            for (done, result) in answers {
                if result.is_err() {
                    metrics::record_storage_error();
                }
                // A caller that stopped waiting does not undo a commit.
                let _ = done.send(result);
            }
        }
        Err(error) => {
            let error = StorageError::backend("commit", error);
            tracing::error!(%error, requests = n_requests, "group commit failed");
            for (done, _) in answers {
                metrics::record_storage_error();
                let _ = done.send(Err(error.clone()));
            }
        }
    }
}

fn in_savepoint(
    transaction: &mut Transaction<'_>,
    apply: impl FnOnce(&Connection) -> Result<(), StorageError>,
) -> Result<(), StorageError> {
    let savepoint = transaction
        .savepoint()
        .map_err(|error| StorageError::backend("open a savepoint", error))?;
    // Dropping an uncommitted savepoint rolls it back, undoing a failed request alone. A panic
    // is caught so that one bad request cannot take the writer thread, and all storage, down.
    let applied =
        std::panic::catch_unwind(AssertUnwindSafe(|| apply(&savepoint))).unwrap_or_else(|_| {
            Err(StorageError::backend(
                "write",
                std::io::Error::other("the write request panicked and was rolled back"),
            ))
        });
    applied?;
    savepoint
        .commit()
        .map_err(|error| StorageError::backend("release a savepoint", error))
}

fn apply_ops(connection: &Connection, ops: &[StorageOp]) -> Result<(), StorageError> {
    let write = |error| StorageError::backend("write", error);
    for op in ops {
        match op {
            StorageOp::Put { key, value } => {
                connection
                    .prepare_cached(
                        "INSERT INTO chunks (key, value) VALUES (?1, ?2)
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    )
                    .and_then(|mut statement| statement.execute((key.encode(), value)))
                    .map_err(write)?;
            }
            StorageOp::Delete { key } => {
                connection
                    .prepare_cached("DELETE FROM chunks WHERE key = ?1")
                    .and_then(|mut statement| statement.execute([key.encode()]))
                    .map_err(write)?;
            }
        }
    }
    Ok(())
}

fn fail_group(group: Vec<Job>, error: &StorageError) {
    tracing::error!(%error, requests = group.len(), "group commit failed");
    for job in group {
        metrics::record_storage_error();
        let done = match job {
            Job::Batch { done, .. } | Job::Exec { done, .. } | Job::Close { done } => done,
        };
        let _ = done.send(Err(error.clone()));
    }
}

/// Folds the WAL back into the database file so the next start begins with an empty log.
fn close(connection: Connection) -> Result<(), StorageError> {
    connection
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .map_err(|error| StorageError::backend("checkpoint", error))?;
    connection
        .close()
        .map_err(|(_, error)| StorageError::backend("close", error))
}
