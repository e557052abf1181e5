//! Who is calling: the `api_access_token` header or the session cookie, and what their role allows.

pub mod rate_limit;
pub mod sessions;

use crate::crypto::token_digest;
use crate::db::now;
use crate::entities::{account_user, session, user};
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use shared::dto::Role;

pub const SESSION_COOKIE: &str = "sb_session";
pub const TOKEN_HEADER: &str = "api_access_token";

/// The authenticated user of a request.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user: user::Model,
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let header_token = req
            .headers()
            .get(TOKEN_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let cookie_token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
        let safe_method = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        let has_requested_with = req.headers().contains_key("x-requested-with");
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no app state")))?;
            if let Some(token) = header_token {
                return user_by_access_token(&state.db, &token)
                    .await?
                    .map(|user| AuthUser { user })
                    .ok_or(ApiError::Unauthorized);
            }
            let token = cookie_token.ok_or(ApiError::Unauthorized)?;
            let user = user_by_session(&state.db, &token)
                .await?
                .ok_or(ApiError::Unauthorized)?;
            // A custom header cannot be sent cross-site without CORS, so requiring it stops CSRF on cookie auth.
            if !safe_method && !has_requested_with {
                return Err(ApiError::MissingRequestedWith);
            }
            Ok(AuthUser { user })
        })
    }
}

pub async fn user_by_access_token(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<user::Model>, ApiError> {
    Ok(user::Entity::find()
        .filter(user::Column::AccessTokenDigest.eq(token_digest(token)))
        .one(db)
        .await?)
}

pub async fn user_by_session(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<user::Model>, ApiError> {
    let Some(session) = session::Entity::find()
        .filter(session::Column::TokenDigest.eq(token_digest(token)))
        .filter(session::Column::ExpiresAt.gt(now()))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(user::Entity::find_by_id(session.user_id).one(db).await?)
}

/// The caller's role in an account; 404 when they are not part of it, so account ids leak nothing.
pub async fn role_in(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    account_id: i64,
) -> Result<Role, ApiError> {
    let row = account_user::Entity::find()
        .filter(account_user::Column::AccountId.eq(account_id))
        .filter(account_user::Column::UserId.eq(user.user.id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    Role::parse(&row.role)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("unknown role {:?}", row.role)))
}

/// 403 unless the role is administrator.
pub async fn require_admin(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    account_id: i64,
) -> Result<(), ApiError> {
    match role_in(db, user, account_id).await? {
        Role::Administrator => Ok(()),
        Role::Agent => Err(ApiError::Forbidden),
    }
}
