//! `Repo`, the browser's sync client: storage writes before frames, documents loaded back from
//! stored chunks, two repos converging through a relay built from core's protocol parts,
//! presence, and refused frames.

use std::collections::BTreeMap;

use dealflow_core::sync::{
    Connection, ConnectionEvent, DocSync, DocumentId, Limits, PeerAccess, PeerId, PeerMetadata,
};
use dealflow_wasm::dto::RepoStep;
use dealflow_wasm::{DealDoc, Pipeline, Repo};
use js_sys::{Array, Reflect, Uint8Array};
use serde_json::{Value, json};
use tsify::Ts;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

use super::support::{actor, deal, edit, open_deal, to_json};

fn field(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).expect("steps are objects")
}

/// The step's frames.
fn frames(step: &Ts<RepoStep>) -> Vec<Vec<u8>> {
    field(&step.js_value(), "send")
        .unchecked_into::<Array>()
        .iter()
        .map(|frame| frame.unchecked_into::<Uint8Array>().to_vec())
        .collect()
}

/// The step's storage writes as `{ kind, key, bytes? }` JS objects.
fn writes(step: &Ts<RepoStep>) -> Vec<JsValue> {
    field(&step.js_value(), "store")
        .unchecked_into::<Array>()
        .iter()
        .collect()
}

/// The step's events as JSON.
fn events(step: &Ts<RepoStep>) -> Vec<Value> {
    field(&step.js_value(), "events")
        .unchecked_into::<Array>()
        .iter()
        .map(|event| to_json(&event))
        .collect()
}

/// A key/value store of chunks, as IndexedDB holds them.
#[derive(Default)]
struct Store(BTreeMap<Vec<String>, Vec<u8>>);

impl Store {
    fn apply(&mut self, step: &Ts<RepoStep>) {
        for write in writes(step) {
            let key: Vec<String> = field(&write, "key")
                .unchecked_into::<Array>()
                .iter()
                .map(|part| part.as_string().unwrap())
                .collect();
            match field(&write, "kind").as_string().as_deref() {
                Some("put") => {
                    let bytes = field(&write, "bytes").unchecked_into::<Uint8Array>();
                    self.0.insert(key, bytes.to_vec());
                }
                Some("delete") => {
                    self.0.remove(&key);
                }
                other => panic!("unknown write {other:?}"),
            }
        }
    }

    /// `StoredChunk[]`.
    fn chunks(&self) -> Array {
        self.0
            .iter()
            .map(|(key, bytes)| {
                let chunk = js_sys::Object::new();
                let parts: Array = key.iter().map(|part| JsValue::from_str(part)).collect();
                Reflect::set(&chunk, &"key".into(), &parts).unwrap();
                Reflect::set(&chunk, &"bytes".into(), &Uint8Array::from(bytes.as_slice())).unwrap();
                JsValue::from(chunk)
            })
            .collect()
    }
}

fn new_repo(name: &str, actor_byte: u8) -> Repo {
    Repo::new(name, &format!("{name}-session"), &actor(actor_byte)).unwrap()
}

fn document_id(byte: u8) -> String {
    Repo::new_document_id(&[byte; 16]).unwrap()
}

#[wasm_bindgen_test]
fn a_published_deal_is_stored_before_anything_is_sent_and_loads_back_in_a_new_repo() {
    let pipeline = Pipeline::new_business();
    let id = document_id(1);
    let doc = open_deal(&pipeline, &id);
    let mut repo = new_repo("laptop", 1);
    let step = repo.publish(&id, &doc).unwrap();
    assert!(frames(&step).is_empty(), "offline: nothing to send");
    let mut store = Store::default();
    store.apply(&step);
    assert!(!store.0.is_empty());
    assert!(store.0.keys().all(|key| key[0] == id));
    assert_eq!(repo.status(&id).as_string().as_deref(), Some("ready"));
    assert_eq!(repo.deal_ids(), vec![id.clone()]);

    // An edit through the shared handle, then published: the small deal is rewritten as one
    // snapshot (the sync client compacts small documents on every save).
    let held = repo.deal(&id).unwrap();
    assert!(held.set_title(&edit("rep-li", 1), "改名").unwrap());
    let step = repo.publish(&id, &held).unwrap();
    store.apply(&step);
    assert_eq!(store.0.len(), 1, "one snapshot");
    assert_eq!(deal(&doc)["title"], "改名", "the repo shares the document");

    let mut reloaded = new_repo("laptop-after-reload", 2);
    let step = reloaded.load(&id, &store.chunks()).unwrap();
    assert!(writes(&step).is_empty());
    assert_eq!(deal(&reloaded.deal(&id).unwrap()), deal(&doc));
    assert_eq!(
        reloaded.unsynced_changes(&id),
        None,
        "offline after a reload: unknown"
    );
}

/// Our relay in miniature: a `Connection` per repo and one `DocSync`, as the server holds them.
struct Relay {
    id: PeerId,
    connections: Vec<Connection>,
    doc: Option<DocSync>,
}

impl Relay {
    fn new(n_clients: usize) -> Self {
        let id = PeerId::new("relay").unwrap();
        let connections = (0..n_clients)
            .map(|_| Connection::accept(id.clone(), PeerMetadata::default()))
            .collect();
        Relay {
            id,
            connections,
            doc: None,
        }
    }

    /// Handles a frame from client `from`; returns frames per client index.
    fn receive(&mut self, from: usize, frame: &[u8]) -> Vec<(usize, Vec<u8>)> {
        let mut out = Vec::new();
        match self.connections[from].on_frame(frame).unwrap() {
            ConnectionEvent::Established {
                reply: Some(reply), ..
            } => out.push((from, reply)),
            ConnectionEvent::Document {
                document_id,
                message,
            } => {
                let peer = self.connections[from].peer().unwrap().clone();
                let doc = self.doc.get_or_insert_with(|| {
                    DocSync::new(document_id, self.id.clone(), Limits::default())
                });
                for connection in &self.connections {
                    if let Some(other) = connection.peer() {
                        doc.add_peer(other.clone(), PeerAccess::ReadWrite);
                    }
                }
                let step = doc.receive(&peer, message).unwrap();
                for outgoing in step.send {
                    let to = self
                        .connections
                        .iter()
                        .position(|connection| connection.peer() == Some(&outgoing.peer))
                        .unwrap();
                    out.push((to, outgoing.encode()));
                }
            }
            _ => {}
        }
        out
    }
}

/// Delivers frames until nothing is in flight; returns every event each repo saw.
fn run(
    relay: &mut Relay,
    repos: &mut [Repo],
    mut to_relay: Vec<(usize, Vec<u8>)>,
) -> Vec<Vec<Value>> {
    let mut seen = vec![Vec::new(); repos.len()];
    while !to_relay.is_empty() {
        let mut to_repos = Vec::new();
        for (from, frame) in to_relay.drain(..) {
            to_repos.extend(relay.receive(from, &frame));
        }
        for (to, frame) in to_repos {
            let step = repos[to].receive(&frame).unwrap();
            seen[to].extend(events(&step));
            to_relay.extend(frames(&step).into_iter().map(|frame| (to, frame)));
        }
    }
    seen
}

#[wasm_bindgen_test]
fn two_repos_edit_one_deal_concurrently_and_converge_with_presence() {
    let pipeline = Pipeline::new_business();
    let id = document_id(2);
    let mut relay = Relay::new(2);
    let mut repos = [new_repo("laptop", 1), new_repo("phone", 2)];
    let joins = vec![(0, repos[0].connect()), (1, repos[1].connect())];
    let seen = run(&mut relay, &mut repos, joins);
    assert!(repos.iter().all(Repo::connected));
    assert_eq!(
        seen[0],
        vec![json!({ "kind": "connected", "server": "relay" })]
    );

    let laptop_doc = open_deal(&pipeline, &id);
    let step = repos[0].publish(&id, &laptop_doc).unwrap();
    let sent = frames(&step).into_iter().map(|frame| (0, frame)).collect();
    run(&mut relay, &mut repos, sent);
    assert!(repos[0].in_sync(&id));
    assert_eq!(repos[0].unsynced_changes(&id), Some(0));

    let step = repos[1].find(&id).unwrap();
    let sent = frames(&step).into_iter().map(|frame| (1, frame)).collect();
    let seen = run(&mut relay, &mut repos, sent);
    assert!(seen[1].contains(&json!({ "kind": "changed", "documentId": id })));
    let phone_doc = repos[1].deal(&id).expect("the deal arrived");
    assert_eq!(deal(&phone_doc), deal(&laptop_doc));

    // Concurrent edits of different fields, published on both sides before any delivery.
    laptop_doc
        .set_title(&edit("rep-li", 1), "华东电网 CRM 二期（扩容）")
        .unwrap();
    phone_doc
        .set_source(&edit("rep-zhang", 1), Some("trade_show".into()))
        .unwrap();
    let mut sent: Vec<(usize, Vec<u8>)> = Vec::new();
    for (index, doc) in [(0, &laptop_doc), (1, &phone_doc)] {
        let step = repos[index].publish(&id, doc).unwrap();
        sent.extend(frames(&step).into_iter().map(|frame| (index, frame)));
    }
    run(&mut relay, &mut repos, sent);
    let merged = deal(&laptop_doc);
    assert_eq!(merged, deal(&phone_doc));
    assert_eq!(merged["title"], "华东电网 CRM 二期（扩容）");
    assert_eq!(merged["source"], "trade_show");

    // Presence: the phone says it edits the needs; the laptop hears it.
    let step = repos[1]
        .broadcast_presence(
            &id,
            "rep-zhang",
            "张伟",
            &"editing".into(),
            Some("needs".into()),
        )
        .unwrap();
    let sent = frames(&step).into_iter().map(|frame| (1, frame)).collect();
    let seen = run(&mut relay, &mut repos, sent);
    assert_eq!(
        seen[0],
        vec![json!({
            "kind": "presence",
            "documentId": id,
            "presence": {
                "user": "rep-zhang", "name": "张伟", "activity": "editing",
                "field": "needs", "peerId": "phone",
            },
        })]
    );
}

#[wasm_bindgen_test]
fn a_refused_frame_asks_to_close_the_socket_and_edits_wait_for_the_next_connection() {
    let pipeline = Pipeline::new_business();
    let id = document_id(3);
    let mut repo = new_repo("laptop", 1);
    let _join = repo.connect();
    let step = repo.receive(&[0xff, 0x00]).unwrap();
    assert_eq!(field(&step.js_value(), "close"), JsValue::TRUE);
    assert_eq!(frames(&step).len(), 1, "the error frame");
    assert_eq!(events(&step)[0]["kind"], "closed");
    assert!(!repo.connected());

    // Offline edits are stored and counted once the relay has acknowledged something.
    let doc: DealDoc = open_deal(&pipeline, &id);
    let step = repo.publish(&id, &doc).unwrap();
    assert!(frames(&step).is_empty());
    assert!(!writes(&step).is_empty());
    assert!(!repo.in_sync(&id));
    assert!(Repo::reconnect_delay_ms(0) >= 500.0);
    assert_eq!(Repo::reconnect_delay_ms(30), 30_000.0);
}

#[wasm_bindgen_test]
fn invalid_ids_and_chunks_are_typed_errors() {
    let mut repo = new_repo("laptop", 1);
    let error = super::support::code(repo.find("not-a-document-id"));
    assert_eq!(error, "invalid_document_id");
    let chunks: Array = [JsValue::from_str("oops")].into_iter().collect();
    let error = super::support::code(repo.load(&document_id(4), &chunks));
    assert_eq!(error, "invalid_input");
    assert_eq!(
        super::support::code(Repo::new_document_id(&[1, 2, 3])),
        "invalid_input"
    );
    let _ = DocumentId::from_random_bytes([4; 16]);
}

#[wasm_bindgen_test]
fn load_many_opens_every_stored_deal_as_one_replica_that_handles_edit_in_place() {
    let pipeline = Pipeline::new_business();
    let ids: Vec<String> = (10..13).map(document_id).collect();
    let mut repo = new_repo("laptop", 1);
    let mut store = Store::default();
    for id in &ids {
        let step = repo.publish(id, &open_deal(&pipeline, id)).unwrap();
        store.apply(&step);
    }
    // A fourth document whose only chunk is garbage: reported, and the others still open.
    let broken = document_id(13);
    store.0.insert(
        vec![broken.clone(), "incremental".into(), "00".into()],
        b"not automerge at all".to_vec(),
    );

    let mut reloaded = new_repo("laptop-after-reload", 2);
    let step = reloaded.load_many(&store.chunks()).unwrap();
    assert!(writes(&step).is_empty() && frames(&step).is_empty());
    let events = events(&step);
    let changed: Vec<&str> = events
        .iter()
        .filter(|event| event["kind"] == "changed")
        .filter_map(|event| event["documentId"].as_str())
        .collect();
    assert_eq!(changed, ids.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        events.iter().any(
            |event| event["kind"] == "document_error" && event["documentId"] == broken.as_str()
        ),
        "{events:?}"
    );
    assert_eq!(reloaded.deal_ids(), ids);

    // Two handles on one deal see each other's edits at once: they share the repo's document.
    let first = reloaded.deal(&ids[0]).unwrap();
    let second = reloaded.deal(&ids[0]).unwrap();
    assert!(first.set_title(&edit("rep-li", 5), "同一份文档").unwrap());
    assert_eq!(deal(&second)["title"], "同一份文档");
    assert_eq!(first.heads(), second.heads());

    // The edit waits in the repo and leads the next step: stored, then counted as unsynced.
    let step = reloaded.publish(&ids[0], &first).unwrap();
    assert_eq!(
        writes(&step).len(),
        2,
        "a small deal stays one chunk: its new snapshot, then the old one deleted"
    );
    assert!(
        events_of(&step)
            .iter()
            .all(|event| event["kind"] != "changed"),
        "the page announces its own edits"
    );
    store.apply(&step);
    let mut again = new_repo("laptop-third-load", 3);
    let _ = again.load_many(&store.chunks()).unwrap();
    assert_eq!(deal(&again.deal(&ids[0]).unwrap())["title"], "同一份文档");

    // A rejected move (the needs stage's criteria are unmet) writes nothing, so nothing waits
    // for the next step.
    let heads = first.heads();
    let needs = super::support::arg(&json!({ "kind": "stage", "stage": "needs" }));
    assert!(
        first
            .move_stage(&pipeline, &needs, &super::support::move_ctx(6, "t-9"))
            .is_err()
    );
    assert_eq!(first.heads(), heads);
    let step = reloaded.publish(&ids[0], &first).unwrap();
    assert!(writes(&step).is_empty());
}

fn events_of(step: &Ts<RepoStep>) -> Vec<Value> {
    events(step)
}
