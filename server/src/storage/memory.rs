//! A store in a `BTreeMap`, for tests. Durable only for the life of the process.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use dealflow_core::sync::DocumentId;

use super::records::{DocumentRecord, RecordDecision, Records};
use super::{Storage, StorageError, StorageFuture, StorageKey, StorageLimits, StorageOp};

/// An in-memory [`Storage`] and [`Records`] with the same contract as the SQLite one (minus
/// surviving a crash).
#[derive(Debug, Default)]
pub struct MemoryStorage {
    entries: Mutex<BTreeMap<StorageKey, Vec<u8>>>,
    documents: Mutex<BTreeMap<DocumentId, DocumentRecord>>,
    limits: StorageLimits,
    closed: AtomicBool,
}

impl MemoryStorage {
    /// An empty store enforcing `limits`.
    pub fn new(limits: StorageLimits) -> Self {
        MemoryStorage {
            entries: Mutex::new(BTreeMap::new()),
            documents: Mutex::new(BTreeMap::new()),
            limits,
            closed: AtomicBool::new(false),
        }
    }

    fn documents(&self) -> MutexGuard<'_, BTreeMap<DocumentId, DocumentRecord>> {
        self.documents
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn entries(&self) -> MutexGuard<'_, BTreeMap<StorageKey, Vec<u8>>> {
        // Every mutation below completes or does nothing, so a poisoned map is still consistent.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Records for MemoryStorage {
    fn document(&self, id: DocumentId) -> StorageFuture<'_, Option<DocumentRecord>> {
        Box::pin(async move { Ok(self.documents().get(&id).cloned()) })
    }

    fn register_document(&self, record: DocumentRecord) -> StorageFuture<'_, DocumentRecord> {
        Box::pin(async move {
            if self.closed.load(Ordering::Acquire) {
                return Err(StorageError::Closed);
            }
            Ok(self.documents().entry(record.id).or_insert(record).clone())
        })
    }

    fn all_documents(&self) -> StorageFuture<'_, Vec<DocumentRecord>> {
        Box::pin(async move { Ok(self.documents().values().cloned().collect()) })
    }

    fn update_document(
        &self,
        id: DocumentId,
        decide: RecordDecision,
    ) -> StorageFuture<'_, Option<Result<DocumentRecord, dealflow_core::Error>>> {
        Box::pin(async move {
            if self.closed.load(Ordering::Acquire) {
                return Err(StorageError::Closed);
            }
            let mut documents = self.documents();
            let Some(current) = documents.get_mut(&id) else {
                return Ok(None);
            };
            let decided = decide(current);
            if let Ok(next) = &decided {
                *current = next.clone();
            }
            Ok(Some(decided))
        })
    }
}

impl Storage for MemoryStorage {
    fn load<'a>(&'a self, key: &'a StorageKey) -> StorageFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move { Ok(self.entries().get(key).cloned()) })
    }

    fn load_range<'a>(
        &'a self,
        prefix: &'a StorageKey,
    ) -> StorageFuture<'a, Vec<(StorageKey, Vec<u8>)>> {
        Box::pin(async move {
            // Keys extending `prefix` sort right after it, so the scan stops at the first miss.
            let entries = self.entries();
            let found = entries
                .range((Bound::Included(prefix), Bound::Unbounded))
                .take_while(|(key, _)| key.starts_with(prefix))
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect();
            Ok(found)
        })
    }

    fn put_batch(&self, ops: Vec<StorageOp>) -> StorageFuture<'_, ()> {
        Box::pin(async move {
            if self.closed.load(Ordering::Acquire) {
                return Err(StorageError::Closed);
            }
            self.limits.check_batch(&ops)?;
            let mut entries = self.entries();
            for op in ops {
                match op {
                    StorageOp::Put { key, value } => {
                        entries.insert(key, value);
                    }
                    StorageOp::Delete { key } => {
                        entries.remove(&key);
                    }
                }
            }
            Ok(())
        })
    }

    fn close(&self) -> StorageFuture<'_, ()> {
        Box::pin(async move {
            self.closed.store(true, Ordering::Release);
            Ok(())
        })
    }
}
