//! The relay's fan-out: the changes of a batch go to every peer that was in sync before them as
//! one shared sync message, and every peer converges, whether it was in sync, lagging or the
//! author (see `support/network.rs`, in batched mode as the server's document actors run).

#[path = "support/network.rs"]
mod network;

use automerge::transaction::Transactable;
use automerge::{ROOT, ReadDoc};
use dealflow_core::sync::DocumentId;
use network::{Network, stored_heads};

const N_CLIENTS: usize = 6;

fn document(seed: u8) -> DocumentId {
    DocumentId::from_random_bytes([seed; 16])
}

fn edit(network: &mut Network, index: usize, id: DocumentId, key: &str, value: &str) {
    let ((), step) = network
        .client(index)
        .change(id, |tx| tx.put(ROOT, key, value))
        .unwrap();
    network.client_step(index, step);
}

/// A batched network of `N_CLIENTS` clients that all have document `id` open and in sync.
fn opened(id: DocumentId) -> Network {
    let mut network = Network::new(N_CLIENTS);
    network.batched = true;
    network.run_until_quiet();
    let ((), step) = network
        .client(0)
        .create(id, |tx| {
            tx.put(ROOT, "type", "deal")?;
            tx.put(ROOT, "title", "华东电网")
        })
        .unwrap();
    network.client_step(0, step);
    network.run_until_quiet();
    for index in 1..N_CLIENTS {
        let step = network.client(index).find(id);
        network.client_step(index, step);
    }
    network.run_until_quiet();
    // A few edits so that one change is well under a third of the document (beyond that,
    // Automerge sends the whole document instead, peer by peer).
    for round in 0..4 {
        edit(&mut network, 0, id, "warm-up", &round.to_string());
        network.run_until_quiet();
    }
    assert_converged(&network, id);
    network
}

fn assert_converged(network: &Network, id: DocumentId) {
    let relay = network.relay.docs.get(&id).expect("relay has the document");
    assert_eq!(stored_heads(&network.relay.store, id), relay.heads());
    for (index, node) in network.clients.iter().enumerate() {
        let doc = node.client.doc(id).expect("client has it open");
        assert_eq!(doc.get_heads(), relay.heads(), "client {index} heads");
        assert_eq!(
            doc.hydrate(None),
            relay.doc().hydrate(None),
            "client {index} content"
        );
        assert!(node.client.in_sync(id), "client {index} in sync");
    }
}

#[test]
fn one_edit_reaches_every_peer_in_sync_through_one_shared_message() {
    let id = document(40);
    let mut network = opened(id);
    let (shared_before, sends_before) = (network.relay.shared_sends, network.relay.sync_sends);
    edit(&mut network, 2, id, "stage", "demo");
    network.run_until_quiet();
    assert_converged(&network, id);
    // The five other peers were in sync: each got the shared message. The author got its
    // reply, and every acknowledgement was answered with silence.
    assert_eq!(network.relay.shared_sends - shared_before, N_CLIENTS - 1);
    assert_eq!(network.relay.sync_sends - sends_before, N_CLIENTS);
}

#[test]
fn a_burst_of_concurrent_edits_converges_through_the_fan_out() {
    let id = document(41);
    let mut network = opened(id);
    let shared_before = network.relay.shared_sends;
    // Every client edits three times before anything is delivered: the relay takes all of it
    // in one batch, with three concurrent branches per field.
    for round in 0..3 {
        for index in 0..N_CLIENTS {
            edit(
                &mut network,
                index,
                id,
                &format!("field-{}", index % 3),
                &format!("{index}/{round}"),
            );
        }
    }
    network.run_until_quiet();
    assert_converged(&network, id);
    // Then bursts of one edit from half the clients at a time, batch after batch.
    for round in 0..5 {
        for index in (round % 2..N_CLIENTS).step_by(2) {
            edit(
                &mut network,
                index,
                id,
                "stage",
                &format!("{index}/{round}"),
            );
        }
        network.run_until_quiet();
        assert_converged(&network, id);
    }
    assert!(
        network.relay.shared_sends > shared_before,
        "the bursts went through the shared fan-out"
    );
    let relay = network.relay.docs[&id].doc();
    for index in 0..3 {
        assert!(relay.get(ROOT, format!("field-{index}")).unwrap().is_some());
    }
}

#[test]
fn a_lagging_peer_falls_back_to_its_own_message_and_converges() {
    let id = document(42);
    let mut network = opened(id);
    // Client 5's link stalls: it neither receives nor acknowledges while others edit.
    network.held.insert(5);
    edit(&mut network, 0, id, "stage", "demo");
    network.run_until_quiet();
    let shared_before = network.relay.shared_sends;
    edit(&mut network, 1, id, "stage", "proposal");
    edit(&mut network, 1, id, "amount", "120000");
    network.run_until_quiet();
    // Clients 0, 2, 3 and 4 were at the previous heads; client 5 is still at older ones and
    // gets a message generated for it instead.
    assert_eq!(network.relay.shared_sends - shared_before, N_CLIENTS - 2);
    assert_ne!(
        network.clients[5].client.doc(id).unwrap().get_heads(),
        network.relay.docs[&id].heads()
    );
    // Client 5 edits on its side too, then its link recovers.
    edit(&mut network, 5, id, "owner", "王伟");
    network.held.clear();
    network.run_until_quiet();
    assert_converged(&network, id);
    let relay = network.relay.docs[&id].doc();
    assert!(relay.get(ROOT, "owner").unwrap().is_some());
    // Once caught up, it is back on the shared path.
    let shared_before = network.relay.shared_sends;
    edit(&mut network, 3, id, "stage", "won");
    network.run_until_quiet();
    assert_converged(&network, id);
    assert_eq!(network.relay.shared_sends - shared_before, N_CLIENTS - 1);
}
