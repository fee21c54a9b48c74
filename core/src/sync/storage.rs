//! How a document is kept in a key/value store, laid out exactly like automerge-repo's storage so
//! the relay (SQLite) and the browser (IndexedDB) hold the same chunks:
//!
//! - `[documentId, "incremental", sha256-hex(bytes)]`: the changes since the previous save
//!   (`save_after`), keyed by the hash of their bytes;
//! - `[documentId, "snapshot", sha256-hex(heads)]`: a compacted `save()`, keyed by the hash of the
//!   document's heads written as lowercase hex strings and concatenated, as `keyHash.ts` does.
//!
//! Saving yields [`StorageOp`]s for the driver to execute **in order**: a compaction is a `Put` of
//! the snapshot followed by `Delete`s of the chunks it replaces, so a crash between the two leaves
//! duplicate data, never missing data.

use std::fmt;

use automerge::{
    Automerge, AutomergeError, Change, ChangeHash, LoadOptions, OnPartialLoad, ReadDoc,
};
use sha2::{Digest, Sha256};

use super::chunk::{
    CHANGE_CHUNK, COMPRESSED_CHANGE_CHUNK, DOCUMENT_CHUNK, check_inflated_size, split_frames,
};
use super::document_id::DocumentId;
use super::error::SyncError;
use super::limits::Limits;

/// The kind of a stored chunk (the key's middle part).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ChunkKind {
    /// A full `save()` of the document.
    Snapshot,
    /// Changes since an earlier save.
    Incremental,
}

impl ChunkKind {
    /// The key segment, `"snapshot"` or `"incremental"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChunkKind::Snapshot => "snapshot",
            ChunkKind::Incremental => "incremental",
        }
    }
}

/// A storage key: a path of strings, `[documentId, kind, hash]` for document chunks. Keys are
/// arrays so a store can answer prefix (range) queries such as "every chunk of this document".
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StorageKey(Vec<String>);

impl StorageKey {
    /// A key from its parts, e.g. as read back from a store.
    pub fn from_parts(parts: Vec<String>) -> Self {
        StorageKey(parts)
    }

    /// The key of an incremental chunk: `[documentId, "incremental", sha256-hex(bytes)]`.
    pub fn incremental(document_id: DocumentId, bytes: &[u8]) -> Self {
        StorageKey(vec![
            document_id.to_string(),
            ChunkKind::Incremental.as_str().to_owned(),
            hex::encode(Sha256::digest(bytes)),
        ])
    }

    /// The key of a snapshot: `[documentId, "snapshot", sha256-hex(heads as hex, concatenated)]`.
    pub fn snapshot(document_id: DocumentId, heads: &[ChangeHash]) -> Self {
        let mut hasher = Sha256::new();
        for head in heads {
            hasher.update(head.to_string().as_bytes());
        }
        StorageKey(vec![
            document_id.to_string(),
            ChunkKind::Snapshot.as_str().to_owned(),
            hex::encode(hasher.finalize()),
        ])
    }

    /// The prefix under which all chunks of a document live, `[documentId]`, for range loads.
    pub fn document_prefix(document_id: DocumentId) -> Self {
        StorageKey(vec![document_id.to_string()])
    }

    /// The parts of the key.
    pub fn parts(&self) -> &[String] {
        &self.0
    }

    /// Consumes the key, giving its parts (for a store's own key type, without copying).
    pub fn into_parts(self) -> Vec<String> {
        self.0
    }

    /// The chunk kind, if this is a three-part document chunk key.
    pub fn chunk_kind(&self) -> Option<ChunkKind> {
        match self.0.as_slice() {
            [_, kind, _] if kind == "snapshot" => Some(ChunkKind::Snapshot),
            [_, kind, _] if kind == "incremental" => Some(ChunkKind::Incremental),
            _ => None,
        }
    }

    /// Whether the key starts with `prefix`.
    pub fn starts_with(&self, prefix: &StorageKey) -> bool {
        self.0.starts_with(&prefix.0)
    }
}

impl fmt::Debug for StorageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StorageKey({})", self.0.join("/"))
    }
}

impl fmt::Display for StorageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("/"))
    }
}

/// One write the driver must perform. Execute a list of them in order; see the module docs.
#[derive(Clone, PartialEq, Eq)]
pub enum StorageOp {
    /// Store `bytes` under `key` (overwrite if present: equal keys hold equal bytes).
    Put {
        /// Where.
        key: StorageKey,
        /// What.
        bytes: Vec<u8>,
    },
    /// Remove `key` (no error if absent).
    Delete {
        /// Which.
        key: StorageKey,
    },
}

impl StorageOp {
    /// The key the operation touches.
    pub fn key(&self) -> &StorageKey {
        match self {
            StorageOp::Put { key, .. } | StorageOp::Delete { key } => key,
        }
    }
}

impl fmt::Debug for StorageOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageOp::Put { key, bytes } => write!(f, "Put({key}, {} bytes)", bytes.len()),
            StorageOp::Delete { key } => write!(f, "Delete({key})"),
        }
    }
}

/// Compaction starts once the incremental chunks add up to at least the snapshot's size and this
/// many bytes, so small documents are not rewritten on every keystroke.
const MIN_COMPACTION_BYTES: usize = 1024;
/// Compaction also starts once this many incremental chunks pile up, to keep loads fast.
const MAX_INCREMENTAL_CHUNKS: usize = 64;
/// Unless compaction is manual, a document whose chunks add up to less than this wants a
/// compaction as soon as it has more than one chunk, so that it is kept as one snapshot.
/// Rewriting a small document (`save()`, about 0.1 ms per KiB) costs less than what a second
/// chunk costs on every load (its own parse and an `apply_changes` after the snapshot's `load`),
/// and a page opens every deal it holds at start-up. A typical deal stays below it for its first
/// few dozen edits.
const SMALL_DOCUMENT_BYTES: usize = 4 * 1024;

/// What is on disk for one document and which heads it covers: decides between an incremental
/// save and a compaction.
///
/// The compaction rule (automerge-repo compacts when incrementals outgrow the snapshot, and always
/// below 1 KiB): compact when the incremental chunks together are at least as large as the
/// snapshot and at least 1 KiB, or when there are more than 64 of them, or on the first save.
/// Unless compaction is manual (a relay), a document stored in less than 4 KiB in more than one
/// chunk wants a compaction at once ([`StoredChunks::wants_compaction`]; `save` itself still
/// writes the change incrementally): the browser's sync client compacts it right after the save
/// or the load, so that opening it next time is a single `load`.
#[derive(Clone, Debug, Default)]
pub struct StoredChunks {
    saved_heads: Vec<ChangeHash>,
    chunks: Vec<ChunkInfo>,
    manual_compaction: bool,
}

#[derive(Clone, Debug)]
struct ChunkInfo {
    key: StorageKey,
    kind: ChunkKind,
    size: usize,
}

impl StoredChunks {
    /// Nothing stored yet.
    pub fn new() -> Self {
        StoredChunks::default()
    }

    /// The heads covered by the chunks written so far.
    pub fn saved_heads(&self) -> &[ChangeHash] {
        &self.saved_heads
    }

    /// The keys believed to be in the store.
    pub fn keys(&self) -> impl Iterator<Item = &StorageKey> {
        self.chunks.iter().map(|chunk| &chunk.key)
    }

    /// Leaves compaction to the caller (`true`): saves after the first are then always
    /// incremental, and [`StoredChunks::wants_compaction`] says when to call
    /// [`StoredChunks::compact`], e.g. from a background task on a server, off the path of
    /// incoming changes.
    pub fn set_manual_compaction(&mut self, manual: bool) {
        self.manual_compaction = manual;
    }

    /// Whether the compaction rule (see the type's docs) asks for a compaction now.
    pub fn wants_compaction(&self) -> bool {
        !self.saved_heads.is_empty() && self.should_compact()
    }

    /// Whether `doc` has changes not yet covered by a save.
    pub fn is_dirty(&self, doc: &Automerge) -> bool {
        doc.get_heads() != self.saved_heads
    }

    /// The writes that persist `doc`: nothing if its heads are already saved, an incremental
    /// chunk, or a compaction (snapshot `Put` first, then `Delete`s of the replaced chunks).
    pub fn save(&mut self, document_id: DocumentId, doc: &Automerge) -> Vec<StorageOp> {
        let heads = doc.get_heads();
        if heads == self.saved_heads {
            return Vec::new();
        }
        if self.saved_heads.is_empty() || (!self.manual_compaction && self.should_compact()) {
            return self.compact(document_id, doc);
        }
        let bytes = doc.save_after(&self.saved_heads);
        self.saved_heads = heads;
        if bytes.is_empty() {
            return Vec::new();
        }
        let key = StorageKey::incremental(document_id, &bytes);
        self.chunks.push(ChunkInfo {
            key: key.clone(),
            kind: ChunkKind::Incremental,
            size: bytes.len(),
        });
        vec![StorageOp::Put { key, bytes }]
    }

    /// Writes one snapshot of `doc` and deletes every other chunk, whatever the rule says.
    pub fn compact(&mut self, document_id: DocumentId, doc: &Automerge) -> Vec<StorageOp> {
        let heads = doc.get_heads();
        let bytes = doc.save();
        let key = StorageKey::snapshot(document_id, &heads);
        let mut ops = Vec::with_capacity(1 + self.chunks.len());
        let size = bytes.len();
        ops.push(StorageOp::Put {
            key: key.clone(),
            bytes,
        });
        for old in self.chunks.drain(..) {
            if old.key != key {
                ops.push(StorageOp::Delete { key: old.key });
            }
        }
        self.chunks.push(ChunkInfo {
            key,
            kind: ChunkKind::Snapshot,
            size,
        });
        self.saved_heads = heads;
        ops
    }

    /// Whether the chunks add up to less than [`SMALL_DOCUMENT_BYTES`].
    fn is_small(&self) -> bool {
        self.chunks.iter().map(|chunk| chunk.size).sum::<usize>() < SMALL_DOCUMENT_BYTES
    }

    fn should_compact(&self) -> bool {
        if self.saved_heads.is_empty() {
            return true;
        }
        if !self.manual_compaction && self.chunks.len() > 1 && self.is_small() {
            return true;
        }
        let (mut snapshot_bytes, mut incremental_bytes, mut incremental_chunks) = (0, 0, 0);
        for chunk in &self.chunks {
            match chunk.kind {
                ChunkKind::Snapshot => snapshot_bytes += chunk.size,
                ChunkKind::Incremental => {
                    incremental_bytes += chunk.size;
                    incremental_chunks += 1;
                }
            }
        }
        incremental_chunks > MAX_INCREMENTAL_CHUNKS
            || incremental_bytes >= snapshot_bytes.max(MIN_COMPACTION_BYTES)
    }
}

/// A document read back from its chunks.
#[derive(Debug)]
pub struct LoadedDocument {
    /// The document.
    pub doc: Automerge,
    /// The chunks it came from, to continue saving incrementally.
    pub chunks: StoredChunks,
    /// Chunks whose tail was cut off (e.g. a write interrupted by a crash): the complete part was
    /// loaded, the rest skipped. The next compaction replaces them.
    pub truncated: Vec<StorageKey>,
}

/// Loads a document from its stored chunks (any order; keys that are not this document's
/// snapshot or incremental chunks are ignored).
///
/// Tolerates a chunk whose last Automerge frame is cut short (reported in
/// [`LoadedDocument::truncated`]) but rejects bytes that are not Automerge data, chunks failing
/// their checksum, a total above [`Limits::max_stored_bytes`] (checked before any parsing),
/// compressed parts inflating beyond [`Limits::max_inflated_bytes`] (checked before Automerge
/// inflates them) and a loaded document above [`Limits::max_document_ops`].
pub fn load_chunks(
    document_id: DocumentId,
    chunks: impl IntoIterator<Item = (StorageKey, Vec<u8>)>,
    limits: &Limits,
) -> Result<LoadedDocument, SyncError> {
    let corrupt = |reason: String| SyncError::CorruptStorage {
        document_id: document_id.to_string(),
        reason,
    };
    let prefix = StorageKey::document_prefix(document_id);
    let mut ours: Vec<(StorageKey, ChunkKind, Vec<u8>)> = chunks
        .into_iter()
        .filter(|(key, _)| key.starts_with(&prefix))
        .filter_map(|(key, bytes)| key.chunk_kind().map(|kind| (key, kind, bytes)))
        .collect();
    let total: usize = ours.iter().map(|(_, _, bytes)| bytes.len()).sum();
    if total > limits.max_stored_bytes {
        return Err(SyncError::StoredTooLarge {
            document_id: document_id.to_string(),
            bytes: total,
            max: limits.max_stored_bytes,
        });
    }
    // Snapshots first, as automerge-repo loads them; then a stable order for determinism.
    ours.sort_by(|(key_a, kind_a, _), (key_b, kind_b, _)| {
        (*kind_a == ChunkKind::Incremental, key_a).cmp(&(*kind_b == ChunkKind::Incremental, key_b))
    });

    let mut doc = Automerge::new();
    let mut changes: Vec<Change> = Vec::new();
    let mut stored = StoredChunks::new();
    let mut truncated = Vec::new();
    let mut inflated: usize = 0;
    for (key, kind, bytes) in &ours {
        let frames = split_frames(bytes).map_err(|reason| corrupt(format!("{key}: {reason}")))?;
        if frames.truncated {
            truncated.push(key.clone());
        }
        for frame in frames.complete {
            let budget = limits.max_inflated_bytes.saturating_sub(inflated);
            inflated +=
                check_inflated_size(&frame, budget).map_err(|_| SyncError::InflatesTooLarge {
                    document_id: document_id.to_string(),
                    max: limits.max_inflated_bytes,
                })?;
            match frame.chunk_type {
                DOCUMENT_CHUNK => {
                    let mut loaded = Automerge::load_with_options(
                        frame.bytes,
                        LoadOptions::new().on_partial_load(OnPartialLoad::Error),
                    )
                    .map_err(|error| corrupt(format!("{key}: {error}")))?;
                    if doc.is_empty() {
                        doc = loaded;
                    } else {
                        doc.merge(&mut loaded)
                            .map_err(|error| corrupt(format!("{key}: {error}")))?;
                    }
                }
                CHANGE_CHUNK | COMPRESSED_CHANGE_CHUNK => changes.push(
                    Change::try_from(frame.bytes)
                        .map_err(|error| corrupt(format!("{key}: {error}")))?,
                ),
                // Newer chunk types (bundles) are left to automerge itself.
                _ => {
                    doc.load_incremental(frame.bytes)
                        .map_err(|error| corrupt(format!("{key}: {error}")))?;
                }
            }
        }
        stored.chunks.push(ChunkInfo {
            key: key.clone(),
            kind: *kind,
            size: bytes.len(),
        });
    }
    doc.apply_changes(changes)
        .map_err(|error: AutomergeError| corrupt(error.to_string()))?;
    let ops = doc.stats().num_ops;
    if ops > limits.max_document_ops {
        return Err(SyncError::DocumentTooLarge {
            document_id: document_id.to_string(),
            ops,
            max_ops: limits.max_document_ops,
        });
    }
    stored.saved_heads = doc.get_heads();
    Ok(LoadedDocument {
        doc,
        chunks: stored,
        truncated,
    })
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{ROOT, ReadDoc};

    use super::*;

    fn document_id() -> DocumentId {
        DocumentId::from_random_bytes([5; 16])
    }

    fn doc_with(values: &[(&str, i64)]) -> Automerge {
        let mut doc = Automerge::new();
        for (key, value) in values {
            let mut tx = doc.transaction();
            tx.put(ROOT, *key, *value).unwrap();
            tx.commit();
        }
        doc
    }

    fn apply(store: &mut Vec<(StorageKey, Vec<u8>)>, ops: Vec<StorageOp>) {
        for op in ops {
            match op {
                StorageOp::Put { key, bytes } => {
                    store.retain(|(existing, _)| existing != &key);
                    store.push((key, bytes));
                }
                StorageOp::Delete { key } => store.retain(|(existing, _)| existing != &key),
            }
        }
    }

    #[test]
    fn snapshot_key_matches_automerge_repo_key_hash() {
        // keyHash.ts hashes the hex heads joined without separator; one known head from the
        // JS fixtures, hashed by `fast-sha256` in Node while generating them.
        let head: ChangeHash = "0fce4ebdd63539037836f947f16eb75f5d5e6e5f066ff688edd36bb71578d208"
            .parse()
            .unwrap();
        let key = StorageKey::snapshot(document_id(), &[head]);
        assert_eq!(
            key.parts()[2],
            "0c8af2c82d2416e5d1edf20695b8277c26b515944ba60a0b0bf697816bb7f996"
        );
        // `keyHash(new Uint8Array([1, 2, 3]))` in Node.
        assert_eq!(
            StorageKey::incremental(document_id(), &[1, 2, 3]).parts()[2],
            "039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81"
        );
        assert_eq!(key.chunk_kind(), Some(ChunkKind::Snapshot));
        assert_eq!(StorageKey::from_parts(vec!["x".into()]).chunk_kind(), None);
    }

    #[test]
    fn first_save_is_a_snapshot_then_incrementals_then_compaction() {
        let mut doc = doc_with(&[("a", 1)]);
        let mut stored = StoredChunks::new();
        let mut store = Vec::new();
        let first = stored.save(document_id(), &doc);
        assert!(
            matches!(first.as_slice(), [StorageOp::Put { key, .. }] if key.chunk_kind() == Some(ChunkKind::Snapshot))
        );
        apply(&mut store, first);
        assert!(
            stored.save(document_id(), &doc).is_empty(),
            "nothing new to save"
        );

        let mut saw_compaction = false;
        for round in 0..200 {
            let mut tx = doc.transaction();
            tx.put(ROOT, format!("key{round}"), "x".repeat(40)).unwrap();
            tx.commit();
            let ops = stored.save(document_id(), &doc);
            if ops.len() > 1 {
                saw_compaction = true;
                assert!(
                    matches!(ops[0], StorageOp::Put { .. }),
                    "snapshot is written first"
                );
                assert!(
                    ops[1..]
                        .iter()
                        .all(|op| matches!(op, StorageOp::Delete { .. }))
                );
            }
            apply(&mut store, ops);
            assert!(!stored.is_dirty(&doc));
        }
        assert!(saw_compaction);
        let loaded = load_chunks(document_id(), store, &Limits::default()).unwrap();
        assert_eq!(loaded.doc.get_heads(), doc.get_heads());
        assert!(loaded.truncated.is_empty());
    }

    #[test]
    fn a_small_document_in_several_chunks_wants_compaction() {
        let mut doc = doc_with(&[("a", 1)]);
        let mut stored = StoredChunks::new();
        let mut store = Vec::new();
        apply(&mut store, stored.save(document_id(), &doc));
        for round in 0..5 {
            let mut tx = doc.transaction();
            tx.put(ROOT, format!("key{round}"), "x".repeat(40)).unwrap();
            tx.commit();
            let ops = stored.save(document_id(), &doc);
            assert!(
                matches!(ops.as_slice(), [StorageOp::Put { key, .. }] if key.chunk_kind() == Some(ChunkKind::Incremental)),
                "{ops:?}"
            );
            apply(&mut store, ops);
            assert!(stored.wants_compaction(), "two chunks of a small document");
            let ops = stored.compact(document_id(), &doc);
            assert!(
                matches!(ops.as_slice(), [StorageOp::Put { key, .. }, StorageOp::Delete { .. }, StorageOp::Delete { .. }] if key.chunk_kind() == Some(ChunkKind::Snapshot)),
                "{ops:?}"
            );
            apply(&mut store, ops);
            assert_eq!(store.len(), 1, "one snapshot");
            assert!(!stored.wants_compaction());
        }
        let loaded = load_chunks(document_id(), store, &Limits::default()).unwrap();
        assert_eq!(loaded.doc.get_heads(), doc.get_heads());
        assert!(!loaded.chunks.wants_compaction());
    }

    #[test]
    fn a_larger_document_keeps_incremental_chunks() {
        // Values that do not compress, so the snapshot outgrows the small-document size.
        let mut doc = Automerge::new();
        let mut tx = doc.transaction();
        for index in 0..200 {
            tx.put(
                ROOT,
                format!("key{index}"),
                hex::encode(Sha256::digest(index.to_string())),
            )
            .unwrap();
        }
        tx.commit();
        let mut stored = StoredChunks::new();
        let mut store = Vec::new();
        apply(&mut store, stored.save(document_id(), &doc));
        assert!(store[0].1.len() > SMALL_DOCUMENT_BYTES);
        let mut tx = doc.transaction();
        tx.put(ROOT, "b", 2).unwrap();
        tx.commit();
        let ops = stored.save(document_id(), &doc);
        assert!(
            matches!(ops.as_slice(), [StorageOp::Put { key, .. }] if key.chunk_kind() == Some(ChunkKind::Incremental))
        );
        apply(&mut store, ops);
        assert!(
            !stored.wants_compaction(),
            "a larger document keeps its incrementals"
        );
        let loaded = load_chunks(document_id(), store, &Limits::default()).unwrap();
        assert!(!loaded.chunks.wants_compaction());
    }

    #[test]
    fn a_small_document_loaded_from_several_chunks_wants_compaction() {
        let doc = doc_with(&[("a", 1)]);
        let mut later = doc.clone();
        let mut tx = later.transaction();
        tx.put(ROOT, "b", 2).unwrap();
        tx.commit();
        let store = vec![
            (
                StorageKey::snapshot(document_id(), &doc.get_heads()),
                doc.save(),
            ),
            (
                StorageKey::incremental(document_id(), &later.save_after(&doc.get_heads())),
                later.save_after(&doc.get_heads()),
            ),
        ];
        let mut loaded = load_chunks(document_id(), store.clone(), &Limits::default()).unwrap();
        assert!(loaded.chunks.wants_compaction());
        let ops = loaded.chunks.compact(document_id(), &loaded.doc);
        assert_eq!(
            ops.len(),
            3,
            "one snapshot written, both old chunks deleted"
        );
        assert!(!loaded.chunks.wants_compaction());

        // A relay compacts on its own schedule: the same chunks do not ask for it.
        let mut relay = load_chunks(document_id(), store, &Limits::default()).unwrap();
        relay.chunks.set_manual_compaction(true);
        assert!(!relay.chunks.wants_compaction());
    }

    #[test]
    fn manual_compaction_saves_incrementally_until_asked() {
        let mut doc = doc_with(&[("a", 1)]);
        let mut stored = StoredChunks::new();
        stored.set_manual_compaction(true);
        let mut store = Vec::new();
        apply(&mut store, stored.save(document_id(), &doc));
        assert!(!stored.wants_compaction());
        for round in 0..100 {
            let mut tx = doc.transaction();
            tx.put(ROOT, format!("key{round}"), "x".repeat(40)).unwrap();
            tx.commit();
            let ops = stored.save(document_id(), &doc);
            assert!(
                matches!(ops.as_slice(), [StorageOp::Put { key, .. }] if key.chunk_kind() == Some(ChunkKind::Incremental))
            );
            apply(&mut store, ops);
        }
        assert!(stored.wants_compaction());
        let ops = stored.compact(document_id(), &doc);
        assert!(ops.len() > 1);
        apply(&mut store, ops);
        assert!(!stored.wants_compaction());
        assert_eq!(store.len(), 1, "one snapshot left");
        let loaded = load_chunks(document_id(), store, &Limits::default()).unwrap();
        assert_eq!(loaded.doc.get_heads(), doc.get_heads());
    }

    #[test]
    fn tolerates_a_truncated_tail_but_rejects_garbage() {
        let doc = doc_with(&[("a", 1)]);
        let snapshot = doc.save();
        let mut later = doc.clone();
        let mut tx = later.transaction();
        tx.put(ROOT, "b", 2).unwrap();
        tx.commit();
        let incremental = later.save_after(&doc.get_heads());
        let cut = incremental[..incremental.len() - 3].to_vec();
        let chunks = vec![
            (
                StorageKey::snapshot(document_id(), &doc.get_heads()),
                snapshot.clone(),
            ),
            (StorageKey::incremental(document_id(), &incremental), cut),
        ];
        let loaded = load_chunks(document_id(), chunks, &Limits::default()).unwrap();
        assert_eq!(loaded.doc.get_heads(), doc.get_heads());
        assert_eq!(loaded.truncated.len(), 1);

        let garbage = vec![(
            StorageKey::incremental(document_id(), b"junk"),
            b"junk bytes".to_vec(),
        )];
        assert!(matches!(
            load_chunks(document_id(), garbage, &Limits::default()),
            Err(SyncError::CorruptStorage { .. })
        ));
        let mut flipped = snapshot;
        let last = flipped.len() - 1;
        flipped[last] ^= 0xff;
        let bad_checksum = vec![(StorageKey::snapshot(document_id(), &[]), flipped)];
        assert!(load_chunks(document_id(), bad_checksum, &Limits::default()).is_err());
    }

    #[test]
    fn enforces_size_caps_and_ignores_foreign_keys() {
        let doc = doc_with(&[("a", 1), ("b", 2), ("c", 3)]);
        let chunks = vec![
            (
                StorageKey::snapshot(document_id(), &doc.get_heads()),
                doc.save(),
            ),
            (
                StorageKey::from_parts(vec!["other".into(), "snapshot".into(), "x".into()]),
                b"junk".to_vec(),
            ),
            (
                StorageKey::from_parts(vec![
                    document_id().to_string(),
                    "sync-state".into(),
                    "s".into(),
                ]),
                b"junk".to_vec(),
            ),
        ];
        let small_input = Limits {
            max_stored_bytes: 10,
            ..Limits::default()
        };
        assert!(matches!(
            load_chunks(document_id(), chunks.clone(), &small_input),
            Err(SyncError::StoredTooLarge { .. })
        ));
        let few_ops = Limits {
            max_document_ops: 2,
            ..Limits::default()
        };
        assert!(matches!(
            load_chunks(document_id(), chunks.clone(), &few_ops),
            Err(SyncError::DocumentTooLarge { ops: 3, .. })
        ));
        let loaded = load_chunks(document_id(), chunks, &Limits::default()).unwrap();
        assert_eq!(
            loaded.doc.get(ROOT, "c").unwrap().unwrap().0.as_i64(),
            Some(3)
        );
    }

    #[test]
    fn loads_the_js_document_fixture() {
        let bytes = include_bytes!("../../tests/fixtures/sync/am-doc.bin").to_vec();
        let chunks = vec![(StorageKey::snapshot(document_id(), &[]), bytes)];
        let loaded = load_chunks(document_id(), chunks, &Limits::default()).unwrap();
        assert_eq!(
            loaded.doc.get_heads()[0].to_string(),
            "c167b8c0645212d6568ad188c9a1c485714aa6ac098db4cbcfd957690e49248c"
        );
    }
}
