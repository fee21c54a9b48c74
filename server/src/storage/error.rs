//! What can go wrong in storage.

use std::sync::Arc;

use dealflow_core::{Locale, Localized};

use crate::error::ServerErrorCode;

/// A storage failure. Cloneable because one failed group commit answers many callers.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// A key is empty where a write needs one part, or has a bad part.
    #[error("invalid storage key {key:?}: {reason}")]
    InvalidKey {
        /// The key, parts joined by `/`.
        key: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A value is over the configured cap; nothing of its batch was written.
    #[error("value for {key} is {len} bytes, over the {max}-byte cap: split or compact it")]
    ValueTooLarge {
        /// The key, parts joined by `/`.
        key: String,
        /// The value's size.
        len: usize,
        /// The cap.
        max: usize,
    },
    /// The store was closed by shutdown; retry against a running server.
    #[error("storage is closed: the server is shutting down")]
    Closed,
    /// The database was written by a newer server.
    #[error(
        "database schema version {found} is newer than this server supports ({supported}): upgrade the server"
    )]
    SchemaTooNew {
        /// The version in the database.
        found: u32,
        /// The newest version this build knows.
        supported: u32,
    },
    /// Stored data does not have the shape this server writes.
    #[error("stored data is corrupt: {detail}")]
    Corrupt {
        /// What was found.
        detail: String,
    },
    /// The backend failed (disk full, I/O error, locked database, …).
    #[error("storage backend failed during {operation}: {source}")]
    Backend {
        /// What was being done, e.g. `"commit"`.
        operation: &'static str,
        /// The backend's error.
        #[source]
        source: Arc<dyn std::error::Error + Send + Sync>,
    },
}

impl StorageError {
    /// A backend error from any error type.
    pub fn backend(
        operation: &'static str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        StorageError::Backend {
            operation,
            source: Arc::new(source),
        }
    }

    /// The stable code of this error.
    pub fn code(&self) -> ServerErrorCode {
        match self {
            StorageError::InvalidKey { .. } => ServerErrorCode::InvalidStorageKey,
            StorageError::ValueTooLarge { .. } => ServerErrorCode::ValueTooLarge,
            StorageError::Closed => ServerErrorCode::ShuttingDown,
            StorageError::SchemaTooNew { .. }
            | StorageError::Corrupt { .. }
            | StorageError::Backend { .. } => ServerErrorCode::StorageFailed,
        }
    }
}

impl Localized for StorageError {
    fn localized(&self, locale: Locale) -> String {
        match (locale, self) {
            (Locale::En, _) => self.to_string(),
            (Locale::ZhCn, StorageError::InvalidKey { key, .. }) => {
                format!("存储键 {key:?} 无效：键的各段须非空且不含控制字符")
            }
            (Locale::ZhCn, StorageError::ValueTooLarge { key, len, max }) => {
                format!("{key} 的数据为 {len} 字节，超过上限 {max} 字节：请拆分或压缩")
            }
            (Locale::ZhCn, StorageError::Closed) => "存储已关闭：服务器正在停止".to_owned(),
            (Locale::ZhCn, StorageError::SchemaTooNew { found, supported }) => {
                format!("数据库结构版本 {found} 高于本服务器支持的版本 {supported}：请升级服务器")
            }
            (Locale::ZhCn, StorageError::Corrupt { detail }) => {
                format!("存储的数据已损坏：{detail}")
            }
            (Locale::ZhCn, StorageError::Backend { operation, source }) => {
                format!("存储后端在 {operation} 时失败：{source}")
            }
        }
    }
}
