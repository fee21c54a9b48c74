//! Liveness and metrics.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use crate::error::AppError;
use crate::state::AppState;
use crate::storage::{Storage, StorageKey};

/// `ok` once a storage read succeeds: a closed or broken store makes the relay unhealthy.
pub(super) async fn healthz(
    State(storage): State<Arc<dyn Storage>>,
) -> Result<&'static str, AppError> {
    storage.load(&health_key()?).await?;
    Ok("ok")
}

fn health_key() -> Result<StorageKey, AppError> {
    Ok(StorageKey::new(["healthz"])?)
}

/// Every metric in Prometheus text format.
pub(super) async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
}
