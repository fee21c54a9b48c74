//! Writers that number their edits and remember which ones the relay acknowledged, and the audit
//! after a restart that every acknowledged edit survived: shared by the kill -9 and SIGTERM tests.

use std::time::Duration;

use dealflow_core::sync::{DocumentId, DocumentStatus};

use super::sync_peer::{SyncPeer, document_id};

/// How long a client waits for the relay in the audit.
const WAIT: Duration = Duration::from_secs(10);

/// A client writing numbered edits (`edit00000`, `edit00001`, …) to its own document.
pub(crate) struct Writer {
    pub(crate) user: &'static str,
    pub(crate) peer: SyncPeer,
    pub(crate) document: DocumentId,
    /// Edits `0..acknowledged` were acknowledged by the relay.
    pub(crate) acknowledged: u32,
    /// Edits `0..written` were made locally.
    pub(crate) written: u32,
}

fn key(edit: u32) -> String {
    format!("edit{edit:05}")
}

impl Writer {
    /// Connects as `user` to the server at `base` and creates document `seed`, synced.
    pub(crate) async fn connect(base: &str, seed: u8, user: &'static str) -> Self {
        let document = document_id(seed);
        let mut peer = SyncPeer::connect(base, user, &format!("writer-{user}")).await;
        peer.create_synced(document, user).await;
        Writer {
            user,
            peer,
            document,
            acknowledged: 0,
            written: 0,
        }
    }

    /// Makes `n_edits` more numbered edits (sent, not waited for).
    pub(crate) async fn write(&mut self, n_edits: u32) {
        for _ in 0..n_edits {
            let edit = self.written;
            self.written += 1;
            self.peer.put(self.document, &key(edit), self.user).await;
        }
    }

    /// Waits, at most `wait`, until the relay's sync messages cover every edit written; then
    /// they all count as acknowledged. `false` when the relay did not answer in time.
    pub(crate) async fn settle(&mut self, wait: Duration) -> bool {
        let document = self.document;
        let settled = self
            .peer
            .pump_until(wait, |client| client.in_sync(document))
            .await
            .is_ok();
        if settled {
            self.acknowledged = self.written;
        }
        settled
    }
}

/// After a restart on the same data directory: a fresh client, connected before any writer
/// reconnects, finds every edit each writer saw acknowledged — the relay alone must have them.
/// Returns that client.
pub(crate) async fn audit_acknowledged(base: &str, writers: &[Writer]) -> SyncPeer {
    let mut auditor = SyncPeer::connect(base, "chen-jing", "auditor").await;
    for writer in writers {
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
                auditor.get(document, &key(edit)).as_deref(),
                Some(writer.user),
                "edit {edit} of {} was acknowledged but is lost",
                writer.user
            );
        }
    }
    auditor
}

/// The writers reconnect to `base` with everything they hold (edits never acknowledged too),
/// resume with one more edit each, and the auditor receives all of it.
pub(crate) async fn resume_and_audit_everything(
    base: &str,
    writers: &mut [Writer],
    auditor: &mut SyncPeer,
) {
    for writer in writers {
        writer.peer.reconnect(base, writer.user).await;
        writer
            .peer
            .put(writer.document, "resumed", writer.user)
            .await;
        assert!(writer.settle(WAIT).await, "{} did not resync", writer.user);
        let document = writer.document;
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
                auditor.get(document, &key(edit)).as_deref(),
                Some(writer.user),
                "edit {edit} of {} did not arrive after the restart",
                writer.user
            );
        }
        assert_eq!(
            auditor.get(document, "resumed").as_deref(),
            Some(writer.user)
        );
    }
}
