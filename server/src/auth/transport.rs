//! Where a request carries its token.
//!
//! - Any request: `Authorization: Bearer <jwt>`.
//! - WebSocket upgrades only, because browsers cannot set headers on them:
//!   - the subprotocol convention: the client offers `["dealflow", "dealflow.token.<jwt>"]` in
//!     `Sec-WebSocket-Protocol` and the server answers `dealflow` (it never echoes the token);
//!     a JWT is made of base64url parts and dots, all valid in a subprotocol name;
//!   - or the query parameter `?token=<jwt>`.
//!
//! Plain HTTP requests may not carry the token in the URL: URLs end up in browser history,
//! `Referer` headers and proxy logs. The relay's own request logs record the path only.

use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};

use super::AuthError;

/// The subprotocol the server selects on a WebSocket upgrade.
pub const SUBPROTOCOL: &str = "dealflow";

/// Prefix of the subprotocol entry that carries the token: `dealflow.token.<jwt>`.
pub const TOKEN_SUBPROTOCOL_PREFIX: &str = "dealflow.token.";

/// The query parameter that carries the token on a WebSocket upgrade.
pub const TOKEN_QUERY_PARAMETER: &str = "token";

/// The token of a request, looked up in the places listed in the module docs.
pub fn request_token(parts: &Parts) -> Result<String, AuthError> {
    if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
        let value = value.to_str().unwrap_or_default();
        return match value.split_once(' ') {
            Some((scheme, token))
                if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
            {
                Ok(token.trim().to_owned())
            }
            _ => Err(AuthError::InvalidToken {
                reason: "the Authorization header is not `Bearer <token>`".to_owned(),
            }),
        };
    }
    if is_websocket_upgrade(parts) {
        if let Some(token) = subprotocol_token(&parts.headers) {
            return Ok(token.to_owned());
        }
        if let Some(token) = query_token(parts.uri.query().unwrap_or_default()) {
            return Ok(token);
        }
    }
    Err(AuthError::MissingToken)
}

/// HTTP/1.1 upgrades say `Upgrade: websocket`; HTTP/2 WebSockets use extended `CONNECT`.
fn is_websocket_upgrade(parts: &Parts) -> bool {
    parts.method == Method::CONNECT
        || parts
            .headers
            .get_all(header::UPGRADE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .any(|value| value.eq_ignore_ascii_case("websocket"))
}

fn subprotocol_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .find_map(|protocol| protocol.strip_prefix(TOKEN_SUBPROTOCOL_PREFIX))
        .filter(|token| !token.is_empty())
}

fn query_token(query: &str) -> Option<String> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == TOKEN_QUERY_PARAMETER)
        // A JWT is base64url and dots; anything percent-encoded in it is not a token of ours.
        .map(|(_, value)| value.to_owned())
        .filter(|token| !token.is_empty())
}

#[cfg(test)]
mod tests {
    use axum::http::Request;

    use super::*;

    fn parts(request: Request<()>) -> Parts {
        request.into_parts().0
    }

    fn upgrade(uri: &str) -> axum::http::request::Builder {
        Request::get(uri)
            .header(header::UPGRADE, "websocket")
            .header(header::CONNECTION, "upgrade")
    }

    #[test]
    fn bearer_header_works_everywhere() {
        let request = Request::get("/api/me")
            .header(header::AUTHORIZATION, "Bearer abc.def.ghi")
            .body(())
            .unwrap();
        assert_eq!(request_token(&parts(request)).unwrap(), "abc.def.ghi");
        let request = Request::get("/api/me")
            .header(header::AUTHORIZATION, "Basic abc")
            .body(())
            .unwrap();
        assert!(matches!(
            request_token(&parts(request)),
            Err(AuthError::InvalidToken { .. })
        ));
    }

    #[test]
    fn subprotocol_and_query_work_on_upgrades_only() {
        let request = upgrade("/sync")
            .header(
                header::SEC_WEBSOCKET_PROTOCOL,
                "dealflow, dealflow.token.abc.def.ghi",
            )
            .body(())
            .unwrap();
        assert_eq!(request_token(&parts(request)).unwrap(), "abc.def.ghi");

        let request = upgrade("/sync?peer=x&token=abc.def.ghi").body(()).unwrap();
        assert_eq!(request_token(&parts(request)).unwrap(), "abc.def.ghi");

        let request = Request::get("/api/me?token=abc.def.ghi").body(()).unwrap();
        assert_eq!(request_token(&parts(request)), Err(AuthError::MissingToken));
        let request = Request::get("/api/me")
            .header(header::SEC_WEBSOCKET_PROTOCOL, "dealflow.token.abc")
            .body(())
            .unwrap();
        assert_eq!(request_token(&parts(request)), Err(AuthError::MissingToken));
    }

    #[test]
    fn missing_or_empty_tokens_are_missing() {
        let request = upgrade("/sync?token=")
            .header(header::SEC_WEBSOCKET_PROTOCOL, "dealflow, dealflow.token.")
            .body(())
            .unwrap();
        assert_eq!(request_token(&parts(request)), Err(AuthError::MissingToken));
    }
}
