//! One document on one node, synced with the peers that asked for it.
//!
//! [`DocSync`] owns the [`Automerge`] document, one [`sync::State`] per peer and the record of
//! what is stored. Every input (a peer's message, a local change, a peer joining or leaving)
//! returns a [`Step`]: storage writes and messages to send.
//!
//! **Contract: complete `step.store` durably, in order, before sending any of `step.send`.** A
//! change is then on disk before any peer sees it acknowledged or forwarded, so a crash can
//! lose nothing a peer believes we hold.
//!
//! A relay takes several messages in one batch ([`DocSync::receive_in_batch`], then
//! [`DocSync::finish_batch`]): the changes are applied and their writes returned message by
//! message, and the replies and the fan-out of every new change are generated once at the end.
//! Every peer that was in sync before the batch gets the same message, encoded once (see
//! `fan_out`); the others get a message generated for them by Automerge.

use std::collections::{BTreeMap, HashMap, VecDeque};

use automerge::sync::{self, SyncDoc};
use automerge::transaction::{CommitOptions, Transactable, Transaction};
use automerge::{Automerge, AutomergeError, Change, ChangeHash, ReadDoc};

use super::chunk::{DOCUMENT_CHUNK, check_inflated_size, read_leb128, split_frames};
use super::document_id::DocumentId;
use super::error::SyncError;
use super::fan_out::{FanOut, stays_silent};
use super::in_step::{self, Reply};
use super::limits::Limits;
use super::message::WireMessage;
use super::peer_id::{PeerId, SessionId};
use super::storage::{StorageKey, StorageOp, StoredChunks, load_chunks};

/// What a peer may do with a document.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum PeerAccess {
    /// The peer's changes are applied.
    #[default]
    ReadWrite,
    /// The peer receives updates but its changes are dropped (and counted in
    /// [`Step::dropped_changes`]).
    ReadOnly,
}

/// What we know about a peer's copy of the document, as automerge-repo tracks it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum PeerDocStatus {
    /// Nothing heard yet.
    Unknown,
    /// The peer has (some of) the document: it sent non-empty heads or we sent it content.
    Has,
    /// The peer asked for the document with `request`.
    Wants,
    /// The peer said `doc-unavailable`, or we told it so.
    Unavailable,
}

/// A message for the driver to send to one peer.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Outgoing {
    /// The connection to send on.
    pub peer: PeerId,
    /// The frame, addressed to `peer`.
    pub message: WireMessage,
}

impl Outgoing {
    /// The frame's bytes.
    pub fn encode(&self) -> Vec<u8> {
        self.message.encode()
    }
}

/// An ephemeral message delivered to this node (never stored).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct EphemeralMessage {
    /// The peer that created it.
    pub sender_id: PeerId,
    /// Its sender's session.
    pub session_id: SessionId,
    /// Its sequence number in the session.
    pub count: u64,
    /// The application bytes.
    pub data: Vec<u8>,
}

/// The effects of one input. Execute `store` (in order, durably) before `send`.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[must_use = "store the writes, then send the messages"]
pub struct Step {
    /// Storage writes, to complete before any message is sent.
    pub store: Vec<StorageOp>,
    /// Messages to send once `store` is durable.
    pub send: Vec<Outgoing>,
    /// Whether the document's content changed (new heads).
    pub changed: bool,
    /// Ephemeral messages for the local application.
    pub ephemeral: Vec<EphemeralMessage>,
    /// Change chunks dropped because their sender is read-only, for the server to log or report.
    pub dropped_changes: usize,
    /// How many of the `send` messages carry a sync message shared with other peers (encoded
    /// once for all the peers that were in sync before the changes), for metrics.
    pub shared_sends: usize,
}

impl Step {
    /// Appends another step's effects after this one's.
    pub fn merge(&mut self, other: Step) {
        self.store.extend(other.store);
        self.send.extend(other.send);
        self.changed |= other.changed;
        self.ephemeral.extend(other.ephemeral);
        self.dropped_changes += other.dropped_changes;
        self.shared_sends += other.shared_sends;
    }
}

#[derive(Debug)]
struct PeerState {
    sync: sync::State,
    access: PeerAccess,
    status: PeerDocStatus,
    /// It sent a sync message in the open batch: it gets a reply when the batch finishes.
    awaits_reply: bool,
    /// Its last message in the open batch brought changes into the document.
    changed_doc: bool,
}

impl PeerState {
    fn new(access: PeerAccess) -> Self {
        let sync = match access {
            PeerAccess::ReadWrite => sync::State::new(),
            PeerAccess::ReadOnly => sync::State::new_read_only(),
        };
        PeerState {
            sync,
            access,
            status: PeerDocStatus::Unknown,
            awaits_reply: false,
            changed_doc: false,
        }
    }
}

/// One document on one node (browser or relay) and its sync with the peers of that document.
///
/// A relay never announces documents: it only answers peers that sent a `request` or `sync` for
/// this document (they become its peers) and fans changes out to them.
///
/// ```
/// use automerge::{ROOT, transaction::Transactable};
/// use dealflow_core::sync::{DocSync, DocumentId, Limits, PeerId, WireMessage};
///
/// let id = DocumentId::from_random_bytes([1; 16]);
/// let mut browser = DocSync::new(id, PeerId::new("browser")?, Limits::default());
/// let mut relay = DocSync::new(id, PeerId::new("relay")?, Limits::default());
/// let (browser_id, relay_id) = (PeerId::new("browser")?, PeerId::new("relay")?);
///
/// let ((), step) = browser.change(|tx| tx.put(ROOT, "stage", "demo"))?;
/// assert!(!step.store.is_empty()); // persist first ...
/// let mut to_relay = browser.sync_with(&relay_id).send;
/// // ... then run the exchange until nobody has anything to say.
/// while !to_relay.is_empty() {
///     let mut to_browser = Vec::new();
///     for out in to_relay.drain(..) {
///         let frame = WireMessage::decode(&out.encode())?;
///         to_browser.extend(relay.receive(&browser_id, frame)?.send);
///     }
///     for out in to_browser {
///         to_relay.extend(browser.receive(&relay_id, WireMessage::decode(&out.encode())?)?.send);
///     }
/// }
/// assert_eq!(relay.heads(), browser.heads());
/// assert!(browser.in_sync(&relay_id));
/// # Ok::<(), dealflow_core::sync::SyncError>(())
/// ```
#[derive(Debug)]
pub struct DocSync {
    document_id: DocumentId,
    our_peer: PeerId,
    doc: Automerge,
    peers: BTreeMap<PeerId, PeerState>,
    stored: StoredChunks,
    limits: Limits,
    ephemeral_seen: EphemeralSeen,
    /// The heads before the first change of the open batch (`None`: no change since the last
    /// fan-out).
    batch_base: Option<Vec<ChangeHash>>,
}

impl DocSync {
    /// A node's copy of a document it has nothing of yet (to create it, or to receive it).
    pub fn new(document_id: DocumentId, our_peer: PeerId, limits: Limits) -> Self {
        DocSync {
            document_id,
            our_peer,
            doc: Automerge::new(),
            peers: BTreeMap::new(),
            stored: StoredChunks::new(),
            limits,
            ephemeral_seen: EphemeralSeen::new(limits.max_ephemeral_sessions),
            batch_base: None,
        }
    }

    /// A document loaded from its stored chunks (see [`load_chunks`]); also returns the keys of
    /// chunks whose truncated tail was skipped.
    pub fn load(
        document_id: DocumentId,
        our_peer: PeerId,
        chunks: impl IntoIterator<Item = (StorageKey, Vec<u8>)>,
        limits: Limits,
    ) -> Result<(Self, Vec<StorageKey>), SyncError> {
        let loaded = load_chunks(document_id, chunks, &limits)?;
        let mut doc_sync = DocSync::new(document_id, our_peer, limits);
        doc_sync.doc = loaded.doc;
        doc_sync.stored = loaded.chunks;
        Ok((doc_sync, loaded.truncated))
    }

    /// The document's id.
    pub fn document_id(&self) -> DocumentId {
        self.document_id
    }

    /// The document, to read.
    pub fn doc(&self) -> &Automerge {
        &self.doc
    }

    /// The document's current heads.
    pub fn heads(&self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// Whether the document has no changes at all (nothing to offer a `request`).
    pub fn is_empty(&self) -> bool {
        self.doc.get_heads().is_empty()
    }

    /// The peers of this document.
    pub fn peers(&self) -> impl Iterator<Item = &PeerId> {
        self.peers.keys()
    }

    /// Registers a peer of this document (or changes its access) without sending anything.
    /// A peer that sends `request` or `sync` first is registered as [`PeerAccess::ReadWrite`]:
    /// a server must call this with [`PeerAccess::ReadOnly`] before routing a read-only peer's
    /// messages here.
    pub fn add_peer(&mut self, peer: PeerId, access: PeerAccess) {
        let state = self
            .peers
            .entry(peer)
            .or_insert_with(|| PeerState::new(access));
        if state.access != access {
            state.sync.set_read_only(access == PeerAccess::ReadOnly);
            state.access = access;
        }
    }

    /// Forgets a peer (it disconnected). Reconnecting starts from a fresh sync state, as
    /// Automerge's sync protocol expects for a new connection.
    pub fn remove_peer(&mut self, peer: &PeerId) {
        self.peers.remove(peer);
    }

    /// What we know about the peer's copy of the document.
    pub fn peer_status(&self, peer: &PeerId) -> Option<PeerDocStatus> {
        self.peers.get(peer).map(|state| state.status)
    }

    /// Whether the peer has every change we have (its acknowledged heads equal ours).
    pub fn in_sync(&self, peer: &PeerId) -> bool {
        self.peers
            .get(peer)
            .is_some_and(|state| state.sync.shared_heads == self.doc.get_heads())
    }

    /// How many of our changes the peer has not acknowledged yet (`None` for an unknown peer),
    /// for a "syncing…" indicator.
    pub fn unsynced_changes(&self, peer: &PeerId) -> Option<usize> {
        let state = self.peers.get(peer)?;
        Some(self.doc.get_changes(&state.sync.shared_heads).len())
    }

    /// The heads the peer and we are known to share (empty before the first exchange), or
    /// `None` for an unknown peer.
    pub fn shared_heads(&self, peer: &PeerId) -> Option<Vec<ChangeHash>> {
        self.peers
            .get(peer)
            .map(|state| state.sync.shared_heads.clone())
    }

    /// How many changes of the document are not among `heads` and their ancestors.
    pub fn changes_since(&self, heads: &[ChangeHash]) -> usize {
        self.doc.get_changes(heads).len()
    }

    /// Offers the document to a peer (a client opening or creating a document on a server): a
    /// `sync` message if there is anything to say. Registers an unknown peer read-write; a peer
    /// added with [`DocSync::add_peer`] keeps its access.
    pub fn sync_with(&mut self, peer: &PeerId) -> Step {
        self.add_peer_if_new(peer);
        let mut step = Step::default();
        self.generate_for(peer, false, &mut step);
        step
    }

    /// Asks a peer for the document: a `request` while we have nothing of it, otherwise a
    /// normal `sync`.
    pub fn request_from(&mut self, peer: &PeerId) -> Step {
        self.add_peer_if_new(peer);
        let mut step = Step::default();
        let as_request = self.is_empty();
        self.generate_for(peer, as_request, &mut step);
        step
    }

    /// Handles a document message (`request`, `sync`, `doc-unavailable`, `ephemeral`) received
    /// from `from`, the peer of the connection it arrived on: applies it, then replies and fans
    /// any new changes out to the other peers ([`DocSync::receive_in_batch`] followed by
    /// [`DocSync::finish_batch`]).
    ///
    /// An invalid sync message, changes that fail to apply, or changes that would exceed
    /// [`Limits::max_document_ops`] return an error and leave the document, the peer's sync
    /// state and every other peer untouched.
    pub fn receive(&mut self, from: &PeerId, message: WireMessage) -> Result<Step, SyncError> {
        let mut step = self.receive_in_batch(from, message)?;
        step.merge(self.finish_batch());
        Ok(step)
    }

    /// Like [`DocSync::receive`], but leaves the sync replies and the fan-out of new changes
    /// to [`DocSync::finish_batch`], so that a relay handling several queued messages of a
    /// document generates them once for all. The step carries the writes of the changes
    /// applied (persist them before sending anything of the batch), `doc-unavailable`
    /// answers, forwarded ephemeral messages and dropped-change counts.
    ///
    /// On an error the batch stays open with what was applied before; the document, the
    /// peer's sync state and every other peer are untouched by the refused message.
    pub fn receive_in_batch(
        &mut self,
        from: &PeerId,
        message: WireMessage,
    ) -> Result<Step, SyncError> {
        if let Some(document_id) = message.document_id()
            && document_id != self.document_id
        {
            return Err(SyncError::WrongDocument {
                expected: self.document_id.to_string(),
                found: document_id.to_string(),
            });
        }
        match message {
            WireMessage::Request { data, .. } => self.receive_sync(from, &data, true),
            WireMessage::Sync { data, .. } => self.receive_sync(from, &data, false),
            WireMessage::DocUnavailable { .. } => {
                if let Some(state) = self.peers.get_mut(from) {
                    state.status = PeerDocStatus::Unavailable;
                }
                Ok(Step::default())
            }
            WireMessage::Ephemeral {
                sender_id,
                session_id,
                count,
                data,
                ..
            } => Ok(self.receive_ephemeral(
                from,
                EphemeralMessage {
                    sender_id,
                    session_id,
                    count,
                    data,
                },
            )),
            other => Err(SyncError::ProtocolViolation {
                reason: format!("{} is not a document message", other.type_name()),
            }),
        }
    }

    /// Changes the document locally (the browser's edits, the server's arbitration results) in
    /// one transaction, then persists and offers the change to every peer.
    ///
    /// If `change` fails the transaction is rolled back and nothing is stored or sent.
    pub fn change<O>(
        &mut self,
        change: impl FnOnce(&mut Transaction<'_>) -> Result<O, AutomergeError>,
    ) -> Result<(O, Step), SyncError> {
        self.change_with(CommitOptions::default(), change)
    }

    /// Like [`DocSync::change`], committing with `options` (a message naming the author, a
    /// time), as a relay does when it writes a decision into a document.
    pub fn change_with<O>(
        &mut self,
        options: CommitOptions,
        change: impl FnOnce(&mut Transaction<'_>) -> Result<O, AutomergeError>,
    ) -> Result<(O, Step), SyncError> {
        let current_ops = self.doc.stats().num_ops;
        let max_ops = self.limits.max_document_ops;
        let document_id = self.document_id;
        let before = self.doc.get_heads();
        let mut transaction = self.doc.transaction();
        let output = match change(&mut transaction) {
            Ok(output) => output,
            Err(error) => {
                transaction.rollback();
                return Err(SyncError::LocalChange {
                    document_id: document_id.to_string(),
                    reason: error.to_string(),
                });
            }
        };
        let ops = current_ops.saturating_add(transaction.pending_ops() as u64);
        if ops > max_ops {
            transaction.rollback();
            return Err(SyncError::DocumentTooLarge {
                document_id: document_id.to_string(),
                ops,
                max_ops,
            });
        }
        transaction.commit_with(options);
        let mut step = self.record_change(before);
        step.merge(self.finish_batch());
        Ok((output, step))
    }

    /// Takes in changes made on another local replica of this document (the browser's typed
    /// deal edits, made on a [`DealDoc`](crate::DealDoc)), then persists and offers them to
    /// every peer as [`DocSync::change`] does. Changes already held are skipped; changes that
    /// would take the document past [`Limits::max_document_ops`] are refused whole.
    pub fn apply_local_changes(&mut self, changes: Vec<Change>) -> Result<Step, SyncError> {
        let document_id = self.document_id;
        let new_ops = changes
            .iter()
            .filter(|change| self.doc.get_change_meta_by_hash(&change.hash()).is_none())
            .fold(0_u64, |ops, change| ops.saturating_add(change.len() as u64));
        let ops = self.doc.stats().num_ops.saturating_add(new_ops);
        if ops > self.limits.max_document_ops {
            return Err(SyncError::DocumentTooLarge {
                document_id: document_id.to_string(),
                ops,
                max_ops: self.limits.max_document_ops,
            });
        }
        let before = self.doc.get_heads();
        self.doc
            .apply_changes(changes)
            .map_err(|error| SyncError::LocalChange {
                document_id: document_id.to_string(),
                reason: error.to_string(),
            })?;
        let mut step = self.record_change(before);
        step.merge(self.finish_batch());
        Ok(step)
    }

    /// Edits the document in place (the browser's typed deal edits, made directly on this
    /// document so that a deal exists once in memory), then persists and offers any new change
    /// to every peer as [`DocSync::change`] does. `edit` must commit or roll back what it
    /// writes. A document already past [`Limits::max_document_ops`] takes no further edits.
    pub fn edit_in_place<O>(
        &mut self,
        edit: impl FnOnce(&mut Automerge) -> O,
    ) -> Result<(O, Step), SyncError> {
        // Generic over the edit, so kept to three calls: the work before and after the edit is
        // compiled once, not once per edit (the browser binding has dozens).
        let before = self.begin_edit()?;
        let output = edit(&mut self.doc);
        Ok((output, self.end_edit(before)))
    }

    /// Checks that the document takes edits; the heads before the edit.
    fn begin_edit(&self) -> Result<Vec<ChangeHash>, SyncError> {
        let ops = self.doc.stats().num_ops;
        if ops > self.limits.max_document_ops {
            return Err(SyncError::DocumentTooLarge {
                document_id: self.document_id.to_string(),
                ops,
                max_ops: self.limits.max_document_ops,
            });
        }
        Ok(self.doc.get_heads())
    }

    /// Persists and offers the change an edit made, if it made one.
    fn end_edit(&mut self, before: Vec<ChangeHash>) -> Step {
        let mut step = Step::default();
        if self.doc.get_heads() != before {
            step = self.record_change(before);
            step.merge(self.finish_batch());
        }
        step
    }

    /// Sends an ephemeral message of ours to every peer of the document. The caller numbers it
    /// (`count` increasing within its `session_id`), as automerge-repo's network layer does.
    pub fn broadcast_ephemeral(&mut self, message: &EphemeralMessage) -> Step {
        self.ephemeral_seen
            .accept(&message.sender_id, &message.session_id, message.count);
        let mut step = Step::default();
        for peer in self.peers.keys() {
            step.send.push(self.ephemeral_to(peer, message));
        }
        step
    }

    /// The writes that persist any changes not yet saved (normally every step already carries
    /// them; useful after [`DocSync::load`] of a document built elsewhere).
    pub fn save(&mut self) -> Vec<StorageOp> {
        self.stored.save(self.document_id, &self.doc)
    }

    /// Rewrites the document as one snapshot and deletes the other chunks (`Put` first).
    pub fn compact(&mut self) -> Vec<StorageOp> {
        self.stored.compact(self.document_id, &self.doc)
    }

    /// Leaves compaction to the caller: steps then carry only incremental saves, and
    /// [`DocSync::wants_compaction`] says when to run [`DocSync::compact`] (a relay does it when
    /// the document is idle, keeping whole-document saves off the path of incoming changes).
    pub fn set_manual_compaction(&mut self, manual: bool) {
        self.stored.set_manual_compaction(manual);
    }

    /// Whether the stored chunks call for a compaction (see [`StoredChunks`]).
    pub fn wants_compaction(&self) -> bool {
        self.stored.wants_compaction()
    }

    fn receive_sync(
        &mut self,
        from: &PeerId,
        data: &[u8],
        is_request: bool,
    ) -> Result<Step, SyncError> {
        let document_id = self.document_id;
        let invalid = |reason: String| SyncError::InvalidSyncMessage {
            document_id: document_id.to_string(),
            peer: from.to_string(),
            reason,
        };
        let message = sync::Message::decode(data).map_err(|error| invalid(error.to_string()))?;
        check_bloom_filters(&message).map_err(|reason| invalid(reason.to_owned()))?;
        self.add_peer_if_new(from);
        let read_only = self
            .peers
            .get(from)
            .is_some_and(|state| state.access == PeerAccess::ReadOnly);
        let mut step = Step::default();
        if read_only {
            step.dropped_changes = message.changes.len();
        } else if !message.changes.is_empty() {
            self.check_changes(from, &message)?;
        }
        let their_heads_empty = message.heads.is_empty();
        let before = self.doc.get_heads();
        let Some(state) = self.peers.get_mut(from) else {
            return Ok(step);
        };
        let changed_doc = std::mem::take(&mut state.changed_doc);
        if std::mem::take(&mut state.awaits_reply) && changed_doc {
            // A second message from this peer in the open batch, after one that brought
            // changes: answer that one now, as an unbatched exchange would. Otherwise, if this
            // one says it has our heads (which its own earlier changes just made), Automerge
            // takes those heads as already sent to it, and the peer would never hear that we
            // hold its changes. After a message without changes nothing of the kind can
            // happen, and one reply to the peer's latest state at the end of the batch is what
            // a slower relay would have sent: generating a reply per message there cost a full
            // Automerge generation for every lagging acknowledgement.
            if let Some(outgoing) = generate(
                &self.doc,
                &self.our_peer,
                self.document_id,
                from,
                state,
                false,
            ) {
                step.send.push(outgoing);
            }
        }
        if let Err(error) = in_step::receive(&mut self.doc, &mut state.sync, message) {
            // The changes were decoded and checked above, so this is rare. The peer restarts
            // from a fresh sync state (cloning the old one on every message would cost a copy
            // of every hash sent this session); the document and other peers are untouched.
            *state = PeerState::new(state.access);
            return Err(invalid(error.to_string()));
        }
        if !their_heads_empty {
            state.status = PeerDocStatus::Has;
        } else if is_request {
            state.status = PeerDocStatus::Wants;
        }
        let changed = self.doc.get_heads() != before;
        if is_request && their_heads_empty && self.is_empty() {
            // Nothing to offer: the same answer whether the document is unknown or forbidden.
            if let Some(state) = self.peers.get_mut(from) {
                state.status = PeerDocStatus::Unavailable;
            }
            step.send.push(Outgoing {
                peer: from.clone(),
                message: WireMessage::DocUnavailable {
                    sender_id: self.our_peer.clone(),
                    target_id: from.clone(),
                    document_id: self.document_id,
                },
            });
            return Ok(step);
        }
        if changed {
            step.merge(self.record_change(before));
        }
        if let Some(state) = self.peers.get_mut(from) {
            state.awaits_reply = true;
            state.changed_doc = changed;
        }
        Ok(step)
    }

    /// Decodes every change of a sync message before anything is applied: corrupt changes are
    /// refused whole, and so are changes that would take the document past the size cap.
    fn check_changes(&self, from: &PeerId, message: &sync::Message) -> Result<(), SyncError> {
        let invalid = |reason: String| SyncError::InvalidSyncMessage {
            document_id: self.document_id.to_string(),
            peer: from.to_string(),
            reason,
        };
        let mut new_ops: u64 = 0;
        let mut inflated: usize = 0;
        // A version 1 message carries one change per chunk; a version 2 message one chunk of
        // concatenated changes, or a whole document.
        for chunk in message.changes.iter() {
            let frames = split_frames(chunk).map_err(|reason| invalid(reason.to_owned()))?;
            if frames.truncated {
                return Err(invalid("a change is cut short".to_owned()));
            }
            for frame in frames.complete {
                let budget = self.limits.max_inflated_bytes.saturating_sub(inflated);
                inflated += check_inflated_size(&frame, budget).map_err(|_| {
                    SyncError::InflatesTooLarge {
                        document_id: self.document_id.to_string(),
                        max: self.limits.max_inflated_bytes,
                    }
                })?;
                if frame.chunk_type == DOCUMENT_CHUNK {
                    // Its new operations are estimated as those beyond ours: exact when we start
                    // empty (the usual case), a lower bound for divergent histories.
                    let whole = Automerge::load(frame.bytes).map_err(|e| invalid(e.to_string()))?;
                    let (theirs, ours) = (whole.stats().num_ops, self.doc.stats().num_ops);
                    new_ops = new_ops.saturating_add(theirs.saturating_sub(ours));
                } else {
                    let change =
                        Change::try_from(frame.bytes).map_err(|e| invalid(e.to_string()))?;
                    if self.doc.get_change_meta_by_hash(&change.hash()).is_none() {
                        new_ops = new_ops.saturating_add(change.len() as u64);
                    }
                }
            }
        }
        let ops = self.doc.stats().num_ops.saturating_add(new_ops);
        if ops > self.limits.max_document_ops {
            return Err(SyncError::DocumentTooLarge {
                document_id: self.document_id.to_string(),
                ops,
                max_ops: self.limits.max_document_ops,
            });
        }
        Ok(())
    }

    fn receive_ephemeral(&mut self, from: &PeerId, message: EphemeralMessage) -> Step {
        let mut step = Step::default();
        if !self
            .ephemeral_seen
            .accept(&message.sender_id, &message.session_id, message.count)
        {
            return step;
        }
        for peer in self.peers.keys() {
            if peer != from && *peer != message.sender_id {
                step.send.push(self.ephemeral_to(peer, &message));
            }
        }
        step.ephemeral.push(message);
        step
    }

    fn ephemeral_to(&self, peer: &PeerId, message: &EphemeralMessage) -> Outgoing {
        Outgoing {
            peer: peer.clone(),
            message: WireMessage::Ephemeral {
                sender_id: message.sender_id.clone(),
                target_id: peer.clone(),
                document_id: self.document_id,
                session_id: message.session_id.clone(),
                count: message.count,
                data: message.data.clone(),
            },
        }
    }

    /// Notes a change made since `before` (the heads before it): its writes, and the batch's
    /// base for the fan-out.
    fn record_change(&mut self, before: Vec<ChangeHash>) -> Step {
        let mut step = Step::default();
        if self.doc.get_heads() == before {
            return step;
        }
        step.changed = true;
        step.store
            .extend(self.stored.save(self.document_id, &self.doc));
        self.batch_base.get_or_insert(before);
        step
    }

    /// Closes the open batch: replies to every peer that sent a sync message in it and, if the
    /// document changed, offers the new changes to every peer. Peers that were in sync before
    /// the batch all get one shared message, encoded once; the others get their own. Nothing
    /// to store: the batch's writes came with each message's step.
    pub fn finish_batch(&mut self) -> Step {
        let mut step = Step::default();
        let base = self.batch_base.take();
        let heads = self.doc.get_heads();
        let changed = base.as_ref().is_some_and(|base| *base != heads);
        let mut fan_out = match &base {
            Some(base) if changed => FanOut::prepare(&self.doc, base),
            _ => None,
        };
        let heads = fan_out
            .as_ref()
            .map_or(heads, |fan_out| fan_out.heads().to_vec());
        let (doc, our_peer, document_id) = (&self.doc, &self.our_peer, self.document_id);
        for (peer, state) in &mut self.peers {
            let awaited = std::mem::take(&mut state.awaits_reply);
            state.changed_doc = false;
            if !changed && !awaited {
                continue;
            }
            if let Some(data) = fan_out
                .as_mut()
                .and_then(|fan_out| fan_out.message_for(&mut state.sync))
            {
                if state.status == PeerDocStatus::Unknown {
                    state.status = PeerDocStatus::Has;
                }
                step.send
                    .push(sync_to(our_peer, peer, document_id, data, false));
                step.shared_sends += 1;
                continue;
            }
            if stays_silent(&state.sync, &heads) {
                continue;
            }
            if let Some(outgoing) = generate(doc, our_peer, document_id, peer, state, false) {
                step.send.push(outgoing);
            }
        }
        step
    }

    fn generate_for(&mut self, peer: &PeerId, as_request: bool, step: &mut Step) {
        let Some(state) = self.peers.get_mut(peer) else {
            return;
        };
        if let Some(outgoing) = generate(
            &self.doc,
            &self.our_peer,
            self.document_id,
            peer,
            state,
            as_request,
        ) {
            step.send.push(outgoing);
        }
    }

    fn add_peer_if_new(&mut self, peer: &PeerId) {
        if !self.peers.contains_key(peer) {
            self.peers
                .insert(peer.clone(), PeerState::new(PeerAccess::ReadWrite));
        }
    }
}

/// Automerge's sync message for one peer, if it has anything to say.
fn generate(
    doc: &Automerge,
    our_peer: &PeerId,
    document_id: DocumentId,
    peer: &PeerId,
    state: &mut PeerState,
    as_request: bool,
) -> Option<Outgoing> {
    let message = match in_step::generate(doc, &mut state.sync) {
        Reply::Send(message) => message,
        Reply::Nothing => return None,
        Reply::AskAutomerge => doc.generate_sync_message(&mut state.sync)?,
    };
    if !message.heads.is_empty() && state.status == PeerDocStatus::Unknown {
        state.status = PeerDocStatus::Has;
    }
    Some(sync_to(
        our_peer,
        peer,
        document_id,
        message.encode(),
        as_request,
    ))
}

/// A `sync` (or `request`) frame carrying `data` to `peer`.
fn sync_to(
    our_peer: &PeerId,
    peer: &PeerId,
    document_id: DocumentId,
    data: Vec<u8>,
    as_request: bool,
) -> Outgoing {
    let (sender_id, target_id) = (our_peer.clone(), peer.clone());
    Outgoing {
        peer: peer.clone(),
        message: if as_request {
            WireMessage::Request {
                sender_id,
                target_id,
                document_id,
                data,
            }
        } else {
            WireMessage::Sync {
                sender_id,
                target_id,
                document_id,
                data,
            }
        },
    }
}

/// Most probes a peer's bloom filter may ask for; Automerge and automerge-js use 7.
const MAX_BLOOM_PROBES: u64 = 64;

/// Refuses bloom filters that Automerge 0.12 would panic on or allocate from while generating
/// our reply: a non-empty filter with no bits (a division by zero), or a probe count in the
/// billions (one allocation per probe).
fn check_bloom_filters(message: &sync::Message) -> Result<(), &'static str> {
    for have in &message.have {
        let bytes = have.bloom.to_bytes();
        let mut position = 0;
        let mut fields = [0u64; 3];
        for field in &mut fields {
            let rest = bytes.get(position..).unwrap_or_default();
            let Some((value, len)) = read_leb128(rest)? else {
                // An empty filter (no entries) encodes to no bytes at all.
                return Ok(());
            };
            *field = value;
            position += len;
        }
        let [entries, bits_per_entry, probes] = fields;
        let has_bits = bytes.len() > position;
        if entries > 0 && (bits_per_entry == 0 || !has_bits) {
            return Err("a bloom filter has entries but no bits");
        }
        if probes > MAX_BLOOM_PROBES {
            return Err("a bloom filter asks for too many probes");
        }
    }
    Ok(())
}

/// The highest ephemeral count seen per (sender, session), as automerge-repo's network layer
/// keeps it; bounded, forgetting the oldest sender first.
#[derive(Debug)]
struct EphemeralSeen {
    highest: HashMap<(PeerId, SessionId), u64>,
    order: VecDeque<(PeerId, SessionId)>,
    capacity: usize,
}

impl EphemeralSeen {
    fn new(capacity: usize) -> Self {
        EphemeralSeen {
            highest: HashMap::new(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    /// Whether the message is new (its count above every count seen from its session).
    fn accept(&mut self, sender: &PeerId, session: &SessionId, count: u64) -> bool {
        let key = (sender.clone(), session.clone());
        match self.highest.get_mut(&key) {
            Some(highest) if count <= *highest => false,
            Some(highest) => {
                *highest = count;
                true
            }
            None => {
                if self.order.len() >= self.capacity
                    && let Some(oldest) = self.order.pop_front()
                {
                    self.highest.remove(&oldest);
                }
                self.order.push_back(key.clone());
                self.highest.insert(key, count);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use automerge::ROOT;

    use super::*;

    fn id() -> DocumentId {
        DocumentId::from_random_bytes([3; 16])
    }

    fn peer(name: &str) -> PeerId {
        PeerId::new(name).unwrap()
    }

    #[test]
    fn a_request_for_an_empty_document_is_answered_with_doc_unavailable() {
        let mut asker = DocSync::new(id(), peer("a"), Limits::default());
        let mut relay = DocSync::new(id(), peer("relay"), Limits::default());
        let request = asker.request_from(&peer("relay"));
        assert!(matches!(
            request.send[0].message,
            WireMessage::Request { .. }
        ));
        let reply = relay
            .receive(&peer("a"), request.send[0].message.clone())
            .unwrap();
        assert!(reply.store.is_empty());
        assert!(matches!(
            reply.send.as_slice(),
            [Outgoing {
                message: WireMessage::DocUnavailable { .. },
                ..
            }]
        ));
        assert_eq!(
            relay.peer_status(&peer("a")),
            Some(PeerDocStatus::Unavailable)
        );
        let nothing = asker
            .receive(&peer("relay"), reply.send[0].message.clone())
            .unwrap();
        assert!(nothing.send.is_empty() && nothing.store.is_empty());
        assert_eq!(
            asker.peer_status(&peer("relay")),
            Some(PeerDocStatus::Unavailable)
        );
    }

    /// Delivers every message of `outgoing` to `to`, returning what it sends back.
    fn deliver(to: &mut DocSync, from: &PeerId, outgoing: Vec<Outgoing>) -> Vec<Outgoing> {
        let mut replies = Vec::new();
        for out in outgoing {
            replies.extend(to.receive(from, out.message).unwrap().send);
        }
        replies
    }

    #[test]
    fn two_messages_of_one_peer_in_a_batch_are_both_answered() {
        // A relay that reloaded its document restarts the client's sync from a fresh state
        // while the client edits: the client's change and its reply to the fresh offer then
        // arrive in one batch. The second says it has the heads the first made; the relay must
        // still tell the client it holds its change, or the client never gets back in sync.
        let (relay_id, client_id) = (peer("relay"), peer("client"));
        let mut client = DocSync::new(id(), client_id.clone(), Limits::default());
        let mut relay = DocSync::new(id(), relay_id.clone(), Limits::default());
        let ((), created) = client.change(|tx| tx.put(ROOT, "stage", "lead")).unwrap();
        let mut to_relay = created.send;
        to_relay.extend(client.sync_with(&relay_id).send);
        while !to_relay.is_empty() {
            let to_client = deliver(&mut relay, &client_id, std::mem::take(&mut to_relay));
            to_relay = deliver(&mut client, &relay_id, to_client);
        }
        assert!(client.in_sync(&relay_id));

        relay.remove_peer(&client_id);
        let fresh_offer = relay.sync_with(&client_id).send;
        let ((), edited) = client.change(|tx| tx.put(ROOT, "stage", "demo")).unwrap();
        let reply_to_offer = deliver(&mut client, &relay_id, fresh_offer);
        let mut batch = Step::default();
        for out in edited.send.into_iter().chain(reply_to_offer) {
            batch.merge(relay.receive_in_batch(&client_id, out.message).unwrap());
        }
        batch.merge(relay.finish_batch());
        let mut to_client = batch.send;
        while !to_client.is_empty() {
            let to_relay = deliver(&mut client, &relay_id, std::mem::take(&mut to_client));
            to_client = deliver(&mut relay, &client_id, to_relay);
        }
        assert_eq!(relay.heads(), client.heads());
        assert!(
            client.in_sync(&relay_id),
            "the client heard its change is held"
        );
    }

    #[test]
    fn messages_for_another_document_or_of_the_wrong_kind_are_refused() {
        let mut relay = DocSync::new(id(), peer("relay"), Limits::default());
        let other = WireMessage::DocUnavailable {
            sender_id: peer("a"),
            target_id: peer("relay"),
            document_id: DocumentId::from_random_bytes([9; 16]),
        };
        assert!(matches!(
            relay.receive(&peer("a"), other),
            Err(SyncError::WrongDocument { .. })
        ));
        let leave = WireMessage::Leave {
            sender_id: peer("a"),
        };
        assert!(matches!(
            relay.receive(&peer("a"), leave),
            Err(SyncError::ProtocolViolation { .. })
        ));
    }

    #[test]
    fn garbage_sync_data_is_an_error_and_changes_nothing() {
        let mut relay = DocSync::new(id(), peer("relay"), Limits::default());
        let garbage = WireMessage::Sync {
            sender_id: peer("a"),
            target_id: peer("relay"),
            document_id: id(),
            data: vec![0x42, 0xff, 0xff],
        };
        assert!(matches!(
            relay.receive(&peer("a"), garbage),
            Err(SyncError::InvalidSyncMessage { .. })
        ));
        assert!(relay.is_empty());
    }

    #[test]
    fn hostile_bloom_filters_are_refused_before_automerge_sees_them() {
        // heads: none, need: none, one have with no last_sync and a filter of
        // 1 entry, 0 bits per entry, 7 probes: Automerge would divide by zero.
        let zero_bits = [0x42, 0x00, 0x00, 0x01, 0x00, 0x03, 0x01, 0x00, 0x07, 0x00];
        // 1 entry, 10 bits per entry, u32::MAX probes, 2 bytes of bits.
        let many_probes = [
            0x42, 0x00, 0x00, 0x01, 0x00, 0x09, 0x01, 0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00,
            0x00, 0x00,
        ];
        for data in [&zero_bits[..], &many_probes[..]] {
            assert!(sync::Message::decode(data).is_ok(), "automerge decodes it");
            let mut relay = DocSync::new(id(), peer("relay"), Limits::default());
            let ((), _) = relay.change(|tx| tx.put(ROOT, "x", 1)).unwrap();
            let message = WireMessage::Sync {
                sender_id: peer("a"),
                target_id: peer("relay"),
                document_id: id(),
                data: data.to_vec(),
            };
            assert!(matches!(
                relay.receive(&peer("a"), message),
                Err(SyncError::InvalidSyncMessage { .. })
            ));
        }
    }

    #[test]
    fn offering_a_document_keeps_a_read_only_peer_read_only() {
        let mut relay = DocSync::new(id(), peer("relay"), Limits::default());
        let ((), _) = relay.change(|tx| tx.put(ROOT, "x", 1)).unwrap();
        relay.add_peer(peer("viewer"), PeerAccess::ReadOnly);
        let offer = relay.sync_with(&peer("viewer"));
        assert_eq!(offer.send.len(), 1);
        let mut viewer = DocSync::new(id(), peer("viewer"), Limits::default());
        let ((), _) = viewer.change(|tx| tx.put(ROOT, "y", 2)).unwrap();
        let reply = viewer
            .receive(&peer("relay"), offer.send[0].message.clone())
            .unwrap();
        let mut sync_message = None;
        for out in reply.send {
            sync_message = Some(out.message);
        }
        if let Some(message) = sync_message {
            let step = relay.receive(&peer("viewer"), message).unwrap();
            assert!(!step.changed, "a read-only peer changes nothing");
        }
        assert_eq!(relay.doc().get(ROOT, "y").unwrap(), None);
    }

    #[test]
    fn failed_local_changes_roll_back() {
        let mut doc = DocSync::new(id(), peer("a"), Limits::default());
        let result = doc.change(|tx| {
            tx.put(ROOT, "x", 1)?;
            Err::<(), _>(AutomergeError::InvalidIndex(7))
        });
        assert!(matches!(result, Err(SyncError::LocalChange { .. })));
        assert!(doc.is_empty());
        let small = Limits {
            max_document_ops: 1,
            ..Limits::default()
        };
        let mut capped = DocSync::new(id(), peer("a"), small);
        let too_big = capped.change(|tx| {
            tx.put(ROOT, "x", 1)?;
            tx.put(ROOT, "y", 2)
        });
        assert!(matches!(
            too_big,
            Err(SyncError::DocumentTooLarge { ops: 2, .. })
        ));
        assert!(capped.is_empty());
    }

    #[test]
    fn ephemeral_dedupe_is_per_session_and_bounded() {
        let mut seen = EphemeralSeen::new(2);
        let (a, s1, s2, s3) = (
            peer("a"),
            SessionId::new("1").unwrap(),
            SessionId::new("2").unwrap(),
            SessionId::new("3").unwrap(),
        );
        assert!(seen.accept(&a, &s1, 1));
        assert!(!seen.accept(&a, &s1, 1));
        assert!(seen.accept(&a, &s1, 2));
        assert!(seen.accept(&a, &s2, 1));
        assert!(seen.accept(&a, &s3, 1));
        assert_eq!(seen.highest.len(), 2, "the oldest session was forgotten");
    }

    /// Runs sync between the relay and its clients until nobody has anything to say.
    fn settle(relay: &mut DocSync, clients: &mut [(PeerId, DocSync)]) {
        let relay_id = peer("relay");
        let mut to_relay: Vec<(usize, WireMessage)> = Vec::new();
        for (index, (_, client)) in clients.iter_mut().enumerate() {
            for out in client.sync_with(&relay_id).send {
                to_relay.push((index, out.message));
            }
        }
        for _round in 0..100 {
            let mut to_clients = Vec::new();
            for (index, message) in to_relay.drain(..) {
                let from = clients[index].0.clone();
                to_clients.extend(relay.receive(&from, message).unwrap().send);
            }
            if to_clients.is_empty() {
                return;
            }
            for out in to_clients {
                let index = clients.iter().position(|(id, _)| *id == out.peer).unwrap();
                for reply in clients[index]
                    .1
                    .receive(&relay_id, out.message)
                    .unwrap()
                    .send
                {
                    to_relay.push((index, reply.message));
                }
            }
        }
        panic!("the exchange did not settle");
    }

    #[test]
    fn the_shared_message_is_what_automerge_would_generate_for_each_peer() {
        let mut relay = DocSync::new(id(), peer("relay"), Limits::default());
        let mut clients: Vec<(PeerId, DocSync)> = ["a", "b", "c", "d"]
            .into_iter()
            .map(|name| {
                (
                    peer(name),
                    DocSync::new(id(), peer(name), Limits::default()),
                )
            })
            .collect();
        // d is read-only: its copy of the message carries our READ_ONLY flag.
        relay.add_peer(peer("d"), PeerAccess::ReadOnly);
        for round in 0..4_i64 {
            let ((), _) = clients[0]
                .1
                .change(|tx| tx.put(ROOT, "round", round))
                .unwrap();
        }
        settle(&mut relay, &mut clients);
        for (_, client) in &clients {
            assert_eq!(client.heads(), relay.heads());
        }

        let ((), step) = clients[0]
            .1
            .change(|tx| tx.put(ROOT, "stage", "demo"))
            .unwrap();
        let [Outgoing { message, .. }] = step.send.as_slice() else {
            panic!("one message to the relay: {:?}", step.send);
        };
        let batch = relay.receive_in_batch(&peer("a"), message.clone()).unwrap();
        assert!(
            batch.send.is_empty(),
            "replies wait for the end of the batch"
        );
        assert_eq!(batch.store.len(), 1, "the change is stored at once");
        let expected: Vec<(PeerId, sync::Message, sync::State)> = ["b", "c", "d"]
            .into_iter()
            .map(|name| {
                let mut state = relay.peers[&peer(name)].sync.clone();
                let message = relay.doc.generate_sync_message(&mut state).unwrap();
                (peer(name), message, state)
            })
            .collect();

        let finished = relay.finish_batch();
        assert_eq!(finished.shared_sends, 3);
        assert_eq!(
            finished.send.len(),
            4,
            "three shared messages and the author's reply"
        );
        for (name, message, state) in expected {
            let sent = finished
                .send
                .iter()
                .find(|out| out.peer == name)
                .expect("a message for every peer");
            let WireMessage::Sync { data, .. } = &sent.message else {
                panic!("a sync message: {:?}", sent.message);
            };
            assert_eq!(sync::Message::decode(data).unwrap(), message, "{name}");
            assert_eq!(relay.peers[&name].sync, state, "{name}'s sync state");
        }
        // Two variants were encoded (read-write and read-only), each once.
        let bytes_b = finished
            .send
            .iter()
            .find(|out| out.peer == peer("b"))
            .unwrap();
        let bytes_c = finished
            .send
            .iter()
            .find(|out| out.peer == peer("c"))
            .unwrap();
        assert_eq!(sync_data(bytes_b), sync_data(bytes_c));
    }

    fn sync_data(out: &Outgoing) -> &[u8] {
        match &out.message {
            WireMessage::Sync { data, .. } => data,
            other => panic!("not a sync message: {other:?}"),
        }
    }
}
