//! HTTP routes. Handlers extract, call storage or the directory, and map the error.
//!
//! - `GET /healthz`: `ok` while storage answers.
//! - `GET /metrics`: Prometheus text format.
//! - `GET /api/me`: the authenticated user.
//! - `GET /api/dev/users`, `POST /api/dev/login`: the development login (403 unless enabled).
//! - `GET /sync`: the WebSocket sync endpoint (automerge-repo protocol), see `sync`.
//! - `GET /api/documents`: the documents the caller may see, with titles, see `document_list`.
//! - `/api/documents/{id}…`: a document's record and its exclusive actions, see `documents`.
//! - `/api/pools…`, `/api/leads…`: lead pools and pool commands, see `leads`.
//! - `/api/documents/{id}/quotes`, `/api/quotes…`: quotes and quote commands, see `quotes`.
//! - `GET /api/targets`: the caller's sales targets for the forecast, see `targets`.
//! - anything else: the built web demo from the web directory.

mod dev;
mod document_list;
mod documents;
mod dto;
mod health;
mod leads;
mod me;
mod quotes;
mod sync;
mod targets;

pub use document_list::{DocumentListDto, DocumentSummaryDto};
pub use dto::{
    DevLoginRequest, DevLoginResponse, DevUsersResponse, DocumentDto, MemberDto, MemberRequest,
    OwnerRequest, TeamDto, UserDto,
};

use std::path::Path;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::OriginalUri;
use axum::http::{HeaderValue, Method, Request, header};
use axum::routing::{get, post, put};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

use crate::error::{AppError, panic_response};
use crate::state::AppState;

/// JSON bodies of the HTTP API are small; documents travel over the WebSocket.
const API_BODY_LIMIT: usize = 64 * 1024;

/// The application's routes over `state`, serving static files from `web_dir`, with CORS headers
/// for pages from `cors_origins` (none when it is empty).
pub fn router(state: AppState, web_dir: &Path, cors_origins: &[HeaderValue]) -> Router {
    let api = Router::new()
        .route("/me", get(me::me))
        .route("/dev/users", get(dev::users))
        .route("/dev/login", post(dev::login))
        .route("/documents", get(document_list::list))
        .route("/documents/{id}", get(documents::show))
        .route("/documents/{id}/owner", post(documents::transfer))
        .route(
            "/documents/{id}/members/{user}",
            put(documents::put_member).delete(documents::delete_member),
        )
        .route("/pools", get(leads::pools))
        .route(
            "/pools/{pool}/leads",
            get(leads::pool_leads).post(leads::create_leads),
        )
        .route("/leads/{id}", get(leads::show))
        .route("/leads/{id}/commands", post(leads::command))
        .route(
            "/documents/{id}/quotes",
            get(quotes::list).post(quotes::create),
        )
        .route("/quotes/{id}", get(quotes::show))
        .route("/quotes/{id}/commands", post(quotes::command))
        .route("/targets", get(targets::targets))
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .layer(DefaultBodyLimit::max(API_BODY_LIMIT));
    let router = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(health::metrics))
        .route("/sync", get(sync::sync))
        .nest("/api", api)
        .fallback_service(ServeDir::new(web_dir).append_index_html_on_directories(true))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state);
    if cors_origins.is_empty() {
        router
    } else {
        router.layer(cors(cors_origins))
    }
}

/// Lets pages from `origins` call the API with a bearer token (no cookies, so no credentials).
fn cors(origins: &[HeaderValue]) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins.iter().cloned()))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .max_age(Duration::from_secs(600))
}

/// The span of one request: method and path only, since the query may hold a token.
fn request_span<B>(request: &Request<B>) -> tracing::Span {
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        user = tracing::field::Empty,
    )
}

/// Nested routers see the path without `/api`; the original URI has it whole.
async fn not_found(OriginalUri(uri): OriginalUri) -> AppError {
    AppError::NotFound {
        path: uri.path().to_owned(),
    }
}
