//! Lead pools over HTTP: claims and other pool commands, arbitrated by the relay (see
//! `crate::arbitration`).
//!
//! - `GET /api/pools`: the pools the caller may claim from or manages, with their documents.
//! - `GET /api/pools/{pool}/leads`: the leads in a pool that the caller may see.
//! - `POST /api/pools/{pool}/leads` `{ "leads": [{ "company", "contactName", … }] }`: create
//!   leads straight into a pool (its team's managers and admins).
//! - `GET /api/leads/{id}`: a lead and its moves.
//! - `POST /api/leads/{id}/commands` `{ "command": "claim" | "return" | "put" | "distribute" |
//!   "assign", "expectedVersion", … }`: a pool command, acted by the caller.
//!
//! Unknown leads and leads the caller may not see are both 404 `lead_unavailable`.

use axum::extract::{Path, State};
use dealflow_core::{Lead, LeadMove, PoolId};
use serde::{Deserialize, Serialize};

use crate::arbitration::{LeadCommandRequest, NewLead, PoolView};
use crate::auth::AuthUser;
use crate::error::AppError;
use crate::json::Json;
use crate::state::AppState;

/// `GET /api/pools` answer.
#[derive(Debug, Serialize)]
pub(super) struct PoolsDto {
    /// The pools.
    pools: Vec<PoolView>,
}

/// Leads, in core's form (snake_case fields, as core serialises them).
#[derive(Debug, Serialize)]
pub(super) struct LeadsDto {
    /// The leads.
    leads: Vec<Lead>,
}

/// A lead with its moves (or the one move just decided).
#[derive(Debug, Serialize)]
pub(super) struct LeadDto {
    /// The lead.
    lead: Lead,
    /// Its moves, oldest first.
    moves: Vec<LeadMove>,
}

/// `POST /api/pools/{pool}/leads` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewLeadsRequest {
    /// The leads to create.
    leads: Vec<NewLead>,
}

fn pool_id(id: &str) -> Result<PoolId, AppError> {
    Ok(PoolId::new(id).map_err(dealflow_core::Error::from)?)
}

/// `GET /api/pools`.
pub(super) async fn pools(State(state): State<AppState>, caller: AuthUser) -> Json<PoolsDto> {
    Json(PoolsDto {
        pools: state.arbiter.pools_for(&caller.user.id),
    })
}

/// `GET /api/pools/{pool}/leads`.
pub(super) async fn pool_leads(
    State(state): State<AppState>,
    caller: AuthUser,
    Path(pool): Path<String>,
) -> Result<Json<LeadsDto>, AppError> {
    let pool = pool_id(&pool)?;
    let leads = state.arbiter.pool_leads(&caller.user.id, &pool).await?;
    Ok(Json(LeadsDto { leads }))
}

/// `POST /api/pools/{pool}/leads`.
pub(super) async fn create_leads(
    State(state): State<AppState>,
    caller: AuthUser,
    Path(pool): Path<String>,
    request: Result<Json<NewLeadsRequest>, AppError>,
) -> Result<Json<LeadsDto>, AppError> {
    let pool = pool_id(&pool)?;
    let Json(request) = request?;
    let leads = state
        .arbiter
        .create_leads(&caller.user.id, &pool, request.leads)
        .await?;
    Ok(Json(LeadsDto { leads }))
}

/// `GET /api/leads/{id}`.
pub(super) async fn show(
    State(state): State<AppState>,
    caller: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<LeadDto>, AppError> {
    let (lead, moves) = state.arbiter.lead(&caller.user.id, &id).await?;
    Ok(Json(LeadDto { lead, moves }))
}

/// `POST /api/leads/{id}/commands`.
pub(super) async fn command(
    State(state): State<AppState>,
    caller: AuthUser,
    Path(id): Path<String>,
    request: Result<Json<LeadCommandRequest>, AppError>,
) -> Result<Json<LeadDto>, AppError> {
    let Json(request) = request?;
    let (lead, record) = state
        .arbiter
        .lead_command(&caller.user.id, &id, request)
        .await?;
    Ok(Json(LeadDto {
        lead,
        moves: vec![record],
    }))
}
