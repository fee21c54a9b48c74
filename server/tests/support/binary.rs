//! The real `dealflow-server` binary on an ephemeral port, for tests that signal or measure the
//! process itself.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::SECRET;

/// How to start the binary: extra environment and arguments, whether it verifies tokens
/// with the test secret, and whether its logs are captured for the test to read.
#[derive(Clone, Copy)]
pub(crate) struct Launch<'a> {
    /// Environment variables, set after the defaults (so they may override `RUST_LOG`).
    pub(crate) env: &'a [(&'a str, &'a str)],
    /// Command-line arguments.
    pub(crate) args: &'a [&'a str],
    /// With `false` no secret is configured (the dev login then signs with a random one).
    pub(crate) test_secret: bool,
    /// Pipe stderr (the logs) into [`Logs`] so that [`stop_and_read_logs`] can return them;
    /// otherwise the logs go to the test's own stderr.
    pub(crate) capture_logs: bool,
}

/// The logs of a binary started with [`Launch::capture_logs`]. A thread reads them as they
/// come: a pipe nobody reads holds 64 KiB, after which the server blocks on its next log line
/// (and cannot even shut down).
pub(crate) struct Logs(Option<JoinHandle<String>>);

impl Default for Launch<'_> {
    fn default() -> Self {
        Launch {
            env: &[],
            args: &[],
            test_secret: true,
            capture_logs: false,
        }
    }
}

/// Starts the binary on `data_dir` with the test secret and `env` (variables set last); returns
/// the process and its base URL (`http://127.0.0.1:port`).
pub(crate) fn start(data_dir: &Path, env: &[(&str, &str)]) -> (Child, String) {
    let (child, base, _logs) = launch(
        data_dir,
        Launch {
            env,
            ..Launch::default()
        },
    );
    (child, base)
}

/// Starts the binary on `data_dir` on an ephemeral port as `launch` says; returns the process,
/// its base URL (read from the first line it prints) and its logs if captured.
pub(crate) fn launch(data_dir: &Path, launch: Launch<'_>) -> (Child, String, Logs) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dealflow-server"));
    command
        .env_clear()
        .env("DEALFLOW_LISTEN", "127.0.0.1:0")
        .env("DEALFLOW_DATA_DIR", data_dir)
        .env("DEALFLOW_WEB_DIR", data_dir)
        .env("RUST_LOG", "warn")
        .args(launch.args)
        .stdout(Stdio::piped())
        .stderr(if launch.capture_logs {
            Stdio::piped()
        } else {
            Stdio::inherit()
        });
    if launch.test_secret {
        command.env("DEALFLOW_TOKEN_SECRET", SECRET);
    }
    for (name, value) in launch.env {
        command.env(name, value);
    }
    let mut child = command.spawn().unwrap();
    let logs = Logs(child.stderr.take().map(|mut stderr| {
        std::thread::spawn(move || {
            let mut logs = String::new();
            // Until the process exits and the pipe closes; what was read so far is kept.
            let _ = stderr.read_to_string(&mut logs);
            logs
        })
    }));
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("dealflow-server listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    (child, base, logs)
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

/// Sends SIGTERM, asserts a clean exit within `timeout`, and returns what the process logged
/// (started with [`Launch::capture_logs`]).
pub(crate) async fn stop_and_read_logs(child: &mut Child, logs: Logs, timeout: Duration) -> String {
    let clean = terminate(child, timeout).await;
    let logs = logs
        .0
        .expect("the logs were captured (Launch::capture_logs)")
        .join()
        .expect("the thread reading the logs ended");
    assert!(clean, "the server did not exit cleanly; it logged:\n{logs}");
    logs
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
