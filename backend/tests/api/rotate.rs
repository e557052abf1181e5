//! `switchboard rotate-secret-key`: every sealed column moves to the new key in one transaction, and a key that
//! does not open the stored secrets changes nothing.

use crate::helpers::{spawn_app, TestApp};
use crate::secrets::{instagram_channel, voice_inbox};
use backend::crypto::Keys;
use backend::entities::{channel_instagram, channel_voice, installation_config, user};
use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use secrecy::SecretString;
use serde_json::json;
use std::process::Command;

/// The harness's `SECRET_KEY_BASE`.
fn current_key() -> String {
    "0123456789abcdef".repeat(8)
}

fn rotate(app: &TestApp, current: &str, new: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["rotate-secret-key", "--new", new])
        .env("DATABASE_URL", &app.state.settings.database_url)
        .env("SECRET_KEY_BASE", current)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run switchboard")
}

/// Every sealed value in the database.
async fn sealed_values(app: &TestApp) -> Vec<String> {
    let db = &app.state.db;
    let mut out: Vec<String> = user::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.access_token_sealed)
        .collect();
    out.extend(
        channel_voice::Entity::find()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.provider_config),
    );
    out.extend(
        channel_instagram::Entity::find()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.access_token),
    );
    out.extend(
        installation_config::Entity::find()
            .filter(installation_config::Column::Sealed.eq(true))
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.value),
    );
    out
}

async fn seed(app: &TestApp) -> String {
    let admin = app.admin("ada@example.com", "Acme").await;
    let account = admin.account_id.unwrap();
    app.agent(&admin, "bob@example.com").await;
    voice_inbox(app, &admin.access_token, account).await;
    instagram_channel(app, account).await;
    let root = backend::cli::create_admin(
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
        .api(
            Method::POST,
            "/api/v1/super_admin/app_config?config=instagram",
            &root.access_token,
            Some(json!({"INSTAGRAM_APP_SECRET": "app-secret-1", "INSTAGRAM_VERIFY_TOKEN": "verify-1"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    admin.access_token
}

#[tokio::test]
async fn rotate_secret_key_reseals_every_stored_secret_under_the_new_key() {
    let app = spawn_app().await;
    let admin_token = seed(&app).await;
    let before = sealed_values(&app).await;
    let old = Keys::derive(&SecretString::from(current_key()));
    let new_hex = "fedcba9876543210".repeat(8);
    let new = Keys::derive(&SecretString::from(new_hex.clone()));
    let plain: Vec<_> = before.iter().map(|s| old.open(s).unwrap()).collect();

    let out = rotate(&app, &current_key(), &new_hex);

    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let summary: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(
        summary,
        json!({"users": 3, "voice_channels": 1, "instagram_channels": 1, "installation_configs": 2,
               "key_source": "environment"})
    );
    let after = sealed_values(&app).await;
    assert_eq!(after.len(), before.len());
    for ((sealed, was), plain) in after.iter().zip(&before).zip(&plain) {
        use secrecy::ExposeSecret;
        assert_ne!(sealed, was);
        assert!(old.open(sealed).is_err(), "still opens with the old key");
        assert_eq!(
            new.open(sealed).unwrap().expose_secret(),
            plain.expose_secret()
        );
    }
    // A server restarted with the new key serves the same API token (its digest is unkeyed, its sealed copy
    // opens with the new key).
    let mut settings = (*app.state.settings).clone();
    settings.secret_key_base = Some(SecretString::from(new_hex));
    let restarted = backend::startup::Application::build(settings)
        .await
        .unwrap();
    let address = format!("http://127.0.0.1:{}", restarted.port());
    tokio::spawn(restarted.run_until_stopped());
    let profile: serde_json::Value = app
        .client
        .get(format!("{address}/api/v1/profile"))
        .header("api_access_token", &admin_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(profile["access_token"], admin_token.as_str(), "{profile}");
}

#[tokio::test]
async fn rotate_secret_key_with_the_wrong_current_key_changes_nothing() {
    let app = spawn_app().await;
    seed(&app).await;
    let before = sealed_values(&app).await;

    let wrong = rotate(&app, &"9".repeat(128), &"fedcba9876543210".repeat(8));
    let short = rotate(&app, &current_key(), "abc123");
    let same = rotate(&app, &current_key(), &current_key());

    for out in [&wrong, &short, &same] {
        assert!(!out.status.success());
        assert!(out.stdout.is_empty());
    }
    assert!(String::from_utf8_lossy(&wrong.stderr)
        .contains("does not open with the current SECRET_KEY_BASE"));
    assert_eq!(sealed_values(&app).await, before);
}
