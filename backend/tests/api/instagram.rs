//! The Instagram connect flow against a fake Instagram speaking Meta's wire format.

use crate::helpers::{spawn_app_with, Reply, TestApp, FRONTEND_URL};
use backend::channels::instagram::refresh::refresh_all;
use backend::channels::instagram::state::OAuthState;
use backend::db::now;
use reqwest::Method;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};
use shared::dto::CreatedAdmin;
use std::collections::HashMap;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, Request, ResponseTemplate};

const IG_USER: &str = "17841400000000001";
const SHORT: &str = "IGshort-9d2c";
const LONG: &str = "IGlong-4b7e1f";

async fn app() -> TestApp {
    spawn_app_with(&[
        ("INSTAGRAM_APP_ID", "123456"),
        ("INSTAGRAM_APP_SECRET", "app-secret-xyz"),
    ])
    .await
}

fn form_has(key: &'static str, value: &'static str) -> impl Fn(&Request) -> bool {
    move |req: &Request| url::form_urlencoded::parse(&req.body).any(|(k, v)| k == key && v == value)
}

/// Instagram accepting the code for `IG_USER` called `username`.
async fn instagram_accepts(app: &TestApp, username: &str, expected_calls: u64) {
    instagram_accepts_subscribing(app, username, expected_calls, expected_calls).await
}

async fn instagram_accepts_subscribing(
    app: &TestApp,
    username: &str,
    expected_calls: u64,
    subscriptions: u64,
) {
    Mock::given(method("POST"))
        .and(path("/oauth/access_token"))
        .and(form_has("client_id", "123456"))
        .and(form_has("client_secret", "app-secret-xyz"))
        .and(form_has("grant_type", "authorization_code"))
        .and(form_has("redirect_uri", "https://switchboard.test/instagram/callback"))
        .and(form_has("code", "CODE1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [{"access_token": SHORT, "user_id": IG_USER, "permissions": "instagram_business_basic,instagram_business_manage_messages"}]})))
        .expect(expected_calls)
        .named("code exchange")
        .mount(&app.instagram)
        .await;
    Mock::given(method("GET"))
        .and(path("/access_token"))
        .and(query_param("grant_type", "ig_exchange_token"))
        .and(query_param("client_secret", "app-secret-xyz"))
        .and(query_param("access_token", SHORT))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": LONG, "token_type": "bearer", "expires_in": 5184000}),
        ))
        .expect(expected_calls)
        .named("long-lived exchange")
        .mount(&app.instagram)
        .await;
    Mock::given(method("GET"))
        .and(path("/v22.0/me"))
        .and(query_param("access_token", LONG))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "app-scoped-99", "user_id": IG_USER, "username": username, "name": "Acme", "account_type": "BUSINESS"})))
        .expect(expected_calls)
        .named("me")
        .mount(&app.instagram)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v22.0/{IG_USER}/subscribed_apps")))
        .and(query_param(
            "subscribed_fields",
            "messages,message_reactions,messaging_seen",
        ))
        .and(query_param("access_token", LONG))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .expect(subscriptions)
        .named("subscribe")
        .mount(&app.instagram)
        .await;
}

async fn authorization(app: &TestApp, admin: &CreatedAdmin) -> Reply {
    app.api(
        Method::POST,
        &format!(
            "/api/v1/accounts/{}/instagram/authorization",
            admin.account_id.unwrap()
        ),
        &admin.access_token,
        Some(json!({})),
    )
    .await
}

async fn start_flow(app: &TestApp, admin: &CreatedAdmin) -> String {
    let r = authorization(app, admin).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let url = url::Url::parse(r.body["url"].as_str().unwrap()).unwrap();
    url.query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned()
}

/// Calls the callback like the browser would; returns (status, Location or body).
async fn callback(app: &TestApp, query: &[(&str, &str)]) -> (u16, String) {
    let resp = app
        .client
        .get(format!("{}/instagram/callback", app.address))
        .query(query)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    (
        status,
        location.unwrap_or(resp.text().await.unwrap_or_default()),
    )
}

fn query_of(location: &str) -> HashMap<String, String> {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

async fn instagram_requests(app: &TestApp) -> usize {
    app.instagram
        .received_requests()
        .await
        .unwrap_or_default()
        .len()
}

async fn channel_row(app: &TestApp) -> Option<(String, String, i64, bool)> {
    let row = app
        .state
        .db
        .query_one_raw(Statement::from_string(
            app.state.db.get_database_backend(),
            "SELECT instagram_id, access_token, expires_at, reauthorization_required FROM channel_instagram".to_owned(),
        ))
        .await
        .unwrap()?;
    Some((
        row.try_get("", "instagram_id").unwrap(),
        row.try_get("", "access_token").unwrap(),
        row.try_get("", "expires_at").unwrap(),
        row.try_get("", "reauthorization_required").unwrap(),
    ))
}

#[tokio::test]
async fn the_authorization_url_names_our_app_scopes_and_a_signed_state() {
    let app = app().await;
    let admin = app.admin("ada@example.com", "Acme").await;

    let r = authorization(&app, &admin).await;

    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["success"], true);
    let url = url::Url::parse(r.body["url"].as_str().unwrap()).unwrap();
    assert_eq!(
        format!("{}{}", url.origin().ascii_serialization(), url.path()),
        format!("{}/oauth/authorize", app.instagram.uri())
    );
    let q: HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(q["client_id"], "123456");
    assert_eq!(
        q["redirect_uri"],
        format!("{FRONTEND_URL}/instagram/callback")
    );
    assert_eq!(q["response_type"], "code");
    assert_eq!(
        q["scope"],
        "instagram_business_basic,instagram_business_manage_messages"
    );
    assert_eq!(q["enable_fb_login"], "0");
    assert_eq!(q["force_authentication"], "1");
    let state = OAuthState::decode(&app.state.keys, &q["state"], now()).unwrap();
    assert_eq!(
        (state.account_id, state.user_id),
        (admin.account_id.unwrap(), admin.user_id)
    );
    assert!(state.expires_at <= now() + 15 * 60);
}

#[tokio::test]
async fn authorization_needs_a_configured_app_and_an_administrator() {
    let unconfigured = spawn_app_with(&[]).await;
    let admin = unconfigured.admin("ada@example.com", "Acme").await;
    let r = authorization(&unconfigured, &admin).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["error"], "instagram_not_configured");

    let app = app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let (_, bob) = app.agent(&admin, "bob@example.com").await;
    let r = app
        .api(
            Method::POST,
            &format!(
                "/api/v1/accounts/{}/instagram/authorization",
                admin.account_id.unwrap()
            ),
            &bob,
            Some(json!({})),
        )
        .await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn a_successful_connection_creates_one_inbox_with_the_long_lived_token() {
    let app = app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    instagram_accepts(&app, "acme.shop", 1).await;
    let state = start_flow(&app, &admin).await;

    let (status, location) = callback(&app, &[("code", "CODE1"), ("state", &state)]).await;

    assert_eq!(status, 302, "{location}");
    let inboxes = app.inboxes(&admin).await;
    let list = inboxes.body["payload"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    let inbox = &list[0];
    assert_eq!(
        location,
        format!(
            "{FRONTEND_URL}/app/accounts/{}/settings/inboxes/new/{}/agents",
            admin.account_id.unwrap(),
            inbox["id"]
        )
    );
    assert_eq!(inbox["channel_type"], "Channel::Instagram");
    assert_eq!(inbox["name"], "acme.shop");
    assert_eq!(inbox["username"], "acme.shop");
    assert_eq!(inbox["instagram_id"], IG_USER);
    assert_eq!(inbox["reauthorization_required"], false);
    let (ig_id, sealed, expires_at, _) = channel_row(&app).await.unwrap();
    assert_eq!(ig_id, IG_USER);
    assert!(!sealed.contains(LONG), "token stored in plain text");
    assert_eq!(
        app.state
            .keys
            .open(&sealed)
            .map(|s| secrecy::ExposeSecret::expose_secret(&s).to_owned())
            .unwrap(),
        LONG
    );
    assert!((expires_at - (now() + 5_184_000)).abs() < 60);
    assert!(
        !inboxes.body.to_string().contains(LONG)
            && !inboxes.body.to_string().contains("access_token")
    );
}

#[tokio::test]
async fn connecting_the_same_account_again_reauthorizes_the_existing_inbox() {
    let app = app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    instagram_accepts(&app, "acme.shop", 2).await;
    let first = start_flow(&app, &admin).await;
    callback(&app, &[("code", "CODE1"), ("state", &first)]).await;
    app.state
        .db
        .execute_unprepared("UPDATE channel_instagram SET reauthorization_required = true, access_token = 'v1:stale'")
        .await
        .unwrap();
    let second = start_flow(&app, &admin).await;

    let (status, location) = callback(&app, &[("code", "CODE1"), ("state", &second)]).await;

    assert_eq!(status, 302);
    assert_eq!(app.count("inboxes").await, 1);
    assert_eq!(app.count("channel_instagram").await, 1);
    assert!(
        location.starts_with(&format!(
            "{FRONTEND_URL}/app/accounts/{}/settings/inboxes/",
            admin.account_id.unwrap()
        )),
        "{location}"
    );
    assert!(location.ends_with("?reauthorized=1"));
    let (_, sealed, _, reauth) = channel_row(&app).await.unwrap();
    assert!(!reauth);
    assert!(app.state.keys.open(&sealed).is_ok());
}

#[tokio::test]
async fn an_instagram_account_connected_elsewhere_is_refused() {
    let app = app().await;
    let acme = app.admin("ada@example.com", "Acme").await;
    let globex = app.admin("gus@example.com", "Globex").await;
    // The second attempt stops before subscribing: the account belongs to Acme.
    instagram_accepts_subscribing(&app, "acme.shop", 2, 1).await;
    let s1 = start_flow(&app, &acme).await;
    callback(&app, &[("code", "CODE1"), ("state", &s1)]).await;
    let s2 = start_flow(&app, &globex).await;

    let (status, location) = callback(&app, &[("code", "CODE1"), ("state", &s2)]).await;

    assert_eq!(status, 302);
    assert!(location.starts_with(&format!(
        "{FRONTEND_URL}/app/accounts/{}/settings/inboxes/new/instagram?",
        globex.account_id.unwrap()
    )));
    assert_eq!(
        query_of(&location)["error_type"],
        "account_already_connected"
    );
    assert_eq!(app.count("inboxes").await, 1);
}

#[tokio::test]
async fn a_canceled_authorization_returns_to_the_wizard_without_calling_instagram() {
    let app = app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let state = start_flow(&app, &admin).await;

    let (status, location) = callback(
        &app,
        &[
            ("error", "access_denied"),
            ("error_reason", "user_denied"),
            ("error_description", "Permissions error"),
            ("state", &state),
        ],
    )
    .await;

    assert_eq!(status, 302);
    let q = query_of(&location);
    assert_eq!(q["error_type"], "access_denied");
    assert_eq!(q["code"], "400");
    assert_eq!(q["error_message"], "Permissions error");
    assert_eq!(instagram_requests(&app).await, 0);
    assert_eq!(app.count("channel_instagram").await, 0);
}

#[tokio::test]
async fn tampered_expired_and_reused_states_never_reach_the_token_exchange() {
    let app = app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    instagram_accepts(&app, "acme.shop", 1).await;
    let good = start_flow(&app, &admin).await;
    let expired = OAuthState {
        expires_at: now() - 1,
        ..OAuthState::new(admin.account_id.unwrap(), admin.user_id, now())
    }
    .encode(&app.state.keys);
    let (data, tag) = good.split_once('.').unwrap();
    let tampered = format!("{}x.{tag}", data);

    let (t_status, t_body) = callback(&app, &[("code", "CODE1"), ("state", &tampered)]).await;
    let (_, missing) = callback(&app, &[("code", "CODE1")]).await;
    let (e_status, e_location) = callback(&app, &[("code", "CODE1"), ("state", &expired)]).await;
    let calls_before = instagram_requests(&app).await;
    let (ok_status, _) = callback(&app, &[("code", "CODE1"), ("state", &good)]).await;
    let (r_status, r_location) = callback(&app, &[("code", "CODE1"), ("state", &good)]).await;

    assert_eq!(t_status, 400);
    assert!(t_body.contains("could not be verified"));
    assert!(missing.contains("could not be verified"));
    assert_eq!(e_status, 302);
    assert_eq!(query_of(&e_location)["error_type"], "state_expired");
    assert_eq!(calls_before, 0);
    assert_eq!(ok_status, 302);
    assert_eq!(r_status, 302);
    assert_eq!(query_of(&r_location)["error_type"], "state_reused");
    assert_eq!(app.count("channel_instagram").await, 1);
}

async fn failing_flow(app: &TestApp, admin: &CreatedAdmin) -> HashMap<String, String> {
    let state = start_flow(app, admin).await;
    let (status, location) = callback(app, &[("code", "CODE1"), ("state", &state)]).await;
    assert_eq!(status, 302, "{location}");
    assert_eq!(app.count("channel_instagram").await, 0);
    assert_eq!(app.count("inboxes").await, 0);
    query_of(&location)
}

#[tokio::test]
async fn instagram_error_bodies_become_clear_wizard_errors_and_nothing_is_created() {
    // Instagram's OAuth error shape on the code exchange.
    let app = app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    Mock::given(method("POST"))
        .and(path("/oauth/access_token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error_type": "OAuthException", "code": 400, "error_message": "Error validating verification code. Please make sure your redirect_uri is identical"})))
        .mount(&app.instagram)
        .await;
    let q = failing_flow(&app, &admin).await;
    assert_eq!(q["error_type"], "OAuthException");
    assert_eq!(q["code"], "400");
    assert!(
        q["error_message"].contains("FRONTEND_URL"),
        "{}",
        q["error_message"]
    );

    // Graph's shape on /me, after both token exchanges worked.
    let app = self::app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    Mock::given(method("POST"))
        .and(path("/oauth/access_token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": SHORT, "user_id": IG_USER})),
        )
        .mount(&app.instagram)
        .await;
    Mock::given(method("GET"))
        .and(path("/access_token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": LONG, "token_type": "bearer", "expires_in": 5184000}),
        ))
        .mount(&app.instagram)
        .await;
    Mock::given(method("GET"))
        .and(path("/v22.0/me"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": {"message": "Error validating access token: Session has expired", "type": "OAuthException", "code": 190, "error_subcode": 463, "fbtrace_id": "Abc"}})))
        .mount(&app.instagram)
        .await;
    let q = failing_flow(&app, &admin).await;
    assert_eq!(q["code"], "190");
    assert!(q["error_message"].contains("expired"));

    // A 200 that carries an error, on the long-lived exchange.
    let app = self::app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    Mock::given(method("POST"))
        .and(path("/oauth/access_token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": SHORT})))
        .mount(&app.instagram)
        .await;
    Mock::given(method("GET"))
        .and(path("/access_token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"error": {"message": "Application request limit reached", "type": "OAuthException", "code": 4}})))
        .mount(&app.instagram)
        .await;
    let q = failing_flow(&app, &admin).await;
    assert_eq!(q["code"], "4");
    assert!(q["error_message"].contains("rate-limiting"));

    // Not JSON at all.
    let app = self::app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    Mock::given(method("POST"))
        .and(path("/oauth/access_token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": SHORT})))
        .mount(&app.instagram)
        .await;
    Mock::given(method("GET"))
        .and(path("/access_token"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>oops</html>"))
        .mount(&app.instagram)
        .await;
    let q = failing_flow(&app, &admin).await;
    assert_eq!(q["error_type"], "invalid_response");
}

#[tokio::test]
async fn a_refused_webhook_subscription_leaves_nothing_behind() {
    let app = app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    for (m, p, body) in [
        (
            "POST",
            "/oauth/access_token",
            json!({"access_token": SHORT}),
        ),
        (
            "GET",
            "/access_token",
            json!({"access_token": LONG, "expires_in": 5184000}),
        ),
        (
            "GET",
            "/v22.0/me",
            json!({"id": "x", "user_id": IG_USER, "username": "acme.shop"}),
        ),
    ] {
        Mock::given(method(m))
            .and(path(p))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&app.instagram)
            .await;
    }
    Mock::given(method("POST"))
        .and(path(format!("/v22.0/{IG_USER}/subscribed_apps")))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"error": {"message": "(#200) Requires instagram_business_manage_messages permission", "type": "OAuthException", "code": 200}})))
        .mount(&app.instagram)
        .await;

    let q = failing_flow(&app, &admin).await;

    assert_eq!(q["code"], "200");
    assert!(q["error_message"].contains("permission"));
}

#[tokio::test]
async fn deleting_an_instagram_inbox_unsubscribes_it_first() {
    let app = app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    instagram_accepts(&app, "acme.shop", 1).await;
    let state = start_flow(&app, &admin).await;
    callback(&app, &[("code", "CODE1"), ("state", &state)]).await;
    let inboxes = app.inboxes(&admin).await;
    let id = inboxes.body["payload"][0]["id"].as_i64().unwrap();
    Mock::given(method("DELETE"))
        .and(path(format!("/v22.0/{IG_USER}/subscribed_apps")))
        .and(query_param("access_token", LONG))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .expect(1)
        .mount(&app.instagram)
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
    assert_eq!(app.count("channel_instagram").await, 0);
}

async fn insert_channel(
    app: &TestApp,
    account_id: i64,
    ig_id: &str,
    token: &str,
    age_secs: i64,
    expires_in: i64,
) {
    let sealed = app.state.keys.seal(token);
    let now = now();
    app.state
        .db
        .execute_raw(Statement::from_sql_and_values(
            app.state.db.get_database_backend(),
            "INSERT INTO channel_instagram (account_id, instagram_id, username, access_token, expires_at, reauthorization_required, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, false, $6, $7)",
            [account_id.into(), ig_id.into(), ig_id.into(), sealed.into(), (now + expires_in).into(), (now - age_secs).into(), (now - age_secs).into()],
        ))
        .await
        .unwrap();
}

#[tokio::test]
async fn the_refresh_pass_renews_only_tokens_that_are_due_and_flags_expired_ones() {
    let app = app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let account = admin.account_id.unwrap();
    const H: i64 = 3600;
    const D: i64 = 24 * H;
    insert_channel(&app, account, "young", "tok-young", 12 * H, 5 * D).await;
    insert_channel(&app, account, "due", "tok-due", 25 * H, 5 * D).await;
    insert_channel(&app, account, "far", "tok-far", 40 * D, 20 * D).await;
    insert_channel(&app, account, "expired", "tok-expired", 61 * D, -H).await;
    Mock::given(method("GET"))
        .and(path("/refresh_access_token"))
        .and(query_param("grant_type", "ig_refresh_token"))
        .and(query_param("access_token", "tok-due"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "tok-renewed", "token_type": "bearer", "expires_in": 5184000}),
        ))
        .expect(1)
        .mount(&app.instagram)
        .await;

    let summary = refresh_all(&app.state).await.unwrap();

    assert_eq!(
        (summary.checked, summary.refreshed, summary.failed),
        (4, 1, 1)
    );
    let rows = app
        .state
        .db
        .query_all_raw(Statement::from_string(app.state.db.get_database_backend(), "SELECT instagram_id, access_token, expires_at, reauthorization_required FROM channel_instagram".to_owned()))
        .await
        .unwrap();
    for row in rows {
        let id: String = row.try_get("", "instagram_id").unwrap();
        let token = app
            .state
            .keys
            .open(&row.try_get::<String>("", "access_token").unwrap())
            .unwrap();
        let token = secrecy::ExposeSecret::expose_secret(&token).to_owned();
        let reauth: bool = row.try_get("", "reauthorization_required").unwrap();
        match id.as_str() {
            "due" => {
                assert_eq!(token, "tok-renewed");
                assert!(row.try_get::<i64>("", "expires_at").unwrap() > now() + 59 * D);
            }
            "expired" => assert!(reauth),
            other => {
                assert_eq!(token, format!("tok-{other}"));
                assert!(!reauth);
            }
        }
    }
}

#[tokio::test]
async fn a_rejected_refresh_marks_the_inbox_for_reauthorization() {
    let app = app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    insert_channel(
        &app,
        admin.account_id.unwrap(),
        "revoked",
        "tok",
        2 * 24 * 3600,
        3 * 24 * 3600,
    )
    .await;
    Mock::given(method("GET"))
        .and(path("/refresh_access_token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": {"message": "Error validating access token", "type": "OAuthException", "code": 190}})))
        .mount(&app.instagram)
        .await;

    let summary = refresh_all(&app.state).await.unwrap();

    assert_eq!(summary.failed, 1);
    assert!(channel_row(&app).await.unwrap().3);
}

#[tokio::test]
async fn meta_deauthorize_and_data_deletion_need_a_valid_signed_request() {
    let app = app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    insert_channel(
        &app,
        admin.account_id.unwrap(),
        IG_USER,
        "tok",
        0,
        30 * 24 * 3600,
    )
    .await;
    let sign = |secret: &str| {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let payload = b64.encode(
            json!({"algorithm": "HMAC-SHA256", "issued_at": 1, "user_id": IG_USER}).to_string(),
        );
        let sig = hex::decode(backend::crypto::hmac_sha256_hex(
            secret.as_bytes(),
            payload.as_bytes(),
        ))
        .unwrap();
        format!("{}.{payload}", b64.encode(sig))
    };
    let post = |path: &'static str, signed: String| {
        let client = app.client.clone();
        let url = format!("{}{path}", app.address);
        async move {
            crate::helpers::reply(
                client
                    .post(url)
                    .form(&[("signed_request", signed)])
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };

    let forged = post("/instagram/deauthorize", sign("wrong-secret")).await;
    let still_fine = channel_row(&app).await.unwrap().3;
    let deauth = post("/instagram/deauthorize", sign("app-secret-xyz")).await;
    let deletion = post("/instagram/data_deletion", sign("app-secret-xyz")).await;
    let forged_deletion = post("/instagram/data_deletion", sign("nope")).await;
    let status_page = app
        .client
        .get(
            deletion.body["url"]
                .as_str()
                .unwrap()
                .replace(FRONTEND_URL, &app.address),
        )
        .send()
        .await
        .unwrap();

    assert_eq!(forged.status, 400);
    assert!(!still_fine);
    assert_eq!(deauth.status, 200);
    assert!(
        channel_row(&app).await.unwrap().3,
        "deauthorized inbox needs reauthorization"
    );
    assert_eq!(deletion.status, 200);
    let code = deletion.body["confirmation_code"].as_str().unwrap();
    assert_eq!(
        deletion.body["url"],
        format!("{FRONTEND_URL}/instagram/deletion/{code}")
    );
    assert_eq!(forged_deletion.status, 400);
    assert_eq!(status_page.status(), 200);
    assert!(status_page
        .text()
        .await
        .unwrap()
        .contains("deletion completed"));
}

#[tokio::test]
async fn the_status_endpoint_says_whether_the_app_is_configured() {
    let app = app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let r = app
        .api(
            Method::GET,
            &format!(
                "/api/v1/accounts/{}/instagram/status",
                admin.account_id.unwrap()
            ),
            &admin.access_token,
            None,
        )
        .await;
    assert_eq!(r.body, json!({"configured": true}));
    let _: Value = r.body;
}
