//! The document list's index: each document's kind and title, stored under
//! `["summary", documentId]` beside its chunks.
//!
//! The document actor writes a document's summary in the same `put_batch` as the chunks that
//! change it (only when the title or kind changed), so the index is exactly as durable as the
//! document and never ahead of it; `GET /api/documents` then answers with one range load
//! instead of loading every document.

use std::collections::HashMap;

use dealflow_core::automerge::ReadDoc;
use dealflow_core::sync::{DocumentId, Limits, load_chunks};
use dealflow_core::{deal_title, document_type};
use serde::{Deserialize, Serialize};

use super::{Storage, StorageError, StorageKey, StorageOp, document_chunks};

/// The first key part of every summary (document ids are bs58check and never spell it).
pub const SUMMARY_PREFIX: &str = "summary";

/// What the document list shows of a document without loading it.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct DocumentSummary {
    /// The document's `type`, if it has one.
    pub kind: Option<String>,
    /// A deal's title.
    pub title: Option<String>,
}

impl DocumentSummary {
    /// The summary of a document's current content.
    pub fn of(doc: &impl ReadDoc) -> Self {
        DocumentSummary {
            kind: document_type(doc),
            title: deal_title(doc),
        }
    }

    /// Where the summary of `id` is stored.
    pub fn key(id: DocumentId) -> Result<StorageKey, StorageError> {
        StorageKey::from_parts(vec![SUMMARY_PREFIX.to_owned(), id.to_string()])
    }

    /// The write that stores this summary for `id`.
    pub fn put(&self, id: DocumentId) -> Result<StorageOp, StorageError> {
        let value = serde_json::to_vec(self).map_err(|error| StorageError::Corrupt {
            detail: format!("cannot encode the summary of {id}: {error}"),
        })?;
        Ok(StorageOp::put(Self::key(id)?, value))
    }
}

/// Every stored summary, by document. Entries that do not parse are skipped (and logged): the
/// list then reads those documents whole.
pub async fn document_summaries(
    storage: &dyn Storage,
) -> Result<HashMap<DocumentId, DocumentSummary>, StorageError> {
    let prefix = StorageKey::from_parts(vec![SUMMARY_PREFIX.to_owned()])?;
    let stored = storage.load_range(&prefix).await?;
    let mut summaries = HashMap::with_capacity(stored.len());
    for (key, value) in stored {
        let id = key.parts().get(1).and_then(|part| part.parse().ok());
        let summary = serde_json::from_slice::<DocumentSummary>(&value);
        match (id, summary) {
            (Some(id), Ok(summary)) => {
                summaries.insert(id, summary);
            }
            _ => tracing::warn!(%key, "skipped an unreadable document summary"),
        }
    }
    Ok(summaries)
}

/// Indexes every document in `ids` that has no summary yet (a database written before the
/// index existed), reading each once. Run at start, before any document actor writes, so it
/// cannot overwrite a newer summary. Documents that cannot be read are skipped and logged.
/// Returns how many were indexed.
pub async fn index_missing(
    storage: &dyn Storage,
    ids: Vec<DocumentId>,
    limits: Limits,
) -> Result<usize, StorageError> {
    let indexed = document_summaries(storage).await?;
    let mut writes = Vec::new();
    for id in ids.into_iter().filter(|id| !indexed.contains_key(id)) {
        let chunks = document_chunks(storage, id).await?;
        let read = tokio::task::spawn_blocking(move || {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                load_chunks(id, chunks, &limits).map(|loaded| DocumentSummary::of(&loaded.doc))
            }))
        })
        .await;
        match read {
            Ok(Ok(Ok(summary))) => writes.push(summary.put(id)?),
            Ok(Ok(Err(error))) => {
                tracing::warn!(document = %id, %error, "cannot index a document");
            }
            Ok(Err(_)) | Err(_) => tracing::error!(document = %id, "indexing a document panicked"),
        }
    }
    let n_indexed = writes.len();
    if n_indexed > 0 {
        storage.put_batch(writes).await?;
        tracing::info!(
            documents = n_indexed,
            "indexed documents for the document list"
        );
    }
    Ok(n_indexed)
}
