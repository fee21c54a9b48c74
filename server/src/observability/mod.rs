//! Logs and metrics.
//!
//! Logs are `tracing` events written to stderr, pretty or as JSON lines ([`init_logging`]); the level
//! comes from `RUST_LOG` (default [`DEFAULT_FILTER`]). Request spans carry the method and the
//! path, never the query string, which may hold a WebSocket token.
//!
//! Metrics are recorded with the `metrics` facade and rendered at `/metrics` in Prometheus text
//! format; [`metrics`] names every series.

pub mod metrics;

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// The log filter without `RUST_LOG`: `info`, except Automerge's own spans. Automerge
/// instruments loading changes with `info` spans whose fields are formatted with `Debug` on
/// every call; enabled, they cost the relay about a seventh of its CPU under load.
pub const DEFAULT_FILTER: &str = "info,automerge=warn";

/// Installs the global log subscriber. Does nothing if one is already installed (tests).
pub fn init_logging(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    // Logs go to stderr: stdout carries only the "listening on" line that scripts wait for.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let installed = match format {
        LogFormat::Pretty => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    if installed.is_err() {
        tracing::debug!("a log subscriber was already installed");
    }
}
