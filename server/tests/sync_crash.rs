//! Crash durability over WebSockets: several clients write to the real `dealflow-server` binary,
//! each recording the edits the relay acknowledged (its sync messages show heads that contain
//! them); the server is killed with SIGKILL mid-stream and restarted on the same data directory.
//! A fresh client then finds every acknowledged edit, and the writers reconnect and resume.

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use dealflow_core::sync::{DocumentId, DocumentStatus};
use support::SECRET;
use support::sync_peer::{SyncPeer, document_id};

const WAIT: Duration = Duration::from_secs(10);

/// Starts the binary on an ephemeral port; returns it and its base URL.
fn start_server(data_dir: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dealflow-server"))
        .env_clear()
        .env("DEALFLOW_LISTEN", "127.0.0.1:0")
        .env("DEALFLOW_DATA_DIR", data_dir)
        .env("DEALFLOW_WEB_DIR", data_dir)
        .env("DEALFLOW_TOKEN_SECRET", SECRET)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("dealflow-server listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    (child, base)
}

struct Writer {
    user: &'static str,
    peer: SyncPeer,
    document: DocumentId,
    /// Edits `0..acknowledged` were acknowledged.
    acknowledged: u32,
    written: u32,
}

/// Writes numbered edits until the connection dies or `stop` is set; an edit counts as
/// acknowledged once the relay's sync message covers it.
async fn write_until_killed(
    mut writer: Writer,
    total: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
) -> Writer {
    while !stop.load(Ordering::Relaxed) {
        let edit = writer.written;
        writer.written += 1;
        writer
            .peer
            .put(writer.document, &format!("edit{edit:05}"), writer.user)
            .await;
        let document = writer.document;
        if writer
            .peer
            .pump_until(Duration::from_secs(3), |client| client.in_sync(document))
            .await
            .is_err()
        {
            break;
        }
        // Acknowledged: every edit so far is covered by the relay's heads.
        writer.acknowledged = edit + 1;
        total.fetch_add(1, Ordering::Relaxed);
    }
    writer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_edits_survive_kill_9_and_clients_resume() {
    let data_dir = tempfile::tempdir().unwrap();
    let (mut child, base) = start_server(data_dir.path());
    let total = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for (seed, user) in [
        (30, "zhang-wei"),
        (31, "liu-yang"),
        (32, "zhao-min"),
        (33, "wang-fang"),
    ] {
        let document = document_id(seed);
        let mut peer = SyncPeer::connect(&base, user, &format!("writer-{user}")).await;
        peer.create_synced(document, user).await;
        let writer = Writer {
            user,
            peer,
            document,
            acknowledged: 0,
            written: 0,
        };
        tasks.push(tokio::spawn(write_until_killed(
            writer,
            Arc::clone(&total),
            Arc::clone(&stop),
        )));
    }
    while total.load(Ordering::Relaxed) < 60 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // SIGKILL mid-stream: no destructor, no checkpoint, no flush.
    child.kill().unwrap();
    child.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    let mut writers = Vec::new();
    for task in tasks {
        writers.push(task.await.unwrap());
    }
    let acknowledged: u32 = writers.iter().map(|writer| writer.acknowledged).sum();
    assert!(acknowledged >= 60, "{acknowledged} acknowledged");

    let (mut child, base) = start_server(data_dir.path());
    // A fresh client, before any writer reconnects: the relay alone must have every edit.
    let mut auditor = SyncPeer::connect(&base, "chen-jing", "auditor").await;
    for writer in &writers {
        auditor.find(writer.document).await;
        let document = writer.document;
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

    // The writers reconnect with what they hold (including edits never acknowledged) and resume.
    for writer in &mut writers {
        writer.peer.reconnect(&base, writer.user).await;
        writer
            .peer
            .put(writer.document, "resumed", writer.user)
            .await;
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
    child.kill().unwrap();
    child.wait().unwrap();
}
