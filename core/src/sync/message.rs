//! The frames of the automerge-repo WebSocket protocol and their CBOR encoding.
//!
//! Every frame is one CBOR map with text keys, as the JS side's `cbor-x` encoder writes it
//! (`useRecords: false`, `tagUint8Array: false`): strings for ids, byte strings for `data`,
//! numbers for `count` and `timestamp`. See `core/docs/sync.md` for the message table.
//!
//! Decoding uses `minicbor`'s borrowing `Decoder` rather than `ciborium`'s `Value` tree: it reads
//! straight from the frame, checks every declared length against the bytes actually present
//! before taking a slice, allocates only for the strings and byte strings we keep, and is small
//! in the wasm bundle. Unknown keys are skipped by a depth-bounded walk of our own, so a hostile
//! frame can neither recurse nor allocate its way past [`Limits`]. Encoding is a few lines of
//! hand-written CBOR (definite lengths, text keys): it cannot fail for our own values, so
//! [`WireMessage::encode`] returns bytes rather than a `Result`.

use std::collections::BTreeMap;

use minicbor::Decoder;
use minicbor::data::Type;

use super::document_id::DocumentId;
use super::error::{SyncError, clip};
use super::limits::Limits;
use super::peer_id::{PeerId, SessionId, StorageId};

/// The only protocol version of the automerge-repo WebSocket protocol.
pub const PROTOCOL_VERSION: &str = "1";

/// What a peer says about itself in `join` and `peer` (`peerMetadata`).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct PeerMetadata {
    /// The id of the peer's persistent storage, if it keeps documents between sessions.
    pub storage_id: Option<StorageId>,
    /// Whether the peer forgets everything when it disconnects.
    pub is_ephemeral: bool,
}

/// One entry of `remote-heads-changed`: the heads a storage holds and when they were seen.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RemoteHeads {
    /// Heads as bs58check strings.
    pub heads: Vec<String>,
    /// Milliseconds since the epoch on the reporting node (whole milliseconds; JS may send a
    /// float, which is truncated).
    pub timestamp: u64,
}

/// One frame of the protocol.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum WireMessage {
    /// `join`: the dialling peer introduces itself.
    Join {
        /// The dialling peer.
        sender_id: PeerId,
        /// Its metadata.
        peer_metadata: PeerMetadata,
        /// The versions it speaks; `None` when the field is absent (treated as `["1"]`, as the
        /// JS server does).
        supported_protocol_versions: Option<Vec<String>>,
    },
    /// `peer`: the accepting peer answers a `join`.
    Peer {
        /// The accepting peer.
        sender_id: PeerId,
        /// The dialling peer.
        target_id: PeerId,
        /// The accepting peer's metadata.
        peer_metadata: PeerMetadata,
        /// The version chosen, always `"1"`.
        selected_protocol_version: String,
    },
    /// `leave`: the sender is about to disconnect.
    Leave {
        /// The leaving peer.
        sender_id: PeerId,
    },
    /// `request`: the sender has nothing of the document and asks for it; `data` is its first
    /// Automerge sync message.
    Request {
        /// The requesting peer.
        sender_id: PeerId,
        /// The peer asked.
        target_id: PeerId,
        /// The document.
        document_id: DocumentId,
        /// An Automerge sync message.
        data: Vec<u8>,
    },
    /// `sync`: one Automerge sync message about a document.
    Sync {
        /// The sending peer.
        sender_id: PeerId,
        /// The receiving peer.
        target_id: PeerId,
        /// The document.
        document_id: DocumentId,
        /// An Automerge sync message.
        data: Vec<u8>,
    },
    /// `doc-unavailable`: the sender does not have the document (or may not share it: the two
    /// are indistinguishable on purpose).
    DocUnavailable {
        /// The sending peer.
        sender_id: PeerId,
        /// The peer that asked.
        target_id: PeerId,
        /// The document.
        document_id: DocumentId,
    },
    /// `ephemeral`: an application message about a document (cursors, presence), gossiped to the
    /// document's peers and never stored.
    Ephemeral {
        /// The peer that created the message (kept when the message is forwarded).
        sender_id: PeerId,
        /// The next hop.
        target_id: PeerId,
        /// The document.
        document_id: DocumentId,
        /// The creator's session.
        session_id: SessionId,
        /// Sequence number within the session; repeats and older numbers are dropped.
        count: u64,
        /// Application bytes (CBOR in automerge-repo).
        data: Vec<u8>,
    },
    /// `error`: the sender will close the connection.
    Error {
        /// The sending peer, when given.
        sender_id: Option<PeerId>,
        /// The receiving peer, when given.
        target_id: Option<PeerId>,
        /// A description.
        message: String,
    },
    /// `remote-subscription-change`: heads-gossip subscription; received and ignored here.
    RemoteSubscriptionChange {
        /// The sending peer.
        sender_id: PeerId,
        /// The receiving peer.
        target_id: PeerId,
        /// Storage ids to subscribe to.
        add: Vec<StorageId>,
        /// Storage ids to unsubscribe from.
        remove: Vec<StorageId>,
    },
    /// `remote-heads-changed`: heads gossip; received and ignored here.
    RemoteHeadsChanged {
        /// The sending peer.
        sender_id: PeerId,
        /// The receiving peer.
        target_id: PeerId,
        /// The document.
        document_id: DocumentId,
        /// Heads per storage id.
        new_heads: BTreeMap<StorageId, RemoteHeads>,
    },
}

impl WireMessage {
    /// Decodes one frame with the default [`Limits`].
    ///
    /// ```
    /// use dealflow_core::sync::{PeerId, PeerMetadata, WireMessage};
    /// let join = WireMessage::Join {
    ///     sender_id: PeerId::new("browser-1")?,
    ///     peer_metadata: PeerMetadata::default(),
    ///     supported_protocol_versions: Some(vec!["1".to_owned()]),
    /// };
    /// assert_eq!(WireMessage::decode(&join.encode())?, join);
    /// assert!(WireMessage::decode(&[0xff, 0x00]).is_err());
    /// # Ok::<(), dealflow_core::sync::SyncError>(())
    /// ```
    pub fn decode(frame: &[u8]) -> Result<WireMessage, SyncError> {
        WireMessage::decode_with_limits(frame, &Limits::default())
    }

    /// Decodes one frame, refusing it before any parsing if it is larger than
    /// `limits.max_frame_bytes`.
    pub fn decode_with_limits(frame: &[u8], limits: &Limits) -> Result<WireMessage, SyncError> {
        if frame.len() > limits.max_frame_bytes {
            return Err(SyncError::FrameTooLarge {
                len: frame.len(),
                max: limits.max_frame_bytes,
            });
        }
        let mut decoder = Decoder::new(frame);
        let fields = Fields::read(&mut decoder, limits.max_nesting)?;
        if decoder.position() != frame.len() {
            return Err(malformed("trailing bytes after the message map"));
        }
        fields.into_message()
    }

    /// Encodes the frame as the JS side expects it.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = CborWriter::default();
        match self {
            WireMessage::Join {
                sender_id,
                peer_metadata,
                supported_protocol_versions,
            } => {
                out.map(3 + usize::from(supported_protocol_versions.is_some()));
                out.entry_text("type", "join");
                out.entry_text("senderId", sender_id.as_str());
                out.text("peerMetadata");
                out.metadata(peer_metadata);
                if let Some(versions) = supported_protocol_versions {
                    out.text("supportedProtocolVersions");
                    out.text_array(versions.iter().map(String::as_str));
                }
            }
            WireMessage::Peer {
                sender_id,
                target_id,
                peer_metadata,
                selected_protocol_version,
            } => {
                out.map(5);
                out.entry_text("type", "peer");
                out.entry_text("senderId", sender_id.as_str());
                out.entry_text("targetId", target_id.as_str());
                out.text("peerMetadata");
                out.metadata(peer_metadata);
                out.entry_text("selectedProtocolVersion", selected_protocol_version);
            }
            WireMessage::Leave { sender_id } => {
                out.map(2);
                out.entry_text("type", "leave");
                out.entry_text("senderId", sender_id.as_str());
            }
            WireMessage::Request {
                sender_id,
                target_id,
                document_id,
                data,
            }
            | WireMessage::Sync {
                sender_id,
                target_id,
                document_id,
                data,
            } => {
                out.map(5);
                out.entry_text("type", self.type_name());
                out.entry_text("senderId", sender_id.as_str());
                out.entry_text("targetId", target_id.as_str());
                out.entry_text("documentId", &document_id.to_string());
                out.text("data");
                out.bytes(data);
            }
            WireMessage::DocUnavailable {
                sender_id,
                target_id,
                document_id,
            } => {
                out.map(4);
                out.entry_text("type", "doc-unavailable");
                out.entry_text("senderId", sender_id.as_str());
                out.entry_text("targetId", target_id.as_str());
                out.entry_text("documentId", &document_id.to_string());
            }
            WireMessage::Ephemeral {
                sender_id,
                target_id,
                document_id,
                session_id,
                count,
                data,
            } => {
                out.map(7);
                out.entry_text("type", "ephemeral");
                out.entry_text("senderId", sender_id.as_str());
                out.entry_text("targetId", target_id.as_str());
                out.entry_text("documentId", &document_id.to_string());
                out.entry_text("sessionId", session_id.as_str());
                out.text("count");
                out.unsigned(*count);
                out.text("data");
                out.bytes(data);
            }
            WireMessage::Error {
                sender_id,
                target_id,
                message,
            } => {
                out.map(2 + usize::from(sender_id.is_some()) + usize::from(target_id.is_some()));
                out.entry_text("type", "error");
                if let Some(sender_id) = sender_id {
                    out.entry_text("senderId", sender_id.as_str());
                }
                if let Some(target_id) = target_id {
                    out.entry_text("targetId", target_id.as_str());
                }
                out.entry_text("message", message);
            }
            WireMessage::RemoteSubscriptionChange {
                sender_id,
                target_id,
                add,
                remove,
            } => {
                out.map(5);
                out.entry_text("type", "remote-subscription-change");
                out.entry_text("senderId", sender_id.as_str());
                out.entry_text("targetId", target_id.as_str());
                out.text("add");
                out.text_array(add.iter().map(StorageId::as_str));
                out.text("remove");
                out.text_array(remove.iter().map(StorageId::as_str));
            }
            WireMessage::RemoteHeadsChanged {
                sender_id,
                target_id,
                document_id,
                new_heads,
            } => {
                out.map(5);
                out.entry_text("type", "remote-heads-changed");
                out.entry_text("senderId", sender_id.as_str());
                out.entry_text("targetId", target_id.as_str());
                out.entry_text("documentId", &document_id.to_string());
                out.text("newHeads");
                out.map(new_heads.len());
                for (storage_id, remote) in new_heads {
                    out.text(storage_id.as_str());
                    out.map(2);
                    out.text("heads");
                    out.text_array(remote.heads.iter().map(String::as_str));
                    out.text("timestamp");
                    out.unsigned(remote.timestamp);
                }
            }
        }
        out.bytes
    }

    /// The wire name of the message type, e.g. `"doc-unavailable"`.
    pub fn type_name(&self) -> &'static str {
        match self {
            WireMessage::Join { .. } => "join",
            WireMessage::Peer { .. } => "peer",
            WireMessage::Leave { .. } => "leave",
            WireMessage::Request { .. } => "request",
            WireMessage::Sync { .. } => "sync",
            WireMessage::DocUnavailable { .. } => "doc-unavailable",
            WireMessage::Ephemeral { .. } => "ephemeral",
            WireMessage::Error { .. } => "error",
            WireMessage::RemoteSubscriptionChange { .. } => "remote-subscription-change",
            WireMessage::RemoteHeadsChanged { .. } => "remote-heads-changed",
        }
    }

    /// The document the message is about, for the document messages.
    pub fn document_id(&self) -> Option<DocumentId> {
        match self {
            WireMessage::Request { document_id, .. }
            | WireMessage::Sync { document_id, .. }
            | WireMessage::DocUnavailable { document_id, .. }
            | WireMessage::Ephemeral { document_id, .. }
            | WireMessage::RemoteHeadsChanged { document_id, .. } => Some(*document_id),
            _ => None,
        }
    }

    /// The sender, when the message names one.
    pub fn sender_id(&self) -> Option<&PeerId> {
        match self {
            WireMessage::Join { sender_id, .. }
            | WireMessage::Peer { sender_id, .. }
            | WireMessage::Leave { sender_id }
            | WireMessage::Request { sender_id, .. }
            | WireMessage::Sync { sender_id, .. }
            | WireMessage::DocUnavailable { sender_id, .. }
            | WireMessage::Ephemeral { sender_id, .. }
            | WireMessage::RemoteSubscriptionChange { sender_id, .. }
            | WireMessage::RemoteHeadsChanged { sender_id, .. } => Some(sender_id),
            WireMessage::Error { sender_id, .. } => sender_id.as_ref(),
        }
    }

    /// The receiver, when the message names one.
    pub fn target_id(&self) -> Option<&PeerId> {
        match self {
            WireMessage::Join { .. } | WireMessage::Leave { .. } => None,
            WireMessage::Peer { target_id, .. }
            | WireMessage::Request { target_id, .. }
            | WireMessage::Sync { target_id, .. }
            | WireMessage::DocUnavailable { target_id, .. }
            | WireMessage::Ephemeral { target_id, .. }
            | WireMessage::RemoteSubscriptionChange { target_id, .. }
            | WireMessage::RemoteHeadsChanged { target_id, .. } => Some(target_id),
            WireMessage::Error { target_id, .. } => target_id.as_ref(),
        }
    }

    /// Addresses the message to `target` instead (a relay that tracks peers by its own
    /// connection ids puts the remote peer's id back before sending). Messages without a
    /// receiver (`join`, `leave`) are left as they are.
    pub fn set_target_id(&mut self, target: PeerId) {
        match self {
            WireMessage::Join { .. } | WireMessage::Leave { .. } => {}
            WireMessage::Peer { target_id, .. }
            | WireMessage::Request { target_id, .. }
            | WireMessage::Sync { target_id, .. }
            | WireMessage::DocUnavailable { target_id, .. }
            | WireMessage::Ephemeral { target_id, .. }
            | WireMessage::RemoteSubscriptionChange { target_id, .. }
            | WireMessage::RemoteHeadsChanged { target_id, .. } => *target_id = target,
            WireMessage::Error { target_id, .. } => *target_id = Some(target),
        }
    }
}

fn malformed(reason: impl Into<String>) -> SyncError {
    SyncError::MalformedFrame {
        reason: reason.into(),
    }
}

fn cbor_error(error: &minicbor::decode::Error) -> SyncError {
    malformed(clip(&error.to_string()))
}

/// The recognised fields of a frame, borrowed from it. Absent, `null` and `undefined` values all
/// read as `None`: cbor-x writes `undefined` for optional fields left unset.
#[derive(Default)]
struct Fields<'b> {
    message_type: Option<&'b str>,
    sender_id: Option<&'b str>,
    target_id: Option<&'b str>,
    document_id: Option<DocumentIdField<'b>>,
    data: Option<&'b [u8]>,
    count: Option<u64>,
    session_id: Option<&'b str>,
    message: Option<&'b str>,
    selected_protocol_version: Option<&'b str>,
    supported_protocol_versions: Option<Vec<&'b str>>,
    peer_metadata: Option<PeerMetadataField<'b>>,
    add: Option<Vec<&'b str>>,
    remove: Option<Vec<&'b str>>,
    new_heads: Option<Vec<(&'b str, RemoteHeadsField<'b>)>>,
}

enum DocumentIdField<'b> {
    Text(&'b str),
    Bytes(&'b [u8]),
}

#[derive(Default)]
struct PeerMetadataField<'b> {
    storage_id: Option<&'b str>,
    is_ephemeral: Option<bool>,
}

#[derive(Default)]
struct RemoteHeadsField<'b> {
    heads: Vec<&'b str>,
    timestamp: u64,
}

impl<'b> Fields<'b> {
    fn read(decoder: &mut Decoder<'b>, max_nesting: usize) -> Result<Self, SyncError> {
        let mut fields = Fields::default();
        let mut reader = MapReader::open(decoder, 1, max_nesting)?;
        while reader.next_entry(decoder)? {
            let Some(key) = read_key(decoder, 1, max_nesting)? else {
                continue;
            };
            match key {
                "type" => fields.message_type = optional_text(decoder, 1, max_nesting)?,
                "senderId" => fields.sender_id = optional_text(decoder, 1, max_nesting)?,
                "targetId" => fields.target_id = optional_text(decoder, 1, max_nesting)?,
                "sessionId" => fields.session_id = optional_text(decoder, 1, max_nesting)?,
                "message" => fields.message = optional_text(decoder, 1, max_nesting)?,
                "selectedProtocolVersion" => {
                    fields.selected_protocol_version = optional_text(decoder, 1, max_nesting)?;
                }
                "documentId" => {
                    fields.document_id = match datatype(decoder)? {
                        Type::String => Some(DocumentIdField::Text(
                            decoder.str().map_err(|e| cbor_error(&e))?,
                        )),
                        Type::Bytes => Some(DocumentIdField::Bytes(
                            decoder.bytes().map_err(|e| cbor_error(&e))?,
                        )),
                        _ => {
                            skip(decoder, 1, max_nesting)?;
                            None
                        }
                    };
                }
                "data" => {
                    fields.data = if datatype(decoder)? == Type::Bytes {
                        Some(decoder.bytes().map_err(|e| cbor_error(&e))?)
                    } else {
                        skip(decoder, 1, max_nesting)?;
                        None
                    };
                }
                "count" => fields.count = optional_count(decoder, 1, max_nesting)?,
                "supportedProtocolVersions" => {
                    fields.supported_protocol_versions =
                        optional_text_array(decoder, 1, max_nesting)?;
                }
                "add" => fields.add = optional_text_array(decoder, 1, max_nesting)?,
                "remove" => fields.remove = optional_text_array(decoder, 1, max_nesting)?,
                "peerMetadata" | "metadata" => {
                    fields.peer_metadata = read_metadata(decoder, max_nesting)?;
                }
                "newHeads" => fields.new_heads = read_new_heads(decoder, max_nesting)?,
                _ => skip(decoder, 1, max_nesting)?,
            }
        }
        Ok(fields)
    }

    fn into_message(self) -> Result<WireMessage, SyncError> {
        let message_type = self
            .message_type
            .ok_or_else(|| malformed("the message has no \"type\" field"))?;
        let missing = |field: &'static str| SyncError::InvalidField {
            message_type: clip(message_type),
            field,
        };
        let peer = |value: Option<&str>, field: &'static str| -> Result<PeerId, SyncError> {
            PeerId::new(value.ok_or_else(|| missing(field))?).map_err(|_| missing(field))
        };
        let optional_peer = |value: Option<&str>, field| value.map(|v| peer(Some(v), field));
        let document = |value: Option<DocumentIdField<'_>>| match value {
            None => Err(missing("documentId")),
            Some(DocumentIdField::Text(text)) => text.parse(),
            Some(DocumentIdField::Bytes(bytes)) => DocumentId::from_bytes(bytes),
        };
        let data = |value: Option<&[u8]>| value.map(<[u8]>::to_vec).ok_or_else(|| missing("data"));
        let storage_ids = |values: Option<Vec<&str>>, field| -> Result<Vec<StorageId>, SyncError> {
            values
                .unwrap_or_default()
                .into_iter()
                .map(|value| StorageId::new(value).map_err(|_| missing(field)))
                .collect()
        };
        let metadata = |value: Option<PeerMetadataField<'_>>| -> Result<PeerMetadata, SyncError> {
            let value = value.unwrap_or_default();
            Ok(PeerMetadata {
                storage_id: value
                    .storage_id
                    .map(|id| StorageId::new(id).map_err(|_| missing("peerMetadata")))
                    .transpose()?,
                is_ephemeral: value.is_ephemeral.unwrap_or(false),
            })
        };
        let owned = |values: Vec<&str>| values.into_iter().map(str::to_owned).collect();

        Ok(match message_type {
            "join" => WireMessage::Join {
                sender_id: peer(self.sender_id, "senderId")?,
                peer_metadata: metadata(self.peer_metadata)?,
                supported_protocol_versions: self.supported_protocol_versions.map(owned),
            },
            "peer" => WireMessage::Peer {
                sender_id: peer(self.sender_id, "senderId")?,
                target_id: peer(self.target_id, "targetId")?,
                peer_metadata: metadata(self.peer_metadata)?,
                selected_protocol_version: self
                    .selected_protocol_version
                    .ok_or_else(|| missing("selectedProtocolVersion"))?
                    .to_owned(),
            },
            "leave" => WireMessage::Leave {
                sender_id: peer(self.sender_id, "senderId")?,
            },
            "request" => WireMessage::Request {
                sender_id: peer(self.sender_id, "senderId")?,
                target_id: peer(self.target_id, "targetId")?,
                document_id: document(self.document_id)?,
                data: data(self.data)?,
            },
            "sync" => WireMessage::Sync {
                sender_id: peer(self.sender_id, "senderId")?,
                target_id: peer(self.target_id, "targetId")?,
                document_id: document(self.document_id)?,
                data: data(self.data)?,
            },
            "doc-unavailable" => WireMessage::DocUnavailable {
                sender_id: peer(self.sender_id, "senderId")?,
                target_id: peer(self.target_id, "targetId")?,
                document_id: document(self.document_id)?,
            },
            "ephemeral" => WireMessage::Ephemeral {
                sender_id: peer(self.sender_id, "senderId")?,
                target_id: peer(self.target_id, "targetId")?,
                document_id: document(self.document_id)?,
                session_id: SessionId::new(self.session_id.ok_or_else(|| missing("sessionId"))?)
                    .map_err(|_| missing("sessionId"))?,
                count: self.count.ok_or_else(|| missing("count"))?,
                data: data(self.data)?,
            },
            "error" => WireMessage::Error {
                sender_id: optional_peer(self.sender_id, "senderId").transpose()?,
                target_id: optional_peer(self.target_id, "targetId").transpose()?,
                message: clip(self.message.unwrap_or_default()),
            },
            "remote-subscription-change" => WireMessage::RemoteSubscriptionChange {
                sender_id: peer(self.sender_id, "senderId")?,
                target_id: peer(self.target_id, "targetId")?,
                add: storage_ids(self.add, "add")?,
                remove: storage_ids(self.remove, "remove")?,
            },
            "remote-heads-changed" => WireMessage::RemoteHeadsChanged {
                sender_id: peer(self.sender_id, "senderId")?,
                target_id: peer(self.target_id, "targetId")?,
                document_id: document(self.document_id)?,
                new_heads: self
                    .new_heads
                    .ok_or_else(|| missing("newHeads"))?
                    .into_iter()
                    .map(|(storage_id, heads)| {
                        Ok((
                            StorageId::new(storage_id).map_err(|_| missing("newHeads"))?,
                            RemoteHeads {
                                heads: owned(heads.heads),
                                timestamp: heads.timestamp,
                            },
                        ))
                    })
                    .collect::<Result<_, SyncError>>()?,
            },
            other => {
                return Err(SyncError::UnknownMessageType {
                    message_type: clip(other),
                });
            }
        })
    }
}

fn datatype(decoder: &Decoder<'_>) -> Result<Type, SyncError> {
    decoder.datatype().map_err(|e| cbor_error(&e))
}

fn is_absent(kind: Type) -> bool {
    matches!(kind, Type::Null | Type::Undefined)
}

/// Iterates over a definite or indefinite map's entries without trusting its declared length.
struct MapReader {
    remaining: Option<u64>,
}

impl MapReader {
    fn open(
        decoder: &mut Decoder<'_>,
        depth: usize,
        max_nesting: usize,
    ) -> Result<Self, SyncError> {
        if depth > max_nesting {
            return Err(SyncError::NestingTooDeep { max: max_nesting });
        }
        match datatype(decoder)? {
            Type::Map | Type::MapIndef => {}
            other => return Err(malformed(format!("expected a map, found {other}"))),
        }
        let remaining = decoder.map().map_err(|e| cbor_error(&e))?;
        Ok(MapReader { remaining })
    }

    /// Whether another entry follows; consumes the break of an indefinite map.
    fn next_entry(&mut self, decoder: &mut Decoder<'_>) -> Result<bool, SyncError> {
        match &mut self.remaining {
            Some(0) => Ok(false),
            Some(remaining) => {
                *remaining -= 1;
                Ok(true)
            }
            None => {
                if datatype(decoder)? == Type::Break {
                    decoder.set_position(decoder.position() + 1);
                    Ok(false)
                } else {
                    Ok(true)
                }
            }
        }
    }
}

/// Reads a map key; non-text keys are skipped together with their value (returns `None`).
fn read_key<'b>(
    decoder: &mut Decoder<'b>,
    depth: usize,
    max_nesting: usize,
) -> Result<Option<&'b str>, SyncError> {
    if datatype(decoder)? == Type::String {
        return Ok(Some(decoder.str().map_err(|e| cbor_error(&e))?));
    }
    skip(decoder, depth, max_nesting)?;
    skip(decoder, depth, max_nesting)?;
    Ok(None)
}

fn optional_text<'b>(
    decoder: &mut Decoder<'b>,
    depth: usize,
    max_nesting: usize,
) -> Result<Option<&'b str>, SyncError> {
    match datatype(decoder)? {
        Type::String => Ok(Some(decoder.str().map_err(|e| cbor_error(&e))?)),
        kind if is_absent(kind) => {
            skip(decoder, depth, max_nesting)?;
            Ok(None)
        }
        other => Err(malformed(format!("expected text, found {other}"))),
    }
}

fn optional_text_array<'b>(
    decoder: &mut Decoder<'b>,
    depth: usize,
    max_nesting: usize,
) -> Result<Option<Vec<&'b str>>, SyncError> {
    let kind = datatype(decoder)?;
    if is_absent(kind) {
        skip(decoder, depth, max_nesting)?;
        return Ok(None);
    }
    read_text_array(decoder, depth + 1, max_nesting).map(Some)
}

fn read_text_array<'b>(
    decoder: &mut Decoder<'b>,
    depth: usize,
    max_nesting: usize,
) -> Result<Vec<&'b str>, SyncError> {
    if depth > max_nesting {
        return Err(SyncError::NestingTooDeep { max: max_nesting });
    }
    match datatype(decoder)? {
        Type::Array | Type::ArrayIndef => {}
        other => return Err(malformed(format!("expected an array, found {other}"))),
    }
    let declared = decoder.array().map_err(|e| cbor_error(&e))?;
    // The vector grows only with elements actually read, never from the declared length.
    let mut values = Vec::new();
    let mut index: u64 = 0;
    loop {
        match declared {
            Some(len) if index >= len => break,
            None if datatype(decoder)? == Type::Break => {
                decoder.set_position(decoder.position() + 1);
                break;
            }
            _ => {}
        }
        if datatype(decoder)? != Type::String {
            return Err(malformed("expected an array of text"));
        }
        values.push(decoder.str().map_err(|e| cbor_error(&e))?);
        index += 1;
    }
    Ok(values)
}

/// Reads a JS number as a whole non-negative count: integers as they are, floats truncated
/// (cbor-x writes non-integral or large numbers as floats).
fn optional_count(
    decoder: &mut Decoder<'_>,
    depth: usize,
    max_nesting: usize,
) -> Result<Option<u64>, SyncError> {
    let kind = datatype(decoder)?;
    let float = match kind {
        Type::U8 | Type::U16 | Type::U32 | Type::U64 => {
            return Ok(Some(decoder.u64().map_err(|e| cbor_error(&e))?));
        }
        Type::F16 => {
            let position = decoder.position();
            let input = decoder.input();
            let bits = match (input.get(position + 1), input.get(position + 2)) {
                (Some(high), Some(low)) => u16::from_be_bytes([*high, *low]),
                _ => return Err(malformed("truncated half float")),
            };
            decoder.set_position(position + 3);
            f64::from(half_to_f32(bits))
        }
        Type::F32 => f64::from(decoder.f32().map_err(|e| cbor_error(&e))?),
        Type::F64 => decoder.f64().map_err(|e| cbor_error(&e))?,
        kind if is_absent(kind) => {
            skip(decoder, depth, max_nesting)?;
            return Ok(None);
        }
        other => return Err(malformed(format!("expected a number, found {other}"))),
    };
    if !float.is_finite() || float < 0.0 {
        return Err(malformed("a count must be a finite, non-negative number"));
    }
    // `as` saturates for values above u64::MAX and truncates the fraction, which is what we want.
    Ok(Some(float as u64))
}

/// IEEE 754 half precision to single precision, so `f16` counts decode without the `half` crate.
fn half_to_f32(bits: u16) -> f32 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exponent = i32::from((bits >> 10) & 0x1f);
    let mantissa = f32::from(bits & 0x3ff);
    match exponent {
        0 => sign * mantissa * 2f32.powi(-24),
        31 if mantissa == 0.0 => sign * f32::INFINITY,
        31 => f32::NAN,
        _ => sign * (1.0 + mantissa / 1024.0) * 2f32.powi(exponent - 15),
    }
}

fn read_metadata<'b>(
    decoder: &mut Decoder<'b>,
    max_nesting: usize,
) -> Result<Option<PeerMetadataField<'b>>, SyncError> {
    if is_absent(datatype(decoder)?) {
        skip(decoder, 1, max_nesting)?;
        return Ok(None);
    }
    let mut metadata = PeerMetadataField::default();
    let mut reader = MapReader::open(decoder, 2, max_nesting)?;
    while reader.next_entry(decoder)? {
        let Some(key) = read_key(decoder, 2, max_nesting)? else {
            continue;
        };
        match key {
            "storageId" => metadata.storage_id = optional_text(decoder, 2, max_nesting)?,
            "isEphemeral" => {
                metadata.is_ephemeral = match datatype(decoder)? {
                    Type::Bool => Some(decoder.bool().map_err(|e| cbor_error(&e))?),
                    _ => {
                        skip(decoder, 2, max_nesting)?;
                        None
                    }
                };
            }
            _ => skip(decoder, 2, max_nesting)?,
        }
    }
    Ok(Some(metadata))
}

type NewHeadsField<'b> = Vec<(&'b str, RemoteHeadsField<'b>)>;

fn read_new_heads<'b>(
    decoder: &mut Decoder<'b>,
    max_nesting: usize,
) -> Result<Option<NewHeadsField<'b>>, SyncError> {
    if is_absent(datatype(decoder)?) {
        skip(decoder, 1, max_nesting)?;
        return Ok(None);
    }
    let mut entries = Vec::new();
    let mut outer = MapReader::open(decoder, 2, max_nesting)?;
    while outer.next_entry(decoder)? {
        let Some(storage_id) = read_key(decoder, 2, max_nesting)? else {
            continue;
        };
        let mut heads = RemoteHeadsField::default();
        let mut inner = MapReader::open(decoder, 3, max_nesting)?;
        while inner.next_entry(decoder)? {
            let Some(key) = read_key(decoder, 3, max_nesting)? else {
                continue;
            };
            match key {
                "heads" => heads.heads = read_text_array(decoder, 4, max_nesting)?,
                "timestamp" => {
                    heads.timestamp = optional_count(decoder, 3, max_nesting)?.unwrap_or(0)
                }
                _ => skip(decoder, 3, max_nesting)?,
            }
        }
        entries.push((storage_id, heads));
    }
    Ok(Some(entries))
}

/// Skips one value of any type, refusing nesting deeper than `max_nesting`. Every loop iteration
/// consumes input or fails at its end, so a huge declared length cannot spin or allocate.
fn skip(decoder: &mut Decoder<'_>, depth: usize, max_nesting: usize) -> Result<(), SyncError> {
    match datatype(decoder)? {
        Type::Array | Type::ArrayIndef | Type::Map | Type::MapIndef => {
            let nested = depth + 1;
            if nested > max_nesting {
                return Err(SyncError::NestingTooDeep { max: max_nesting });
            }
            let (declared, per_entry) = match datatype(decoder)? {
                Type::Array | Type::ArrayIndef => (decoder.array().map_err(|e| cbor_error(&e))?, 1),
                _ => (decoder.map().map_err(|e| cbor_error(&e))?, 2),
            };
            let mut index: u64 = 0;
            loop {
                match declared {
                    Some(len) if index >= len => break,
                    None if datatype(decoder)? == Type::Break => {
                        decoder.set_position(decoder.position() + 1);
                        break;
                    }
                    _ => {}
                }
                for _ in 0..per_entry {
                    skip(decoder, nested, max_nesting)?;
                }
                index += 1;
            }
            Ok(())
        }
        Type::Tag => {
            decoder.tag().map_err(|e| cbor_error(&e))?;
            skip(decoder, depth + 1, max_nesting)
        }
        Type::Break => Err(malformed("unexpected break")),
        Type::Unknown(byte) => Err(malformed(format!("unknown CBOR initial byte {byte:#04x}"))),
        // Scalars and (possibly indefinite) strings: minicbor's own skip reads them in place.
        _ => decoder.skip().map_err(|e| cbor_error(&e)),
    }
}

/// Minimal CBOR writer for our own frames: definite lengths, shortest headers.
#[derive(Default)]
struct CborWriter {
    bytes: Vec<u8>,
}

impl CborWriter {
    fn header(&mut self, major: u8, value: u64) {
        let major = major << 5;
        if value < 24 {
            // Fits in the low five bits.
            self.bytes.push(major | value as u8);
        } else if let Ok(small) = u8::try_from(value) {
            self.bytes.extend([major | 24, small]);
        } else if let Ok(medium) = u16::try_from(value) {
            self.bytes.push(major | 25);
            self.bytes.extend(medium.to_be_bytes());
        } else if let Ok(large) = u32::try_from(value) {
            self.bytes.push(major | 26);
            self.bytes.extend(large.to_be_bytes());
        } else {
            self.bytes.push(major | 27);
            self.bytes.extend(value.to_be_bytes());
        }
    }

    /// A JS number. cbor-x decodes a 64-bit CBOR integer as a `BigInt`, which breaks
    /// arithmetic on the JS side, so values above `u32::MAX` are written as a double, as cbor-x
    /// itself writes them (exact up to 2^53).
    fn unsigned(&mut self, value: u64) {
        if value <= u64::from(u32::MAX) {
            self.header(0, value);
        } else {
            self.bytes.push(0xfb);
            self.bytes.extend((value as f64).to_be_bytes());
        }
    }

    fn bytes(&mut self, value: &[u8]) {
        self.header(2, value.len() as u64);
        self.bytes.extend_from_slice(value);
    }

    fn text(&mut self, value: &str) {
        self.header(3, value.len() as u64);
        self.bytes.extend_from_slice(value.as_bytes());
    }

    fn map(&mut self, entries: usize) {
        self.header(5, entries as u64);
    }

    fn entry_text(&mut self, key: &str, value: &str) {
        self.text(key);
        self.text(value);
    }

    fn text_array<'a>(&mut self, values: impl ExactSizeIterator<Item = &'a str>) {
        self.header(4, values.len() as u64);
        for value in values {
            self.text(value);
        }
    }

    fn metadata(&mut self, metadata: &PeerMetadata) {
        self.map(1 + usize::from(metadata.storage_id.is_some()));
        if let Some(storage_id) = &metadata.storage_id {
            self.entry_text("storageId", storage_id.as_str());
        }
        self.text("isEphemeral");
        // CBOR simple values: 0xf5 is true, 0xf4 false.
        self.bytes
            .push(if metadata.is_ephemeral { 0xf5 } else { 0xf4 });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(id: &str) -> PeerId {
        PeerId::new(id).unwrap()
    }

    fn document() -> DocumentId {
        DocumentId::from_random_bytes([42; 16])
    }

    fn every_message() -> Vec<WireMessage> {
        let storage = StorageId::new("storage-1").unwrap();
        vec![
            WireMessage::Join {
                sender_id: peer("browser"),
                peer_metadata: PeerMetadata {
                    storage_id: Some(storage.clone()),
                    is_ephemeral: false,
                },
                supported_protocol_versions: Some(vec!["1".into()]),
            },
            WireMessage::Join {
                sender_id: peer("old"),
                peer_metadata: PeerMetadata::default(),
                supported_protocol_versions: None,
            },
            WireMessage::Peer {
                sender_id: peer("relay"),
                target_id: peer("browser"),
                peer_metadata: PeerMetadata {
                    storage_id: None,
                    is_ephemeral: true,
                },
                selected_protocol_version: "1".into(),
            },
            WireMessage::Leave {
                sender_id: peer("browser"),
            },
            WireMessage::Request {
                sender_id: peer("browser"),
                target_id: peer("relay"),
                document_id: document(),
                data: vec![0x42, 0, 0],
            },
            WireMessage::Sync {
                sender_id: peer("relay"),
                target_id: peer("browser"),
                document_id: document(),
                data: vec![7; 300],
            },
            WireMessage::DocUnavailable {
                sender_id: peer("relay"),
                target_id: peer("browser"),
                document_id: document(),
            },
            WireMessage::Ephemeral {
                sender_id: peer("browser"),
                target_id: peer("relay"),
                document_id: document(),
                session_id: SessionId::new("s1").unwrap(),
                count: u64::from(u32::MAX) + 5,
                data: vec![1, 2],
            },
            WireMessage::Error {
                sender_id: Some(peer("relay")),
                target_id: None,
                message: "unsupported protocol version".into(),
            },
            WireMessage::RemoteSubscriptionChange {
                sender_id: peer("browser"),
                target_id: peer("relay"),
                add: vec![storage.clone()],
                remove: vec![],
            },
            WireMessage::RemoteHeadsChanged {
                sender_id: peer("relay"),
                target_id: peer("browser"),
                document_id: document(),
                new_heads: BTreeMap::from([(
                    storage,
                    RemoteHeads {
                        heads: vec!["abc".into()],
                        timestamp: 1_700_000_000_000,
                    },
                )]),
            },
        ]
    }

    #[test]
    fn every_message_type_round_trips() {
        for message in every_message() {
            let frame = message.encode();
            assert_eq!(WireMessage::decode(&frame).unwrap(), message, "{message:?}");
        }
    }

    #[test]
    fn refuses_oversized_frames_before_decoding() {
        let limits = Limits {
            max_frame_bytes: 16,
            ..Limits::default()
        };
        let frame = every_message()[5].encode();
        assert_eq!(
            WireMessage::decode_with_limits(&frame, &limits),
            Err(SyncError::FrameTooLarge {
                len: frame.len(),
                max: 16
            })
        );
    }

    #[test]
    fn skips_unknown_keys_and_tolerates_undefined() {
        let mut out = CborWriter::default();
        out.map(5);
        out.entry_text("type", "leave");
        out.text("extra");
        out.map(1);
        out.text("nested");
        out.header(4, 2);
        out.unsigned(1);
        out.bytes(&[1]);
        out.text("senderId");
        out.text("browser");
        out.text("targetId");
        out.bytes.push(0xf7); // undefined
        out.unsigned(7); // a non-text key ...
        out.unsigned(8); // ... and its value
        assert_eq!(
            WireMessage::decode(&out.bytes).unwrap(),
            WireMessage::Leave {
                sender_id: peer("browser")
            }
        );
    }

    #[test]
    fn accepts_float_and_half_counts_and_binary_document_ids() {
        let mut out = CborWriter::default();
        out.map(7);
        out.entry_text("type", "ephemeral");
        out.entry_text("senderId", "a");
        out.entry_text("targetId", "b");
        out.text("documentId");
        out.bytes(&[42; 16]);
        out.entry_text("sessionId", "s");
        out.text("count");
        out.bytes.push(0xf9); // half float 2.5
        out.bytes.extend(0x4100u16.to_be_bytes());
        out.text("data");
        out.bytes(&[]);
        let WireMessage::Ephemeral {
            count, document_id, ..
        } = WireMessage::decode(&out.bytes).unwrap()
        else {
            panic!("not ephemeral");
        };
        assert_eq!((count, document_id), (2, document()));
    }

    #[test]
    fn rejects_deep_nesting_and_garbage() {
        let mut frame = vec![0xa2, 0x64];
        frame.extend(b"type");
        frame.extend([0x65]);
        frame.extend(b"leave");
        frame.extend([0x61, b'x']);
        frame.extend(std::iter::repeat_n(0x81, 10_000));
        frame.push(0x00);
        assert_eq!(
            WireMessage::decode(&frame),
            Err(SyncError::NestingTooDeep { max: 8 })
        );
        for garbage in [
            &[][..],
            &[0xa1][..],
            &[0x60][..],
            &[0xbf, 0x61][..],
            &[0x1f][..],
        ] {
            assert!(WireMessage::decode(garbage).is_err());
        }
        // A map claiming 2^64-1 entries in a 10-byte frame fails at the end of input.
        let huge = [0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x61];
        assert!(WireMessage::decode(&huge).is_err());
    }

    #[test]
    fn names_missing_fields() {
        let mut out = CborWriter::default();
        out.map(2);
        out.entry_text("type", "sync");
        out.entry_text("senderId", "a");
        assert_eq!(
            WireMessage::decode(&out.bytes),
            Err(SyncError::InvalidField {
                message_type: "sync".into(),
                field: "targetId"
            })
        );
        let mut unknown = CborWriter::default();
        unknown.map(1);
        unknown.entry_text("type", "gossip");
        assert!(matches!(
            WireMessage::decode(&unknown.bytes),
            Err(SyncError::UnknownMessageType { .. })
        ));
    }

    #[test]
    fn large_numbers_are_written_as_doubles_for_javascript() {
        let mut out = CborWriter::default();
        out.unsigned(u64::from(u32::MAX));
        assert_eq!(out.bytes, [0x1a, 0xff, 0xff, 0xff, 0xff]);
        let mut out = CborWriter::default();
        out.unsigned(1_764_000_000_000);
        assert_eq!(out.bytes[0], 0xfb);
        assert_eq!(out.bytes.len(), 9);
    }

    #[test]
    fn half_floats_convert() {
        assert_eq!(half_to_f32(0x3c00), 1.0);
        assert_eq!(half_to_f32(0x0001), 2f32.powi(-24));
        assert!(half_to_f32(0x7e00).is_nan());
        assert_eq!(half_to_f32(0xfc00), f32::NEG_INFINITY);
    }
}
