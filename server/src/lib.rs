//! The Dealflow relay: an axum + tokio server that serves the demo and, in later layers, syncs
//! deal documents over the automerge-repo WebSocket protocol.

mod config;
mod routes;

pub use config::Config;
pub use routes::router;

use std::future::Future;

use tokio::net::TcpListener;

/// Serves `config` on `listener` until `shutdown` completes, then returns after in-flight
/// requests finish.
pub async fn run(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    tokio::fs::create_dir_all(&config.data_dir).await?;
    let app = router(&config);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
