use crate::auth::{rate_limit, require_admin, role_in, AuthUser};
use crate::channels::instagram::connect::{self, CallbackQuery, Outcome};
use crate::channels::instagram::meta;
use crate::error::ApiError;
use crate::global_config;
use crate::state::AppState;
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use shared::dto::{AuthorizationUrl, InstagramStatus};

/// Whether Instagram can be connected (the app is configured); any member may ask.
#[utoipa::path(params(("account_id" = i64, Path)), responses((status = 200, body = InstagramStatus)), security(("api_access_token" = [])))]
#[get("/api/v1/accounts/{account_id}/instagram/status")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id, account_id = *path))]
pub async fn status(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    role_in(&state.db, &auth, path.into_inner()).await?;
    let configured = global_config::instagram(&state).await?.configured();
    Ok(HttpResponse::Ok().json(InstagramStatus { configured }))
}

/// The Instagram consent URL for this account (administrators; rate-limited per user).
#[utoipa::path(params(("account_id" = i64, Path)), responses((status = 200, body = AuthorizationUrl), (status = 422, body = shared::ErrorBody), (status = 429, body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[post("/api/v1/accounts/{account_id}/instagram/authorization")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id, account_id = *path))]
pub async fn authorization(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let account_id = path.into_inner();
    require_admin(&state.db, &auth, account_id).await?;
    let limit = rate_limit::INSTAGRAM_AUTHORIZATION;
    let user = auth.user.id.to_string();
    limit.check(&state.db, &user).await?;
    limit.record(&state.db, &user).await?;
    let url = connect::authorization_url(&state, account_id, auth.user.id).await?;
    Ok(HttpResponse::Ok().json(AuthorizationUrl { success: true, url }))
}

/// Instagram sends the browser here after the consent screen.
#[get("/instagram/callback")]
pub async fn callback(
    state: web::Data<AppState>,
    query: web::Query<CallbackQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(match connect::callback(&state, &query).await? {
        Outcome::Redirect(to) => HttpResponse::Found()
            .insert_header(("Location", to))
            .finish(),
        Outcome::BadRequest(message) => HttpResponse::BadRequest()
            .content_type("text/html; charset=utf-8")
            .body(page("Instagram connection failed", &message)),
    })
}

#[derive(Deserialize)]
pub struct SignedRequestForm {
    signed_request: String,
}

async fn verified_user(state: &AppState, form: &SignedRequestForm) -> Result<String, ApiError> {
    let config = global_config::instagram(state).await?;
    let secret = config.app_secret.as_ref().ok_or_else(|| {
        ApiError::UnprocessableCode(
            "instagram_not_configured",
            "Instagram is not configured".into(),
        )
    })?;
    meta::parse_signed_request(&form.signed_request, secret)
        .as_ref()
        .and_then(meta::user_id)
        .ok_or_else(|| {
            ApiError::UnprocessableCode(
                "invalid_signed_request",
                "the signed_request is not valid".into(),
            )
            .into_bad_request()
        })
}

/// Meta: a user removed the app.
#[post("/instagram/deauthorize")]
#[tracing::instrument(skip_all)]
pub async fn deauthorize(
    state: web::Data<AppState>,
    form: web::Form<SignedRequestForm>,
) -> Result<HttpResponse, ApiError> {
    let user = verified_user(&state, &form).await?;
    meta::deauthorize(&state, &user).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"success": true})))
}

/// Meta: a user asked for their data to be deleted.
#[post("/instagram/data_deletion")]
#[tracing::instrument(skip_all)]
pub async fn data_deletion(
    state: web::Data<AppState>,
    form: web::Form<SignedRequestForm>,
) -> Result<HttpResponse, ApiError> {
    let user = verified_user(&state, &form).await?;
    let code = meta::delete_user_data(&state, &user).await?;
    let url = format!("{}/instagram/deletion/{code}", state.settings.frontend_url);
    Ok(HttpResponse::Ok().json(serde_json::json!({"url": url, "confirmation_code": code})))
}

/// The status page Meta links people to after a deletion request.
#[get("/instagram/deletion/{code}")]
pub async fn deletion_status(state: web::Data<AppState>, path: web::Path<String>) -> HttpResponse {
    match meta::read_receipt(&state, &path) {
        Some(r) => {
            let when = chrono::DateTime::from_timestamp(r.at, 0)
                .map(|d| d.to_rfc2822())
                .unwrap_or_default();
            HttpResponse::Ok().content_type("text/html; charset=utf-8").body(page(
                "Data deletion completed",
                &format!("Your request was received on {when}. The data Switchboard held about your Instagram account has been deleted."),
            ))
        }
        None => HttpResponse::NotFound()
            .content_type("text/html; charset=utf-8")
            .body(page(
                "Unknown request",
                "This confirmation code is not valid.",
            )),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A minimal self-contained page (no scripts, no external assets).
fn page(title: &str, message: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{t}</title></head><body><main><h1>{t}</h1><p>{m}</p><p><a href=\"/app\">Back to Switchboard</a></p></main></body></html>",
        t = escape(title),
        m = escape(message)
    )
}
