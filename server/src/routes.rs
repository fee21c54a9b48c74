//! HTTP routes.

use axum::Router;
use axum::routing::get;
use tower_http::services::ServeDir;

use crate::config::Config;

/// The application's routes: `/healthz` and the static demo.
pub fn router(config: &Config) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .fallback_service(ServeDir::new(&config.web_dir).append_index_html_on_directories(true))
}

async fn healthz() -> &'static str {
    "ok"
}
