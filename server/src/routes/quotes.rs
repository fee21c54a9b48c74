//! Quotes over HTTP, arbitrated by the relay (see `crate::arbitration`).
//!
//! - `POST /api/documents/{id}/quotes` `{ "currency", "validUntil", "taxBasis"? }`: start a quote
//!   on a deal the caller may edit.
//! - `GET /api/documents/{id}/quotes`: the quotes on a deal the caller may see.
//! - `GET /api/quotes/{id}`: one quote.
//!
//! Every answer carries the quote with its `totals` (core's `QuoteTotals`) and `discountBp`.
//! - `POST /api/quotes/{id}/commands` `{ "expectedVersion", "action": { "action": "edit" |
//!   "submit" | "withdraw" | "approve" | "reject" | "send" | "accept" | "expire", … } }`: a quote
//!   command, acted by the caller at their approval level.
//!
//! A quote on a deal the caller may not see is 404 `quote_unavailable`, like a missing quote.

use axum::extract::{Path, State};
use dealflow_core::sync::DocumentId;
use dealflow_core::{Quote, QuoteAction, QuoteCommand, QuoteTotals};
use serde::{Deserialize, Serialize};

use crate::arbitration::NewQuoteRequest;
use crate::auth::AuthUser;
use crate::error::AppError;
use crate::json::Json;
use crate::state::AppState;
use crate::storage::StoredQuote;

/// A quote and its deal document. The quote is in core's form (snake_case fields).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct QuoteDto {
    /// The deal document the quote is on.
    document: String,
    /// The quote, with its version and events.
    quote: Quote,
    /// Its figures as core computes them (per-line rounding, tax), so that pages show the
    /// amounts approval is decided on without computing them again; absent only when core
    /// cannot total the quote (an overflow).
    #[serde(skip_serializing_if = "Option::is_none")]
    totals: Option<QuoteTotals>,
    /// The discount from the catalogue reference, in basis points: what approval looks at.
    #[serde(skip_serializing_if = "Option::is_none")]
    discount_bp: Option<i64>,
}

/// Quotes on a deal.
#[derive(Debug, Serialize)]
pub(super) struct QuotesDto {
    /// The quotes, by id.
    quotes: Vec<QuoteDto>,
}

/// `POST /api/quotes/{id}/commands` body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct QuoteCommandRequest {
    /// The version the caller saw.
    expected_version: u64,
    /// What to do.
    action: QuoteAction,
}

impl From<StoredQuote> for QuoteDto {
    fn from(stored: StoredQuote) -> Self {
        let totals = stored.quote.totals().ok();
        QuoteDto {
            document: stored.document.to_string(),
            discount_bp: totals.as_ref().map(QuoteTotals::discount_basis_points),
            totals,
            quote: stored.quote,
        }
    }
}

fn document_id(id: &str) -> Result<DocumentId, AppError> {
    id.parse().map_err(|_| AppError::DocumentUnavailable {
        document: id.chars().take(64).collect(),
    })
}

/// `POST /api/documents/{id}/quotes`.
pub(super) async fn create(
    State(state): State<AppState>,
    caller: AuthUser,
    Path(id): Path<String>,
    request: Result<Json<NewQuoteRequest>, AppError>,
) -> Result<Json<QuoteDto>, AppError> {
    let document = document_id(&id)?;
    let Json(request) = request?;
    let stored = state
        .arbiter
        .create_quote(&caller.user.id, document, request)
        .await?;
    Ok(Json(stored.into()))
}

/// `GET /api/documents/{id}/quotes`.
pub(super) async fn list(
    State(state): State<AppState>,
    caller: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<QuotesDto>, AppError> {
    let document = document_id(&id)?;
    let quotes = state.arbiter.quotes_on(&caller.user.id, document).await?;
    Ok(Json(QuotesDto {
        quotes: quotes.into_iter().map(QuoteDto::from).collect(),
    }))
}

/// `GET /api/quotes/{id}`.
pub(super) async fn show(
    State(state): State<AppState>,
    caller: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<QuoteDto>, AppError> {
    let (stored, _) = state.arbiter.quote(&caller.user.id, &id).await?;
    Ok(Json(stored.into()))
}

/// `POST /api/quotes/{id}/commands`.
pub(super) async fn command(
    State(state): State<AppState>,
    caller: AuthUser,
    Path(id): Path<String>,
    request: Result<Json<QuoteCommandRequest>, AppError>,
) -> Result<Json<QuoteDto>, AppError> {
    let Json(request) = request?;
    let command = QuoteCommand {
        expected_version: request.expected_version,
        action: request.action,
    };
    let stored = state
        .arbiter
        .quote_command(&caller.user.id, &id, command)
        .await?;
    Ok(Json(stored.into()))
}
