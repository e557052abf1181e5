use crate::accounts;
use crate::auth::{require_admin, role_in, AuthUser};
use crate::error::ApiError;
use crate::json::Json;
use crate::state::AppState;
use actix_web::{delete, get, post, web, HttpResponse};
use shared::dto::{Agent, CreateAgent};

/// The account's agents and administrators (a bare array, as Chatwoot).
#[utoipa::path(params(("account_id" = i64, Path)), responses((status = 200, body = Vec<Agent>), (status = 404, body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[get("/api/v1/accounts/{account_id}/agents")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id, account_id = *path))]
pub async fn list(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let account_id = path.into_inner();
    role_in(&state.db, &auth, account_id).await?;
    Ok(HttpResponse::Ok().json(accounts::agents(&state.db, account_id, None).await?))
}

/// Adds an agent (administrators); an existing user with that email joins the account.
#[utoipa::path(params(("account_id" = i64, Path)), request_body = CreateAgent, responses((status = 200, body = Agent), (status = 422, body = shared::ErrorBody), (status = 403, body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[post("/api/v1/accounts/{account_id}/agents")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id, account_id = *path))]
pub async fn create(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<i64>,
    body: Json<CreateAgent>,
) -> Result<HttpResponse, ApiError> {
    let account_id = path.into_inner();
    let txn = crate::db::begin(&state.db).await?;
    require_admin(&txn, &auth, account_id).await?;
    let agent = accounts::add_agent(&txn, &state.keys, account_id, &body.0).await?;
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(agent))
}

/// Removes a user from the account and its inboxes (administrators).
#[utoipa::path(params(("account_id" = i64, Path), ("user_id" = i64, Path)), responses((status = 200), (status = 404, body = shared::ErrorBody), (status = 422, description = "`cannot_remove_self`: administrators cannot remove themselves", body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[delete("/api/v1/accounts/{account_id}/agents/{user_id}")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id, account_id = path.0))]
pub async fn remove(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (account_id, user_id) = path.into_inner();
    let txn = crate::db::begin(&state.db).await?;
    require_admin(&txn, &auth, account_id).await?;
    accounts::remove_agent(&txn, account_id, auth.user.id, user_id).await?;
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}
