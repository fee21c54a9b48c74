//! Exclusive actions on a document's record: decided by the relay in a storage transaction,
//! then written into the document as the caller, so connected peers receive them.
//!
//! - `GET /api/documents/{id}`: the record, for users who may see the document.
//! - `POST /api/documents/{id}/owner` `{ "owner": "<user>" }`: transfer ownership (owner,
//!   admin, or a manager over the owner's team).
//! - `PUT /api/documents/{id}/members/{user}` `{ "access": "read" | "write", "role"?: "presales" }`:
//!   add a deal-team member or change their access.
//! - `DELETE /api/documents/{id}/members/{user}`: take a member off the deal team.
//!
//! Unknown documents and documents the caller may not see are both 404 `document_unavailable`.

use axum::extract::{Path, State};
use dealflow_core::sync::DocumentId;
use dealflow_core::{DealRole, OwnershipChange, UserId};

use crate::auth::AuthUser;
use crate::error::AppError;
use crate::json::Json;
use crate::routes::dto::{DocumentDto, MemberRequest, OwnerRequest};
use crate::state::AppState;

fn document_id(id: &str) -> Result<DocumentId, AppError> {
    id.parse().map_err(|_| AppError::DocumentUnavailable {
        document: id.chars().take(64).collect(),
    })
}

fn user_id(id: &str) -> Result<UserId, AppError> {
    Ok(UserId::new(id).map_err(dealflow_core::Error::from)?)
}

/// `GET /api/documents/{id}`.
pub(super) async fn show(
    State(state): State<AppState>,
    caller: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<DocumentDto>, AppError> {
    let document = document_id(&id)?;
    let (record, access) = state
        .relay
        .record_for(document, &caller.user.id)
        .await?
        .ok_or(AppError::DocumentUnavailable { document: id })?;
    Ok(Json(DocumentDto::new(&record, access)))
}

/// `POST /api/documents/{id}/owner`.
pub(super) async fn transfer(
    State(state): State<AppState>,
    caller: AuthUser,
    Path(id): Path<String>,
    request: Result<Json<OwnerRequest>, AppError>,
) -> Result<Json<DocumentDto>, AppError> {
    let document = document_id(&id)?;
    let Json(request) = request?;
    let change = OwnershipChange::Transfer {
        to: user_id(&request.owner)?,
    };
    decide(&state, document, caller, change, DealRole::Other).await
}

/// `PUT /api/documents/{id}/members/{user}`.
pub(super) async fn put_member(
    State(state): State<AppState>,
    caller: AuthUser,
    Path((id, user)): Path<(String, String)>,
    request: Result<Json<MemberRequest>, AppError>,
) -> Result<Json<DocumentDto>, AppError> {
    let document = document_id(&id)?;
    let Json(request) = request?;
    let change = OwnershipChange::AddMember {
        user: user_id(&user)?,
        access: request.access,
    };
    let role = request.role.unwrap_or(DealRole::Other);
    decide(&state, document, caller, change, role).await
}

/// `DELETE /api/documents/{id}/members/{user}`.
pub(super) async fn delete_member(
    State(state): State<AppState>,
    caller: AuthUser,
    Path((id, user)): Path<(String, String)>,
) -> Result<Json<DocumentDto>, AppError> {
    let document = document_id(&id)?;
    let change = OwnershipChange::RemoveMember {
        user: user_id(&user)?,
    };
    decide(&state, document, caller, change, DealRole::Other).await
}

async fn decide(
    state: &AppState,
    document: DocumentId,
    caller: AuthUser,
    change: OwnershipChange,
    role: DealRole,
) -> Result<Json<DocumentDto>, AppError> {
    let by = caller.user.id;
    let record = state
        .relay
        .decide(document, by.clone(), change, role)
        .await?;
    let access =
        dealflow_core::access(state.directory.organisation(), &by, &record.descriptor()).access;
    // After giving a document away the caller may see less of it, or nothing: say so.
    Ok(Json(DocumentDto::new(&record, access)))
}
