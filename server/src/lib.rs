//! The Dealflow relay: an axum + tokio server that stores deal documents, authenticates users and
//! serves the demo; the WebSocket sync loop builds on these parts.
//!
//! - [`run`]: the entry point `main.rs` calls with a listener, a [`Config`] and a shutdown signal.
//! - [`storage`]: the [`Storage`](storage::Storage) trait over automerge-repo-shaped keys, with
//!   memory and SQLite (group commit, WAL, durable before acknowledging) backends.
//! - [`auth`]: JWT verification and the [`AuthUser`](auth::AuthUser) extractor.
//! - [`directory`]: the relay's own users and teams.
//! - [`error`]: [`AppError`], the one way errors become HTTP responses.
//! - [`observability`]: logs and Prometheus metrics.

#![warn(missing_docs)]

mod app;
pub mod auth;
mod config;
pub mod directory;
pub mod error;
mod json;
pub mod observability;
mod routes;
mod state;
pub mod storage;

pub use app::{DATABASE_FILE, RunError, run};
pub use config::{Config, Limits, LogFormat, TokenSecret};
pub use error::AppError;
pub use json::Json;
pub use routes::{DevLoginRequest, DevLoginResponse, DevUsersResponse, TeamDto, UserDto, router};
pub use state::AppState;
