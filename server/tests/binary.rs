//! The `dealflow-server` binary as scripts run it: configured by environment, logging JSON to
//! stderr, printing its address on stdout, and flushing storage on SIGTERM.

mod support;

use std::time::Duration;

use serde_json::Value;
use support::binary::{self, Launch};
use support::dev_login;

#[tokio::test]
async fn runs_from_environment_and_shuts_down_cleanly_on_sigterm() {
    let data_dir = tempfile::tempdir().unwrap();
    let (mut child, base, logs) = binary::launch(
        data_dir.path(),
        Launch {
            env: &[
                ("DEALFLOW_DEV_LOGIN", "true"),
                ("DEALFLOW_LOG_FORMAT", "json"),
                ("RUST_LOG", "info"),
                ("DEALFLOW_WORKER_THREADS", "1"),
            ],
            test_secret: false,
            capture_logs: true,
            ..Launch::default()
        },
    );

    // No secret configured and the dev login on: tokens are signed with a random secret.
    let client = reqwest::Client::new();
    let login = dev_login(&base, "li-qiang").await;
    let me: Value = client
        .get(format!("{base}/api/me"))
        .bearer_auth(login["token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["name"]["zh-CN"], "李强");

    let stderr = binary::stop_and_read_logs(&mut child, logs, Duration::from_secs(10)).await;
    let events: Vec<Value> = stderr
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    let messages: Vec<&str> = events
        .iter()
        .filter_map(|event| event["message"].as_str())
        .collect();
    for expected in [
        "seeded the directory",
        "development login",
        "closed SQLite storage",
        "dealflow-server stopped",
    ] {
        assert!(
            messages.contains(&expected),
            "{expected:?} not in {messages:?}"
        );
    }
    let listening = events
        .iter()
        .find(|event| event["message"] == "dealflow-server listening")
        .expect("the listening event");
    assert_eq!(listening["worker_threads"], 1, "{listening}");
    assert!(
        stderr.contains("tokens will not survive a restart"),
        "the random secret is announced"
    );
    let wal = data_dir.path().join("dealflow.sqlite3-wal");
    assert!(!wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0);
}
