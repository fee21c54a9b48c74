//! Interop with the official automerge-repo JS packages (2.5.6), both ways:
//!
//! - JS clients against our relay: one creates and edits a deal, a second JS client and our
//!   Rust protocol client (core's `SyncClient`) receive it and edit back; all converge.
//! - Our Rust client through the official JS sync server, together with a JS client.
//!
//! Needs Node and `npm install` in `tests/interop`, so it is ignored in `cargo test`;
//! `scripts/ci/interop` runs it with `--ignored`.

mod support;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Duration;

use dealflow_core::sync::{AutomergeUrl, DocumentId, DocumentStatus};
use serde_json::Value;
use support::TestServer;
use support::sync_peer::{SyncPeer, document_id, sync_url};

const WAIT: Duration = Duration::from_secs(20);

fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/interop")
}

/// A Node script from `tests/interop` and its stdout, line by line.
struct Node {
    child: Child,
    lines: std::io::Lines<BufReader<ChildStdout>>,
}

impl Node {
    fn spawn(script: &str, args: &[&str]) -> Self {
        let dir = interop_dir();
        assert!(
            dir.join("node_modules/@automerge/automerge-repo").exists(),
            "run `npm install` in tests/interop first (scripts/ci/interop does)"
        );
        let mut child = Command::new("node")
            .arg(script)
            .args(args)
            .current_dir(&dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node runs");
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        Node { child, lines }
    }

    /// The next JSON line the script printed (blocking; the scripts time out by themselves).
    fn next_json(&mut self) -> Value {
        let line = self
            .lines
            .next()
            .expect("the script printed a line")
            .expect("readable");
        serde_json::from_str(&line).unwrap_or_else(|_| panic!("not JSON: {line}"))
    }

    fn finish(mut self) {
        let status = self.child.wait().unwrap();
        assert!(status.success(), "the Node script failed: {status}");
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn document_of(url: &Value) -> DocumentId {
    url.as_str()
        .unwrap()
        .parse::<AutomergeUrl>()
        .expect("an automerge URL")
        .document_id
}

/// Waits in a blocking thread, so the async test keeps pumping its own client meanwhile.
async fn json_line(mut node: Node) -> (Node, Value) {
    tokio::task::spawn_blocking(move || {
        let value = node.next_json();
        (node, value)
    })
    .await
    .unwrap()
}

fn final_doc(value: &Value) -> &serde_json::Map<String, Value> {
    value["final"].as_object().expect("a final document")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Node and npm packages: scripts/ci/interop"]
async fn official_js_clients_and_our_client_converge_through_our_relay() {
    let server = TestServer::start(&[]).await;
    let keys = "a,b,rust";
    let creator = Node::spawn(
        "client.mjs",
        &[
            "--url",
            &sync_url(&server.base, "zhang-wei"),
            "--create",
            "华东电网 CRM 二期",
            "--key",
            "a",
            "--wait",
            keys,
        ],
    );
    let (creator, created) = json_line(creator).await;
    let url = created["url"].as_str().unwrap().to_owned();
    let id = document_of(&created["url"]);

    // A second JS client (the rep's manager) and our client (an admin) find it and edit back.
    let joiner = Node::spawn(
        "client.mjs",
        &[
            "--url",
            &sync_url(&server.base, "wang-fang"),
            "--find",
            &url,
            "--key",
            "b",
            "--wait",
            keys,
        ],
    );
    let mut ours = SyncPeer::connect(&server.base, "chen-jing", "rust-client").await;
    ours.find(id).await;
    ours.pump_until(WAIT, |client| {
        client.status(id) == Some(DocumentStatus::Ready)
    })
    .await
    .unwrap();
    ours.put(id, "rust", "from rust").await;
    ours.pump_until(WAIT, |client| {
        client.doc(id).is_some_and(|doc| {
            ["a", "b", "rust"].iter().all(|key| {
                dealflow_core::automerge::ReadDoc::get(doc, dealflow_core::automerge::ROOT, *key)
                    .ok()
                    .flatten()
                    .is_some()
            })
        })
    })
    .await
    .unwrap();

    let (joiner, joined) = json_line(joiner).await;
    let (joiner, joiner_final) = json_line(joiner).await;
    let (creator, creator_final) = json_line(creator).await;
    assert_eq!(joined["url"], url);
    assert_eq!(final_doc(&creator_final), final_doc(&joiner_final));
    let converged = final_doc(&creator_final);
    assert_eq!(converged["title"], "华东电网 CRM 二期");
    for key in ["a", "b", "rust"] {
        assert_eq!(
            ours.get(id, key).as_deref(),
            converged[key].as_str(),
            "{key}"
        );
    }
    creator.finish();
    joiner.finish();
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Node and npm packages: scripts/ci/interop"]
async fn our_client_syncs_through_the_official_js_server() {
    let storage = tempfile::tempdir().unwrap();
    let js_server = Node::spawn("server.mjs", &["--dir", storage.path().to_str().unwrap()]);
    let (_js_server, listening) = json_line(js_server).await;
    let url = format!("ws://127.0.0.1:{}", listening["port"]);

    // Our client creates the document; an official JS client finds it and edits back.
    let id = document_id(40);
    let mut ours = SyncPeer::connect_url(&url, "rust-client").await;
    ours.create(id, "through the JS server").await;
    ours.put(id, "rust", "from rust").await;
    ours.pump_until(WAIT, |client| client.in_sync(id))
        .await
        .unwrap();
    let client = Node::spawn(
        "client.mjs",
        &[
            "--url",
            &url,
            "--find",
            &id.url().to_string(),
            "--key",
            "js",
            "--wait",
            "rust,js",
        ],
    );
    ours.pump_until(WAIT, |client| {
        client.doc(id).is_some_and(|doc| {
            dealflow_core::automerge::ReadDoc::get(doc, dealflow_core::automerge::ROOT, "js")
                .ok()
                .flatten()
                .is_some()
        })
    })
    .await
    .unwrap();
    let (client, _url) = json_line(client).await;
    let (client, js_final) = json_line(client).await;
    let converged = final_doc(&js_final);
    assert_eq!(converged["title"], "through the JS server");
    assert_eq!(ours.get(id, "js").as_deref(), converged["js"].as_str());
    assert_eq!(ours.get(id, "rust").as_deref(), converged["rust"].as_str());
    client.finish();

    // And a document the JS client creates reaches our client through the JS server.
    let creator = Node::spawn(
        "client.mjs",
        &[
            "--url",
            &url,
            "--create",
            "made in JS",
            "--key",
            "a",
            "--wait",
            "a,rust",
        ],
    );
    let (creator, created) = json_line(creator).await;
    let js_id = document_of(&created["url"]);
    ours.find(js_id).await;
    ours.pump_until(WAIT, |client| {
        client.status(js_id) == Some(DocumentStatus::Ready)
    })
    .await
    .unwrap();
    ours.put(js_id, "rust", "from rust").await;
    ours.pump_until(WAIT, |client| client.in_sync(js_id))
        .await
        .unwrap();
    let (creator, created_final) = json_line(creator).await;
    assert_eq!(final_doc(&created_final)["rust"], "from rust");
    assert_eq!(ours.get(js_id, "title").as_deref(), Some("made in JS"));
    creator.finish();
}
