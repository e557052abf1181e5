use crate::helpers::{reply, session_cookie, spawn_app};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn sign_in_returns_the_user_and_an_http_only_strict_session_cookie() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;

    let r = reply(
        app.browser
            .post(format!("{}/auth/sign_in", app.address))
            .json(&json!({"email": "Ada@Example.com ", "password": "password123"}))
            .send()
            .await
            .unwrap(),
    )
    .await;

    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["data"]["email"], "ada@example.com");
    assert_eq!(r.body["data"]["account_id"], admin.account_id.unwrap());
    assert_eq!(r.body["data"]["accounts"][0]["role"], "administrator");
    let cookie = r.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.starts_with("sb_session="));
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert_eq!(app.count("sessions").await, 1);
}

#[tokio::test]
async fn wrong_passwords_and_unknown_emails_get_the_same_401() {
    let app = spawn_app().await;
    app.admin("ada@example.com", "Acme").await;

    for body in [
        json!({"email": "ada@example.com", "password": "nope-nope"}),
        json!({"email": "who@example.com", "password": "password123"}),
    ] {
        let r = reply(
            app.browser
                .post(format!("{}/auth/sign_in", app.address))
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, 401);
        assert_eq!(r.body["error"], "invalid_credentials");
        assert!(r.headers.get("set-cookie").is_none());
    }
    assert_eq!(app.count("sessions").await, 0);
}

#[tokio::test]
async fn repeated_failed_sign_ins_are_rate_limited_even_with_the_right_password_afterwards() {
    let app = spawn_app().await;
    app.admin("ada@example.com", "Acme").await;
    let url = format!("{}/auth/sign_in", app.address);
    for _ in 0..5 {
        let r = app
            .client
            .post(&url)
            .json(&json!({"email": "ada@example.com", "password": "bad-guess"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }

    let r = reply(
        app.client
            .post(&url)
            .json(&json!({"email": "ada@example.com", "password": "password123"}))
            .send()
            .await
            .unwrap(),
    )
    .await;

    assert_eq!(r.status, 429);
    assert_eq!(r.body["error"], "rate_limited");
}

#[tokio::test]
async fn a_cookie_session_reads_freely_but_writes_only_with_x_requested_with() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    app.browser
        .post(format!("{}/auth/sign_in", app.address))
        .json(&json!({"email": "ada@example.com", "password": "password123"}))
        .send()
        .await
        .unwrap();
    let inboxes = format!(
        "{}/api/v1/accounts/{}/inboxes",
        app.address,
        admin.account_id.unwrap()
    );
    let body = json!({"name": "Web", "channel": {"type": "api"}});

    let profile = reply(
        app.browser
            .get(format!("{}/api/v1/profile", app.address))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let forged = reply(app.browser.post(&inboxes).json(&body).send().await.unwrap()).await;
    let genuine = reply(
        app.browser
            .post(&inboxes)
            .header("X-Requested-With", "XMLHttpRequest")
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;

    assert_eq!(profile.status, 200);
    assert_eq!(profile.body["access_token"], admin.access_token.as_str());
    assert_eq!(forged.status, 403);
    assert_eq!(forged.body["error"], "missing_requested_with");
    assert_eq!(genuine.status, 200, "{}", genuine.body);
    assert_eq!(app.count("inboxes").await, 1);
}

#[tokio::test]
async fn sign_out_revokes_the_session() {
    let app = spawn_app().await;
    app.admin("ada@example.com", "Acme").await;
    let signed_in = app
        .browser
        .post(format!("{}/auth/sign_in", app.address))
        .json(&json!({"email": "ada@example.com", "password": "password123"}))
        .send()
        .await
        .unwrap();
    let cookie = session_cookie(&signed_in);
    let profile = format!("{}/api/v1/profile", app.address);
    let before = app
        .client
        .get(&profile)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();

    let out = app
        .browser
        .delete(format!("{}/auth/sign_out", app.address))
        .header("X-Requested-With", "x")
        .send()
        .await
        .unwrap();
    let after = app
        .browser
        .get(format!("{}/api/v1/profile", app.address))
        .send()
        .await
        .unwrap();

    // The browser drops the cookie when told to; the server must refuse it too, sent by hand as a copy would be.
    let replayed = app
        .client
        .get(&profile)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();

    assert_eq!(before.status(), 200);
    assert_eq!(out.status(), 200);
    assert_eq!(after.status(), 401);
    assert_eq!(replayed.status(), 401);
    assert_eq!(app.count("sessions").await, 0);
}

#[tokio::test]
async fn an_expired_session_is_refused_and_a_live_one_beside_it_is_not() {
    let app = spawn_app().await;
    app.admin("ada@example.com", "Acme").await;
    let sign_in = |client: reqwest::Client| {
        let url = format!("{}/auth/sign_in", app.address);
        async move {
            let r = client
                .post(url)
                .json(&json!({"email": "ada@example.com", "password": "password123"}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
        }
    };
    let other = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    sign_in(app.browser.clone()).await;
    sign_in(other.clone()).await;
    // The first session ran out a second ago; the second has its days ahead.
    app.state
        .db
        .execute_unprepared(&format!(
            "UPDATE sessions SET expires_at = {} WHERE id = (SELECT MIN(id) FROM sessions)",
            backend::db::now() - 1
        ))
        .await
        .unwrap();

    let profile = format!("{}/api/v1/profile", app.address);
    let expired = reply(app.browser.get(&profile).send().await.unwrap()).await;
    let live = reply(other.get(&profile).send().await.unwrap()).await;

    assert_eq!(expired.status, 401, "{:?}", expired.body);
    assert_eq!(expired.body["error"], "unauthorized");
    assert_eq!(live.status, 200, "{:?}", live.body);
    assert_eq!(live.body["email"], "ada@example.com");
}

#[tokio::test]
async fn missing_or_unknown_credentials_are_401_with_the_error_body() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let path = format!("/api/v1/accounts/{}/inboxes", admin.account_id.unwrap());

    let none = reply(
        app.client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let wrong = app.api(Method::GET, &path, "not-a-token", None).await;
    let stale_cookie = reply(
        app.client
            .get(format!("{}{path}", app.address))
            .header("cookie", "sb_session=forged")
            .send()
            .await
            .unwrap(),
    )
    .await;

    for r in [none, wrong, stale_cookie] {
        assert_eq!(r.status, 401);
        assert_eq!(r.body["error"], "unauthorized");
        assert!(r.body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

#[tokio::test]
async fn passwords_and_tokens_are_not_stored_in_plain_text() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let row = app
        .state
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.state.db.get_database_backend(),
            "SELECT password_hash, access_token_digest, access_token_sealed FROM users".to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    for col in [
        "password_hash",
        "access_token_digest",
        "access_token_sealed",
    ] {
        let v: String = row.try_get("", col).unwrap();
        assert!(
            !v.contains("password123") && !v.contains(&admin.access_token),
            "{col}"
        );
    }
}

use sea_orm::ConnectionTrait;

/// The callers of concurrent requests are looked up together, by one statement per batch
/// (`auth::caller_queue`): each request must still be answered as its own caller, in the account of its own path.
#[tokio::test]
async fn concurrent_requests_are_each_answered_as_their_own_caller() {
    let app = spawn_app().await;
    let ada = app.admin("ada@example.com", "Acme").await;
    let cy = app.admin("cy@example.com", "Globex").await;
    let (acme, globex) = (ada.account_id.unwrap(), cy.account_id.unwrap());
    app.create_api_inbox(&ada, "Acme web").await;
    app.create_api_inbox(&cy, "Globex web").await;
    let signed_in = app
        .browser
        .post(format!("{}/auth/sign_in", app.address))
        .json(&json!({"email": "cy@example.com", "password": "password123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200);

    // (credential, path, expected status, expected email or inbox name)
    let cases: Vec<(Option<&str>, String, u16, &str)> = vec![
        (
            Some(&ada.access_token),
            "/api/v1/profile".into(),
            200,
            "ada@example.com",
        ),
        (
            Some(&cy.access_token),
            "/api/v1/profile".into(),
            200,
            "cy@example.com",
        ),
        (
            Some(&ada.access_token),
            format!("/api/v1/accounts/{acme}/inboxes"),
            200,
            "Acme web",
        ),
        (
            Some(&cy.access_token),
            format!("/api/v1/accounts/{acme}/inboxes"),
            404,
            "",
        ),
        (
            Some(&cy.access_token),
            format!("/api/v1/accounts/{globex}/inboxes"),
            200,
            "Globex web",
        ),
        (Some("not-a-token"), "/api/v1/profile".into(), 401, ""),
        (
            None,
            format!("/api/v1/accounts/{globex}/inboxes"),
            200,
            "Globex web",
        ),
        (None, "/api/v1/profile".into(), 200, "cy@example.com"),
        (None, format!("/api/v1/accounts/{acme}/inboxes"), 404, ""),
    ];
    let requests = (0..6)
        .flat_map(|_| cases.iter())
        .map(|(token, path, _, _)| {
            let url = format!("{}{path}", app.address);
            // Without a token the browser's session cookie (cy's) is the credential.
            let req = match token {
                Some(t) => app.client.get(url).header("api_access_token", *t),
                None => app.browser.get(url),
            };
            async move { reply(req.send().await.unwrap()).await }
        });
    let replies = futures_util::future::join_all(requests).await;

    for (r, (token, path, status, expected)) in
        replies.iter().zip((0..6).flat_map(|_| cases.iter()))
    {
        let who = token.map_or("cookie", |t| {
            if t == ada.access_token {
                "ada"
            } else {
                "token"
            }
        });
        assert_eq!(r.status.as_u16(), *status, "{who} {path}: {}", r.body);
        if *status != 200 {
            continue;
        }
        let seen = if path.ends_with("/profile") {
            r.body["email"].as_str().map(str::to_owned)
        } else {
            r.body["payload"][0]["name"].as_str().map(str::to_owned)
        };
        assert_eq!(seen.as_deref(), Some(*expected), "{who} {path}: {}", r.body);
        if !path.ends_with("/profile") {
            assert_eq!(r.body["payload"].as_array().unwrap().len(), 1, "{}", r.body);
        }
    }
}

/// Callers are kept between requests (`auth::kept_callers`) at the database's credentials version. Each change to
/// who a credential is or what it may do, made straight in the database as another instance or a hand in `psql`
/// would make it, holds from the next request: a demotion, a removal from the account, a super-admin flag
/// taken away, a token replaced, a session deleted.
#[tokio::test]
async fn a_kept_caller_follows_every_change_to_their_credentials_made_by_any_server() {
    let app = spawn_app().await;
    let ada = app.admin("ada@example.com", "Acme").await;
    let acme = ada.account_id.unwrap();
    app.create_api_inbox(&ada, "Acme web").await;
    let inboxes = format!("/api/v1/accounts/{acme}/inboxes");
    let token = ada.access_token.as_str();
    // Asked several times at once first, so that every HTTP worker (each keeps callers of its own) has ada kept
    // when the change is made.
    let keep = |path: String| {
        let app = &app;
        async move {
            let asks = (0..4).map(|_| app.api(Method::GET, &path, token, None));
            for r in futures_util::future::join_all(asks).await {
                assert_eq!(r.status, 200, "{}", r.body);
            }
        }
    };
    let names = |r: &crate::helpers::Reply| -> Vec<String> {
        r.body["payload"]
            .as_array()
            .unwrap_or_else(|| panic!("{}", r.body))
            .iter()
            .map(|i| i["name"].as_str().unwrap().to_owned())
            .collect()
    };

    keep(inboxes.clone()).await;
    app.exec(&format!(
        "UPDATE account_users SET role = 'agent' WHERE user_id = {}",
        ada.user_id
    ))
    .await;
    let demoted = app.api(Method::GET, &inboxes, token, None).await;
    let create = app
        .api(
            Method::POST,
            &inboxes,
            token,
            Some(json!({"name": "Another", "channel": {"type": "api"}})),
        )
        .await;
    assert_eq!(demoted.status, 200, "{}", demoted.body);
    assert_eq!(
        names(&demoted),
        Vec::<String>::new(),
        "an agent sees only their inboxes"
    );
    assert_eq!(create.status, 403, "{}", create.body);
    assert_eq!(app.count("inboxes").await, 1);

    keep(inboxes.clone()).await;
    app.exec(&format!(
        "DELETE FROM account_users WHERE user_id = {}",
        ada.user_id
    ))
    .await;
    let removed = app.api(Method::GET, &inboxes, token, None).await;
    assert_eq!(removed.status, 404, "{}", removed.body);

    let config = "/api/v1/super_admin/app_config?config=instagram".to_owned();
    app.exec(&format!(
        "UPDATE users SET super_admin = TRUE WHERE id = {}",
        ada.user_id
    ))
    .await;
    keep(config.clone()).await;
    app.exec(&format!(
        "UPDATE users SET super_admin = FALSE WHERE id = {}",
        ada.user_id
    ))
    .await;
    let no_longer = app.api(Method::GET, &config, token, None).await;
    assert_eq!(no_longer.status, 403, "{}", no_longer.body);

    keep("/api/v1/profile".into()).await;
    app.exec(&format!(
        "UPDATE users SET access_token_digest = 'replaced' WHERE id = {}",
        ada.user_id
    ))
    .await;
    let replaced = app.api(Method::GET, "/api/v1/profile", token, None).await;
    assert_eq!(replaced.status, 401, "{}", replaced.body);

    let profile = format!("{}/api/v1/profile", app.address);
    let signed_in = app
        .browser
        .post(format!("{}/auth/sign_in", app.address))
        .json(&json!({"email": "ada@example.com", "password": "password123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200);
    let asks = (0..4).map(|_| app.browser.get(&profile).send());
    for r in futures_util::future::join_all(asks).await {
        assert_eq!(r.unwrap().status(), 200);
    }
    app.exec("DELETE FROM sessions").await;
    let signed_out = reply(app.browser.get(&profile).send().await.unwrap()).await;
    assert_eq!(signed_out.status, 401, "{:?}", signed_out.body);
}
