//! What every handler can reach, shared through axum state (axum `examples/dependency-injection`).

use std::sync::Arc;

use axum::extract::FromRef;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::arbitration::Arbiter;
use crate::auth::{TokenIssuer, TokenVerifier};
use crate::config::Limits;
use crate::directory::Directory;
use crate::relay::Relay;
use crate::storage::Storage;

/// The relay's shared state. Cloning is cheap (reference counts).
#[derive(Clone, Debug)]
pub struct AppState {
    /// Document chunks.
    pub storage: Arc<dyn Storage>,
    /// Users and teams.
    pub directory: Arc<Directory>,
    /// Verifies tokens.
    pub tokens: Arc<TokenVerifier>,
    /// Mints tokens for demo users; `None` unless the development login is on.
    pub dev_login: Option<Arc<TokenIssuer>>,
    /// Limits against bad clients.
    pub limits: Limits,
    /// Renders `/metrics`.
    pub metrics: PrometheusHandle,
    /// The sync relay: loaded documents and their actors.
    pub relay: Relay,
    /// Arbitrates lead-pool and quote commands.
    pub arbiter: Arc<Arbiter>,
}

impl FromRef<AppState> for Arc<TokenVerifier> {
    fn from_ref(state: &AppState) -> Self {
        Arc::clone(&state.tokens)
    }
}

impl FromRef<AppState> for Arc<Directory> {
    fn from_ref(state: &AppState) -> Self {
        Arc::clone(&state.directory)
    }
}

impl FromRef<AppState> for Arc<dyn Storage> {
    fn from_ref(state: &AppState) -> Self {
        Arc::clone(&state.storage)
    }
}
