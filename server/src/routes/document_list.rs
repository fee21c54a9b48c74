//! `GET /api/documents[?kind=deal]`: the documents the caller may see, with their titles, so that
//! an app knows which deals to open over the sync socket.
//!
//! Visibility is decided for each record with core's `access` from the relay's own records (the
//! same decision the sync socket makes); titles come from the document list's index
//! (`storage::summary`), which the document actors write with every change of a title, so the
//! list shows edits made since seeding without loading a single document.

use axum::extract::{Query, State};
use dealflow_core::Access;
use serde::{Deserialize, Serialize};

use crate::auth::AuthUser;
use crate::error::AppError;
use crate::json::Json;
use crate::state::AppState;
use crate::storage::{DocumentRecord, document_summaries};

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

    let mut summaries = document_summaries(&*state.storage).await?;
    let documents = visible
        .into_iter()
        .map(|(record, access)| DocumentSummaryDto {
            id: record.id.to_string(),
            url: record.id.url().to_string(),
            title: summaries
                .remove(&record.id)
                .and_then(|summary| summary.title),
            kind: record.kind,
            owner: record.owner.to_string(),
            team: record.team.as_ref().map(ToString::to_string),
            created_at: record.created_at_ms,
            your_access: access,
        })
        .collect();
    Ok(Json(DocumentListDto { documents }))
}
