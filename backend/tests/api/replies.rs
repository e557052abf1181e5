//! Replying on Instagram: the window, the send job against a fake Graph API, outcomes and retries.

use crate::helpers::TestApp;
use crate::webhooks::{
    app, app_with, connected, deliver, numbered, profile_ok, query, settle, BUSINESS, CUSTOMER,
};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;
use wiremock::matchers::{body_json, body_partial_json, header, method, path};
use wiremock::{Mock, ResponseTemplate};

const SEND_PATH: &str = "/v22.0/17841400000000001/messages";

/// A connected inbox with one conversation (display id 1) whose customer wrote `hours_ago` hours ago.
async fn conversation(app: &TestApp, hours_ago: i64) -> String {
    connected(app).await;
    profile_ok(app).await;
    deliver(app, &numbered(1)).await;
    settle(app).await;
    let at = backend::db::now() - hours_ago * 3600;
    app.state
        .db
        .execute_unprepared(&format!("UPDATE conversations SET last_incoming_at = {at}"))
        .await
        .unwrap();
    crate::webhooks::connected_admin(app).await.access_token
}

async fn reply(app: &TestApp, token: &str, body: Value) -> crate::helpers::Reply {
    app.api(
        Method::POST,
        "/api/v1/accounts/1/conversations/1/messages",
        token,
        Some(body),
    )
    .await
}

/// The bodies the fake Graph API received on the send endpoint, in order.
async fn sent_bodies(app: &TestApp) -> Vec<Value> {
    app.instagram
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|req| req.url.path() == SEND_PATH)
        .map(|req| serde_json::from_slice(&req.body).unwrap())
        .collect()
}

/// Meta's answer to a send over the rate limit (code 613: try again later).
fn rate_limited() -> ResponseTemplate {
    ResponseTemplate::new(400).set_body_json(json!({"error": {"message": "Calls to this api have exceeded the rate limit.", "type": "OAuthException", "code": 613}}))
}

/// Meta's answer to a send it accepted, as message `mid`.
fn accepted(mid: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"recipient_id": CUSTOMER, "message_id": mid}))
}

/// Instagram answers sends with `response` (only the first `times` when given; later mounts answer the rest).
async fn sends_answer(app: &TestApp, response: ResponseTemplate, times: Option<u64>) {
    let mock = Mock::given(method("POST"))
        .and(path(SEND_PATH))
        .respond_with(response);
    match times {
        Some(n) => mock.up_to_n_times(n),
        None => mock,
    }
    .mount(&app.instagram)
    .await;
}

/// A reply with `text` and one PNG, sent as `multipart/form-data` (`content`, `attachments[]`), as API clients send files.
async fn reply_with_picture(
    app: &TestApp,
    token: &str,
    text: &str,
    png: Vec<u8>,
) -> crate::helpers::Reply {
    let form = reqwest::multipart::Form::new()
        .text("content", text.to_owned())
        .part(
            "attachments[]",
            reqwest::multipart::Part::bytes(png)
                .file_name("chart.png")
                .mime_str("image/png")
                .unwrap(),
        );
    crate::helpers::reply(
        app.client
            .post(format!(
                "{}/api/v1/accounts/1/conversations/1/messages",
                app.address
            ))
            .header("api_access_token", token)
            .multipart(form)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn graph_accepts(app: &TestApp, expected: Value, mid: &str) {
    Mock::given(method("POST"))
        .and(path(SEND_PATH))
        .and(header("authorization", "Bearer IGlong"))
        .and(body_json(expected))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"recipient_id": CUSTOMER, "message_id": mid})),
        )
        .expect(1)
        .named("send")
        .mount(&app.instagram)
        .await;
}

async fn outgoing(app: &TestApp) -> Vec<Value> {
    query(app, "SELECT status, source_id, private, content, content_attributes FROM messages WHERE message_type = 1 ORDER BY id").await
}

use sea_orm::ConnectionTrait;

#[tokio::test]
async fn a_reply_inside_the_window_is_sent_and_its_echo_is_not_a_second_message() {
    let app = app().await;
    let token = conversation(&app, 2).await;
    graph_accepts(
        &app,
        json!({"recipient": {"id": CUSTOMER}, "message": {"text": "Yes, in size M"}}),
        "mid-ours-1",
    )
    .await;

    let r = reply(
        &app,
        &token,
        json!({"content": "Yes, in size M", "private": false}),
    )
    .await;
    settle(&app).await;
    let echo = json!({"object": "instagram", "entry": [{"id": BUSINESS, "time": 1, "messaging": [{
        "sender": {"id": BUSINESS}, "recipient": {"id": CUSTOMER}, "timestamp": 1,
        "message": {"mid": "mid-ours-1", "text": "Yes, in size M", "is_echo": true}}]}]});
    deliver(&app, &echo.to_string()).await;
    settle(&app).await;

    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "progress");
    assert_eq!(r.body["message_type"], 1);
    assert_eq!(r.body["sender_type"], "User");
    let out = outgoing(&app).await;
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(out[0]["status"], "sent");
    assert_eq!(out[0]["source_id"], "mid-ours-1");
}

#[tokio::test]
async fn an_echo_arriving_during_the_send_is_matched_not_duplicated() {
    let app = app().await;
    let token = conversation(&app, 1).await;
    Mock::given(method("POST"))
        .and(path(SEND_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_delay(Duration::from_millis(1500))
                .set_body_json(json!({"recipient_id": CUSTOMER, "message_id": "mid-slow"})),
        )
        .expect(1)
        .mount(&app.instagram)
        .await;

    reply(&app, &token, json!({"content": "On its way"})).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let echo = json!({"object": "instagram", "entry": [{"id": BUSINESS, "time": 1, "messaging": [{
        "sender": {"id": BUSINESS}, "recipient": {"id": CUSTOMER}, "timestamp": 1,
        "message": {"mid": "mid-slow", "text": "On its way", "is_echo": true}}]}]});
    deliver(&app, &echo.to_string()).await;
    for _ in 0..100 {
        let done = query(
            &app,
            "SELECT COUNT(*) AS n FROM jobs WHERE state IN ('pending','running')",
        )
        .await[0]["n"]
            == json!(0);
        if done {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let out = outgoing(&app).await;
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(out[0]["source_id"], "mid-slow");
}

#[tokio::test]
async fn private_notes_are_stored_never_sent_and_ignore_the_window() {
    let app = app().await;
    let token = conversation(&app, 24 * 30).await;

    let r = reply(
        &app,
        &token,
        json!({"content": "Customer is a VIP", "private": true}),
    )
    .await;
    settle(&app).await;

    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["private"], true);
    assert_eq!(outgoing(&app).await[0]["status"], "sent");
    assert!(app
        .instagram
        .received_requests()
        .await
        .unwrap()
        .iter()
        .all(|req| req.url.path() != SEND_PATH));
}

#[tokio::test]
async fn outside_the_window_a_reply_is_refused_unless_human_agent_is_on() {
    let app = app().await;
    let token = conversation(&app, 30).await;

    let refused = reply(&app, &token, json!({"content": "Hello?"})).await;
    let stored_after_refusal = outgoing(&app).await.len();
    backend::global_config::set(
        &app.state.db,
        &app.state.keys,
        "ENABLE_INSTAGRAM_CHANNEL_HUMAN_AGENT",
        Some("true"),
    )
    .await
    .unwrap();
    graph_accepts(&app, json!({"recipient": {"id": CUSTOMER}, "message": {"text": "Hello?"}, "messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}), "mid-tag").await;
    let tagged = reply(&app, &token, json!({"content": "Hello?"})).await;
    settle(&app).await;
    app.state
        .db
        .execute_unprepared(&format!(
            "UPDATE conversations SET last_incoming_at = {}",
            backend::db::now() - 8 * 24 * 3600
        ))
        .await
        .unwrap();
    let too_late = reply(&app, &token, json!({"content": "Anyone?"})).await;

    assert_eq!(refused.status, 422);
    assert_eq!(refused.body["error"], "messaging_window_closed");
    assert_eq!(stored_after_refusal, 0);
    assert_eq!(tagged.status, 200, "{}", tagged.body);
    assert_eq!(outgoing(&app).await[0]["status"], "sent");
    assert_eq!(too_late.status, 422);
    assert_eq!(outgoing(&app).await.len(), 1);
}

#[tokio::test]
async fn graph_errors_fail_the_message_with_the_code_and_190_flags_the_inbox() {
    let app = app().await;
    let token = conversation(&app, 1).await;
    sends_answer(&app, ResponseTemplate::new(400).set_body_json(json!({"error": {"message": "This person isn't available right now.", "type": "OAuthException", "code": 551, "error_subcode": 1545041, "fbtrace_id": "x"}})), Some(1)).await;
    sends_answer(&app, ResponseTemplate::new(200).set_body_json(json!({"error": {"message": "Error validating access token", "type": "OAuthException", "code": 190}})), None).await;

    reply(&app, &token, json!({"content": "first"})).await;
    settle(&app).await;
    reply(&app, &token, json!({"content": "second"})).await;
    settle(&app).await;

    let out = outgoing(&app).await;
    assert_eq!(out[0]["status"], "failed");
    let attrs: Value =
        serde_json::from_str(out[0]["content_attributes"].as_str().unwrap()).unwrap();
    assert!(
        attrs["external_error"]
            .as_str()
            .unwrap()
            .starts_with("551 - This person isn't available"),
        "{attrs}"
    );
    assert_eq!(out[1]["status"], "failed");
    let attrs: Value =
        serde_json::from_str(out[1]["content_attributes"].as_str().unwrap()).unwrap();
    assert!(attrs["external_error"]
        .as_str()
        .unwrap()
        .starts_with("190 - "));
    assert_eq!(
        query(
            &app,
            "SELECT COUNT(*) AS n FROM channel_instagram WHERE reauthorization_required = true"
        )
        .await[0]["n"],
        json!(1)
    );
}

#[tokio::test]
async fn a_rate_limited_send_is_retried_and_a_failed_one_can_be_sent_again() {
    let app = app().await;
    let token = conversation(&app, 1).await;
    sends_answer(&app, rate_limited(), Some(1)).await;
    sends_answer(&app, ResponseTemplate::new(400).set_body_json(json!({"error": {"message": "Invalid parameter", "type": "OAuthException", "code": 100}})), Some(1)).await;
    sends_answer(&app, accepted("mid-finally"), None).await;

    let r = reply(&app, &token, json!({"content": "Hello"})).await;
    let id = r.body["id"].as_i64().unwrap();
    for _ in 0..100 {
        if outgoing(&app).await[0]["status"] == json!("failed") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let after_two_tries = outgoing(&app).await[0]["status"].clone();
    let retried = app
        .api(
            Method::POST,
            &format!("/api/v1/accounts/1/conversations/1/messages/{id}/retry"),
            &token,
            None,
        )
        .await;
    settle(&app).await;
    let retry_sent = app
        .api(
            Method::POST,
            &format!("/api/v1/accounts/1/conversations/1/messages/{id}/retry"),
            &token,
            None,
        )
        .await;

    assert_eq!(
        after_two_tries, "failed",
        "613 is retried, then 100 fails it"
    );
    assert_eq!(retried.status, 200, "{}", retried.body);
    assert_eq!(retried.body["status"], "progress");
    let out = outgoing(&app).await;
    assert_eq!(out[0]["status"], "sent");
    assert_eq!(out[0]["source_id"], "mid-finally");
    assert_eq!(retry_sent.status, 422);
}

#[tokio::test]
async fn replies_are_validated_and_need_a_visible_conversation() {
    let app = app().await;
    let token = conversation(&app, 1).await;

    let blank = reply(&app, &token, json!({"content": "   "})).await;
    let long = reply(&app, &token, json!({"content": "x".repeat(1001)})).await;
    let unknown = app
        .api(
            Method::POST,
            "/api/v1/accounts/1/conversations/99/messages",
            &token,
            Some(json!({"content": "hi"})),
        )
        .await;
    let outsider = crate::helpers::reply(
        app.client
            .post(format!(
                "{}/api/v1/accounts/1/conversations/1/messages",
                app.address
            ))
            .json(&json!({"content": "hi"}))
            .send()
            .await
            .unwrap(),
    )
    .await;

    assert_eq!(blank.status, 422);
    assert_eq!(blank.body["attributes"], json!(["content"]));
    assert_eq!(long.status, 422);
    assert_eq!(unknown.status, 404);
    assert_eq!(outsider.status, 401);
    assert_eq!(outgoing(&app).await.len(), 0);
}

#[tokio::test]
async fn files_sent_with_a_reply_reach_instagram_through_signed_links_before_the_text() {
    let app = app().await;
    let token = conversation(&app, 1).await;
    Mock::given(method("POST"))
        .and(path(SEND_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"recipient_id": CUSTOMER, "message_id": "mid-file"})),
        )
        .expect(2)
        .mount(&app.instagram)
        .await;
    let png = vec![0x89, b'P', b'N', b'G', 1, 2, 3, 4];

    let r = reply_with_picture(&app, &token, "Here is the size chart", png.clone()).await;
    settle(&app).await;

    assert_eq!(r.status, 200, "{}", r.body);
    let att = &r.body["attachments"][0];
    assert_eq!(att["file_type"], "image");
    let data_url = att["data_url"]
        .as_str()
        .unwrap()
        .replace(crate::helpers::FRONTEND_URL, &app.address);
    let own = app
        .client
        .get(&data_url)
        .header("api_access_token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
    assert_eq!(own.bytes().await.unwrap().to_vec(), png);
    let anonymous = app.client.get(&data_url).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);

    let sends = sent_bodies(&app).await;
    assert_eq!(sends.len(), 2);
    assert_eq!(sends[0]["message"]["attachment"]["type"], "image");
    assert_eq!(sends[1]["message"]["text"], "Here is the size chart");
    let public = sends[0]["message"]["attachment"]["payload"]["url"]
        .as_str()
        .unwrap();
    assert!(
        public.starts_with(&format!("{}/files/", crate::helpers::FRONTEND_URL)),
        "{public}"
    );
    let fetched = app
        .client
        .get(public.replace(crate::helpers::FRONTEND_URL, &app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.status(), 200);
    assert_eq!(fetched.bytes().await.unwrap().to_vec(), png);
    let tampered = app
        .client
        .get(format!(
            "{}x",
            public.replace(crate::helpers::FRONTEND_URL, &app.address)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(tampered.status(), 404);
    assert_eq!(outgoing(&app).await[0]["status"], "sent");
}

#[tokio::test]
async fn a_server_error_is_retried_and_the_reply_is_sent_once() {
    let app = app().await;
    let token = conversation(&app, 1).await;
    sends_answer(
        &app,
        ResponseTemplate::new(503).set_body_string("Service Unavailable"),
        Some(1),
    )
    .await;
    Mock::given(method("POST"))
        .and(path(SEND_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"recipient_id": CUSTOMER, "message_id": "mid-after-503"})),
        )
        .expect(1)
        .mount(&app.instagram)
        .await;

    reply(&app, &token, json!({"content": "Hello again"})).await;
    for _ in 0..100 {
        if outgoing(&app).await[0]["status"] == json!("sent") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let out = outgoing(&app).await;
    assert_eq!(out[0]["status"], "sent");
    assert_eq!(out[0]["source_id"], "mid-after-503");
}

#[tokio::test]
async fn a_send_left_unanswered_is_not_sent_again_and_fails_saying_it_may_have_arrived() {
    let app = app_with(&[("PROVIDER_TIMEOUT_SECS", "1")]).await;
    let token = conversation(&app, 1).await;
    // Instagram takes the message but answers after our timeout: it was delivered, we cannot know it.
    sends_answer(
        &app,
        ResponseTemplate::new(200)
            .set_body_json(json!({"recipient_id": CUSTOMER, "message_id": "mid-late"}))
            .set_delay(Duration::from_secs(3)),
        None,
    )
    .await;

    reply(&app, &token, json!({"content": "Only once, please"})).await;
    for _ in 0..100 {
        if outgoing(&app).await[0]["status"] != json!("progress") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Long enough for a retry's backoff to have sent it again.
    tokio::time::sleep(Duration::from_secs(3)).await;

    let out = outgoing(&app).await;
    assert_eq!(out[0]["status"], "failed");
    let attributes: Value =
        serde_json::from_str(out[0]["content_attributes"].as_str().unwrap()).unwrap();
    let error = attributes["external_error"].as_str().unwrap();
    assert!(error.starts_with("504 - "), "{error}");
    assert!(error.contains("may have delivered it"), "{error}");
    assert_eq!(
        sent_bodies(&app).await.len(),
        1,
        "a send that may have arrived is not repeated"
    );
}

#[tokio::test]
async fn a_reply_tried_again_does_not_send_its_delivered_parts_twice() {
    let app = app().await;
    let token = conversation(&app, 1).await;
    // The picture goes through; the text is rate limited once, then accepted.
    Mock::given(method("POST"))
        .and(path(SEND_PATH))
        .and(body_partial_json(
            json!({"message": {"text": "The chart, as promised"}}),
        ))
        .respond_with(rate_limited())
        .up_to_n_times(1)
        .mount(&app.instagram)
        .await;
    sends_answer(&app, accepted("mid-part"), None).await;

    let r = reply_with_picture(
        &app,
        &token,
        "The chart, as promised",
        vec![0x89, b'P', b'N', b'G', 9],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    for _ in 0..100 {
        if outgoing(&app).await[0]["status"] != json!("progress") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    assert_eq!(outgoing(&app).await[0]["status"], "sent");
    let sends = sent_bodies(&app).await;
    let pictures = sends
        .iter()
        .filter(|b| b["message"]["attachment"].is_object())
        .count();
    let texts = sends
        .iter()
        .filter(|b| b["message"]["text"] == "The chart, as promised")
        .count();
    assert_eq!(
        (pictures, texts),
        (1, 2),
        "the picture once, the text twice (refused, then accepted)"
    );
}

#[tokio::test]
async fn an_agent_outside_the_inbox_cannot_see_or_answer_its_conversations() {
    let app = app().await;
    let _ = conversation(&app, 1).await;
    let admin = crate::webhooks::connected_admin(&app).await;
    let r = app
        .api(Method::POST, "/api/v1/accounts/1/agents", &admin.access_token, Some(json!({"name": "Bob", "email": "bob@example.com", "role": "agent", "password": "password123"})))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let bob = backend::cli::create_admin(
        &app.state,
        "bob@example.com",
        "password123",
        None,
        None,
        false,
    )
    .await
    .unwrap()
    .access_token;

    let answer = reply(&app, &bob, json!({"content": "hi"})).await;
    let read = app
        .api(
            Method::GET,
            "/api/v1/accounts/1/conversations/1/messages",
            &bob,
            None,
        )
        .await;

    assert_eq!(answer.status, 404);
    assert_eq!(read.status, 404);
    assert_eq!(outgoing(&app).await.len(), 0);
}
