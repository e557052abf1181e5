//! Long-lived tokens last 60 days; Meta refreshes only tokens at least 24 h old. We refresh when one is due
//! (older than 24 h and expiring within 10 days): lazily before a Graph call, and daily for every channel.

use super::errors::IgError;
use crate::db::now;
use crate::entities::channel_instagram;
use crate::error::ApiError;
use crate::state::AppState;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

pub const MIN_AGE_SECS: i64 = 24 * 3600;
pub const REFRESH_WINDOW_SECS: i64 = 10 * 24 * 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Fresh,
    Due,
    Expired,
}

pub fn decide(now: i64, updated_at: i64, expires_at: i64) -> Decision {
    if expires_at <= now {
        Decision::Expired
    } else if now - updated_at >= MIN_AGE_SECS && expires_at - now < REFRESH_WINDOW_SECS {
        Decision::Due
    } else {
        Decision::Fresh
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the Instagram connection must be renewed")]
    NeedsReauthorization,
    #[error(transparent)]
    Db(#[from] ApiError),
}

async fn mark_reauthorization_required(
    state: &AppState,
    channel: &channel_instagram::Model,
) -> Result<(), ApiError> {
    channel_instagram::ActiveModel {
        id: Set(channel.id),
        reauthorization_required: Set(true),
        ..Default::default()
    }
    .update(&state.db)
    .await?;
    tracing::warn!(
        channel_id = channel.id,
        "Instagram inbox needs reauthorization"
    );
    Ok(())
}

/// The outcome of one refresh attempt.
pub enum Refreshed {
    Untouched(SecretString),
    Renewed(SecretString),
    Failed(SecretString, IgError),
}

/// Refreshes the token if due; an expired token or a 190 marks the inbox for reauthorization.
pub async fn refresh_if_due(
    state: &AppState,
    channel: &channel_instagram::Model,
) -> Result<Refreshed, TokenError> {
    if channel.reauthorization_required {
        return Err(TokenError::NeedsReauthorization);
    }
    let now = now();
    let current = state
        .keys
        .open(&channel.access_token)
        .map_err(|e| TokenError::Db(e.into()))?;
    match decide(now, channel.updated_at, channel.expires_at) {
        Decision::Fresh => Ok(Refreshed::Untouched(current)),
        Decision::Expired => {
            mark_reauthorization_required(state, channel).await?;
            Err(TokenError::NeedsReauthorization)
        }
        Decision::Due => match state.graph.refresh(&current).await {
            Ok(fresh) => {
                channel_instagram::ActiveModel {
                    id: Set(channel.id),
                    access_token: Set(state.keys.seal(fresh.access_token.expose_secret())),
                    expires_at: Set(now + fresh.expires_in),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .update(&state.db)
                .await
                .map_err(ApiError::from)?;
                tracing::info!(channel_id = channel.id, "Instagram token refreshed");
                Ok(Refreshed::Renewed(fresh.access_token))
            }
            Err(e) if e.is_invalid_token() => {
                mark_reauthorization_required(state, channel).await?;
                Err(TokenError::NeedsReauthorization)
            }
            // Still valid for days: keep using it and try again later.
            Err(e) => {
                tracing::warn!(channel_id = channel.id, error = %e, "Instagram token refresh failed");
                Ok(Refreshed::Failed(current, e))
            }
        },
    }
}

/// A token to call the Graph API with, refreshed first when due.
pub async fn usable_token(
    state: &AppState,
    channel: &channel_instagram::Model,
) -> Result<SecretString, TokenError> {
    Ok(match refresh_if_due(state, channel).await? {
        Refreshed::Untouched(t) | Refreshed::Renewed(t) | Refreshed::Failed(t, _) => t,
    })
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub checked: u64,
    pub refreshed: u64,
    pub failed: u64,
}

/// One pass over every connected channel (the daily job and `switchboard refresh-instagram-tokens`).
#[tracing::instrument(skip_all)]
pub async fn refresh_all(state: &AppState) -> Result<Summary, ApiError> {
    let channels = channel_instagram::Entity::find()
        .filter(channel_instagram::Column::ReauthorizationRequired.eq(false))
        .all(&state.db)
        .await?;
    let mut summary = Summary::default();
    for channel in channels {
        summary.checked += 1;
        match refresh_if_due(state, &channel).await {
            Ok(Refreshed::Untouched(_)) => {}
            Ok(Refreshed::Renewed(_)) => summary.refreshed += 1,
            Ok(Refreshed::Failed(..)) | Err(TokenError::NeedsReauthorization) => {
                summary.failed += 1
            }
            Err(TokenError::Db(e)) => return Err(e),
        }
    }
    tracing::info!(?summary, "Instagram token refresh pass");
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 24 * 3600;

    #[test]
    fn refresh_rules() {
        let now = 100 * DAY;
        assert_eq!(
            decide(now, now - DAY / 2, now + 5 * DAY),
            Decision::Fresh,
            "12 h old"
        );
        assert_eq!(
            decide(now, now - DAY - 3600, now + 5 * DAY),
            Decision::Due,
            "25 h old, 5 days left"
        );
        assert_eq!(
            decide(now, now - 40 * DAY, now + 20 * DAY),
            Decision::Fresh,
            "20 days left"
        );
        assert_eq!(decide(now, now - 61 * DAY, now - 1), Decision::Expired);
    }
}
