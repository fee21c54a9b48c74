//! Graceful shutdown of the real binary while clients write: on SIGTERM the relay closes every
//! connection with "going away" (1001), lets each document finish what its connections sent,
//! flushes and closes SQLite (the write-ahead log is checkpointed away) and exits 0. After a
//! restart every acknowledged edit is there and the writers resume.

mod support;

use std::time::Duration;

use support::binary;
use support::writer::{self, Writer};

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_closes_connections_flushes_every_acknowledged_edit_and_exits_cleanly() {
    let data_dir = tempfile::tempdir().unwrap();
    let (mut child, base) = binary::start(data_dir.path(), &[]);
    let mut writers = Vec::new();
    for (seed, user) in [(50, "zhang-wei"), (51, "zhao-min"), (52, "wang-fang")] {
        let mut writer = Writer::connect(&base, seed, user).await;
        writer.write(20).await;
        assert!(writer.settle(WAIT).await);
        writers.push(writer);
    }
    // A burst still in flight when the signal arrives.
    for writer in &mut writers {
        writer.write(30).await;
    }
    assert!(binary::terminate(&mut child, Duration::from_secs(15)).await);

    for writer in &mut writers {
        let close = writer.peer.expect_close(WAIT).await;
        if let Some(close) = close {
            assert_eq!(u16::from(close.code), 1001, "{close:?}");
        }
        // Whatever the relay acknowledged before closing is acknowledged too.
        let document = writer.document;
        if writer.peer.client.unsynced_changes(document) == Some(0) {
            writer.acknowledged = writer.written;
        }
    }
    let wal = data_dir.path().join("dealflow.sqlite3-wal");
    assert!(
        !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
        "storage was flushed and checkpointed on SIGTERM"
    );

    let (mut child, base) = binary::start(data_dir.path(), &[]);
    let mut auditor = writer::audit_acknowledged(&base, &writers).await;
    // The writers reconnect and everything they wrote, acknowledged or not, arrives.
    writer::resume_and_audit_everything(&base, &mut writers, &mut auditor).await;
    assert!(binary::terminate(&mut child, Duration::from_secs(15)).await);
}
