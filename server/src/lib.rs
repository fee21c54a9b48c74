//! The Dealflow relay: an axum + tokio server that stores deal documents, authenticates users and
//! serves the demo, and relays deal documents between clients over WebSockets.
//!
//! - [`run`]: the entry point `main.rs` calls with a listener, a [`Config`] and a shutdown signal.
//! - [`storage`]: the [`Storage`](storage::Storage) trait over automerge-repo-shaped keys, with
//!   memory and SQLite (group commit, WAL, durable before acknowledging) backends.
//! - [`auth`]: JWT verification and the [`AuthUser`](auth::AuthUser) extractor.
//! - [`directory`]: the relay's own users and teams.
//! - [`demo`]: the demo data seeded into an empty data directory with `--demo-seed`.
//! - [`error`]: [`AppError`], the one way errors become HTTP responses.
//! - [`observability`]: logs and Prometheus metrics.
//! - [`relay`]: the WebSocket sync relay (automerge-repo protocol through core's sans-IO
//!   implementation), one actor per loaded document, access decided from the relay's records.

#![warn(missing_docs)]

mod app;
pub mod arbitration;
pub mod auth;
mod config;
pub mod demo;
pub mod directory;
pub mod error;
mod json;
pub mod observability;
pub mod relay;
mod routes;
mod state;
pub mod storage;

pub use app::{DATABASE_FILE, RunError, run};
pub use config::{Config, Limits, LogFormat, TokenSecret};
pub use error::AppError;
pub use json::Json;
pub use routes::{
    DevLoginRequest, DevLoginResponse, DevUsersResponse, DocumentDto, DocumentListDto,
    DocumentSummaryDto, MemberDto, MemberRequest, OwnerRequest, TeamDto, UserDto, router,
};
pub use state::AppState;
