//! After a realistic run — users with passwords and API tokens, a session, a Twilio voice inbox, an Instagram
//! channel and the super admin's app secret — no secret appears in plain text anywhere in the database's bytes
//! (the SQLite file and its WAL, or a `pg_dump` of the PostgreSQL database).

use crate::helpers::{reply, spawn_app, TestApp};
use backend::cli::create_admin;
use backend::db::now;
use backend::entities::{channel_instagram, inbox};
use reqwest::Method;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, ResponseTemplate};

const ADMIN_PASSWORD: &str = "adm1n-Pa55word-c41e";
const AGENT_PASSWORD: &str = "ag3nt-Pa55word-9b0d";
const SUPER_PASSWORD: &str = "r00t-Pa55word-77aa";
const TWILIO_AUTH_TOKEN: &str = "twilio-auth-token-5e1f2a";
const TWILIO_KEY_SECRET: &str = "twilio-key-secret-0c93bd";
const INSTAGRAM_TOKEN: &str = "IGAAinstagram-token-6d2e81f0";
const APP_SECRET: &str = "app-secret-3f9a0b27c1";
const VERIFY_TOKEN: &str = "verify-token-a17c55";
const NUMBER: &str = "+15557654321";

/// A Twilio account that accepts any credentials and owns every number.
pub async fn lenient_twilio(app: &TestApp) {
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "incoming_phone_numbers": [{"sid": "PN123", "phone_number": NUMBER}], "page": 0
        })))
        .mount(&app.twilio)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(
                json!({"sid": "AP123", "friendly_name": "x", "phone_number": NUMBER}),
            ),
        )
        .mount(&app.twilio)
        .await;
}

/// A Twilio voice inbox created through the API, its credentials accepted by the fake Twilio.
pub async fn voice_inbox(app: &TestApp, admin_token: &str, account: i64) {
    lenient_twilio(app).await;
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/accounts/{account}/inboxes"),
            admin_token,
            Some(json!({
                "name": "Phone",
                "channel": {
                    "type": "voice", "phone_number": NUMBER, "provider": "twilio",
                    "provider_config": {
                        "account_sid": format!("AC{}", "1a".repeat(16)),
                        "auth_token": TWILIO_AUTH_TOKEN,
                        "api_key_sid": format!("SK{}", "2b".repeat(16)),
                        "api_key_secret": TWILIO_KEY_SECRET
                    }
                }
            })),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

/// An Instagram channel and its inbox; connecting one needs Meta's OAuth dance, so the row is written as the
/// connect flow writes it, with its token sealed.
pub async fn instagram_channel(app: &TestApp, account: i64) {
    let channel = channel_instagram::ActiveModel {
        account_id: Set(account),
        instagram_id: Set("17841400000000001".to_owned()),
        username: Set("acme".to_owned()),
        access_token: Set(app.state.keys.seal(INSTAGRAM_TOKEN)),
        expires_at: Set(now() + 50 * 86_400),
        reauthorization_required: Set(false),
        created_at: Set(now()),
        updated_at: Set(now()),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    inbox::ActiveModel {
        account_id: Set(account),
        name: Set("Instagram".to_owned()),
        channel_type: Set("Channel::Instagram".to_owned()),
        channel_id: Set(channel.id),
        created_at: Set(now()),
        updated_at: Set(now()),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap();
}

/// Every byte the database keeps on disk, or PostgreSQL's dump of it.
fn database_bytes(app: &TestApp) -> Vec<(String, Vec<u8>)> {
    if let Some(file) = &app.db_file {
        let dir = file.parent().unwrap();
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with("test.db") {
                out.push((name, std::fs::read(&path).unwrap()));
            }
        }
        assert!(!out.is_empty(), "no database file in {}", dir.display());
        return out;
    }
    let url = &app.state.settings.database_url;
    let name = url.rsplit('/').next().unwrap().split('?').next().unwrap();
    let dump = std::process::Command::new("pg_dump")
        .args(["-h", "127.0.0.1", "-U", "postgres", name])
        .output()
        .expect("pg_dump");
    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    vec![(format!("pg_dump {name}"), dump.stdout)]
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn no_password_token_or_credential_is_stored_in_plain_text() {
    // Arrange & Act: the flows that receive secrets.
    let app = spawn_app().await;
    let admin = create_admin(
        &app.state,
        "ada@example.com",
        ADMIN_PASSWORD,
        Some("Ada"),
        Some("Acme"),
        false,
    )
    .await
    .unwrap();
    let account = admin.account_id.unwrap();
    let root = create_admin(
        &app.state,
        "root@example.com",
        SUPER_PASSWORD,
        None,
        None,
        true,
    )
    .await
    .unwrap();

    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/accounts/{account}/agents"),
            &admin.access_token,
            Some(json!({"name": "Bob", "email": "bob@example.com", "role": "agent", "password": AGENT_PASSWORD})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let agent_token = create_admin(
        &app.state,
        "bob@example.com",
        AGENT_PASSWORD,
        None,
        None,
        false,
    )
    .await
    .unwrap()
    .access_token;

    let signed_in = reply(
        app.browser
            .post(format!("{}/auth/sign_in", app.address))
            .json(&json!({"email": "bob@example.com", "password": AGENT_PASSWORD}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    let cookie = signed_in.headers["set-cookie"].to_str().unwrap().to_owned();
    let session = cookie
        .split(';')
        .next()
        .and_then(|kv| kv.split_once('='))
        .map(|(_, v)| v.to_owned())
        .unwrap();

    voice_inbox(&app, &admin.access_token, account).await;

    let r = app
        .api(
            Method::POST,
            "/api/v1/super_admin/app_config?config=instagram",
            &root.access_token,
            Some(json!({
                "INSTAGRAM_APP_ID": "123456789",
                "INSTAGRAM_APP_SECRET": APP_SECRET,
                "INSTAGRAM_VERIFY_TOKEN": VERIFY_TOKEN
            })),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);

    instagram_channel(&app, account).await;

    // Every secret is still usable, so the scan below looks for values the server really holds.
    let profile = app
        .api(Method::GET, "/api/v1/profile", &agent_token, None)
        .await;
    assert_eq!(profile.status, 200, "{}", profile.body);
    let shown = app
        .api(
            Method::GET,
            "/api/v1/super_admin/app_config?config=instagram",
            &root.access_token,
            None,
        )
        .await;
    assert!(
        !shown.body.to_string().contains(APP_SECRET),
        "{}",
        shown.body
    );

    // Assert
    let secrets = [
        ("administrator password", ADMIN_PASSWORD.to_owned()),
        ("agent password", AGENT_PASSWORD.to_owned()),
        ("super admin password", SUPER_PASSWORD.to_owned()),
        ("administrator API token", admin.access_token.clone()),
        ("agent API token", agent_token),
        ("super admin API token", root.access_token.clone()),
        ("session token", session),
        ("Twilio auth token", TWILIO_AUTH_TOKEN.to_owned()),
        ("Twilio API key secret", TWILIO_KEY_SECRET.to_owned()),
        ("Instagram access token", INSTAGRAM_TOKEN.to_owned()),
        ("Instagram app secret", APP_SECRET.to_owned()),
        ("Instagram verify token", VERIFY_TOKEN.to_owned()),
    ];
    let stored = database_bytes(&app);
    let total: usize = stored.iter().map(|(_, b)| b.len()).sum();
    assert!(
        stored.iter().any(|(_, b)| contains(b, "bob@example.com")),
        "the scan sees plain data (an email), so it would see a plain secret"
    );
    let mut leaks = Vec::new();
    for (what, secret) in &secrets {
        assert!(secret.len() >= 12, "{what} is too short to scan for");
        for (file, bytes) in &stored {
            if contains(bytes, secret) {
                leaks.push(format!("{what} in {file}"));
            }
        }
    }
    println!(
        "secrets: {} secrets scanned for in {} bytes of {} database file(s)",
        secrets.len(),
        total,
        stored.len()
    );
    assert!(
        leaks.is_empty(),
        "plain-text secrets in the database: {leaks:?}"
    );
}
