//! The storage contract, run against every backend: the same suite for `MemoryStorage` and
//! `SqliteStorage`, so the sync code can rely on one behaviour.

use std::sync::Arc;

use dealflow_server::storage::{
    MemoryStorage, SqliteOptions, SqliteStorage, Storage, StorageError, StorageKey, StorageLimits,
    StorageOp,
};
use tempfile::TempDir;

/// A backend under test, with whatever must live as long as it.
struct Backend {
    storage: Arc<dyn Storage>,
    _dir: Option<TempDir>,
}

const MAX_VALUE_BYTES: usize = 64 * 1024;

fn limits() -> StorageLimits {
    StorageLimits {
        max_value_bytes: MAX_VALUE_BYTES,
    }
}

async fn memory() -> Backend {
    Backend {
        storage: Arc::new(MemoryStorage::new(limits())),
        _dir: None,
    }
}

async fn sqlite() -> Backend {
    let dir = tempfile::tempdir().unwrap();
    let mut options = SqliteOptions::new(dir.path().join("contract.sqlite3"));
    options.limits = limits();
    Backend {
        storage: Arc::new(SqliteStorage::open(options).await.unwrap()),
        _dir: Some(dir),
    }
}

fn key(parts: &[&str]) -> StorageKey {
    StorageKey::new(parts.iter().copied()).unwrap()
}

fn put(parts: &[&str], value: &[u8]) -> StorageOp {
    StorageOp::put(key(parts), value.to_vec())
}

async fn put_then_load_and_overwrite(backend: Backend) {
    let storage = &backend.storage;
    let chunk = key(&["doc-1", "incremental", "aa"]);
    assert_eq!(storage.load(&chunk).await.unwrap(), None);
    storage.put(chunk.clone(), b"one".to_vec()).await.unwrap();
    assert_eq!(storage.load(&chunk).await.unwrap(), Some(b"one".to_vec()));
    storage.put(chunk.clone(), b"two".to_vec()).await.unwrap();
    assert_eq!(storage.load(&chunk).await.unwrap(), Some(b"two".to_vec()));
    storage.delete(chunk.clone()).await.unwrap();
    assert_eq!(storage.load(&chunk).await.unwrap(), None);
    // Deleting what is not there is not an error.
    storage.delete(chunk).await.unwrap();
}

async fn ranges_match_whole_parts_in_key_order(backend: Backend) {
    let storage = &backend.storage;
    storage
        .put_batch(vec![
            put(&["doc-10", "snapshot", "cc"], b"10"),
            put(&["doc-1", "snapshot", "bb"], b"snapshot"),
            put(&["doc-1", "incremental", "aa"], b"incremental"),
            put(&["doc-1"], b"the prefix itself"),
            put(&["doc-1!", "x"], b"sorts between"),
            put(&["doc-2", "incremental", "dd"], b"2"),
        ])
        .await
        .unwrap();
    let loaded = storage.load_range(&key(&["doc-1"])).await.unwrap();
    let keys: Vec<String> = loaded.iter().map(|(key, _)| key.to_string()).collect();
    assert_eq!(
        keys,
        ["doc-1", "doc-1/incremental/aa", "doc-1/snapshot/bb"],
        "exactly the keys under doc-1, sorted"
    );
    assert_eq!(loaded[1].1, b"incremental");

    let incremental = storage
        .load_range(&key(&["doc-1", "incremental"]))
        .await
        .unwrap();
    assert_eq!(incremental.len(), 1);
    assert!(
        storage
            .load_range(&key(&["doc-3"]))
            .await
            .unwrap()
            .is_empty()
    );

    let everything = storage.load_range(&StorageKey::root()).await.unwrap();
    let all_keys: Vec<StorageKey> = everything.into_iter().map(|(key, _)| key).collect();
    let mut sorted = all_keys.clone();
    sorted.sort();
    assert_eq!(all_keys.len(), 6);
    assert_eq!(all_keys, sorted);
}

async fn batches_apply_in_order(backend: Backend) {
    let storage = &backend.storage;
    let gone = key(&["doc", "incremental", "gone"]);
    let kept = key(&["doc", "incremental", "kept"]);
    storage
        .put_batch(vec![
            StorageOp::put(gone.clone(), b"x".to_vec()),
            StorageOp::Delete { key: gone.clone() },
            StorageOp::Delete { key: kept.clone() },
            StorageOp::put(kept.clone(), b"y".to_vec()),
        ])
        .await
        .unwrap();
    assert_eq!(storage.load(&gone).await.unwrap(), None);
    assert_eq!(storage.load(&kept).await.unwrap(), Some(b"y".to_vec()));
    // An empty batch is fine.
    storage.put_batch(Vec::new()).await.unwrap();
}

async fn invalid_batches_write_nothing(backend: Backend) {
    let storage = &backend.storage;
    let first = key(&["doc", "incremental", "first"]);
    let too_big = vec![7; MAX_VALUE_BYTES + 1];
    let error = storage
        .put_batch(vec![
            StorageOp::put(first.clone(), b"ok".to_vec()),
            StorageOp::put(key(&["doc", "snapshot", "big"]), too_big),
        ])
        .await
        .unwrap_err();
    assert!(
        matches!(error, StorageError::ValueTooLarge { len, max, .. } if len == MAX_VALUE_BYTES + 1 && max == MAX_VALUE_BYTES),
        "{error:?}"
    );
    assert_eq!(storage.load(&first).await.unwrap(), None);

    let error = storage
        .put_batch(vec![
            StorageOp::put(first.clone(), b"ok".to_vec()),
            StorageOp::put(StorageKey::root(), b"nowhere".to_vec()),
        ])
        .await
        .unwrap_err();
    assert!(
        matches!(error, StorageError::InvalidKey { .. }),
        "{error:?}"
    );
    assert_eq!(storage.load(&first).await.unwrap(), None);

    // Exactly at the cap is accepted.
    storage
        .put(first.clone(), vec![1; MAX_VALUE_BYTES])
        .await
        .unwrap();
    assert_eq!(
        storage.load(&first).await.unwrap().map(|value| value.len()),
        Some(MAX_VALUE_BYTES)
    );
}

async fn values_and_keys_round_trip_exactly(backend: Backend) {
    let storage = &backend.storage;
    let every_byte: Vec<u8> = (0..=255).collect();
    let unicode = key(&["文档-1", "增量", "😀 with spaces"]);
    let empty = key(&["doc", "empty"]);
    storage
        .put_batch(vec![
            StorageOp::put(unicode.clone(), every_byte.clone()),
            StorageOp::put(empty.clone(), Vec::new()),
        ])
        .await
        .unwrap();
    assert_eq!(storage.load(&unicode).await.unwrap(), Some(every_byte));
    assert_eq!(storage.load(&empty).await.unwrap(), Some(Vec::new()));
    let range = storage.load_range(&key(&["文档-1"])).await.unwrap();
    assert_eq!(range.len(), 1);
    assert_eq!(range[0].0, unicode);
}

async fn concurrent_writers_all_land(backend: Backend) {
    let n_tasks = 16;
    let n_batches = 20;
    let mut tasks = Vec::new();
    for task in 0..n_tasks {
        let storage = Arc::clone(&backend.storage);
        tasks.push(tokio::spawn(async move {
            for batch in 0..n_batches {
                let name = format!("{task}-{batch}");
                storage
                    .put_batch(vec![
                        StorageOp::put(
                            StorageKey::new(["doc", "incremental", name.as_str()]).unwrap(),
                            name.clone().into_bytes(),
                        ),
                        StorageOp::put(
                            StorageKey::new(["marker", name.as_str()]).unwrap(),
                            Vec::new(),
                        ),
                    ])
                    .await
                    .unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let chunks = backend.storage.load_range(&key(&["doc"])).await.unwrap();
    assert_eq!(chunks.len(), n_tasks * n_batches);
    for (key, value) in chunks {
        assert_eq!(key.parts()[2].as_bytes(), value.as_slice());
    }
}

async fn closed_storage_refuses_writes(backend: Backend) {
    let storage = &backend.storage;
    let chunk = key(&["doc", "incremental", "before"]);
    storage.put(chunk.clone(), b"kept".to_vec()).await.unwrap();
    storage.close().await.unwrap();
    let error = storage
        .put(key(&["doc", "incremental", "after"]), b"lost".to_vec())
        .await
        .unwrap_err();
    assert!(matches!(error, StorageError::Closed), "{error:?}");
    // Closing twice is harmless.
    storage.close().await.unwrap();
}

macro_rules! contract {
    ($backend:ident: $($case:ident),* $(,)?) => {
        mod $backend {
            $(
                #[tokio::test]
                async fn $case() {
                    super::$case(super::$backend().await).await;
                }
            )*
        }
    };
}

macro_rules! contract_for_every_backend {
    ($($case:ident),* $(,)?) => {
        contract!(memory: $($case),*);
        contract!(sqlite: $($case),*);
    };
}

contract_for_every_backend!(
    put_then_load_and_overwrite,
    ranges_match_whole_parts_in_key_order,
    batches_apply_in_order,
    invalid_batches_write_nothing,
    values_and_keys_round_trip_exactly,
    concurrent_writers_all_land,
    closed_storage_refuses_writes,
);
