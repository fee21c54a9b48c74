//! The development login: tokens for the seeded demo users, without a password. Every route
//! answers 403 `dev_login_disabled` unless the server runs with `--dev-login`.

use std::sync::Arc;
use std::time::SystemTime;

use axum::extract::State;
use dealflow_core::UserId;

use crate::auth::TokenIssuer;
use crate::error::AppError;
use crate::json::Json;
use crate::routes::dto::{DevLoginRequest, DevLoginResponse, DevUsersResponse, UserDto};
use crate::state::AppState;

fn issuer(state: &AppState) -> Result<&Arc<TokenIssuer>, AppError> {
    state.dev_login.as_ref().ok_or(AppError::DevLoginDisabled)
}

/// `GET /api/dev/users`: the users one can sign in as.
pub(super) async fn users(
    State(state): State<AppState>,
) -> Result<Json<DevUsersResponse>, AppError> {
    issuer(&state)?;
    let users = state
        .directory
        .users()
        .map(|user| UserDto::new(user, &state.directory))
        .collect();
    Ok(Json(DevUsersResponse { users }))
}

/// `POST /api/dev/login {"user": "wang-fang"}`: a token for that user.
pub(super) async fn login(
    State(state): State<AppState>,
    request: Result<Json<DevLoginRequest>, AppError>,
) -> Result<Json<DevLoginResponse>, AppError> {
    // A disabled login says so whatever the body holds.
    let issuer = issuer(&state)?;
    let Json(request) = request?;
    let unknown = || AppError::UnknownDevUser {
        user: request.user.clone(),
    };
    let id = UserId::new(request.user.as_str()).map_err(|_| unknown())?;
    let user = state.directory.user(&id).ok_or_else(unknown)?;
    let issued = issuer.issue(user, SystemTime::now())?;
    tracing::info!(user = %user.id, "development login");
    Ok(Json(DevLoginResponse {
        token: issued.token,
        expires_at: issued.expires_at,
        user: UserDto::new(user, &state.directory),
    }))
}
