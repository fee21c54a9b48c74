//! Graceful shutdown of the real binary while clients write: on SIGTERM the relay closes every
//! connection with "going away" (1001), lets each document finish what its connections sent,
//! flushes and closes SQLite (the write-ahead log is checkpointed away) and exits 0. After a
//! restart every acknowledged edit is there and the writers resume.

mod support;

use std::time::Duration;

use dealflow_core::sync::{DocumentId, DocumentStatus};
use support::binary;
use support::sync_peer::{SyncPeer, document_id};

const WAIT: Duration = Duration::from_secs(10);

struct Writer {
    user: &'static str,
    peer: SyncPeer,
    document: DocumentId,
    /// Edits `0..acknowledged` were acknowledged by the relay.
    acknowledged: u32,
    written: u32,
}

impl Writer {
    async fn write(&mut self, n_edits: u32) {
        for _ in 0..n_edits {
            let edit = self.written;
            self.written += 1;
            self.peer
                .put(self.document, &format!("edit{edit:05}"), self.user)
                .await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_closes_connections_flushes_every_acknowledged_edit_and_exits_cleanly() {
    let data_dir = tempfile::tempdir().unwrap();
    let (mut child, base) = binary::start(data_dir.path(), &[]);
    let mut writers = Vec::new();
    for (seed, user) in [(50, "zhang-wei"), (51, "zhao-min"), (52, "wang-fang")] {
        let document = document_id(seed);
        let mut peer = SyncPeer::connect(&base, user, &format!("writer-{user}")).await;
        peer.create_synced(document, user).await;
        let mut writer = Writer {
            user,
            peer,
            document,
            acknowledged: 0,
            written: 0,
        };
        writer.write(20).await;
        writer
            .peer
            .pump_until(WAIT, |client| client.in_sync(document))
            .await
            .unwrap();
        writer.acknowledged = writer.written;
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
    let mut auditor = SyncPeer::connect(&base, "chen-jing", "auditor").await;
    for writer in &writers {
        let document = writer.document;
        auditor.find(document).await;
        auditor
            .pump_until(WAIT, |client| {
                client.status(document) == Some(DocumentStatus::Ready) && client.in_sync(document)
            })
            .await
            .unwrap();
        for edit in 0..writer.acknowledged {
            assert_eq!(
                auditor.get(document, &format!("edit{edit:05}")).as_deref(),
                Some(writer.user),
                "edit {edit} of {} was acknowledged but is lost",
                writer.user
            );
        }
    }
    // The writers reconnect and everything they wrote, acknowledged or not, arrives.
    for writer in &mut writers {
        writer.peer.reconnect(&base, writer.user).await;
        let document = writer.document;
        writer
            .peer
            .pump_until(WAIT, |client| client.in_sync(document))
            .await
            .unwrap();
        let heads = writer.peer.client.doc(document).unwrap().get_heads();
        auditor
            .pump_until(WAIT, |client| {
                client
                    .doc(document)
                    .is_some_and(|doc| doc.get_heads() == heads)
            })
            .await
            .unwrap();
        for edit in 0..writer.written {
            assert_eq!(
                auditor.get(document, &format!("edit{edit:05}")).as_deref(),
                Some(writer.user)
            );
        }
    }
    assert!(binary::terminate(&mut child, Duration::from_secs(15)).await);
}
