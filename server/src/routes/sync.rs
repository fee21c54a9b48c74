//! `GET /sync`: the WebSocket endpoint of the sync relay.
//!
//! The token is checked on the upgrade request (`?token=` or the subprotocol pair
//! `["dealflow", "dealflow.token.<jwt>"]`, see `auth`); the connection is then bound to that user
//! until it closes or the token expires. A client that offered the `dealflow` subprotocol gets
//! it back, as browsers require.

use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::response::Response;
use futures_util::StreamExt;

use crate::auth::{AuthUser, SUBPROTOCOL};
use crate::relay::{self, ConnectionConfig};
use crate::state::AppState;

/// Bytes read from a socket at a time; larger frames are assembled over several reads.
const READ_BUFFER_BYTES: usize = 16 * 1024;

/// Upgrades to a WebSocket speaking the automerge-repo protocol.
pub(super) async fn sync(
    State(state): State<AppState>,
    caller: AuthUser,
    upgrade: WebSocketUpgrade,
) -> Response {
    let config = ConnectionConfig {
        user: caller.user.id,
        expires_at: caller.expires_at,
    };
    let relay = state.relay.clone();
    upgrade
        // Sync frames are small; tungstenite's default 128 KiB read chunk is zeroed on every
        // read, which a profile of the relay under load showed at 3 % of its CPU.
        .read_buffer_size(READ_BUFFER_BYTES)
        .max_message_size(state.limits.max_message_bytes)
        .max_frame_size(state.limits.max_frame_bytes)
        .protocols([SUBPROTOCOL])
        .on_upgrade(move |socket| {
            let (sink, stream) = socket.split();
            relay::serve(relay, config, sink, stream)
        })
}
