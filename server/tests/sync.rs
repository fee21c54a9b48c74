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
    rep.create(id, "华东电网 CRM 二期").await;
    rep.pump_until(WAIT, |client| client.in_sync(id))
        .await
        .unwrap();

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
    let metrics = reqwest::get(server.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
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
    rep.create(id, "offline").await;
    rep.pump_until(WAIT, |client| client.in_sync(id))
        .await
        .unwrap();
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
    owner.create(secret_deal, "机密：华东电网").await;
    owner
        .pump_until(WAIT, |client| client.in_sync(secret_deal))
        .await
        .unwrap();

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
