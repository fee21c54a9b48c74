//! Cross-origin embedding: `--cors-origin` lets a portal's pages call the HTTP API from their
//! own origin; any other origin gets no CORS headers, and without the flag nobody does.

mod support;

use reqwest::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_REQUEST_HEADERS,
    ACCESS_CONTROL_REQUEST_METHOD, AUTHORIZATION, ORIGIN,
};
use reqwest::{Client, Method, StatusCode};
use support::TestServer;
use support::sync_peer::token;

const PORTAL: &str = "https://portal.example.com";
const OTHER_PORTAL: &str = "https://crm.example.org";

async fn api_me(server: &TestServer, origin: &str) -> reqwest::Response {
    Client::new()
        .get(server.url("/api/me"))
        .header(ORIGIN, origin)
        .bearer_auth(token("zhang-wei"))
        .send()
        .await
        .unwrap()
}

async fn preflight(server: &TestServer, origin: &str) -> reqwest::Response {
    Client::new()
        .request(Method::OPTIONS, server.url("/api/documents"))
        .header(ORIGIN, origin)
        .header(ACCESS_CONTROL_REQUEST_METHOD, "GET")
        .header(ACCESS_CONTROL_REQUEST_HEADERS, "authorization")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_allowed_origin_gets_cors_headers_and_another_does_not() {
    let server = TestServer::start(&[
        "--cors-origin",
        PORTAL,
        "--cors-origin",
        "https://second.example.com",
    ])
    .await;

    let allowed = api_me(&server, PORTAL).await;
    assert_eq!(allowed.status(), StatusCode::OK);
    assert_eq!(
        allowed.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).unwrap(),
        PORTAL
    );
    let second = api_me(&server, "https://second.example.com").await;
    assert_eq!(
        second.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).unwrap(),
        "https://second.example.com"
    );
    let preflight_allowed = preflight(&server, PORTAL).await;
    assert!(preflight_allowed.status().is_success());
    assert_eq!(
        preflight_allowed
            .headers()
            .get(ACCESS_CONTROL_ALLOW_ORIGIN)
            .unwrap(),
        PORTAL
    );
    let allowed_headers = preflight_allowed
        .headers()
        .get(ACCESS_CONTROL_ALLOW_HEADERS)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(
        allowed_headers.contains(AUTHORIZATION.as_str()),
        "{allowed_headers}"
    );

    // Another origin: the request is still answered (CORS is enforced by the browser), but
    // without the headers that would let its page read the answer.
    let other = api_me(&server, OTHER_PORTAL).await;
    assert_eq!(other.status(), StatusCode::OK);
    assert!(other.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    let preflight_other = preflight(&server, OTHER_PORTAL).await;
    assert!(
        preflight_other
            .headers()
            .get(ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
    server.stop().await;
}

#[tokio::test]
async fn without_the_flag_no_origin_gets_cors_headers() {
    let server = TestServer::start(&[]).await;
    let response = api_me(&server, PORTAL).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .headers()
            .get(ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
    server.stop().await;
}

#[test]
fn an_origin_with_a_path_is_refused_at_start() {
    use clap::Parser;
    for bad in ["https://portal.example.com/app", "portal.example.com", "*"] {
        let parsed =
            dealflow_server::Config::try_parse_from(["dealflow-server", "--cors-origin", bad]);
        assert!(parsed.is_err(), "{bad} was accepted");
    }
    let parsed =
        dealflow_server::Config::try_parse_from(["dealflow-server", "--cors-origin", PORTAL])
            .unwrap();
    assert_eq!(parsed.cors_origins.len(), 1);
}
