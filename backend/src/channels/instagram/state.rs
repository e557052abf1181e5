//! The OAuth `state`: signed (HMAC, key from `SECRET_KEY_BASE`), naming account and user, valid 15 minutes,
//! accepted once — the used nonce is recorded in the database, so this holds across server instances.

use crate::crypto::{random_token, Keys};
use crate::entities::oauth_state;
use crate::error::ApiError;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};

pub const STATE_TTL_SECS: i64 = 15 * 60;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OAuthState {
    #[serde(rename = "a")]
    pub account_id: i64,
    #[serde(rename = "u")]
    pub user_id: i64,
    #[serde(rename = "n")]
    pub nonce: String,
    #[serde(rename = "e")]
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StateError {
    #[error("the state parameter is missing or was tampered with")]
    Invalid,
    #[error("the connection attempt expired; start again")]
    Expired(OAuthState),
    #[error("this connection attempt was already used; start again")]
    Reused(OAuthState),
}

impl OAuthState {
    pub fn new(account_id: i64, user_id: i64, now: i64) -> Self {
        OAuthState {
            account_id,
            user_id,
            nonce: random_token(16),
            expires_at: now + STATE_TTL_SECS,
        }
    }

    pub fn encode(&self, keys: &Keys) -> String {
        keys.sign(&serde_json::to_vec(self).unwrap_or_default())
    }

    /// Signature first (a forged state names no trustworthy account), then expiry.
    pub fn decode(keys: &Keys, raw: &str, now: i64) -> Result<OAuthState, StateError> {
        let data = keys.verify(raw).ok_or(StateError::Invalid)?;
        let state: OAuthState = serde_json::from_slice(&data).map_err(|_| StateError::Invalid)?;
        if state.expires_at < now {
            return Err(StateError::Expired(state));
        }
        Ok(state)
    }
}

/// Records the nonce as used; a second use (here or on another instance) fails on the unique index.
pub async fn consume(
    db: &impl ConnectionTrait,
    state: &OAuthState,
    now: i64,
) -> Result<Result<(), StateError>, ApiError> {
    // Expired rows are useless to keep: a replay of them is refused by the expiry check anyway.
    oauth_state::Entity::delete_many()
        .filter(oauth_state::Column::ExpiresAt.lt(now))
        .exec(db)
        .await?;
    let inserted = oauth_state::ActiveModel {
        nonce: Set(state.nonce.clone()),
        expires_at: Set(state.expires_at),
        used_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await;
    match inserted {
        Ok(_) => Ok(Ok(())),
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            Ok(Err(StateError::Reused(state.clone())))
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    #[test]
    fn states_round_trip_and_expire() {
        let keys = Keys::derive(&SecretString::from("k".repeat(64)));
        let s = OAuthState::new(3, 7, 1_000);
        let raw = s.encode(&keys);
        assert_eq!(OAuthState::decode(&keys, &raw, 1_000).unwrap(), s);
        assert_eq!(
            OAuthState::decode(&keys, &raw, 1_000 + STATE_TTL_SECS + 1),
            Err(StateError::Expired(s))
        );
        assert_eq!(
            OAuthState::decode(&keys, "garbage", 1_000),
            Err(StateError::Invalid)
        );
        let other = Keys::derive(&SecretString::from("x".repeat(64)));
        assert_eq!(
            OAuthState::decode(&other, &raw, 1_000),
            Err(StateError::Invalid)
        );
    }
}
