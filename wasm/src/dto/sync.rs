//! The sync client's boundary types: storage writes, frames and events of one step, stored
//! chunks, and presence.
//!
//! These carry bytes, so they are built as JS objects with `Uint8Array`s by [`crate::repo`]
//! rather than through JSON; the declarations below are what TypeScript sees.

use dealflow_core::sync;
use serde::Serialize;
use tsify::Tsify;

use super::error::ErrorDetails;
use crate::convert::{Named, serialize_by_name};

serialize_by_name!(DocumentStatus, PresenceActivity);

/// A storage key: `[documentId, "snapshot" | "incremental", hash]`, automerge-repo's layout.
/// IndexedDB can use it as an array key, so a document's chunks are one key range.
pub type StorageKeyParts = Vec<String>;

/// One chunk of a stored document, as read back from IndexedDB.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
pub struct StoredChunk {
    /// Its key.
    pub key: StorageKeyParts,
    /// Its bytes.
    #[tsify(type = "Uint8Array")]
    pub bytes: Vec<u8>,
}

/// A storage write to execute, in order and durably, before sending the step's frames.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StorageWrite {
    /// Store `bytes` under `key` (overwrite: equal keys hold equal bytes).
    Put {
        /// Where.
        key: StorageKeyParts,
        /// What.
        #[tsify(type = "Uint8Array")]
        bytes: Vec<u8>,
    },
    /// Remove `key` (no error when absent).
    Delete {
        /// Which.
        key: StorageKeyParts,
    },
}

/// Where a document stands on this client.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Tsify)]
pub enum DocumentStatus {
    /// Asked for, nothing received yet (also while offline).
    #[serde(rename = "requesting")]
    Requesting,
    /// Content is present and editable.
    #[serde(rename = "ready")]
    Ready,
    /// The relay answered that the document is unknown or not shared with this user.
    #[serde(rename = "unavailable")]
    Unavailable,
}

impl Named for DocumentStatus {
    const EXPECTED: &'static str = "one of \"requesting\", \"ready\", \"unavailable\"";

    fn from_name(name: &str) -> Option<Self> {
        match name {
            "requesting" => Some(DocumentStatus::Requesting),
            "ready" => Some(DocumentStatus::Ready),
            "unavailable" => Some(DocumentStatus::Unavailable),
            _ => None,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            DocumentStatus::Requesting => "requesting",
            DocumentStatus::Ready => "ready",
            DocumentStatus::Unavailable => "unavailable",
        }
    }
}

impl From<sync::DocumentStatus> for DocumentStatus {
    fn from(status: sync::DocumentStatus) -> Self {
        match status {
            sync::DocumentStatus::Requesting => DocumentStatus::Requesting,
            sync::DocumentStatus::Ready => DocumentStatus::Ready,
            sync::DocumentStatus::Unavailable => DocumentStatus::Unavailable,
        }
    }
}

/// What a user is doing with a deal.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Tsify)]
pub enum PresenceActivity {
    /// The deal is open on their screen.
    #[serde(rename = "viewing")]
    Viewing,
    /// They are editing (`field` says which).
    #[serde(rename = "editing")]
    Editing,
    /// They closed the deal.
    #[serde(rename = "left")]
    Left,
}

impl Named for PresenceActivity {
    const EXPECTED: &'static str = "one of \"viewing\", \"editing\", \"left\"";

    fn from_name(name: &str) -> Option<Self> {
        match name {
            "viewing" => Some(PresenceActivity::Viewing),
            "editing" => Some(PresenceActivity::Editing),
            "left" => Some(PresenceActivity::Left),
            _ => None,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            PresenceActivity::Viewing => "viewing",
            PresenceActivity::Editing => "editing",
            PresenceActivity::Left => "left",
        }
    }
}

impl From<PresenceActivity> for sync::PresenceActivity {
    fn from(activity: PresenceActivity) -> Self {
        match activity {
            PresenceActivity::Viewing => sync::PresenceActivity::Viewing,
            PresenceActivity::Editing => sync::PresenceActivity::Editing,
            PresenceActivity::Left => sync::PresenceActivity::Left,
        }
    }
}

impl From<sync::PresenceActivity> for PresenceActivity {
    fn from(activity: sync::PresenceActivity) -> Self {
        match activity {
            sync::PresenceActivity::Viewing => PresenceActivity::Viewing,
            sync::PresenceActivity::Editing => PresenceActivity::Editing,
            sync::PresenceActivity::Left => PresenceActivity::Left,
        }
    }
}

/// Someone's presence on a deal, as received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct PresenceInfo {
    /// Who (as their client claims: display only).
    pub user: String,
    /// Their display name.
    pub name: String,
    /// What they are doing.
    pub activity: PresenceActivity,
    /// The field they are on (`needs`, `contacts/c-1/role`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Their connection (one user may have several tabs).
    pub peer_id: String,
}

/// Something the application reacts to after a step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RepoEvent {
    /// The handshake with the relay completed.
    Connected {
        /// The relay's peer id.
        server: String,
    },
    /// A document changed because of a remote change (its `DealDoc` is already up to date).
    Changed {
        /// The document.
        #[serde(rename = "documentId")]
        document_id: String,
    },
    /// A document's status changed.
    Status {
        /// The document.
        #[serde(rename = "documentId")]
        document_id: String,
        /// Its new status.
        status: DocumentStatus,
    },
    /// A peer's presence on a document.
    Presence {
        /// The document.
        #[serde(rename = "documentId")]
        document_id: String,
        /// Who and what.
        presence: PresenceInfo,
    },
    /// The relay refused changes this client sent (e.g. the deal is read-only for this user).
    Rejected {
        /// The document.
        #[serde(rename = "documentId")]
        document_id: String,
        /// The relay's stable reason, e.g. `read_only`.
        reason: String,
        /// How many change chunks it dropped.
        dropped: u32,
    },
    /// Changes from the relay for a document were refused (corrupt, too large, not a deal).
    DocumentError {
        /// The document.
        #[serde(rename = "documentId")]
        document_id: String,
        /// Why.
        error: ErrorDetails,
    },
    /// The relay closed the connection, or this client refused a frame and must close it.
    Closed {
        /// Why, if known.
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
}

/// The effects of one call: execute `store` (in order, durably), then send `send` on the
/// socket, then react to `events`; close the socket when `close` is set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
pub struct RepoStep {
    /// Storage writes.
    pub store: Vec<StorageWrite>,
    /// Frames for the WebSocket.
    #[tsify(type = "Uint8Array[]")]
    pub send: Vec<Vec<u8>>,
    /// What happened.
    pub events: Vec<RepoEvent>,
    /// Whether to close the socket (after sending) because a frame was refused.
    pub close: bool,
}
