//! An agent's reply or private note. The messaging window is judged when the reply arrives: inside 24 h it is
//! sent plainly, up to 7 days with the HUMAN_AGENT tag when that is enabled, otherwise refused with nothing
//! stored. Private notes are never sent and ignore the window.

use super::store::{self, NewMessage, OUTGOING};
use super::views::{self, Viewer, INSTAGRAM_HUMAN_AGENT_WINDOW_SECS, INSTAGRAM_WINDOW_SECS};
use crate::channels::instagram::outbound::send_job;
use crate::db::now;
use crate::entities::{attachment, conversation, message};
use crate::error::ApiError;
use crate::files::Upload;
use crate::global_config;
use crate::jobs::queue;
use crate::state::AppState;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::Deserialize;
use serde_json::json;
use shared::conversation::{file_type_of, Message};
use shared::error::FieldErrors;
use shared::ChannelType;

/// Instagram accepts texts up to 1000 characters.
pub const INSTAGRAM_MAX_TEXT: usize = 1000;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewReply {
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub private: bool,
    /// Accepted for Chatwoot clients; only outgoing replies can be written here.
    #[serde(default)]
    pub message_type: Option<serde_json::Value>,
}

/// How a reply may go out now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Stored only (private note, or a channel we do not deliver to).
    Store,
    Send {
        human_agent: bool,
    },
}

/// The window rule as a plain function: `None` when the window is closed.
pub fn instagram_delivery(
    now: i64,
    last_incoming_at: Option<i64>,
    human_agent_enabled: bool,
) -> Option<Delivery> {
    let last = last_incoming_at?;
    if now < last + INSTAGRAM_WINDOW_SECS {
        Some(Delivery::Send { human_agent: false })
    } else if human_agent_enabled && now < last + INSTAGRAM_HUMAN_AGENT_WINDOW_SECS {
        Some(Delivery::Send { human_agent: true })
    } else {
        None
    }
}

fn window_closed() -> ApiError {
    ApiError::UnprocessableCode(
        "messaging_window_closed",
        "Instagram only allows replies within 24 hours of the customer's last message (7 days with the human agent tag when enabled)".into(),
    )
}

async fn delivery_for(
    state: &AppState,
    channel: &ChannelType,
    conv: &conversation::Model,
    private: bool,
) -> Result<Delivery, ApiError> {
    if private || *channel != ChannelType::Instagram {
        return Ok(Delivery::Store);
    }
    let human_agent = global_config::instagram(state).await?.human_agent;
    instagram_delivery(now(), conv.last_incoming_at, human_agent).ok_or_else(window_closed)
}

/// The reply's JSON, read inside its own transaction: once committed, the send job may already have moved it on.
async fn dto(
    state: &AppState,
    txn: &impl sea_orm::ConnectionTrait,
    msg: &message::Model,
) -> Result<Message, ApiError> {
    views::load_messages(txn, &state.settings.frontend_url, &[msg.id])
        .await?
        .pop()
        .ok_or(ApiError::NotFound)
}

pub async fn create(
    state: &AppState,
    viewer: Viewer,
    display_id: i64,
    req: &NewReply,
    uploads: Vec<Upload>,
) -> Result<Message, ApiError> {
    let (conv, inbox) = views::find_visible(&state.db, viewer, display_id).await?;
    let channel = ChannelType::parse(&inbox.channel_type);
    let content = req
        .content
        .as_deref()
        .map(str::trim)
        .unwrap_or_default()
        .to_owned();
    let mut errors = FieldErrors::new();
    if content.is_empty() && uploads.is_empty() {
        errors.add("content", "can't be blank");
    } else if channel == ChannelType::Instagram
        && !req.private
        && content.chars().count() > INSTAGRAM_MAX_TEXT
    {
        errors.add(
            "content",
            format!("is too long for Instagram (maximum is {INSTAGRAM_MAX_TEXT} characters)"),
        );
    }
    match req.message_type.as_ref() {
        None | Some(serde_json::Value::Null) => {}
        Some(t) if t == &json!("outgoing") || t == &json!(1) => {}
        Some(_) => errors.add("message_type", "only outgoing messages can be created"),
    }
    errors.into_result().map_err(ApiError::validation)?;
    let delivery = delivery_for(state, &channel, &conv, req.private).await?;
    // Files first: a failed write leaves no message pointing at nothing.
    let mut stored = Vec::new();
    for u in uploads {
        let key = format!("uploads/{}", uuid::Uuid::new_v4().simple());
        state
            .files
            .put(&key, &u.bytes)
            .await
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("storing an upload: {e}")))?;
        stored.push((key, u));
    }
    let txn = crate::db::begin(&state.db).await?;
    let msg = store::add_message(
        &txn,
        &conv,
        NewMessage {
            message_type: OUTGOING,
            content: (!content.is_empty()).then_some(content),
            content_type: "text".into(),
            content_attributes: json!({}),
            private: req.private,
            status: if matches!(delivery, Delivery::Send { .. }) {
                "progress".into()
            } else {
                "sent".into()
            },
            source_id: None,
            sender_type: Some("User".into()),
            sender_id: Some(viewer.user_id),
            external_created_at: None,
        },
    )
    .await?;
    for (key, u) in &stored {
        attachment::ActiveModel {
            account_id: Set(msg.account_id),
            message_id: Set(msg.id),
            file_type: Set(file_type_of(&u.content_type).to_owned()),
            external_url: Set(None),
            file_key: Set(Some(key.clone())),
            content_type: Set(Some(u.content_type.clone())),
            byte_size: Set(Some(u.bytes.len() as i64)),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        tracing::debug!(filename = %u.filename, "attachment stored");
    }
    if let Delivery::Send { human_agent } = delivery {
        queue::enqueue(&txn, send_job(msg.id, conv.id, human_agent)).await?;
    }
    let answer = dto(state, &txn, &msg).await?;
    txn.commit().await?;
    state.wakeup.notify();
    crate::events::conversation_changed(state, conv.id, "message.created").await;
    Ok(answer)
}

/// Sends a failed reply again (the window is judged again, now).
pub async fn retry(
    state: &AppState,
    viewer: Viewer,
    display_id: i64,
    message_id: i64,
) -> Result<Message, ApiError> {
    let (conv, inbox) = views::find_visible(&state.db, viewer, display_id).await?;
    let msg = message::Entity::find_by_id(message_id)
        .filter(message::Column::ConversationId.eq(conv.id))
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    if msg.status != "failed" || msg.message_type != OUTGOING || msg.private {
        return Err(ApiError::UnprocessableCode(
            "message_not_failed",
            "only a failed outgoing message can be sent again".into(),
        ));
    }
    let channel = ChannelType::parse(&inbox.channel_type);
    let Delivery::Send { human_agent } = delivery_for(state, &channel, &conv, false).await? else {
        return Err(ApiError::UnprocessableCode(
            "message_not_failed",
            "this channel does not deliver messages".into(),
        ));
    };
    let mut attrs = store::attributes(&msg);
    if let Some(o) = attrs.as_object_mut() {
        o.remove("external_error");
    }
    let txn = crate::db::begin(&state.db).await?;
    let msg = message::ActiveModel {
        id: Set(msg.id),
        status: Set("progress".into()),
        content_attributes: Set(attrs.to_string()),
        updated_at: Set(now()),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    queue::enqueue(&txn, send_job(msg.id, conv.id, human_agent)).await?;
    let answer = dto(state, &txn, &msg).await?;
    txn.commit().await?;
    state.wakeup.notify();
    crate::events::conversation_changed(state, conv.id, "message.updated").await;
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3600;

    #[test]
    fn the_window_rule() {
        let now = 1_000 * H;
        assert_eq!(instagram_delivery(now, None, true), None);
        assert_eq!(
            instagram_delivery(now, Some(now - 23 * H), false),
            Some(Delivery::Send { human_agent: false })
        );
        assert_eq!(instagram_delivery(now, Some(now - 25 * H), false), None);
        assert_eq!(
            instagram_delivery(now, Some(now - 25 * H), true),
            Some(Delivery::Send { human_agent: true })
        );
        assert_eq!(
            instagram_delivery(now, Some(now - 7 * 24 * H - 1), true),
            None
        );
    }
}
