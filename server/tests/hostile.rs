//! Bad and hostile clients: each is refused with a clear reason and only its own connection
//! closes; everyone else keeps syncing and stored data stays whole.

mod support;

use std::time::{Duration, Instant};

use dealflow_core::sync::{DocumentStatus, PeerId, WireMessage};
use support::TestServer;
use support::sync_peer::{SyncPeer, document_id};

const WAIT: Duration = Duration::from_secs(10);

/// Two well-behaved clients on one deal.
async fn pair(
    server: &TestServer,
    seed: u8,
) -> (SyncPeer, SyncPeer, dealflow_core::sync::DocumentId) {
    let id = document_id(seed);
    let mut rep = SyncPeer::connect(&server.base, "zhang-wei", "rep").await;
    rep.create_synced(id, "steady").await;
    let mut manager = SyncPeer::connect(&server.base, "wang-fang", "manager").await;
    manager.find(id).await;
    manager
        .pump_until(WAIT, |client| {
            client.status(id) == Some(DocumentStatus::Ready)
        })
        .await
        .unwrap();
    (rep, manager, id)
}

/// The good clients still sync with each other.
async fn still_syncing(
    rep: &mut SyncPeer,
    manager: &mut SyncPeer,
    id: dealflow_core::sync::DocumentId,
    value: &str,
) {
    rep.put(id, "probe", value).await;
    rep.pump_until(WAIT, |client| client.in_sync(id))
        .await
        .unwrap();
    manager
        .pump_until(WAIT, |client| {
            client
                .doc(id)
                .is_some_and(|doc| doc.get_heads() == rep.client.doc(id).unwrap().get_heads())
        })
        .await
        .unwrap();
    assert_eq!(manager.get(id, "probe").as_deref(), Some(value));
}

fn error_message(peer: &SyncPeer) -> Option<String> {
    peer.received.iter().find_map(|message| match message {
        Some(WireMessage::Error { message, .. }) => Some(message.clone()),
        _ => None,
    })
}

#[tokio::test]
async fn malformed_frames_close_only_their_connection() {
    let server = TestServer::start(&[]).await;
    let (mut rep, mut manager, id) = pair(&server, 20).await;

    let mut garbage = SyncPeer::connect(&server.base, "liu-yang", "garbage").await;
    garbage.send_raw(vec![0xff, 0x00, 0x13, 0x37]).await;
    let close = garbage.expect_close(WAIT).await.unwrap();
    assert_eq!(u16::from(close.code), 1008);
    assert!(
        error_message(&garbage).unwrap().contains("malformed"),
        "{:?}",
        error_message(&garbage)
    );

    let mut texter = SyncPeer::connect(&server.base, "liu-yang", "texter").await;
    texter.send_text("{\"type\":\"sync\"}").await;
    let close = texter.expect_close(WAIT).await.unwrap();
    assert_eq!(u16::from(close.code), 1003);

    // A well-formed frame with an invalid Automerge sync message, for a document the sender may
    // edit: refused, closed, and the stored document is untouched.
    let mut corrupt = SyncPeer::connect(&server.base, "wang-fang", "corrupt").await;
    let server_peer = corrupt.client.server().unwrap().clone();
    let frame = WireMessage::Sync {
        sender_id: PeerId::new("corrupt").unwrap(),
        target_id: server_peer,
        document_id: id,
        data: vec![0x42, 0xff, 0xff, 0xff],
    };
    corrupt.send_raw(frame.encode()).await;
    let close = corrupt.expect_close(WAIT).await.unwrap();
    assert_eq!(u16::from(close.code), 1008);
    assert!(
        error_message(&corrupt)
            .unwrap()
            .contains("invalid sync message")
    );

    still_syncing(&mut rep, &mut manager, id, "after garbage").await;
    let mut late = SyncPeer::connect(&server.base, "chen-jing", "admin").await;
    late.find(id).await;
    late.pump_until(WAIT, |client| {
        client.in_sync(id) && client.status(id) == Some(DocumentStatus::Ready)
    })
    .await
    .unwrap();
    assert_eq!(late.get(id, "probe").as_deref(), Some("after garbage"));
    let metrics = server.metrics_text().await;
    for reason in ["malformed", "text_frame", "invalid_sync"] {
        assert!(
            metrics.contains(&format!(
                "dealflow_messages_rejected_total{{reason=\"{reason}\"}}"
            )),
            "{reason}"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn oversized_messages_close_only_their_connection() {
    let server =
        TestServer::start(&["--max-message-bytes", "65536", "--max-frame-bytes", "65536"]).await;
    let (mut rep, mut manager, id) = pair(&server, 21).await;

    let mut flooder = SyncPeer::connect(&server.base, "liu-yang", "flooder").await;
    flooder.send_raw(vec![0xa1; 200 * 1024]).await;
    // The relay stops reading at the cap and closes with 1009; the unread rest of the message
    // may make the kernel reset the connection before the client reads the close frame, so the
    // refusal is also checked on the relay's side.
    if let Some(close) = flooder.expect_close(WAIT).await {
        assert_eq!(u16::from(close.code), 1009);
    }
    let metrics = server.metrics_text().await;
    assert!(metrics.contains(r#"dealflow_messages_rejected_total{reason="too_big"}"#));
    still_syncing(&mut rep, &mut manager, id, "after the flood").await;
    server.stop().await;
}

#[tokio::test]
async fn a_fast_client_is_paced_by_its_rate_limit_and_others_are_not() {
    let server =
        TestServer::start(&["--rate-limit-per-second", "20", "--rate-limit-burst", "5"]).await;
    let (mut rep, mut manager, id) = pair(&server, 22).await;

    // 45 presence messages at once: 5 pass in the burst, the other 40 at 20 per second.
    let started = Instant::now();
    for count in 0..45_u8 {
        let step = rep
            .client
            .broadcast(id, vec![0xa1, 0x61, 0x63, count % 24])
            .unwrap();
        rep.send(step).await;
    }
    // The manager's own edits are not held up by the rep's backlog.
    let manager_started = Instant::now();
    manager.put(id, "quick", "yes").await;
    manager
        .pump_until(WAIT, |client| client.in_sync(id))
        .await
        .unwrap();
    let manager_took = manager_started.elapsed();
    let relayed = |peer: &SyncPeer| {
        peer.received
            .iter()
            .filter(|message| matches!(message, Some(WireMessage::Ephemeral { .. })))
            .count()
    };
    while relayed(&manager) < 45 && started.elapsed() < Duration::from_secs(15) {
        manager.pump_for(Duration::from_millis(100)).await;
    }
    let took = started.elapsed();
    assert_eq!(
        relayed(&manager),
        45,
        "every message is relayed, none dropped"
    );
    assert!(took >= Duration::from_millis(1500), "paced: {took:?}");
    assert!(
        manager_took < Duration::from_millis(1500),
        "others are not held up: {manager_took:?}"
    );
    let metrics = server.metrics_text().await;
    let throttled: f64 = metrics
        .lines()
        .find_map(|line| line.strip_prefix("dealflow_messages_throttled_total "))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0.0);
    assert!(throttled >= 40.0, "{throttled}");
    server.stop().await;
}

#[tokio::test]
async fn documents_over_the_per_connection_cap_are_unavailable_with_a_notice() {
    let server = TestServer::start(&["--max-documents-per-connection", "2"]).await;
    let mut rep = SyncPeer::connect(&server.base, "zhang-wei", "rep").await;
    for seed in 23..26 {
        rep.create(document_id(seed), "cap").await;
    }
    rep.pump_until(WAIT, |client| {
        client.in_sync(document_id(23)) && client.in_sync(document_id(24))
    })
    .await
    .unwrap();
    rep.pump_for(Duration::from_millis(300)).await;
    assert!(
        !rep.client.in_sync(document_id(25)),
        "the third document is not synced"
    );
    let notices: Vec<dealflow_core::sync::RejectionNotice> = rep
        .received
        .iter()
        .filter_map(|message| match message {
            Some(WireMessage::Ephemeral { data, .. }) => {
                dealflow_core::sync::RejectionNotice::decode(data)
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        notices,
        [dealflow_core::sync::RejectionNotice::new(
            "too_many_documents",
            0
        )]
    );
    assert!(rep.received.iter().any(|message| matches!(
        message,
        Some(WireMessage::DocUnavailable { document_id: refused, .. }) if *refused == document_id(25)
    )));
    server.stop().await;
}
