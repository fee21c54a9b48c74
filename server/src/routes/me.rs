//! The authenticated user.

use axum::extract::State;

use crate::auth::AuthUser;
use crate::json::Json;
use crate::routes::dto::UserDto;
use crate::state::AppState;

/// `GET /api/me`: who the token belongs to, from the relay's directory.
pub(super) async fn me(State(state): State<AppState>, caller: AuthUser) -> Json<UserDto> {
    Json(UserDto::new(&caller.user, &state.directory))
}
