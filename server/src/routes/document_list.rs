//! `GET /api/documents[?kind=deal]`: the documents the caller may see, with their titles, so that
//! an app knows which deals to open over the sync socket.
//!
//! Visibility is decided for each record with core's `access` from the relay's own records (the
//! same decision the sync socket makes); titles are read from the stored documents through
//! core's `deal_title`, so the list shows edits made since seeding.
//!
//! Reading a title loads the whole document: an admin's list of 300 demo deals took about 10 s
//! in a debug build on a loaded 2-core machine. A title index kept by the document actors (they
//! hold the loaded document whenever it changes) is the way to make it cheap.

use std::collections::HashMap;

use axum::extract::{Query, State};
use dealflow_core::sync::{DocumentId, load_chunks};
use dealflow_core::{Access, deal_title};
use serde::{Deserialize, Serialize};

use crate::auth::AuthUser;
use crate::error::AppError;
use crate::json::Json;
use crate::state::AppState;
use crate::storage::{DocumentRecord, document_chunks};

/// The query of the list.
#[derive(Clone, PartialEq, Eq, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ListQuery {
    /// Only documents of this `type` (`deal`, `pipeline`, …).
    kind: Option<String>,
}

/// The answer: documents the caller may see, newest first.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentListDto {
    /// The documents.
    pub documents: Vec<DocumentSummaryDto>,
}

/// One visible document.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentSummaryDto {
    /// The document id (bs58check).
    pub id: String,
    /// `automerge:<id>`, what the sync client opens.
    pub url: String,
    /// The document's `type`.
    pub kind: String,
    /// The deal's title; `None` for other documents or a document that cannot be read.
    pub title: Option<String>,
    /// Its owner.
    pub owner: String,
    /// Its team.
    pub team: Option<String>,
    /// When it was registered, ms since the epoch.
    pub created_at: i64,
    /// What the caller may do with it.
    pub your_access: Access,
}

/// `GET /api/documents`.
pub(super) async fn list(
    State(state): State<AppState>,
    caller: AuthUser,
    Query(query): Query<ListQuery>,
) -> Result<Json<DocumentListDto>, AppError> {
    let organisation = state.directory.organisation();
    let mut visible: Vec<(DocumentRecord, Access)> = state
        .relay
        .records()
        .all_documents()
        .await?
        .into_iter()
        .filter(|record| query.kind.as_ref().is_none_or(|kind| &record.kind == kind))
        .filter_map(|record| {
            let access =
                dealflow_core::access(organisation, &caller.user.id, &record.descriptor()).access;
            (access > Access::None).then_some((record, access))
        })
        .collect();
    visible.sort_by(|(a, _), (b, _)| b.created_at_ms.cmp(&a.created_at_ms).then(a.id.cmp(&b.id)));

    let deal_ids: Vec<DocumentId> = visible
        .iter()
        .filter(|(record, _)| record.kind == dealflow_core::DEAL_TYPE)
        .map(|(record, _)| record.id)
        .collect();
    let titles = titles(&state, deal_ids).await?;
    let documents = visible
        .into_iter()
        .map(|(record, access)| DocumentSummaryDto {
            id: record.id.to_string(),
            url: record.id.url().to_string(),
            title: titles.get(&record.id).cloned(),
            kind: record.kind,
            owner: record.owner.to_string(),
            team: record.team.as_ref().map(ToString::to_string),
            created_at: record.created_at_ms,
            your_access: access,
        })
        .collect();
    Ok(Json(DocumentListDto { documents }))
}

/// The titles of deal documents, read from storage on a blocking thread. A document that cannot
/// be loaded is left out (and logged): the list still answers.
async fn titles(
    state: &AppState,
    ids: Vec<DocumentId>,
) -> Result<HashMap<DocumentId, String>, AppError> {
    let mut stored = Vec::with_capacity(ids.len());
    for id in ids {
        stored.push((id, document_chunks(&*state.storage, id).await?));
    }
    let limits = dealflow_core::sync::Limits {
        max_stored_bytes: state.limits.max_document_bytes,
        max_inflated_bytes: state.limits.max_decompressed_bytes,
        ..dealflow_core::sync::Limits::default()
    };
    let read = tokio::task::spawn_blocking(move || {
        let mut titles = HashMap::with_capacity(stored.len());
        for (id, chunks) in stored {
            let loaded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                load_chunks(id, chunks, &limits)
            }));
            match loaded {
                Ok(Ok(loaded)) => {
                    if let Some(title) = deal_title(&loaded.doc) {
                        titles.insert(id, title);
                    }
                }
                Ok(Err(error)) => {
                    tracing::warn!(document = %id, %error, "cannot read a title for the list");
                }
                Err(_) => tracing::error!(document = %id, "reading a title panicked"),
            }
        }
        titles
    });
    read.await.map_err(|error| AppError::Internal {
        detail: format!("reading titles failed: {error}"),
    })
}
