//! Organisation-wide configuration (pipelines, the organisation document) is read by every
//! member, so that a rep's board can show the stages; only its owner's line writes it.

mod support;

use std::time::Duration;

use dealflow_core::automerge::transaction::Transactable;
use dealflow_core::automerge::{ROOT, ReadDoc};
use dealflow_core::sync::{DocumentStatus, RejectionNotice};
use serde_json::Value;
use support::TestServer;
use support::sync_peer::{SyncPeer, document_id, token};

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn a_rep_reads_pipeline_and_organisation_documents_and_their_writes_are_dropped() {
    let server = TestServer::start(&[]).await;
    let mut admin = SyncPeer::connect(&server.base, "chen-jing", "admin").await;
    for (seed, kind) in [(70, "pipeline"), (71, "organisation")] {
        let id = document_id(seed);
        let ((), step) = admin
            .client
            .create(id, |tx| {
                tx.put(ROOT, "type", kind)?;
                tx.put(ROOT, "schemaVersion", 1_u64)?;
                tx.put(ROOT, "name", "标准销售流程")
            })
            .unwrap();
        admin.send(step).await;
        admin
            .pump_until(WAIT, |client| client.in_sync(id))
            .await
            .unwrap();

        // A rep of another team than the admin's opens it and reads it.
        let mut rep = SyncPeer::connect(&server.base, "zhao-min", &format!("rep-{kind}")).await;
        rep.find(id).await;
        rep.pump_until(WAIT, |client| {
            client.status(id) == Some(DocumentStatus::Ready) && client.in_sync(id)
        })
        .await
        .unwrap();
        assert_eq!(
            rep.get(id, "name").as_deref(),
            Some("标准销售流程"),
            "{kind}"
        );

        // Their write is dropped and reported to them.
        rep.push_ignoring_read_only(id, "name", "篡改").await;
        rep.pump_for(Duration::from_millis(500)).await;
        assert_eq!(
            rep.rejection_notices(),
            [RejectionNotice::new("read_only", 1)],
            "{kind}"
        );

        // The admin edits on; the document never takes the rep's change.
        admin.put(id, "stages", "6").await;
        admin
            .pump_until(WAIT, |client| client.in_sync(id))
            .await
            .unwrap();
        assert_eq!(admin.get(id, "name").as_deref(), Some("标准销售流程"));
        // The rep was in sync before the edit: wait for the edit itself.
        rep.pump_until(WAIT, |client| {
            client
                .doc(id)
                .is_some_and(|doc| matches!(doc.get(ROOT, "stages"), Ok(Some(_))))
        })
        .await
        .unwrap();
        assert_eq!(rep.get(id, "stages").as_deref(), Some("6"));

        // The list shows it to the rep, read-only.
        let list: Value = reqwest::Client::new()
            .get(server.url(&format!("/api/documents?kind={kind}")))
            .bearer_auth(token("zhao-min"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let entry = list["documents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|entry| entry["id"] == id.to_string())
            .expect("listed");
        assert_eq!(entry["yourAccess"], "read");
        assert_eq!(entry["kind"], kind);
    }
    server.stop().await;
}

#[tokio::test]
async fn a_rep_still_cannot_see_an_account_of_another_team() {
    let server = TestServer::start(&[]).await;
    let mut owner = SyncPeer::connect(&server.base, "zhang-wei", "owner").await;
    let id = document_id(72);
    let ((), step) = owner
        .client
        .create(id, |tx| {
            tx.put(ROOT, "type", "account")?;
            tx.put(ROOT, "name", "华东电网")
        })
        .unwrap();
    owner.send(step).await;
    owner
        .pump_until(WAIT, |client| client.in_sync(id))
        .await
        .unwrap();
    let mut other = SyncPeer::connect(&server.base, "zhao-min", "other").await;
    other.find(id).await;
    other
        .pump_until(WAIT, |client| {
            client.status(id) == Some(DocumentStatus::Unavailable)
        })
        .await
        .unwrap();
    server.stop().await;
}
