//! Inboxes: the polymorphic `channel_type`/`channel_id` pair, who may see which, and the API channel.

pub mod members;

use crate::db::now;
use crate::entities::{channel_api, inbox, inbox_member};
use crate::error::ApiError;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use shared::dto::{Inbox, NewChannel, Role, UpdateInbox};
use shared::error::FieldErrors;
use shared::validate::check_name;
use shared::ChannelType;

/// `channel.type` values `POST …/inboxes` accepts.
pub const CREATABLE_TYPES: [&str; 1] = ["api"];

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
    inboxes: Vec<inbox::Model>,
) -> Result<Vec<Inbox>, ApiError> {
    let api_ids: Vec<i64> = inboxes
        .iter()
        .filter(|i| ChannelType::parse(&i.channel_type) == ChannelType::Api)
        .map(|i| i.channel_id)
        .collect();
    let api_channels = if api_ids.is_empty() {
        Vec::new()
    } else {
        channel_api::Entity::find()
            .filter(channel_api::Column::Id.is_in(api_ids))
            .all(db)
            .await?
    };
    Ok(inboxes
        .into_iter()
        .map(|i| {
            let channel_type = ChannelType::parse(&i.channel_type);
            let webhook_url = match channel_type {
                ChannelType::Api => api_channels
                    .iter()
                    .find(|c| c.id == i.channel_id)
                    .and_then(|c| c.webhook_url.clone()),
                _ => None,
            };
            Inbox {
                id: i.id,
                account_id: i.account_id,
                name: i.name,
                channel_id: i.channel_id,
                channel_type,
                provider: None,
                medium: None,
                phone_number: None,
                instagram_id: None,
                username: None,
                webhook_url,
                reauthorization_required: false,
                created_at: i.created_at,
            }
        })
        .collect())
}

pub async fn to_dto(db: &impl ConnectionTrait, inbox: inbox::Model) -> Result<Inbox, ApiError> {
    to_dtos(db, vec![inbox])
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

/// Creates the channel row and its inbox; call inside the request's transaction.
pub async fn create(
    db: &impl ConnectionTrait,
    account_id: i64,
    name: &str,
    channel: &NewChannel,
) -> Result<inbox::Model, ApiError> {
    let mut errors = FieldErrors::new();
    check_name(&mut errors, "name", name);
    let (channel_type, channel_id) = match channel {
        NewChannel::Api { webhook_url } => {
            check_webhook_url(&mut errors, "channel.webhook_url", webhook_url.as_deref());
            errors.into_result().map_err(ApiError::validation)?;
            let row = channel_api::ActiveModel {
                account_id: Set(account_id),
                webhook_url: Set(blank_to_none(webhook_url.as_deref())),
                created_at: Set(now()),
                updated_at: Set(now()),
                ..Default::default()
            }
            .insert(db)
            .await?;
            (ChannelType::Api, row.id)
        }
    };
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

pub async fn update(
    db: &impl ConnectionTrait,
    inbox: inbox::Model,
    req: &UpdateInbox,
) -> Result<inbox::Model, ApiError> {
    let mut errors = FieldErrors::new();
    if let Some(name) = &req.name {
        check_name(&mut errors, "name", name);
    }
    let webhook_url = req.channel.as_ref().and_then(|c| c.webhook_url.as_deref());
    check_webhook_url(&mut errors, "channel.webhook_url", webhook_url);
    errors.into_result().map_err(ApiError::validation)?;
    if let (Some(c), ChannelType::Api) = (&req.channel, ChannelType::parse(&inbox.channel_type)) {
        if c.webhook_url.is_some() {
            let mut channel: channel_api::ActiveModel =
                channel_api::Entity::find_by_id(inbox.channel_id)
                    .one(db)
                    .await?
                    .ok_or(ApiError::NotFound)?
                    .into();
            channel.webhook_url = Set(blank_to_none(webhook_url));
            channel.updated_at = Set(now());
            channel.update(db).await?;
        }
    }
    let mut active: inbox::ActiveModel = inbox.into();
    if let Some(name) = &req.name {
        active.name = Set(name.trim().to_owned());
    }
    active.updated_at = Set(now());
    Ok(active.update(db).await?)
}

/// Removes the inbox, its memberships (cascade) and its channel row.
pub async fn delete(db: &impl ConnectionTrait, inbox: inbox::Model) -> Result<(), ApiError> {
    let channel_type = ChannelType::parse(&inbox.channel_type);
    let channel_id = inbox.channel_id;
    inbox::Entity::delete_by_id(inbox.id).exec(db).await?;
    if channel_type == ChannelType::Api {
        channel_api::Entity::delete_by_id(channel_id)
            .exec(db)
            .await?;
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
