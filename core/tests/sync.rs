//! Contract tests of the sync module on a deterministic in-memory network: a relay and three
//! browser clients, run until quiet (see `support/network.rs`).

#[path = "support/network.rs"]
mod network;

use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT, ReadDoc};
use dealflow_core::sync::{
    ChunkKind, ClientEvent, DocSync, DocumentId, DocumentStatus, Limits, PeerAccess, load_chunks,
};
use network::{Network, client_id, stored_heads};

fn document(seed: u8) -> DocumentId {
    DocumentId::from_random_bytes([seed; 16])
}

fn text(doc: &Automerge, key: &str) -> Option<String> {
    doc.get(ROOT, key)
        .ok()?
        .and_then(|(value, _)| value.as_str().map(str::to_owned))
}

fn create(network: &mut Network, index: usize, id: DocumentId, title: &str) {
    let ((), step) = network
        .client(index)
        .create(id, |tx| tx.put(ROOT, "title", title))
        .unwrap();
    network.client_step(index, step);
}

fn edit(network: &mut Network, index: usize, id: DocumentId, key: &str, value: &str) {
    let ((), step) = network
        .client(index)
        .change(id, |tx| tx.put(ROOT, key, value))
        .unwrap();
    network.client_step(index, step);
}

fn find(network: &mut Network, index: usize, id: DocumentId) {
    let step = network.client(index).find(id);
    network.client_step(index, step);
}

fn assert_converged(network: &Network, id: DocumentId, clients: &[usize]) {
    let relay = network.relay.docs.get(&id).expect("relay has the document");
    for index in clients {
        let doc = network.clients[*index]
            .client
            .doc(id)
            .expect("client has it open");
        assert_eq!(doc.get_heads(), relay.heads(), "client {index} heads");
        assert_eq!(
            doc.hydrate(None),
            relay.doc().hydrate(None),
            "client {index} content"
        );
        assert!(
            network.clients[*index].client.in_sync(id),
            "client {index} in sync"
        );
        assert_eq!(network.clients[*index].client.unsynced_changes(id), Some(0));
    }
}

#[test]
fn a_document_created_on_one_client_is_found_on_another() {
    let mut network = Network::new(2);
    network.run_until_quiet();
    let id = document(1);
    create(&mut network, 0, id, "Acme 报价");
    network.run_until_quiet();
    assert_eq!(
        stored_heads(&network.relay.store, id),
        network.relay.docs[&id].heads()
    );

    find(&mut network, 1, id);
    assert_eq!(
        network.client(1).status(id),
        Some(DocumentStatus::Requesting)
    );
    network.run_until_quiet();
    assert_eq!(network.client(1).status(id), Some(DocumentStatus::Ready));
    assert_eq!(
        text(network.client(1).doc(id).unwrap(), "title").as_deref(),
        Some("Acme 报价")
    );
    assert!(
        network
            .take_events(1)
            .contains(&ClientEvent::StatusChanged {
                document_id: id,
                status: DocumentStatus::Ready
            })
    );
    assert_converged(&network, id, &[0, 1]);
}

#[test]
fn concurrent_edits_converge_on_every_node() {
    let mut network = Network::new(3);
    let id = document(2);
    create(&mut network, 0, id, "Acme");
    network.run_until_quiet();
    find(&mut network, 1, id);
    find(&mut network, 2, id);
    network.run_until_quiet();

    // Three edits made before any of them is delivered.
    edit(&mut network, 0, id, "stage", "demo");
    edit(&mut network, 1, id, "stage", "negotiate");
    edit(&mut network, 2, id, "owner", "王伟");
    network.run_until_quiet();
    assert_converged(&network, id, &[0, 1, 2]);
    let relay = network.relay.docs[&id].doc();
    assert_eq!(text(relay, "owner").as_deref(), Some("王伟"));
    assert_eq!(relay.get_heads().len(), 3, "three concurrent heads");
}

#[test]
fn an_offline_client_catches_up_after_reconnecting() {
    let mut network = Network::new(2);
    let id = document(3);
    create(&mut network, 0, id, "Acme");
    network.run_until_quiet();
    find(&mut network, 1, id);
    network.run_until_quiet();

    network.disconnect(1);
    edit(&mut network, 0, id, "stage", "proposal");
    edit(&mut network, 1, id, "note", "offline note");
    network.run_until_quiet();
    assert_eq!(text(network.client(1).doc(id).unwrap(), "stage"), None);
    assert!(!network.client(1).in_sync(id));

    network.connect(1);
    network.run_until_quiet();
    assert_converged(&network, id, &[0, 1]);
    let merged = network.client(0).doc(id).unwrap();
    assert_eq!(text(merged, "note").as_deref(), Some("offline note"));
    assert_eq!(text(merged, "stage").as_deref(), Some("proposal"));
}

#[test]
fn unknown_documents_are_unavailable() {
    let mut network = Network::new(1);
    let id = document(4);
    find(&mut network, 0, id);
    network.run_until_quiet();
    assert_eq!(
        network.client(0).status(id),
        Some(DocumentStatus::Unavailable)
    );
    assert!(
        network.relay.store.is_empty(),
        "nothing stored for a request"
    );
}

#[test]
fn a_read_only_peer_receives_updates_but_its_changes_are_dropped() {
    let mut network = Network::new(2);
    let id = document(5);
    network
        .relay
        .access
        .insert((client_id(1), id), PeerAccess::ReadOnly);
    create(&mut network, 0, id, "Acme");
    network.run_until_quiet();
    find(&mut network, 1, id);
    network.run_until_quiet();

    edit(&mut network, 1, id, "stage", "won");
    network.run_until_quiet();
    let relay_doc = network.relay.docs[&id].doc();
    assert_eq!(
        text(relay_doc, "stage"),
        None,
        "the read-only change is not applied"
    );
    assert_eq!(text(network.client(0).doc(id).unwrap(), "stage"), None);
    // Our client honours the relay's read-only flag and does not even send the change.
    assert_eq!(network.relay.dropped_changes, 0);
    assert!(
        !network.client(1).in_sync(id),
        "the reader's own edit is never acknowledged"
    );

    edit(&mut network, 0, id, "amount", "100000");
    network.run_until_quiet();
    let reader = network.client(1).doc(id).unwrap();
    assert_eq!(text(reader, "amount").as_deref(), Some("100000"));
    assert_eq!(
        text(reader, "stage").as_deref(),
        Some("won"),
        "its own edit stays local"
    );
}

#[test]
fn changes_from_a_read_only_peer_that_ignores_the_flag_are_counted_and_dropped() {
    use automerge::sync::{ChunkList, Message, MessageVersion};
    let id = document(10);
    let (old_client, relay) = (client_id(0), client_id(1));
    let mut relay_doc = DocSync::new(id, relay.clone(), Limits::default());
    relay_doc.add_peer(old_client.clone(), PeerAccess::ReadOnly);
    let ((), _) = relay_doc
        .change(|tx| tx.put(ROOT, "title", "Acme"))
        .unwrap();

    // An older client pushes two changes without waiting to be asked.
    let mut rogue = Automerge::new();
    let mut changes = Vec::new();
    for value in ["won", "lost"] {
        let mut tx = rogue.transaction();
        tx.put(ROOT, "stage", value).unwrap();
        tx.commit();
        changes.push(rogue.get_last_local_change().unwrap().raw_bytes().to_vec());
    }
    let message = Message {
        heads: rogue.get_heads(),
        need: vec![],
        have: vec![],
        changes: ChunkList::from(changes),
        flags: None,
        version: MessageVersion::V1,
    };
    let step = relay_doc
        .receive(
            &old_client,
            dealflow_core::sync::WireMessage::Sync {
                sender_id: old_client.clone(),
                target_id: relay.clone(),
                document_id: id,
                data: message.encode(),
            },
        )
        .unwrap();
    assert_eq!(step.dropped_changes, 2);
    assert!(step.store.is_empty() && !step.changed);
    assert_eq!(text(relay_doc.doc(), "stage"), None);
}

#[test]
fn ephemeral_messages_fan_out_once_and_are_never_stored() {
    let mut network = Network::new(3);
    let id = document(6);
    create(&mut network, 0, id, "Acme");
    network.run_until_quiet();
    find(&mut network, 1, id);
    find(&mut network, 2, id);
    network.run_until_quiet();
    for index in 0..3 {
        network.take_events(index);
    }
    let (relay_writes, client_stores) = (
        network.relay.store_writes,
        network
            .clients
            .iter()
            .map(|c| c.store.clone())
            .collect::<Vec<_>>(),
    );

    let step = network
        .client(0)
        .broadcast(id, b"cursor:42".to_vec())
        .unwrap();
    assert!(step.store.is_empty());
    network.client_step(0, step);
    network.run_until_quiet();

    for index in [1, 2] {
        let events = network.take_events(index);
        let received: Vec<_> = events
            .iter()
            .filter_map(|event| match event {
                ClientEvent::Ephemeral {
                    document_id,
                    message,
                } if *document_id == id => Some(message),
                _ => None,
            })
            .collect();
        assert_eq!(received.len(), 1, "client {index} gets the message once");
        assert_eq!(received[0].data, b"cursor:42");
        assert_eq!(received[0].sender_id, client_id(0));
    }
    assert!(
        network
            .take_events(0)
            .iter()
            .all(|e| !matches!(e, ClientEvent::Ephemeral { .. })),
        "the sender does not get its own message back"
    );
    assert_eq!(network.relay.store_writes, relay_writes);
    for (index, before) in client_stores.iter().enumerate() {
        assert_eq!(&network.clients[index].store, before);
    }
}

#[test]
fn the_relay_restarts_from_its_store_and_sync_continues() {
    let mut network = Network::new(2);
    let id = document(7);
    create(&mut network, 0, id, "Acme");
    network.run_until_quiet();
    find(&mut network, 1, id);
    network.run_until_quiet();
    edit(&mut network, 1, id, "stage", "demo");
    network.run_until_quiet();

    let heads_before = network.relay.docs[&id].heads();
    network.restart_relay();
    assert_eq!(network.relay.docs[&id].heads(), heads_before);
    network.run_until_quiet();
    edit(&mut network, 0, id, "stage", "negotiate");
    network.run_until_quiet();
    assert_converged(&network, id, &[0, 1]);
    assert_eq!(
        text(network.client(1).doc(id).unwrap(), "stage").as_deref(),
        Some("negotiate")
    );
}

#[test]
fn compaction_keeps_the_content_identical() {
    let mut network = Network::new(1);
    let id = document(8);
    create(&mut network, 0, id, "Acme");
    network.run_until_quiet();
    for round in 0..150 {
        edit(
            &mut network,
            0,
            id,
            &format!("field{}", round % 20),
            &"x".repeat(30 + round),
        );
        network.run_until_quiet();
    }
    let relay_doc = &network.relay.docs[&id];
    let kinds: Vec<ChunkKind> = network
        .relay
        .store
        .keys()
        .filter_map(|key| key.chunk_kind())
        .collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|kind| **kind == ChunkKind::Snapshot)
            .count(),
        1,
        "old snapshots were deleted after the new one was written"
    );
    assert!(
        kinds.len() < 70,
        "incrementals were compacted: {} chunks",
        kinds.len()
    );
    let chunks = network.relay.store.clone().into_iter();
    let loaded = load_chunks(id, chunks, &Limits::default()).unwrap();
    assert_eq!(loaded.doc.hydrate(None), relay_doc.doc().hydrate(None));
    assert_eq!(loaded.doc.get_heads(), relay_doc.heads());

    // An explicit compaction yields one snapshot and the same document.
    let (mut reloaded, _) = DocSync::load(
        id,
        client_id(9),
        network.relay.store.clone(),
        Limits::default(),
    )
    .unwrap();
    let mut store = network.relay.store.clone();
    network::apply_ops(&mut store, reloaded.compact());
    assert_eq!(store.len(), 1);
    let compacted = load_chunks(id, store, &Limits::default()).unwrap();
    assert_eq!(compacted.doc.hydrate(None), relay_doc.doc().hydrate(None));
}

#[test]
fn changes_beyond_the_size_cap_are_refused_for_that_peer_only() {
    let small = Limits {
        max_document_ops: 5,
        ..Limits::default()
    };
    let id = document(9);
    let (writer, relay) = (client_id(0), client_id(1));
    let mut writer_doc = DocSync::new(id, writer.clone(), Limits::default());
    let mut relay_doc = DocSync::new(id, relay.clone(), small);
    let ((), _) = writer_doc
        .change(|tx| {
            for index in 0..10 {
                tx.put(ROOT, format!("k{index}"), index)?;
            }
            Ok(())
        })
        .unwrap();
    let mut frames = writer_doc.sync_with(&relay).send;
    let mut refused = None;
    for _ in 0..10 {
        let mut replies = Vec::new();
        for outgoing in frames.drain(..) {
            match relay_doc.receive(&writer, outgoing.message) {
                Ok(step) => replies.extend(step.send),
                Err(error) => refused = Some(error),
            }
        }
        for outgoing in replies {
            frames.extend(writer_doc.receive(&relay, outgoing.message).unwrap().send);
        }
    }
    assert!(matches!(
        refused,
        Some(dealflow_core::sync::SyncError::DocumentTooLarge { max_ops: 5, .. })
    ));
    assert!(
        relay_doc.is_empty(),
        "nothing of the refused message was applied"
    );
}
