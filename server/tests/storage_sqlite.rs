//! What only the SQLite backend promises beyond the shared contract: data and the directory
//! survive a restart, closing flushes the write-ahead log, and the file stays sound.

use dealflow_server::directory::{Directory, Role};
use dealflow_server::storage::{SqliteOptions, SqliteStorage, Storage, StorageError, StorageKey};

fn key(parts: &[&str]) -> StorageKey {
    StorageKey::new(parts.iter().copied()).unwrap()
}

#[tokio::test]
async fn data_survives_close_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested").join("db.sqlite3");
    let storage = SqliteStorage::open(SqliteOptions::new(&path))
        .await
        .unwrap();
    storage
        .put(key(&["doc-1", "snapshot", "aa"]), b"saved".to_vec())
        .await
        .unwrap();
    storage.close().await.unwrap();
    let wal = path.with_file_name("db.sqlite3-wal");
    assert!(
        !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
        "closing checkpoints the write-ahead log into the database"
    );
    assert!(matches!(
        storage.load(&key(&["doc-1", "snapshot", "aa"])).await,
        Err(StorageError::Closed)
    ));

    let reopened = SqliteStorage::open(SqliteOptions::new(&path))
        .await
        .unwrap();
    assert_eq!(
        reopened
            .load(&key(&["doc-1", "snapshot", "aa"]))
            .await
            .unwrap(),
        Some(b"saved".to_vec())
    );
    reopened.check_integrity().await.unwrap();
    reopened.close().await.unwrap();
}

#[tokio::test]
async fn the_directory_is_seeded_once_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite3");
    let storage = SqliteStorage::open(SqliteOptions::new(&path))
        .await
        .unwrap();
    let seeded = storage.directory_or_seed(Directory::demo()).await.unwrap();
    assert_eq!(seeded, Directory::demo());
    storage.close().await.unwrap();

    let reopened = SqliteStorage::open(SqliteOptions::new(&path))
        .await
        .unwrap();
    let other_seed = Directory::new(Vec::new(), Vec::new()).unwrap();
    let loaded = reopened.directory_or_seed(other_seed).await.unwrap();
    assert_eq!(loaded, Directory::demo());
    let managers: Vec<String> = loaded
        .users()
        .filter(|user| user.role == Role::Manager)
        .map(|user| user.name.zh_cn.clone())
        .collect();
    assert_eq!(managers, ["李强", "王芳"]);
    reopened.close().await.unwrap();
}
