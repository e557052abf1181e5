//! `Channel::Instagram` through Instagram Business Login (no Facebook Page).

pub mod connect;
pub mod delivery;
pub mod errors;
pub mod graph;
pub mod inbound;
pub mod meta;
pub mod oauth;
pub mod outbound;
pub mod refresh;
pub mod state;

use crate::entities::{channel_instagram, inbox};
use crate::error::ApiError;
use crate::global_config;
use crate::state::AppState;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use shared::ChannelType;

/// The inbox of an Instagram channel.
pub async fn inbox_of(
    db: &impl ConnectionTrait,
    channel: &channel_instagram::Model,
) -> Result<Option<inbox::Model>, ApiError> {
    Ok(inbox::Entity::find()
        .filter(inbox::Column::ChannelType.eq(ChannelType::Instagram.to_string()))
        .filter(inbox::Column::ChannelId.eq(channel.id))
        .one(db)
        .await?)
}

/// Stops Meta's webhooks for a channel that is going away (best effort, logged).
pub async fn unsubscribe(state: &AppState, channel: &channel_instagram::Model) {
    let result = async {
        let version = global_config::instagram(state)
            .await
            .map_err(|e| e.to_string())?
            .api_version
            .clone();
        let token = refresh::usable_token(state, channel)
            .await
            .map_err(|e| e.to_string())?;
        state
            .graph
            .unsubscribe(&version, &channel.instagram_id, &token)
            .await
            .map_err(|e| e.to_string())
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(channel_id = channel.id, error = %e, "could not unsubscribe the Instagram account from webhooks");
    }
}
