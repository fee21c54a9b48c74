//! Interoperability with the official JS stack: frames captured from automerge-repo 2.5.6 (see
//! `fixtures/sync/README.md`) decode to the right messages, drive our relay and our client, and
//! Automerge 3.5.0 sync messages and documents apply.

use std::fs;
use std::path::PathBuf;

use automerge::{Automerge, ObjType, ROOT, ReadDoc, Value};
use dealflow_core::sync::{
    ClientEvent, Connection, ConnectionEvent, DocSync, DocumentId, DocumentStatus, Limits, PeerId,
    PeerMetadata, SessionId, SyncClient, SyncError, WireMessage,
};

const CREATED: &str = "2vUA3m3uYPJ4i5ZiNLCoAwJ8ExzU";
const UNKNOWN: &str = "tPDTB7G6tPCFPGXroWumdXtEN29";

fn fixture(name: &str) -> Vec<u8> {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests/fixtures/sync", name]
        .iter()
        .collect();
    fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn frames() -> Vec<(String, Vec<u8>)> {
    let dir: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests/fixtures/sync"]
        .iter()
        .collect();
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".cbor"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let bytes = fixture(&name);
            (name, bytes)
        })
        .collect()
}

fn peer(name: &str) -> PeerId {
    PeerId::new(name).unwrap()
}

/// A string field; automerge-js 3 writes JS strings as collaborative text objects.
fn get_text(doc: &Automerge, key: &str) -> Option<String> {
    match doc.get(ROOT, key).ok()?? {
        (Value::Object(ObjType::Text), text_id) => doc.text(&text_id).ok(),
        (value, _) => value.as_str().map(str::to_owned),
    }
}

fn get_int(doc: &Automerge, key: &str) -> Option<i64> {
    doc.get(ROOT, key)
        .ok()?
        .and_then(|(value, _)| value.as_i64())
}

#[test]
fn every_js_frame_decodes_to_its_type_and_round_trips() {
    let all = frames();
    assert!(all.len() >= 19);
    for (name, bytes) in all {
        let message = WireMessage::decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected_type = name
            .trim_end_matches(".cbor")
            .split('-')
            .skip(if name.starts_with("x-") { 1 } else { 2 })
            .collect::<Vec<_>>()
            .join("-");
        assert!(
            expected_type.starts_with(message.type_name()),
            "{name} decoded as {}",
            message.type_name()
        );
        assert_eq!(
            WireMessage::decode(&message.encode()).unwrap(),
            message,
            "{name}"
        );
    }
}

#[test]
fn js_shapes_decode_with_their_quirks() {
    let WireMessage::Join {
        sender_id,
        peer_metadata,
        supported_protocol_versions,
    } = WireMessage::decode(&fixture("00-client-join.cbor")).unwrap()
    else {
        panic!("not a join");
    };
    assert_eq!(sender_id.as_str(), "browser-js");
    // cbor-x writes `storageId: undefined` for a repo without storage.
    assert_eq!(peer_metadata.storage_id, None);
    assert!(peer_metadata.is_ephemeral);
    assert_eq!(supported_protocol_versions, Some(vec!["1".to_owned()]));

    let WireMessage::Ephemeral { count, .. } =
        WireMessage::decode(&fixture("x-ephemeral-float-count.cbor")).unwrap()
    else {
        panic!("not ephemeral");
    };
    assert_eq!(count, 3, "a float count is truncated");

    let WireMessage::RemoteSubscriptionChange { add, remove, .. } =
        WireMessage::decode(&fixture("x-remote-subscription-change.cbor")).unwrap()
    else {
        panic!("not a subscription change");
    };
    assert_eq!(add.len(), 1);
    assert!(remove.is_empty(), "remove: undefined reads as empty");

    let WireMessage::RemoteHeadsChanged {
        document_id,
        new_heads,
        ..
    } = WireMessage::decode(&fixture("x-remote-heads-changed.cbor")).unwrap()
    else {
        panic!("not remote heads");
    };
    assert_eq!(document_id.to_string(), CREATED);
    let heads = new_heads.values().next().unwrap();
    assert!(
        heads.timestamp > 1_700_000_000_000,
        "a float timestamp is read"
    );

    let WireMessage::Join {
        supported_protocol_versions,
        ..
    } = WireMessage::decode(&fixture("x-join-no-versions.cbor")).unwrap()
    else {
        panic!("not a join");
    };
    assert_eq!(supported_protocol_versions, None);
}

#[test]
fn our_relay_accepts_the_js_client_session() {
    let relay_id = peer("relay-js");
    let mut connection = Connection::accept(relay_id.clone(), PeerMetadata::default());
    let created: DocumentId = CREATED.parse().unwrap();
    let unknown: DocumentId = UNKNOWN.parse().unwrap();
    let mut doc = DocSync::new(created, relay_id.clone(), Limits::default());
    let mut unknown_doc = DocSync::new(unknown, relay_id.clone(), Limits::default());
    let mut replies = Vec::new();
    let mut stored = 0;
    for name in [
        "00-client-join.cbor",
        "02-client-sync.cbor",
        "04-client-sync.cbor",
        "06-client-request.cbor",
        "09-client-ephemeral.cbor",
        "10-client-sync.cbor",
    ] {
        match connection.on_frame(&fixture(name)).unwrap() {
            ConnectionEvent::Established { peer, reply, .. } => {
                assert_eq!(peer.as_str(), "browser-js");
                let reply = WireMessage::decode(&reply.unwrap()).unwrap();
                assert!(matches!(reply, WireMessage::Peer { .. }));
            }
            ConnectionEvent::Document {
                document_id,
                message,
            } => {
                let target = if document_id == created {
                    &mut doc
                } else {
                    &mut unknown_doc
                };
                let step = target.receive(&peer("browser-js"), message).unwrap();
                stored += step.store.len();
                replies.extend(step.send);
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    assert_eq!(get_text(doc.doc(), "title").as_deref(), Some("Acme 报价"));
    assert_eq!(get_int(doc.doc(), "amount"), Some(200));
    assert!(stored >= 2, "both JS changes were persisted");
    assert!(replies.iter().any(|out| matches!(
        out.message,
        WireMessage::DocUnavailable { document_id, .. } if document_id == unknown
    )));
    assert!(unknown_doc.is_empty());
}

#[test]
fn our_client_understands_the_js_server() {
    let mut client = SyncClient::new(
        peer("browser-js"),
        PeerMetadata::default(),
        SessionId::new("s").unwrap(),
        Limits::default(),
    );
    let _join = client.connect();
    let step = client.on_frame(&fixture("01-server-peer.cbor")).unwrap();
    assert_eq!(
        step.events,
        vec![ClientEvent::Connected {
            server: peer("relay-js")
        }]
    );
    let unknown: DocumentId = UNKNOWN.parse().unwrap();
    let request = client.find(unknown);
    let WireMessage::Request { target_id, .. } = WireMessage::decode(&request.send[0]).unwrap()
    else {
        panic!("find sends a request");
    };
    assert_eq!(target_id.as_str(), "relay-js");
    for name in ["07-server-sync.cbor", "08-server-doc-unavailable.cbor"] {
        let _ = client.on_frame(&fixture(name)).unwrap();
    }
    assert_eq!(client.status(unknown), Some(DocumentStatus::Unavailable));
}

#[test]
fn a_js_join_without_version_one_is_refused_with_an_error_frame() {
    let mut connection = Connection::accept(peer("relay"), PeerMetadata::default());
    let rejection = connection
        .on_frame(&fixture("x-join-v2-only.cbor"))
        .unwrap_err();
    assert!(matches!(
        rejection.reason,
        SyncError::UnsupportedProtocolVersion { .. }
    ));
    let WireMessage::Error { target_id, .. } = WireMessage::decode(&rejection.error_frame).unwrap()
    else {
        panic!("an error frame");
    };
    assert_eq!(target_id.unwrap().as_str(), "future-client");
}

#[test]
fn automerge_js_sync_messages_apply() {
    let id = DocumentId::from_random_bytes([1; 16]);
    let js = peer("js");
    let mut doc = DocSync::new(id, peer("rust"), Limits::default());
    for name in ["am-sync-0.bin", "am-sync-1.bin"] {
        let step = doc
            .receive(
                &js,
                WireMessage::Sync {
                    sender_id: js.clone(),
                    target_id: peer("rust"),
                    document_id: id,
                    data: fixture(name),
                },
            )
            .unwrap();
        drop(step);
    }
    assert_eq!(get_text(doc.doc(), "stage").as_deref(), Some("demo"));
    assert_eq!(get_int(doc.doc(), "amount"), Some(100));
    assert_eq!(
        doc.heads()[0].to_string(),
        "c167b8c0645212d6568ad188c9a1c485714aa6ac098db4cbcfd957690e49248c"
    );
}
