use crate::accounts::{access_token, session_user};
use crate::auth::AuthUser;
use crate::entities::user;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use sea_orm::EntityTrait;
use shared::dto::Profile;

/// The caller, with the API access token for scripts.
#[utoipa::path(responses((status = 200, body = Profile), (status = 401, body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[get("/api/v1/profile")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id))]
pub async fn show(state: web::Data<AppState>, auth: AuthUser) -> Result<HttpResponse, ApiError> {
    // The caller's lookup reads only what every request needs; the profile shows the rest.
    let user = user::Entity::find_by_id(auth.user.id)
        .one(&state.db)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let s = session_user(&state.db, &user).await?;
    Ok(HttpResponse::Ok().json(Profile {
        id: s.id,
        name: s.name,
        email: s.email,
        account_id: s.account_id,
        accounts: s.accounts,
        super_admin: s.super_admin,
        access_token: access_token(&state.keys, &user)?,
    }))
}
