//! The automerge-repo sync protocol, sans-IO.
mod connection;
mod doc_sync;
mod document_id;
mod error;
mod limits;
mod message;
mod peer_id;
mod storage;

pub use connection::{Connection, ConnectionEvent, Rejection};
pub use doc_sync::{DocSync, EphemeralMessage, Outgoing, PeerAccess, PeerDocStatus, Step};
pub use document_id::{AutomergeUrl, DOCUMENT_ID_LEN, DocumentId, URL_PREFIX};
pub use error::SyncError;
pub use limits::{Limits, MAX_FRAME_BYTES};
pub use message::{PROTOCOL_VERSION, PeerMetadata, RemoteHeads, WireMessage};
pub use peer_id::{MAX_PEER_ID_LEN, PeerId, SessionId, StorageId};
pub use storage::{ChunkKind, LoadedDocument, StorageKey, StorageOp, StoredChunks, load_chunks};
