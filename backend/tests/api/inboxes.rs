use crate::helpers::spawn_app;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn an_administrator_creates_lists_renames_and_deletes_an_api_inbox() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let base = format!("/api/v1/accounts/{}/inboxes", admin.account_id.unwrap());

    let created = app.api(Method::POST, &base, &admin.access_token, Some(json!({"name": "Website", "channel": {"type": "api", "webhook_url": "https://example.com/hook"}}))).await;
    let id = created.body["id"].as_i64().unwrap();
    let list = app.api(Method::GET, &base, &admin.access_token, None).await;
    let renamed = app
        .api(
            Method::PATCH,
            &format!("{base}/{id}"),
            &admin.access_token,
            Some(json!({"name": "Site", "channel": {"webhook_url": ""}})),
        )
        .await;
    let shown = app
        .api(
            Method::GET,
            &format!("{base}/{id}"),
            &admin.access_token,
            None,
        )
        .await;

    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!(created.body["channel_type"], "Channel::Api");
    assert_eq!(created.body["webhook_url"], "https://example.com/hook");
    assert_eq!(created.body["reauthorization_required"], false);
    assert!(created.body["created_at"].is_i64());
    assert_eq!(list.body["payload"].as_array().unwrap().len(), 1);
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(shown.body["name"], "Site");
    assert_eq!(shown.body["webhook_url"], serde_json::Value::Null);

    let deleted = app
        .api(
            Method::DELETE,
            &format!("{base}/{id}"),
            &admin.access_token,
            None,
        )
        .await;
    let gone = app
        .api(
            Method::GET,
            &format!("{base}/{id}"),
            &admin.access_token,
            None,
        )
        .await;

    assert_eq!(deleted.status, 200);
    assert_eq!(gone.status, 404);
    assert_eq!(app.count("inboxes").await, 0);
    assert_eq!(app.count("channel_api").await, 0);
}

#[tokio::test]
async fn paths_work_with_a_trailing_slash() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let id = app.create_api_inbox(&admin, "Web").await;

    let list = app
        .api(
            Method::GET,
            &format!("/api/v1/accounts/{}/inboxes/", admin.account_id.unwrap()),
            &admin.access_token,
            None,
        )
        .await;
    let one = app
        .api(
            Method::GET,
            &format!(
                "/api/v1/accounts/{}/inboxes/{id}/?x=1",
                admin.account_id.unwrap()
            ),
            &admin.access_token,
            None,
        )
        .await;

    assert_eq!(list.status, 200);
    assert_eq!(one.status, 200);
    assert_eq!(one.body["id"], id);
}

#[tokio::test]
async fn agents_cannot_create_rename_or_delete_inboxes() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let account = admin.account_id.unwrap();
    let (bob, bob_token) = app.agent(&admin, "bob@example.com").await;
    let id = app.create_api_inbox(&admin, "Web").await;
    app.api(
        Method::POST,
        &format!("/api/v1/accounts/{account}/inbox_members"),
        &admin.access_token,
        Some(json!({"inbox_id": id, "user_ids": [bob]})),
    )
    .await;
    let base = format!("/api/v1/accounts/{account}/inboxes");

    let create = app
        .api(
            Method::POST,
            &base,
            &bob_token,
            Some(json!({"name": "Mine", "channel": {"type": "api"}})),
        )
        .await;
    let rename = app
        .api(
            Method::PATCH,
            &format!("{base}/{id}"),
            &bob_token,
            Some(json!({"name": "Mine"})),
        )
        .await;
    let delete = app
        .api(Method::DELETE, &format!("{base}/{id}"), &bob_token, None)
        .await;

    for r in [&create, &rename, &delete] {
        assert_eq!(r.status, 403, "{}", r.body);
        assert_eq!(r.body["error"], "forbidden");
    }
    assert_eq!(app.count("inboxes").await, 1);
}

#[tokio::test]
async fn agents_see_only_the_inboxes_they_are_members_of() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let account = admin.account_id.unwrap();
    let (bob, bob_token) = app.agent(&admin, "bob@example.com").await;
    let mine = app.create_api_inbox(&admin, "Mine").await;
    let other = app.create_api_inbox(&admin, "Other").await;
    app.api(
        Method::POST,
        &format!("/api/v1/accounts/{account}/inbox_members"),
        &admin.access_token,
        Some(json!({"inbox_id": mine, "user_ids": [bob]})),
    )
    .await;

    let list = app
        .api(
            Method::GET,
            &format!("/api/v1/accounts/{account}/inboxes"),
            &bob_token,
            None,
        )
        .await;
    let hidden = app
        .api(
            Method::GET,
            &format!("/api/v1/accounts/{account}/inboxes/{other}"),
            &bob_token,
            None,
        )
        .await;

    let names: Vec<&str> = list.body["payload"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Mine"]);
    assert_eq!(hidden.status, 404);
}

#[tokio::test]
async fn another_accounts_inboxes_are_404_for_every_verb() {
    let app = spawn_app().await;
    let acme = app.admin("ada@example.com", "Acme").await;
    let globex = app.admin("gus@example.com", "Globex").await;
    let id = app.create_api_inbox(&acme, "Web").await;
    let acme_base = format!("/api/v1/accounts/{}/inboxes", acme.account_id.unwrap());
    let globex_base = format!("/api/v1/accounts/{}/inboxes", globex.account_id.unwrap());

    let replies = [
        app.api(Method::GET, &acme_base, &globex.access_token, None)
            .await,
        app.api(
            Method::GET,
            &format!("{acme_base}/{id}"),
            &globex.access_token,
            None,
        )
        .await,
        app.api(
            Method::PATCH,
            &format!("{acme_base}/{id}"),
            &globex.access_token,
            Some(json!({"name": "x"})),
        )
        .await,
        app.api(
            Method::DELETE,
            &format!("{acme_base}/{id}"),
            &globex.access_token,
            None,
        )
        .await,
        app.api(
            Method::GET,
            &format!("{globex_base}/{id}"),
            &globex.access_token,
            None,
        )
        .await,
        app.api(
            Method::DELETE,
            &format!("{globex_base}/{id}"),
            &globex.access_token,
            None,
        )
        .await,
        app.api(
            Method::GET,
            "/api/v1/accounts/999/inboxes",
            &globex.access_token,
            None,
        )
        .await,
        app.api(
            Method::GET,
            "/api/v1/accounts/abc/inboxes",
            &globex.access_token,
            None,
        )
        .await,
    ];

    for r in replies {
        assert_eq!(r.status, 404, "{}", r.body);
        assert_eq!(r.body["error"], "not_found");
    }
    assert_eq!(app.count("inboxes").await, 1);
}

#[tokio::test]
async fn bad_bodies_get_400_413_or_422_and_write_nothing() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let base = format!("/api/v1/accounts/{}/inboxes", admin.account_id.unwrap());
    let huge = format!(
        r#"{{"name":"{}","channel":{{"type":"api"}}}}"#,
        "x".repeat(1024 * 1024 + 1)
    );

    let malformed = app
        .raw(Method::POST, &base, &admin.access_token, "{\"name\": ")
        .await;
    let oversized = app
        .raw(Method::POST, &base, &admin.access_token, huge)
        .await;
    let wrong_type = app
        .api(
            Method::POST,
            &base,
            &admin.access_token,
            Some(json!({"name": 7, "channel": {"type": "api"}})),
        )
        .await;
    let missing = app
        .api(
            Method::POST,
            &base,
            &admin.access_token,
            Some(json!({"name": "Web"})),
        )
        .await;
    let unsupported = app
        .api(
            Method::POST,
            &base,
            &admin.access_token,
            Some(json!({"name": "Web", "channel": {"type": "carrier_pigeon"}})),
        )
        .await;
    let invalid = app
        .api(
            Method::POST,
            &base,
            &admin.access_token,
            Some(json!({"name": "", "channel": {"type": "api", "webhook_url": "not a url"}})),
        )
        .await;

    assert_eq!(malformed.status, 400);
    assert_eq!(malformed.body["error"], "malformed_json");
    assert_eq!(oversized.status, 413);
    assert_eq!(oversized.body["error"], "payload_too_large");
    assert_eq!(wrong_type.status, 422);
    assert_eq!(wrong_type.body["attributes"], json!(["name"]));
    assert_eq!(missing.status, 422);
    assert_eq!(missing.body["attributes"], json!(["channel"]));
    assert_eq!(unsupported.status, 422);
    assert_eq!(unsupported.body["error"], "unsupported_channel_type");
    assert_eq!(invalid.status, 422);
    assert_eq!(
        invalid.body["attributes"],
        json!(["channel.webhook_url", "name"])
    );
    assert_eq!(app.count("inboxes").await, 0);
    assert_eq!(app.count("channel_api").await, 0);
}
