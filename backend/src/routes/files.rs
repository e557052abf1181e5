use crate::auth::{role_in, AuthUser};
use crate::entities::{attachment, message};
use crate::error::ApiError;
use crate::files::open_signed;
use crate::inboxes;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use sea_orm::EntityTrait;

async fn send_file(
    state: &AppState,
    key: &str,
    content_type: Option<&str>,
) -> Result<HttpResponse, ApiError> {
    let bytes = state.files.get(key).await.map_err(|_| ApiError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(content_type.unwrap_or("application/octet-stream"))
        .insert_header(("Cache-Control", "private, max-age=3600"))
        .insert_header(("Content-Security-Policy", "default-src 'none'; sandbox"))
        .body(bytes))
}

/// An attachment's stored copy, for whoever may see its conversation.
#[utoipa::path(params(("account_id" = i64, Path), ("attachment_id" = i64, Path)), responses((status = 200, description = "the file", content_type = "application/octet-stream"), (status = 404, body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[get("/api/v1/accounts/{account_id}/attachments/{attachment_id}/file")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id, account_id = path.0))]
pub async fn attachment_file(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (account_id, attachment_id) = path.into_inner();
    let role = role_in(&state.db, &auth, account_id).await?;
    let att = attachment::Entity::find_by_id(attachment_id)
        .one(&state.db)
        .await?
        .filter(|a| a.account_id == account_id)
        .ok_or(ApiError::NotFound)?;
    let msg = message::Entity::find_by_id(att.message_id)
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    inboxes::find_visible(&state.db, account_id, msg.inbox_id, auth.user.id, role).await?;
    let key = att.file_key.as_deref().ok_or(ApiError::NotFound)?;
    send_file(&state, key, att.content_type.as_deref()).await
}

/// A signed, expiring public link (how Instagram fetches the files agents send).
#[get("/files/{token}")]
pub async fn public_file(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = open_signed(&state, &path).ok_or(ApiError::NotFound)?;
    let content_type = attachment::Entity::find()
        .filter(<attachment::Column as sea_orm::ColumnTrait>::eq(
            &attachment::Column::FileKey,
            key.clone(),
        ))
        .one(&state.db)
        .await?
        .and_then(|a| a.content_type);
    send_file(&state, &key, content_type.as_deref()).await
}

use sea_orm::QueryFilter;
