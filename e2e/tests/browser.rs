//! Browser end-to-end test: the real `switchboard` binary serving the real Trunk build (`dist/`), driven by
//! headless Debian Chromium through chromedriver.
//!
//! Database: `TEST_DATABASE=sqlite` (default) uses a fresh SQLite file; `TEST_DATABASE=postgres` creates a
//! fresh database on `postgres://postgres@127.0.0.1:5432` (through `psql`, connecting to the `test` database;
//! override with `TEST_POSTGRES_URL`) and drops it afterwards.
//!
//! Needs `target/debug/switchboard` (`cargo build -p backend`, or `SWITCHBOARD_BIN`), `dist/index.html`
//! (`make spa`, or `SWITCHBOARD_STATIC_DIR`), `/usr/bin/chromium` and `chromedriver` (`make setup-test`).
//! One test function, so only one Chromium runs at a time. Twilio and Instagram are in-process `wiremock`
//! fakes on loopback (`TWILIO_API_URL`, `INSTAGRAM_OAUTH_URL`, `INSTAGRAM_API_URL`, `INSTAGRAM_GRAPH_URL`); the test
//! signs Instagram and Twilio webhooks itself (the app secret typed on the super-admin page, the auth token typed
//! into the voice wizard) and posts them to the server. A failing run keeps its directory under
//! `target/e2e/` with a screenshot, the page source and the server and chromedriver logs.

use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, bail, ensure, Context, Result};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use shared::dto::CreatedAdmin;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

const ADMIN_EMAIL: &str = "ada@example.com";
const ADMIN_PASSWORD: &str = "correct horse battery staple";
const INBOX_NAME: &str = "Website API";
const SECRET_KEY_BASE: &str = "5f1c0e9a7b3d4c2e8f6a1b0c9d7e5f3a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e";
const UI_TIMEOUT: Duration = Duration::from_secs(15);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_signs_in_switches_language_creates_a_voice_inbox_and_connects_instagram(
) -> Result<()> {
    let run = RunDir::new()?;
    let database = TestDatabase::create(&run)?;
    let twilio = FakeTwilio::start().await;
    let instagram = FakeInstagram::start().await;
    let mut extra_env = twilio.env();
    extra_env.extend(instagram.env());
    let server = Server::start(&run, &database, extra_env).await?;

    let admin = server.create_admin()?;
    let account_id = admin
        .account_id
        .ok_or_else(|| anyhow!("create-admin --account-name printed no account_id"))?;
    create_api_inbox(&server, account_id, &admin.access_token, INBOX_NAME).await?;

    let (en_title, es_title) = (
        fluent_message("en", "inboxes-title")?,
        fluent_message("es", "inboxes-title")?,
    );
    ensure!(
        en_title != es_title,
        "inboxes-title is the same in en and es ({en_title:?}); nothing to switch to"
    );

    let driver = ChromeDriver::start(&run)?;
    let client = driver.connect(&run).await?;
    let outcome = async {
        a_wrong_password_shows_an_error_and_no_inboxes(&client, &server).await?;
        the_admin_sees_the_inbox_and_switches_language(&client, &server, &en_title, &es_title)
            .await?;
        // Back to English for the rest of the journey.
        wait_for(&client, "select[data-testid=language-select]")
            .await?
            .select_by_value("en")
            .await
            .context("choosing en in select[data-testid=language-select]")?;
        wait_for_text(&client, "[data-testid=page-title]", &en_title).await?;
        the_admin_creates_a_voice_inbox_after_fixing_the_number(
            &client,
            &server,
            account_id,
            &admin.access_token,
        )
        .await?;
        the_super_admin_configures_instagram_and_connects_an_account(
            &client,
            &server,
            account_id,
            &admin.access_token,
        )
        .await?;
        an_instagram_message_arrives_live_and_the_reply_is_sent_then_read(
            &client, &server, &instagram, account_id,
        )
        .await?;
        the_agent_attaches_a_picture_to_a_reply(&client, &instagram, &run).await?;
        markup_in_names_and_messages_is_shown_as_text(
            &client,
            &server,
            &instagram,
            account_id,
            &admin.access_token,
        )
        .await?;
        a_voice_call_appears_live_with_its_voicemail(&client, &server, &twilio, account_id).await
    }
    .await;
    let outcome = match outcome {
        Ok(()) => Ok(()),
        Err(err) => Err(err.context(save_failure_artifacts(&client, &run).await)),
    };
    // Always end the WebDriver session: killing chromedriver alone leaves Chromium running.
    let closed = client.close().await;
    outcome.with_context(|| format!("server log: {}", server.log.display()))?;
    closed.context("closing the WebDriver session")?;

    drop(driver);
    drop(server);
    drop(database);
    run.remove();
    Ok(())
}

async fn a_wrong_password_shows_an_error_and_no_inboxes(
    client: &Client,
    server: &Server,
) -> Result<()> {
    client.goto(&server.url("/app/login")).await?;
    fill(client, "[data-testid=login-email]", ADMIN_EMAIL).await?;
    fill(client, "[data-testid=login-password]", "not the password").await?;
    wait_for(client, "[data-testid=login-submit]")
        .await?
        .click()
        .await?;

    let error = wait_for(client, "[data-testid=login-error]").await?;
    ensure!(
        !error.text().await?.trim().is_empty(),
        "[data-testid=login-error] is shown but empty"
    );
    ensure!(
        client
            .find_all(css("[data-testid=inbox-row]"))
            .await?
            .is_empty(),
        "a wrong password still showed the inbox list"
    );
    let path = client.current_url().await?.path().to_owned();
    ensure!(
        path.starts_with("/app/login"),
        "a wrong password navigated away from the sign-in page, to {path}"
    );
    Ok(())
}

async fn the_admin_sees_the_inbox_and_switches_language(
    client: &Client,
    server: &Server,
    en_title: &str,
    es_title: &str,
) -> Result<()> {
    client.goto(&server.url("/app/login")).await?;
    fill(client, "[data-testid=login-email]", ADMIN_EMAIL).await?;
    fill(client, "[data-testid=login-password]", ADMIN_PASSWORD).await?;
    wait_for(client, "[data-testid=login-submit]")
        .await?
        .click()
        .await?;

    // The inbox list: a row named "Website API" carrying the API channel icon.
    wait_for(client, "[data-testid=inbox-row]").await?;
    let row = find_inbox_row(client, INBOX_NAME).await?;
    row.find(css(r#"[data-icon="i-woot-api"]"#))
        .await
        .with_context(|| format!("the {INBOX_NAME:?} row has no [data-icon=\"i-woot-api\"]"))?;

    // The sidebar lists it too, with the same icon.
    wait_for(client, "[data-testid=sidebar] [data-testid=sidebar-inbox]").await?;
    let mut seen = Vec::new();
    let mut entry = None;
    for candidate in client
        .find_all(css("[data-testid=sidebar] [data-testid=sidebar-inbox]"))
        .await?
    {
        let text = candidate.text().await?.trim().to_owned();
        if text.contains(INBOX_NAME) {
            entry = Some(candidate);
            break;
        }
        seen.push(text);
    }
    let entry = entry
        .ok_or_else(|| anyhow!("the sidebar does not list {INBOX_NAME:?}; it lists {seen:?}"))?;
    entry
        .find(css(r#"[data-icon="i-woot-api"]"#))
        .await
        .with_context(|| {
            format!("the sidebar entry for {INBOX_NAME:?} has no [data-icon=\"i-woot-api\"]")
        })?;

    // Language: English first (the browser asks for en-US), then Spanish from the switcher.
    wait_for_text(client, "[data-testid=page-title]", en_title).await?;
    wait_for(client, "select[data-testid=language-select]")
        .await?
        .select_by_value("es")
        .await
        .context("choosing es in select[data-testid=language-select]")?;
    wait_for_text(client, "[data-testid=page-title]", es_title).await?;

    // Opened again, the page starts downloading the Spanish messages beside the wasm (index.html's preload),
    // and the app takes that download over rather than fetching them a second time.
    client.refresh().await?;
    wait_for_text(client, "[data-testid=page-title]", es_title).await?;
    let fetched = client
        .execute(
            "return performance.getEntriesByType('resource') \
               .filter(e => e.name.endsWith('/app/i18n/es/main.ftl')).map(e => e.initiatorType);",
            vec![],
        )
        .await?;
    ensure!(
        fetched == json!(["link"]),
        "the Spanish messages were fetched as {fetched} (expected one preload, taken over by the app)"
    );

    // Still the same inbox, still its icon, in Spanish.
    let row = find_inbox_row(client, INBOX_NAME).await?;
    row.find(css(r#"[data-icon="i-woot-api"]"#))
        .await
        .context("the inbox row lost its icon after switching language")?;
    Ok(())
}

const VOICE_NUMBER: &str = "+15551234567";
const TWILIO_ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
const TWILIO_AUTH_TOKEN: &str = "twilio-auth-token";
const TWILIO_API_KEY_SID: &str = "SK0123456789abcdef0123456789abcdef";
const INSTAGRAM_USER_ID: &str = "17841400000000001";
const INSTAGRAM_USERNAME: &str = "acme.shop";

/// Issue 3: an invalid number is refused in the browser (nothing created), the fixed one creates the inbox
/// through the fake Twilio, the wizard moves to the agents step and the sidebar lists the inbox with the phone icon.
async fn the_admin_creates_a_voice_inbox_after_fixing_the_number(
    client: &Client,
    server: &Server,
    account_id: i64,
    token: &str,
) -> Result<()> {
    client
        .goto(&server.url(&format!("/app/accounts/{account_id}/settings/inboxes/new")))
        .await?;
    // Instagram is not configured yet: its tile is disabled, says why and links super admins to the config page.
    // The tile is disabled while the app config loads too: wait for the reason, not just the disabled tile.
    let disabled =
        r#"div[data-testid=channel-option][data-channel="instagram"][aria-disabled="true"]"#;
    wait_for(
        client,
        &format!("{disabled} [data-testid=instagram-not-configured]"),
    )
    .await
    .context("the disabled Instagram tile does not say why")?;
    let instagram = wait_for(client, disabled).await?;
    instagram
        .find(css("[data-testid=instagram-not-configured]"))
        .await
        .context("the disabled Instagram tile does not say why")?;
    let link = instagram
        .find(css("a[data-testid=instagram-configure-link]"))
        .await
        .context("the disabled Instagram tile has no link to the super-admin page")?;
    let href = link.attr("href").await?.unwrap_or_default();
    ensure!(
        href == "/app/super_admin/app_config?config=instagram",
        "instagram-configure-link points to {href:?}"
    );
    wait_for(
        client,
        r#"a[data-testid=channel-option][data-channel="voice"]"#,
    )
    .await?
    .click()
    .await?;
    wait_for_path(
        client,
        &format!("/app/accounts/{account_id}/settings/inboxes/new/voice"),
    )
    .await?;

    fill(client, "[data-testid=voice-phone-number]", "15551234567").await?;
    fill(
        client,
        "[data-testid=voice-account-sid]",
        TWILIO_ACCOUNT_SID,
    )
    .await?;
    fill(client, "[data-testid=voice-auth-token]", TWILIO_AUTH_TOKEN).await?;
    fill(
        client,
        "[data-testid=voice-api-key-sid]",
        TWILIO_API_KEY_SID,
    )
    .await?;
    fill(
        client,
        "[data-testid=voice-api-key-secret]",
        "twilio-key-secret",
    )
    .await?;

    let error = wait_for_non_empty_text(client, "[data-testid=voice-phone-number-error]").await?;
    ensure!(
        error == fluent_message("en", "voice-phone-number-invalid")?,
        "voice-phone-number-error reads {error:?}"
    );
    let submit = wait_for(client, "[data-testid=voice-submit]").await?;
    ensure!(
        !submit.is_enabled().await?,
        "voice-submit is enabled with the number 15551234567"
    );
    // Pressing Enter in the form must not create anything either.
    wait_for(client, "[data-testid=voice-api-key-secret]")
        .await?
        .send_keys("\u{E007}")
        .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let inboxes = list_inboxes(server, account_id, token).await?;
    ensure!(
        inboxes.len() == 1,
        "an invalid number still created something: {inboxes:?}"
    );

    fill(client, "[data-testid=voice-phone-number]", VOICE_NUMBER).await?;
    wait_for_text(client, "[data-testid=voice-phone-number-error]", "").await?;
    wait_for_enabled(client, "[data-testid=voice-submit]")
        .await?
        .click()
        .await?;

    let inbox_id = wait_for_agents_step(client, account_id).await?;
    let entry = wait_for_sidebar_inbox(client, inbox_id).await?;
    entry
        .find(css(r#"[data-icon="i-ri-phone-fill"]"#))
        .await
        .context(
            "the sidebar entry of the new voice inbox has no [data-icon=\"i-ri-phone-fill\"]",
        )?;

    let inboxes = list_inboxes(server, account_id, token).await?;
    ensure!(
        inboxes.iter().any(|i| i["id"] == inbox_id
            && i["channel_type"] == "Channel::Voice"
            && i["phone_number"] == VOICE_NUMBER),
        "GET …/inboxes has no voice inbox {inbox_id} for {VOICE_NUMBER}: {inboxes:?}"
    );

    // Its settings page sets the language it greets callers in.
    client
        .goto(&server.url(&format!(
            "/app/accounts/{account_id}/settings/inboxes/{inbox_id}"
        )))
        .await?;
    wait_for(client, "select[data-testid=inbox-locale-select]")
        .await?
        .select_by_value("es")
        .await
        .context("choosing es in select[data-testid=inbox-locale-select]")?;
    wait_for_enabled(client, "[data-testid=inbox-settings-save]")
        .await?
        .click()
        .await?;
    wait_for_text(
        client,
        "[data-testid=toast]",
        &fluent_message("en", "inbox-settings-saved")?,
    )
    .await?;
    let locale = list_inboxes(server, account_id, token)
        .await?
        .iter()
        .find(|i| i["id"] == inbox_id)
        .map(|i| i["locale"].clone())
        .unwrap_or_default();
    ensure!(
        locale == "es",
        "the voice inbox's locale after saving Español is {locale}"
    );
    Ok(())
}

/// Issue 4: the super admin stores the Instagram app credentials, the picker's Instagram tile becomes active, the
/// wizard sends the browser through the fake authorize page back to the server's callback, which creates the inbox
/// and lands on the agents step.
async fn the_super_admin_configures_instagram_and_connects_an_account(
    client: &Client,
    server: &Server,
    account_id: i64,
    token: &str,
) -> Result<()> {
    // Through the sidebar link, as a super admin would.
    client
        .goto(&server.url(&format!("/app/accounts/{account_id}/settings/inboxes")))
        .await?;
    wait_for(client, "[data-testid=nav-super-admin]")
        .await?
        .click()
        .await?;
    wait_for_path(client, "/app/super_admin/app_config").await?;

    fill(client, "[data-testid=ig-app-id]", "123456789").await?;
    fill(
        client,
        "[data-testid=ig-app-secret]",
        "instagram-app-secret",
    )
    .await?;
    fill(client, "[data-testid=ig-verify-token]", "my-verify-token").await?;
    for url in [
        "ig-url-webhook",
        "ig-url-redirect",
        "ig-url-deauthorize",
        "ig-url-data-deletion",
    ] {
        let value = wait_for(client, &format!("[data-testid={url}]"))
            .await?
            .prop("value")
            .await?
            .unwrap_or_default();
        ensure!(
            value.starts_with(&server.base_url),
            "[data-testid={url}] shows {value:?}, not a URL under {}",
            server.base_url
        );
    }
    wait_for(client, "[data-testid=ig-save]")
        .await?
        .click()
        .await?;
    wait_for(client, "[data-testid=ig-saved]").await?;
    let secret = wait_for(client, "[data-testid=ig-app-secret]")
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    ensure!(
        secret == "••••",
        "after saving, ig-app-secret shows {secret:?} instead of the mask"
    );

    client
        .goto(&server.url(&format!("/app/accounts/{account_id}/settings/inboxes/new")))
        .await?;
    wait_for(
        client,
        r#"a[data-testid=channel-option][data-channel="instagram"]"#,
    )
    .await?
    .click()
    .await?;
    wait_for_path(
        client,
        &format!("/app/accounts/{account_id}/settings/inboxes/new/instagram"),
    )
    .await?;
    wait_for_enabled(client, "[data-testid=ig-connect]")
        .await?
        .click()
        .await?;

    let inbox_id = wait_for_agents_step(client, account_id).await?;
    let entry = wait_for_sidebar_inbox(client, inbox_id).await?;
    entry
        .find(css(r#"[data-icon="i-woot-instagram"]"#))
        .await
        .context(
            "the sidebar entry of the Instagram inbox has no [data-icon=\"i-woot-instagram\"]",
        )?;
    let name = entry.text().await?.trim().to_owned();
    ensure!(
        name == INSTAGRAM_USERNAME,
        "the Instagram inbox is named {name:?} in the sidebar, expected {INSTAGRAM_USERNAME:?}"
    );

    let inboxes = list_inboxes(server, account_id, token).await?;
    let instagram: Vec<_> = inboxes
        .iter()
        .filter(|i| i["channel_type"] == "Channel::Instagram")
        .collect();
    ensure!(
        instagram.len() == 1
            && instagram[0]["instagram_id"] == INSTAGRAM_USER_ID
            && instagram[0]["id"] == inbox_id,
        "expected exactly one Instagram inbox {inbox_id} for {INSTAGRAM_USER_ID}: {inboxes:?}"
    );

    // Connecting the same Instagram account again re-authorizes that inbox: its settings page, a confirmation,
    // no second inbox.
    client
        .goto(&server.url(&format!(
            "/app/accounts/{account_id}/settings/inboxes/new/instagram"
        )))
        .await?;
    wait_for_enabled(client, "[data-testid=ig-connect]")
        .await?
        .click()
        .await?;
    let settings = format!("/app/accounts/{account_id}/settings/inboxes/{inbox_id}");
    wait_for_path(client, &settings).await?;
    wait_for_text(
        client,
        "[data-testid=toast]",
        &fluent_message("en", "ig-reauthorized")?,
    )
    .await?;
    wait_for_text(
        client,
        "[data-testid=inbox-settings-username]",
        &format!("@{INSTAGRAM_USERNAME}"),
    )
    .await?;
    wait_for(client, "[data-testid=inbox-settings-token-expires] time").await?;
    let query = client.current_url().await?.query().map(str::to_owned);
    ensure!(
        query.is_none(),
        "?reauthorized=1 was left in the address bar: {query:?}"
    );
    let count = list_inboxes(server, account_id, token)
        .await?
        .iter()
        .filter(|i| i["channel_type"] == "Channel::Instagram")
        .count();
    ensure!(
        count == 1,
        "re-authorizing created another inbox ({count} now)"
    );

    // A failure sent back by the server's callback: translated heading, the server's message, clean address.
    client
        .goto(&server.url(&format!(
            "/app/accounts/{account_id}/settings/inboxes/new/instagram?error_type=access_denied&code=200&error_message=The+user+denied+your+request."
        )))
        .await?;
    let error = wait_for_non_empty_text(client, "[data-testid=ig-connect-error]").await?;
    let canceled = fluent_message("en", "ig-error-access-denied")?;
    ensure!(
        error.contains(&canceled) && error.contains("The user denied your request."),
        "ig-connect-error reads {error:?}"
    );
    let query = client.current_url().await?.query().map(str::to_owned);
    ensure!(
        query.is_none(),
        "the error query was left in the address bar: {query:?}"
    );
    Ok(())
}

const IG_CUSTOMER: &str = "1234567890123456";
const IG_CUSTOMER_NAME: &str = "Jane Doe";
/// The app secret the super admin saved above: it signs Meta's webhooks.
const IG_APP_SECRET: &str = "instagram-app-secret";
/// The long-lived token the fake Graph API issued when the account was connected.
const IG_LONG_TOKEN: &str = "IGlong";
const IG_REPLY_MID: &str = "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOmUyZXJlcGx5";

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// POSTs `payload` to `/webhooks/instagram` signed as Meta does: `X-Hub-Signature-256: sha256=hex(HMAC-SHA256)`.
async fn deliver_instagram_webhook(server: &Server, payload: &serde_json::Value) -> Result<()> {
    use hmac::{Hmac, Mac};
    let body = payload.to_string();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(IG_APP_SECRET.as_bytes())
        .map_err(|e| anyhow!("HMAC key: {e}"))?;
    mac.update(body.as_bytes());
    let signature = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    let response = reqwest::Client::new()
        .post(server.url("/webhooks/instagram"))
        .header("content-type", "application/json")
        .header("X-Hub-Signature-256", signature)
        .body(body)
        .send()
        .await
        .context("POST /webhooks/instagram")?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    ensure!(
        status == reqwest::StatusCode::OK,
        "POST /webhooks/instagram answered {status}: {text}"
    );
    Ok(())
}

/// One `messaging` entry for the connected business account, as Meta wraps it.
fn instagram_payload(messaging: serde_json::Value) -> serde_json::Value {
    json!({
        "object": "instagram",
        "entry": [{ "time": now_millis(), "id": INSTAGRAM_USER_ID, "messaging": [messaging] }]
    })
}

/// Issue 6: with the conversation list open, a signed Instagram webhook shows up live; the agent's reply reaches
/// the fake Graph API with the inbox's token and shows as sent, then as read after Meta's `read` event.
async fn an_instagram_message_arrives_live_and_the_reply_is_sent_then_read(
    client: &Client,
    server: &Server,
    instagram: &FakeInstagram,
    account_id: i64,
) -> Result<()> {
    Mock::given(method("GET"))
        .and(path(format!("/v22.0/{IG_CUSTOMER}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "name": IG_CUSTOMER_NAME, "username": "jane.d", "id": IG_CUSTOMER,
            "follower_count": 120, "is_user_follow_business": true,
            "is_business_follow_user": false, "is_verified_user": false
        })))
        .mount(&instagram.graph)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v22.0/{INSTAGRAM_USER_ID}/messages")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "recipient_id": IG_CUSTOMER, "message_id": IG_REPLY_MID
        })))
        .mount(&instagram.graph)
        .await;

    client
        .goto(&server.url(&format!("/app/accounts/{account_id}/conversations")))
        .await?;
    wait_for(
        client,
        "[data-testid=conversations-empty], [data-testid=conversation-list]",
    )
    .await?;

    let question = "Hi! Is the blue jacket still available?";
    let now = now_millis();
    deliver_instagram_webhook(
        server,
        &instagram_payload(json!({
            "sender": { "id": IG_CUSTOMER },
            "recipient": { "id": INSTAGRAM_USER_ID },
            "timestamp": now,
            "message": { "mid": format!("aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOmUyZS1{now}"), "text": question }
        })),
    )
    .await?;

    // Live: no reload between the webhook and the row.
    let row = wait_for_conversation_row(client, IG_CUSTOMER_NAME).await?;
    let preview = row
        .find(css("[data-testid=conversation-preview]"))
        .await?
        .text()
        .await?;
    ensure!(
        preview.contains(question),
        "the new conversation's preview reads {preview:?}"
    );
    row.click().await?;
    wait_for_text(
        client,
        "[data-testid=thread-contact-name]",
        IG_CUSTOMER_NAME,
    )
    .await?;
    wait_for(client, r#"[data-testid=message][data-message-type="0"]"#).await?;

    let answer = "Yes, in every size!";
    let reply_box = wait_for(client, "[data-testid=reply-box]").await?;
    reply_box.send_keys(answer).await?;
    reply_box.send_keys("\u{E007}").await?;

    let outgoing = r#"[data-testid=message][data-message-type="1"] [data-testid=message-status]"#;
    wait_for_attr(client, outgoing, "data-status", "sent").await?;
    let sends = graph_send_requests(instagram).await;
    ensure!(
        sends.len() == 1,
        "the fake Graph API received {} sends, expected 1",
        sends.len()
    );
    let auth = sends[0]
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    ensure!(
        auth == format!("Bearer {IG_LONG_TOKEN}"),
        "the send carried Authorization {auth:?}"
    );
    let body: serde_json::Value =
        serde_json::from_slice(&sends[0].body).context("the send's body is not JSON")?;
    ensure!(
        body["recipient"]["id"] == IG_CUSTOMER && body["message"]["text"] == answer,
        "the fake Graph API received {body}"
    );

    deliver_instagram_webhook(
        server,
        &instagram_payload(json!({
            "sender": { "id": IG_CUSTOMER },
            "recipient": { "id": INSTAGRAM_USER_ID },
            "timestamp": now_millis(),
            "read": { "mid": IG_REPLY_MID }
        })),
    )
    .await?;
    wait_for_attr(client, outgoing, "data-status", "read").await?;
    Ok(())
}

/// A 1×1 PNG, so the browser can show what it sent.
const PIXEL_PNG: [u8; 67] = [
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

/// In the open Instagram thread the agent picks files for a reply: one too large is refused with a message, a
/// second picture is taken out again, and the reply goes out with the one picture left and its text. Instagram
/// gets the picture (by our public link) and the text; the thread shows the picture as the server stored it.
async fn the_agent_attaches_a_picture_to_a_reply(
    client: &Client,
    instagram: &FakeInstagram,
    run: &RunDir,
) -> Result<()> {
    let dir = run.path.join("uploads");
    fs::create_dir_all(&dir)?;
    let (photo, extra, huge) = (
        dir.join("jacket-blue.png"),
        dir.join("jacket-red.png"),
        dir.join("catalogue.mov"),
    );
    fs::write(&photo, PIXEL_PNG)?;
    fs::write(&extra, PIXEL_PNG)?;
    // Sparse: the browser reads only its size before refusing it.
    fs::File::create(&huge)?.set_len(26 * 1024 * 1024)?;
    let sends_before = graph_sends(instagram).await.len();
    // Instagram names each sent message anew (the earlier reply's id is taken).
    Mock::given(method("POST"))
        .and(path(format!("/v22.0/{INSTAGRAM_USER_ID}/messages")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "recipient_id": IG_CUSTOMER, "message_id": "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOmUyZS1waWN0dXJl"
        })))
        .with_priority(1)
        .mount(&instagram.graph)
        .await;

    // A file dragged over the form outlines it, and the outline stays while the pointer crosses the form's own
    // children (each crossing fires `dragleave` on the form); it goes once the pointer leaves the form.
    for (leave_to, outlined) in [
        ("[data-testid=reply-box]", true),
        ("[data-testid=reply-send]", true),
        ("body", false),
    ] {
        let shown = client
            .execute(
                "const form = document.querySelector('[data-testid=reply-form]'); \
                 const init = { bubbles: true, cancelable: true, dataTransfer: new DataTransfer() }; \
                 form.dispatchEvent(new DragEvent('dragover', init)); \
                 form.dispatchEvent(new DragEvent('dragleave', \
                   { ...init, relatedTarget: document.querySelector(arguments[0]) })); \
                 return new Promise(done => requestAnimationFrame(() => requestAnimationFrame( \
                   () => done(form.classList.contains('reply-dragging')))));",
                vec![json!(leave_to)],
            )
            .await?;
        ensure!(
            shown == json!(outlined),
            "after a dragleave towards {leave_to}, the drop outline shown is {shown}, expected {outlined}"
        );
    }

    // A file pasted into the box and one dropped on it are picked too (taken out again here).
    for (event, target, name) in [
        ("paste", "[data-testid=reply-box]", "pasted.png"),
        ("drop", "[data-testid=reply-form]", "dropped.png"),
    ] {
        client
            .execute(
                "const dt = new DataTransfer(); \
                 dt.items.add(new File([new Uint8Array([137, 80, 78, 71])], arguments[2], { type: 'image/png' })); \
                 const init = { bubbles: true, cancelable: true }; \
                 const ev = arguments[0] === 'paste' \
                   ? new ClipboardEvent('paste', { ...init, clipboardData: dt }) \
                   : new DragEvent('drop', { ...init, dataTransfer: dt }); \
                 document.querySelector(arguments[1]).dispatchEvent(ev);",
                vec![json!(event), json!(target), json!(name)],
            )
            .await?;
        wait_for(client, "[data-testid=reply-file]").await?;
        let shown = text_of(client, "[data-testid=reply-file]").await?;
        ensure!(
            shown.contains(name),
            "after a {event}, the picked file reads {shown:?}"
        );
        client
            .find(css("[data-testid=reply-file-remove]"))
            .await?
            .click()
            .await?;
        ensure!(
            client
                .find_all(css("[data-testid=reply-file]"))
                .await?
                .is_empty(),
            "{name} stayed after removing it"
        );
    }

    let input = "[data-testid=reply-file-input]";
    wait_for(client, input)
        .await?
        .send_keys(&huge.display().to_string())
        .await
        .context("picking the large file")?;
    let refused = wait_for(client, "[data-testid=reply-file-error]")
        .await?
        .text()
        .await?;
    ensure!(
        refused.contains("catalogue.mov") && refused.contains("25.0 MB"),
        "the large file was refused with {refused:?}"
    );
    ensure!(
        client
            .find_all(css("[data-testid=reply-file]"))
            .await?
            .is_empty(),
        "the large file was added to the reply"
    );

    // Both pictures at once (WebDriver takes several paths, one per line), then one taken out again.
    client
        .find(css(input))
        .await?
        .send_keys(&format!("{}\n{}", photo.display(), extra.display()))
        .await
        .context("picking two pictures")?;
    wait_for(client, "[data-testid=reply-file]:nth-child(2)").await?;
    let picked = client.find_all(css("[data-testid=reply-file]")).await?;
    ensure!(
        picked.len() == 2,
        "{} files shown as picked, expected 2",
        picked.len()
    );
    picked[1]
        .find(css("[data-testid=reply-file-remove]"))
        .await?
        .click()
        .await?;
    let left = client.find_all(css("[data-testid=reply-file]")).await?;
    ensure!(
        left.len() == 1,
        "{} files left after removing one",
        left.len()
    );
    let name = left[0].text().await?;
    ensure!(
        name.contains("jacket-blue.png"),
        "the file left reads {name:?}"
    );

    let caption = "The blue one, in the light";
    let reply_box = wait_for(client, "[data-testid=reply-box]").await?;
    reply_box.send_keys(caption).await?;
    reply_box.send_keys("\u{E007}").await?;
    ensure!(
        client
            .find_all(css("[data-testid=reply-file]"))
            .await?
            .is_empty(),
        "the picked files stayed in the box after sending"
    );

    let last = "li[data-testid=message]:last-child";
    wait_for_attr(
        client,
        &format!("{last} [data-testid=message-status]"),
        "data-status",
        "sent",
    )
    .await?;
    let shown = client
        .execute(
            "const img = document.querySelector(arguments[0]); \
             return img && img.complete ? [img.naturalWidth, img.getAttribute('src')] : null;",
            vec![json!(format!(
                "{last} [data-testid=attachment][data-file-type=image] img"
            ))],
        )
        .await?;
    ensure!(
        shown[0] == json!(1) && shown[1].as_str().is_some_and(|src| !src.starts_with("blob:")),
        "the sent picture in the thread: {shown} (expected the server's copy, loaded, 1 pixel wide)"
    );

    let sends = graph_sends(instagram).await;
    let new: Vec<&serde_json::Value> = sends[sends_before..].iter().collect();
    ensure!(
        new.len() == 2
            && new[0]["message"]["attachment"]["type"] == "image"
            && new[1]["message"]["text"] == caption,
        "Instagram received {new:?}, expected the picture then the text"
    );
    Ok(())
}

/// Every message send the fake Graph API received, oldest first.
async fn graph_send_requests(instagram: &FakeInstagram) -> Vec<wiremock::Request> {
    instagram
        .graph
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| {
            r.method.as_str() == "POST"
                && r.url.path() == format!("/v22.0/{INSTAGRAM_USER_ID}/messages")
        })
        .collect()
}

/// The bodies of `graph_send_requests`.
async fn graph_sends(instagram: &FakeInstagram) -> Vec<serde_json::Value> {
    graph_send_requests(instagram)
        .await
        .iter()
        .filter_map(|r| serde_json::from_slice(&r.body).ok())
        .collect()
}

const XSS_IMG: &str = "<img src=x onerror=alert(1)>";
const XSS_SCRIPT: &str = "<script>alert(\"xss\")</script>";
const XSS_CUSTOMER: &str = "9876543210987654";

/// Issue 8: markup in an inbox name, a contact name and a message is shown as text on every page that shows
/// them: the text reads exactly as sent, no element was injected, and no alert opened.
async fn markup_in_names_and_messages_is_shown_as_text(
    client: &Client,
    server: &Server,
    instagram: &FakeInstagram,
    account_id: i64,
    token: &str,
) -> Result<()> {
    create_api_inbox(server, account_id, token, XSS_IMG).await?;
    Mock::given(method("GET"))
        .and(path(format!("/v22.0/{XSS_CUSTOMER}")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "name": XSS_SCRIPT, "id": XSS_CUSTOMER })),
        )
        .mount(&instagram.graph)
        .await;
    deliver_instagram_webhook(
        server,
        &instagram_payload(json!({
            "sender": { "id": XSS_CUSTOMER },
            "recipient": { "id": INSTAGRAM_USER_ID },
            "timestamp": now_millis(),
            "message": { "mid": format!("aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOnhzcy{}", now_millis()), "text": XSS_IMG }
        })),
    )
    .await?;

    client
        .goto(&server.url(&format!("/app/accounts/{account_id}/settings/inboxes")))
        .await?;
    find_inbox_row(client, XSS_IMG).await?;
    nothing_was_injected(client, "the inbox list").await?;

    client
        .goto(&server.url(&format!("/app/accounts/{account_id}/conversations")))
        .await?;
    wait_for_conversation_row(client, XSS_SCRIPT)
        .await?
        .click()
        .await?;
    wait_for_text(client, "[data-testid=thread-contact-name]", XSS_SCRIPT).await?;
    wait_for_text(
        client,
        r#"[data-testid=message][data-message-type="0"] .message-content"#,
        XSS_IMG,
    )
    .await?;
    nothing_was_injected(client, "the conversation").await
}

/// No `<img src=x>` or `<script>` from the hostile strings is in the page, and no alert is open.
async fn nothing_was_injected(client: &Client, page: &str) -> Result<()> {
    let injected = client
        .execute(
            "return document.querySelectorAll('img[src=\"x\"]').length
               + Array.from(document.scripts).filter(s => s.textContent.includes('xss')).length;",
            vec![],
        )
        .await
        .with_context(|| format!("inspecting {page} (an alert may be open)"))?;
    ensure!(
        injected == json!(0),
        "{page} has {injected} injected element(s)"
    );
    if let Ok(text) = client.get_alert_text().await {
        bail!("{page} opened an alert: {text:?}");
    }
    Ok(())
}

const CALLER: &str = "+14155550199";
const CALL_SID: &str = "CA0123456789abcdef0123456789abcdef";
const RECORDING_SID: &str = "RE0123456789abcdef0123456789abcdef";

/// POSTs a form to `path` signed as Twilio does with the voice inbox's auth token: base64(HMAC-SHA1(token,
/// public URL + each parameter's name and value, sorted by name)). The public URL is the server's FRONTEND_URL.
async fn deliver_twilio_webhook(
    server: &Server,
    path: &str,
    params: &[(&str, String)],
) -> Result<String> {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let url = server.url(path);
    let mut sorted: Vec<&(&str, String)> = params.iter().collect();
    sorted.sort();
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(TWILIO_AUTH_TOKEN.as_bytes())
        .map_err(|e| anyhow!("HMAC key: {e}"))?;
    mac.update(url.as_bytes());
    for (k, v) in sorted {
        mac.update(k.as_bytes());
        mac.update(v.as_bytes());
    }
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let response = reqwest::Client::new()
        .post(&url)
        .header("X-Twilio-Signature", signature)
        .form(params)
        .send()
        .await
        .with_context(|| format!("POST {path}"))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    ensure!(
        status == reqwest::StatusCode::OK,
        "POST {path} answered {status}: {text}"
    );
    Ok(text)
}

/// Issue 9: a signed inbound call to the voice inbox shows up live as a call card; its voicemail (downloaded from
/// the fake Twilio) appears as a player, and the final status callback adds the duration.
async fn a_voice_call_appears_live_with_its_voicemail(
    client: &Client,
    server: &Server,
    twilio: &FakeTwilio,
    account_id: i64,
) -> Result<()> {
    let recording_path =
        format!("/2010-04-01/Accounts/{TWILIO_ACCOUNT_SID}/Recordings/{RECORDING_SID}");
    let voicemail = fs::read(repo_root().join("backend/tests/fixtures/twilio/voicemail.mp3"))
        .context("reading the voicemail fixture")?;
    Mock::given(method("GET"))
        .and(path(format!("{recording_path}.mp3")))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "audio/mpeg")
                .set_body_bytes(voicemail),
        )
        .mount(&twilio.server)
        .await;

    client
        .goto(&server.url(&format!("/app/accounts/{account_id}/conversations")))
        .await?;
    wait_for(
        client,
        "[data-testid=conversations-empty], [data-testid=conversation-list]",
    )
    .await?;

    let digits = VOICE_NUMBER.trim_start_matches('+');
    let call_with_sid = |sid: &str, status: &str| {
        vec![
            ("AccountSid", TWILIO_ACCOUNT_SID.to_owned()),
            ("ApiVersion", "2010-04-01".to_owned()),
            ("CallSid", sid.to_owned()),
            ("CallStatus", status.to_owned()),
            ("Called", VOICE_NUMBER.to_owned()),
            ("Caller", CALLER.to_owned()),
            ("Direction", "inbound".to_owned()),
            ("From", CALLER.to_owned()),
            ("To", VOICE_NUMBER.to_owned()),
        ]
    };
    let call = |status: &str| call_with_sid(CALL_SID, status);
    let twiml = deliver_twilio_webhook(
        server,
        &format!("/twilio/voice/call/{digits}"),
        &call("ringing"),
    )
    .await?;
    ensure!(
        twiml.contains("<Record"),
        "the call webhook did not answer voicemail TwiML: {twiml}"
    );

    // Live: the row appears, previewed as a call.
    let row = wait_for_conversation_row(client, CALLER).await?;
    let preview = row
        .find(css("[data-testid=conversation-preview]"))
        .await?
        .text()
        .await?;
    let call_preview = fluent_message("en", "conv-preview-call")?;
    ensure!(
        preview.trim() == call_preview,
        "the call's preview reads {preview:?}, expected {call_preview:?}"
    );
    row.click().await?;
    let card = wait_for(client, "[data-testid=call-message]").await?;
    let direction = card
        .find(css("[data-testid=call-direction]"))
        .await?
        .text()
        .await?;
    ensure!(
        direction.contains(CALLER),
        "the call card reads {direction:?}, not the caller {CALLER}"
    );
    wait_for_attr(
        client,
        "[data-testid=call-message] [data-testid=call-status]",
        "data-status",
        "ringing",
    )
    .await?;

    deliver_twilio_webhook(
        server,
        &format!("/twilio/voice/recording/{digits}"),
        &[
            ("AccountSid", TWILIO_ACCOUNT_SID.to_owned()),
            ("CallSid", CALL_SID.to_owned()),
            ("RecordingDuration", "9".to_owned()),
            ("RecordingSid", RECORDING_SID.to_owned()),
            ("RecordingStatus", "completed".to_owned()),
            (
                "RecordingUrl",
                format!("{}{recording_path}", twilio.server.uri()),
            ),
        ],
    )
    .await?;
    // The voicemail player, with a source.
    let src = poll_attr(
        client,
        "[data-testid=call-message] audio[data-testid=call-recording]",
        "src",
        |src| !src.is_empty(),
        "a source",
    )
    .await?;
    // The player's source is served to the signed-in agent as audio.
    let fetched = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0], { credentials: 'include' })
               .then(r => r.arrayBuffer().then(b => done(r.status + ' ' + r.headers.get('content-type') + ' ' + b.byteLength)))
               .catch(e => done('error ' + e));",
            vec![json!(src)],
        )
        .await?;
    let fetched = fetched.as_str().unwrap_or_default().to_owned();
    ensure!(
        fetched.starts_with("200 audio/") && !fetched.ends_with(" 0"),
        "GET {src} from the page answered {fetched:?}"
    );

    let mut completed = call("completed");
    completed.push(("CallDuration", "42".to_owned()));
    deliver_twilio_webhook(
        server,
        &format!("/twilio/voice/status/{digits}"),
        &completed,
    )
    .await?;
    wait_for_attr(
        client,
        "[data-testid=call-message] [data-testid=call-status]",
        "data-status",
        "completed",
    )
    .await?;
    wait_for_text(
        client,
        "[data-testid=call-message] [data-testid=call-duration]",
        "0:42",
    )
    .await?;
    wait_for(
        client,
        "[data-testid=call-message] audio[data-testid=call-recording]",
    )
    .await?;

    // A second call nobody answers and no voicemail: missed, in the thread and in the list.
    let missed_sid = "CA00000000000000000000000000000002";
    deliver_twilio_webhook(
        server,
        &format!("/twilio/voice/call/{digits}"),
        &call_with_sid(missed_sid, "ringing"),
    )
    .await?;
    deliver_twilio_webhook(
        server,
        &format!("/twilio/voice/status/{digits}"),
        &call_with_sid(missed_sid, "no-answer"),
    )
    .await?;
    let missed =
        r#"[data-testid=call-message][data-call-status="missed"] [data-testid=call-status]"#;
    wait_for_text(
        client,
        missed,
        &fluent_message("en", "conv-call-status-missed")?,
    )
    .await?;
    wait_for_text(
        client,
        "[data-testid=conversation-row] [data-testid=conversation-preview]",
        &fluent_message("en", "conv-preview-missed-call")?,
    )
    .await?;
    ensure!(
        client
            .find_all(css("[data-testid=call-message]"))
            .await?
            .len()
            == 2,
        "expected two call cards in the thread"
    );
    Ok(())
}

/// The `[data-testid=conversation-row]` whose `[data-testid=conversation-name]` reads `name`.
async fn wait_for_conversation_row(client: &Client, name: &str) -> Result<Element> {
    let deadline = Instant::now() + UI_TIMEOUT;
    loop {
        let mut names = Vec::new();
        for row in client
            .find_all(css("[data-testid=conversation-row]"))
            .await?
        {
            let Ok(name_element) = row.find(css("[data-testid=conversation-name]")).await else {
                continue;
            };
            let text = name_element
                .text()
                .await
                .unwrap_or_default()
                .trim()
                .to_owned();
            if text == name {
                return Ok(row);
            }
            names.push(text);
        }
        if Instant::now() >= deadline {
            bail!("no conversation row named {name:?} within {UI_TIMEOUT:?}; rows are {names:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls until the first element matching `selector` has `attr` = `expected`.
async fn wait_for_attr(client: &Client, selector: &str, attr: &str, expected: &str) -> Result<()> {
    poll_attr(client, selector, attr, |v| v == expected, expected)
        .await
        .map(|_| ())
}

/// Polls until the `attr` of the first element matching `selector` satisfies `ok`, and returns it. The element
/// is found again on every try: a live update may re-render it between finding it and reading it.
async fn poll_attr(
    client: &Client,
    selector: &str,
    attr: &str,
    ok: impl Fn(&str) -> bool,
    wanted: &str,
) -> Result<String> {
    let deadline = Instant::now() + UI_TIMEOUT;
    loop {
        let seen = match client.find(css(selector)).await {
            Ok(element) => element.attr(attr).await.ok().flatten(),
            Err(_) => None,
        };
        if let Some(value) = seen.as_deref().filter(|v| ok(v)) {
            return Ok(value.to_owned());
        }
        if Instant::now() >= deadline {
            bail!("{selector} has {attr}={seen:?}, expected {wanted} (waited {UI_TIMEOUT:?})");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits for `…/settings/inboxes/new/{inbox_id}/agents` and returns the inbox id.
async fn wait_for_agents_step(client: &Client, account_id: i64) -> Result<i64> {
    let prefix = format!("/app/accounts/{account_id}/settings/inboxes/new/");
    let deadline = Instant::now() + UI_TIMEOUT;
    loop {
        let url = client.current_url().await?;
        let found = url
            .path()
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix("/agents"))
            .and_then(|id| id.parse::<i64>().ok());
        if let Some(id) = found {
            return Ok(id);
        }
        if Instant::now() >= deadline {
            bail!("the browser did not reach {prefix}{{id}}/agents within {UI_TIMEOUT:?}; it is at {url}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The sidebar entry of inbox `inbox_id`.
async fn wait_for_sidebar_inbox(client: &Client, inbox_id: i64) -> Result<Element> {
    wait_for(
        client,
        &format!(
            r#"[data-testid=sidebar] [data-testid=sidebar-inbox][data-inbox-id="{inbox_id}"]"#
        ),
    )
    .await
}

// ------------------------------------------------------------------------------------------ browser helpers

fn css(selector: &str) -> Locator<'_> {
    Locator::Css(selector)
}

/// Polls until `selector` matches, up to [`UI_TIMEOUT`].
async fn wait_for(client: &Client, selector: &str) -> Result<Element> {
    let deadline = Instant::now() + UI_TIMEOUT;
    loop {
        if let Ok(element) = client.find(css(selector)).await {
            return Ok(element);
        }
        if Instant::now() >= deadline {
            let url = client
                .current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default();
            bail!("{selector} did not appear within {UI_TIMEOUT:?} (page: {url})");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The visible text of the first element matching `selector`, trimmed.
async fn text_of(client: &Client, selector: &str) -> Result<String> {
    Ok(wait_for(client, selector)
        .await?
        .text()
        .await?
        .trim()
        .to_owned())
}

/// Polls until the text of `selector` is `expected`, up to [`UI_TIMEOUT`].
async fn wait_for_text(client: &Client, selector: &str, expected: &str) -> Result<()> {
    let deadline = Instant::now() + UI_TIMEOUT;
    loop {
        // The element may be re-rendered between find and text: treat that as "not yet".
        let seen = text_of(client, selector).await.unwrap_or_default();
        if seen == expected {
            return Ok(());
        }
        if Instant::now() >= deadline {
            bail!("{selector} shows {seen:?}, expected {expected:?} (waited {UI_TIMEOUT:?})");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn fill(client: &Client, selector: &str, value: &str) -> Result<()> {
    let input = wait_for(client, selector).await?;
    input.clear().await?;
    input
        .send_keys(value)
        .await
        .with_context(|| format!("typing into {selector}"))?;
    Ok(())
}

/// The `[data-testid=inbox-row]` whose `[data-testid=inbox-name]` reads `name`.
async fn find_inbox_row(client: &Client, name: &str) -> Result<Element> {
    let deadline = Instant::now() + UI_TIMEOUT;
    loop {
        let mut names = Vec::new();
        for row in client.find_all(css("[data-testid=inbox-row]")).await? {
            let Ok(name_element) = row.find(css("[data-testid=inbox-name]")).await else {
                continue;
            };
            let text = name_element
                .text()
                .await
                .unwrap_or_default()
                .trim()
                .to_owned();
            if text == name {
                return Ok(row);
            }
            names.push(text);
        }
        if Instant::now() >= deadline {
            bail!("no [data-testid=inbox-row] with [data-testid=inbox-name] {name:?}; rows are named {names:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls until the page's path is `path`.
async fn wait_for_path(client: &Client, path: &str) -> Result<()> {
    let deadline = Instant::now() + UI_TIMEOUT;
    loop {
        let url = client.current_url().await?;
        if url.path() == path {
            return Ok(());
        }
        if Instant::now() >= deadline {
            bail!("the browser did not reach {path} within {UI_TIMEOUT:?}; it is at {url}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls until `selector` shows some text; returns it.
async fn wait_for_non_empty_text(client: &Client, selector: &str) -> Result<String> {
    let deadline = Instant::now() + UI_TIMEOUT;
    loop {
        let seen = text_of(client, selector).await.unwrap_or_default();
        if !seen.is_empty() {
            return Ok(seen);
        }
        if Instant::now() >= deadline {
            bail!("{selector} stayed empty for {UI_TIMEOUT:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls until `selector` matches an enabled element.
async fn wait_for_enabled(client: &Client, selector: &str) -> Result<Element> {
    let deadline = Instant::now() + UI_TIMEOUT;
    loop {
        let element = wait_for(client, selector).await?;
        if element.is_enabled().await.unwrap_or(false) {
            return Ok(element);
        }
        if Instant::now() >= deadline {
            bail!("{selector} stayed disabled for {UI_TIMEOUT:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Screenshot and page source next to the run's other files; returns a line saying where they are.
async fn save_failure_artifacts(client: &Client, run: &RunDir) -> String {
    run.keep();
    let url = client
        .current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_default();
    if let Ok(png) = client.screenshot().await {
        let _ = fs::write(run.path.join("failure.png"), png);
    }
    if let Ok(html) = client.source().await {
        let _ = fs::write(run.path.join("failure.html"), html);
    }
    format!(
        "browser was at {url}; screenshot and page source in {}",
        run.path.display()
    )
}

// ------------------------------------------------------------------------------------------ API helpers

async fn create_api_inbox(server: &Server, account_id: i64, token: &str, name: &str) -> Result<()> {
    let response = reqwest::Client::new()
        .post(server.url(&format!("/api/v1/accounts/{account_id}/inboxes")))
        .header("api_access_token", token)
        .json(&json!({ "name": name, "channel": { "type": "api" } }))
        .send()
        .await
        .context("POST …/inboxes")?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    ensure!(
        status == reqwest::StatusCode::OK,
        "creating the API inbox answered {status}: {body}"
    );
    Ok(())
}

/// `GET …/inboxes` as the admin: the raw inbox objects.
async fn list_inboxes(
    server: &Server,
    account_id: i64,
    token: &str,
) -> Result<Vec<serde_json::Value>> {
    let response = reqwest::Client::new()
        .get(server.url(&format!("/api/v1/accounts/{account_id}/inboxes")))
        .header("api_access_token", token)
        .send()
        .await
        .context("GET …/inboxes")?;
    let status = response.status();
    let body: serde_json::Value = response.json().await.context("GET …/inboxes body")?;
    ensure!(
        status == reqwest::StatusCode::OK,
        "GET …/inboxes answered {status}: {body}"
    );
    body["payload"]
        .as_array()
        .cloned()
        .ok_or_else(|| anyhow!("GET …/inboxes has no payload array: {body}"))
}

// ------------------------------------------------------------------------------------------ fake providers

/// Twilio's REST API, answering the three provisioning calls of a voice inbox.
struct FakeTwilio {
    server: MockServer,
}

impl FakeTwilio {
    async fn start() -> Self {
        let server = MockServer::start().await;
        let base = format!("/2010-04-01/Accounts/{TWILIO_ACCOUNT_SID}");
        Mock::given(method("GET"))
            .and(path(format!("{base}/IncomingPhoneNumbers.json")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "incoming_phone_numbers": [{ "sid": "PN1", "phone_number": VOICE_NUMBER }]
            })))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(format!("{base}/Applications.json")))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({ "sid": "AP1" })))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(format!("{base}/IncomingPhoneNumbers/PN1.json")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
            .mount(&server)
            .await;
        Self { server }
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        vec![("TWILIO_API_URL", self.server.uri())]
    }
}

/// Instagram's authorize page (which approves at once), its OAuth token endpoint and the Graph API.
struct FakeInstagram {
    oauth: MockServer,
    api: MockServer,
    graph: MockServer,
}

/// The fake authorize page: sends the browser straight back to `redirect_uri` with a code and the same `state`,
/// as Instagram does once the user approves.
struct ApproveAtOnce;

impl Respond for ApproveAtOnce {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let param = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        let (Some(redirect_uri), Some(state)) = (param("redirect_uri"), param("state")) else {
            return ResponseTemplate::new(400)
                .set_body_string("redirect_uri and state are required");
        };
        let Ok(mut location) = reqwest::Url::parse(&redirect_uri) else {
            return ResponseTemplate::new(400).set_body_string("redirect_uri is not a URL");
        };
        location
            .query_pairs_mut()
            .append_pair("code", "CODE123")
            .append_pair("state", &state);
        ResponseTemplate::new(302).insert_header("Location", location.as_str())
    }
}

impl FakeInstagram {
    async fn start() -> Self {
        let (oauth, api, graph) = (
            MockServer::start().await,
            MockServer::start().await,
            MockServer::start().await,
        );
        Mock::given(method("GET"))
            .and(path("/oauth/authorize"))
            .respond_with(ApproveAtOnce)
            .mount(&oauth)
            .await;
        Mock::given(method("POST"))
            .and(path("/oauth/access_token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "data": [{
                    "access_token": "IGshort",
                    "user_id": INSTAGRAM_USER_ID,
                    "permissions": "instagram_business_basic,instagram_business_manage_messages"
                }]
            })))
            .mount(&api)
            .await;
        Mock::given(method("GET"))
            .and(path("/access_token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "access_token": "IGlong", "token_type": "bearer", "expires_in": 5_184_000
            })))
            .mount(&graph)
            .await;
        Mock::given(method("GET"))
            .and(path("/v22.0/me"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "id": "app-scoped-1",
                "user_id": INSTAGRAM_USER_ID,
                "username": INSTAGRAM_USERNAME,
                "name": "Acme"
            })))
            .mount(&graph)
            .await;
        Mock::given(method("POST"))
            .and(path(format!("/v22.0/{INSTAGRAM_USER_ID}/subscribed_apps")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "success": true })))
            .mount(&graph)
            .await;
        Self { oauth, api, graph }
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("INSTAGRAM_OAUTH_URL", self.oauth.uri()),
            ("INSTAGRAM_API_URL", self.api.uri()),
            ("INSTAGRAM_GRAPH_URL", self.graph.uri()),
        ]
    }
}

/// The value of the single-line (or indented multi-line) Fluent message `id` in `i18n/<locale>/*.ftl`,
/// `main.ftl` first.
fn fluent_message(locale: &str, id: &str) -> Result<String> {
    let dir = repo_root().join("i18n").join(locale);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "ftl"))
        .collect();
    files.sort_by_key(|path| (path.file_name() != Some("main.ftl".as_ref()), path.clone()));
    for file in files {
        let source =
            fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
        let mut lines = source.lines();
        while let Some(line) = lines.next() {
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            if key.trim_end() != id || line.starts_with(char::is_whitespace) {
                continue;
            }
            let mut parts = vec![value.trim().to_owned()];
            for continuation in lines.by_ref() {
                if !continuation.starts_with(' ') || continuation.trim().is_empty() {
                    break;
                }
                parts.push(continuation.trim().to_owned());
            }
            let text = parts
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            ensure!(!text.is_empty(), "{id} in {} is empty", file.display());
            return Ok(text);
        }
    }
    bail!("no Fluent message {id} in {}/*.ftl", dir.display())
}

// ------------------------------------------------------------------------------------------ processes

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("e2e/ sits in the repository root")
        .to_path_buf()
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("binding 127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

fn unique_suffix() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{}_{:x}", std::process::id(), nanos)
}

/// `target/e2e/<unique>/`: the SQLite file, logs, the Chromium profile and failure artifacts. Removed after a
/// passing run, kept after a failing one.
struct RunDir {
    path: PathBuf,
    keep: std::sync::atomic::AtomicBool,
}

impl RunDir {
    fn new() -> Result<Self> {
        let path = repo_root().join("target").join("e2e").join(unique_suffix());
        fs::create_dir_all(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(Self {
            path,
            keep: false.into(),
        })
    }

    fn keep(&self) {
        self.keep.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    fn remove(self) {
        if !self.keep.load(std::sync::atomic::Ordering::SeqCst) {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

enum TestDatabase {
    Sqlite {
        url: String,
    },
    Postgres {
        url: String,
        admin_url: String,
        name: String,
    },
}

impl TestDatabase {
    fn create(run: &RunDir) -> Result<Self> {
        match std::env::var("TEST_DATABASE").as_deref() {
            Err(_) | Ok("") | Ok("sqlite") => Ok(Self::Sqlite {
                url: format!("sqlite://{}/e2e.db?mode=rwc", run.path.display()),
            }),
            Ok("postgres") => {
                let admin_url = std::env::var("TEST_POSTGRES_URL")
                    .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
                let base = admin_url
                    .rsplit_once('/')
                    .map(|(base, _)| base.to_owned())
                    .ok_or_else(|| anyhow!("TEST_POSTGRES_URL {admin_url:?} names no database"))?;
                let name = format!("t_e2e_{}", unique_suffix());
                psql(&admin_url, &format!("CREATE DATABASE {name}"))?;
                Ok(Self::Postgres {
                    url: format!("{base}/{name}"),
                    admin_url,
                    name,
                })
            }
            Ok(other) => bail!("TEST_DATABASE must be sqlite or postgres, not {other:?}"),
        }
    }

    fn url(&self) -> &str {
        match self {
            Self::Sqlite { url } | Self::Postgres { url, .. } => url,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Self::Postgres {
            admin_url, name, ..
        } = self
        {
            if let Err(err) = psql(
                admin_url,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            ) {
                eprintln!("could not drop test database {name}: {err:#}");
            }
        }
    }
}

fn psql(url: &str, sql: &str) -> Result<()> {
    let output = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])
        .output()
        .context("running psql (is postgresql-client installed? `make setup-test`)")?;
    ensure!(
        output.status.success(),
        "psql {sql:?} failed: {}",
        String::from_utf8_lossy(&output.stderr).trim()
    );
    Ok(())
}

/// A running `switchboard serve`; killed on drop.
struct Server {
    child: Child,
    base_url: String,
    bin: PathBuf,
    env: Vec<(&'static str, String)>,
    log: PathBuf,
}

impl Server {
    async fn start(
        run: &RunDir,
        database: &TestDatabase,
        extra_env: Vec<(&'static str, String)>,
    ) -> Result<Self> {
        let root = repo_root();
        let bin = match std::env::var_os("SWITCHBOARD_BIN") {
            Some(bin) => PathBuf::from(bin),
            None => root.join("target").join("debug").join("switchboard"),
        };
        ensure!(
            bin.is_file(),
            "{} is missing: run `cargo build -p backend` (or set SWITCHBOARD_BIN)",
            bin.display()
        );
        let dist = std::env::var_os("SWITCHBOARD_STATIC_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("dist"));
        ensure!(
            dist.join("index.html").is_file(),
            "{} is missing: run `make spa` to build the SPA",
            dist.join("index.html").display()
        );

        let port = free_port()?;
        let base_url = format!("http://127.0.0.1:{port}");
        let mut env = vec![
            ("DATABASE_URL", database.url().to_owned()),
            ("LISTEN_ADDR", format!("127.0.0.1:{port}")),
            ("STATIC_DIR", dist.display().to_string()),
            ("FRONTEND_URL", base_url.clone()),
            ("SECRET_KEY_BASE", SECRET_KEY_BASE.to_owned()),
            // Attachments (call recordings) stay in the run directory, whatever the database.
            (
                "FILE_STORE_DIR",
                run.path.join("files").display().to_string(),
            ),
        ];
        env.extend(extra_env);
        let log = run.path.join("server.log");
        let log_file = fs::File::create(&log)?;
        let child = Command::new(&bin)
            .arg("serve")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log_file.try_clone()?)
            .stderr(log_file)
            .spawn()
            .with_context(|| format!("starting {} serve", bin.display()))?;
        let mut server = Self {
            child,
            base_url,
            bin,
            env,
            log,
        };
        server.wait_until_healthy().await?;
        Ok(server)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    async fn wait_until_healthy(&mut self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(30);
        let health = self.url("/health");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()?;
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "switchboard serve exited with {status} before answering:\n{}",
                    tail(&self.log)
                );
            }
            if let Ok(response) = http.get(&health).send().await {
                if response.status() == reqwest::StatusCode::OK {
                    return Ok(());
                }
            }
            if Instant::now() >= deadline {
                bail!(
                    "GET /health did not answer 200 within 30 s:\n{}",
                    tail(&self.log)
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// `switchboard create-admin` against the same database; it prints one JSON line.
    fn create_admin(&self) -> Result<CreatedAdmin> {
        let output = Command::new(&self.bin)
            .args([
                "create-admin",
                "--email",
                ADMIN_EMAIL,
                "--password",
                ADMIN_PASSWORD,
            ])
            .args([
                "--name",
                "Ada Admin",
                "--account-name",
                "Acme",
                "--super-admin",
            ])
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .output()
            .context("running switchboard create-admin")?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        ensure!(
            output.status.success(),
            "create-admin failed ({}):\n{stdout}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        let line = stdout
            .lines()
            .rev()
            .find(|line| line.trim_start().starts_with('{'))
            .ok_or_else(|| anyhow!("create-admin printed no JSON line:\n{stdout}"))?;
        serde_json::from_str(line).with_context(|| format!("create-admin printed {line:?}"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running `chromedriver`; killed on drop (after the session is closed).
struct ChromeDriver {
    child: Child,
    port: u16,
}

impl ChromeDriver {
    fn start(run: &RunDir) -> Result<Self> {
        let program = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".to_owned());
        let port = free_port()?;
        let log = fs::File::create(run.path.join("chromedriver.log"))?;
        let child = Command::new(&program)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {program} (install it with `make setup-test`)"))?;
        let driver = Self { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            ensure!(
                Instant::now() < deadline,
                "chromedriver did not listen on port {port} within 10 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(driver)
    }

    async fn connect(&self, run: &RunDir) -> Result<Client> {
        let profile = run.path.join("chromium-profile");
        fs::create_dir_all(&profile)?;
        let binary = std::env::var("CHROME_BIN").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".to_owned(),
            json!({
                "binary": binary,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-quic",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--no-first-run",
                    "--disable-sync",
                    "--window-size=1280,900",
                    "--lang=en-US",
                    format!("--user-data-dir={}", profile.display()),
                ],
                "prefs": { "intl.accept_languages": "en-US,en" },
            }),
        );
        // chromedriver speaks plain HTTP on loopback: no TLS stack for fantoccini.
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .context("opening a WebDriver session with chromedriver")
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The last lines of a log file, for error messages.
fn tail(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}
