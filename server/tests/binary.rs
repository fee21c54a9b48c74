//! The `dealflow-server` binary as scripts run it: configured by environment, logging JSON to
//! stderr, printing its address on stdout, and flushing storage on SIGTERM.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[tokio::test]
async fn runs_from_environment_and_shuts_down_cleanly_on_sigterm() {
    let data_dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_dealflow-server"))
        .env_clear()
        .env("DEALFLOW_LISTEN", "127.0.0.1:0")
        .env("DEALFLOW_DATA_DIR", data_dir.path())
        .env("DEALFLOW_WEB_DIR", data_dir.path())
        .env("DEALFLOW_DEV_LOGIN", "true")
        .env("DEALFLOW_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let base = line
        .trim()
        .strip_prefix("dealflow-server listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();

    // No secret configured and the dev login on: tokens are signed with a random secret.
    let client = reqwest::Client::new();
    let login: Value = client
        .post(format!("{base}/api/dev/login"))
        .json(&json!({ "user": "li-qiang" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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

    let terminated = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(terminated.success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the server did not stop within 10 s of SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "exit status {status}");

    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
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
    assert!(
        stderr.contains("tokens will not survive a restart"),
        "the random secret is announced"
    );
    let wal = data_dir.path().join("dealflow.sqlite3-wal");
    assert!(!wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0);
}
