//! Size caps applied to everything a peer or the storage hands us.

use serde::{Deserialize, Serialize};

/// The default cap on one frame, 8 MiB.
pub const MAX_FRAME_BYTES: usize = 8 * 1024 * 1024;

/// Caps on frames, documents and stored data. Checked before any decoding or allocation that
/// depends on the input, because Automerge's compressed chunks inflate without bound.
///
/// ```
/// use dealflow_core::sync::Limits;
/// let limits = Limits { max_frame_bytes: 1024 * 1024, ..Limits::default() };
/// assert_eq!(limits.max_nesting, Limits::default().max_nesting);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct Limits {
    /// Largest frame accepted, in bytes; larger frames are refused before decoding.
    pub max_frame_bytes: usize,
    /// Deepest nesting of CBOR maps and arrays accepted in a frame (our messages need 3).
    pub max_nesting: usize,
    /// Largest document accepted, in Automerge operations; changes that would grow a document
    /// beyond it are refused.
    pub max_document_ops: u64,
    /// Largest total of stored chunks loaded for one document, in bytes.
    pub max_stored_bytes: usize,
    /// Largest size the compressed parts of one sync message, or of one document's stored
    /// chunks, may inflate to, in bytes; checked before Automerge inflates anything.
    pub max_inflated_bytes: usize,
    /// How many ephemeral senders (peer, session) a document remembers for de-duplication.
    pub max_ephemeral_sessions: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_frame_bytes: MAX_FRAME_BYTES,
            max_nesting: 8,
            max_document_ops: 2_000_000,
            max_stored_bytes: 64 * 1024 * 1024,
            max_inflated_bytes: 128 * 1024 * 1024,
            max_ephemeral_sessions: 1024,
        }
    }
}
