//! One typed async function per endpoint. Non-2xx answers become `shared::ErrorBody` (code `network_error` when
//! the server could not be reached or answered something that is not an error body).

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use shared::conversation::{
    AssignConversation, AssigneeType, Conversation, ConversationList, ConversationPage,
    ConversationStatus, Message, MessageList, StatusFilter, ToggleStatus, ToggleStatusResponse,
};
use shared::dto::{
    Agent, AuthorizationUrl, CreateInbox, Inbox, InboxMembersRequest, InstagramAppConfig,
    InstagramStatus, Payload, Profile, SessionUser, SignInRequest, SignInResponse, UpdateInbox,
};
use shared::ErrorBody;

pub type ApiResult<T> = Result<T, ErrorBody>;

/// Sent on every request; the server refuses cookie-authenticated non-GET requests without it (CSRF guard).
const XHR: (&str, &str) = ("X-Requested-With", "XMLHttpRequest");

pub fn network_error(message: impl Into<String>) -> ErrorBody {
    ErrorBody {
        error: "network_error".into(),
        message: message.into(),
        ..Default::default()
    }
}

fn get(url: &str) -> RequestBuilder {
    Request::get(url)
        .header(XHR.0, XHR.1)
        .header("Accept", "application/json")
}

fn with_json(builder: RequestBuilder, body: &impl Serialize) -> ApiResult<Request> {
    builder
        .header(XHR.0, XHR.1)
        .header("Accept", "application/json")
        .json(body)
        .map_err(|e| network_error(e.to_string()))
}

async fn error_of(response: Response) -> ErrorBody {
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    let body = serde_json::from_str::<ErrorBody>(&text).unwrap_or_else(|_| {
        let code = match status {
            401 => "unauthorized",
            403 => "forbidden",
            404 => "not_found",
            429 => "rate_limited",
            _ => "network_error",
        };
        ErrorBody {
            error: code.into(),
            message: format!("HTTP {status}"),
            ..Default::default()
        }
    });
    if status == 401 && body.error != "invalid_credentials" {
        crate::session::signed_out();
    }
    body
}

/// The body of a 2xx answer. Kept apart from `read`, which is generic, so it is compiled once.
async fn body_text(sent: Result<Response, gloo_net::Error>) -> ApiResult<String> {
    let response = sent.map_err(|e| network_error(e.to_string()))?;
    if !response.ok() {
        return Err(error_of(response).await);
    }
    response
        .text()
        .await
        .map_err(|e| network_error(e.to_string()))
}

async fn read<T: DeserializeOwned>(sent: Result<Response, gloo_net::Error>) -> ApiResult<T> {
    let text = body_text(sent).await?;
    serde_json::from_str(&text).map_err(|e| network_error(e.to_string()))
}

async fn read_empty(sent: Result<Response, gloo_net::Error>) -> ApiResult<()> {
    let response = sent.map_err(|e| network_error(e.to_string()))?;
    if !response.ok() {
        return Err(error_of(response).await);
    }
    Ok(())
}

/// `POST /auth/sign_in`.
pub async fn sign_in(email: &str, password: &str) -> ApiResult<SessionUser> {
    let body = SignInRequest {
        email: email.to_owned(),
        password: password.to_owned(),
    };
    let request = with_json(Request::post("/auth/sign_in"), &body)?;
    read::<SignInResponse>(request.send().await)
        .await
        .map(|r| r.data)
}

/// `DELETE /auth/sign_out`.
pub async fn sign_out() -> ApiResult<()> {
    read_empty(
        Request::delete("/auth/sign_out")
            .header(XHR.0, XHR.1)
            .send()
            .await,
    )
    .await
}

/// `GET /api/v1/profile` (401 when not signed in).
pub async fn profile() -> ApiResult<Profile> {
    read(get("/api/v1/profile").send().await).await
}

/// `GET /api/v1/accounts/{account_id}/inboxes`.
pub async fn list_inboxes(account_id: i64) -> ApiResult<Vec<Inbox>> {
    let url = format!("/api/v1/accounts/{account_id}/inboxes");
    read::<Payload<Vec<Inbox>>>(get(&url).send().await)
        .await
        .map(|p| p.payload)
}

/// `GET /api/v1/accounts/{account_id}/inboxes/{inbox_id}`.
pub async fn get_inbox(account_id: i64, inbox_id: i64) -> ApiResult<Inbox> {
    let url = format!("/api/v1/accounts/{account_id}/inboxes/{inbox_id}");
    read(get(&url).send().await).await
}

/// `PATCH /api/v1/accounts/{account_id}/inboxes/{inbox_id}`.
pub async fn update_inbox(
    account_id: i64,
    inbox_id: i64,
    update: &UpdateInbox,
) -> ApiResult<Inbox> {
    let url = format!("/api/v1/accounts/{account_id}/inboxes/{inbox_id}");
    let request = with_json(Request::patch(&url), update)?;
    read(request.send().await).await
}

/// `POST /api/v1/accounts/{account_id}/inboxes`.
pub async fn create_inbox(account_id: i64, body: &CreateInbox) -> ApiResult<Inbox> {
    let url = format!("/api/v1/accounts/{account_id}/inboxes");
    let request = with_json(Request::post(&url), body)?;
    read(request.send().await).await
}

/// `GET /api/v1/accounts/{account_id}/agents` (a bare array).
pub async fn list_agents(account_id: i64) -> ApiResult<Vec<Agent>> {
    let url = format!("/api/v1/accounts/{account_id}/agents");
    read(get(&url).send().await).await
}

/// `PATCH /api/v1/accounts/{account_id}/inbox_members`: replaces the inbox's members.
pub async fn set_inbox_members(
    account_id: i64,
    inbox_id: i64,
    user_ids: Vec<i64>,
) -> ApiResult<Vec<Agent>> {
    let url = format!("/api/v1/accounts/{account_id}/inbox_members");
    let body = InboxMembersRequest { inbox_id, user_ids };
    let request = with_json(Request::patch(&url), &body)?;
    read::<Payload<Vec<Agent>>>(request.send().await)
        .await
        .map(|p| p.payload)
}

/// `GET /api/v1/super_admin/app_config?config=instagram` (super admins).
pub async fn instagram_app_config() -> ApiResult<InstagramAppConfig> {
    read(
        get("/api/v1/super_admin/app_config?config=instagram")
            .send()
            .await,
    )
    .await
}

/// `POST /api/v1/super_admin/app_config?config=instagram`: the keys to change (secrets sent as the mask are kept).
pub async fn save_instagram_app_config(
    values: &serde_json::Map<String, serde_json::Value>,
) -> ApiResult<InstagramAppConfig> {
    let request = with_json(
        Request::post("/api/v1/super_admin/app_config?config=instagram"),
        values,
    )?;
    read(request.send().await).await
}

/// `GET /api/v1/accounts/{account_id}/instagram/status`.
pub async fn instagram_status(account_id: i64) -> ApiResult<InstagramStatus> {
    let url = format!("/api/v1/accounts/{account_id}/instagram/status");
    read(get(&url).send().await).await
}

/// `POST /api/v1/accounts/{account_id}/instagram/authorization` (administrators): where to send the browser.
pub async fn instagram_authorization(account_id: i64) -> ApiResult<AuthorizationUrl> {
    let url = format!("/api/v1/accounts/{account_id}/instagram/authorization");
    let request = with_json(Request::post(&url), &serde_json::json!({}))?;
    read(request.send().await).await
}

fn conversations_url(account_id: i64) -> String {
    format!("/api/v1/accounts/{account_id}/conversations")
}

fn status_param(status: StatusFilter) -> &'static str {
    match status {
        StatusFilter::Open => "open",
        StatusFilter::Resolved => "resolved",
        StatusFilter::Pending => "pending",
        StatusFilter::All => "all",
    }
}

fn assignee_param(assignee: AssigneeType) -> &'static str {
    match assignee {
        AssigneeType::Me => "me",
        AssigneeType::Unassigned => "unassigned",
        AssigneeType::All => "all",
    }
}

/// `GET /api/v1/accounts/{account_id}/conversations?status=&assignee_type=&page=` (1-based pages of 25).
pub async fn list_conversations(
    account_id: i64,
    status: StatusFilter,
    assignee: AssigneeType,
    page: u64,
) -> ApiResult<ConversationPage> {
    let url = format!(
        "{}?status={}&assignee_type={}&page={page}",
        conversations_url(account_id),
        status_param(status),
        assignee_param(assignee)
    );
    read::<ConversationList>(get(&url).send().await)
        .await
        .map(|l| l.data)
}

/// `GET /api/v1/accounts/{account_id}/conversations/{id}` (`id` is the per-account number).
pub async fn get_conversation(account_id: i64, id: i64) -> ApiResult<Conversation> {
    let url = format!("{}/{id}", conversations_url(account_id));
    read(get(&url).send().await).await
}

/// `GET …/conversations/{id}/messages[?before=<message id>]`: oldest first.
pub async fn list_messages(
    account_id: i64,
    id: i64,
    before: Option<i64>,
) -> ApiResult<MessageList> {
    let mut url = format!("{}/{id}/messages", conversations_url(account_id));
    if let Some(before) = before {
        url.push_str(&format!("?before={before}"));
    }
    read(get(&url).send().await).await
}

/// `POST …/conversations/{id}/toggle_status`: the new status.
pub async fn toggle_status(
    account_id: i64,
    id: i64,
    status: ConversationStatus,
) -> ApiResult<ConversationStatus> {
    let url = format!("{}/{id}/toggle_status", conversations_url(account_id));
    let body = ToggleStatus {
        status: Some(status),
    };
    let request = with_json(Request::post(&url), &body)?;
    read::<ToggleStatusResponse>(request.send().await)
        .await
        .map(|r| r.payload.current_status)
}

/// `POST …/conversations/{id}/assignments` (`None` unassigns).
pub async fn assign_conversation(
    account_id: i64,
    id: i64,
    assignee_id: Option<i64>,
) -> ApiResult<()> {
    let url = format!("{}/{id}/assignments", conversations_url(account_id));
    let request = with_json(Request::post(&url), &AssignConversation { assignee_id })?;
    read_empty(request.send().await).await
}

/// `POST …/conversations/{id}/update_last_seen`: marks it read for the caller.
pub async fn update_last_seen(account_id: i64, id: i64) -> ApiResult<()> {
    let url = format!("{}/{id}/update_last_seen", conversations_url(account_id));
    let request = with_json(Request::post(&url), &serde_json::json!({}))?;
    read_empty(request.send().await).await
}

/// `POST …/conversations/{id}/messages` `{"content","private"}` → the message (status `progress`); 422
/// `messaging_window_closed` when the channel's reply window has closed.
pub async fn send_message(
    account_id: i64,
    id: i64,
    content: &str,
    private: bool,
    files: &[web_sys::File],
) -> ApiResult<Message> {
    let url = format!("{}/{id}/messages", conversations_url(account_id));
    let request = if files.is_empty() {
        let body = serde_json::json!({ "content": content, "private": private });
        with_json(Request::post(&url), &body)?
    } else {
        // Multipart as Chatwoot takes it; the browser writes the boundary into Content-Type itself.
        let form = reply_form(content, private, files)
            .map_err(|_| network_error("the files could not be read"))?;
        Request::post(&url)
            .header(XHR.0, XHR.1)
            .header("Accept", "application/json")
            .body(form)
            .map_err(|e| network_error(e.to_string()))?
    };
    read(request.send().await).await
}

fn reply_form(
    content: &str,
    private: bool,
    files: &[web_sys::File],
) -> Result<web_sys::FormData, wasm_bindgen::JsValue> {
    let form = web_sys::FormData::new()?;
    form.append_with_str("content", content)?;
    form.append_with_str("private", if private { "true" } else { "false" })?;
    for file in files {
        form.append_with_blob_and_filename("attachments[]", file, &file.name())?;
    }
    Ok(form)
}

/// `POST …/conversations/{id}/messages/{message_id}/retry`: re-sends a failed message.
pub async fn retry_message(account_id: i64, id: i64, message_id: i64) -> ApiResult<Message> {
    let url = format!(
        "{}/{id}/messages/{message_id}/retry",
        conversations_url(account_id)
    );
    let request = with_json(Request::post(&url), &serde_json::json!({}))?;
    read(request.send().await).await
}
