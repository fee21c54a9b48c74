//! Where the relay keeps document chunks: a small async key/value store with prefix-range loads,
//! shaped like automerge-repo's storage adapters so that a PostgreSQL backend can be added later
//! without touching the sync code.
//!
//! Keys are paths of strings ([`StorageKey`]), e.g. `[documentId, "incremental", sha256hex]` or
//! `[documentId, "snapshot", hash]`, so "every chunk of a document" is a prefix load of
//! `[documentId]`. Writes come in batches ([`StorageOp`]s) that are applied **atomically and in
//! order, and durably before the returned future resolves**: the relay relies on this to persist
//! a change before it acknowledges the change by syncing it onward.
//!
//! Backends: [`MemoryStorage`] (tests) and [`SqliteStorage`] (the embedded default).
//!
//! ```
//! use dealflow_server::storage::{MemoryStorage, Storage, StorageKey, StorageLimits, StorageOp};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let storage = MemoryStorage::new(StorageLimits::default());
//! let key = StorageKey::new(["doc-1", "incremental", "ab12"])?;
//! storage.put_batch(vec![StorageOp::put(key.clone(), b"chunk".to_vec())]).await?;
//! let chunks = storage.load_range(&StorageKey::new(["doc-1"])?).await?;
//! assert_eq!(chunks, vec![(key, b"chunk".to_vec())]);
//! # Ok::<(), dealflow_server::storage::StorageError>(())
//! # }).unwrap();
//! ```

mod arbitration;
mod error;
mod key;
mod memory;
mod records;
mod sqlite;
mod summary;

pub use arbitration::{Arbitration, LeadDecision, QuoteDecision, StoredQuote};
pub use error::StorageError;
pub use key::{MAX_KEY_BYTES, MAX_KEY_PARTS, StorageKey};
pub use memory::MemoryStorage;
pub use records::{
    DocumentMember, DocumentRecord, RELAY_OWNER, RecordDecision, Records, resource_kind,
};
pub use sqlite::{SqliteOptions, SqliteStorage};
pub use summary::{DocumentSummary, SUMMARY_PREFIX, document_summaries, index_missing};

use std::fmt;
use std::future::Future;
use std::pin::Pin;

/// The future every storage operation returns: boxed so that `Arc<dyn Storage>` works.
pub type StorageFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StorageError>> + Send + 'a>>;

/// A key/value store with prefix-range loads and atomic, durable write batches.
///
/// Implementations must uphold the contract checked by `server/tests/storage_contract.rs`:
/// a batch is all-or-nothing and applied in order (a `Put` then a `Delete` of the same key leaves
/// nothing); once `put_batch` resolves with `Ok`, the batch survives a crash of the process;
/// `load_range` returns exactly the keys that start with the prefix (whole parts, so `["doc-1"]`
/// does not match `["doc-10", …]`), sorted by key.
pub trait Storage: Send + Sync + fmt::Debug {
    /// The value stored under `key`, if any.
    fn load<'a>(&'a self, key: &'a StorageKey) -> StorageFuture<'a, Option<Vec<u8>>>;

    /// Every key starting with `prefix` (including `prefix` itself) and its value, sorted by key.
    /// The empty prefix ([`StorageKey::root`]) matches everything.
    fn load_range<'a>(
        &'a self,
        prefix: &'a StorageKey,
    ) -> StorageFuture<'a, Vec<(StorageKey, Vec<u8>)>>;

    /// Applies `ops` in order, atomically, and resolves once they are durable. An invalid batch
    /// (a value over the size cap, an empty key) is rejected whole before anything is written.
    fn put_batch(&self, ops: Vec<StorageOp>) -> StorageFuture<'_, ()>;

    /// Flushes pending writes and stops accepting new ones; later writes fail with
    /// [`StorageError::Closed`]. Called once on graceful shutdown.
    fn close(&self) -> StorageFuture<'_, ()>;

    /// Stores one value durably.
    fn put(&self, key: StorageKey, value: Vec<u8>) -> StorageFuture<'_, ()> {
        self.put_batch(vec![StorageOp::put(key, value)])
    }

    /// Removes one key durably (no error if it is absent).
    fn delete(&self, key: StorageKey) -> StorageFuture<'_, ()> {
        self.put_batch(vec![StorageOp::Delete { key }])
    }
}

/// One write in a batch.
#[derive(Clone, PartialEq, Eq)]
pub enum StorageOp {
    /// Store `value` under `key`, replacing what was there.
    Put {
        /// Where.
        key: StorageKey,
        /// What.
        value: Vec<u8>,
    },
    /// Remove `key`; no error if it is absent.
    Delete {
        /// Which.
        key: StorageKey,
    },
}

impl StorageOp {
    /// A `Put` of `value` under `key`.
    pub fn put(key: StorageKey, value: Vec<u8>) -> Self {
        StorageOp::Put { key, value }
    }

    /// The key the operation touches.
    pub fn key(&self) -> &StorageKey {
        match self {
            StorageOp::Put { key, .. } | StorageOp::Delete { key } => key,
        }
    }

    /// Bytes of value this operation writes.
    pub fn value_len(&self) -> usize {
        match self {
            StorageOp::Put { value, .. } => value.len(),
            StorageOp::Delete { .. } => 0,
        }
    }
}

impl fmt::Debug for StorageOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageOp::Put { key, value } => write!(f, "Put({key}, {} bytes)", value.len()),
            StorageOp::Delete { key } => write!(f, "Delete({key})"),
        }
    }
}

/// Size caps every backend enforces.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct StorageLimits {
    /// Largest single value accepted, in bytes.
    pub max_value_bytes: usize,
}

impl StorageLimits {
    /// The default cap on one value: 64 MiB, enough for a snapshot of the largest document the
    /// relay accepts.
    pub const DEFAULT_MAX_VALUE_BYTES: usize = 64 * 1024 * 1024;

    /// Checks a whole batch before any of it is written.
    pub fn check_batch(&self, ops: &[StorageOp]) -> Result<(), StorageError> {
        for op in ops {
            op.key().check_writable()?;
            if op.value_len() > self.max_value_bytes {
                return Err(StorageError::ValueTooLarge {
                    key: op.key().to_string(),
                    len: op.value_len(),
                    max: self.max_value_bytes,
                });
            }
        }
        Ok(())
    }
}

impl Default for StorageLimits {
    fn default() -> Self {
        StorageLimits {
            max_value_bytes: Self::DEFAULT_MAX_VALUE_BYTES,
        }
    }
}

/// Core's sync layer and the server name keys the same way (automerge-repo's layout); the server
/// validates them for its backends. Every key core produces (`[documentId, kind, hex]`) is valid.
impl TryFrom<dealflow_core::sync::StorageOp> for StorageOp {
    type Error = StorageError;

    fn try_from(op: dealflow_core::sync::StorageOp) -> Result<Self, Self::Error> {
        Ok(match op {
            dealflow_core::sync::StorageOp::Put { key, bytes } => StorageOp::Put {
                key: StorageKey::from_parts(key.into_parts())?,
                value: bytes,
            },
            dealflow_core::sync::StorageOp::Delete { key } => StorageOp::Delete {
                key: StorageKey::from_parts(key.into_parts())?,
            },
        })
    }
}

impl From<StorageKey> for dealflow_core::sync::StorageKey {
    fn from(key: StorageKey) -> Self {
        dealflow_core::sync::StorageKey::from_parts(key.into_parts())
    }
}

/// Converts a step's writes for [`Storage::put_batch`].
pub fn sync_ops(ops: Vec<dealflow_core::sync::StorageOp>) -> Result<Vec<StorageOp>, StorageError> {
    ops.into_iter().map(StorageOp::try_from).collect()
}

/// Every stored chunk of a document, keyed as core's [`load_chunks`] expects.
///
/// [`load_chunks`]: dealflow_core::sync::load_chunks
pub async fn document_chunks(
    storage: &dyn Storage,
    document_id: dealflow_core::sync::DocumentId,
) -> Result<Vec<(dealflow_core::sync::StorageKey, Vec<u8>)>, StorageError> {
    let prefix = StorageKey::from_parts(vec![document_id.to_string()])?;
    let chunks = storage.load_range(&prefix).await?;
    Ok(chunks
        .into_iter()
        .map(|(key, value)| (key.into(), value))
        .collect())
}
