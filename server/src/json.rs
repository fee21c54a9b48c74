//! A JSON extractor and response whose rejections have the same `{ code, message, messageZh }`
//! shape as every other error (axum `examples/error-handling`).

use axum::extract::FromRequest;
use axum::extract::rejection::JsonRejection;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

/// Like `axum::Json`, but a body that is not valid JSON, has the wrong content type, is too
/// large or misses fields becomes an [`AppError`].
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct Json<T>(pub T);

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        AppError::InvalidRequest {
            status: rejection.status(),
            detail: rejection.body_text(),
        }
    }
}

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}
