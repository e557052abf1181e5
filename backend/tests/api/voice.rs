//! Voice inboxes against a fake Twilio speaking Twilio's wire format (form bodies, basic auth, JSON answers).

use crate::helpers::{spawn_app, TestApp, FRONTEND_URL};
use backend::channels::voice::StoredConfig;
use base64::Engine;
use reqwest::Method;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};
use shared::dto::CreatedAdmin;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, Request, ResponseTemplate};

pub(crate) const NUMBER: &str = "+15551234567";
pub(crate) const AUTH_TOKEN: &str = "auth-token-7f3a9c";
pub(crate) const KEY_SECRET: &str = "key-secret-b81e44";

pub(crate) fn account_sid() -> String {
    format!("AC{}", "1a".repeat(16))
}

pub(crate) fn key_sid() -> String {
    format!("SK{}", "2b".repeat(16))
}

pub(crate) fn basic(user: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{secret}"))
    )
}

pub(crate) fn accounts_path(rest: &str) -> String {
    format!("/2010-04-01/Accounts/{}/{rest}", account_sid())
}

/// Matches a form-encoded body field.
fn form_has(key: &'static str, value: String) -> impl Fn(&Request) -> bool {
    move |req: &Request| url::form_urlencoded::parse(&req.body).any(|(k, v)| k == key && v == value)
}

pub(crate) fn voice_body(number: &str) -> Value {
    json!({
        "name": format!("Voice ({number})"),
        "channel": {
            "type": "voice",
            "phone_number": number,
            "provider": "twilio",
            "provider_config": {
                "account_sid": account_sid(),
                "auth_token": AUTH_TOKEN,
                "api_key_sid": key_sid(),
                "api_key_secret": KEY_SECRET
            }
        }
    })
}

/// A Twilio account that accepts the credentials, owns `NUMBER` as PN123 and creates app AP123.
pub(crate) async fn twilio_happy_path(app: &TestApp) {
    Mock::given(method("GET"))
        .and(path(accounts_path("IncomingPhoneNumbers.json")))
        .and(query_param("PageSize", "1"))
        .and(header(
            "authorization",
            basic(&account_sid(), AUTH_TOKEN).as_str(),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"incoming_phone_numbers": [], "page": 0})),
        )
        .expect(1)
        .named("credential check")
        .mount(&app.twilio)
        .await;
    Mock::given(method("POST"))
        .and(path(accounts_path("Applications.json")))
        .and(header(
            "authorization",
            basic(&key_sid(), KEY_SECRET).as_str(),
        ))
        .and(form_has(
            "FriendlyName",
            format!("Switchboard Voice {NUMBER}"),
        ))
        .and(form_has(
            "VoiceUrl",
            format!("{FRONTEND_URL}/twilio/voice/call/15551234567"),
        ))
        .and(form_has("VoiceMethod", "POST".into()))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"sid": "AP123", "friendly_name": "x"})),
        )
        .expect(1)
        .named("create TwiML app")
        .mount(&app.twilio)
        .await;
    Mock::given(method("GET"))
        .and(path(accounts_path("IncomingPhoneNumbers.json")))
        .and(query_param("PhoneNumber", NUMBER))
        .and(header(
            "authorization",
            basic(&key_sid(), KEY_SECRET).as_str(),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"incoming_phone_numbers": [{"sid": "PN123", "phone_number": NUMBER}]}),
        ))
        .expect(1)
        .named("find number")
        .mount(&app.twilio)
        .await;
    Mock::given(method("POST"))
        .and(path(accounts_path("IncomingPhoneNumbers/PN123.json")))
        .and(header(
            "authorization",
            basic(&key_sid(), KEY_SECRET).as_str(),
        ))
        .and(form_has(
            "VoiceUrl",
            format!("{FRONTEND_URL}/twilio/voice/call/15551234567"),
        ))
        .and(form_has("VoiceMethod", "POST".into()))
        .and(form_has(
            "StatusCallback",
            format!("{FRONTEND_URL}/twilio/voice/status/15551234567"),
        ))
        .and(form_has("StatusCallbackMethod", "POST".into()))
        // Twilio reports only completion unless asked for each event.
        .and(form_has("StatusCallbackEvent", "initiated".into()))
        .and(form_has("StatusCallbackEvent", "ringing".into()))
        .and(form_has("StatusCallbackEvent", "answered".into()))
        .and(form_has("StatusCallbackEvent", "completed".into()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"sid": "PN123"})))
        .expect(1)
        .named("configure number")
        .mount(&app.twilio)
        .await;
}

async fn create(app: &TestApp, admin: &CreatedAdmin, body: Value) -> crate::helpers::Reply {
    app.api(
        Method::POST,
        &format!("/api/v1/accounts/{}/inboxes", admin.account_id.unwrap()),
        &admin.access_token,
        Some(body),
    )
    .await
}

async fn twilio_requests(app: &TestApp) -> usize {
    app.twilio
        .received_requests()
        .await
        .unwrap_or_default()
        .len()
}

#[tokio::test]
async fn an_administrator_creates_a_voice_inbox_and_twilio_is_provisioned() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    twilio_happy_path(&app).await;

    let r = create(&app, &admin, voice_body(NUMBER)).await;

    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["channel_type"], "Channel::Voice");
    assert_eq!(r.body["name"], "Voice (+15551234567)");
    assert_eq!(r.body["phone_number"], NUMBER);
    assert_eq!(r.body["provider"], "twilio");
    assert_eq!(
        r.body["voice_call_webhook_url"],
        format!("{FRONTEND_URL}/twilio/voice/call/15551234567")
    );
    assert_eq!(
        r.body["voice_status_webhook_url"],
        format!("{FRONTEND_URL}/twilio/voice/status/15551234567")
    );
    assert!(r.body.get("provisioning_warnings").is_none());
    let sealed = provider_config(&app).await;
    let stored = StoredConfig::open(&app.state.keys, &sealed).unwrap();
    assert_eq!(stored.twiml_app_sid.as_deref(), Some("AP123"));
    assert_eq!(stored.auth_token, AUTH_TOKEN);
    // The expectations (each call exactly once) are verified when the mock server drops.
}

async fn provider_config(app: &TestApp) -> String {
    let row = app
        .state
        .db
        .query_one_raw(Statement::from_string(
            app.state.db.get_database_backend(),
            "SELECT provider_config FROM channel_voice".to_owned(),
        ))
        .await
        .unwrap()
        .expect("a channel_voice row");
    row.try_get("", "provider_config").unwrap()
}

#[tokio::test]
async fn credentials_never_appear_in_responses_nor_in_plain_text_in_the_database() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    twilio_happy_path(&app).await;
    let base = format!("/api/v1/accounts/{}/inboxes", admin.account_id.unwrap());

    let created = create(&app, &admin, voice_body(NUMBER)).await;
    let id = created.body["id"].as_i64().unwrap();
    let listed = app.api(Method::GET, &base, &admin.access_token, None).await;
    let shown = app
        .api(
            Method::GET,
            &format!("{base}/{id}"),
            &admin.access_token,
            None,
        )
        .await;

    for r in [&created, &listed, &shown] {
        let text = r.body.to_string();
        for secret in [
            AUTH_TOKEN,
            KEY_SECRET,
            "provider_config",
            "api_key_secret",
            "auth_token",
        ] {
            assert!(!text.contains(secret), "{secret} leaked in {text}");
        }
    }
    assert!(!provider_config(&app).await.contains(AUTH_TOKEN));
    if let Some(file) = &app.db_file {
        for f in [file.clone(), file.with_extension("db-wal")] {
            if let Ok(bytes) = std::fs::read(&f) {
                let text = String::from_utf8_lossy(&bytes);
                assert!(
                    !text.contains(AUTH_TOKEN) && !text.contains(KEY_SECRET),
                    "plain secret in {}",
                    f.display()
                );
            }
        }
    }
}

#[tokio::test]
async fn every_missing_field_is_reported_by_name_and_twilio_is_not_called() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;

    let r = create(
        &app,
        &admin,
        json!({"name": "", "channel": {"type": "voice"}}),
    )
    .await;

    assert_eq!(r.status, 422);
    assert_eq!(r.body["error"], "validation_failed");
    assert_eq!(
        r.body["attributes"],
        json!([
            "name",
            "phone_number",
            "provider",
            "provider_config.account_sid",
            "provider_config.api_key_secret",
            "provider_config.api_key_sid",
            "provider_config.auth_token"
        ])
    );
    assert_eq!(twilio_requests(&app).await, 0);
    assert_eq!(app.count("channel_voice").await, 0);
}

#[tokio::test]
async fn each_config_key_is_checked_on_its_own() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let cases = [
        ("account_sid", json!("AC123"), "provider_config.account_sid"),
        (
            "account_sid",
            json!(format!("SK{}", "1".repeat(32))),
            "provider_config.account_sid",
        ),
        (
            "api_key_sid",
            json!(format!("AC{}", "1".repeat(32))),
            "provider_config.api_key_sid",
        ),
        (
            "api_key_sid",
            json!(format!("SK{}", "z".repeat(32))),
            "provider_config.api_key_sid",
        ),
        ("auth_token", json!(""), "provider_config.auth_token"),
        (
            "api_key_secret",
            json!("   "),
            "provider_config.api_key_secret",
        ),
    ];
    for (key, value, field) in cases {
        let mut body = voice_body(NUMBER);
        body["channel"]["provider_config"][key] = value;
        let r = create(&app, &admin, body).await;
        assert_eq!(r.status, 422, "{key}");
        assert_eq!(r.body["attributes"], json!([field]), "{key}");
    }
    let mut other_provider = voice_body(NUMBER);
    other_provider["channel"]["provider"] = json!("plivo");
    let r = create(&app, &admin, other_provider).await;
    assert_eq!(r.body["attributes"], json!(["provider"]));
    assert_eq!(twilio_requests(&app).await, 0);
}

#[tokio::test]
async fn phone_numbers_must_be_whole_e164_strings() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;

    for bad in [
        "15551234567",
        "+05551234567",
        "+1 555 123 4567",
        "+1-555-123-4567",
        "+1234567890123456",
        "+15551234567\n",
        "+1",
        "whatsapp:+15551234567",
        "+9991234567",
    ] {
        let r = create(&app, &admin, voice_body(bad)).await;
        assert_eq!(r.status, 422, "{bad:?}");
        assert_eq!(r.body["attributes"], json!(["phone_number"]), "{bad:?}");
    }
    assert_eq!(twilio_requests(&app).await, 0);
    assert_eq!(app.count("inboxes").await, 0);
}

#[tokio::test]
async fn a_number_already_connected_anywhere_is_rejected() {
    let app = spawn_app().await;
    let acme = app.admin("ada@example.com", "Acme").await;
    let globex = app.admin("gus@example.com", "Globex").await;
    twilio_happy_path(&app).await;
    assert_eq!(create(&app, &acme, voice_body(NUMBER)).await.status, 200);

    let r = create(&app, &globex, voice_body(NUMBER)).await;

    assert_eq!(r.status, 422);
    assert_eq!(
        r.body["details"]["phone_number"],
        json!(["has already been taken"])
    );
    assert_eq!(app.count("channel_voice").await, 1);
}

#[tokio::test]
async fn twilio_refusing_the_credentials_is_422_and_nothing_is_stored() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    Mock::given(method("GET"))
        .and(path(accounts_path("IncomingPhoneNumbers.json")))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401})))
        .expect(1)
        .mount(&app.twilio)
        .await;

    let r = create(&app, &admin, voice_body(NUMBER)).await;

    assert_eq!(r.status, 422);
    assert_eq!(r.body["error"], "twilio_setup_failed");
    assert_eq!(r.body["message"], "Twilio setup failed: Authenticate");
    assert_eq!(app.count("inboxes").await, 0);
    assert_eq!(app.count("channel_voice").await, 0);
    assert_eq!(twilio_requests(&app).await, 1);
}

#[tokio::test]
async fn a_number_missing_from_the_twilio_account_creates_the_inbox_with_a_warning() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    Mock::given(method("GET"))
        .and(path(accounts_path("IncomingPhoneNumbers.json")))
        .and(query_param("PageSize", "1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"incoming_phone_numbers": []})),
        )
        .mount(&app.twilio)
        .await;
    Mock::given(method("POST"))
        .and(path(accounts_path("Applications.json")))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"sid": "AP9"})))
        .mount(&app.twilio)
        .await;
    Mock::given(method("GET"))
        .and(path(accounts_path("IncomingPhoneNumbers.json")))
        .and(query_param("PhoneNumber", NUMBER))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"incoming_phone_numbers": []})),
        )
        .expect(1)
        .mount(&app.twilio)
        .await;

    let r = create(&app, &admin, voice_body(NUMBER)).await;

    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["provisioning_warnings"],
        json!(["phone_number_not_found_in_twilio"])
    );
    assert_eq!(app.count("channel_voice").await, 1);
}

#[tokio::test]
async fn a_failure_after_the_app_was_created_removes_the_app_and_stores_nothing() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    Mock::given(method("GET"))
        .and(path(accounts_path("IncomingPhoneNumbers.json")))
        .and(query_param("PageSize", "1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"incoming_phone_numbers": []})),
        )
        .mount(&app.twilio)
        .await;
    Mock::given(method("POST"))
        .and(path(accounts_path("Applications.json")))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"sid": "AP7"})))
        .mount(&app.twilio)
        .await;
    Mock::given(method("GET"))
        .and(path(accounts_path("IncomingPhoneNumbers.json")))
        .and(query_param("PhoneNumber", NUMBER))
        .respond_with(
            ResponseTemplate::new(503).set_body_json(
                json!({"code": 20500, "message": "Service Unavailable", "status": 503}),
            ),
        )
        .mount(&app.twilio)
        .await;
    Mock::given(method("DELETE"))
        .and(path(accounts_path("Applications/AP7.json")))
        .and(header(
            "authorization",
            basic(&key_sid(), KEY_SECRET).as_str(),
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .named("rollback of the TwiML app")
        .mount(&app.twilio)
        .await;

    let r = create(&app, &admin, voice_body(NUMBER)).await;

    assert_eq!(r.status, 422);
    assert_eq!(
        r.body["message"],
        "Twilio setup failed: Service Unavailable"
    );
    assert_eq!(app.count("channel_voice").await, 0);
    assert_eq!(app.count("inboxes").await, 0);
}

#[tokio::test]
async fn agents_cannot_create_voice_inboxes() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let (_, bob_token) = app.agent(&admin, "bob@example.com").await;

    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/accounts/{}/inboxes", admin.account_id.unwrap()),
            &bob_token,
            Some(voice_body(NUMBER)),
        )
        .await;

    assert_eq!(r.status, 403);
    assert_eq!(twilio_requests(&app).await, 0);
}

#[tokio::test]
async fn credentials_are_rotated_only_when_twilio_accepts_them() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    twilio_happy_path(&app).await;
    let id = create(&app, &admin, voice_body(NUMBER)).await.body["id"]
        .as_i64()
        .unwrap();
    let path_ = format!(
        "/api/v1/accounts/{}/inboxes/{id}",
        admin.account_id.unwrap()
    );
    let new_sid = format!("AC{}", "9c".repeat(16));
    Mock::given(method("GET"))
        .and(path(format!(
            "/2010-04-01/Accounts/{new_sid}/IncomingPhoneNumbers.json"
        )))
        .and(header(
            "authorization",
            basic(&new_sid, "good-token").as_str(),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"incoming_phone_numbers": []})),
        )
        .mount(&app.twilio)
        .await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/2010-04-01/Accounts/{new_sid}/IncomingPhoneNumbers.json"
        )))
        .and(header(
            "authorization",
            basic(&new_sid, "bad-token").as_str(),
        ))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"code": 20003, "message": "Authenticate", "status": 401})),
        )
        .mount(&app.twilio)
        .await;
    let config = |token: &str| json!({"account_sid": new_sid, "auth_token": token, "api_key_sid": key_sid(), "api_key_secret": "new-secret"});

    let refused = app
        .api(
            Method::PATCH,
            &path_,
            &admin.access_token,
            Some(json!({"channel": {"provider_config": config("bad-token")}})),
        )
        .await;
    let after_refusal = StoredConfig::open(&app.state.keys, &provider_config(&app).await).unwrap();
    let accepted = app
        .api(
            Method::PATCH,
            &path_,
            &admin.access_token,
            Some(
                json!({"name": "Main line", "channel": {"provider_config": config("good-token")}}),
            ),
        )
        .await;
    let after = StoredConfig::open(&app.state.keys, &provider_config(&app).await).unwrap();

    assert_eq!(refused.status, 422);
    assert_eq!(refused.body["error"], "twilio_setup_failed");
    assert_eq!(after_refusal.account_sid, account_sid());
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert_eq!(accepted.body["name"], "Main line");
    assert_eq!(after.account_sid, new_sid);
    assert_eq!(after.auth_token, "good-token");
    assert_eq!(after.twiml_app_sid.as_deref(), Some("AP123"));
}

#[tokio::test]
async fn deleting_a_voice_inbox_removes_the_twiml_app_and_the_channel() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    twilio_happy_path(&app).await;
    let id = create(&app, &admin, voice_body(NUMBER)).await.body["id"]
        .as_i64()
        .unwrap();
    Mock::given(method("DELETE"))
        .and(path(accounts_path("Applications/AP123.json")))
        .and(header(
            "authorization",
            basic(&key_sid(), KEY_SECRET).as_str(),
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&app.twilio)
        .await;

    let r = app
        .api(
            Method::DELETE,
            &format!(
                "/api/v1/accounts/{}/inboxes/{id}",
                admin.account_id.unwrap()
            ),
            &admin.access_token,
            None,
        )
        .await;

    assert_eq!(r.status, 200);
    assert_eq!(app.count("channel_voice").await, 0);
    assert_eq!(app.count("inboxes").await, 0);
}
