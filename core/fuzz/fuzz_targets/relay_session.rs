//! A whole connection as the relay handles it: a handshake, then any sequence of frames, each
//! decoded by `Connection` and routed to the document's `DocSync`, from a read-write and a
//! read-only peer in turn. Nothing panics; a refused message leaves the document unchanged, and
//! a read-only peer never changes it at all.
//!
//! The input is split into frames, each a little-endian `u16` length and that many bytes.
//! `corpus/relay_session` is seeded with the frames the official JS client sent in
//! `core/tests/fixtures/sync/`.
#![no_main]

use automerge::ROOT;
use automerge::transaction::Transactable;
use dealflow_core::sync::{
    Connection, ConnectionEvent, DocSync, DocumentId, Limits, PeerAccess, PeerId, PeerMetadata,
    SessionId, SyncClient,
};
use libfuzzer_sys::fuzz_target;

fn frames(mut data: &[u8]) -> impl Iterator<Item = &[u8]> {
    std::iter::from_fn(move || {
        let (length, rest) = data.split_first_chunk::<2>()?;
        let length = usize::from(u16::from_le_bytes(*length)).min(rest.len());
        let (frame, rest) = rest.split_at(length);
        data = rest;
        Some(frame)
    })
}

fuzz_target!(|data: &[u8]| {
    let relay = PeerId::new("relay").expect("valid id");
    let id = DocumentId::from_random_bytes([1; 16]);
    let mut connection = Connection::accept(relay.clone(), PeerMetadata::default());
    let join = SyncClient::new(
        PeerId::new("browser").expect("valid id"),
        PeerMetadata::default(),
        SessionId::new("session").expect("valid id"),
        Limits::default(),
    )
    .connect();
    let Ok(ConnectionEvent::Established { .. }) = connection.on_frame(&join) else {
        panic!("our own join is accepted");
    };
    let mut doc = DocSync::new(id, relay, Limits::default());
    let ((), _) = doc
        .change(|tx| tx.put(ROOT, "title", "Acme"))
        .expect("local change");
    let (writer, reader) = (
        PeerId::new("writer").expect("valid id"),
        PeerId::new("reader").expect("valid id"),
    );
    doc.add_peer(writer.clone(), PeerAccess::ReadWrite);
    doc.add_peer(reader.clone(), PeerAccess::ReadOnly);
    for (index, frame) in frames(data).enumerate() {
        let event = match connection.on_frame(frame) {
            Ok(event) => event,
            // The relay closes the connection on the first refused frame.
            Err(_) => break,
        };
        // Every document message goes to the one document: the relay routes by id, and each
        // document handles its messages alike.
        let ConnectionEvent::Document { message, .. } = event else {
            continue;
        };
        let from = if index % 2 == 0 { &writer } else { &reader };
        let heads = doc.heads();
        match doc.receive(from, message) {
            Err(_) => assert_eq!(doc.heads(), heads, "a refused message changed the document"),
            Ok(_) if from == &reader => {
                assert_eq!(doc.heads(), heads, "a read-only peer changed the document")
            }
            Ok(_) => {}
        }
    }
});
