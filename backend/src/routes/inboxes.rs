use crate::auth::{require_admin, role_in, AuthUser};
use crate::error::ApiError;
use crate::inboxes::{self, CREATABLE_TYPES};
use crate::json::{from_value, Json};
use crate::state::AppState;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use shared::dto::{CreateInbox, Inbox, Payload, UpdateInbox};

/// The inboxes the caller may see: all for administrators, their own for agents.
#[utoipa::path(params(("account_id" = i64, Path)), responses((status = 200, body = Payload<Vec<Inbox>>), (status = 404, body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[get("/api/v1/accounts/{account_id}/inboxes")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id, account_id = *path))]
pub async fn list(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let account_id = path.into_inner();
    let role = role_in(&state.db, &auth, account_id).await?;
    let rows = inboxes::visible(&state.db, account_id, auth.user.id, role).await?;
    Ok(HttpResponse::Ok().json(Payload {
        payload: inboxes::to_dtos(&state.db, &state.settings.frontend_url, rows).await?,
    }))
}

/// Creates an inbox and its channel (administrators). `channel.type` picks the kind.
#[utoipa::path(params(("account_id" = i64, Path)), request_body = CreateInbox, responses((status = 200, body = Inbox), (status = 422, body = shared::ErrorBody), (status = 403, body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[post("/api/v1/accounts/{account_id}/inboxes")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id, account_id = *path))]
pub async fn create(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<i64>,
    body: Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let account_id = path.into_inner();
    require_admin(&state.db, &auth, account_id).await?;
    // An unknown kind gets its own code so clients can tell "not supported" from "badly filled in".
    match body.0.pointer("/channel/type").and_then(|t| t.as_str()) {
        Some(t) if !CREATABLE_TYPES.contains(&t) => {
            return Err(ApiError::UnprocessableCode(
                "unsupported_channel_type",
                format!("channel type {t:?} is not supported"),
            ))
        }
        _ => {}
    }
    let req: CreateInbox = from_value(body.0)?;
    let dto = inboxes::create(&state, account_id, &req.name, &req.channel).await?;
    tracing::info!(inbox_id = dto.id, "inbox created");
    Ok(HttpResponse::Ok().json(dto))
}

#[utoipa::path(params(("account_id" = i64, Path), ("inbox_id" = i64, Path)), responses((status = 200, body = Inbox), (status = 404, body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[get("/api/v1/accounts/{account_id}/inboxes/{inbox_id}")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id, account_id = path.0, inbox_id = path.1))]
pub async fn show(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (account_id, inbox_id) = path.into_inner();
    let role = role_in(&state.db, &auth, account_id).await?;
    let inbox = inboxes::find_visible(&state.db, account_id, inbox_id, auth.user.id, role).await?;
    Ok(HttpResponse::Ok()
        .json(inboxes::to_dto(&state.db, &state.settings.frontend_url, inbox).await?))
}

/// Renames an inbox or changes its channel settings (administrators).
#[utoipa::path(params(("account_id" = i64, Path), ("inbox_id" = i64, Path)), request_body = UpdateInbox, responses((status = 200, body = Inbox), (status = 422, body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[patch("/api/v1/accounts/{account_id}/inboxes/{inbox_id}")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id, account_id = path.0, inbox_id = path.1))]
pub async fn update(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<(i64, i64)>,
    body: Json<UpdateInbox>,
) -> Result<HttpResponse, ApiError> {
    let (account_id, inbox_id) = path.into_inner();
    let role = role_in(&state.db, &auth, account_id).await?;
    let inbox = inboxes::find_visible(&state.db, account_id, inbox_id, auth.user.id, role).await?;
    require_admin(&state.db, &auth, account_id).await?;
    Ok(HttpResponse::Ok().json(inboxes::update(&state, inbox, &body.0).await?))
}

/// Deletes an inbox and its channel (administrators).
#[utoipa::path(params(("account_id" = i64, Path), ("inbox_id" = i64, Path)), responses((status = 200), (status = 404, body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[delete("/api/v1/accounts/{account_id}/inboxes/{inbox_id}")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id, account_id = path.0, inbox_id = path.1))]
pub async fn remove(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (account_id, inbox_id) = path.into_inner();
    let role = role_in(&state.db, &auth, account_id).await?;
    let inbox = inboxes::find_visible(&state.db, account_id, inbox_id, auth.user.id, role).await?;
    require_admin(&state.db, &auth, account_id).await?;
    inboxes::delete(&state, inbox).await?;
    tracing::info!("inbox deleted");
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}
