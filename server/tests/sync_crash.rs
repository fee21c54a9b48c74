//! Crash durability over WebSockets: several clients write to the real `dealflow-server` binary,
//! each recording the edits the relay acknowledged (its sync messages show heads that contain
//! them); the server is killed with SIGKILL mid-stream and restarted on the same data directory.
//! A fresh client then finds every acknowledged edit, and the writers reconnect and resume.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use support::binary;
use support::writer::{self, Writer};

/// Writes numbered edits, one at a time, until the connection dies or `stop` is set; an edit
/// counts as acknowledged once the relay's sync message covers it.
async fn write_until_killed(
    mut writer: Writer,
    total: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
) -> Writer {
    while !stop.load(Ordering::Relaxed) {
        writer.write(1).await;
        if !writer.settle(Duration::from_secs(3)).await {
            break;
        }
        total.fetch_add(1, Ordering::Relaxed);
    }
    writer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_edits_survive_kill_9_and_clients_resume() {
    let data_dir = tempfile::tempdir().unwrap();
    let (mut child, base) = binary::start(data_dir.path(), &[]);
    let total = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for (seed, user) in [
        (30, "zhang-wei"),
        (31, "liu-yang"),
        (32, "zhao-min"),
        (33, "wang-fang"),
    ] {
        let writer = Writer::connect(&base, seed, user).await;
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

    let (mut child, base) = binary::start(data_dir.path(), &[]);
    let mut auditor = writer::audit_acknowledged(&base, &writers).await;
    writer::resume_and_audit_everything(&base, &mut writers, &mut auditor).await;
    child.kill().unwrap();
    child.wait().unwrap();
}
