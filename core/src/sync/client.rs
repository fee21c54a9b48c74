//! The browser's side of the protocol: one connection to a relay and many documents.
//!
//! [`SyncClient`] is sans-IO like the rest of the module. The wasm layer opens the WebSocket,
//! passes the bytes of every received frame to [`SyncClient::on_frame`], sends the frames of the
//! returned [`ClientStep`] (after executing its storage writes against IndexedDB), and tells the
//! client when the socket opens ([`SyncClient::connect`]) or closes
//! ([`SyncClient::disconnected`]). Reconnecting is a new `join`; every document then starts a
//! fresh Automerge sync state with the relay, which is what the sync protocol expects of a new
//! connection, and only the changes the relay lacks are sent.

use std::collections::BTreeMap;

use automerge::transaction::Transaction;
use automerge::{Automerge, AutomergeError, Change, ChangeHash};

use super::connection::{Connection, ConnectionEvent, Rejection};
use super::doc_sync::{DocSync, EphemeralMessage, Outgoing, PeerDocStatus, Step};
use super::document_id::DocumentId;
use super::error::SyncError;
use super::limits::Limits;
use super::message::{PeerMetadata, WireMessage};
use super::peer_id::{PeerId, SessionId};
use super::storage::{StorageKey, StorageOp};

/// Where a document stands on this client, for the UI.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum DocumentStatus {
    /// Asked for but nothing received yet (also while offline).
    Requesting,
    /// Content is present and editable.
    Ready,
    /// The relay answered `doc-unavailable` (unknown or not shared with this user).
    Unavailable,
}

/// Something the application should react to.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum ClientEvent {
    /// The handshake with the relay completed.
    Connected {
        /// The relay's peer id.
        server: PeerId,
    },
    /// A document's content changed because of a remote change.
    DocumentChanged {
        /// The document.
        document_id: DocumentId,
    },
    /// A document's status changed.
    StatusChanged {
        /// The document.
        document_id: DocumentId,
        /// Its new status.
        status: DocumentStatus,
    },
    /// An ephemeral message arrived for a document.
    Ephemeral {
        /// The document.
        document_id: DocumentId,
        /// The message.
        message: EphemeralMessage,
    },
    /// Changes that the relay sent for a document were refused (corrupt or too large).
    DocumentError {
        /// The document.
        document_id: DocumentId,
        /// Why.
        error: SyncError,
    },
    /// The relay said it will close the connection, or left.
    ConnectionClosed {
        /// The relay's reason, if it gave one.
        reason: Option<String>,
    },
}

/// The effects of one client input: execute `store` durably, in order, then send `send`.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[must_use = "store the writes, then send the frames"]
pub struct ClientStep {
    /// IndexedDB writes, to complete before sending.
    pub store: Vec<StorageOp>,
    /// Frames for the WebSocket.
    pub send: Vec<Vec<u8>>,
    /// What happened.
    pub events: Vec<ClientEvent>,
}

impl ClientStep {
    fn absorb(&mut self, document_id: DocumentId, step: Step) {
        self.store.extend(step.store);
        self.send.extend(step.send.iter().map(Outgoing::encode));
        if step.changed {
            self.events
                .push(ClientEvent::DocumentChanged { document_id });
        }
        for message in step.ephemeral {
            self.events.push(ClientEvent::Ephemeral {
                document_id,
                message,
            });
        }
    }
}

#[derive(Debug)]
struct ClientDoc {
    sync: DocSync,
    status: DocumentStatus,
    /// The heads the relay had acknowledged when the last connection dropped, so the count of
    /// unsynced changes survives going offline (unknown for documents loaded from storage).
    acknowledged: Option<Vec<ChangeHash>>,
}

impl ClientDoc {
    /// The client's step for an edit made in place ([`SyncClient::edit_in_place`]); not generic,
    /// so it is compiled once however many kinds of edit there are.
    fn edited(&mut self, document_id: DocumentId, inner: Step) -> ClientStep {
        let mut step = ClientStep::default();
        if inner.changed && self.status != DocumentStatus::Ready {
            self.status = DocumentStatus::Ready;
            step.events.push(ClientEvent::StatusChanged {
                document_id,
                status: DocumentStatus::Ready,
            });
        }
        step.absorb(document_id, inner);
        compact_if_wanted(&mut self.sync, &mut step);
        step
    }
}

/// A browser's repo: the relay connection plus every open document.
///
/// ```
/// use automerge::{ROOT, transaction::Transactable};
/// use dealflow_core::sync::{DocumentId, DocumentStatus, Limits, PeerId, PeerMetadata, SessionId, SyncClient};
///
/// let mut client = SyncClient::new(
///     PeerId::new("browser-1")?,
///     PeerMetadata::default(),
///     SessionId::new("session-1")?,
///     Limits::default(),
/// );
/// let join = client.connect(); // send when the socket opens
/// assert!(!join.is_empty());
/// let id = DocumentId::from_random_bytes([8; 16]);
/// let ((), step) = client.create(id, |tx| tx.put(ROOT, "title", "Acme"))?;
/// assert!(!step.store.is_empty()); // saved locally, offered to the relay once connected
/// assert_eq!(client.status(id), Some(DocumentStatus::Ready));
/// # Ok::<(), dealflow_core::sync::SyncError>(())
/// ```
#[derive(Debug)]
pub struct SyncClient {
    our_peer: PeerId,
    metadata: PeerMetadata,
    limits: Limits,
    session_id: SessionId,
    ephemeral_count: u64,
    connection: Option<Connection>,
    docs: BTreeMap<DocumentId, ClientDoc>,
}

impl SyncClient {
    /// A client presenting `our_peer`; `session_id` is random per page load (it numbers this
    /// client's ephemeral messages).
    pub fn new(
        our_peer: PeerId,
        metadata: PeerMetadata,
        session_id: SessionId,
        limits: Limits,
    ) -> Self {
        SyncClient {
            our_peer,
            metadata,
            limits,
            session_id,
            ephemeral_count: 0,
            connection: None,
            docs: BTreeMap::new(),
        }
    }

    /// A socket to the relay has opened: returns the `join` frame to send on it. Any previous
    /// connection is forgotten.
    pub fn connect(&mut self) -> Vec<u8> {
        self.drop_server();
        let (connection, join) = Connection::dial(self.our_peer.clone(), self.metadata.clone());
        self.connection = Some(connection.with_limits(self.limits));
        join
    }

    /// The socket closed. Documents keep their content and status; pending edits are sent after
    /// the next [`SyncClient::connect`].
    pub fn disconnected(&mut self) {
        self.drop_server();
        self.connection = None;
    }

    /// A `leave` frame to send before closing the socket deliberately.
    pub fn close(&mut self) -> Option<Vec<u8>> {
        let frame = self.connection.as_ref().map(Connection::leave_frame);
        self.disconnected();
        frame
    }

    /// This client's own peer id.
    pub fn peer_id(&self) -> &PeerId {
        &self.our_peer
    }

    /// The relay's peer id, once connected.
    pub fn server(&self) -> Option<&PeerId> {
        self.connection.as_ref().and_then(Connection::peer)
    }

    /// Handles one frame from the relay. On `Err`, send the rejection's error frame, close the
    /// socket and call [`SyncClient::disconnected`].
    pub fn on_frame(&mut self, frame: &[u8]) -> Result<ClientStep, Rejection> {
        let Some(connection) = self.connection.as_mut() else {
            return Ok(ClientStep::default());
        };
        let event = connection.on_frame(frame)?;
        let mut step = ClientStep::default();
        match event {
            ConnectionEvent::Established { peer, .. } => {
                step.events.push(ClientEvent::Connected {
                    server: peer.clone(),
                });
                let ids: Vec<DocumentId> = self.docs.keys().copied().collect();
                for document_id in ids {
                    self.open_with_server(document_id, &peer, &mut step);
                }
            }
            ConnectionEvent::Document {
                document_id,
                message,
            } => self.on_document(document_id, message, &mut step),
            ConnectionEvent::Leave => {
                step.events
                    .push(ClientEvent::ConnectionClosed { reason: None });
                self.disconnected();
            }
            ConnectionEvent::RemoteError { message } => {
                step.events.push(ClientEvent::ConnectionClosed {
                    reason: Some(message),
                });
                self.disconnected();
            }
            ConnectionEvent::Ignored { .. } => {}
        }
        Ok(step)
    }

    /// Creates a document with initial content (`init` runs in its first transaction), stores
    /// it and offers it to the relay.
    pub fn create<O>(
        &mut self,
        document_id: DocumentId,
        init: impl FnOnce(&mut Transaction<'_>) -> Result<O, AutomergeError>,
    ) -> Result<(O, ClientStep), SyncError> {
        let mut sync = DocSync::new(document_id, self.our_peer.clone(), self.limits);
        let (output, first) = sync.change(init)?;
        self.docs.insert(
            document_id,
            ClientDoc {
                sync,
                status: DocumentStatus::Ready,
                acknowledged: None,
            },
        );
        let mut step = ClientStep::default();
        step.absorb(document_id, first);
        if let Some(server) = self.server().cloned() {
            self.open_with_server(document_id, &server, &mut step);
        }
        Ok((output, step))
    }

    /// Takes in changes made on another local replica of a document (the typed edits of a
    /// [`DealDoc`](crate::DealDoc)): they are stored and sent as [`SyncClient::change`] sends
    /// its own. A document that is not open yet is created from them and offered to the relay.
    pub fn apply_local_changes(
        &mut self,
        document_id: DocumentId,
        changes: Vec<Change>,
    ) -> Result<ClientStep, SyncError> {
        let created = !self.docs.contains_key(&document_id);
        let doc = self.docs.entry(document_id).or_insert_with(|| ClientDoc {
            sync: DocSync::new(document_id, self.our_peer.clone(), self.limits),
            status: DocumentStatus::Requesting,
            acknowledged: None,
        });
        let inner = match doc.sync.apply_local_changes(changes) {
            Ok(inner) => inner,
            Err(error) => {
                if created {
                    self.docs.remove(&document_id);
                }
                return Err(error);
            }
        };
        let became_ready = doc.status != DocumentStatus::Ready && !doc.sync.is_empty();
        if became_ready {
            doc.status = DocumentStatus::Ready;
        }
        let mut step = ClientStep::default();
        step.absorb(document_id, inner);
        compact_if_wanted(&mut doc.sync, &mut step);
        if became_ready && !created {
            step.events.push(ClientEvent::StatusChanged {
                document_id,
                status: DocumentStatus::Ready,
            });
        }
        if created && let Some(server) = self.server().cloned() {
            self.open_with_server(document_id, &server, &mut step);
        }
        Ok(step)
    }

    /// Opens a document from its chunks in IndexedDB (as [`DocSync::load`]) and syncs it with
    /// the relay. A document with no stored content is requested instead. A document whose
    /// chunks call for a compaction (see [`StoredChunks`](super::StoredChunks): e.g. a small
    /// document stored in several chunks) is compacted here: the step's writes replace its
    /// chunks with one snapshot, so that the next load parses one chunk.
    pub fn load(
        &mut self,
        document_id: DocumentId,
        chunks: impl IntoIterator<Item = (StorageKey, Vec<u8>)>,
    ) -> Result<ClientStep, SyncError> {
        let (mut sync, _truncated) =
            DocSync::load(document_id, self.our_peer.clone(), chunks, self.limits)?;
        let mut step = ClientStep::default();
        compact_if_wanted(&mut sync, &mut step);
        let status = if sync.is_empty() {
            DocumentStatus::Requesting
        } else {
            DocumentStatus::Ready
        };
        self.docs.insert(
            document_id,
            ClientDoc {
                sync,
                status,
                acknowledged: None,
            },
        );
        if let Some(server) = self.server().cloned() {
            self.open_with_server(document_id, &server, &mut step);
        }
        Ok(step)
    }

    /// Finds a document: already open documents are returned as they are; otherwise the relay
    /// is asked (now, or as soon as connected) and the status is
    /// [`DocumentStatus::Requesting`].
    pub fn find(&mut self, document_id: DocumentId) -> ClientStep {
        let mut step = ClientStep::default();
        if self.docs.contains_key(&document_id) {
            return step;
        }
        self.docs.insert(
            document_id,
            ClientDoc {
                sync: DocSync::new(document_id, self.our_peer.clone(), self.limits),
                status: DocumentStatus::Requesting,
                acknowledged: None,
            },
        );
        step.events.push(ClientEvent::StatusChanged {
            document_id,
            status: DocumentStatus::Requesting,
        });
        if let Some(server) = self.server().cloned() {
            self.open_with_server(document_id, &server, &mut step);
        }
        step
    }

    /// Closes a document locally (no message to the relay).
    pub fn forget(&mut self, document_id: DocumentId) {
        self.docs.remove(&document_id);
    }

    /// Edits a document in one transaction: stores the change and sends it to the relay.
    pub fn change<O>(
        &mut self,
        document_id: DocumentId,
        change: impl FnOnce(&mut Transaction<'_>) -> Result<O, AutomergeError>,
    ) -> Result<(O, ClientStep), SyncError> {
        let doc = self.doc_mut(document_id)?;
        let (output, inner) = doc.sync.change(change)?;
        let became_ready = doc.status != DocumentStatus::Ready;
        doc.status = DocumentStatus::Ready;
        let mut step = ClientStep::default();
        step.absorb(document_id, inner);
        compact_if_wanted(&mut doc.sync, &mut step);
        if became_ready {
            step.events.push(ClientEvent::StatusChanged {
                document_id,
                status: DocumentStatus::Ready,
            });
        }
        Ok((output, step))
    }

    /// Edits an open document in place ([`DocSync::edit_in_place`]): the browser's typed deal
    /// edits run on this document itself, so the page holds one replica of each deal. Any new
    /// change is stored and sent as [`SyncClient::change`] does.
    pub fn edit_in_place<O>(
        &mut self,
        document_id: DocumentId,
        edit: impl FnOnce(&mut Automerge) -> O,
    ) -> Result<(O, ClientStep), SyncError> {
        let doc = self.doc_mut(document_id)?;
        let (output, inner) = doc.sync.edit_in_place(edit)?;
        Ok((output, doc.edited(document_id, inner)))
    }

    /// Sends an ephemeral message (cursor, presence) about a document to its peers.
    pub fn broadcast(
        &mut self,
        document_id: DocumentId,
        data: Vec<u8>,
    ) -> Result<ClientStep, SyncError> {
        self.ephemeral_count += 1;
        let message = EphemeralMessage {
            sender_id: self.our_peer.clone(),
            session_id: self.session_id.clone(),
            count: self.ephemeral_count,
            data,
        };
        let doc = self.doc_mut(document_id)?;
        let inner = doc.sync.broadcast_ephemeral(&message);
        let mut step = ClientStep::default();
        step.absorb(document_id, inner);
        Ok(step)
    }

    /// The document's status, if it is open.
    pub fn status(&self, document_id: DocumentId) -> Option<DocumentStatus> {
        self.docs.get(&document_id).map(|doc| doc.status)
    }

    /// The document, to read.
    pub fn doc(&self, document_id: DocumentId) -> Option<&Automerge> {
        self.docs.get(&document_id).map(|doc| doc.sync.doc())
    }

    /// The open documents.
    pub fn documents(&self) -> impl Iterator<Item = DocumentId> + '_ {
        self.docs.keys().copied()
    }

    /// Whether the relay has acknowledged every change of the document ("saved" rather than
    /// "syncing…"); false while offline.
    pub fn in_sync(&self, document_id: DocumentId) -> bool {
        match (self.docs.get(&document_id), self.server()) {
            (Some(doc), Some(server)) => doc.sync.in_sync(server),
            _ => false,
        }
    }

    /// How many of the document's changes the relay has not acknowledged, for a "3 changes not
    /// yet synced" indicator. Offline it counts from what the relay had acknowledged when the
    /// connection dropped; `None` when that is unknown (a document loaded from storage and not
    /// synced since) or the document is not open.
    pub fn unsynced_changes(&self, document_id: DocumentId) -> Option<usize> {
        let doc = self.docs.get(&document_id)?;
        let live = self
            .server()
            .and_then(|server| doc.sync.shared_heads(server))
            .filter(|heads| !heads.is_empty());
        match live.as_deref().or(doc.acknowledged.as_deref()) {
            Some(heads) => Some(doc.sync.changes_since(heads)),
            None if self.server().is_some() => Some(doc.sync.changes_since(&[])),
            None => None,
        }
    }

    /// How long to wait before reconnecting after `failed_attempts` consecutive failures, in
    /// milliseconds: 0.5 s doubling to at most 30 s. The caller adds its own jitter.
    pub fn reconnect_delay_ms(failed_attempts: u32) -> u64 {
        const FIRST_MS: u64 = 500;
        const MAX_MS: u64 = 30_000;
        FIRST_MS
            .saturating_mul(1u64 << failed_attempts.min(16))
            .min(MAX_MS)
    }

    fn doc_mut(&mut self, document_id: DocumentId) -> Result<&mut ClientDoc, SyncError> {
        self.docs
            .get_mut(&document_id)
            .ok_or_else(|| SyncError::ProtocolViolation {
                reason: format!("document {document_id} is not open: call find, load or create"),
            })
    }

    fn drop_server(&mut self) {
        if let Some(server) = self.server().cloned() {
            for doc in self.docs.values_mut() {
                if let Some(heads) = doc.sync.shared_heads(&server).filter(|h| !h.is_empty()) {
                    doc.acknowledged = Some(heads);
                }
                doc.sync.remove_peer(&server);
            }
        }
    }

    /// Starts syncing one document with the relay: a fresh sync state, then `sync` for a
    /// document with content or `request` for one we only asked for.
    fn open_with_server(
        &mut self,
        document_id: DocumentId,
        server: &PeerId,
        step: &mut ClientStep,
    ) {
        let Some(doc) = self.docs.get_mut(&document_id) else {
            return;
        };
        doc.sync.remove_peer(server);
        let inner = if doc.sync.is_empty() {
            doc.sync.request_from(server)
        } else {
            doc.sync.sync_with(server)
        };
        step.absorb(document_id, inner);
    }

    fn on_document(
        &mut self,
        document_id: DocumentId,
        message: WireMessage,
        step: &mut ClientStep,
    ) {
        let Some(server) = self.server().cloned() else {
            return;
        };
        let Some(doc) = self.docs.get_mut(&document_id) else {
            // Someone asks us for a document we do not have open: say so, as automerge-repo does.
            if matches!(message, WireMessage::Request { .. }) {
                step.send.push(
                    WireMessage::DocUnavailable {
                        sender_id: self.our_peer.clone(),
                        target_id: server,
                        document_id,
                    }
                    .encode(),
                );
            }
            return;
        };
        match doc.sync.receive(&server, message) {
            Ok(inner) => {
                step.absorb(document_id, inner);
                compact_if_wanted(&mut doc.sync, step);
            }
            Err(error) => step
                .events
                .push(ClientEvent::DocumentError { document_id, error }),
        }
        let status = if !doc.sync.is_empty() {
            DocumentStatus::Ready
        } else if doc.sync.peer_status(&server) == Some(PeerDocStatus::Unavailable) {
            DocumentStatus::Unavailable
        } else {
            doc.status
        };
        if status != doc.status {
            doc.status = status;
            step.events.push(ClientEvent::StatusChanged {
                document_id,
                status,
            });
        }
    }
}

/// Compacts a document whose stored chunks call for it (a small document stored in more than one
/// chunk, see [`StoredChunks`](super::StoredChunks)), adding the writes to `step`: one snapshot,
/// then deletes of the chunks it replaces. A chunk that `step` itself was about to write is
/// neither written nor deleted, so a small document's edit costs one snapshot write.
fn compact_if_wanted(sync: &mut DocSync, step: &mut ClientStep) {
    if !sync.wants_compaction() {
        return;
    }
    for op in sync.compact() {
        match op {
            StorageOp::Delete { key } => {
                let written_here = step.store.iter().position(
                    |earlier| matches!(earlier, StorageOp::Put { key: put, .. } if *put == key),
                );
                match written_here {
                    Some(index) => {
                        step.store.remove(index);
                    }
                    None => step.store.push(StorageOp::Delete { key }),
                }
            }
            put @ StorageOp::Put { .. } => step.store.push(put),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconnect_delay_doubles_and_caps() {
        assert_eq!(SyncClient::reconnect_delay_ms(0), 500);
        assert_eq!(SyncClient::reconnect_delay_ms(1), 1000);
        assert_eq!(SyncClient::reconnect_delay_ms(10), 30_000);
        assert_eq!(SyncClient::reconnect_delay_ms(u32::MAX), 30_000);
    }

    #[test]
    fn frames_before_connect_are_ignored_and_unknown_documents_refused() {
        let mut client = SyncClient::new(
            PeerId::new("b").unwrap(),
            PeerMetadata::default(),
            SessionId::new("s").unwrap(),
            Limits::default(),
        );
        assert_eq!(client.on_frame(b"anything"), Ok(ClientStep::default()));
        let id = DocumentId::from_random_bytes([2; 16]);
        assert!(client.change(id, |_| Ok(())).is_err());
        assert!(client.broadcast(id, vec![1]).is_err());
        assert!(!client.in_sync(id));
        assert_eq!(client.unsynced_changes(id), None);
    }

    fn apply(store: &mut BTreeMap<StorageKey, Vec<u8>>, ops: Vec<StorageOp>) {
        for op in ops {
            match op {
                StorageOp::Put { key, bytes } => {
                    store.insert(key, bytes);
                }
                StorageOp::Delete { key } => {
                    store.remove(&key);
                }
            }
        }
    }

    #[test]
    fn a_small_document_stays_one_snapshot_through_edits_and_loads() {
        use automerge::ROOT;
        use automerge::transaction::Transactable;

        use crate::sync::ChunkKind;

        let client = |name: &str| {
            SyncClient::new(
                PeerId::new(name).unwrap(),
                PeerMetadata::default(),
                SessionId::new("s").unwrap(),
                Limits::default(),
            )
        };
        let mut laptop = client("laptop");
        let id = DocumentId::from_random_bytes([3; 16]);
        let mut store = BTreeMap::new();
        let ((), step) = laptop
            .create(id, |tx| tx.put(ROOT, "title", "华东电网"))
            .unwrap();
        apply(&mut store, step.store);
        for round in 0..3_i64 {
            let ((), step) = laptop
                .change(id, |tx| tx.put(ROOT, "round", round))
                .unwrap();
            // One snapshot written, the previous one deleted; the incremental chunk the save
            // made is neither written nor deleted.
            assert!(
                matches!(step.store.as_slice(), [StorageOp::Put { key, .. }, StorageOp::Delete { .. }] if key.chunk_kind() == Some(ChunkKind::Snapshot)),
                "{:?}",
                step.store
            );
            apply(&mut store, step.store);
            assert_eq!(store.len(), 1);
        }

        // Chunks written by an older client (a snapshot and an incremental chunk) are compacted
        // by the load that reads them.
        let mut older = crate::sync::StoredChunks::new();
        let mut doc = laptop.doc(id).unwrap().clone();
        let mut old_store = BTreeMap::new();
        apply(&mut old_store, older.save(id, &doc));
        let mut tx = doc.transaction();
        tx.put(ROOT, "stage", "demo").unwrap();
        tx.commit();
        apply(&mut old_store, older.save(id, &doc));
        assert_eq!(old_store.len(), 2);
        let mut reloaded = client("laptop");
        let step = reloaded.load(id, old_store.clone()).unwrap();
        apply(&mut old_store, step.store);
        assert_eq!(old_store.len(), 1, "one snapshot after the load");
        assert_eq!(reloaded.doc(id).unwrap().get_heads(), doc.get_heads());
        let mut again = client("laptop");
        assert!(again.load(id, old_store).unwrap().store.is_empty());
    }
}
