//! A real server on an ephemeral port, and helpers to check error bodies.
#![allow(dead_code)]

pub(crate) mod binary;
pub(crate) mod sync_peer;
pub(crate) mod writer;

use std::path::Path;

use clap::Parser;
use dealflow_server::{Config, RunError};
use reqwest::{Response, StatusCode};
use serde_json::Value;
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The HS256 secret every test server verifies with.
pub(crate) const SECRET: &str = "integration-test-secret-0123456789abcdef";

/// `dealflow_server::run` on `127.0.0.1:0`, stopped through its shutdown future.
pub(crate) struct TestServer {
    pub(crate) base: String,
    pub(crate) data_dir: TempDir,
    _web_dir: TempDir,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<Result<(), RunError>>,
}

impl TestServer {
    /// A server with a fresh data directory and `--token-secret SECRET` plus `args`.
    pub(crate) async fn start(args: &[&str]) -> Self {
        Self::start_in(tempfile::tempdir().unwrap(), args).await
    }

    /// A server on an existing data directory.
    pub(crate) async fn start_in(data_dir: TempDir, args: &[&str]) -> Self {
        let web_dir = tempfile::tempdir().unwrap();
        std::fs::write(
            web_dir.path().join("index.html"),
            "<!doctype html><title>Dealflow</title>",
        )
        .unwrap();
        let config = config(data_dir.path(), web_dir.path(), args);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (shutdown, stop) = oneshot::channel::<()>();
        let task = tokio::spawn(dealflow_server::run(listener, config, async move {
            let _ = stop.await;
        }));
        TestServer {
            base,
            data_dir,
            _web_dir: web_dir,
            shutdown,
            task,
        }
    }

    /// The absolute URL of `path`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The `/metrics` page as text.
    pub(crate) async fn metrics_text(&self) -> String {
        metrics_text(&self.base).await
    }

    /// Shuts down gracefully, asserts `run` returned `Ok`, and hands back the data directory.
    pub(crate) async fn stop(self) -> TempDir {
        let _ = self.shutdown.send(());
        self.task.await.unwrap().unwrap();
        self.data_dir
    }
}

/// The `/metrics` page of the server at `base` (`http://host:port`) as text.
pub(crate) async fn metrics_text(base: &str) -> String {
    reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

fn config(data_dir: &Path, web_dir: &Path, args: &[&str]) -> Config {
    let mut argv = vec![
        "dealflow-server".to_owned(),
        "--data-dir".to_owned(),
        data_dir.display().to_string(),
        "--web-dir".to_owned(),
        web_dir.display().to_string(),
        "--token-secret".to_owned(),
        SECRET.to_owned(),
    ];
    argv.extend(args.iter().map(|arg| (*arg).to_owned()));
    Config::try_parse_from(argv).unwrap()
}

/// A request to `server`'s `path` as `user` (a bearer token signed with [`SECRET`]), with `body`
/// as JSON when given.
pub(crate) async fn api(
    server: &TestServer,
    method: reqwest::Method,
    path: &str,
    user: &str,
    body: Option<Value>,
) -> Response {
    let mut request = reqwest::Client::new()
        .request(method, server.url(path))
        .bearer_auth(sync_peer::token(user));
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

/// A JSON `POST` to `server`'s `path` as `user`.
pub(crate) async fn post(server: &TestServer, path: &str, user: &str, body: Value) -> Response {
    api(server, reqwest::Method::POST, path, user, Some(body)).await
}

/// Asserts `response` is `200 OK` and returns its JSON body.
pub(crate) async fn ok_json(response: Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Logs in as demo `user` through the development login of the server at `base`; returns the
/// login body (`token`, `user`, `expiresAt`).
pub(crate) async fn dev_login(base: &str, user: &str) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/dev/login"))
        .json(&serde_json::json!({ "user": user }))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Asserts `response` has `status` and the error body shape with `code`; returns the body.
pub(crate) async fn expect_error(response: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(
        response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok()),
        Some("application/json")
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    for field in ["message", "messageZh"] {
        assert!(
            body[field].as_str().is_some_and(|text| !text.is_empty()),
            "{field} in {body}"
        );
    }
    assert_eq!(body.as_object().unwrap().len(), 3, "{body}");
    body
}
