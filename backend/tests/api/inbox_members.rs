use crate::helpers::spawn_app;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn inbox_members_are_added_replaced_listed_and_removed() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let account = admin.account_id.unwrap();
    let (bob, _) = app.agent(&admin, "bob@example.com").await;
    let (cy, _) = app.agent(&admin, "cy@example.com").await;
    let inbox = app.create_api_inbox(&admin, "Web").await;
    let path = format!("/api/v1/accounts/{account}/inbox_members");
    let ids = |r: &crate::helpers::Reply| {
        r.body["payload"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };

    let added = app
        .api(
            Method::POST,
            &path,
            &admin.access_token,
            Some(json!({"inbox_id": inbox, "user_ids": [bob, bob]})),
        )
        .await;
    let replaced = app
        .api(
            Method::PATCH,
            &path,
            &admin.access_token,
            Some(json!({"inbox_id": inbox, "user_ids": [cy]})),
        )
        .await;
    let listed = app
        .api(
            Method::GET,
            &format!("{path}/{inbox}"),
            &admin.access_token,
            None,
        )
        .await;
    let removed = app
        .api(
            Method::DELETE,
            &path,
            &admin.access_token,
            Some(json!({"inbox_id": inbox, "user_ids": [cy]})),
        )
        .await;

    assert_eq!(added.status, 200, "{}", added.body);
    assert_eq!(ids(&added), [bob]);
    assert_eq!(ids(&replaced), [cy]);
    assert_eq!(ids(&listed), [cy]);
    assert_eq!(ids(&removed), Vec::<i64>::new());
    assert_eq!(app.count("inbox_members").await, 0);
}

#[tokio::test]
async fn members_must_be_agents_of_the_account() {
    let app = spawn_app().await;
    let acme = app.admin("ada@example.com", "Acme").await;
    let globex = app.admin("gus@example.com", "Globex").await;
    let inbox = app.create_api_inbox(&acme, "Web").await;

    let r = app
        .api(
            Method::POST,
            &format!(
                "/api/v1/accounts/{}/inbox_members",
                acme.account_id.unwrap()
            ),
            &acme.access_token,
            Some(json!({"inbox_id": inbox, "user_ids": [globex.user_id]})),
        )
        .await;

    assert_eq!(r.status, 422);
    assert_eq!(r.body["attributes"], json!(["user_ids"]));
    assert_eq!(app.count("inbox_members").await, 0);
}

#[tokio::test]
async fn agents_cannot_change_membership() {
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

    let r = app
        .api(
            Method::PATCH,
            &format!("/api/v1/accounts/{account}/inbox_members"),
            &bob_token,
            Some(json!({"inbox_id": inbox, "user_ids": []})),
        )
        .await;
    let read = app
        .api(
            Method::GET,
            &format!("/api/v1/accounts/{account}/inbox_members/{inbox}"),
            &bob_token,
            None,
        )
        .await;

    assert_eq!(r.status, 403);
    assert_eq!(read.status, 200);
    assert_eq!(app.count("inbox_members").await, 1);
}
