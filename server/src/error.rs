//! How errors leave the server: every failure becomes an HTTP status and a JSON body
//! `{ "code", "message", "messageZh" }`.
//!
//! Codes are stable snake_case names: core's [`ErrorCode`]s for domain errors, and
//! [`ServerErrorCode`]s for what only the server can get wrong (tokens, storage, routing).
//! A 5xx body is generic; its cause goes to the log, never to the client.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dealflow_core::{ErrorCode, Locale, Localized};
use serde::Serialize;

use crate::auth::AuthError;
use crate::storage::StorageError;

/// The stable code of an error that only the server produces.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ServerErrorCode {
    /// No token in the `Authorization` header, the `token` query parameter or the subprotocol.
    MissingToken,
    /// The token is malformed, signed with another key or for another audience.
    InvalidToken,
    /// The token has expired.
    ExpiredToken,
    /// The token is valid but its user is not in the relay's directory.
    UnknownUser,
    /// The development login is turned off.
    DevLoginDisabled,
    /// The development login was asked for a user that is not seeded.
    UnknownDevUser,
    /// No such endpoint.
    NotFound,
    /// The request body or parameters could not be read.
    InvalidRequest,
    /// The request body is over the size limit.
    PayloadTooLarge,
    /// A storage key is malformed.
    InvalidStorageKey,
    /// A value is over the storage size cap.
    ValueTooLarge,
    /// The server is shutting down.
    ShuttingDown,
    /// Storage failed.
    StorageFailed,
    /// The document does not exist or is not shared with the caller (the two look the same).
    DocumentUnavailable,
    /// Anything else that went wrong inside the server.
    Internal,
    /// The lead does not exist or the caller may not see it (the two look the same).
    LeadUnavailable,
    /// The quote does not exist or the caller may not see its deal (the two look the same).
    QuoteUnavailable,
    /// The caller may read the document but not change it.
    ReadOnlyDocument,
}

impl ServerErrorCode {
    /// The snake_case name, e.g. `"expired_token"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ServerErrorCode::MissingToken => "missing_token",
            ServerErrorCode::InvalidToken => "invalid_token",
            ServerErrorCode::ExpiredToken => "expired_token",
            ServerErrorCode::UnknownUser => "unknown_user",
            ServerErrorCode::DevLoginDisabled => "dev_login_disabled",
            ServerErrorCode::UnknownDevUser => "unknown_dev_user",
            ServerErrorCode::NotFound => "not_found",
            ServerErrorCode::InvalidRequest => "invalid_request",
            ServerErrorCode::PayloadTooLarge => "payload_too_large",
            ServerErrorCode::InvalidStorageKey => "invalid_storage_key",
            ServerErrorCode::ValueTooLarge => "value_too_large",
            ServerErrorCode::ShuttingDown => "shutting_down",
            ServerErrorCode::StorageFailed => "storage_failed",
            ServerErrorCode::DocumentUnavailable => "document_unavailable",
            ServerErrorCode::Internal => "internal",
            ServerErrorCode::LeadUnavailable => "lead_unavailable",
            ServerErrorCode::QuoteUnavailable => "quote_unavailable",
            ServerErrorCode::ReadOnlyDocument => "read_only_document",
        }
    }
}

/// Any error a handler returns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// A domain rule from core.
    #[error(transparent)]
    Core(#[from] dealflow_core::Error),
    /// Authentication failed.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// Storage failed or refused a write.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The development login is turned off.
    #[error("the development login is disabled: start the server with --dev-login to use it")]
    DevLoginDisabled,
    /// The development login does not know this user.
    #[error("no demo user {user:?}: pick one from GET /api/dev/users")]
    UnknownDevUser {
        /// The id asked for.
        user: String,
    },
    /// No such endpoint.
    #[error("no endpoint {path}: check the method and the path")]
    NotFound {
        /// The path asked for.
        path: String,
    },
    /// The body or parameters could not be read (a rejection of an extractor).
    #[error("invalid request: {detail}")]
    InvalidRequest {
        /// The status the rejection carries (400, 413, 415 or 422).
        status: StatusCode,
        /// What was wrong, as the extractor reported it.
        detail: String,
    },
    /// The document does not exist or the caller may not see it: one answer for both, so that
    /// ids cannot be probed.
    #[error("document {document} is not available: check the id, or ask its owner to share it")]
    DocumentUnavailable {
        /// The id asked for.
        document: String,
    },
    /// The lead does not exist or the caller may not see it: one answer for both.
    #[error("lead {lead} is not available: check the id, or ask a manager to share it")]
    LeadUnavailable {
        /// The id asked for.
        lead: String,
    },
    /// The quote does not exist or the caller may not see its deal: one answer for both.
    #[error("quote {quote} is not available: check the id, or ask the deal's owner to share it")]
    QuoteUnavailable {
        /// The id asked for.
        quote: String,
    },
    /// The caller may read the document but not change it.
    #[error("you may read document {document} but not change it: ask its owner for write access")]
    ReadOnlyDocument {
        /// The document.
        document: String,
    },
    /// A bug or a panic; `detail` is logged, never sent.
    #[error("internal error: {detail}")]
    Internal {
        /// What happened, for the log.
        detail: String,
    },
}

/// The JSON body of every error response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// The stable code.
    pub code: &'static str,
    /// English message.
    pub message: String,
    /// Chinese message.
    pub message_zh: String,
}

impl AppError {
    /// The HTTP status this error maps to.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Core(error) => core_status(error.code()),
            AppError::Auth(error) => match error {
                AuthError::UnknownUser { .. } => StatusCode::FORBIDDEN,
                _ => StatusCode::UNAUTHORIZED,
            },
            AppError::Storage(error) => match error {
                StorageError::InvalidKey { .. } => StatusCode::BAD_REQUEST,
                StorageError::ValueTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                StorageError::Closed => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
            AppError::DevLoginDisabled => StatusCode::FORBIDDEN,
            AppError::UnknownDevUser { .. }
            | AppError::NotFound { .. }
            | AppError::DocumentUnavailable { .. }
            | AppError::LeadUnavailable { .. }
            | AppError::QuoteUnavailable { .. } => StatusCode::NOT_FOUND,
            AppError::ReadOnlyDocument { .. } => StatusCode::FORBIDDEN,
            AppError::InvalidRequest { status, .. } => *status,
            AppError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code sent as `code`.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Core(error) => error.code().as_str(),
            AppError::Auth(error) => error.code().as_str(),
            AppError::Storage(error) => error.code().as_str(),
            AppError::DevLoginDisabled => ServerErrorCode::DevLoginDisabled.as_str(),
            AppError::UnknownDevUser { .. } => ServerErrorCode::UnknownDevUser.as_str(),
            AppError::NotFound { .. } => ServerErrorCode::NotFound.as_str(),
            AppError::DocumentUnavailable { .. } => ServerErrorCode::DocumentUnavailable.as_str(),
            AppError::InvalidRequest { status, .. } if *status == StatusCode::PAYLOAD_TOO_LARGE => {
                ServerErrorCode::PayloadTooLarge.as_str()
            }
            AppError::InvalidRequest { .. } => ServerErrorCode::InvalidRequest.as_str(),
            AppError::Internal { .. } => ServerErrorCode::Internal.as_str(),
            AppError::LeadUnavailable { .. } => ServerErrorCode::LeadUnavailable.as_str(),
            AppError::QuoteUnavailable { .. } => ServerErrorCode::QuoteUnavailable.as_str(),
            AppError::ReadOnlyDocument { .. } => ServerErrorCode::ReadOnlyDocument.as_str(),
        }
    }

    /// The body sent to the client: the error's own messages for 4xx, generic ones for 5xx.
    pub fn body(&self) -> ErrorBody {
        let status = self.status();
        if status.is_server_error() {
            let (message, message_zh) = if status == StatusCode::SERVICE_UNAVAILABLE {
                (
                    "the server is unavailable: try again shortly",
                    "服务器暂时不可用：请稍后重试",
                )
            } else {
                (
                    "the server failed to handle the request: try again, and report it if it persists",
                    "服务器处理请求失败：请重试，如持续出现请报告",
                )
            };
            return ErrorBody {
                code: self.code(),
                message: message.to_owned(),
                message_zh: message_zh.to_owned(),
            };
        }
        ErrorBody {
            code: self.code(),
            message: self.localized(Locale::En),
            message_zh: self.localized(Locale::ZhCn),
        }
    }
}

/// Domain errors are the caller's: a conflict for a rejected move, unprocessable otherwise.
fn core_status(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::MoveRejected | ErrorCode::WrongPipeline => StatusCode::CONFLICT,
        // Lost races: someone else's exclusive action was decided first.
        ErrorCode::LeadAlreadyClaimed | ErrorCode::StaleVersion | ErrorCode::StaleQuote => {
            StatusCode::CONFLICT
        }
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

impl Localized for AppError {
    fn localized(&self, locale: Locale) -> String {
        match (locale, self) {
            (Locale::En, _) => self.to_string(),
            (Locale::ZhCn, AppError::Core(error)) => error.localized(locale),
            (Locale::ZhCn, AppError::Auth(error)) => error.localized(locale),
            (Locale::ZhCn, AppError::Storage(error)) => error.localized(locale),
            (Locale::ZhCn, AppError::DevLoginDisabled) => {
                "开发登录未开启：请以 --dev-login 启动服务器".to_owned()
            }
            (Locale::ZhCn, AppError::UnknownDevUser { user }) => {
                format!("没有演示用户 {user:?}：请从 GET /api/dev/users 中选择")
            }
            (Locale::ZhCn, AppError::NotFound { path }) => {
                format!("没有接口 {path}：请检查请求方法和路径")
            }
            (Locale::ZhCn, AppError::DocumentUnavailable { document }) => {
                format!("文档 {document} 不可用：请检查标识，或请负责人共享给你")
            }
            (Locale::ZhCn, AppError::InvalidRequest { detail, .. }) => {
                format!("请求无效：{detail}")
            }
            (Locale::ZhCn, AppError::Internal { .. }) => "服务器内部错误".to_owned(),
            (Locale::ZhCn, AppError::LeadUnavailable { lead }) => {
                format!("线索 {lead} 不可用：请检查标识，或请经理共享给你")
            }
            (Locale::ZhCn, AppError::QuoteUnavailable { quote }) => {
                format!("报价单 {quote} 不可用：请检查标识，或请商机负责人共享给你")
            }
            (Locale::ZhCn, AppError::ReadOnlyDocument { document }) => {
                format!("你只能查看文档 {document}，不能修改：请向负责人申请编辑权限")
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, code = self.code(), "request failed");
        } else {
            tracing::debug!(error = %self, code = self.code(), "request refused");
        }
        let mut response = (status, Json(self.body())).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"dealflow\""),
            );
        }
        response
    }
}

/// Turns a panic caught in a handler into a 500 with the usual body.
pub(crate) fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = match panic.downcast::<String>() {
        Ok(message) => *message,
        Err(panic) => match panic.downcast::<&str>() {
            Ok(message) => (*message).to_owned(),
            Err(_) => "a handler panicked".to_owned(),
        },
    };
    AppError::Internal {
        detail: format!("panic: {detail}"),
    }
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_code_names_match_serde() {
        for code in [
            ServerErrorCode::MissingToken,
            ServerErrorCode::InvalidToken,
            ServerErrorCode::ExpiredToken,
            ServerErrorCode::UnknownUser,
            ServerErrorCode::DevLoginDisabled,
            ServerErrorCode::UnknownDevUser,
            ServerErrorCode::NotFound,
            ServerErrorCode::InvalidRequest,
            ServerErrorCode::PayloadTooLarge,
            ServerErrorCode::InvalidStorageKey,
            ServerErrorCode::ValueTooLarge,
            ServerErrorCode::ShuttingDown,
            ServerErrorCode::StorageFailed,
            ServerErrorCode::DocumentUnavailable,
            ServerErrorCode::Internal,
            ServerErrorCode::LeadUnavailable,
            ServerErrorCode::QuoteUnavailable,
            ServerErrorCode::ReadOnlyDocument,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn server_errors_hide_their_cause() {
        let error = AppError::Storage(StorageError::Corrupt {
            detail: "secret table layout".to_owned(),
        });
        assert_eq!(error.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = error.body();
        assert_eq!(body.code, "storage_failed");
        assert!(!body.message.contains("secret"));
        assert!(!body.message_zh.contains("secret"));
    }

    #[test]
    fn core_errors_keep_their_code_and_translation() {
        let error = AppError::from(dealflow_core::Error::from(
            dealflow_core::UserId::new("").unwrap_err(),
        ));
        assert_eq!(error.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = error.body();
        assert_eq!(body.code, "invalid_id");
        assert_eq!(body.message, "UserId is empty: give a non-empty id");
        assert_eq!(body.message_zh, "UserId 为空：请提供非空的标识");
    }
}
