//! Every metric the relay exports, and the Prometheus recorder behind `/metrics`.
//!
//! The names are defined here once. Storage records its series; the sync relay records the
//! connection, document, message and latency series through `SyncMetrics`, whose handles are
//! resolved once so that counting a message costs an atomic add, not a registry lookup.

use std::sync::OnceLock;
use std::time::Duration;

use metrics::Unit;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Gauge: WebSocket connections open now.
pub const CONNECTIONS_OPEN: &str = "dealflow_connections_open";
/// Counter: WebSocket connections accepted since start.
pub const CONNECTIONS_TOTAL: &str = "dealflow_connections_total";
/// Gauge: documents held in memory now.
pub const DOCUMENTS_LOADED: &str = "dealflow_documents_loaded";
/// Counter: protocol messages received from clients.
pub const MESSAGES_RECEIVED: &str = "dealflow_messages_received_total";
/// Counter: protocol messages sent to clients.
pub const MESSAGES_SENT: &str = "dealflow_messages_sent_total";
/// Counter: bytes of protocol messages received.
pub const BYTES_RECEIVED: &str = "dealflow_received_bytes_total";
/// Counter: bytes of protocol messages sent.
pub const BYTES_SENT: &str = "dealflow_sent_bytes_total";
/// Counter: sync messages whose bytes were encoded once and shared by every peer of the
/// document that was in sync before the change (the relay's fan-out path).
pub const SYNC_SHARED_MESSAGES: &str = "dealflow_sync_shared_messages_total";
/// Histogram: seconds from receiving a change to sending it on to the other peers.
pub const SYNC_LATENCY_SECONDS: &str = "dealflow_sync_latency_seconds";
/// Counter, label `reason`: messages refused — `malformed`, `protocol`, `too_big`, `text_frame`,
/// `invalid_sync`, `too_large`, `read_only` (changes dropped), `too_many_documents`,
/// `spoofed_ephemeral`, `slow_consumer`, `panic`, `storage`.
pub const MESSAGES_REJECTED: &str = "dealflow_messages_rejected_total";
/// Counter: messages a connection had to wait for because it exceeded its rate limit.
pub const MESSAGES_THROTTLED: &str = "dealflow_messages_throttled_total";
/// Histogram: write requests committed together in one transaction (group commit).
pub const STORAGE_COMMIT_REQUESTS: &str = "dealflow_storage_commit_requests";
/// Histogram: operations (puts and deletes) committed in one transaction.
pub const STORAGE_COMMIT_OPS: &str = "dealflow_storage_commit_ops";
/// Histogram: seconds one group commit took, `fsync` included.
pub const STORAGE_COMMIT_SECONDS: &str = "dealflow_storage_commit_seconds";
/// Counter: write requests that failed.
pub const STORAGE_ERRORS: &str = "dealflow_storage_errors_total";

const LATENCY_BUCKETS: &[f64] = &[
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
const COUNT_BUCKETS: &[f64] = &[
    1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0, 4096.0,
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process-wide recorder on first call and returns the handle that renders it.
/// Later calls (several servers in one test process) share it.
pub fn install() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let handle = install_recorder();
            describe();
            handle
        })
        .clone()
}

fn install_recorder() -> PrometheusHandle {
    let buckets = [
        (SYNC_LATENCY_SECONDS, LATENCY_BUCKETS),
        (STORAGE_COMMIT_SECONDS, LATENCY_BUCKETS),
        (STORAGE_COMMIT_REQUESTS, COUNT_BUCKETS),
        (STORAGE_COMMIT_OPS, COUNT_BUCKETS),
    ];
    let builder = buckets
        .iter()
        .try_fold(PrometheusBuilder::new(), |builder, (name, buckets)| {
            builder.set_buckets_for_metric(Matcher::Full((*name).to_owned()), buckets)
        })
        .unwrap_or_else(|error| {
            tracing::warn!(%error, "histogram buckets refused; exporting summaries");
            PrometheusBuilder::new()
        });
    let recorder = builder.build_recorder();
    let handle = recorder.handle();
    if metrics::set_global_recorder(recorder).is_err() {
        tracing::warn!("another metrics recorder is installed: /metrics will stay empty");
    }
    handle
}

/// Describes every series and registers it at zero, so `/metrics` lists them all from the start.
fn describe() {
    let counters = [
        (CONNECTIONS_TOTAL, "WebSocket connections accepted"),
        (MESSAGES_RECEIVED, "Protocol messages received from clients"),
        (MESSAGES_SENT, "Protocol messages sent to clients"),
        (
            SYNC_SHARED_MESSAGES,
            "Sync messages encoded once and shared by every peer in sync",
        ),
        (
            MESSAGES_REJECTED,
            "Messages refused: malformed, oversized, rate-limited or forbidden",
        ),
        (STORAGE_ERRORS, "Storage write requests that failed"),
        (
            MESSAGES_THROTTLED,
            "Messages delayed by a connection's rate limit",
        ),
    ];
    for (name, help) in counters {
        metrics::describe_counter!(name, Unit::Count, help);
        metrics::counter!(name).increment(0);
    }
    for (name, help) in [
        (BYTES_RECEIVED, "Bytes of protocol messages received"),
        (BYTES_SENT, "Bytes of protocol messages sent"),
    ] {
        metrics::describe_counter!(name, Unit::Bytes, help);
        metrics::counter!(name).increment(0);
    }
    for (name, help) in [
        (CONNECTIONS_OPEN, "WebSocket connections open now"),
        (DOCUMENTS_LOADED, "Documents held in memory"),
    ] {
        metrics::describe_gauge!(name, Unit::Count, help);
        metrics::gauge!(name).set(0.0);
    }
    for (name, unit, help) in [
        (
            SYNC_LATENCY_SECONDS,
            Unit::Seconds,
            "From receiving a change to sending it on",
        ),
        (
            STORAGE_COMMIT_SECONDS,
            Unit::Seconds,
            "Duration of one group commit, fsync included",
        ),
        (
            STORAGE_COMMIT_REQUESTS,
            Unit::Count,
            "Write requests committed in one transaction",
        ),
        (
            STORAGE_COMMIT_OPS,
            Unit::Count,
            "Puts and deletes committed in one transaction",
        ),
    ] {
        metrics::describe_histogram!(name, unit, help);
        // Registering without recording: the series exists with a zero count.
        let _ = metrics::histogram!(name);
    }
}

/// Pre-resolved handles of the sync series.
#[derive(Clone)]
pub(crate) struct SyncMetrics {
    pub(crate) connections_open: metrics::Gauge,
    pub(crate) connections_total: metrics::Counter,
    pub(crate) documents_loaded: metrics::Gauge,
    pub(crate) messages_received: metrics::Counter,
    pub(crate) messages_sent: metrics::Counter,
    pub(crate) bytes_received: metrics::Counter,
    pub(crate) bytes_sent: metrics::Counter,
    pub(crate) throttled: metrics::Counter,
    pub(crate) shared_messages: metrics::Counter,
    pub(crate) sync_latency: metrics::Histogram,
}

impl SyncMetrics {
    pub(crate) fn new() -> Self {
        SyncMetrics {
            connections_open: metrics::gauge!(CONNECTIONS_OPEN),
            connections_total: metrics::counter!(CONNECTIONS_TOTAL),
            documents_loaded: metrics::gauge!(DOCUMENTS_LOADED),
            messages_received: metrics::counter!(MESSAGES_RECEIVED),
            messages_sent: metrics::counter!(MESSAGES_SENT),
            bytes_received: metrics::counter!(BYTES_RECEIVED),
            bytes_sent: metrics::counter!(BYTES_SENT),
            throttled: metrics::counter!(MESSAGES_THROTTLED),
            shared_messages: metrics::counter!(SYNC_SHARED_MESSAGES),
            sync_latency: metrics::histogram!(SYNC_LATENCY_SECONDS),
        }
    }

    /// Counts one refused message (a rare path, so the labelled handle is looked up here).
    pub(crate) fn rejected(&self, reason: &'static str) {
        metrics::counter!(MESSAGES_REJECTED, "reason" => reason).increment(1);
    }
}

impl std::fmt::Debug for SyncMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SyncMetrics")
    }
}

/// Records one successful group commit.
pub(crate) fn record_storage_commit(n_requests: usize, n_ops: usize, elapsed: Duration) {
    metrics::histogram!(STORAGE_COMMIT_REQUESTS).record(n_requests as f64);
    metrics::histogram!(STORAGE_COMMIT_OPS).record(n_ops as f64);
    metrics::histogram!(STORAGE_COMMIT_SECONDS).record(elapsed.as_secs_f64());
}

/// Records one failed write request.
pub(crate) fn record_storage_error() {
    metrics::counter!(STORAGE_ERRORS).increment(1);
}

/// Runs the recorder's periodic upkeep (draining histogram samples into buckets) until aborted.
pub(crate) async fn upkeep(handle: PrometheusHandle) {
    let mut interval = tokio::time::interval(Duration::from_secs(5));
    loop {
        interval.tick().await;
        handle.run_upkeep();
    }
}
