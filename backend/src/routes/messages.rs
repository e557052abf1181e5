use crate::auth::{role_in, AuthUser};
use crate::conversations::replies::{self, NewReply};
use crate::conversations::views::Viewer;
use crate::error::ApiError;
use crate::files::{Upload, MAX_DOWNLOAD_BYTES};
use crate::json::{self, JSON_LIMIT};
use crate::state::AppState;
use actix_multipart::Multipart;
use actix_web::{post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use shared::conversation::MAX_REPLY_FILES;

/// Adds an agent's reply (sent to the channel by a job) or a private note: JSON `{"content","private"}`, or
/// multipart with `content`, `private` and `attachments[]` files, as Chatwoot accepts.
#[utoipa::path(params(("account_id" = i64, Path), ("conversation_id" = i64, Path)), request_body(content = serde_json::Value, description = "JSON {\"content\",\"private\"} or multipart with content, private and attachments[]"), responses((status = 200, body = shared::conversation::Message), (status = 422, body = shared::ErrorBody), (status = 404, body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[post("/api/v1/accounts/{account_id}/conversations/{conversation_id}/messages")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id, account_id = path.0, conversation_id = path.1))]
pub async fn create(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<(i64, i64)>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (account_id, display_id) = path.into_inner();
    let role = role_in(&state.db, &auth, account_id).await?;
    let viewer = Viewer {
        account_id,
        user_id: auth.user.id,
        role,
    };
    let is_multipart = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("multipart/form-data"));
    let (reply, uploads) = if is_multipart {
        read_multipart(&req, payload).await?
    } else {
        (read_json(payload).await?, Vec::new())
    };
    Ok(
        HttpResponse::Ok()
            .json(replies::create(&state, viewer, display_id, &reply, uploads).await?),
    )
}

async fn read_json(mut payload: web::Payload) -> Result<NewReply, ApiError> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::MalformedJson(e.to_string()))?;
        if body.len() + chunk.len() > JSON_LIMIT {
            return Err(ApiError::PayloadTooLarge(JSON_LIMIT));
        }
        body.extend_from_slice(&chunk);
    }
    json::parse(&body)
}

async fn read_multipart(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<(NewReply, Vec<Upload>), ApiError> {
    let mut form = Multipart::new(req.headers(), payload);
    let mut reply = NewReply::default();
    let mut uploads = Vec::new();
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|e| {
            ApiError::BadRequestCode("malformed_multipart", format!("multipart: {e}"))
        })?;
        let name = field.name().unwrap_or_default().to_owned();
        let filename = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_owned);
        let content_type = field.content_type().map(|m| m.essence_str().to_owned());
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| {
                ApiError::BadRequestCode("malformed_multipart", format!("multipart: {e}"))
            })?;
            if bytes.len() + chunk.len() > MAX_DOWNLOAD_BYTES {
                return Err(ApiError::PayloadTooLarge(MAX_DOWNLOAD_BYTES));
            }
            bytes.extend_from_slice(&chunk);
        }
        let upload = matches!(name.as_str(), "attachments[]" | "attachments") && filename.is_some();
        if filename.as_deref().is_some_and(|f| f.contains('\0')) || (!upload && bytes.contains(&0))
        {
            return Err(ApiError::field(&name, json::NUL_MESSAGE));
        }
        match (name.as_str(), filename) {
            ("attachments[]" | "attachments", Some(filename)) => {
                if uploads.len() == MAX_REPLY_FILES {
                    return Err(ApiError::field(
                        "attachments",
                        &format!("at most {MAX_REPLY_FILES} files"),
                    ));
                }
                uploads.push(Upload {
                    filename,
                    content_type: content_type.unwrap_or_else(|| "application/octet-stream".into()),
                    bytes,
                });
            }
            ("content", _) => reply.content = Some(String::from_utf8_lossy(&bytes).into_owned()),
            ("private", _) => {
                reply.private = matches!(String::from_utf8_lossy(&bytes).trim(), "true" | "1")
            }
            ("message_type", _) => {
                reply.message_type = Some(serde_json::Value::String(
                    String::from_utf8_lossy(&bytes).into_owned(),
                ))
            }
            _ => {}
        }
    }
    Ok((reply, uploads))
}

/// Sends a failed reply again.
#[utoipa::path(params(("account_id" = i64, Path), ("conversation_id" = i64, Path), ("message_id" = i64, Path)), responses((status = 200, body = shared::conversation::Message), (status = 422, body = shared::ErrorBody), (status = 404, body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[post("/api/v1/accounts/{account_id}/conversations/{conversation_id}/messages/{message_id}/retry")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id, account_id = path.0, conversation_id = path.1))]
pub async fn retry(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<(i64, i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (account_id, display_id, message_id) = path.into_inner();
    let role = role_in(&state.db, &auth, account_id).await?;
    let viewer = Viewer {
        account_id,
        user_id: auth.user.id,
        role,
    };
    Ok(HttpResponse::Ok().json(replies::retry(&state, viewer, display_id, message_id).await?))
}
