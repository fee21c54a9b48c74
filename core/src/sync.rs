//! The automerge-repo sync protocol, sans-IO: the one implementation that the browser (through
//! the wasm binding) and the relay (axum) both drive.
//!
//! It speaks the automerge-repo WebSocket protocol, so the official JS client
//! (`@automerge/automerge-repo` with `@automerge/automerge-repo-network-websocket`) can talk to
//! our relay and our client to the official JS sync server. Nothing here does I/O: events go in
//! (a received frame, a local edit, a socket closing), effects come out (frames to send, storage
//! writes). Protocol notes live in `core/docs/sync.md`.
//!
//! ## Pieces
//!
//! - [`WireMessage`]: the CBOR frames (`join`, `peer`, `request`, `sync`, `doc-unavailable`,
//!   `ephemeral`, `error`, `leave`, heads gossip), decoded tolerantly within [`Limits`].
//! - [`Connection`]: the handshake of one WebSocket, for the dialling and the accepting role.
//! - [`DocSync`]: one document on one node and its [`automerge::sync::State`] per peer; every
//!   input yields a [`Step`].
//! - [`StorageKey`], [`StorageOp`], [`load_chunks`]: automerge-repo's chunk layout, incremental
//!   saves and compaction.
//! - [`SyncClient`]: the browser's repo (one relay connection, many documents).
//!
//! ## The rule every driver follows
//!
//! Execute a step's `store` writes durably and in order **before** sending its messages. A
//! change is then persisted before it is acknowledged or forwarded.
//!
//! ## A relay's loop
//!
//! ```
//! use automerge::{ROOT, transaction::Transactable};
//! use dealflow_core::sync::*;
//!
//! let relay_id = PeerId::new("relay")?;
//! let mut relay_connection = Connection::accept(relay_id.clone(), PeerMetadata::default());
//! let mut client = SyncClient::new(
//!     PeerId::new("browser")?, PeerMetadata::default(), SessionId::new("s")?, Limits::default(),
//! );
//! let document_id = DocumentId::from_random_bytes([4; 16]);
//! let mut relay_doc = DocSync::new(document_id, relay_id, Limits::default());
//!
//! let mut to_relay = vec![client.connect()];
//! let ((), created) = client.create(document_id, |tx| tx.put(ROOT, "title", "Acme"))?;
//! to_relay.extend(created.send);
//! while !to_relay.is_empty() {
//!     let mut to_client = Vec::new();
//!     for frame in to_relay.drain(..) {
//!         match relay_connection.on_frame(&frame).map_err(SyncError::from)? {
//!             ConnectionEvent::Established { reply: Some(reply), .. } => to_client.push(reply),
//!             ConnectionEvent::Document { message, .. } => {
//!                 let peer = relay_connection.peer().cloned().expect("established");
//!                 // The relay checks access here, then persists before it sends.
//!                 let step = relay_doc.receive(&peer, message)?;
//!                 let _durable = step.store;
//!                 to_client.extend(step.send.iter().map(Outgoing::encode));
//!             }
//!             _ => {}
//!         }
//!     }
//!     for frame in to_client {
//!         to_relay.extend(client.on_frame(&frame).map_err(SyncError::from)?.send);
//!     }
//! }
//! assert_eq!(relay_doc.heads(), client.doc(document_id).expect("open").get_heads());
//! assert!(client.in_sync(document_id));
//! # Ok::<(), dealflow_core::sync::SyncError>(())
//! ```

mod chunk;
mod client;
mod connection;
mod doc_sync;
mod document_id;
mod error;
mod fan_out;
mod in_step;
mod limits;
mod message;
mod notice;
mod peer_id;
mod presence;
mod storage;

pub use client::{ClientEvent, ClientStep, DocumentStatus, SyncClient};
pub use connection::{Connection, ConnectionEvent, Rejection};
pub use doc_sync::{DocSync, EphemeralMessage, Outgoing, PeerAccess, PeerDocStatus, Step};
pub use document_id::{AutomergeUrl, DOCUMENT_ID_LEN, DocumentId, URL_PREFIX};
pub use error::SyncError;
pub use limits::{Limits, MAX_FRAME_BYTES};
pub use message::{PROTOCOL_VERSION, PeerMetadata, RemoteHeads, WireMessage};
pub use notice::{REJECTED_NOTICE_TYPE, RejectionNotice};
pub use peer_id::{MAX_PEER_ID_LEN, PeerId, SessionId, StorageId};
pub use presence::{PRESENCE_TYPE, Presence, PresenceActivity};
pub use storage::{ChunkKind, LoadedDocument, StorageKey, StorageOp, StoredChunks, load_chunks};
