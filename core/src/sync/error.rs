//! Errors of the sync protocol: frames, handshakes, documents and stored chunks.

use crate::error::ErrorCode;
use crate::i18n::{Locale, Localized};

/// Anything that can go wrong while speaking the automerge-repo protocol or loading a document.
///
/// Peer and storage bytes never panic: every malformed input ends up here. Variants carry plain
/// strings (not the underlying library errors) so the error stays `Clone + PartialEq` like the
/// rest of the crate's errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// A frame is larger than [`Limits::max_frame_bytes`](super::Limits::max_frame_bytes).
    #[error("frame of {len} bytes exceeds the limit of {max} bytes: send smaller messages")]
    FrameTooLarge {
        /// The frame's size in bytes.
        len: usize,
        /// The configured limit.
        max: usize,
    },
    /// The frame is not well-formed CBOR, or not a map with the fields of its message type.
    #[error("malformed frame: {reason}")]
    MalformedFrame {
        /// What was wrong.
        reason: String,
    },
    /// A frame nests maps or arrays deeper than the limit.
    #[error("frame nests deeper than {max} levels: flatten the message")]
    NestingTooDeep {
        /// The configured limit.
        max: usize,
    },
    /// A required field is missing or has the wrong type.
    #[error("{message_type} message has a missing or invalid {field:?} field")]
    InvalidField {
        /// The message type, e.g. `"sync"`.
        message_type: String,
        /// The wire name of the field.
        field: &'static str,
    },
    /// The `type` field names no message this protocol knows.
    #[error("unknown message type {message_type:?}")]
    UnknownMessageType {
        /// The type as received.
        message_type: String,
    },
    /// A document id is not bs58check of 16 bytes.
    #[error("invalid document id {input:?}: {reason}")]
    InvalidDocumentId {
        /// The id as received (truncated to 64 characters).
        input: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// An automerge URL is not `automerge:<document id>` with optional `#head|head`.
    #[error("invalid automerge url {input:?}: {reason}")]
    InvalidUrl {
        /// The URL as received (truncated to 64 characters).
        input: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A peer, storage or session id is empty or longer than 256 bytes.
    #[error("invalid {kind}: {reason}")]
    InvalidPeerId {
        /// Which id (`"peer id"`, `"storage id"`, `"session id"`).
        kind: &'static str,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A message arrived that the handshake does not allow at this point.
    #[error("protocol violation: {reason}")]
    ProtocolViolation {
        /// What the peer did wrong.
        reason: String,
    },
    /// The peer offered no protocol version this side speaks (only "1" exists).
    #[error("unsupported protocol version: the peer offered {offered:?}, this side speaks \"1\"")]
    UnsupportedProtocolVersion {
        /// The versions the peer offered.
        offered: Vec<String>,
    },
    /// The `data` of a request or sync message is not an automerge sync message, or its changes
    /// are corrupt.
    #[error("invalid sync message for document {document_id} from {peer}: {reason}")]
    InvalidSyncMessage {
        /// The document.
        document_id: String,
        /// The peer that sent it.
        peer: String,
        /// What was wrong.
        reason: String,
    },
    /// Applying a change would make the document larger than the configured cap.
    #[error(
        "document {document_id} would reach {ops} operations, above the limit of {max_ops}: split the data into several documents"
    )]
    DocumentTooLarge {
        /// The document.
        document_id: String,
        /// The operation count the document would reach.
        ops: u64,
        /// The configured limit.
        max_ops: u64,
    },
    /// A message was addressed to another document than the one handling it.
    #[error("message for document {found} was routed to document {expected}")]
    WrongDocument {
        /// The document handling the message.
        expected: String,
        /// The document the message names.
        found: String,
    },
    /// Stored chunks are not automerge data, or are larger than the load cap.
    #[error("corrupt stored document {document_id}: {reason}")]
    CorruptStorage {
        /// The document.
        document_id: String,
        /// What was wrong.
        reason: String,
    },
    /// The stored chunks of a document add up to more than the load cap.
    #[error(
        "stored document {document_id} is {bytes} bytes, above the load limit of {max} bytes: raise Limits::max_stored_bytes or compact it"
    )]
    StoredTooLarge {
        /// The document.
        document_id: String,
        /// The total size of its chunks.
        bytes: usize,
        /// The configured limit.
        max: usize,
    },
    /// Compressed Automerge data would inflate beyond the configured limit.
    #[error(
        "data for document {document_id} inflates beyond {max} bytes: refused before decompressing"
    )]
    InflatesTooLarge {
        /// The document.
        document_id: String,
        /// The configured limit.
        max: usize,
    },
    /// A local change failed inside automerge.
    #[error("local change to document {document_id} failed: {reason}")]
    LocalChange {
        /// The document.
        document_id: String,
        /// The automerge error.
        reason: String,
    },
}

impl SyncError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            SyncError::FrameTooLarge { .. } => ErrorCode::FrameTooLarge,
            SyncError::MalformedFrame { .. }
            | SyncError::NestingTooDeep { .. }
            | SyncError::InvalidField { .. }
            | SyncError::UnknownMessageType { .. } => ErrorCode::MalformedFrame,
            SyncError::InvalidDocumentId { .. } | SyncError::InvalidUrl { .. } => {
                ErrorCode::InvalidDocumentId
            }
            SyncError::InvalidPeerId { .. } => ErrorCode::InvalidPeerId,
            SyncError::ProtocolViolation { .. } | SyncError::WrongDocument { .. } => {
                ErrorCode::ProtocolViolation
            }
            SyncError::UnsupportedProtocolVersion { .. } => ErrorCode::UnsupportedProtocolVersion,
            SyncError::InvalidSyncMessage { .. } => ErrorCode::InvalidSyncMessage,
            SyncError::DocumentTooLarge { .. }
            | SyncError::StoredTooLarge { .. }
            | SyncError::InflatesTooLarge { .. } => ErrorCode::DocumentTooLarge,
            SyncError::CorruptStorage { .. } => ErrorCode::CorruptStorage,
            SyncError::LocalChange { .. } => ErrorCode::LocalChangeFailed,
        }
    }
}

impl Localized for SyncError {
    fn localized(&self, locale: Locale) -> String {
        if locale == Locale::En {
            return self.to_string();
        }
        match self {
            SyncError::FrameTooLarge { len, max } => {
                format!("消息帧 {len} 字节，超过上限 {max} 字节：请发送较小的消息")
            }
            SyncError::MalformedFrame { reason } => format!("消息帧格式错误：{reason}"),
            SyncError::NestingTooDeep { max } => {
                format!("消息帧嵌套超过 {max} 层：请简化消息结构")
            }
            SyncError::InvalidField {
                message_type,
                field,
            } => format!("{message_type} 消息的 {field:?} 字段缺失或类型错误"),
            SyncError::UnknownMessageType { message_type } => {
                format!("未知的消息类型 {message_type:?}")
            }
            SyncError::InvalidDocumentId { input, reason } => {
                format!("文档标识 {input:?} 无效：{reason}")
            }
            SyncError::InvalidUrl { input, reason } => {
                format!("automerge 链接 {input:?} 无效：{reason}")
            }
            SyncError::InvalidPeerId { kind, reason } => format!("{kind} 无效：{reason}"),
            SyncError::ProtocolViolation { reason } => format!("违反同步协议：{reason}"),
            SyncError::UnsupportedProtocolVersion { offered } => {
                format!("不支持的协议版本：对方提供 {offered:?}，本端仅支持 \"1\"")
            }
            SyncError::InvalidSyncMessage {
                document_id,
                peer,
                reason,
            } => format!("来自 {peer} 的文档 {document_id} 同步消息无效：{reason}"),
            SyncError::DocumentTooLarge {
                document_id,
                ops,
                max_ops,
            } => format!(
                "文档 {document_id} 将达到 {ops} 个操作，超过上限 {max_ops}：请将数据拆分到多个文档"
            ),
            SyncError::WrongDocument { expected, found } => {
                format!("文档 {found} 的消息被发送到了文档 {expected}")
            }
            SyncError::CorruptStorage {
                document_id,
                reason,
            } => format!("存储中的文档 {document_id} 已损坏：{reason}"),
            SyncError::StoredTooLarge {
                document_id,
                bytes,
                max,
            } => format!(
                "存储中的文档 {document_id} 共 {bytes} 字节，超过加载上限 {max} 字节：请调高 Limits::max_stored_bytes 或先压缩"
            ),
            SyncError::InflatesTooLarge { document_id, max } => {
                format!("文档 {document_id} 的数据解压后超过 {max} 字节：已在解压前拒绝")
            }
            SyncError::LocalChange {
                document_id,
                reason,
            } => format!("本地修改文档 {document_id} 失败：{reason}"),
        }
    }
}

/// Cuts peer-supplied text to at most 64 characters before it goes into an error message, so a
/// hostile peer cannot make our logs or replies large.
pub(crate) fn clip(input: &str) -> String {
    const MAX_CHARS: usize = 64;
    if input.chars().count() <= MAX_CHARS {
        input.to_owned()
    } else {
        let mut clipped: String = input.chars().take(MAX_CHARS).collect();
        clipped.push('…');
        clipped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_a_chinese_message() {
        let errors = [
            SyncError::FrameTooLarge { len: 9, max: 8 },
            SyncError::ProtocolViolation { reason: "x".into() },
            SyncError::DocumentTooLarge {
                document_id: "d".into(),
                ops: 2,
                max_ops: 1,
            },
        ];
        for error in errors {
            assert_ne!(error.localized(Locale::ZhCn), error.localized(Locale::En));
            assert_eq!(error.localized(Locale::En), error.to_string());
        }
    }

    #[test]
    fn clip_bounds_peer_text() {
        assert_eq!(clip("abc"), "abc");
        let long = "界".repeat(100);
        assert_eq!(clip(&long).chars().count(), 65);
    }
}
