//! The HTTP surface of a real server on an ephemeral port: health, metrics, the static demo,
//! JSON errors for unknown API routes, and a clean restart on the same data directory.

mod support;

use reqwest::StatusCode;
use support::{TestServer, expect_error};

#[tokio::test]
async fn healthz_answers_ok() {
    let server = TestServer::start(&[]).await;
    let response = reqwest::get(server.url("/healthz")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), "ok");
    server.stop().await;
}

#[tokio::test]
async fn metrics_list_every_series_in_prometheus_format() {
    let server = TestServer::start(&[]).await;
    let response = reqwest::get(server.url("/metrics")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()[reqwest::header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(content_type.starts_with("text/plain; version=0.0.4"));
    let text = response.text().await.unwrap();
    for name in [
        "dealflow_connections_open",
        "dealflow_connections_total",
        "dealflow_documents_loaded",
        "dealflow_messages_received_total",
        "dealflow_messages_sent_total",
        "dealflow_received_bytes_total",
        "dealflow_sent_bytes_total",
        "dealflow_messages_rejected_total",
        "dealflow_storage_errors_total",
        "# TYPE dealflow_sync_latency_seconds histogram",
        "# TYPE dealflow_storage_commit_seconds histogram",
        "# TYPE dealflow_storage_commit_requests histogram",
        "# TYPE dealflow_storage_commit_ops histogram",
    ] {
        assert!(text.contains(name), "{name} missing from\n{text}");
    }
    // Seeding the directory at start-up went through a group commit, which was recorded.
    let commits = text
        .lines()
        .find_map(|line| line.strip_prefix("dealflow_storage_commit_seconds_count "))
        .and_then(|count| count.trim().parse::<f64>().ok())
        .unwrap_or_default();
    assert!(commits >= 1.0, "{text}");
    server.stop().await;
}

#[tokio::test]
async fn serves_the_demo_and_answers_unknown_api_routes_in_json() {
    let server = TestServer::start(&[]).await;
    let page = reqwest::get(server.url("/")).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("<title>Dealflow</title>")
    );

    let missing = reqwest::get(server.url("/api/nothing-here")).await.unwrap();
    let body = expect_error(missing, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(
        body["message"],
        "no endpoint /api/nothing-here: check the method and the path"
    );

    let wrong_method = reqwest::Client::new()
        .delete(server.url("/api/me"))
        .send()
        .await
        .unwrap();
    expect_error(wrong_method, StatusCode::NOT_FOUND, "not_found").await;
    server.stop().await;
}

#[tokio::test]
async fn restarts_on_the_same_data_directory() {
    let server = TestServer::start(&["--dev-login"]).await;
    let data_dir = server.stop().await;
    let wal = data_dir.path().join("dealflow.sqlite3-wal");
    assert!(
        !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
        "graceful shutdown flushed the write-ahead log"
    );

    let server = TestServer::start_in(data_dir, &["--dev-login"]).await;
    let users: serde_json::Value = reqwest::get(server.url("/api/dev/users"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        users["users"].as_array().unwrap().len(),
        7,
        "seeded once, not twice"
    );
    server.stop().await;
}
