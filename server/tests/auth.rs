//! Authentication failures over real HTTP: every refusal is a 401 (403 for a user the relay does
//! not know) with the JSON error body, and only a valid token for a known user gets through.

mod support;

use std::time::{Duration, SystemTime};

use dealflow_core::{LocalizedText, UserId};
use dealflow_server::auth::{Claims, DEV_TOKEN_LIFETIME, TokenIssuer};
use dealflow_server::directory::{Directory, Role, User};
use reqwest::StatusCode;
use support::{SECRET, TestServer, expect_error};

fn demo_user(id: &str) -> User {
    Directory::demo()
        .user(&UserId::new(id).unwrap())
        .unwrap()
        .clone()
}

fn token_for(user: &User, secret: &str, issued: SystemTime) -> String {
    TokenIssuer::hs256(secret.as_bytes(), DEV_TOKEN_LIFETIME)
        .unwrap()
        .issue(user, issued)
        .unwrap()
        .token
}

async fn get_me(server: &TestServer, token: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(server.url("/api/me"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn a_valid_token_for_a_known_user_gets_their_directory_record() {
    let server = TestServer::start(&[]).await;
    let token = token_for(&demo_user("zhang-wei"), SECRET, SystemTime::now());
    let response = get_me(&server, Some(&token)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let me: serde_json::Value = response.json().await.unwrap();
    assert_eq!(me["id"], "zhang-wei");
    assert_eq!(me["name"]["zh-CN"], "张伟");
    assert_eq!(me["role"], "rep");
    assert_eq!(me["team"]["name"]["en"], "East China");
    server.stop().await;
}

#[tokio::test]
async fn missing_tokens_are_refused() {
    let server = TestServer::start(&[]).await;
    let response = get_me(&server, None).await;
    assert_eq!(
        response.headers()[reqwest::header::WWW_AUTHENTICATE],
        "Bearer realm=\"dealflow\""
    );
    expect_error(response, StatusCode::UNAUTHORIZED, "missing_token").await;

    // The query parameter is for WebSocket upgrades only.
    let token = token_for(&demo_user("zhang-wei"), SECRET, SystemTime::now());
    let response = reqwest::get(server.url(&format!("/api/me?token={token}")))
        .await
        .unwrap();
    expect_error(response, StatusCode::UNAUTHORIZED, "missing_token").await;
    server.stop().await;
}

#[tokio::test]
async fn expired_tokens_are_refused() {
    let server = TestServer::start(&[]).await;
    let issued = SystemTime::now() - DEV_TOKEN_LIFETIME - Duration::from_secs(3600);
    let token = token_for(&demo_user("zhang-wei"), SECRET, issued);
    let body = expect_error(
        get_me(&server, Some(&token)).await,
        StatusCode::UNAUTHORIZED,
        "expired_token",
    )
    .await;
    assert_eq!(body["messageZh"], "令牌已过期：请重新登录");
    server.stop().await;
}

#[tokio::test]
async fn tokens_with_a_bad_signature_or_algorithm_are_refused() {
    let server = TestServer::start(&[]).await;
    let user = demo_user("zhang-wei");
    let forged = token_for(
        &user,
        "another-secret-0123456789abcdef-xyz",
        SystemTime::now(),
    );
    expect_error(
        get_me(&server, Some(&forged)).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;

    // Same secret, another algorithm: only the configured HS256 is accepted.
    let claims = Claims {
        sub: "zhang-wei".to_owned(),
        exp: jsonwebtoken::get_current_timestamp() + 3600,
        iat: None,
        name: None,
        role: Some("admin".to_owned()),
        team: None,
    };
    let hs512 = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    expect_error(
        get_me(&server, Some(&hs512)).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;

    expect_error(
        get_me(&server, Some("not-a-jwt")).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    server.stop().await;
}

#[tokio::test]
async fn role_claims_are_display_only_and_unknown_users_are_forbidden() {
    let server = TestServer::start(&[]).await;
    let ghost = User {
        id: UserId::new("ghost").unwrap(),
        name: LocalizedText::new("幽灵", "Ghost"),
        role: Role::Admin,
        team: None,
    };
    let token = token_for(&ghost, SECRET, SystemTime::now());
    expect_error(
        get_me(&server, Some(&token)).await,
        StatusCode::FORBIDDEN,
        "unknown_user",
    )
    .await;

    // A rep's token claiming to be an admin is still a rep: the directory decides.
    let claims = Claims {
        sub: "liu-yang".to_owned(),
        exp: jsonwebtoken::get_current_timestamp() + 3600,
        iat: None,
        name: Some("Boss".to_owned()),
        role: Some("admin".to_owned()),
        team: Some("sales".to_owned()),
    };
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    let me: serde_json::Value = get_me(&server, Some(&token)).await.json().await.unwrap();
    assert_eq!(me["role"], "rep");
    assert_eq!(me["name"]["en"], "Liu Yang");
    assert_eq!(me["team"]["id"], "east");
    server.stop().await;
}
