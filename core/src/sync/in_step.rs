//! Receiving and answering sync messages without walking the document's history.
//!
//! Automerge's `receive_sync_message` trims the hashes already sent to a peer with
//! `filter_changes`, which visits every ancestor of the peer's heads: every change of the
//! document, on every message, even when nothing was sent. On a relay that is one walk of the
//! whole history per acknowledgement, so the cost of a delivery grows with the age of the deal.
//! `generate_sync_message` is cheaper (its clocks are cached) but still builds a bloom filter and
//! scans the changes since the last sync for a reply that, between peers in step, only says
//! "I have your heads".
//!
//! This module does both for the common case where the peer and we end up in step, with the
//! same effect on the [`sync::State`] as Automerge's own functions, and leaves every other case
//! to Automerge:
//!
//! - [`receive`] applies a message exactly as `receive_sync_message` does, except for how it
//!   trims the sent hashes. When the peer's heads are our heads, it has everything we ever sent
//!   it, so the set is cleared outright. Otherwise the changes that are *not* ancestors of the
//!   peer's heads come from Automerge's cached clocks (`get_changes_meta`), in time proportional
//!   to how far behind the peer is, and every other sent hash goes.
//! - [`generate`] builds the reply for a peer that has exactly our heads and with which we share
//!   them: our heads, an empty bloom filter over them, nothing needed, no changes. Anything else
//!   is `None`, and the caller asks Automerge.
//!
//! The test at the end replays random sync sessions and holds both functions to Automerge's
//! results, state field by state field and byte by byte.

use std::collections::HashSet;

use automerge::sync::{self, BloomFilter, Capability, Have, MessageFlags, MessageVersion};
use automerge::{Automerge, AutomergeError, ChangeHash};

/// Applies `message` from a peer to `doc` and its sync `state`, as
/// `Automerge::receive_sync_message` does.
///
/// On an error the document may hold some of the message's changes (as with Automerge's own
/// function); the caller resets the peer's state.
pub(super) fn receive(
    doc: &mut Automerge,
    state: &mut sync::State,
    message: sync::Message,
) -> Result<(), AutomergeError> {
    let sync::Message {
        heads: message_heads,
        changes: message_changes,
        need: message_need,
        have: message_have,
        flags: message_flags,
        ..
    } = message;
    state.in_flight = false;
    let before_heads = doc.get_heads();
    if let Some(flags) = message_flags {
        // A peer that sends flags supports version 2 messages: flags came with them.
        let mut capabilities = vec![Capability::MessageV2];
        if flags.contains(MessageFlags::SUPPORTS_SYNC_RESET) {
            capabilities.push(Capability::SyncReset);
        }
        state.their_capabilities = Some(capabilities);
        if flags.contains(MessageFlags::SYNC_RESET) {
            state.sent_hashes.clear();
        }
        state.peer_read_only = flags.contains(MessageFlags::READ_ONLY);
    }
    let changes_is_empty = message_changes.is_empty();
    if !changes_is_empty && !state.read_only {
        let joined: Vec<u8> = message_changes.iter().flatten().copied().collect();
        doc.load_incremental(&joined)?;
        state.shared_heads = advance_heads(&before_heads, &doc.get_heads(), &state.shared_heads);
    }
    let heads_are_ours = !message_heads.is_empty() && doc.get_heads() == message_heads;
    trim_sent_hashes(doc, state, &message_heads, heads_are_ours);
    if changes_is_empty && message_heads == before_heads {
        state.last_sent_heads.clone_from(&message_heads);
    }
    let known_heads: Vec<ChangeHash> = if heads_are_ours {
        message_heads.clone()
    } else {
        message_heads
            .iter()
            .filter(|head| has_change(doc, head))
            .copied()
            .collect()
    };
    if known_heads.len() == message_heads.len() {
        state.shared_heads.clone_from(&message_heads);
        if message_heads.is_empty() {
            // The peer lost everything: start its sync from scratch.
            state.last_sent_heads = Vec::new();
            state.sent_hashes.clear();
        }
    } else {
        let mut shared: Vec<ChangeHash> = state.shared_heads.to_vec();
        shared.extend(known_heads);
        shared.sort_unstable();
        shared.dedup();
        state.shared_heads = shared;
    }
    state.their_have = Some(message_have);
    state.their_heads = Some(message_heads);
    state.their_need = Some(message_need);
    Ok(())
}

/// Removes from the hashes sent to the peer those it now has: the ancestors of its heads, and
/// the heads themselves.
fn trim_sent_hashes(
    doc: &Automerge,
    state: &mut sync::State,
    message_heads: &[ChangeHash],
    heads_are_ours: bool,
) {
    if state.sent_hashes.is_empty() {
        return;
    }
    if heads_are_ours {
        // Every change we hold is one of our heads or their ancestor.
        state.sent_hashes.clear();
        return;
    }
    let known_heads: Vec<ChangeHash> = message_heads
        .iter()
        .filter(|head| has_change(doc, head))
        .copied()
        .collect();
    if known_heads.is_empty() {
        return;
    }
    // The changes that are not ancestors of those heads, found from Automerge's cached clocks
    // in time proportional to their number. Every hash we sent names a change we hold, so the
    // others are exactly the ancestors.
    let not_theirs: HashSet<ChangeHash> = doc
        .get_changes_meta(&known_heads)
        .into_iter()
        .map(|change| change.hash)
        .collect();
    state.sent_hashes.retain(|hash| not_theirs.contains(hash));
}

/// Whether the document holds the change (Automerge's own `has_change` is not public).
fn has_change(doc: &Automerge, hash: &ChangeHash) -> bool {
    doc.get_change_meta_by_hash(hash).is_some()
}

/// Automerge's `advance_heads`: the heads we now share with the peer after applying its
/// changes, which moved our heads from `old_heads` to `new_heads`.
fn advance_heads(
    old_heads: &[ChangeHash],
    new_heads: &[ChangeHash],
    old_shared: &[ChangeHash],
) -> Vec<ChangeHash> {
    let old: HashSet<&ChangeHash> = old_heads.iter().collect();
    let new: HashSet<&ChangeHash> = new_heads.iter().collect();
    let mut advanced: Vec<ChangeHash> = new_heads
        .iter()
        .filter(|head| !old.contains(head))
        .chain(old_shared.iter().filter(|head| new.contains(head)))
        .copied()
        .collect();
    advanced.sort_unstable();
    advanced.dedup();
    advanced
}

/// What [`generate`] decided.
#[derive(Debug)]
pub(super) enum Reply {
    /// Automerge would send this message; `state` is updated as it would update it.
    Send(sync::Message),
    /// Automerge would send nothing.
    Nothing,
    /// Not a case this module handles: ask Automerge.
    AskAutomerge,
}

/// The reply `generate_sync_message` would give a peer that is in step with us: it has our
/// heads, needs nothing, and we share our heads with it.
pub(super) fn generate(doc: &Automerge, state: &mut sync::State) -> Reply {
    let our_heads = doc.get_heads();
    let in_step = !our_heads.is_empty()
        && state.their_heads.as_deref() == Some(our_heads.as_slice())
        && state.shared_heads == our_heads
        && state.their_need.as_ref().is_none_or(Vec::is_empty)
        && !state.needs_reset;
    if !in_step {
        return Reply::AskAutomerge;
    }
    // Automerge answers a `have` that names changes we lack with a reset.
    let knows_their_last_sync = state
        .their_have
        .as_ref()
        .and_then(|have| have.first())
        .is_none_or(|have| have.last_sync.iter().all(|hash| has_change(doc, hash)));
    if !knows_their_last_sync {
        return Reply::AskAutomerge;
    }
    // Nothing to send: the peer has our heads, so its bloom filter holds every change of ours
    // since its last sync (a bloom filter has no false negatives) and it needs nothing.
    if state.last_sent_heads == our_heads && state.have_responded {
        // Heads equal, nothing to send: Automerge stays silent.
        return Reply::Nothing;
    }
    state.have_responded = true;
    state.last_sent_heads.clone_from(&our_heads);
    let mut flags = MessageFlags::new();
    flags.set(MessageFlags::SUPPORTS_SYNC_RESET);
    if state.read_only {
        flags.set(MessageFlags::READ_ONLY);
    }
    let version = if state
        .their_capabilities
        .as_ref()
        .is_some_and(|capabilities| capabilities.contains(&Capability::MessageV2))
    {
        MessageVersion::V2
    } else {
        MessageVersion::V1
    };
    state.in_flight = true;
    Reply::Send(sync::Message {
        have: vec![Have {
            last_sync: our_heads.clone(),
            bloom: BloomFilter::from_hashes(std::iter::empty::<ChangeHash>()),
        }],
        heads: our_heads,
        need: Vec::new(),
        changes: sync::ChunkList::empty(),
        flags: Some(flags),
        version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::ROOT;
    use automerge::sync::SyncDoc;
    use automerge::transaction::Transactable;
    use proptest::prelude::*;

    /// One step of a random sync session between replicas.
    #[derive(Clone, Debug)]
    enum Action {
        /// Replica `at` sets a field.
        Edit { at: usize, key: u8, value: u32 },
        /// Replica `from` generates its next message for `to`.
        Generate { from: usize, to: usize },
        /// `to` receives the oldest message in flight from `from`.
        Deliver { from: usize, to: usize },
        /// The oldest message in flight from `from` to `to` is lost.
        Lose { from: usize, to: usize },
        /// `at` forgets its sync state for `peer` (a reconnect).
        Reconnect { at: usize, peer: usize },
    }

    const REPLICAS: usize = 3;

    fn action() -> impl Strategy<Value = Action> {
        let pair = (0..REPLICAS, 1..REPLICAS)
            .prop_map(|(from, offset)| (from, (from + offset) % REPLICAS));
        prop_oneof![
            3 => (0..REPLICAS, 0..4u8, any::<u32>()).prop_map(|(at, key, value)| Action::Edit { at, key, value }),
            4 => pair.clone().prop_map(|(from, to)| Action::Generate { from, to }),
            4 => pair.clone().prop_map(|(from, to)| Action::Deliver { from, to }),
            1 => pair.clone().prop_map(|(from, to)| Action::Lose { from, to }),
            1 => pair.prop_map(|(at, peer)| Action::Reconnect { at, peer }),
        ]
    }

    /// How often each shortcut answered instead of Automerge.
    #[derive(Default)]
    struct Tally {
        generated: usize,
        silent: usize,
        cleared: usize,
        received: usize,
    }

    /// Replays `actions` with Automerge's own functions, and at every receive and generate
    /// checks that this module's functions, run on copies, end in the same place.
    fn replay(actions: &[Action], tally: &mut Tally) -> Result<(), TestCaseError> {
        let mut docs: Vec<Automerge> = (0..REPLICAS)
            .map(|idx| Automerge::new().with_actor(automerge::ActorId::from(vec![idx as u8 + 1])))
            .collect();
        let mut states = vec![vec![sync::State::new(); REPLICAS]; REPLICAS];
        let mut in_flight: Vec<Vec<std::collections::VecDeque<Vec<u8>>>> =
            vec![vec![std::collections::VecDeque::new(); REPLICAS]; REPLICAS];
        for action in actions {
            match *action {
                Action::Edit { at, key, value } => {
                    let mut tx = docs[at].transaction();
                    tx.put(ROOT, format!("k{key}"), u64::from(value))
                        .map_err(|e| TestCaseError::fail(e.to_string()))?;
                    tx.commit();
                }
                Action::Generate { from, to } => {
                    let mut ours = states[from][to].clone();
                    let reply = generate(&docs[from], &mut ours);
                    let theirs = docs[from].generate_sync_message(&mut states[from][to]);
                    match reply {
                        Reply::Send(message) => {
                            let expected = theirs.as_ref().map(|m| m.clone().encode());
                            prop_assert_eq!(Some(message.encode()), expected);
                            prop_assert_eq!(&ours, &states[from][to]);
                            tally.generated += 1;
                        }
                        Reply::Nothing => {
                            prop_assert!(theirs.is_none());
                            prop_assert_eq!(&ours, &states[from][to]);
                            tally.silent += 1;
                        }
                        Reply::AskAutomerge => {}
                    }
                    if let Some(message) = theirs {
                        in_flight[from][to].push_back(message.encode());
                    }
                }
                Action::Deliver { from, to } => {
                    let Some(bytes) = in_flight[from][to].pop_front() else {
                        continue;
                    };
                    let message = sync::Message::decode(&bytes)
                        .map_err(|e| TestCaseError::fail(e.to_string()))?;
                    let before = states[to][from].clone();
                    let mut our_doc = docs[to].fork();
                    let mut ours = before.clone();
                    let our_result = receive(&mut our_doc, &mut ours, message.clone());
                    let their_result =
                        docs[to].receive_sync_message(&mut states[to][from], message);
                    prop_assert_eq!(our_result.is_ok(), their_result.is_ok());
                    prop_assert_eq!(our_doc.get_heads(), docs[to].get_heads());
                    // Every field as Automerge leaves it, the sent hashes included.
                    prop_assert_eq!(&ours, &states[to][from]);
                    if !before.sent_hashes.is_empty() && ours.sent_hashes.is_empty() {
                        tally.cleared += 1;
                    }
                    tally.received += 1;
                }
                Action::Lose { from, to } => {
                    in_flight[from][to].pop_front();
                }
                Action::Reconnect { at, peer } => {
                    states[at][peer] = sync::State::new();
                    in_flight[at][peer].clear();
                    in_flight[peer][at].clear();
                    states[peer][at] = sync::State::new();
                }
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        #[test]
        fn receive_and_generate_match_automerge(
            actions in proptest::collection::vec(action(), 1..120),
        ) {
            let mut tally = Tally::default();
            replay(&actions, &mut tally)?;
        }
    }

    /// The property above would pass if the shortcuts never answered: a fixed session where
    /// they must.
    #[test]
    fn the_shortcuts_answer_a_plain_exchange() {
        let mut actions = Vec::new();
        for round in 0..20u32 {
            actions.push(Action::Edit {
                at: (round % 2) as usize,
                key: (round % 4) as u8,
                value: round,
            });
            for _ in 0..3 {
                actions.push(Action::Generate { from: 0, to: 1 });
                actions.push(Action::Deliver { from: 0, to: 1 });
                actions.push(Action::Generate { from: 1, to: 0 });
                actions.push(Action::Deliver { from: 1, to: 0 });
            }
        }
        let mut tally = Tally::default();
        replay(&actions, &mut tally).unwrap();
        // Each of the 20 edits is acknowledged by a reply built here, which also clears the
        // hashes sent to its author; the rounds after it are silences decided here.
        assert!(
            tally.generated >= 20,
            "{} replies built here",
            tally.generated
        );
        assert!(tally.cleared >= 20, "{} sent sets cleared", tally.cleared);
        assert!(tally.silent >= 20, "{} silences decided here", tally.silent);
    }
}
