//! Who sees what, decided from the relay's records: read-only members, exclusive ownership
//! changes over HTTP, and owner fields inside documents that grant nothing.

mod support;

use std::time::Duration;

use dealflow_core::automerge::{ROOT, ReadDoc};
use dealflow_core::sync::{DocumentStatus, RejectionNotice, WireMessage};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::sync_peer::{SyncPeer, document_id};
use support::{TestServer, api, expect_error};

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn read_only_members_receive_updates_but_their_changes_are_dropped_and_reported() {
    let server = TestServer::start(&[]).await;
    let id = document_id(10);
    let mut owner = SyncPeer::connect(&server.base, "zhang-wei", "owner").await;
    owner.create_synced(id, "只读测试").await;

    // A rep of the other team is added read-only by the owner.
    let response = api(
        &server,
        reqwest::Method::PUT,
        &format!("/api/documents/{id}/members/zhao-min"),
        "zhang-wei",
        Some(json!({ "access": "read", "role": "presales" })),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let record: Value = response.json().await.unwrap();
    assert_eq!(record["members"][0]["user"], "zhao-min");
    assert_eq!(record["members"][0]["access"], "read");

    let mut viewer = SyncPeer::connect(&server.base, "zhao-min", "viewer").await;
    viewer.find(id).await;
    viewer
        .pump_until(WAIT, |client| {
            client.status(id) == Some(DocumentStatus::Ready)
        })
        .await
        .unwrap();
    assert_eq!(viewer.get(id, "title").as_deref(), Some("只读测试"));

    // The viewer pushes a change anyway, as an old client that ignores the read-only flag would.
    viewer.push_ignoring_read_only(id, "title", "篡改").await;
    viewer.pump_for(Duration::from_secs(1)).await;
    assert_eq!(
        viewer.rejection_notices(),
        [RejectionNotice::new("read_only", 1)]
    );

    // The owner and a fresh reader never see the change.
    owner.put(id, "after", "yes").await;
    owner
        .pump_until(WAIT, |client| client.in_sync(id))
        .await
        .unwrap();
    assert_eq!(owner.get(id, "title").as_deref(), Some("只读测试"));
    let mut manager = SyncPeer::connect(&server.base, "wang-fang", "manager").await;
    manager.find(id).await;
    manager
        .pump_until(WAIT, |client| {
            client.in_sync(id) && client.status(id) == Some(DocumentStatus::Ready)
        })
        .await
        .unwrap();
    assert_eq!(manager.get(id, "title").as_deref(), Some("只读测试"));
    assert_eq!(manager.get(id, "after").as_deref(), Some("yes"));

    // A read-only member may not manage the deal team; an outsider learns nothing.
    let response = api(
        &server,
        reqwest::Method::PUT,
        &format!("/api/documents/{id}/members/huang-lei"),
        "zhao-min",
        Some(json!({ "access": "write" })),
    )
    .await;
    expect_error(response, StatusCode::FORBIDDEN, "forbidden").await;
    let response = api(
        &server,
        reqwest::Method::GET,
        &format!("/api/documents/{id}"),
        "huang-lei",
        None,
    )
    .await;
    expect_error(response, StatusCode::NOT_FOUND, "document_unavailable").await;

    let metrics = server.metrics_text().await;
    assert!(metrics.contains("dealflow_messages_rejected_total{reason=\"read_only\"}"));
    server.stop().await;
}

#[tokio::test]
async fn ownership_transfers_are_decided_by_the_relay_and_written_into_the_deal() {
    let server = TestServer::start(&[]).await;
    let id = document_id(11);
    let mut owner = SyncPeer::connect(&server.base, "zhang-wei", "owner").await;
    owner.create_synced(id, "转移测试").await;

    // Editing the owner field inside the document grants nothing to the named user.
    owner.put(id, "owner", "zhao-min").await;
    owner
        .pump_until(WAIT, |client| client.in_sync(id))
        .await
        .unwrap();
    let mut other_team = SyncPeer::connect(&server.base, "zhao-min", "south").await;
    other_team.find(id).await;
    other_team
        .pump_until(WAIT, |client| {
            client.status(id) == Some(DocumentStatus::Unavailable)
        })
        .await
        .unwrap();

    // A peer rep may not transfer it; the owner may, to a colleague.
    let path = format!("/api/documents/{id}/owner");
    let refused = api(
        &server,
        reqwest::Method::POST,
        &path,
        "liu-yang",
        Some(json!({ "owner": "liu-yang" })),
    )
    .await;
    expect_error(refused, StatusCode::NOT_FOUND, "document_unavailable").await;
    let response = api(
        &server,
        reqwest::Method::POST,
        &path,
        "zhang-wei",
        Some(json!({ "owner": "liu-yang" })),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let record: Value = response.json().await.unwrap();
    assert_eq!(record["owner"], "liu-yang");
    assert_eq!(record["team"], "east");
    assert_eq!(record["yourAccess"], "none");

    // The connected former owner loses the document: the relay stops syncing it with them (they
    // keep what they have) and says so.
    owner.pump_for(Duration::from_millis(300)).await;
    assert!(
        owner
            .received
            .iter()
            .any(|message| matches!(message, Some(WireMessage::DocUnavailable { .. }))),
        "the former owner is told the document is no longer shared"
    );
    assert_eq!(
        owner.get(id, "owner").as_deref(),
        Some("zhao-min"),
        "no byte after revocation"
    );

    let mut new_owner = SyncPeer::connect(&server.base, "liu-yang", "new-owner").await;
    new_owner.find(id).await;
    new_owner
        .pump_until(WAIT, |client| {
            client.status(id) == Some(DocumentStatus::Ready) && client.in_sync(id)
        })
        .await
        .unwrap();
    assert_eq!(new_owner.get(id, "owner").as_deref(), Some("liu-yang"));
    assert_eq!(new_owner.get(id, "team").as_deref(), Some("east"));
    let history = new_owner.client.doc(id).unwrap().get_changes(&[]);
    let relay_change = history.last().unwrap();
    assert!(
        relay_change
            .message()
            .is_some_and(|message| message.contains("Dealflow-User: zhang-wei")),
        "the relay's change names who asked for it"
    );

    // Deal-team membership is arbitrated the same way and written into the document.
    let response = api(
        &server,
        reqwest::Method::PUT,
        &format!("/api/documents/{id}/members/zhao-min"),
        "liu-yang",
        Some(json!({ "access": "write", "role": "presales" })),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    new_owner
        .pump_until(WAIT, |client| {
            client
                .doc(id)
                .is_some_and(|doc| matches!(doc.get(ROOT, "dealTeam"), Ok(Some(_))))
        })
        .await
        .unwrap();
    // The waiting client of the other team now receives the document.
    let waited = other_team
        .pump_until(WAIT, |client| {
            client.status(id) == Some(DocumentStatus::Ready)
        })
        .await;
    assert!(waited.is_ok(), "{waited:?} {:#?}", other_team.received);
    let response = api(
        &server,
        reqwest::Method::DELETE,
        &format!("/api/documents/{id}/members/zhao-min"),
        "wang-fang",
        None,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK, "the team's manager may");
    let record: Value = response.json().await.unwrap();
    assert_eq!(record["members"], json!([]));
    server.stop().await;
}
