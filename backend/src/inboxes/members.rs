//! Inbox members (Chatwoot's `inbox_members`): which agents work an inbox.

use crate::accounts::agents;
use crate::db::now;
use crate::entities::inbox_member;
use crate::error::ApiError;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use shared::dto::Agent;
use std::collections::BTreeSet;

pub async fn list(
    db: &impl ConnectionTrait,
    account_id: i64,
    inbox_id: i64,
) -> Result<Vec<Agent>, ApiError> {
    let ids = member_ids(db, inbox_id).await?;
    agents(db, account_id, Some(ids.into_iter().collect())).await
}

async fn member_ids(db: &impl ConnectionTrait, inbox_id: i64) -> Result<BTreeSet<i64>, ApiError> {
    Ok(inbox_member::Entity::find()
        .filter(inbox_member::Column::InboxId.eq(inbox_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect())
}

/// Every id must be an agent of the account; reported together as a 422 on `user_ids`.
async fn check_user_ids(
    db: &impl ConnectionTrait,
    account_id: i64,
    user_ids: &[i64],
) -> Result<BTreeSet<i64>, ApiError> {
    let wanted: BTreeSet<i64> = user_ids.iter().copied().collect();
    let found: BTreeSet<i64> = agents(db, account_id, Some(wanted.iter().copied().collect()))
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    let unknown: Vec<String> = wanted.difference(&found).map(i64::to_string).collect();
    if !unknown.is_empty() {
        return Err(ApiError::field(
            "user_ids",
            &format!("are not agents of this account: {}", unknown.join(", ")),
        ));
    }
    Ok(wanted)
}

pub async fn add(
    db: &impl ConnectionTrait,
    account_id: i64,
    inbox_id: i64,
    user_ids: &[i64],
) -> Result<(), ApiError> {
    let wanted = check_user_ids(db, account_id, user_ids).await?;
    let existing = member_ids(db, inbox_id).await?;
    for user_id in wanted.difference(&existing) {
        inbox_member::ActiveModel {
            inbox_id: Set(inbox_id),
            user_id: Set(*user_id),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

pub async fn replace(
    db: &impl ConnectionTrait,
    account_id: i64,
    inbox_id: i64,
    user_ids: &[i64],
) -> Result<(), ApiError> {
    let wanted = check_user_ids(db, account_id, user_ids).await?;
    let existing = member_ids(db, inbox_id).await?;
    let gone: Vec<i64> = existing.difference(&wanted).copied().collect();
    remove_ids(db, inbox_id, gone).await?;
    add(db, account_id, inbox_id, user_ids).await
}

pub async fn remove(
    db: &impl ConnectionTrait,
    account_id: i64,
    inbox_id: i64,
    user_ids: &[i64],
) -> Result<(), ApiError> {
    let wanted = check_user_ids(db, account_id, user_ids).await?;
    remove_ids(db, inbox_id, wanted.into_iter().collect()).await
}

async fn remove_ids(
    db: &impl ConnectionTrait,
    inbox_id: i64,
    user_ids: Vec<i64>,
) -> Result<(), ApiError> {
    if !user_ids.is_empty() {
        inbox_member::Entity::delete_many()
            .filter(inbox_member::Column::InboxId.eq(inbox_id))
            .filter(inbox_member::Column::UserId.is_in(user_ids))
            .exec(db)
            .await?;
    }
    Ok(())
}
