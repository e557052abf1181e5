//! Inboxes: the polymorphic `channel_type`/`channel_id` pair, who may see which, and the API channel.

pub mod members;

use crate::channels::{instagram, voice};
use crate::db::now;
use crate::entities::{channel_api, channel_instagram, channel_voice, inbox, inbox_member};
use crate::error::ApiError;
use crate::state::AppState;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use shared::dto::{Inbox, NewChannel, Role, UpdateInbox};
use shared::error::FieldErrors;
use shared::validate::check_name;
use shared::ChannelType;

/// `channel.type` values `POST …/inboxes` accepts.
pub const CREATABLE_TYPES: [&str; 2] = ["api", "voice"];

/// Inboxes of an account the caller may see: all of them for administrators, their own for agents.
pub async fn visible(
    db: &impl ConnectionTrait,
    account_id: i64,
    user_id: i64,
    role: Role,
) -> Result<Vec<inbox::Model>, ApiError> {
    let mut q = inbox::Entity::find().filter(inbox::Column::AccountId.eq(account_id));
    if role == Role::Agent {
        let mine = inbox_member::Entity::find()
            .filter(inbox_member::Column::UserId.eq(user_id))
            .all(db)
            .await?;
        q = q.filter(
            inbox::Column::Id.is_in(mine.into_iter().map(|m| m.inbox_id).collect::<Vec<_>>()),
        );
    }
    Ok(q.order_by_asc(inbox::Column::Id).all(db).await?)
}

/// One inbox if the caller may see it; 404 otherwise (also for other accounts' inboxes).
pub async fn find_visible(
    db: &impl ConnectionTrait,
    account_id: i64,
    inbox_id: i64,
    user_id: i64,
    role: Role,
) -> Result<inbox::Model, ApiError> {
    let found = inbox::Entity::find_by_id(inbox_id)
        .filter(inbox::Column::AccountId.eq(account_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    if role == Role::Agent {
        inbox_member::Entity::find()
            .filter(inbox_member::Column::InboxId.eq(inbox_id))
            .filter(inbox_member::Column::UserId.eq(user_id))
            .one(db)
            .await?
            .ok_or(ApiError::NotFound)?;
    }
    Ok(found)
}

/// Inbox JSON for a page of inboxes, loading each channel table once.
pub async fn to_dtos(
    db: &impl ConnectionTrait,
    frontend_url: &str,
    inboxes: Vec<inbox::Model>,
) -> Result<Vec<Inbox>, ApiError> {
    let ids_of = |t: ChannelType| -> Vec<i64> {
        inboxes
            .iter()
            .filter(|i| ChannelType::parse(&i.channel_type) == t)
            .map(|i| i.channel_id)
            .collect()
    };
    let (api_ids, voice_ids, ig_ids) = (
        ids_of(ChannelType::Api),
        ids_of(ChannelType::Voice),
        ids_of(ChannelType::Instagram),
    );
    let ig_channels = if ig_ids.is_empty() {
        Vec::new()
    } else {
        channel_instagram::Entity::find()
            .filter(channel_instagram::Column::Id.is_in(ig_ids))
            .all(db)
            .await?
    };
    let api_channels = if api_ids.is_empty() {
        Vec::new()
    } else {
        channel_api::Entity::find()
            .filter(channel_api::Column::Id.is_in(api_ids))
            .all(db)
            .await?
    };
    let voice_channels = if voice_ids.is_empty() {
        Vec::new()
    } else {
        channel_voice::Entity::find()
            .filter(channel_voice::Column::Id.is_in(voice_ids))
            .all(db)
            .await?
    };
    Ok(inboxes
        .into_iter()
        .map(|i| {
            let channel_type = ChannelType::parse(&i.channel_type);
            let mut dto = Inbox {
                id: i.id,
                account_id: i.account_id,
                name: i.name,
                channel_id: i.channel_id,
                channel_type: channel_type.clone(),
                provider: None,
                medium: None,
                phone_number: None,
                instagram_id: None,
                username: None,
                webhook_url: None,
                voice_call_webhook_url: None,
                voice_status_webhook_url: None,
                reauthorization_required: false,
                locale: i.locale,
                token_expires_at: None,
                created_at: i.created_at,
                provisioning_warnings: Vec::new(),
            };
            match channel_type {
                ChannelType::Api => {
                    dto.webhook_url = api_channels
                        .iter()
                        .find(|c| c.id == i.channel_id)
                        .and_then(|c| c.webhook_url.clone());
                }
                ChannelType::Voice => {
                    if let Some(c) = voice_channels.iter().find(|c| c.id == i.channel_id) {
                        let (call, status) = voice::webhook_urls(frontend_url, &c.phone_number);
                        dto.phone_number = Some(c.phone_number.clone());
                        dto.provider = Some(c.provider.clone());
                        dto.voice_call_webhook_url = Some(call);
                        dto.voice_status_webhook_url = Some(status);
                    }
                }
                ChannelType::Instagram => {
                    if let Some(c) = ig_channels.iter().find(|c| c.id == i.channel_id) {
                        dto.instagram_id = Some(c.instagram_id.clone());
                        dto.username = Some(c.username.clone());
                        dto.reauthorization_required = c.reauthorization_required;
                        dto.token_expires_at = Some(c.expires_at);
                    }
                }
                _ => {}
            }
            dto
        })
        .collect())
}

pub async fn to_dto(
    db: &impl ConnectionTrait,
    frontend_url: &str,
    inbox: inbox::Model,
) -> Result<Inbox, ApiError> {
    to_dtos(db, frontend_url, vec![inbox])
        .await?
        .pop()
        .ok_or(ApiError::NotFound)
}

fn check_webhook_url(errors: &mut FieldErrors, field: &str, url: Option<&str>) {
    let Some(url) = url.map(str::trim).filter(|u| !u.is_empty()) else {
        return;
    };
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let host_ok = rest.is_some_and(|r| {
        r.split(['/', '?', '#'])
            .next()
            .is_some_and(|h| !h.is_empty())
    });
    if !host_ok || url.chars().any(char::is_whitespace) || url.len() > 2048 {
        errors.add(field, "is not a valid http(s) URL");
    }
}

fn blank_to_none(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

async fn insert_inbox(
    db: &impl ConnectionTrait,
    account_id: i64,
    name: &str,
    channel_type: ChannelType,
    channel_id: i64,
) -> Result<inbox::Model, ApiError> {
    Ok(inbox::ActiveModel {
        account_id: Set(account_id),
        name: Set(name.trim().to_owned()),
        channel_type: Set(channel_type.to_string()),
        channel_id: Set(channel_id),
        created_at: Set(now()),
        updated_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Creates the channel and its inbox. Every local rule is checked first (all violations in one 422); provider
/// calls happen next, outside the transaction; the rows are written last, in one transaction.
pub async fn create(
    state: &AppState,
    account_id: i64,
    name: &str,
    channel: &NewChannel,
) -> Result<Inbox, ApiError> {
    let mut errors = FieldErrors::new();
    check_name(&mut errors, "name", name);
    let frontend_url = &state.settings.frontend_url;
    match channel {
        NewChannel::Api { webhook_url } => {
            check_webhook_url(&mut errors, "channel.webhook_url", webhook_url.as_deref());
            errors.into_result().map_err(ApiError::validation)?;
            let txn = crate::db::begin(&state.db).await?;
            let row = channel_api::ActiveModel {
                account_id: Set(account_id),
                webhook_url: Set(blank_to_none(webhook_url.as_deref())),
                created_at: Set(now()),
                updated_at: Set(now()),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            let inbox = insert_inbox(&txn, account_id, name, ChannelType::Api, row.id).await?;
            let dto = to_dto(&txn, frontend_url, inbox).await?;
            txn.commit().await?;
            Ok(dto)
        }
        NewChannel::Voice(v) => {
            let mut channel_errors = FieldErrors::new();
            let valid = voice::validate(&mut channel_errors, v);
            for (field, messages) in channel_errors.0 {
                for m in messages {
                    errors.add(&field, m);
                }
            }
            if let Some(valid) = &valid {
                if voice::number_taken(&state.db, &valid.phone_number, None).await? {
                    errors.add("phone_number", "has already been taken");
                }
            }
            errors.into_result().map_err(ApiError::validation)?;
            let Some(valid) = valid else {
                return Err(ApiError::Internal(anyhow::anyhow!(
                    "voice channel neither valid nor invalid"
                )));
            };
            let provisioned = voice::provision(&state.twilio, frontend_url, &valid).await?;
            let stored = async {
                let txn = crate::db::begin(&state.db).await?;
                let row =
                    voice::insert(&txn, &state.keys, account_id, &valid, &provisioned).await?;
                let inbox =
                    insert_inbox(&txn, account_id, name, ChannelType::Voice, row.id).await?;
                let dto = to_dto(&txn, frontend_url, inbox).await?;
                txn.commit().await?;
                Ok::<_, ApiError>(dto)
            }
            .await;
            match stored {
                Ok(mut dto) => {
                    dto.provisioning_warnings = provisioned.warnings;
                    Ok(dto)
                }
                Err(e) => {
                    voice::release_app(
                        &state.twilio,
                        &valid.credentials,
                        &provisioned.twiml_app_sid,
                    )
                    .await;
                    Err(e)
                }
            }
        }
    }
}

pub async fn update(
    state: &AppState,
    inbox: inbox::Model,
    req: &UpdateInbox,
) -> Result<Inbox, ApiError> {
    let mut errors = FieldErrors::new();
    if let Some(name) = &req.name {
        check_name(&mut errors, "name", name);
    }
    if let Some(locale) = &req.locale {
        if !shared::dto::INBOX_LOCALES.contains(&locale.as_str()) {
            errors.add(
                "locale",
                format!("must be one of {}", shared::dto::INBOX_LOCALES.join(", ")),
            );
        }
    }
    let webhook_url = req.channel.as_ref().and_then(|c| c.webhook_url.as_deref());
    check_webhook_url(&mut errors, "channel.webhook_url", webhook_url);
    errors.into_result().map_err(ApiError::validation)?;
    let channel_type = ChannelType::parse(&inbox.channel_type);
    // New Twilio credentials are checked with Twilio before the transaction opens.
    let rotated = match (
        &channel_type,
        req.channel
            .as_ref()
            .and_then(|c| c.provider_config.as_ref()),
    ) {
        (ChannelType::Voice, Some(config)) => {
            let channel = channel_voice::Entity::find_by_id(inbox.channel_id)
                .one(&state.db)
                .await?
                .ok_or(ApiError::NotFound)?;
            Some(voice::rotated_config(&state.twilio, &state.keys, &channel, config).await?)
        }
        _ => None,
    };
    let txn = crate::db::begin(&state.db).await?;
    match (&channel_type, &req.channel) {
        (ChannelType::Api, Some(c)) if c.webhook_url.is_some() => {
            channel_api::ActiveModel {
                id: Set(inbox.channel_id),
                webhook_url: Set(blank_to_none(webhook_url)),
                updated_at: Set(now()),
                ..Default::default()
            }
            .update(&txn)
            .await?;
        }
        (ChannelType::Voice, _) => {
            if let Some(sealed) = rotated {
                channel_voice::ActiveModel {
                    id: Set(inbox.channel_id),
                    provider_config: Set(sealed),
                    updated_at: Set(now()),
                    ..Default::default()
                }
                .update(&txn)
                .await?;
            }
        }
        _ => {}
    }
    let mut active: inbox::ActiveModel = inbox.into();
    if let Some(name) = &req.name {
        active.name = Set(name.trim().to_owned());
    }
    if let Some(locale) = &req.locale {
        active.locale = Set(locale.clone());
    }
    active.updated_at = Set(now());
    let inbox = active.update(&txn).await?;
    let dto = to_dto(&txn, &state.settings.frontend_url, inbox).await?;
    txn.commit().await?;
    Ok(dto)
}

/// Removes the inbox, its memberships (cascade) and its channel row; then, for voice, the TwiML app.
pub async fn delete(state: &AppState, inbox: inbox::Model) -> Result<(), ApiError> {
    let channel_type = ChannelType::parse(&inbox.channel_type);
    let channel_id = inbox.channel_id;
    if channel_type == ChannelType::Instagram {
        if let Some(channel) = channel_instagram::Entity::find_by_id(channel_id)
            .one(&state.db)
            .await?
        {
            instagram::unsubscribe(state, &channel).await;
        }
    }
    let txn = crate::db::begin(&state.db).await?;
    inbox::Entity::delete_by_id(inbox.id).exec(&txn).await?;
    let voice_channel = match channel_type {
        ChannelType::Api => {
            channel_api::Entity::delete_by_id(channel_id)
                .exec(&txn)
                .await?;
            None
        }
        ChannelType::Voice => {
            let row = channel_voice::Entity::find_by_id(channel_id)
                .one(&txn)
                .await?;
            channel_voice::Entity::delete_by_id(channel_id)
                .exec(&txn)
                .await?;
            row
        }
        ChannelType::Instagram => {
            channel_instagram::Entity::delete_by_id(channel_id)
                .exec(&txn)
                .await?;
            None
        }
        _ => None,
    };
    txn.commit().await?;
    if let Some(channel) = voice_channel {
        voice::teardown(&state.twilio, &state.keys, &channel).await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_urls_must_be_http_with_a_host() {
        for ok in [
            None,
            Some(""),
            Some("https://example.com/hook"),
            Some("http://localhost:9000"),
        ] {
            let mut e = FieldErrors::new();
            check_webhook_url(&mut e, "u", ok);
            assert!(e.is_empty(), "{ok:?}");
        }
        for bad in [
            "ftp://x",
            "https://",
            "https:///x",
            "example.com",
            "https://a b",
        ] {
            let mut e = FieldErrors::new();
            check_webhook_url(&mut e, "u", Some(bad));
            assert!(!e.is_empty(), "{bad}");
        }
    }
}
