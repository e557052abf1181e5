use crate::helpers::{spawn_app_with, FRONTEND_URL};
use backend::cli::create_admin;
use reqwest::Method;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

const PATH: &str = "/api/v1/super_admin/app_config?config=instagram";

#[tokio::test]
async fn super_admins_read_masked_secrets_and_stored_values_win_over_the_environment() {
    let app = spawn_app_with(&[
        ("INSTAGRAM_APP_ID", "111"),
        ("INSTAGRAM_APP_SECRET", "env-secret"),
    ])
    .await;
    let root = create_admin(
        &app.state,
        "root@example.com",
        "password123",
        None,
        None,
        true,
    )
    .await
    .unwrap();

    let before = app.api(Method::GET, PATH, &root.access_token, None).await;
    let saved = app
        .api(Method::POST, PATH, &root.access_token, Some(json!({"INSTAGRAM_APP_ID": "222", "INSTAGRAM_APP_SECRET": "stored-secret", "INSTAGRAM_VERIFY_TOKEN": "verify-me", "ENABLE_INSTAGRAM_CHANNEL_HUMAN_AGENT": true})))
        .await;
    let masked_echo = app
        .api(
            Method::POST,
            PATH,
            &root.access_token,
            Some(json!({"INSTAGRAM_APP_SECRET": "••••", "INSTAGRAM_API_VERSION": "v23.0"})),
        )
        .await;

    assert_eq!(before.status, 200, "{}", before.body);
    assert_eq!(before.body["INSTAGRAM_APP_ID"], "111");
    assert_eq!(before.body["INSTAGRAM_APP_SECRET"], "••••");
    assert_eq!(
        before.body["INSTAGRAM_VERIFY_TOKEN"],
        serde_json::Value::Null
    );
    assert_eq!(before.body["INSTAGRAM_API_VERSION"], "v22.0");
    assert_eq!(before.body["configured"], true);
    assert_eq!(
        before.body["urls"]["webhook_callback_url"],
        format!("{FRONTEND_URL}/webhooks/instagram")
    );
    assert_eq!(
        before.body["urls"]["oauth_redirect_url"],
        format!("{FRONTEND_URL}/instagram/callback")
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(saved.body["INSTAGRAM_APP_ID"], "222");
    assert_eq!(saved.body["ENABLE_INSTAGRAM_CHANNEL_HUMAN_AGENT"], true);
    assert!(
        !saved.body.to_string().contains("stored-secret")
            && !saved.body.to_string().contains("verify-me")
    );
    assert_eq!(masked_echo.body["INSTAGRAM_API_VERSION"], "v23.0");
    let config = backend::global_config::instagram(&app.state).await.unwrap();
    assert_eq!(
        secrecy::ExposeSecret::expose_secret(config.app_secret.as_ref().unwrap()),
        "stored-secret"
    );
    assert_eq!(config.app_id.as_deref(), Some("222"));
    let rows = app
        .state
        .db
        .query_all_raw(Statement::from_string(
            app.state.db.get_database_backend(),
            "SELECT value FROM installation_configs".to_owned(),
        ))
        .await
        .unwrap();
    for row in rows {
        let v: String = row.try_get("", "value").unwrap();
        assert!(
            v != "stored-secret" && v != "verify-me",
            "a secret is stored in plain text"
        );
    }
}

#[tokio::test]
async fn bad_values_are_422_and_write_nothing() {
    let app = spawn_app_with(&[]).await;
    let root = create_admin(
        &app.state,
        "root@example.com",
        "password123",
        None,
        None,
        true,
    )
    .await
    .unwrap();

    let r = app
        .api(Method::POST, PATH, &root.access_token, Some(json!({"INSTAGRAM_APP_ID": "abc", "INSTAGRAM_API_VERSION": "22", "ENABLE_INSTAGRAM_CHANNEL_HUMAN_AGENT": "maybe", "FB_APP_ID": "1", "INSTAGRAM_APP_SECRET": "fine"})))
        .await;

    assert_eq!(r.status, 422);
    assert_eq!(
        r.body["attributes"],
        json!([
            "ENABLE_INSTAGRAM_CHANNEL_HUMAN_AGENT",
            "FB_APP_ID",
            "INSTAGRAM_API_VERSION",
            "INSTAGRAM_APP_ID"
        ])
    );
    assert_eq!(app.count("installation_configs").await, 0);
}

#[tokio::test]
async fn only_super_admins_reach_the_app_config() {
    let app = spawn_app_with(&[]).await;
    let admin = app.admin("ada@example.com", "Acme").await;

    let get = app.api(Method::GET, PATH, &admin.access_token, None).await;
    let post = app
        .api(
            Method::POST,
            PATH,
            &admin.access_token,
            Some(json!({"INSTAGRAM_APP_ID": "1"})),
        )
        .await;
    let none = crate::helpers::reply(
        app.client
            .get(format!("{}{PATH}", app.address))
            .send()
            .await
            .unwrap(),
    )
    .await;

    assert_eq!(get.status, 403);
    assert_eq!(post.status, 403);
    assert_eq!(none.status, 401);
    assert_eq!(app.count("installation_configs").await, 0);
}

/// On PostgreSQL, instances share the database and each keeps a copy of the Instagram settings: a change saved by
/// another instance reaches this one's copy at its commit (a `NOTIFY` every instance listens for), not up to five
/// seconds later. SQLite is one process, so there is no other instance to hear from.
#[tokio::test]
async fn a_settings_change_saved_by_another_instance_applies_here_at_once() {
    let app = spawn_app_with(&[]).await;
    let db = &app.state.db;
    if db.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
        return;
    }
    let version =
        |c: std::sync::Arc<backend::global_config::InstagramConfig>| c.api_version.clone();
    // This instance reads and keeps the settings.
    let kept = backend::global_config::instagram(&app.state).await.unwrap();
    assert_eq!(version(kept), "v22.0");

    // Another instance saves a new API version: its row and its notice, in one transaction.
    let txn = backend::db::begin(db).await.unwrap();
    txn.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        "INSERT INTO installation_configs (name, value, sealed, created_at, updated_at) \
         VALUES ('INSTAGRAM_API_VERSION', 'v24.0', false, 0, 0)",
        [],
    ))
    .await
    .unwrap();
    backend::events::config_changed(&txn).await.unwrap();
    txn.commit().await.unwrap();

    let started = std::time::Instant::now();
    let mut seen = String::new();
    while started.elapsed() < std::time::Duration::from_secs(2) {
        seen = version(backend::global_config::instagram(&app.state).await.unwrap());
        if seen == "v24.0" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        seen,
        "v24.0",
        "the kept settings were still the old ones {:?} after the change",
        started.elapsed()
    );
}
