//! Incoming calls: Twilio's signed, form-encoded voice webhooks (shapes in tests/fixtures/twilio) against a
//! voice inbox provisioned through the API with a fake Twilio.

use crate::helpers::{spawn_app, TestApp, FRONTEND_URL};
use crate::voice::{
    account_sid, accounts_path, basic, twilio_happy_path, voice_body, AUTH_TOKEN, NUMBER,
};
use crate::webhooks::query;
use base64::Engine;
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{json, Value};
use shared::dto::CreatedAdmin;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, ResponseTemplate};

const DIGITS: &str = "15551234567";
const CALL_SID: &str = "CA0123456789abcdef0123456789abcdef";
const RECORDING_SID: &str = "RE0123456789abcdef0123456789abcdef";
const CALLER: &str = "+14155550199";
const VOICEMAIL: &[u8] = include_bytes!("../fixtures/twilio/voicemail.mp3");

/// An app with a voice inbox on `NUMBER`; returns the admin and the inbox id.
async fn app_with_voice_inbox() -> (TestApp, CreatedAdmin, i64) {
    let app = spawn_app().await;
    let admin = app.admin("admin@example.com", "Acme").await;
    twilio_happy_path(&app).await;
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/accounts/{}/inboxes", admin.account_id.unwrap()),
            &admin.access_token,
            Some(voice_body(NUMBER)),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let inbox = r.body["id"].as_i64().unwrap();
    (app, admin, inbox)
}

/// A recorded Twilio request body with some parameters replaced (or added).
fn fixture(app: &TestApp, name: &str, overrides: &[(&str, &str)]) -> Vec<(String, String)> {
    let raw = std::fs::read(format!(
        "{}/tests/fixtures/twilio/{name}.form",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture");
    let recording_url = recording_url(app);
    let mut params: Vec<(String, String)> = url::form_urlencoded::parse(&raw)
        .map(|(k, v)| {
            let v = match k.as_ref() {
                "AccountSid" => account_sid(),
                "RecordingUrl" => recording_url.clone(),
                _ => v.into_owned(),
            };
            (k.into_owned(), v)
        })
        .collect();
    for (k, v) in overrides {
        match params.iter_mut().find(|(pk, _)| pk == k) {
            Some(p) => p.1 = v.to_string(),
            None => params.push((k.to_string(), v.to_string())),
        }
    }
    params
}

/// Where the fake Twilio keeps the voicemail (Twilio's `RecordingUrl`, without extension).
fn recording_url(app: &TestApp) -> String {
    format!(
        "{}{}",
        app.twilio.uri(),
        accounts_path(&format!("Recordings/{RECORDING_SID}"))
    )
}

/// Twilio's algorithm, written out here on its own: URL, then every name and value sorted by name, HMAC-SHA1
/// with the auth token, base64.
fn twilio_signature(token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted = params.to_vec();
    sorted.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let data = sorted.iter().fold(url.to_owned(), |mut acc, (k, v)| {
        acc.push_str(k);
        acc.push_str(v);
        acc
    });
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(token.as_bytes()).unwrap();
    mac.update(data.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[test]
fn the_test_signer_matches_twilios_documented_example() {
    let params: Vec<(String, String)> = [
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+12349013030"),
        ("Digits", "1234"),
        ("From", "+12349013030"),
        ("To", "+18005551212"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(
        twilio_signature(
            "12345",
            "https://mycompany.com/myapp.php?foo=1&bar=2",
            &params
        ),
        "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    );
}

struct Answer {
    status: u16,
    content_type: String,
    body: String,
}

/// Posts like Twilio: form-encoded, signed with `token` over the public URL.
async fn post_signed(
    app: &TestApp,
    path: &str,
    token: &str,
    params: &[(String, String)],
) -> Answer {
    let signature = twilio_signature(token, &format!("{FRONTEND_URL}{path}"), params);
    post(app, path, Some(&signature), params).await
}

async fn post(
    app: &TestApp,
    path: &str,
    signature: Option<&str>,
    params: &[(String, String)],
) -> Answer {
    let mut req = app
        .client
        .post(format!("{}{path}", app.address))
        .form(params);
    if let Some(s) = signature {
        req = req.header("X-Twilio-Signature", s);
    }
    let resp = req.send().await.expect("request");
    Answer {
        status: resp.status().as_u16(),
        content_type: resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        body: resp.text().await.unwrap_or_default(),
    }
}

fn call_path() -> String {
    format!("/twilio/voice/call/{DIGITS}")
}

fn status_path() -> String {
    format!("/twilio/voice/status/{DIGITS}")
}

fn recording_path() -> String {
    format!("/twilio/voice/recording/{DIGITS}")
}

async fn call_message(app: &TestApp) -> Value {
    let rows = query(
        app,
        &format!("SELECT id, conversation_id, message_type, content, content_attributes, updated_at FROM messages WHERE source_id = '{CALL_SID}'"),
    )
    .await;
    assert_eq!(rows.len(), 1, "one call message: {rows:?}");
    rows[0].clone()
}

fn call_of(message: &Value) -> Value {
    serde_json::from_str::<Value>(message["content_attributes"].as_str().unwrap()).unwrap()["call"]
        .clone()
}

async fn receive_call(app: &TestApp) -> Answer {
    let params = fixture(app, "incoming_call", &[]);
    post_signed(app, &call_path(), AUTH_TOKEN, &params).await
}

async fn send_status(app: &TestApp, status: &str, duration: &str) -> Answer {
    let params = fixture(
        app,
        "call_status",
        &[("CallStatus", status), ("CallDuration", duration)],
    );
    post_signed(app, &status_path(), AUTH_TOKEN, &params).await
}

#[tokio::test]
async fn an_incoming_call_becomes_a_conversation_with_a_call_activity_and_voicemail_twiml() {
    // Arrange
    let (app, _admin, inbox) = app_with_voice_inbox().await;

    // Act
    let answer = receive_call(&app).await;

    // Assert
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer.content_type.starts_with("text/xml"));
    assert!(answer.body.contains(
        r#"<Response><Say language="en-US">Thanks for calling. Please leave a message after the tone.</Say><Record maxLength="120" playBeep="true" recordingStatusCallback="https://switchboard.test/twilio/voice/recording/15551234567" recordingStatusCallbackMethod="POST"/></Response>"#
    ), "{}", answer.body);
    let contacts = query(&app, "SELECT name, phone_number FROM contacts").await;
    assert_eq!(contacts, [json!({"name": CALLER, "phone_number": CALLER})]);
    let links = query(&app, "SELECT inbox_id, source_id FROM contact_inboxes").await;
    assert_eq!(links, [json!({"inbox_id": inbox, "source_id": CALLER})]);
    let conversations = query(&app, "SELECT inbox_id, status FROM conversations").await;
    assert_eq!(
        conversations,
        [json!({"inbox_id": inbox, "status": "open"})]
    );
    let message = call_message(&app).await;
    assert_eq!(message["message_type"], 2);
    assert_eq!(message["content"], format!("Incoming call from {CALLER}"));
    assert_eq!(
        call_of(&message),
        json!({"call_sid": CALL_SID, "direction": "inbound", "status": "ringing", "from": CALLER, "to": NUMBER})
    );
}

#[tokio::test]
async fn a_forged_signature_is_refused_and_nothing_is_stored() {
    let (app, _admin, _inbox) = app_with_voice_inbox().await;
    let params = fixture(&app, "incoming_call", &[]);
    let wrong_token = post_signed(&app, &call_path(), "not-the-auth-token", &params).await;
    let mut tampered = params.clone();
    let signature = twilio_signature(
        AUTH_TOKEN,
        &format!("{FRONTEND_URL}{}", call_path()),
        &params,
    );
    tampered.push(("Digits".into(), "1".into()));
    let altered = post(&app, &call_path(), Some(&signature), &tampered).await;
    // Signed for the status URL, replayed at the call URL.
    let status_signature = twilio_signature(
        AUTH_TOKEN,
        &format!("{FRONTEND_URL}{}", status_path()),
        &params,
    );
    let replayed = post(&app, &call_path(), Some(&status_signature), &params).await;
    let unsigned = post(&app, &call_path(), None, &params).await;

    for answer in [wrong_token, altered, replayed, unsigned] {
        assert_eq!(answer.status, 403, "{}", answer.body);
    }
    assert_eq!(app.count("contacts").await, 0);
    assert_eq!(app.count("conversations").await, 0);
    assert_eq!(app.count("messages").await, 0);
}

#[tokio::test]
async fn a_call_to_an_unknown_number_is_not_found() {
    let (app, _admin, _inbox) = app_with_voice_inbox().await;
    let params = fixture(&app, "incoming_call", &[("To", "+15550000000")]);

    let answer = post_signed(&app, "/twilio/voice/call/15550000000", AUTH_TOKEN, &params).await;

    assert_eq!(answer.status, 404);
    assert_eq!(app.count("messages").await, 0);
}

#[tokio::test]
async fn a_repeated_call_webhook_adds_one_message() {
    let (app, _admin, _inbox) = app_with_voice_inbox().await;

    let first = receive_call(&app).await;
    let second = receive_call(&app).await;

    assert_eq!(first.status, 200);
    assert_eq!(second.status, 200);
    assert_eq!(first.body, second.body);
    assert_eq!(app.count("contacts").await, 1);
    assert_eq!(app.count("conversations").await, 1);
    assert_eq!(app.count("messages").await, 1);
}

#[tokio::test]
async fn the_request_after_recording_hangs_up_instead_of_recording_again() {
    let (app, _admin, _inbox) = app_with_voice_inbox().await;
    receive_call(&app).await;
    let params = fixture(
        &app,
        "incoming_call",
        &[
            ("CallStatus", "in-progress"),
            ("RecordingUrl", "https://api.twilio.com/x"),
            ("RecordingDuration", "9"),
        ],
    );

    let answer = post_signed(&app, &call_path(), AUTH_TOKEN, &params).await;

    assert_eq!(answer.status, 200);
    assert!(answer.body.contains("<Hangup/>"), "{}", answer.body);
    assert!(!answer.body.contains("<Record"));
    assert_eq!(app.count("messages").await, 1);
}

#[tokio::test]
async fn status_callbacks_update_the_call_and_a_call_without_voicemail_is_missed() {
    let (app, _admin, _inbox) = app_with_voice_inbox().await;
    receive_call(&app).await;

    let ringing = send_status(&app, "ringing", "0").await;
    let answered = send_status(&app, "in-progress", "0").await;
    let in_progress = call_of(&call_message(&app).await);
    let completed = send_status(&app, "completed", "14").await;
    let after_completion = call_message(&app).await;
    let repeated = send_status(&app, "completed", "14").await;
    let late_ringing = send_status(&app, "ringing", "0").await;
    let unknown_call = post_signed(
        &app,
        &status_path(),
        AUTH_TOKEN,
        &fixture(&app, "call_status", &[("CallSid", "CAunknown")]),
    )
    .await;
    let forged = post_signed(
        &app,
        &status_path(),
        "wrong",
        &fixture(&app, "call_status", &[("CallStatus", "busy")]),
    )
    .await;

    for answer in [
        &ringing,
        &answered,
        &completed,
        &repeated,
        &late_ringing,
        &unknown_call,
    ] {
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    assert_eq!(forged.status, 403);
    assert_eq!(in_progress["status"], "in-progress");
    assert!(in_progress.get("missed").is_none());
    assert_eq!(
        call_of(&after_completion),
        json!({"call_sid": CALL_SID, "direction": "inbound", "status": "completed", "from": CALLER,
               "to": NUMBER, "duration": 14, "missed": true})
    );
    assert_eq!(
        call_message(&app).await,
        after_completion,
        "repeats change nothing"
    );
    assert_eq!(app.count("messages").await, 1);
}

#[tokio::test]
async fn a_voicemail_is_downloaded_with_the_accounts_credentials_and_attached_to_the_call() {
    // Arrange
    let (app, admin, _inbox) = app_with_voice_inbox().await;
    Mock::given(method("GET"))
        .and(path(accounts_path(&format!(
            "Recordings/{RECORDING_SID}.mp3"
        ))))
        .and(header(
            "authorization",
            basic(&account_sid(), AUTH_TOKEN).as_str(),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "audio/mpeg")
                .set_body_bytes(VOICEMAIL),
        )
        .expect(1)
        .named("recording media")
        .mount(&app.twilio)
        .await;
    receive_call(&app).await;
    send_status(&app, "completed", "21").await;
    let missed_before = call_of(&call_message(&app).await)["missed"].clone();
    let recording = fixture(&app, "recording_status", &[]);

    // Act
    let first = post_signed(&app, &recording_path(), AUTH_TOKEN, &recording).await;
    let again = post_signed(&app, &recording_path(), AUTH_TOKEN, &recording).await;
    let late_status = send_status(&app, "completed", "21").await;

    // Assert
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(again.status, 200);
    assert_eq!(late_status.status, 200);
    assert_eq!(missed_before, true);
    let message = call_message(&app).await;
    let call = call_of(&message);
    assert_eq!(call["recording"], true);
    assert_eq!(call["recording_sid"], RECORDING_SID);
    assert_eq!(call["duration"], 21);
    assert!(call.get("missed").is_none(), "{call}");
    let attachments = query(
        &app,
        "SELECT id, message_id, file_type, external_url, file_key, content_type, byte_size FROM attachments",
    )
    .await;
    assert_eq!(attachments.len(), 1, "{attachments:?}");
    let att = &attachments[0];
    let att_id = att["id"].as_i64().unwrap();
    assert_eq!(att["message_id"], message["id"]);
    assert_eq!(att["file_type"], "audio");
    assert_eq!(att["external_url"], recording_url(&app));
    assert_eq!(att["file_key"], format!("recordings/{att_id}"));
    assert_eq!(att["content_type"], "audio/mpeg");
    assert_eq!(att["byte_size"], VOICEMAIL.len() as i64);
    let stored = app
        .state
        .files
        .get(&format!("recordings/{att_id}"))
        .await
        .unwrap();
    assert_eq!(stored, VOICEMAIL);

    // Agents get our copy, never Twilio's URL.
    let account = admin.account_id.unwrap();
    let conversation = query(&app, "SELECT display_id FROM conversations").await[0]["display_id"]
        .as_i64()
        .unwrap();
    let thread = app
        .api(
            Method::GET,
            &format!("/api/v1/accounts/{account}/conversations/{conversation}/messages"),
            &admin.access_token,
            None,
        )
        .await;
    assert_eq!(thread.status, 200, "{}", thread.body);
    let data_url = thread.body["payload"][0]["attachments"][0]["data_url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        data_url,
        format!("{FRONTEND_URL}/api/v1/accounts/{account}/attachments/{att_id}/file")
    );
    let played = app
        .client
        .get(data_url.replace(FRONTEND_URL, &app.address))
        .header("api_access_token", &admin.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(played.status(), 200);
    assert_eq!(played.bytes().await.unwrap().as_ref(), VOICEMAIL);
}

#[tokio::test]
async fn a_recording_callback_for_an_unknown_call_or_an_unfinished_recording_stores_nothing() {
    let (app, _admin, _inbox) = app_with_voice_inbox().await;
    receive_call(&app).await;

    let unknown_call = post_signed(
        &app,
        &recording_path(),
        AUTH_TOKEN,
        &fixture(&app, "recording_status", &[("CallSid", "CAother")]),
    )
    .await;
    let failed = post_signed(
        &app,
        &recording_path(),
        AUTH_TOKEN,
        &fixture(&app, "recording_status", &[("RecordingStatus", "failed")]),
    )
    .await;
    let forged = post_signed(
        &app,
        &recording_path(),
        "wrong",
        &fixture(&app, "recording_status", &[]),
    )
    .await;

    assert_eq!(unknown_call.status, 200);
    assert_eq!(failed.status, 200);
    assert_eq!(forged.status, 403);
    assert_eq!(app.count("attachments").await, 0);
    let media_requests = app
        .twilio
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path().contains("/Recordings/"))
        .count();
    assert_eq!(media_requests, 0);
}

#[tokio::test]
async fn credentials_are_never_sent_to_a_recording_url_outside_twilio() {
    let (app, _admin, _inbox) = app_with_voice_inbox().await;
    let elsewhere = wiremock::MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(VOICEMAIL))
        .expect(0)
        .mount(&elsewhere)
        .await;
    receive_call(&app).await;
    let url = format!("{}/Recordings/{RECORDING_SID}", elsewhere.uri());
    let recording = fixture(&app, "recording_status", &[("RecordingUrl", &url)]);

    let answer = post_signed(&app, &recording_path(), AUTH_TOKEN, &recording).await;

    assert_eq!(answer.status, 500);
    assert_eq!(app.count("attachments").await, 0);
}

#[tokio::test]
async fn the_greeting_speaks_the_inbox_language() {
    let (app, admin, inbox) = app_with_voice_inbox().await;
    let path_ = format!(
        "/api/v1/accounts/{}/inboxes/{inbox}",
        admin.account_id.unwrap()
    );

    let unknown = app
        .api(
            Method::PATCH,
            &path_,
            &admin.access_token,
            Some(json!({"locale": "fr"})),
        )
        .await;
    let spanish = app
        .api(
            Method::PATCH,
            &path_,
            &admin.access_token,
            Some(json!({"locale": "es"})),
        )
        .await;
    let answer = receive_call(&app).await;

    assert_eq!(unknown.status, 422);
    assert_eq!(unknown.body["attributes"], json!(["locale"]));
    assert_eq!(spanish.status, 200, "{}", spanish.body);
    assert_eq!(spanish.body["locale"], "es");
    assert!(
        answer
            .body
            .contains(r#"<Say language="es-ES">Gracias por llamar."#),
        "{}",
        answer.body
    );
}
