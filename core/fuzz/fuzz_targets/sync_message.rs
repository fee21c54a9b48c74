//! Any `data` in a sync message from a peer: a document either applies it or returns an error,
//! never panics, and a refused message leaves the document unchanged.
#![no_main]

use automerge::ROOT;
use automerge::transaction::Transactable;
use dealflow_core::sync::{DocSync, DocumentId, Limits, PeerId, WireMessage};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let id = DocumentId::from_random_bytes([1; 16]);
    let (relay, peer) = (
        PeerId::new("relay").expect("valid id"),
        PeerId::new("peer").expect("valid id"),
    );
    let mut doc = DocSync::new(id, relay.clone(), Limits::default());
    let ((), _) = doc
        .change(|tx| tx.put(ROOT, "title", "Acme"))
        .expect("local change");
    let heads = doc.heads();
    let message = WireMessage::Sync {
        sender_id: peer.clone(),
        target_id: relay,
        document_id: id,
        data: data.to_vec(),
    };
    if doc.receive(&peer, message).is_err() {
        assert_eq!(doc.heads(), heads);
    }
});
