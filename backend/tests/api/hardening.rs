//! Security hardening: response headers on every kind of answer, the session cookie's flags, rate limits,
//! request size limits, and hostile strings stored and returned verbatim.

use crate::helpers::{reply, spawn_app, spawn_app_with, Reply, TestApp};
use crate::webhooks::{self, BUSINESS, CUSTOMER};
use backend::cli::create_admin;
use backend::security_headers::{DEFAULT_POLICY, DOCS_POLICY};
use reqwest::Method;
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

const SQL_INJECTIONS: [&str; 2] = ["'; DROP TABLE contacts; --", "\" OR 1=1 --"];

fn header<'a>(r: &'a Reply, name: &str) -> &'a str {
    r.headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

/// `nosniff`, a Referrer-Policy and a CSP that forbids framing and inline script.
fn assert_hardened(what: &str, r: &Reply) -> String {
    assert_eq!(header(r, "x-content-type-options"), "nosniff", "{what}");
    assert_eq!(
        header(r, "referrer-policy"),
        "strict-origin-when-cross-origin",
        "{what}"
    );
    let csp = header(r, "content-security-policy").to_owned();
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    let script_src = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src") || d.starts_with("default-src"))
        .unwrap_or_default();
    assert!(!script_src.contains("unsafe-inline"), "{what}: {csp}");
    csp
}

async fn get(app: &TestApp, path: &str, token: Option<&str>) -> Reply {
    let mut req = app.client.get(format!("{}{path}", app.address));
    if let Some(t) = token {
        req = req.header("api_access_token", t);
    }
    reply(req.send().await.unwrap()).await
}

#[tokio::test]
async fn api_answers_errors_the_spa_and_the_docs_carry_security_headers() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let inboxes = format!("/api/v1/accounts/{}/inboxes", admin.account_id.unwrap());
    let huge = format!(r#"{{"name":"{}"}}"#, "x".repeat(1024 * 1024 + 1));

    let api = get(&app, "/api/v1/profile", Some(&admin.access_token)).await;
    let unauthorized = get(&app, "/api/v1/profile", None).await;
    let not_found = get(&app, "/api/v1/nothing-here", None).await;
    let too_large = app
        .raw(Method::POST, &inboxes, &admin.access_token, huge)
        .await;
    let spa = get(&app, "/app/accounts/1/conversations", None).await;
    let docs = get(&app, "/api/docs/index.html", None).await;

    assert_eq!(api.status, 200);
    assert_eq!(assert_hardened("an API answer", &api), DEFAULT_POLICY);
    assert!(DEFAULT_POLICY.starts_with("default-src 'none'"));
    for (what, r, status) in [
        ("a 401", &unauthorized, 401),
        ("a 404", &not_found, 404),
        ("a 413", &too_large, 413),
    ] {
        assert_eq!(r.status, status, "{what}: {}", r.body);
        assert!(
            r.body["error"].is_string(),
            "{what} is not the JSON error body"
        );
        assert_eq!(assert_hardened(what, r), DEFAULT_POLICY);
    }
    assert_eq!(too_large.body["error"], "payload_too_large");
    assert_eq!(spa.status, 200);
    let spa_csp = assert_hardened("the SPA", &spa);
    assert!(spa_csp.contains("'sha256-"), "{spa_csp}");
    assert_eq!(docs.status, 200);
    assert_eq!(assert_hardened("the API docs", &docs), DOCS_POLICY);
    // The docs policy admits no inline script, so Swagger UI's page must have none.
    let html = docs.body.as_str().unwrap();
    assert!(html.contains("swagger-initializer.js"));
    assert!(backend::spa::inline_script_hashes(html).is_empty());
}

#[tokio::test]
async fn the_session_cookie_is_http_only_strict_secure_over_https_and_scoped_to_the_site() {
    let https = spawn_app().await;
    https.admin("ada@example.com", "Acme").await;
    let http = spawn_app_with(&[("FRONTEND_URL", "http://localhost:3000")]).await;
    http.admin("ada@example.com", "Acme").await;
    let sign_in = |app: &TestApp| {
        app.client
            .post(format!("{}/auth/sign_in", app.address))
            .json(&json!({"email": "ada@example.com", "password": "password123"}))
            .send()
    };

    let secure = reply(sign_in(&https).await.unwrap()).await;
    let plain = reply(sign_in(&http).await.unwrap()).await;
    let signed_out = reply(
        https
            .client
            .delete(format!("{}/auth/sign_out", https.address))
            .send()
            .await
            .unwrap(),
    )
    .await;

    let attributes = |r: &Reply| -> Vec<String> {
        header(r, "set-cookie")
            .split(';')
            .map(|a| a.trim().to_ascii_lowercase())
            .collect()
    };
    let cookie = attributes(&secure);
    assert!(cookie[0].starts_with("sb_session=") && cookie[0].len() > 20);
    for flag in ["httponly", "samesite=strict", "secure", "path=/"] {
        assert!(
            cookie.contains(&flag.to_owned()),
            "{flag} missing: {cookie:?}"
        );
    }
    assert!(cookie.iter().any(|a| a.starts_with("max-age=")));
    let cookie = attributes(&plain);
    for flag in ["httponly", "samesite=strict", "path=/"] {
        assert!(
            cookie.contains(&flag.to_owned()),
            "{flag} missing: {cookie:?}"
        );
    }
    assert!(
        !cookie.contains(&"secure".to_owned()),
        "Secure over plain HTTP would drop the cookie: {cookie:?}"
    );
    let cleared = attributes(&signed_out);
    assert_eq!(cleared[0], "sb_session=");
    for flag in [
        "httponly",
        "samesite=strict",
        "secure",
        "path=/",
        "max-age=0",
    ] {
        assert!(
            cleared.contains(&flag.to_owned()),
            "{flag} missing: {cleared:?}"
        );
    }
}

#[tokio::test]
async fn instagram_authorization_urls_are_rate_limited_per_user_with_a_json_429() {
    let app = webhooks::app().await;
    let ada = app.admin("ada@example.com", "Acme").await;
    let bob = app.admin("bob@example.com", "Bobs").await;
    let url = |admin: &shared::dto::CreatedAdmin| {
        format!(
            "/api/v1/accounts/{}/instagram/authorization",
            admin.account_id.unwrap()
        )
    };

    for attempt in 1..=10 {
        let r = app
            .api(Method::POST, &url(&ada), &ada.access_token, None)
            .await;
        assert_eq!(r.status, 200, "attempt {attempt}: {}", r.body);
    }
    let limited = app
        .api(Method::POST, &url(&ada), &ada.access_token, None)
        .await;
    let someone_else = app
        .api(Method::POST, &url(&bob), &bob.access_token, None)
        .await;
    let doc = get(&app, "/api/openapi.json", None).await;

    assert_eq!(limited.status, 429, "{}", limited.body);
    assert_eq!(limited.body["error"], "rate_limited");
    assert!(!limited.body["message"].as_str().unwrap().is_empty());
    assert_hardened("a 429", &limited);
    assert_eq!(someone_else.status, 200, "{}", someone_else.body);
    let documented = &doc.body["paths"]["/api/v1/accounts/{account_id}/instagram/authorization"]
        ["post"]["responses"]["429"];
    assert!(
        documented["content"]["application/json"]["schema"]["$ref"]
            .as_str()
            .is_some_and(|r| r.ends_with("/ErrorBody")),
        "429 is not documented with the error body: {documented}"
    );
}

#[tokio::test]
async fn sign_in_failures_of_one_email_do_not_limit_another() {
    let app = spawn_app().await;
    app.admin("ada@example.com", "Acme").await;
    app.admin("bob@example.com", "Bobs").await;
    let attempt = |email: &'static str, password: &'static str| {
        app.client
            .post(format!("{}/auth/sign_in", app.address))
            .json(&json!({"email": email, "password": password}))
            .send()
    };
    for _ in 0..5 {
        assert_eq!(
            attempt("ada@example.com", "wrong").await.unwrap().status(),
            401
        );
    }

    let ada = attempt("ada@example.com", "password123").await.unwrap();
    let bob = attempt("bob@example.com", "password123").await.unwrap();

    assert_eq!(ada.status(), 429);
    assert_eq!(bob.status(), 200);
}

#[tokio::test]
async fn sql_injection_strings_are_stored_and_returned_verbatim() {
    // Arrange: an Instagram inbox whose customer is named, and writes, like an injection attempt.
    let app = webhooks::app().await;
    let account = webhooks::connected(&app).await;
    let token = webhooks::connected_admin(&app).await.access_token;
    let [drop_table, or_true] = SQL_INJECTIONS;
    Mock::given(method("GET"))
        .and(path(format!("/v22.0/{CUSTOMER}")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"name": drop_table, "id": CUSTOMER})),
        )
        .mount(&app.instagram)
        .await;
    let base = format!("/api/v1/accounts/{account}");

    // Act: an inbox named by the API, renamed, a customer message, and a private note.
    let created = app
        .api(
            Method::POST,
            &format!("{base}/inboxes"),
            &token,
            Some(json!({"name": or_true, "channel": {"type": "api"}})),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let inbox = created.body["id"].as_i64().unwrap();
    let renamed = app
        .api(
            Method::PATCH,
            &format!("{base}/inboxes/{inbox}"),
            &token,
            Some(json!({"name": drop_table})),
        )
        .await;
    let event = json!({
        "object": "instagram",
        "entry": [{"id": BUSINESS, "time": 1_764_201_600_000_i64, "messaging": [{
            "sender": {"id": CUSTOMER}, "recipient": {"id": BUSINESS},
            "timestamp": backend::db::now() * 1000,
            "message": {"mid": "m-sql-1", "text": or_true}
        }]}]
    })
    .to_string();
    webhooks::deliver(&app, &event).await;
    webhooks::settle(&app).await;
    let note = app
        .api(
            Method::POST,
            &format!("{base}/conversations/1/messages"),
            &token,
            Some(json!({"content": drop_table, "private": true})),
        )
        .await;

    // Assert: every string comes back exactly as sent, and nothing was dropped.
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(renamed.body["name"], drop_table);
    let shown = app
        .api(
            Method::GET,
            &format!("{base}/inboxes/{inbox}"),
            &token,
            None,
        )
        .await;
    assert_eq!(shown.body["name"], drop_table);
    assert_eq!(note.status, 200, "{}", note.body);
    assert_eq!(note.body["content"], drop_table);
    let list = app
        .api(Method::GET, &format!("{base}/conversations"), &token, None)
        .await;
    let conversation = &list.body["data"]["payload"][0];
    assert_eq!(conversation["meta"]["sender"]["name"], drop_table);
    let thread = app
        .api(
            Method::GET,
            &format!("{base}/conversations/1/messages"),
            &token,
            None,
        )
        .await;
    let contents: Vec<&Value> = thread.body["payload"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["content"])
        .collect();
    assert_eq!(contents, [&json!(or_true), &json!(drop_table)]);
    let contact_id = thread.body["meta"]["contact"]["id"].as_i64().unwrap();
    let contact = app
        .api(
            Method::GET,
            &format!("{base}/contacts/{contact_id}"),
            &token,
            None,
        )
        .await;
    assert_eq!(contact.body["payload"]["name"], drop_table);
    assert_eq!(app.count("contacts").await, 1);
    assert_eq!(app.count("inboxes").await, 2);
}

#[tokio::test]
async fn nul_characters_in_bodies_forms_and_queries_are_422s_naming_the_field() {
    // PostgreSQL cannot store NUL in text: these reached the database and failed there before.
    let app = spawn_app().await;
    let root = create_admin(
        &app.state,
        "root@example.com",
        "password123",
        None,
        Some("Root"),
        true,
    )
    .await
    .unwrap();
    let account = root.account_id.unwrap();

    let inbox = app
        .api(
            Method::POST,
            &format!("/api/v1/accounts/{account}/inboxes"),
            &root.access_token,
            Some(json!({"name": "a\u{0}b", "channel": {"type": "api"}})),
        )
        .await;
    let sign_in = reply(
        app.client
            .post(format!("{}/auth/sign_in", app.address))
            .json(&json!({"email": "root@example.com\u{0}", "password": "x"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let jobs = get(
        &app,
        "/api/v1/super_admin/jobs?state=%00dead",
        Some(&root.access_token),
    )
    .await;
    let form = reqwest::multipart::Form::new().text("content", "hello\u{0}");
    let note = reply(
        app.client
            .post(format!(
                "{}/api/v1/accounts/{account}/conversations/1/messages",
                app.address
            ))
            .header("api_access_token", &root.access_token)
            .multipart(form)
            .send()
            .await
            .unwrap(),
    )
    .await;

    for (what, r, field) in [
        ("an inbox name", &inbox, "name"),
        ("a sign-in email", &sign_in, "email"),
        ("a job state", &jobs, "state"),
        ("a multipart reply", &note, "content"),
    ] {
        assert_eq!(r.status, 422, "{what}: {}", r.body);
        assert_eq!(r.body["attributes"], json!([field]), "{what}: {}", r.body);
    }
    assert_eq!(app.count("inboxes").await, 0);
}
