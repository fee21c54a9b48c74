//! The sync relay over real WebSockets: clients speaking the automerge-repo protocol through
//! core's `SyncClient` against the real server on an ephemeral port.

mod support;

use std::time::Duration;

use dealflow_core::sync::{DocumentStatus, WireMessage};
use support::TestServer;
use support::sync_peer::{SyncPeer, document_id};

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn two_clients_sync_a_deal_both_ways() {
    let server = TestServer::start(&[]).await;
    let id = document_id(1);
    let mut rep = SyncPeer::connect(&server.base, "zhang-wei", "rep-laptop").await;
    rep.create_synced(id, "华东电网 CRM 二期").await;

    // The rep's manager sees the deal and edits it; the rep receives the edit.
    let mut manager = SyncPeer::connect(&server.base, "wang-fang", "manager-phone").await;
    manager.find(id).await;
    manager
        .pump_until(WAIT, |client| {
            client.status(id) == Some(DocumentStatus::Ready)
        })
        .await
        .unwrap();
    assert_eq!(
        manager.get(id, "title").as_deref(),
        Some("华东电网 CRM 二期")
    );
    manager.put(id, "stageNote", "客户已确认预算").await;
    manager
        .pump_until(WAIT, |client| client.in_sync(id))
        .await
        .unwrap();
    rep.pump_until(WAIT, |client| {
        client.doc(id).is_some_and(|doc| {
            dealflow_core::automerge::ReadDoc::get(doc, dealflow_core::automerge::ROOT, "stageNote")
                .ok()
                .flatten()
                .is_some()
        })
    })
    .await
    .unwrap();
    assert_eq!(rep.get(id, "stageNote").as_deref(), Some("客户已确认预算"));
    assert_eq!(
        rep.client.doc(id).unwrap().get_heads(),
        manager.client.doc(id).unwrap().get_heads()
    );
    let metrics = server.metrics_text().await;
    let value = |name: &str| -> f64 {
        metrics
            .lines()
            .find_map(|line| {
                line.strip_prefix(name)?
                    .strip_prefix(' ')?
                    .trim()
                    .parse()
                    .ok()
            })
            .unwrap_or(0.0)
    };
    for series in [
        "dealflow_connections_total",
        "dealflow_messages_received_total",
        "dealflow_messages_sent_total",
        "dealflow_received_bytes_total",
        "dealflow_sent_bytes_total",
        "dealflow_sync_latency_seconds_count",
    ] {
        assert!(value(series) > 0.0, "{series} recorded");
    }
    server.stop().await;
}

#[tokio::test]
async fn an_offline_client_catches_up() {
    let server = TestServer::start(&[]).await;
    let id = document_id(2);
    let mut rep = SyncPeer::connect(&server.base, "zhang-wei", "rep").await;
    rep.create_synced(id, "offline").await;
    let mut manager = SyncPeer::connect(&server.base, "wang-fang", "manager").await;
    manager.find(id).await;
    manager
        .pump_until(WAIT, |client| {
            client.status(id) == Some(DocumentStatus::Ready)
        })
        .await
        .unwrap();

    // The manager goes offline and edits; the rep edits meanwhile.
    manager.disconnect().await;
    manager.put(id, "offlineEdit", "from the train").await;
    for round in 0..5 {
        rep.put(id, &format!("online{round}"), "x").await;
    }
    rep.pump_until(WAIT, |client| client.in_sync(id))
        .await
        .unwrap();

    manager.reconnect(&server.base, "wang-fang").await;
    manager
        .pump_until(WAIT, |client| client.in_sync(id))
        .await
        .unwrap();
    rep.pump_until(WAIT, |client| {
        client
            .doc(id)
            .is_some_and(|doc| doc.get_heads() == manager.client.doc(id).unwrap().get_heads())
    })
    .await
    .unwrap();
    assert_eq!(manager.get(id, "online4").as_deref(), Some("x"));
    assert_eq!(
        rep.get(id, "offlineEdit").as_deref(),
        Some("from the train")
    );
    server.stop().await;
}

#[tokio::test]
async fn forbidden_and_unknown_documents_get_the_same_answer_and_no_byte() {
    let server = TestServer::start(&[]).await;
    let secret_deal = document_id(3);
    let mut owner = SyncPeer::connect(&server.base, "zhang-wei", "owner").await;
    owner.create_synced(secret_deal, "机密：华东电网").await;

    // A rep of another team asks for it, and for an id nobody created.
    let mut outsider = SyncPeer::connect(&server.base, "zhao-min", "outsider").await;
    let unknown = document_id(4);
    outsider.find(secret_deal).await;
    outsider.find(unknown).await;
    outsider
        .pump_until(WAIT, |client| {
            client.status(secret_deal) == Some(DocumentStatus::Unavailable)
                && client.status(unknown) == Some(DocumentStatus::Unavailable)
        })
        .await
        .unwrap();
    // The owner keeps editing; the outsider must receive nothing of it.
    owner.put(secret_deal, "amount", "¥1,000,000").await;
    owner
        .pump_until(WAIT, |client| client.in_sync(secret_deal))
        .await
        .unwrap();
    outsider.pump_for(Duration::from_millis(500)).await;

    let after_handshake: Vec<&Option<WireMessage>> = outsider.received.iter().skip(1).collect();
    assert_eq!(after_handshake.len(), 2, "{after_handshake:?}");
    for message in after_handshake {
        assert!(
            matches!(message, Some(WireMessage::DocUnavailable { .. })),
            "only doc-unavailable, got {message:?}"
        );
    }
    for bytes in &outsider.received_bytes {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains("机密") && !text.contains("1,000,000"));
    }
    // The two answers differ only in the document id.
    let answers: Vec<Vec<u8>> = outsider.received_bytes[1..]
        .iter()
        .map(|bytes| {
            let mut message = WireMessage::decode(bytes).unwrap();
            if let WireMessage::DocUnavailable { document_id, .. } = &mut message {
                *document_id = unknown;
            }
            message.encode()
        })
        .collect();
    assert_eq!(answers[0], answers[1]);
    assert!(
        outsider
            .client
            .doc(secret_deal)
            .unwrap()
            .get_heads()
            .is_empty()
    );
    server.stop().await;
}

/// The value of a counter on the `/metrics` page (0 if absent).
fn counter(metrics: &str, name: &str) -> f64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or(0.0)
}

/// Pumps every peer in turn until they all hold the same heads and each is in sync with the
/// relay.
async fn converge(peers: &mut [SyncPeer], id: dealflow_core::sync::DocumentId) {
    for _round in 0..100 {
        for peer in peers.iter_mut() {
            peer.pump_for(Duration::from_millis(50)).await;
        }
        let heads: Vec<_> = peers
            .iter()
            .map(|peer| peer.client.doc(id).map(|doc| doc.get_heads()))
            .collect();
        if heads.windows(2).all(|pair| pair[0] == pair[1])
            && peers.iter().all(|peer| peer.client.in_sync(id))
        {
            return;
        }
    }
    panic!("the peers did not converge");
}

/// Six peers of one deal, all in sync with it.
async fn six_peers(server: &TestServer, id: dealflow_core::sync::DocumentId) -> Vec<SyncPeer> {
    let mut owner = SyncPeer::connect(&server.base, "zhang-wei", "owner").await;
    owner.create_synced(id, "华东电网 CRM 二期").await;
    let mut peers = vec![owner];
    for (index, user) in [
        "zhang-wei",
        "wang-fang",
        "wang-fang",
        "chen-jing",
        "chen-jing",
    ]
    .into_iter()
    .enumerate()
    {
        let mut peer = SyncPeer::connect(&server.base, user, &format!("peer-{index}")).await;
        peer.find(id).await;
        peer.pump_until(WAIT, |client| {
            client.status(id) == Some(DocumentStatus::Ready) && client.in_sync(id)
        })
        .await
        .unwrap();
        peers.push(peer);
    }
    peers
}

#[tokio::test]
async fn a_burst_of_concurrent_edits_from_many_peers_converges_through_the_fan_out() {
    let server = TestServer::start(&[]).await;
    let id = document_id(90);
    let mut peers = six_peers(&server, id).await;
    for round in 0..3 {
        for peer in &mut peers {
            peer.put(id, "warm-up", &round.to_string()).await;
        }
        converge(&mut peers, id).await;
    }
    let shared_before = counter(
        &server.metrics_text().await,
        "dealflow_sync_shared_messages_total",
    );
    // Every peer edits five times without reading anything in between.
    for round in 0..5 {
        for (index, peer) in peers.iter_mut().enumerate() {
            peer.put(
                id,
                &format!("field-{}", index % 3),
                &format!("{index}/{round}"),
            )
            .await;
        }
    }
    converge(&mut peers, id).await;
    for index in 0..3 {
        assert!(peers[0].get(id, &format!("field-{index}")).is_some());
    }
    // Then one edit at a time, each converged before the next: the five other peers are in
    // sync each time, so each edit reaches them as one shared message. (Edits sent back to back
    // may all land in one batch, where every peer is also an author and none is in step.)
    for index in 0..peers.len() {
        if let Some(peer) = peers.get_mut(index) {
            peer.put(id, "stage", &format!("stage-{index}")).await;
        }
        converge(&mut peers, id).await;
    }
    let shared = counter(
        &server.metrics_text().await,
        "dealflow_sync_shared_messages_total",
    ) - shared_before;
    assert!(shared >= 5.0, "shared messages: {shared}");
    let title = peers[0].get(id, "title");
    assert!(peers.iter().all(|peer| peer.get(id, "title") == title));
    server.stop().await;
}

#[tokio::test]
async fn a_peer_that_lags_behind_the_fan_out_still_converges() {
    let server = TestServer::start(&[]).await;
    let id = document_id(91);
    let mut peers = six_peers(&server, id).await;
    let mut lagging = peers.pop().unwrap();
    // The others edit while the lagging peer reads nothing (its acknowledgements stay old).
    for round in 0..4 {
        for (index, peer) in peers.iter_mut().enumerate() {
            peer.put(id, "stage", &format!("{index}/{round}")).await;
        }
        converge(&mut peers, id).await;
    }
    // It edits on its old copy, then catches up.
    lagging.put(id, "owner", "王伟").await;
    peers.push(lagging);
    converge(&mut peers, id).await;
    assert!(
        peers
            .iter()
            .all(|peer| peer.get(id, "owner").as_deref() == Some("王伟"))
    );
    let stage = peers[0].get(id, "stage");
    assert!(stage.is_some());
    assert!(peers.iter().all(|peer| peer.get(id, "stage") == stage));
    server.stop().await;
}
