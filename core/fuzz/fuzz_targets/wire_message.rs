//! Any bytes from a peer: decoding a frame and feeding it to a handshake never panics, and
//! whatever decodes re-encodes to a frame that decodes to the same message.
#![no_main]

use dealflow_core::sync::{Connection, PeerId, PeerMetadata, WireMessage};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|frame: &[u8]| {
    if let Ok(message) = WireMessage::decode(frame) {
        let again = WireMessage::decode(&message.encode()).expect("our own frame decodes");
        assert_eq!(again, message);
    }
    let relay = PeerId::new("relay").expect("valid id");
    let _ = Connection::accept(relay, PeerMetadata::default()).on_frame(frame);
});
