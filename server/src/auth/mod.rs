//! Who is calling: signed tokens in, a [`AuthUser`] from the relay's own directory out.
//!
//! A request proves its identity with a JWT (`token`), carried as described in `transport`.
//! The token's `sub` is looked up in the [`Directory`]; the directory's record, not the token's
//! other claims, is what handlers see. A valid token for a user the relay does not know is
//! refused with 403: the relay only serves users it has records for.

mod token;
mod transport;

pub use token::{
    Claims, DEV_TOKEN_LIFETIME, IssuedToken, MIN_SECRET_BYTES, PublicKeyAlgorithm, TokenIssuer,
    TokenKeyError, TokenVerifier,
};
pub use transport::{SUBPROTOCOL, TOKEN_QUERY_PARAMETER, TOKEN_SUBPROTOCOL_PREFIX, request_token};

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use dealflow_core::{Locale, Localized, UserId};

use crate::directory::{Directory, User};
use crate::error::{AppError, ServerErrorCode};

/// The authenticated caller of a request or WebSocket: their directory record and when their
/// token expires. Extracting it verifies the token and looks the user up.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct AuthUser {
    /// The relay's record of the user.
    pub user: User,
    /// When the token expires, seconds since the epoch (a long-lived socket can be closed then).
    pub expires_at: u64,
}

impl AuthUser {
    /// Authenticates `token` against `verifier` and `directory`.
    pub fn from_token(
        token: &str,
        verifier: &TokenVerifier,
        directory: &Directory,
    ) -> Result<Self, AuthError> {
        let claims = verifier.verify(token)?;
        let unknown = || AuthError::UnknownUser {
            user: claims.sub.clone(),
        };
        let id = UserId::new(claims.sub.as_str()).map_err(|_| unknown())?;
        let user = directory.user(&id).ok_or_else(unknown)?;
        Ok(AuthUser {
            user: user.clone(),
            expires_at: claims.exp,
        })
    }
}

impl<S> FromRequestParts<S> for AuthUser
where
    S: Send + Sync,
    Arc<TokenVerifier>: FromRef<S>,
    Arc<Directory>: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = request_token(parts)?;
        let verifier = Arc::<TokenVerifier>::from_ref(state);
        let directory = Arc::<Directory>::from_ref(state);
        let user = AuthUser::from_token(&token, &verifier, &directory).inspect_err(|error| {
            if let AuthError::InvalidToken { reason } = error {
                tracing::debug!(%reason, "refused a token");
            }
        })?;
        tracing::Span::current().record("user", user.user.id.as_str());
        Ok(user)
    }
}

/// Why a request is not authenticated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// No token anywhere it may be.
    #[error(
        "no token: send `Authorization: Bearer <token>`, or on a WebSocket the `token` query parameter or the `dealflow.token.<token>` subprotocol"
    )]
    MissingToken,
    /// The token is malformed, has a bad signature, the wrong algorithm, issuer or audience.
    #[error("the token is not valid: sign in again")]
    InvalidToken {
        /// What the verifier said; logged at debug level, never sent to the client.
        reason: String,
    },
    /// The token has expired.
    #[error("the token has expired: sign in again")]
    ExpiredToken,
    /// The token is valid but names a user this relay has no record of.
    #[error("user {user:?} is not registered with this server: ask an administrator to add them")]
    UnknownUser {
        /// The token's `sub`.
        user: String,
    },
}

impl AuthError {
    /// The stable code of this error.
    pub fn code(&self) -> ServerErrorCode {
        match self {
            AuthError::MissingToken => ServerErrorCode::MissingToken,
            AuthError::InvalidToken { .. } => ServerErrorCode::InvalidToken,
            AuthError::ExpiredToken => ServerErrorCode::ExpiredToken,
            AuthError::UnknownUser { .. } => ServerErrorCode::UnknownUser,
        }
    }
}

impl Localized for AuthError {
    fn localized(&self, locale: Locale) -> String {
        match (locale, self) {
            (Locale::En, _) => self.to_string(),
            (Locale::ZhCn, AuthError::MissingToken) => {
                "缺少令牌：请发送 `Authorization: Bearer <令牌>`，WebSocket 连接也可用 `token` 查询参数或 `dealflow.token.<令牌>` 子协议".to_owned()
            }
            (Locale::ZhCn, AuthError::InvalidToken { .. }) => "令牌无效：请重新登录".to_owned(),
            (Locale::ZhCn, AuthError::ExpiredToken) => "令牌已过期：请重新登录".to_owned(),
            (Locale::ZhCn, AuthError::UnknownUser { user }) => {
                format!("用户 {user:?} 未在本服务器登记：请联系管理员添加")
            }
        }
    }
}
