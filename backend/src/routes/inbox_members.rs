use crate::auth::{require_admin, role_in, AuthUser};
use crate::error::ApiError;
use crate::inboxes::{find_visible, members};
use crate::json::Json;
use crate::state::AppState;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use sea_orm::DatabaseTransaction;
use shared::dto::{Agent, InboxMembersRequest, Payload};

#[utoipa::path(params(("account_id" = i64, Path), ("inbox_id" = i64, Path)), responses((status = 200, body = Payload<Vec<Agent>>), (status = 404, body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[get("/api/v1/accounts/{account_id}/inbox_members/{inbox_id}")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id, account_id = path.0, inbox_id = path.1))]
pub async fn list(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (account_id, inbox_id) = path.into_inner();
    let role = role_in(&state.db, &auth, account_id).await?;
    find_visible(&state.db, account_id, inbox_id, auth.user.id, role).await?;
    Ok(HttpResponse::Ok().json(Payload {
        payload: members::list(&state.db, account_id, inbox_id).await?,
    }))
}

/// Opens the transaction, checks the caller administers the account and the inbox is theirs.
async fn begin_admin(
    state: &AppState,
    auth: &AuthUser,
    account_id: i64,
    inbox_id: i64,
) -> Result<DatabaseTransaction, ApiError> {
    let txn = crate::db::begin(&state.db).await?;
    let role = role_in(&txn, auth, account_id).await?;
    find_visible(&txn, account_id, inbox_id, auth.user.id, role).await?;
    require_admin(&txn, auth, account_id).await?;
    Ok(txn)
}

async fn respond(
    txn: DatabaseTransaction,
    account_id: i64,
    inbox_id: i64,
) -> Result<HttpResponse, ApiError> {
    let payload = members::list(&txn, account_id, inbox_id).await?;
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(Payload { payload }))
}

/// Adds agents to an inbox (administrators).
#[utoipa::path(params(("account_id" = i64, Path)), request_body = InboxMembersRequest, responses((status = 200, body = Payload<Vec<Agent>>), (status = 422, body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[post("/api/v1/accounts/{account_id}/inbox_members")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id, account_id = *path))]
pub async fn add(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<i64>,
    body: Json<InboxMembersRequest>,
) -> Result<HttpResponse, ApiError> {
    let account_id = path.into_inner();
    let txn = begin_admin(&state, &auth, account_id, body.0.inbox_id).await?;
    members::add(&txn, account_id, body.0.inbox_id, &body.0.user_ids).await?;
    respond(txn, account_id, body.0.inbox_id).await
}

/// Makes the given agents the inbox's only members (administrators).
#[utoipa::path(params(("account_id" = i64, Path)), request_body = InboxMembersRequest, responses((status = 200, body = Payload<Vec<Agent>>), (status = 422, body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[patch("/api/v1/accounts/{account_id}/inbox_members")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id, account_id = *path))]
pub async fn replace(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<i64>,
    body: Json<InboxMembersRequest>,
) -> Result<HttpResponse, ApiError> {
    let account_id = path.into_inner();
    let txn = begin_admin(&state, &auth, account_id, body.0.inbox_id).await?;
    members::replace(&txn, account_id, body.0.inbox_id, &body.0.user_ids).await?;
    respond(txn, account_id, body.0.inbox_id).await
}

/// Removes agents from an inbox (administrators).
#[utoipa::path(params(("account_id" = i64, Path)), request_body = InboxMembersRequest, responses((status = 200, body = Payload<Vec<Agent>>), (status = 422, body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[delete("/api/v1/accounts/{account_id}/inbox_members")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id, account_id = *path))]
pub async fn remove(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<i64>,
    body: Json<InboxMembersRequest>,
) -> Result<HttpResponse, ApiError> {
    let account_id = path.into_inner();
    let txn = begin_admin(&state, &auth, account_id, body.0.inbox_id).await?;
    members::remove(&txn, account_id, body.0.inbox_id, &body.0.user_ids).await?;
    respond(txn, account_id, body.0.inbox_id).await
}
