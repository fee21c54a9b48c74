//! The lean client's replica: a deal's change graph without a document.
//!
//! A subscriber that only has to *receive* edits does not need Automerge's document: it needs
//! the changes (to know its heads and what it has) and the sync protocol's bookkeeping with the
//! server. [`LeanReplica`] keeps exactly that:
//!
//! - **Receiving.** Every sync message is decoded with Automerge's own decoder
//!   (`sync::Message::decode`), and every change it carries is parsed with `Change::from_bytes`,
//!   which checks the chunk's checksum and computes its hash. A change is *held* (its bytes
//!   kept, its hash added to the heads, its dependencies removed from them) when all its
//!   dependencies are held, and queued until then, as Automerge queues it. Its operations are
//!   never applied: there is no document state, only the graph.
//! - **Answering.** After each message the replica runs the decision of Automerge's
//!   `generate_sync_message` over that graph (the same fields of the sync state: shared heads,
//!   their heads, have and need, sent hashes, in-flight), so the server sees the replies a full
//!   client would send: "I have these heads" with a bloom filter of what it has since the last
//!   shared heads, the changes the server lacks or asked for, the hashes it lacks, or a reset.
//!   Two approximations, both within the protocol: the bloom filter holds every change received
//!   since the replica was last in step with the server (a superset of Automerge's set, all of
//!   them changes it really has), and a document larger than a third of what it would send is
//!   still sent as changes, never as a whole-document chunk.
//! - **Editing.** An edit is the change a full client's `tx.put(ROOT, "note<i>", n)` commits:
//!   built as an Automerge `ExpandedChange` (one `put` on the root, its predecessor the client's
//!   previous write of that key, dependencies the current heads, start op one past the largest op
//!   held) and encoded by Automerge. [`LeanReplica::check_against`] proves at set-up that this
//!   gives byte for byte the change Automerge commits on a copy of the real document.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::num::NonZeroU64;

use dealflow_core::automerge::legacy::{Key, ObjectId, Op, OpId, OpType, SortedVec};
use dealflow_core::automerge::sync::{self, BloomFilter, Have, MessageFlags, MessageVersion};
use dealflow_core::automerge::transaction::Transactable;
use dealflow_core::automerge::{
    ActorId, Automerge, Change, ChangeHash, ExpandedChange, ROOT, ReadDoc, ScalarValue,
};
use rustc_hash::{FxHashMap, FxHashSet};

/// First bytes of every Automerge chunk.
const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
/// Chunk type of a whole document (sent instead of changes when a peer lacks most of it).
const DOCUMENT_CHUNK: u8 = 0;

/// A held change: its bytes (to send it on) and its dependencies (to walk the graph).
#[derive(Debug)]
struct Held {
    bytes: Vec<u8>,
    deps: Vec<ChangeHash>,
    /// Its index in `LeanReplica::order`: a change's dependencies all have smaller ones.
    position: usize,
}

/// One client's copy of one deal, as a change graph, and its sync state with the server.
#[derive(Debug)]
pub(crate) struct LeanReplica {
    actor: ActorId,
    /// The key this client writes (`note<i>`).
    key: String,
    /// This actor's last sequence number.
    seq: u64,
    /// The largest op counter held (a new change starts after it).
    max_op: u64,
    /// The op of this client's last write of `key`: the predecessor of its next write.
    last_write: Option<u64>,
    /// This actor's last change: Automerge lists it among a new change's dependencies even when
    /// it is no longer a head.
    last_own: Option<ChangeHash>,
    held: FxHashMap<ChangeHash, Held>,
    /// Held hashes in the order they were held: every change after its dependencies.
    order: Vec<ChangeHash>,
    /// Received changes whose dependencies are not all held yet.
    queued: Vec<Change>,
    heads: Vec<ChangeHash>,
    // The sync state with the server: the fields of Automerge's `sync::State` that its
    // `generate_sync_message` reads.
    shared_heads: Vec<ChangeHash>,
    /// Changes held since the replica was last in step with the server (our heads shared).
    since_in_step: Vec<ChangeHash>,
    their_heads: Option<Vec<ChangeHash>>,
    their_need: Option<Vec<ChangeHash>>,
    their_have: Option<Vec<Have>>,
    last_sent_heads: Vec<ChangeHash>,
    sent_hashes: FxHashSet<ChangeHash>,
    in_flight: bool,
    have_responded: bool,
    version_2: bool,
}

impl LeanReplica {
    /// The replica of `doc` for the client that writes `key`, in step with the server (the
    /// caller made sure the server has `doc`'s heads).
    pub(crate) fn from_doc(doc: &Automerge, key: String) -> Self {
        let actor = doc.get_actor().clone();
        let mut replica = LeanReplica {
            actor: actor.clone(),
            key,
            seq: 0,
            max_op: 0,
            last_write: None,
            last_own: None,
            held: FxHashMap::default(),
            order: Vec::new(),
            queued: Vec::new(),
            heads: Vec::new(),
            shared_heads: Vec::new(),
            since_in_step: Vec::new(),
            their_heads: None,
            their_need: None,
            their_have: None,
            last_sent_heads: Vec::new(),
            sent_hashes: FxHashSet::default(),
            in_flight: false,
            have_responded: false,
            version_2: false,
        };
        for change in doc.get_changes(&[]) {
            if change.actor_id() == &actor && change.seq() > replica.seq {
                replica.seq = change.seq();
                replica.last_own = Some(change.hash());
            }
            let _ = replica.hold(change.clone());
        }
        replica.last_write =
            doc.get(ROOT, replica.key.as_str())
                .ok()
                .flatten()
                .and_then(|(_, id)| {
                    let id = format!("{id}");
                    let (counter, actor_hex) = id.split_once('@')?;
                    (actor_hex == actor.to_hex_string())
                        .then(|| counter.parse().ok())
                        .flatten()
                });
        // Automerge's own heads: a document received whole may list a change that no other
        // change depends on among another's dependencies (seen at 1,000 clients), so the heads
        // are not re-derived from the list of changes.
        replica.heads = doc.get_heads();
        replica.shared_heads = replica.heads.clone();
        replica.since_in_step.clear();
        // As after the in-step exchange that ended set-up: the server's last message said it has
        // our heads and needs nothing.
        replica.their_heads = Some(replica.heads.clone());
        replica.their_have = Some(vec![Have {
            last_sync: replica.heads.clone(),
            bloom: BloomFilter::from_hashes(std::iter::empty::<ChangeHash>()),
        }]);
        replica.their_need = Some(Vec::new());
        replica.last_sent_heads = replica.heads.clone();
        replica.have_responded = true;
        replica
    }

    /// Makes the next edit on a copy of `doc` with Automerge and with this replica, and says
    /// whether the two changes are the same bytes.
    pub(crate) fn check_against(&self, doc: &Automerge) -> bool {
        let mut copy = doc.clone();
        let value = self.seq + 1;
        let mut tx = copy.transaction();
        if tx.put(ROOT, self.key.as_str(), value).is_err() {
            return false;
        }
        tx.commit();
        let Some(expected) = copy.get_last_local_change() else {
            return false;
        };
        let ours = Change::from(self.expanded_edit(value));
        ours.raw_bytes() == expected.raw_bytes()
    }

    /// This actor's last sequence number.
    pub(crate) fn seq(&self) -> u64 {
        self.seq
    }

    /// Writes `value` into `key` as a new change; returns the sync message to send, if any.
    pub(crate) fn edit(&mut self, value: u64) -> Option<Vec<u8>> {
        let change = Change::from(self.expanded_edit(value));
        let start_op = change.start_op().get();
        self.seq = change.seq();
        self.last_write = Some(start_op);
        self.last_own = Some(change.hash());
        let _ = self.hold(change);
        self.generate()
    }

    fn expanded_edit(&self, value: u64) -> ExpandedChange {
        let pred: Vec<OpId> = self
            .last_write
            .map(|counter| OpId(counter, self.actor.clone()))
            .into_iter()
            .collect();
        // Automerge's `transaction_args`: the heads, plus this actor's last change if it is not
        // one of them.
        let mut deps = self.heads.clone();
        if let Some(own) = self.last_own
            && !deps.contains(&own)
        {
            deps.push(own);
        }
        ExpandedChange {
            operations: vec![Op {
                action: OpType::Put(ScalarValue::Uint(value)),
                obj: ObjectId::Root,
                key: Key::Map(self.key.as_str().into()),
                pred: SortedVec::from(pred),
                insert: false,
            }],
            actor_id: self.actor.clone(),
            hash: None,
            seq: self.seq + 1,
            start_op: NonZeroU64::new(self.max_op + 1).unwrap_or(NonZeroU64::MIN),
            time: 0,
            message: None,
            deps,
            extra_bytes: Vec::new(),
            author: None,
        }
    }

    /// Takes a sync message from the server; returns the changes it newly holds (to time their
    /// delivery), or why the message is not valid.
    pub(crate) fn receive(&mut self, data: &[u8]) -> Result<Vec<Change>, String> {
        let message = sync::Message::decode(data).map_err(|error| error.to_string())?;
        self.in_flight = false;
        if let Some(flags) = message.flags {
            // A peer that sends flags reads version 2 messages (Automerge's capabilities).
            self.version_2 = true;
            if flags.contains(MessageFlags::SYNC_RESET) {
                self.sent_hashes.clear();
            }
        }
        let before_heads = self.heads.clone();
        let mut new = Vec::new();
        for chunk in message.changes.iter() {
            for piece in split_chunks(chunk)? {
                if piece.get(8) == Some(&DOCUMENT_CHUNK) {
                    let doc = Automerge::load(piece).map_err(|error| error.to_string())?;
                    for change in doc.get_changes(&[]) {
                        self.take(change.clone(), &mut new);
                    }
                } else {
                    let change =
                        Change::from_bytes(piece.to_vec()).map_err(|error| error.to_string())?;
                    self.take(change, &mut new);
                }
            }
        }
        if !new.is_empty() {
            // Automerge's `advance_heads`: our new heads, and the shared heads still heads.
            let mut shared: Vec<ChangeHash> = self
                .heads
                .iter()
                .filter(|head| !before_heads.contains(head))
                .chain(
                    self.shared_heads
                        .iter()
                        .filter(|head| self.heads.contains(head)),
                )
                .copied()
                .collect();
            shared.sort_unstable();
            shared.dedup();
            self.shared_heads = shared;
        }
        let heads_are_ours = !message.heads.is_empty() && message.heads == self.heads;
        if heads_are_ours {
            self.sent_hashes.clear();
        }
        if message.changes.is_empty() && message.heads == before_heads {
            self.last_sent_heads.clone_from(&message.heads);
        }
        let known: Vec<ChangeHash> = message
            .heads
            .iter()
            .filter(|head| self.held.contains_key(head))
            .copied()
            .collect();
        if known.len() == message.heads.len() {
            self.shared_heads.clone_from(&message.heads);
            if message.heads.is_empty() {
                self.last_sent_heads.clear();
                self.sent_hashes.clear();
            }
        } else {
            self.shared_heads.extend(known);
            self.shared_heads.sort_unstable();
            self.shared_heads.dedup();
        }
        if self.shared_heads == self.heads {
            self.since_in_step.clear();
        }
        self.their_have = Some(message.have);
        self.their_heads = Some(message.heads);
        self.their_need = Some(message.need);
        Ok(new)
    }

    /// The server's connection was replaced: start the sync over, as a fresh `sync::State`.
    pub(crate) fn reset_sync(&mut self) {
        self.shared_heads.clear();
        self.since_in_step.clone_from(&self.order);
        self.their_heads = None;
        self.their_need = None;
        self.their_have = None;
        self.last_sent_heads.clear();
        self.sent_hashes.clear();
        self.in_flight = false;
        self.have_responded = false;
    }

    /// The next sync message for the server, as `generate_sync_message` decides it.
    pub(crate) fn generate(&mut self) -> Option<Vec<u8>> {
        let our_need: Vec<ChangeHash> = self
            .their_heads
            .iter()
            .flatten()
            .filter(|head| !self.held.contains_key(head))
            .copied()
            .collect();
        let their_heads = self.their_heads.clone().unwrap_or_default();
        let our_have = if our_need.iter().all(|hash| their_heads.contains(hash)) {
            vec![Have {
                last_sync: self.shared_heads.clone(),
                bloom: BloomFilter::from_hashes(self.since_in_step.iter()),
            }]
        } else {
            Vec::new()
        };
        if let Some(first) = self.their_have.as_ref().and_then(|have| have.first())
            && !first
                .last_sync
                .iter()
                .all(|hash| self.held.contains_key(hash))
        {
            // Automerge's `Message::reset`.
            let mut flags = MessageFlags::new();
            flags.set(MessageFlags::SUPPORTS_SYNC_RESET);
            return Some(
                sync::Message {
                    heads: self.heads.clone(),
                    need: Vec::new(),
                    have: vec![Have::default()],
                    changes: sync::ChunkList::empty(),
                    flags: Some(flags),
                    version: MessageVersion::V1,
                }
                .encode(),
            );
        }
        let to_send: Vec<ChangeHash> = match (&self.their_have, &self.their_need) {
            (Some(have), Some(need)) => self
                .hashes_to_send(have, need)
                .into_iter()
                .filter(|hash| !self.sent_hashes.contains(hash))
                .collect(),
            _ => Vec::new(),
        };
        let heads_unchanged = self.last_sent_heads == self.heads;
        let heads_equal = self.their_heads.as_ref() == Some(&self.heads);
        if heads_unchanged && self.have_responded {
            if heads_equal && to_send.is_empty() {
                return None;
            }
            if self.in_flight {
                return None;
            }
        }
        self.have_responded = true;
        self.last_sent_heads.clone_from(&self.heads);
        self.sent_hashes.extend(to_send.iter().copied());
        let bytes: Vec<Vec<u8>> = to_send
            .iter()
            .filter_map(|hash| self.held.get(hash).map(|held| held.bytes.clone()))
            .collect();
        let (changes, version) = if self.version_2 {
            let joined: Vec<u8> = bytes.concat();
            let chunks = if joined.is_empty() {
                sync::ChunkList::empty()
            } else {
                sync::ChunkList::from(joined)
            };
            (chunks, MessageVersion::V2)
        } else {
            (sync::ChunkList::from(bytes), MessageVersion::V1)
        };
        let mut flags = MessageFlags::new();
        flags.set(MessageFlags::SUPPORTS_SYNC_RESET);
        self.in_flight = true;
        Some(
            sync::Message {
                heads: self.heads.clone(),
                need: our_need,
                have: our_have,
                changes,
                flags: Some(flags),
                version,
            }
            .encode(),
        )
    }

    /// Automerge's `get_hashes_to_send`: the changes since the server's last sync that its bloom
    /// filters do not hold, their dependents, and what it asked for.
    fn hashes_to_send(&self, have: &[Have], need: &[ChangeHash]) -> Vec<ChangeHash> {
        let mut to_send = Vec::new();
        // A server with our heads has every change we hold (each is a head or an ancestor of
        // one): Automerge's walk would find nothing outside its bloom filter.
        let has_ours = self.their_heads.as_deref() == Some(self.heads.as_slice());
        if !have.is_empty() && !has_ours {
            let last_sync: Vec<ChangeHash> = have
                .iter()
                .flat_map(|have| have.last_sync.iter().copied())
                .collect();
            let mut since = self.changes_since(&last_sync);
            if !since.is_empty() {
                let mut chosen: FxHashSet<ChangeHash> = since
                    .iter()
                    .filter(|hash| have.iter().all(|have| !have.bloom.contains_hash(hash)))
                    .copied()
                    .collect();
                // Dependents of a change sent are sent too (`since` is in causal order).
                for hash in &since {
                    if !chosen.contains(hash)
                        && let Some(held) = self.held.get(hash)
                        && held.deps.iter().any(|dep| chosen.contains(dep))
                    {
                        chosen.insert(*hash);
                    }
                }
                for hash in need {
                    if !chosen.contains(hash) && self.held.contains_key(hash) {
                        to_send.push(*hash);
                    }
                }
                since.retain(|hash| chosen.contains(hash));
                to_send.extend(since);
                return to_send;
            }
        }
        need.iter()
            .filter(|hash| self.held.contains_key(hash))
            .copied()
            .collect()
    }

    /// Held changes that are not ancestors of `heads` (nor among them), in causal order.
    ///
    /// Walks back from our heads and from `heads` together, latest held first (a change is held
    /// after its dependencies, so its position in `order` ranks it after all of them), marking
    /// what `heads` reach. It stops as soon as everything left to visit is reached from
    /// `heads`, so it visits the changes since `heads` and little more, not the whole history
    /// (the walk git uses to find a merge base).
    fn changes_since(&self, heads: &[ChangeHash]) -> Vec<ChangeHash> {
        if heads == self.heads.as_slice() {
            return Vec::new();
        }
        // Position in `order` -> whether `heads` reach that change.
        let mut frontier: BTreeMap<usize, bool> = BTreeMap::new();
        // Entries of `frontier` that only our heads reach so far.
        let mut only_ours = 0usize;
        let visit =
            |frontier: &mut BTreeMap<usize, bool>, hash: &ChangeHash, theirs: bool| -> isize {
                let Some(held) = self.held.get(hash) else {
                    return 0;
                };
                match frontier.entry(held.position) {
                    Entry::Vacant(entry) => {
                        entry.insert(theirs);
                        if theirs { 0 } else { 1 }
                    }
                    Entry::Occupied(mut entry) => {
                        if theirs && !*entry.get() {
                            entry.insert(true);
                            -1
                        } else {
                            0
                        }
                    }
                }
            };
        for head in &self.heads {
            only_ours = only_ours.saturating_add_signed(visit(&mut frontier, head, false));
        }
        for head in heads {
            only_ours = only_ours.saturating_add_signed(visit(&mut frontier, head, true));
        }
        let mut since = Vec::new();
        while only_ours > 0 {
            let Some((position, theirs)) = frontier.pop_last() else {
                break;
            };
            let hash = self.order[position];
            if !theirs {
                only_ours -= 1;
                since.push(hash);
            }
            if let Some(held) = self.held.get(&hash) {
                for dep in &held.deps {
                    only_ours = only_ours.saturating_add_signed(visit(&mut frontier, dep, theirs));
                }
            }
        }
        since.reverse();
        since
    }

    /// Holds a received change (and any queued one it unblocks); newly held ones go to `new`.
    fn take(&mut self, change: Change, new: &mut Vec<Change>) {
        if self.held.contains_key(&change.hash()) {
            return;
        }
        if !change.deps().iter().all(|dep| self.held.contains_key(dep)) {
            self.queued.push(change);
            return;
        }
        if let Some(held) = self.hold(change) {
            new.push(held);
        }
        // A held change may unblock queued ones.
        loop {
            let ready = self
                .queued
                .iter()
                .position(|queued| queued.deps().iter().all(|dep| self.held.contains_key(dep)));
            let Some(index) = ready else { break };
            let change = self.queued.swap_remove(index);
            if !self.held.contains_key(&change.hash())
                && let Some(held) = self.hold(change)
            {
                new.push(held);
            }
        }
    }

    /// Adds a change whose dependencies are held; returns it unless it was held already.
    fn hold(&mut self, change: Change) -> Option<Change> {
        let hash = change.hash();
        if self.held.contains_key(&hash) {
            return None;
        }
        let deps = change.deps().to_vec();
        self.heads.retain(|head| !deps.contains(head));
        self.heads.push(hash);
        self.heads.sort_unstable();
        self.max_op = self.max_op.max(change.max_op());
        self.held.insert(
            hash,
            Held {
                bytes: change.raw_bytes().to_vec(),
                deps,
                position: self.order.len(),
            },
        );
        self.order.push(hash);
        self.since_in_step.push(hash);
        Some(change)
    }
}

/// Splits concatenated Automerge chunks (a version 2 message carries its changes as one).
fn split_chunks(bytes: &[u8]) -> Result<Vec<&[u8]>, String> {
    let mut pieces = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        if rest.get(..4) != Some(&MAGIC[..]) {
            return Err("a change chunk without Automerge's magic bytes".to_owned());
        }
        // Magic (4), checksum (4), type (1), then the body length as unsigned LEB128.
        let mut length: usize = 0;
        let mut shift = 0;
        let mut at = 9;
        loop {
            let byte = *rest.get(at).ok_or("a truncated chunk header")?;
            at += 1;
            length |= usize::from(byte & 0x7f)
                .checked_shl(shift)
                .ok_or("a chunk length out of range")?;
            if byte & 0x80 == 0 {
                break;
            }
            shift += 7;
            if shift > 56 {
                return Err("a chunk length out of range".to_owned());
            }
        }
        let end = at
            .checked_add(length)
            .ok_or("a chunk length out of range")?;
        let piece = rest.get(..end).ok_or("a truncated chunk")?;
        pieces.push(piece);
        rest = rest.get(end..).unwrap_or_default();
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    //! A lean replica and a full Automerge client sync through core's `DocSync`, the relay's
    //! own sync code: the relay accepts every message of the lean replica, and everyone ends
    //! with the same heads and every edit.

    use dealflow_core::automerge::sync::SyncDoc;
    use dealflow_core::sync::{DocSync, DocumentId, Limits, PeerAccess, PeerId, WireMessage};

    use super::*;

    enum To {
        Relay { from: PeerId, data: Vec<u8> },
        Lean(Vec<u8>),
        Full(Vec<u8>),
    }

    struct Net {
        id: DocumentId,
        relay_peer: PeerId,
        lean_peer: PeerId,
        full_peer: PeerId,
        relay: DocSync,
        lean: LeanReplica,
        full: Automerge,
        full_state: sync::State,
        queue: std::collections::VecDeque<To>,
        lean_received: usize,
    }

    impl Net {
        fn send_from_full(&mut self) {
            if let Some(message) = self.full.generate_sync_message(&mut self.full_state) {
                self.queue.push_back(To::Relay {
                    from: self.full_peer.clone(),
                    data: message.encode(),
                });
            }
        }

        fn settle(&mut self) {
            let mut steps = 0;
            while let Some(next) = self.queue.pop_front() {
                steps += 1;
                assert!(steps < 10_000, "the sync does not settle");
                match next {
                    To::Relay { from, data } => {
                        let message = WireMessage::Sync {
                            sender_id: from.clone(),
                            target_id: self.relay_peer.clone(),
                            document_id: self.id,
                            data,
                        };
                        let step = self
                            .relay
                            .receive(&from, message)
                            .expect("the relay accepts it");
                        for outgoing in step.send {
                            let WireMessage::Sync { data, .. } = outgoing.message else {
                                continue;
                            };
                            if outgoing.peer == self.lean_peer {
                                self.queue.push_back(To::Lean(data));
                            } else {
                                self.queue.push_back(To::Full(data));
                            }
                        }
                    }
                    To::Lean(data) => {
                        self.lean_received +=
                            self.lean.receive(&data).expect("a valid message").len();
                        if let Some(data) = self.lean.generate() {
                            let from = self.lean_peer.clone();
                            self.queue.push_back(To::Relay { from, data });
                        }
                    }
                    To::Full(data) => {
                        let message = sync::Message::decode(&data).expect("a valid message");
                        self.full
                            .receive_sync_message(&mut self.full_state, message)
                            .expect("applies");
                        self.send_from_full();
                    }
                }
            }
        }
    }

    #[test]
    fn a_lean_replica_syncs_with_the_relay_and_a_full_client() {
        let id = DocumentId::from_random_bytes([3; 16]);
        let relay_peer = PeerId::new("relay").unwrap();
        let lean_peer = PeerId::new("lean").unwrap();
        let full_peer = PeerId::new("full").unwrap();
        let mut relay = DocSync::new(id, relay_peer.clone(), Limits::default());
        relay.add_peer(lean_peer.clone(), PeerAccess::ReadWrite);
        relay.add_peer(full_peer.clone(), PeerAccess::ReadWrite);
        let mut full = Automerge::new();
        let mut tx = full.transaction();
        tx.put(ROOT, "type", "deal").unwrap();
        tx.commit();
        // The lean replica starts from a copy under its own actor, not yet synced.
        let seed = full.fork().with_actor(ActorId::from(vec![7u8; 16]));
        let mut lean = LeanReplica::from_doc(&seed, "note-lean".to_owned());
        assert!(lean.check_against(&seed));
        lean.reset_sync();
        let mut net = Net {
            id,
            relay_peer,
            lean_peer: lean_peer.clone(),
            full_peer,
            relay,
            lean,
            full,
            full_state: sync::State::new(),
            queue: Default::default(),
            lean_received: 0,
        };
        net.send_from_full();
        if let Some(data) = net.lean.generate() {
            net.queue.push_back(To::Relay {
                from: lean_peer.clone(),
                data,
            });
        }
        net.settle();
        for round in 1..=30_u64 {
            if let Some(data) = net.lean.edit(round) {
                net.queue.push_back(To::Relay {
                    from: lean_peer.clone(),
                    data,
                });
            }
            if round % 3 != 0 {
                // Concurrent edits: both sides write before anything is delivered.
                let mut tx = net.full.transaction();
                tx.put(ROOT, "note-full", round).unwrap();
                tx.commit();
                net.send_from_full();
            }
            if round % 2 == 0 {
                net.settle();
            }
        }
        net.settle();
        assert_eq!(net.lean.heads, net.relay.heads());
        assert_eq!(net.full.get_heads(), net.relay.heads());
        assert_eq!(
            net.lean_received, 20,
            "every edit of the full client arrived"
        );
        let written = net
            .full
            .get(ROOT, "note-lean")
            .unwrap()
            .map(|(value, _)| value.to_string());
        assert_eq!(written.as_deref(), Some("30"));
        assert!(net.relay.in_sync(&lean_peer));
        // A later edit (after others built on this actor's last change) is still Automerge's.
        let mut doc = Automerge::new().with_actor(net.lean.actor.clone());
        for hash in &net.lean.order {
            doc.load_incremental(&net.lean.held[hash].bytes).unwrap();
        }
        assert_eq!(doc.get_heads(), net.lean.heads);
        assert!(net.lean.check_against(&doc));
    }

    #[test]
    fn changes_since_finds_what_automerge_finds_on_a_branching_history() {
        // Three replicas edit concurrently and merge into one another now and then.
        let mut docs: Vec<Automerge> = (1..=3_u8)
            .map(|i| Automerge::new().with_actor(ActorId::from(vec![i; 16])))
            .collect();
        let mut checkpoints: Vec<Vec<ChangeHash>> = vec![Vec::new()];
        for round in 0..60_u64 {
            let at = usize::try_from(round % 3).unwrap();
            let mut tx = docs[at].transaction();
            tx.put(ROOT, format!("k{at}"), round).unwrap();
            tx.commit();
            checkpoints.push(docs[at].get_heads());
            if round % 5 == 4 {
                let into = usize::try_from(round / 5 % 3).unwrap();
                let mut from = docs[(into + 1) % 3].clone();
                docs[into].merge(&mut from).unwrap();
                checkpoints.push(docs[into].get_heads());
            }
        }
        let mut all = docs[0].clone();
        for doc in &mut docs[1..] {
            all.merge(doc).unwrap();
        }
        let replica = LeanReplica::from_doc(&all, "k0".to_owned());
        // Heads of two replicas at different times, as a peer that merged both would have.
        let pairs: Vec<Vec<ChangeHash>> = checkpoints
            .windows(7)
            .map(|window| {
                let mut both = window[0].clone();
                both.extend(&window[6]);
                both.sort_unstable();
                both.dedup();
                both
            })
            .collect();
        for heads in checkpoints.iter().chain(&pairs).chain([&all.get_heads()]) {
            let since = replica.changes_since(heads);
            let expected: std::collections::HashSet<ChangeHash> = all
                .get_changes(heads)
                .iter()
                .map(|change| change.hash())
                .collect();
            assert_eq!(
                since
                    .iter()
                    .copied()
                    .collect::<std::collections::HashSet<_>>(),
                expected,
                "since {heads:?}"
            );
            assert_eq!(since.len(), expected.len(), "no change twice");
            // Causal order: every change after those of its dependencies that are listed.
            for (index, hash) in since.iter().enumerate() {
                for dep in &replica.held[hash].deps {
                    if let Some(at) = since.iter().position(|listed| listed == dep) {
                        assert!(at < index, "{dep} listed after its dependent {hash}");
                    }
                }
            }
        }
    }
}
