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
use sea_orm::sea_query::{Expr, ExprTrait, IntoCondition, JoinType, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use shared::dto::Role;

pub const SESSION_COOKIE: &str = "sb_session";
pub const TOKEN_HEADER: &str = "api_access_token";

/// The authenticated user of a request.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user: user::Model,
    /// The account named in the path (`{account_id}`) and the caller's role there, if any: read in the same
    /// statement as the user, since nearly every request is about one account.
    membership: Option<(i64, Option<String>)>,
}

impl AuthUser {
    pub fn new(user: user::Model) -> Self {
        Self {
            user,
            membership: None,
        }
    }
}

/// How the caller proved who they are.
enum Credential {
    AccessToken(String),
    Session(String),
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
        let account_id = req
            .match_info()
            .get("account_id")
            .and_then(|id| id.parse::<i64>().ok());
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no app state")))?;
            let credential = match (header_token, cookie_token) {
                (Some(token), _) => Credential::AccessToken(token),
                (None, Some(token)) => Credential::Session(token),
                (None, None) => return Err(ApiError::Unauthorized),
            };
            let cookie = matches!(credential, Credential::Session(_));
            let found = caller(&state.db, credential, account_id)
                .await?
                .ok_or(ApiError::Unauthorized)?;
            // A custom header cannot be sent cross-site without CORS, so requiring it stops CSRF on cookie auth.
            if cookie && !safe_method && !has_requested_with {
                return Err(ApiError::MissingRequestedWith);
            }
            Ok(found)
        })
    }
}

/// The user behind a credential, with their role in `account_id` when one is given: one statement.
async fn caller(
    db: &impl ConnectionTrait,
    credential: Credential,
    account_id: Option<i64>,
) -> Result<Option<AuthUser>, ApiError> {
    let q = match credential {
        Credential::AccessToken(token) => {
            user::Entity::find().filter(user::Column::AccessTokenDigest.eq(token_digest(&token)))
        }
        Credential::Session(token) => user::Entity::find().filter(
            user::Column::Id.in_subquery(
                Query::select()
                    .column(session::Column::UserId)
                    .from(session::Entity)
                    .and_where(session::Column::TokenDigest.eq(token_digest(&token)))
                    .and_where(session::Column::ExpiresAt.gt(now()))
                    .to_owned(),
            ),
        ),
    };
    let Some(account_id) = account_id else {
        return Ok(q.one(db).await?.map(AuthUser::new));
    };
    let member_of: sea_orm::RelationDef = account_user::Entity::belongs_to(user::Entity)
        .from(account_user::Column::UserId)
        .to(user::Column::Id)
        .into();
    let membership = member_of.rev().on_condition(move |_, right| {
        Expr::col((right, account_user::Column::AccountId))
            .eq(account_id)
            .into_condition()
    });
    Ok(q.join(JoinType::LeftJoin, membership)
        .select_also(account_user::Entity)
        .one(db)
        .await?
        .map(|(user, member)| AuthUser {
            user,
            membership: Some((account_id, member.map(|m| m.role))),
        }))
}

/// The caller's role in an account; 404 when they are not part of it, so account ids leak nothing.
pub async fn role_in(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    account_id: i64,
) -> Result<Role, ApiError> {
    let role = match &user.membership {
        Some((read_for, role)) if *read_for == account_id => role.clone(),
        _ => account_user::Entity::find()
            .filter(account_user::Column::AccountId.eq(account_id))
            .filter(account_user::Column::UserId.eq(user.user.id))
            .one(db)
            .await?
            .map(|m| m.role),
    }
    .ok_or(ApiError::NotFound)?;
    Role::parse(&role).ok_or_else(|| ApiError::Internal(anyhow::anyhow!("unknown role {role:?}")))
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
