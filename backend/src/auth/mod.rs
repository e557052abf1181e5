//! Who is calling: the `api_access_token` header or the session cookie, and what their role allows.

pub mod caller_queue;
mod kept_callers;
pub mod rate_limit;
pub mod sessions;

use crate::crypto::token_digest;
use crate::db::{now, Sql};
use crate::entities::account_user;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryResult};
use shared::dto::Role;

pub const SESSION_COOKIE: &str = "sb_session";
pub const TOKEN_HEADER: &str = "api_access_token";

/// The authenticated user of a request.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user: Caller,
    /// The account named in the path (`{account_id}`), read in the same statement as the user, since nearly
    /// every request is about one account.
    membership: Option<Membership>,
}

/// What requests need of the caller's user row. Every request reads it, so it leaves out the rest (name, email,
/// password hash, sealed token): the profile, the one request that shows them, reads the user itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub id: i64,
    pub super_admin: bool,
}

#[derive(Debug, Clone)]
struct Membership {
    account_id: i64,
    /// The caller's role there, if they are part of it.
    role: Option<String>,
    /// The inboxes they are a member of there, sorted, where the lookup read them (`caller_queue`); `None` when
    /// they are of none or it did not.
    inboxes: Option<std::sync::Arc<[i64]>>,
    /// The account's `account_versions` number when the caller was read: a read cached at this number is still
    /// true (see `read_cache`).
    data_version: i64,
    /// Its `tabs_version`: the conversation list's tab counts kept at this number are still true.
    tabs_version: i64,
}

impl AuthUser {
    /// The user of a caller row (`id` and `super_admin`, and `member_role`, `data_version` and `tabs_version`
    /// when `account_id` is given).
    fn from_row(row: &QueryResult, account_id: Option<i64>) -> Result<Self, DbErr> {
        let membership = match account_id {
            Some(account_id) => Some(Membership {
                account_id,
                role: row.try_get("", "member_role")?,
                inboxes: None,
                data_version: row.try_get::<Option<i64>>("", "data_version")?.unwrap_or(0),
                tabs_version: row.try_get::<Option<i64>>("", "tabs_version")?.unwrap_or(0),
            }),
            None => None,
        };
        Ok(Self {
            user: Caller {
                id: row.try_get("", "id")?,
                super_admin: row.try_get("", "super_admin")?,
            },
            membership,
        })
    }

    /// What was read with the caller about `account_id`, when that is the account in the path.
    fn membership_in(&self, account_id: i64) -> Option<&Membership> {
        self.membership
            .as_ref()
            .filter(|m| m.account_id == account_id)
    }

    /// The data version of `account_id` read with the caller, when that is the account in the path.
    pub fn data_version(&self, account_id: i64) -> Option<i64> {
        self.membership_in(account_id).map(|m| m.data_version)
    }

    /// The caller's inboxes in `account_id` as read with them, when that is the account in the path and the lookup
    /// read them: kept at the credentials version, which every change to `inbox_members` moves.
    pub fn member_inboxes(&self, account_id: i64) -> Option<std::sync::Arc<[i64]>> {
        self.membership_in(account_id)
            .and_then(|m| m.inboxes.clone())
    }

    /// The tabs version of `account_id` read with the caller, when that is the account in the path.
    pub fn tabs_version(&self, account_id: i64) -> Option<i64> {
        self.membership_in(account_id).map(|m| m.tabs_version)
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
            let queued = if caller_queue::enabled() {
                state
                    .callers
                    .lookup(&state.db, &credential, account_id)
                    .await
            } else {
                None
            };
            let found = match queued {
                Some(found) => found?,
                None => caller(&state.db, credential, account_id).await?,
            }
            .ok_or(ApiError::Unauthorized)?;
            // A custom header cannot be sent cross-site without CORS, so requiring it stops CSRF on cookie auth.
            if cookie && !safe_method && !has_requested_with {
                return Err(ApiError::MissingRequestedWith);
            }
            Ok(found)
        })
    }
}

/// The user behind a credential, with their role in `account_id` and that account's data version when one is
/// given: one statement.
async fn caller(
    db: &impl ConnectionTrait,
    credential: Credential,
    account_id: Option<i64>,
) -> Result<Option<AuthUser>, ApiError> {
    let mut q = Sql::new("SELECT u.id, u.super_admin");
    if let Some(account_id) = account_id {
        q.push(
            ", au.role AS member_role, v.version AS data_version, v.tabs_version \
             FROM users u LEFT JOIN account_versions v ON v.account_id = ",
        )
        .bind(account_id)
        .push(" LEFT JOIN account_users au ON au.user_id = u.id AND au.account_id = ")
        .bind(account_id);
    } else {
        q.push(" FROM users u");
    }
    match credential {
        Credential::AccessToken(token) => {
            q.push(" WHERE u.access_token_digest = ")
                .bind(token_digest(&token));
        }
        Credential::Session(token) => {
            q.push(" WHERE u.id IN (SELECT s.user_id FROM sessions s WHERE s.token_digest = ")
                .bind(token_digest(&token))
                .push(" AND s.expires_at > ")
                .bind(now())
                .push(")");
        }
    }
    let Some(row) = q.query_all(db).await?.into_iter().next() else {
        return Ok(None);
    };
    Ok(Some(AuthUser::from_row(&row, account_id)?))
}

/// The caller's role in an account; 404 when they are not part of it, so account ids leak nothing.
pub async fn role_in(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    account_id: i64,
) -> Result<Role, ApiError> {
    let role = match user.membership_in(account_id) {
        Some(m) => m.role.clone(),
        None => account_user::Entity::find()
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
