//! Overload on the real binary: a client that stops reading while a document it shares takes
//! large edits is shed (close 1013, counted as `slow_consumer`) once its queue is over budget,
//! instead of growing the relay's memory or holding up the document; the writer and another
//! reader keep syncing, and the relay's memory stays bounded.

mod support;

use std::time::Duration;

use dealflow_core::sync::DocumentStatus;
use support::binary;
use support::sync_peer::{SyncPeer, document_id};

const WAIT: Duration = Duration::from_secs(20);
/// Each edit carries this much text that does not compress.
const EDIT_BYTES: usize = 200 * 1024;
/// 6.4 MiB of edits: more than the stalled client's 1 MiB queue and what the kernel holds for
/// it (the relay's send buffer grows to `tcp_wmem`'s 4 MiB).
const N_EDITS: usize = 32;

/// Printable text from a xorshift generator: compresses poorly, so every edit travels whole.
fn noise(seed: u64, len: usize) -> String {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'!' + (state % 94) as u8)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_shed_and_the_others_keep_syncing() {
    let data_dir = tempfile::tempdir().unwrap();
    // 256 KiB messages: a connection may have 1 MiB queued before it is shed.
    let (mut child, base) = binary::start(
        data_dir.path(),
        &[
            ("DEALFLOW_MAX_MESSAGE_BYTES", "262144"),
            ("DEALFLOW_MAX_FRAME_BYTES", "262144"),
        ],
    );
    let document = document_id(60);
    let mut writer = SyncPeer::connect(&base, "zhang-wei", "writer").await;
    writer.create_synced(document, "big deal").await;
    let mut reader = SyncPeer::connect(&base, "wang-fang", "reader").await;
    let mut stalled =
        SyncPeer::connect_with_receive_buffer(&base, "chen-jing", "stalled", 4096).await;
    for peer in [&mut reader, &mut stalled] {
        peer.find(document).await;
        peer.pump_until(WAIT, |client| {
            client.status(document) == Some(DocumentStatus::Ready) && client.in_sync(document)
        })
        .await
        .unwrap();
    }
    let memory_before = binary::resident_bytes(child.id());

    // From here on `stalled` never reads its socket.
    for edit in 0..N_EDITS {
        let text = noise(edit as u64 + 1, EDIT_BYTES);
        writer
            .put(document, &format!("attachment{edit:03}"), &text)
            .await;
        writer
            .pump_until(WAIT, |client| client.in_sync(document))
            .await
            .unwrap();
        reader.pump_for(Duration::from_millis(5)).await;
    }
    let last = format!("attachment{:03}", N_EDITS - 1);
    reader
        .pump_until(WAIT, |client| {
            client.doc(document).is_some_and(|doc| {
                dealflow_core::automerge::ReadDoc::get(doc, dealflow_core::automerge::ROOT, &last)
                    .ok()
                    .flatten()
                    .is_some()
            })
        })
        .await
        .unwrap();
    assert!(reader.get(document, &last).unwrap().len() == EDIT_BYTES);

    let page = support::metrics_text(&base).await;
    assert!(
        binary::metric(
            &page,
            "dealflow_messages_rejected_total{reason=\"slow_consumer\"}"
        ) >= 1.0,
        "the stalled client was shed:\n{page}"
    );
    // Three clients remain connected or closing; the stalled one is gone or going.
    assert!(binary::metric(&page, "dealflow_connections_open") <= 3.0);
    // The document is 6.4 MiB; the stalled client's queue added at most its 1 MiB budget (the
    // rest is the document in Automerge, its stored chunks and frames in flight).
    let growth = binary::resident_bytes(child.id()).saturating_sub(memory_before);
    assert!(
        growth < 64 * 1024 * 1024,
        "the relay grew by {} MiB",
        growth / (1024 * 1024)
    );

    // When it reads again, it finds the relay closed it (the close frame is sent if the socket
    // drains in time; otherwise the connection is dropped).
    if let Some(close) = stalled.expect_close(WAIT).await {
        assert_eq!(u16::from(close.code), 1013, "{close:?}");
    }
    // The writer is unaffected.
    writer.put(document, "after", "still syncing").await;
    writer
        .pump_until(WAIT, |client| client.in_sync(document))
        .await
        .unwrap();
    assert!(binary::terminate(&mut child, Duration::from_secs(15)).await);
}
