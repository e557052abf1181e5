use crate::helpers::{reply, spawn_app, TestApp};
use base64::Engine;
use reqwest::Method;
use sha2::Digest;

#[tokio::test]
async fn health_answers_ok_with_security_headers() {
    let app = spawn_app().await;

    let r = reply(
        app.client
            .get(format!("{}/health", app.address))
            .send()
            .await
            .unwrap(),
    )
    .await;

    assert_eq!(r.status, 200);
    assert_eq!(r.body, serde_json::json!({"status": "ok"}));
    assert_eq!(r.headers["x-content-type-options"], "nosniff");
    assert!(r.headers.contains_key("referrer-policy"));
}

#[tokio::test]
async fn the_openapi_document_lists_every_api_route() {
    let app = spawn_app().await;

    let r = reply(
        app.client
            .get(format!("{}/api/openapi.json", app.address))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let docs = app
        .client
        .get(format!("{}/api/docs/index.html", app.address))
        .send()
        .await
        .unwrap();

    assert_eq!(r.status, 200);
    assert!(r.body["openapi"].as_str().unwrap().starts_with("3."));
    let paths = r.body["paths"].as_object().unwrap();
    for p in [
        "/api/v1/profile",
        "/api/v1/accounts/{account_id}/agents",
        "/api/v1/accounts/{account_id}/agents/{user_id}",
        "/api/v1/accounts/{account_id}/inboxes",
        "/api/v1/accounts/{account_id}/inboxes/{inbox_id}",
        "/api/v1/accounts/{account_id}/inbox_members",
        "/api/v1/accounts/{account_id}/inbox_members/{inbox_id}",
    ] {
        assert!(
            paths.contains_key(p),
            "{p} missing from the OpenAPI document"
        );
    }
    assert_eq!(docs.status(), 200);
}

#[tokio::test]
async fn the_spa_shell_is_served_for_client_routes_with_a_hash_based_csp() {
    let app = spawn_app().await;
    let loader = "import init from '/app/frontend.js';await init('/app/frontend_bg.wasm');";
    let hash =
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(loader.as_bytes()));

    let root = app
        .client
        .get(format!("{}/", app.address))
        .send()
        .await
        .unwrap();
    let deep = app
        .client
        .get(format!("{}/app/accounts/1/settings/inboxes", app.address))
        .send()
        .await
        .unwrap();
    let asset = app
        .client
        .get(format!("{}/app/frontend.js", app.address))
        .send()
        .await
        .unwrap();
    let messages = app
        .client
        .get(format!("{}/app/i18n/en/main.ftl", app.address))
        .send()
        .await
        .unwrap();
    let traversal = app
        .client
        .get(format!("{}/app/..%2F..%2Fetc%2Fpasswd", app.address))
        .send()
        .await
        .unwrap();

    assert_eq!(root.status(), 302);
    assert_eq!(root.headers()["location"], "/app");
    assert_eq!(deep.status(), 200);
    let csp = deep.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
    assert!(csp.contains("'wasm-unsafe-eval'") && csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline"));
    assert!(deep.text().await.unwrap().contains("frontend.js"));
    assert_eq!(asset.status(), 200);
    // The message files keep their names across releases: always revalidated, unlike hashed assets.
    assert_eq!(asset.headers().get("cache-control"), None);
    assert!(asset.text().await.unwrap().contains("export default"));
    assert_eq!(messages.status(), 200);
    assert_eq!(messages.headers()["cache-control"], "no-cache");
    assert!(messages.text().await.unwrap().contains("app-name"));
    assert!(!traversal.text().await.unwrap().contains("root:"));
}

#[tokio::test]
async fn unknown_api_paths_are_json_404s() {
    let app = spawn_app().await;

    let r = reply(
        app.client
            .get(format!("{}/api/v1/nothing-here", app.address))
            .send()
            .await
            .unwrap(),
    )
    .await;

    assert_eq!(r.status, 404);
    assert_eq!(r.body["error"], "not_found");
}

/// A server on PostgreSQL whose pooled connections were all in use a moment ago, and every other connection to
/// its database (the server's pools, its listener and the test's own) just terminated: the server, the path of
/// the conversation list, a token that may read it, and how many connections were terminated. `None` on SQLite,
/// whose pooled connections are threads of this process: nothing to drop.
async fn every_connection_terminated(email: &str) -> Option<(TestApp, String, String, i64)> {
    if std::env::var("TEST_DATABASE").as_deref() != Ok("postgres") {
        return None;
    }
    let app = spawn_app().await;
    let admin = app.admin(email, "Acme").await;
    let path = format!(
        "/api/v1/accounts/{}/conversations",
        admin.account_id.unwrap()
    );
    let warm = futures_util::future::join_all(
        (0..8).map(|_| app.api(Method::GET, &path, &admin.access_token, None)),
    )
    .await;
    assert!(warm.iter().all(|r| r.status == 200));
    let killed: i64 = app
        .one(
            "SELECT COUNT(*) AS v FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()) t",
        )
        .await;
    assert!(killed >= 2, "terminated {killed} connections");
    Some((app, path, admin.access_token, killed))
}

/// A pooled PostgreSQL connection that died while idle (the database restarted, a proxy's idle timeout) is found
/// out by the ping before its next use, not by a request failing on it. Connections in steady use are not pinged
/// before each statement (see `db::connect`); those are checked when they go back to the pool.
#[tokio::test]
async fn connections_dropped_while_idle_are_replaced_before_a_request_fails_on_them() {
    let Some((app, path, token, _)) = every_connection_terminated("idle@example.com").await else {
        return;
    };
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    for n in 0..12 {
        let r = app.api(Method::GET, &path, &token, None).await;
        assert_eq!(
            r.status, 200,
            "request {n} after the connections died: {}",
            r.body
        );
    }
}

/// A connection that breaks while in steady use (no time to go idle and be pinged) fails the one request that
/// finds it broken, and is then closed on its way back to the pool rather than handed to request after request:
/// the statement it failed in still owes its reply, and waiting for that reply on release fails (the pool does
/// not ping a connection that owes nothing, see the patch in `vendor/sqlx-core`).
#[tokio::test]
async fn connections_that_break_in_use_fail_one_request_each_then_are_replaced() {
    let Some((app, path, token, killed)) = every_connection_terminated("broken@example.com").await
    else {
        return;
    };
    // At once, well inside the second after which an idle connection is pinged before use.
    let mut statuses = Vec::new();
    for _ in 0..40 {
        statuses.push(app.api(Method::GET, &path, &token, None).await.status);
    }
    let failed = statuses.iter().filter(|s| **s != 200).count();
    assert!(
        failed as i64 <= killed,
        "{failed} of 40 requests failed after {killed} connections died: {statuses:?}"
    );
    assert!(
        statuses[statuses.len() - 10..].iter().all(|s| *s == 200),
        "still failing after every broken connection was used once: {statuses:?}"
    );
}
