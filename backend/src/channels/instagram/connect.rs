//! The connect flow's server side: `GET /instagram/callback`. State first (no token exchange for a bad one),
//! then code → short-lived → long-lived token → `/me` → webhook subscription → rows in one transaction.
//! Every failure becomes a redirect back to the wizard with `error_type`, `code` and `error_message`.

use super::errors::IgError;
use super::graph::LongLivedToken;
use super::inbox_of;
use super::oauth::{self, OAuthApp};
use super::state::{consume, OAuthState, StateError};
use crate::auth::sessions::SESSION_TTL_SECS;
use crate::db::now;
use crate::entities::{account_user, channel_instagram, inbox};
use crate::error::ApiError;
use crate::global_config::{self, InstagramConfig};
use crate::state::AppState;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use secrecy::ExposeSecret;
use serde::Deserialize;
use shared::dto::Role;
use shared::ChannelType;

#[derive(Debug, Default, Deserialize)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_reason: Option<String>,
    pub error_description: Option<String>,
}

/// Where the browser goes next, or a plain 400 when the state names no account we can trust.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    Redirect(String),
    BadRequest(String),
}

pub fn redirect_uri(frontend_url: &str) -> String {
    format!("{frontend_url}/instagram/callback")
}

pub fn oauth_app<'a>(state: &'a AppState, config: &'a InstagramConfig) -> Option<OAuthApp<'a>> {
    Some(OAuthApp {
        oauth_url: &state.settings.instagram_oauth_url,
        api_url: &state.settings.instagram_api_url,
        redirect_uri: redirect_uri(&state.settings.frontend_url),
        app_id: config.app_id.as_deref()?,
        app_secret: config.app_secret.as_ref()?,
    })
}

/// `POST …/instagram/authorization`: the consent URL with a fresh signed state.
pub async fn authorization_url(
    state: &AppState,
    account_id: i64,
    user_id: i64,
) -> Result<String, ApiError> {
    let config = global_config::instagram(state).await?;
    let app = oauth_app(state, &config).ok_or_else(not_configured)?;
    let signed = OAuthState::new(account_id, user_id, now()).encode(&state.keys);
    oauth::authorize_url(&app, signed)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("authorize URL: {e}")))
}

fn not_configured() -> ApiError {
    ApiError::UnprocessableCode(
        "instagram_not_configured",
        "Instagram is not configured: a super admin must set the app id and secret".into(),
    )
}

fn error_url(
    frontend_url: &str,
    account_id: i64,
    error_type: &str,
    code: i64,
    message: &str,
) -> String {
    let query = serde_urlencoded_pairs(&[
        ("error_type", error_type),
        ("code", &code.to_string()),
        ("error_message", message),
    ]);
    format!("{frontend_url}/app/accounts/{account_id}/settings/inboxes/new/instagram?{query}")
}

fn serde_urlencoded_pairs(pairs: &[(&str, &str)]) -> String {
    oauth2::url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

enum Connected {
    New(i64),
    Reauthorized(i64),
}

enum ConnectError {
    Instagram(IgError),
    AlreadyConnected,
    Db(ApiError),
}

impl From<ApiError> for ConnectError {
    fn from(e: ApiError) -> Self {
        ConnectError::Db(e)
    }
}

impl From<sea_orm::DbErr> for ConnectError {
    fn from(e: sea_orm::DbErr) -> Self {
        if matches!(
            e.sql_err(),
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
        ) {
            ConnectError::AlreadyConnected
        } else {
            ConnectError::Db(e.into())
        }
    }
}

#[tracing::instrument(skip_all)]
pub async fn callback(state: &AppState, q: &CallbackQuery) -> Result<Outcome, ApiError> {
    let fe = &state.settings.frontend_url;
    let now = now();
    let st = match OAuthState::decode(&state.keys, q.state.as_deref().unwrap_or_default(), now) {
        Ok(st) => st,
        Err(StateError::Expired(st)) => {
            return Ok(Outcome::Redirect(error_url(fe, st.account_id, "state_expired", 400, "The connection attempt expired. Start again.")))
        }
        Err(_) => return Ok(Outcome::BadRequest("The Instagram connection could not be verified: its state parameter is missing or invalid.".into())),
    };
    let fail = |error_type: &str, code: i64, message: &str| {
        Ok(Outcome::Redirect(error_url(
            fe,
            st.account_id,
            error_type,
            code,
            message,
        )))
    };
    if let Err(e) = consume(&state.db, &st, now).await? {
        return fail("state_reused", 400, &format!("{e}."));
    }
    // The user who started the flow must still administer the account.
    let role = account_user::Entity::find()
        .filter(account_user::Column::AccountId.eq(st.account_id))
        .filter(account_user::Column::UserId.eq(st.user_id))
        .one(&state.db)
        .await?
        .and_then(|r| Role::parse(&r.role));
    if role != Some(Role::Administrator) {
        return fail(
            "forbidden",
            403,
            "Only administrators of this account can connect Instagram.",
        );
    }
    if let Some(error) = q.error.as_deref() {
        let message = q
            .error_description
            .as_deref()
            .or(q.error_reason.as_deref())
            .unwrap_or("Authorization was denied");
        tracing::info!(error, "Instagram authorization not granted");
        return fail(error, 400, message);
    }
    let Some(code) = q.code.as_deref().filter(|c| !c.is_empty()) else {
        return fail("missing_code", 400, "Instagram sent no authorization code.");
    };
    let config = global_config::instagram(state).await?;
    let Some(app) = oauth_app(state, &config) else {
        return fail(
            "instagram_not_configured",
            422,
            "Instagram is not configured: a super admin must set the app id and secret.",
        );
    };
    match connect(state, &config, &app, &st, code).await {
        Ok(Connected::New(inbox_id)) => Ok(Outcome::Redirect(format!("{fe}/app/accounts/{}/settings/inboxes/new/{inbox_id}/agents", st.account_id))),
        Ok(Connected::Reauthorized(inbox_id)) => Ok(Outcome::Redirect(format!("{fe}/app/accounts/{}/settings/inboxes/{inbox_id}?reauthorized=1", st.account_id))),
        Err(ConnectError::AlreadyConnected) => fail(
            "account_already_connected",
            409,
            "This Instagram account is already connected to another Switchboard account. Disconnect it there first.",
        ),
        Err(ConnectError::Instagram(e)) => {
            tracing::warn!(error_type = e.error_type(), code = e.code(), error = %e, "Instagram connect failed");
            fail(e.error_type(), e.code(), &e.explain())
        }
        Err(ConnectError::Db(e)) => Err(e),
    }
}

async fn connect(
    state: &AppState,
    config: &InstagramConfig,
    app: &OAuthApp<'_>,
    st: &OAuthState,
    code: &str,
) -> Result<Connected, ConnectError> {
    let short = oauth::exchange_code(app, state.graph.http(), code)
        .await
        .map_err(ConnectError::Instagram)?;
    let LongLivedToken {
        access_token,
        expires_in,
    } = state
        .graph
        .exchange_for_long_lived(app.app_secret, &short)
        .await
        .map_err(ConnectError::Instagram)?;
    let me = state
        .graph
        .me(&config.api_version, &access_token)
        .await
        .map_err(ConnectError::Instagram)?;
    let instagram_id = me.instagram_id();
    let existing = channel_instagram::Entity::find()
        .filter(channel_instagram::Column::InstagramId.eq(&instagram_id))
        .one(&state.db)
        .await?;
    if existing
        .as_ref()
        .is_some_and(|c| c.account_id != st.account_id)
    {
        return Err(ConnectError::AlreadyConnected);
    }
    // Subscribing before any row is written: a refusal leaves nothing behind.
    state
        .graph
        .subscribe(&config.api_version, &instagram_id, &access_token)
        .await
        .map_err(ConnectError::Instagram)?;
    let now = now();
    let sealed = state.keys.seal(access_token.expose_secret());
    let txn = crate::db::begin(&state.db).await?;
    let outcome = match existing {
        Some(channel) => {
            let inbox = inbox_of(&txn, &channel).await?;
            channel_instagram::ActiveModel {
                id: Set(channel.id),
                access_token: Set(sealed),
                expires_at: Set(now + expires_in),
                username: Set(me.username.clone()),
                reauthorization_required: Set(false),
                updated_at: Set(now),
                ..Default::default()
            }
            .update(&txn)
            .await?;
            let inbox = match inbox {
                Some(inbox) => {
                    let mut active: inbox::ActiveModel = inbox.into();
                    active.name = Set(me.username.clone());
                    active.updated_at = Set(now);
                    active.update(&txn).await?
                }
                None => insert_inbox(&txn, st.account_id, &me.username, channel.id, now).await?,
            };
            Connected::Reauthorized(inbox.id)
        }
        None => {
            let channel = channel_instagram::ActiveModel {
                account_id: Set(st.account_id),
                instagram_id: Set(instagram_id.clone()),
                username: Set(me.username.clone()),
                access_token: Set(sealed),
                expires_at: Set(now + expires_in),
                reauthorization_required: Set(false),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            Connected::New(
                insert_inbox(&txn, st.account_id, &me.username, channel.id, now)
                    .await?
                    .id,
            )
        }
    };
    txn.commit().await?;
    if matches!(outcome, Connected::Reauthorized(_)) {
        // Events kept while the inbox needed reauthorization can be applied now.
        let released =
            crate::jobs::queue::release_held(&state.db, &format!("ig:{instagram_id}:")).await?;
        if released > 0 {
            tracing::info!(released, "held Instagram events released");
            state.wakeup.notify();
        }
    }
    tracing::info!(
        account_id = st.account_id,
        instagram_id,
        "Instagram connected"
    );
    Ok(outcome)
}

async fn insert_inbox(
    db: &impl sea_orm::ConnectionTrait,
    account_id: i64,
    name: &str,
    channel_id: i64,
    now: i64,
) -> Result<inbox::Model, sea_orm::DbErr> {
    inbox::ActiveModel {
        account_id: Set(account_id),
        name: Set(name.to_owned()),
        channel_type: Set(ChannelType::Instagram.to_string()),
        channel_id: Set(channel_id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

// Sessions and OAuth states share a clock; keep the state shorter than a session.
const _: () = assert!(super::state::STATE_TTL_SECS < SESSION_TTL_SECS);
