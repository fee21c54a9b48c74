//! `GET /api/documents` answers from the title index that the relay keeps in storage, written in
//! the same batch as the document's chunks, instead of loading every document.

mod support;

use std::time::Duration;

use dealflow_core::sync::DocumentId;
use dealflow_server::DATABASE_FILE;
use dealflow_server::storage::{
    DocumentSummary, SqliteOptions, SqliteStorage, Storage, StorageKey, document_summaries,
};
use serde_json::Value;
use support::TestServer;
use support::sync_peer::{SyncPeer, document_id, token};

const WAIT: Duration = Duration::from_secs(10);

async fn listed_title(server: &TestServer, user: &str, id: DocumentId) -> Option<Value> {
    let list: Value = reqwest::Client::new()
        .get(server.url("/api/documents?kind=deal"))
        .bearer_auth(token(user))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["id"] == id.to_string())
        .map(|entry| entry["title"].clone())
}

async fn open_storage(server_dir: &std::path::Path) -> SqliteStorage {
    SqliteStorage::open(SqliteOptions::new(server_dir.join(DATABASE_FILE)))
        .await
        .unwrap()
}

#[tokio::test]
async fn the_list_shows_titles_from_the_index_kept_with_each_write() {
    let server = TestServer::start(&[]).await;
    let id = document_id(80);
    let mut rep = SyncPeer::connect(&server.base, "zhang-wei", "rep").await;
    rep.create_synced(id, "华东电网 CRM 二期").await;
    assert_eq!(
        listed_title(&server, "zhang-wei", id).await,
        Some(Value::from("华东电网 CRM 二期"))
    );

    // A renamed deal is listed under its new name as soon as the edit is acknowledged.
    rep.put(id, "title", "华东电网 CRM 三期").await;
    rep.pump_until(WAIT, |client| client.in_sync(id))
        .await
        .unwrap();
    assert_eq!(
        listed_title(&server, "zhang-wei", id).await,
        Some(Value::from("华东电网 CRM 三期"))
    );
    // The manager over the rep's team sees the same title; another team's rep sees nothing.
    assert_eq!(
        listed_title(&server, "wang-fang", id).await,
        Some(Value::from("华东电网 CRM 三期"))
    );
    assert_eq!(listed_title(&server, "zhao-min", id).await, None);
    rep.disconnect().await;
    let data_dir = server.stop().await;

    // The index is in storage beside the chunks.
    let storage = open_storage(data_dir.path()).await;
    let summaries = document_summaries(&storage).await.unwrap();
    assert_eq!(
        summaries.get(&id),
        Some(&DocumentSummary {
            kind: Some("deal".to_owned()),
            title: Some("华东电网 CRM 三期".to_owned()),
        })
    );
    // Remove the document's chunks: a list that loaded documents would lose the title.
    let chunks = storage
        .load_range(&StorageKey::new([id.to_string()]).unwrap())
        .await
        .unwrap();
    assert!(!chunks.is_empty());
    for (key, _) in chunks {
        storage.delete(key).await.unwrap();
    }
    storage.close().await.unwrap();
    drop(storage);

    let server = TestServer::start_in(data_dir, &[]).await;
    assert_eq!(
        listed_title(&server, "zhang-wei", id).await,
        Some(Value::from("华东电网 CRM 三期"))
    );
    server.stop().await;
}

#[tokio::test]
async fn a_database_from_before_the_index_is_indexed_at_start() {
    let server = TestServer::start(&[]).await;
    let id = document_id(81);
    let mut rep = SyncPeer::connect(&server.base, "zhang-wei", "rep").await;
    rep.create_synced(id, "旧数据").await;
    rep.disconnect().await;
    let data_dir = server.stop().await;

    // As a database written before the index existed: no summary.
    let storage = open_storage(data_dir.path()).await;
    storage
        .delete(DocumentSummary::key(id).unwrap())
        .await
        .unwrap();
    assert!(
        !document_summaries(&storage)
            .await
            .unwrap()
            .contains_key(&id)
    );
    storage.close().await.unwrap();
    drop(storage);

    let server = TestServer::start_in(data_dir, &[]).await;
    assert_eq!(
        listed_title(&server, "zhang-wei", id).await,
        Some(Value::from("旧数据"))
    );
    let data_dir = server.stop().await;
    let storage = open_storage(data_dir.path()).await;
    assert_eq!(
        document_summaries(&storage)
            .await
            .unwrap()
            .get(&id)
            .and_then(|summary| summary.title.clone())
            .as_deref(),
        Some("旧数据"),
        "the start indexed it"
    );
    storage.close().await.unwrap();
}
