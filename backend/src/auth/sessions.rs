//! Signing in and out: password check with a per-email failure limit, session tokens stored as digests.

use crate::auth::rate_limit;
use crate::crypto::{random_token, token_digest, verify_password, verify_password_against_dummy};
use crate::db::now;
use crate::entities::{session, user};
use crate::error::ApiError;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

pub const SESSION_TTL_SECS: i64 = 30 * 24 * 3600;

pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Checks the credentials and opens a session; returns the user and the session token for the cookie.
pub async fn sign_in(
    db: &impl ConnectionTrait,
    email: &str,
    password: &str,
) -> Result<(user::Model, String), ApiError> {
    let email = normalize_email(email);
    rate_limit::SIGN_IN.check(db, &email).await?;
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(&email))
        .one(db)
        .await?;
    let ok = match &found {
        Some(u) => verify_password(password, &u.password_hash),
        None => {
            verify_password_against_dummy(password);
            false
        }
    };
    let Some(user) = found.filter(|_| ok) else {
        rate_limit::SIGN_IN.record(db, &email).await?;
        return Err(ApiError::InvalidCredentials);
    };
    let token = random_token(32);
    session::ActiveModel {
        user_id: Set(user.id),
        token_digest: Set(token_digest(&token)),
        created_at: Set(now()),
        expires_at: Set(now() + SESSION_TTL_SECS),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((user, token))
}

pub async fn sign_out(db: &impl ConnectionTrait, token: &str) -> Result<(), ApiError> {
    session::Entity::delete_many()
        .filter(session::Column::TokenDigest.eq(token_digest(token)))
        .exec(db)
        .await?;
    Ok(())
}
