//! One sync message for every peer that was in sync before a batch of new changes.
//!
//! When a document takes new changes, Automerge's `generate_sync_message` computes a message
//! per peer: the changes that peer lacks (from its bloom filter and the hashes already sent),
//! a bloom filter of ours, and what we need. For every peer whose last message said it had
//! exactly the heads we had before the batch, all of that is the same: the new changes, a
//! filter of them over the old heads, no need. [`FanOut`] computes and encodes that message
//! once per wire variant (version 1 or 2 framing, our read-only flag) and records it in each
//! peer's [`sync::State`] exactly as generating it would have. Any other peer falls back to
//! normal generation.
//!
//! The one deliberate difference: normal generation leaves out a change that the peer's bloom
//! filter falsely claims it has (about 1 % of changes), and the peer then asks for it one round
//! trip later. The shared message always carries every new change, which the peer needs anyway.

use automerge::sync::{self, BloomFilter, Capability, Have, Message, MessageFlags, MessageVersion};
use automerge::{Automerge, ChangeHash, ReadDoc};

/// The new changes of a batch, and their sync message encoded at most once per variant.
#[derive(Debug)]
pub(super) struct FanOut {
    /// The heads before the batch.
    base: Vec<ChangeHash>,
    /// The heads after it.
    heads: Vec<ChangeHash>,
    /// The changes since `base`, in the order Automerge lists them.
    hashes: Vec<ChangeHash>,
    change_bytes: Vec<Vec<u8>>,
    /// Our `have`: a bloom filter of the new changes, over `base`.
    have: Have,
    /// Every change of the document (Automerge sends the whole document instead when a peer
    /// lacks more than a third of it).
    n_changes: usize,
    /// Encoded messages by variant: `2 * version_2 + read_only`.
    encoded: [Option<Vec<u8>>; 4],
}

impl FanOut {
    /// The fan-out of the changes made since `base`, or `None` when there are none or the
    /// document was empty before (a first sync sends the whole document, peer by peer).
    pub(super) fn prepare(doc: &Automerge, base: &[ChangeHash]) -> Option<FanOut> {
        if base.is_empty() {
            return None;
        }
        let heads = doc.get_heads();
        if heads == base {
            return None;
        }
        let changes = doc.get_changes(base);
        if changes.is_empty() {
            return None;
        }
        let hashes: Vec<ChangeHash> = changes.iter().map(automerge::Change::hash).collect();
        let have = Have {
            last_sync: base.to_vec(),
            bloom: BloomFilter::from_hashes(hashes.iter()),
        };
        Some(FanOut {
            base: base.to_vec(),
            heads,
            hashes,
            change_bytes: changes
                .iter()
                .map(|change| change.raw_bytes().to_vec())
                .collect(),
            have,
            n_changes: usize::try_from(doc.stats().num_changes).unwrap_or(usize::MAX),
            encoded: [None, None, None, None],
        })
    }

    /// The document's heads after the batch.
    pub(super) fn heads(&self) -> &[ChangeHash] {
        &self.heads
    }

    /// The shared message for this peer, recorded in its state as if generated for it, or
    /// `None` when the peer was not in sync before the batch (generate its message normally).
    pub(super) fn message_for(&mut self, state: &mut sync::State) -> Option<Vec<u8>> {
        if !self.fits(state) {
            return None;
        }
        let version_2 = supports_version_2(state);
        if version_2 && self.hashes.len() > self.n_changes / 3 {
            // Automerge would send the whole document instead: leave it to Automerge.
            return None;
        }
        let variant = usize::from(version_2) * 2 + usize::from(state.read_only);
        let bytes = match self.encoded.get(variant).and_then(Option::as_ref) {
            Some(bytes) => bytes.clone(),
            None => {
                let bytes = self.encode(version_2, state.read_only);
                if let Some(slot) = self.encoded.get_mut(variant) {
                    *slot = Some(bytes.clone());
                }
                bytes
            }
        };
        // What `generate_sync_message` records when it returns a message.
        state.have_responded = true;
        state.last_sent_heads.clone_from(&self.heads);
        state.sent_hashes.extend(self.hashes.iter().copied());
        state.in_flight = true;
        Some(bytes)
    }

    /// Whether `generate_sync_message` would build exactly the shared message for this peer:
    /// its last message said it has our old heads, which it shares with us, and needs nothing;
    /// it accepts changes; and nothing of the batch was sent to it yet.
    fn fits(&self, state: &sync::State) -> bool {
        state.their_heads.as_deref() == Some(self.base.as_slice())
            && state.shared_heads == self.base
            && state.their_need.as_ref().is_some_and(Vec::is_empty)
            && state.their_have.is_some()
            && !state.peer_read_only
            && !state.needs_reset
            && !self
                .hashes
                .iter()
                .any(|hash| state.sent_hashes.contains(hash))
    }

    fn encode(&self, version_2: bool, read_only: bool) -> Vec<u8> {
        let (changes, version) = if version_2 {
            // Version 2 carries the changes concatenated in one chunk.
            (vec![self.change_bytes.concat()], MessageVersion::V2)
        } else {
            (self.change_bytes.clone(), MessageVersion::V1)
        };
        let mut flags = MessageFlags::new();
        flags.set(MessageFlags::SUPPORTS_SYNC_RESET);
        if read_only {
            flags.set(MessageFlags::READ_ONLY);
        }
        Message {
            heads: self.heads.clone(),
            need: Vec::new(),
            have: vec![self.have.clone()],
            changes: changes.into(),
            flags: Some(flags),
            version,
        }
        .encode()
    }
}

/// Whether `generate_sync_message` would return nothing for this peer: we already sent it our
/// current heads, and either that message is unanswered or its answer says it has our heads
/// and needs nothing (then there are no changes to send it: a peer with our heads has every
/// change we have, and its bloom filter covers them). Skipping the call saves building our
/// bloom filter and walking the change graph twice for every acknowledgement.
pub(super) fn stays_silent(state: &sync::State, heads: &[ChangeHash]) -> bool {
    if !state.have_responded || state.last_sent_heads != heads {
        return false;
    }
    state.in_flight
        || (state.their_heads.as_deref() == Some(heads)
            && state.their_need.as_ref().is_none_or(Vec::is_empty))
}

fn supports_version_2(state: &sync::State) -> bool {
    state
        .their_capabilities
        .as_ref()
        .is_some_and(|capabilities| capabilities.contains(&Capability::MessageV2))
}
