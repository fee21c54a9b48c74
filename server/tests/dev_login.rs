//! The development login: tokens for the seeded demo users, and nothing at all unless
//! `--dev-login` is given.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{TestServer, expect_error};

#[tokio::test]
async fn lists_the_demo_users_and_mints_working_tokens() {
    let server = TestServer::start(&["--dev-login"]).await;
    let client = reqwest::Client::new();
    let users: Value = client
        .get(server.url("/api/dev/users"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let users = users["users"].as_array().unwrap();
    let count = |role: &str| users.iter().filter(|user| user["role"] == role).count();
    assert_eq!((count("admin"), count("manager"), count("rep")), (1, 2, 4));
    assert!(users.iter().any(|user| user["name"]["zh-CN"] == "王芳"
        && user["name"]["en"] == "Wang Fang"
        && user["team"]["name"]["zh-CN"] == "华东区"));

    let login: Value = client
        .post(server.url("/api/dev/login"))
        .json(&json!({ "user": "wang-fang" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(login["user"]["id"], "wang-fang");
    assert_eq!(login["user"]["role"], "manager");
    assert!(login["expiresAt"].as_u64().unwrap() > jsonwebtoken::get_current_timestamp());

    let token = login["token"].as_str().unwrap();
    let me: Value = client
        .get(server.url("/api/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me, login["user"]);
    server.stop().await;
}

#[tokio::test]
async fn refuses_unknown_users_and_bad_bodies() {
    let server = TestServer::start(&["--dev-login"]).await;
    let client = reqwest::Client::new();
    let unknown = client
        .post(server.url("/api/dev/login"))
        .json(&json!({ "user": "nobody" }))
        .send()
        .await
        .unwrap();
    expect_error(unknown, StatusCode::NOT_FOUND, "unknown_dev_user").await;

    let missing_field = client
        .post(server.url("/api/dev/login"))
        .json(&json!({ "name": "wang-fang" }))
        .send()
        .await
        .unwrap();
    expect_error(
        missing_field,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    )
    .await;

    let not_json = client
        .post(server.url("/api/dev/login"))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    expect_error(not_json, StatusCode::BAD_REQUEST, "invalid_request").await;

    let too_large = client
        .post(server.url("/api/dev/login"))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(format!("{{\"user\": \"{}\"}}", "x".repeat(100_000)))
        .send()
        .await
        .unwrap();
    expect_error(
        too_large,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;
    server.stop().await;
}

#[tokio::test]
async fn is_forbidden_unless_enabled() {
    let server = TestServer::start(&[]).await;
    let client = reqwest::Client::new();
    let users = client
        .get(server.url("/api/dev/users"))
        .send()
        .await
        .unwrap();
    let body = expect_error(users, StatusCode::FORBIDDEN, "dev_login_disabled").await;
    assert_eq!(
        body["messageZh"],
        "开发登录未开启：请以 --dev-login 启动服务器"
    );

    let login = client
        .post(server.url("/api/dev/login"))
        .json(&json!({ "user": "chen-jing" }))
        .send()
        .await
        .unwrap();
    expect_error(login, StatusCode::FORBIDDEN, "dev_login_disabled").await;
    server.stop().await;
}
