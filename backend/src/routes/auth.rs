use crate::accounts::session_user;
use crate::auth::sessions::{self, SESSION_TTL_SECS};
use crate::auth::SESSION_COOKIE;
use crate::error::ApiError;
use crate::json::Json;
use crate::state::AppState;
use actix_web::cookie::{time::Duration, Cookie, SameSite};
use actix_web::{delete, post, web, HttpRequest, HttpResponse};
use shared::dto::{SignInRequest, SignInResponse};

fn session_cookie(value: String, secure: bool, max_age: Duration) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(max_age)
        .finish()
}

/// Signs in with email and password; sets the HttpOnly session cookie the SPA uses.
#[utoipa::path(
    request_body = SignInRequest,
    responses((status = 200, body = SignInResponse), (status = 401, body = shared::ErrorBody), (status = 429, body = shared::ErrorBody))
)]
#[post("/auth/sign_in")]
#[tracing::instrument(skip_all)]
pub async fn sign_in(
    state: web::Data<AppState>,
    body: Json<SignInRequest>,
) -> Result<HttpResponse, ApiError> {
    let (user, token) = sessions::sign_in(&state.db, &body.0.email, &body.0.password).await?;
    tracing::info!(user_id = user.id, "signed in");
    let data = session_user(&state.db, &user).await?;
    let secure = state.settings.frontend_url.starts_with("https://");
    Ok(HttpResponse::Ok()
        .cookie(session_cookie(
            token,
            secure,
            Duration::seconds(SESSION_TTL_SECS),
        ))
        .json(SignInResponse { data }))
}

/// Ends the cookie session (the API token is unaffected).
#[utoipa::path(responses((status = 200)))]
#[delete("/auth/sign_out")]
#[tracing::instrument(skip_all)]
pub async fn sign_out(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    if let Some(cookie) = req.cookie(SESSION_COOKIE) {
        sessions::sign_out(&state.db, cookie.value()).await?;
    }
    let secure = state.settings.frontend_url.starts_with("https://");
    Ok(HttpResponse::Ok()
        .cookie(session_cookie(String::new(), secure, Duration::ZERO))
        .json(serde_json::json!({})))
}
