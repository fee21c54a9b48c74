//! The embedded default store: one SQLite file in WAL mode with `synchronous=FULL`, one writer
//! thread doing group commit (`writer`), a small pool of reader connections (`reader`) and
//! numbered migrations (`schema`).
//!
//! Key encoding: a key's parts are joined by U+001F into one `TEXT` primary key (compared
//! bytewise). Parts cannot contain control characters, so the encoding is unambiguous, and since
//! U+001F sorts below every allowed character, encoded keys sort like the keys themselves.
//! "Keys under prefix `p`" is exactly the range `[p, p + ' ')`: a key in it starts with `p`
//! (anything differing earlier falls outside), and the byte after `p`, if any, is below `' '`,
//! so it can only be the separator. One index range scan, rows already in key order.

mod arbitration;
mod directory;
mod reader;
mod records;
mod schema;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use self::reader::Readers;
use self::writer::{GroupLimits, Job};
use super::key::SEPARATOR_END;
use super::records::{DocumentRecord, RecordDecision, Records};
use super::{Storage, StorageError, StorageFuture, StorageKey, StorageLimits, StorageOp};
use crate::directory::Directory;
use dealflow_core::sync::DocumentId;

/// How to open a [`SqliteStorage`].
#[derive(Clone, Debug)]
pub struct SqliteOptions {
    /// The database file; created with its directory if missing.
    pub path: PathBuf,
    /// Size caps.
    pub limits: StorageLimits,
    /// Most loads running at once (each holds a connection and a blocking thread).
    pub max_readers: usize,
    /// Requests that may wait for the writer before callers are slowed down.
    pub write_queue: usize,
    /// Most requests committed in one transaction.
    pub max_group_requests: usize,
    /// Most value bytes committed in one transaction.
    pub max_group_bytes: usize,
}

impl SqliteOptions {
    /// Defaults for a database at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        SqliteOptions {
            path: path.into(),
            limits: StorageLimits::default(),
            max_readers: 4,
            write_queue: 4096,
            max_group_requests: 1024,
            max_group_bytes: 32 * 1024 * 1024,
        }
    }
}

/// The SQLite [`Storage`]. Cheap to share behind an `Arc`; writes from any task are funnelled to
/// one writer thread.
#[derive(Debug)]
pub struct SqliteStorage {
    path: PathBuf,
    writer: mpsc::Sender<Job>,
    readers: Arc<Readers>,
    limits: StorageLimits,
    closed: AtomicBool,
}

impl SqliteStorage {
    /// Opens (or creates) the database, applies pending migrations and starts the writer thread.
    pub async fn open(options: SqliteOptions) -> Result<Self, StorageError> {
        tokio::task::spawn_blocking(move || Self::open_blocking(options))
            .await
            .map_err(|error| StorageError::backend("open", error))?
    }

    fn open_blocking(options: SqliteOptions) -> Result<Self, StorageError> {
        if let Some(parent) = options.path.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)
                .map_err(|error| StorageError::backend("create the data directory", error))?;
        }
        let mut connection = schema::open_writer(&options.path)?;
        let found = schema::migrate(&mut connection)?;
        tracing::info!(
            path = %options.path.display(),
            schema_version = schema::LATEST_VERSION,
            previous_version = found,
            "opened SQLite storage"
        );
        let (sender, receiver) = mpsc::channel(options.write_queue.max(1));
        let group = GroupLimits {
            max_requests: options.max_group_requests.max(1),
            max_bytes: options.max_group_bytes.max(1),
        };
        std::thread::Builder::new()
            .name("dealflow-sqlite-writer".to_owned())
            .spawn(move || writer::run(connection, receiver, group))
            .map_err(|error| StorageError::backend("start the writer thread", error))?;
        Ok(SqliteStorage {
            readers: Arc::new(Readers::new(options.path.clone(), options.max_readers)),
            path: options.path,
            writer: sender,
            limits: options.limits,
            closed: AtomicBool::new(false),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The users and teams; if the database has none yet, writes `seed` first (atomically, so
    /// two starts cannot both seed).
    pub async fn directory_or_seed(&self, seed: Directory) -> Result<Directory, StorageError> {
        self.exec(move |connection| {
            if directory::is_empty(connection)? {
                directory::insert(connection, &seed)?;
                tracing::info!(
                    users = seed.users().count(),
                    teams = seed.teams().count(),
                    "seeded the directory"
                );
            }
            Ok(())
        })
        .await?;
        self.readers.read(directory::load).await
    }

    /// Runs SQLite's full integrity check; `Ok` means the file is sound.
    pub async fn check_integrity(&self) -> Result<(), StorageError> {
        let problems = self
            .readers
            .read(|connection| {
                let mut statement = connection
                    .prepare("PRAGMA integrity_check")
                    .map_err(|error| StorageError::backend("check integrity", error))?;
                let rows = statement
                    .query_map([], |row| row.get::<_, String>(0))
                    .map_err(|error| StorageError::backend("check integrity", error))?;
                rows.collect::<Result<Vec<String>, _>>()
                    .map_err(|error| StorageError::backend("check integrity", error))
            })
            .await?;
        if problems == ["ok"] {
            Ok(())
        } else {
            Err(StorageError::Corrupt {
                detail: problems.join("; "),
            })
        }
    }

    /// Runs `apply` in the writer's transaction and hands back what it produced, once the
    /// transaction committed.
    async fn exec_returning<T: Send + 'static>(
        &self,
        apply: impl FnOnce(&Connection) -> Result<T, StorageError> + Send + 'static,
    ) -> Result<T, StorageError> {
        let (sender, receiver) = oneshot::channel();
        self.exec(move |connection| {
            let value = apply(connection)?;
            let _ = sender.send(value);
            Ok(())
        })
        .await?;
        receiver.await.map_err(|_| StorageError::Closed)
    }

    async fn exec(
        &self,
        apply: impl FnOnce(&Connection) -> Result<(), StorageError> + Send + 'static,
    ) -> Result<(), StorageError> {
        let (done, answer) = oneshot::channel();
        self.send(Job::Exec {
            apply: Box::new(apply),
            done,
        })
        .await?;
        answer.await.map_err(|_| StorageError::Closed)?
    }

    async fn send(&self, job: Job) -> Result<(), StorageError> {
        if self.closed.load(Ordering::Acquire) {
            return Err(StorageError::Closed);
        }
        self.writer
            .send(job)
            .await
            .map_err(|_| StorageError::Closed)
    }
}

impl Records for SqliteStorage {
    fn document(&self, id: DocumentId) -> StorageFuture<'_, Option<DocumentRecord>> {
        Box::pin(
            self.readers
                .read(move |connection| records::load(connection, id)),
        )
    }

    fn register_document(&self, record: DocumentRecord) -> StorageFuture<'_, DocumentRecord> {
        Box::pin(self.exec_returning(move |connection| {
            if records::insert_if_absent(connection, &record)? {
                return Ok(record);
            }
            records::load(connection, record.id)?.ok_or_else(|| StorageError::Corrupt {
                detail: format!("document {} vanished while registering", record.id),
            })
        }))
    }

    fn all_documents(&self) -> StorageFuture<'_, Vec<DocumentRecord>> {
        Box::pin(self.readers.read(records::load_all))
    }

    fn update_document(
        &self,
        id: DocumentId,
        decide: RecordDecision,
    ) -> StorageFuture<'_, Option<Result<DocumentRecord, dealflow_core::Error>>> {
        Box::pin(self.exec_returning(move |connection| {
            let Some(current) = records::load(connection, id)? else {
                return Ok(None);
            };
            let next = match decide(&current) {
                Ok(next) => next,
                Err(refused) => return Ok(Some(Err(refused))),
            };
            if next != current {
                records::update(connection, &next)?;
            }
            Ok(Some(Ok(next)))
        }))
    }
}

impl Storage for SqliteStorage {
    fn load<'a>(&'a self, key: &'a StorageKey) -> StorageFuture<'a, Option<Vec<u8>>> {
        let encoded = key.encode();
        Box::pin(self.readers.read(move |connection| {
            connection
                .prepare_cached("SELECT value FROM chunks WHERE key = ?1")
                .and_then(|mut statement| {
                    statement
                        .query([encoded])?
                        .next()?
                        .map(|row| row.get::<_, Vec<u8>>(0))
                        .transpose()
                })
                .map_err(|error| StorageError::backend("load", error))
        }))
    }

    fn load_range<'a>(
        &'a self,
        prefix: &'a StorageKey,
    ) -> StorageFuture<'a, Vec<(StorageKey, Vec<u8>)>> {
        let encoded = prefix.encode();
        let is_root = prefix.is_root();
        Box::pin(self.readers.read(move |connection| {
            let load = |error| StorageError::backend("load a range", error);
            let rows: Vec<(String, Vec<u8>)> = if is_root {
                let mut statement = connection
                    .prepare_cached("SELECT key, value FROM chunks ORDER BY key")
                    .map_err(load)?;
                statement
                    .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
                    .and_then(Iterator::collect)
                    .map_err(load)?
            } else {
                let upper = format!("{encoded}{SEPARATOR_END}");
                let mut statement = connection
                    .prepare_cached(
                        "SELECT key, value FROM chunks WHERE key >= ?1 AND key < ?2 ORDER BY key",
                    )
                    .map_err(load)?;
                statement
                    .query_map((&encoded, &upper), |row| Ok((row.get(0)?, row.get(1)?)))
                    .and_then(Iterator::collect)
                    .map_err(load)?
            };
            rows.into_iter()
                .map(|(key, value)| Ok((StorageKey::decode(&key)?, value)))
                .collect()
        }))
    }

    fn put_batch(&self, ops: Vec<StorageOp>) -> StorageFuture<'_, ()> {
        Box::pin(async move {
            self.limits.check_batch(&ops)?;
            if ops.is_empty() {
                return Ok(());
            }
            let (done, answer) = oneshot::channel();
            self.send(Job::Batch { ops, done }).await?;
            answer.await.map_err(|_| StorageError::Closed)?
        })
    }

    fn close(&self) -> StorageFuture<'_, ()> {
        Box::pin(async move {
            if self.closed.swap(true, Ordering::AcqRel) {
                return Ok(());
            }
            let (done, answer) = oneshot::channel();
            // Bypasses `send`, which now refuses: the close must reach the writer.
            self.writer
                .send(Job::Close { done })
                .await
                .map_err(|_| StorageError::Closed)?;
            let result = answer.await.map_err(|_| StorageError::Closed)?;
            self.readers.close();
            tracing::info!(path = %self.path.display(), "closed SQLite storage");
            result
        })
    }
}
