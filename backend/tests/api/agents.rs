use crate::helpers::{reply, spawn_app};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn an_administrator_adds_an_agent_who_can_then_sign_in() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let account = admin.account_id.unwrap();

    let r = app
        .api(Method::POST, &format!("/api/v1/accounts/{account}/agents"), &admin.access_token, Some(json!({"name": "Bob", "email": "bob@example.com", "role": "agent", "password": "bobsecret1"})))
        .await;
    let list = app
        .api(
            Method::GET,
            &format!("/api/v1/accounts/{account}/agents"),
            &admin.access_token,
            None,
        )
        .await;
    let sign_in = app
        .client
        .post(format!("{}/auth/sign_in", app.address))
        .json(&json!({"email": "bob@example.com", "password": "bobsecret1"}))
        .send()
        .await
        .unwrap();

    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["role"], "agent");
    assert_eq!(r.body["account_id"], account);
    assert_eq!(r.body["availability_status"], "offline");
    assert_eq!(list.body.as_array().unwrap().len(), 2);
    assert_eq!(sign_in.status(), 200);
}

#[tokio::test]
async fn adding_an_agent_reports_every_invalid_field_at_once_and_writes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let users_before = app.count("users").await;

    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/accounts/{}/agents", admin.account_id.unwrap()),
            &admin.access_token,
            Some(
                json!({"name": " ", "email": "not-an-email", "role": "agent", "password": "short"}),
            ),
        )
        .await;

    assert_eq!(r.status, 422);
    assert_eq!(r.body["error"], "validation_failed");
    assert_eq!(r.body["attributes"], json!(["email", "name", "password"]));
    assert_eq!(app.count("users").await, users_before);
}

#[tokio::test]
async fn an_unknown_role_is_422_naming_the_field() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;

    let r = app
        .api(Method::POST, &format!("/api/v1/accounts/{}/agents", admin.account_id.unwrap()), &admin.access_token, Some(json!({"name": "Bob", "email": "bob@example.com", "role": "boss", "password": "bobsecret1"})))
        .await;

    assert_eq!(r.status, 422);
    assert_eq!(r.body["attributes"], json!(["role"]));
}

#[tokio::test]
async fn an_existing_user_is_brought_into_another_account_without_a_password() {
    let app = spawn_app().await;
    let acme = app.admin("ada@example.com", "Acme").await;
    let globex = app.admin("gus@example.com", "Globex").await;

    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/accounts/{}/agents", globex.account_id.unwrap()),
            &globex.access_token,
            Some(json!({"name": "Ada", "email": "ada@example.com", "role": "administrator"})),
        )
        .await;
    let again = app
        .api(
            Method::POST,
            &format!("/api/v1/accounts/{}/agents", globex.account_id.unwrap()),
            &globex.access_token,
            Some(json!({"name": "Ada", "email": "ada@example.com", "role": "agent"})),
        )
        .await;
    let profile = app
        .api(Method::GET, "/api/v1/profile", &acme.access_token, None)
        .await;

    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(again.status, 422);
    assert_eq!(again.body["attributes"], json!(["email"]));
    assert_eq!(profile.body["accounts"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn agents_cannot_manage_agents_and_removed_agents_lose_access() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let account = admin.account_id.unwrap();
    let (bob, bob_token) = app.agent(&admin, "bob@example.com").await;
    let inbox = app.create_api_inbox(&admin, "Web").await;
    app.api(
        Method::POST,
        &format!("/api/v1/accounts/{account}/inbox_members"),
        &admin.access_token,
        Some(json!({"inbox_id": inbox, "user_ids": [bob]})),
    )
    .await;

    let by_agent = app
        .api(Method::POST, &format!("/api/v1/accounts/{account}/agents"), &bob_token, Some(json!({"name": "Eve", "email": "eve@example.com", "role": "administrator", "password": "evesecret1"})))
        .await;
    let removed = app
        .api(
            Method::DELETE,
            &format!("/api/v1/accounts/{account}/agents/{bob}"),
            &admin.access_token,
            None,
        )
        .await;
    let after = app
        .api(
            Method::GET,
            &format!("/api/v1/accounts/{account}/inboxes"),
            &bob_token,
            None,
        )
        .await;
    let self_removal = app
        .api(
            Method::DELETE,
            &format!("/api/v1/accounts/{account}/agents/{}", admin.user_id),
            &admin.access_token,
            None,
        )
        .await;

    assert_eq!(by_agent.status, 403);
    assert_eq!(by_agent.body["error"], "forbidden");
    assert_eq!(removed.status, 200);
    assert_eq!(after.status, 404);
    assert_eq!(app.count("inbox_members").await, 0);
    assert_eq!(self_removal.status, 422);
    assert_eq!(self_removal.body["error"], "cannot_remove_self");
}

#[tokio::test]
async fn another_accounts_agents_are_404() {
    let app = spawn_app().await;
    let acme = app.admin("ada@example.com", "Acme").await;
    let globex = app.admin("gus@example.com", "Globex").await;

    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/accounts/{}/agents", acme.account_id.unwrap()),
            &globex.access_token,
            None,
        )
        .await;
    let del = reply(
        app.client
            .delete(format!(
                "{}/api/v1/accounts/{}/agents/{}",
                app.address,
                acme.account_id.unwrap(),
                acme.user_id
            ))
            .header("api_access_token", &globex.access_token)
            .send()
            .await
            .unwrap(),
    )
    .await;

    assert_eq!(r.status, 404);
    assert_eq!(r.body["error"], "not_found");
    assert_eq!(del.status, 404);
}
