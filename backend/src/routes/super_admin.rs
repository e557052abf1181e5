use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::global_config;
use crate::json::Json;
use crate::state::AppState;
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use shared::dto::InstagramAppConfig;

#[derive(Deserialize)]
pub struct ConfigQuery {
    config: Option<String>,
}

fn require_super_admin(auth: &AuthUser) -> Result<(), ApiError> {
    if auth.user.super_admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

fn require_instagram(q: &ConfigQuery) -> Result<(), ApiError> {
    match q.config.as_deref() {
        Some("instagram") => Ok(()),
        other => Err(ApiError::UnprocessableCode(
            "unsupported_config",
            format!(
                "unknown config {:?}; supported: instagram",
                other.unwrap_or_default()
            ),
        )),
    }
}

/// Instagram app settings (super admins); secrets masked.
#[utoipa::path(params(("config" = String, Query, example = "instagram")), responses((status = 200, body = InstagramAppConfig), (status = 403, body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[get("/api/v1/super_admin/app_config")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id))]
pub async fn show(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: web::Query<ConfigQuery>,
) -> Result<HttpResponse, ApiError> {
    require_super_admin(&auth)?;
    require_instagram(&q)?;
    Ok(HttpResponse::Ok().json(global_config::instagram_view(&state).await?))
}

/// Sets Instagram app settings (super admins); a missing or masked secret keeps the stored one.
#[utoipa::path(params(("config" = String, Query, example = "instagram")), request_body = shared::dto::InstagramAppConfigUpdate, responses((status = 200, body = InstagramAppConfig), (status = 422, body = shared::ErrorBody), (status = 403, body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[post("/api/v1/super_admin/app_config")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id))]
pub async fn update(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: web::Query<ConfigQuery>,
    body: Json<serde_json::Map<String, serde_json::Value>>,
) -> Result<HttpResponse, ApiError> {
    require_super_admin(&auth)?;
    require_instagram(&q)?;
    let txn = crate::db::begin(&state.db).await?;
    global_config::update_instagram(&txn, &state.keys, &body.0).await?;
    crate::events::config_changed(&txn).await?;
    txn.commit().await?;
    global_config::forget_cached();
    tracing::info!("Instagram app config updated");
    Ok(HttpResponse::Ok().json(global_config::instagram_view(&state).await?))
}

#[derive(Deserialize)]
pub struct JobsQuery {
    state: Option<String>,
}

/// Jobs by state (default `dead`), newest first, for super admins.
#[utoipa::path(params(("state" = Option<String>, Query, description = "pending, running, done, dead (default) or held")), responses((status = 200, body = serde_json::Value), (status = 403, body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[get("/api/v1/super_admin/jobs")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id))]
pub async fn jobs(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: web::Query<JobsQuery>,
) -> Result<HttpResponse, ApiError> {
    require_super_admin(&auth)?;
    let wanted = q.state.as_deref().unwrap_or(crate::jobs::queue::DEAD);
    if !crate::jobs::queue::STATES.contains(&wanted) {
        return Err(ApiError::field(
            "state",
            &format!("must be one of {}", crate::jobs::queue::STATES.join(", ")),
        ));
    }
    let rows = crate::jobs::queue::list(&state.db, wanted, 200).await?;
    let payload: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|j| {
            serde_json::json!({
                "id": j.id, "kind": j.kind, "state": j.state, "attempts": j.attempts, "max_attempts": j.max_attempts,
                "last_error": j.last_error, "run_at": j.run_at, "created_at": j.created_at, "updated_at": j.updated_at,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "payload": payload })))
}

/// Puts a dead job back in the queue (super admins).
#[utoipa::path(params(("id" = i64, Path)), responses((status = 200, body = serde_json::Value), (status = 422, body = shared::ErrorBody), (status = 404, body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[post("/api/v1/super_admin/jobs/{id}/retry")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id))]
pub async fn retry_job(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    require_super_admin(&auth)?;
    let job = crate::jobs::queue::retry(&state.db, path.into_inner()).await?;
    state.wakeup.notify();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "id": job.id, "state": job.state })))
}
