//! The real `dealflow-server` binary on an ephemeral port, for tests that signal or measure the
//! process itself.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::SECRET;

/// Starts the binary on `data_dir` with the test secret and `env` (`DEALFLOW_*` pairs); returns
/// the process and its base URL (`http://127.0.0.1:port`).
pub(crate) fn start(data_dir: &Path, env: &[(&str, &str)]) -> (Child, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dealflow-server"));
    command
        .env_clear()
        .env("DEALFLOW_LISTEN", "127.0.0.1:0")
        .env("DEALFLOW_DATA_DIR", data_dir)
        .env("DEALFLOW_WEB_DIR", data_dir)
        .env("DEALFLOW_TOKEN_SECRET", SECRET)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("dealflow-server listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    (child, base)
}

/// Sends SIGTERM and waits, at most `timeout`, for the process to exit; returns whether it
/// exited successfully.
pub(crate) async fn terminate(child: &mut Child, timeout: Duration) -> bool {
    let signalled = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(signalled.success());
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.success();
        }
        assert!(
            started.elapsed() < timeout,
            "the server did not stop within {timeout:?} of SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The resident memory of a process, in bytes.
pub(crate) fn resident_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
        .unwrap();
    kib * 1024
}

/// The value of an unlabelled or labelled series in a Prometheus text page (0 if absent).
pub(crate) fn metric(page: &str, series: &str) -> f64 {
    page.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0.0)
}
