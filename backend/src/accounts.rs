//! Users, accounts and who belongs to which account with what role.

use crate::auth::sessions::normalize_email;
use crate::crypto::{hash_password, random_token, token_digest, Keys};
use crate::db::now;
use crate::entities::{account, account_user, inbox, inbox_member, user};
use crate::error::ApiError;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use secrecy::ExposeSecret;
use shared::dto::{AccountMembership, Agent, CreateAgent, Role, SessionUser};
use shared::error::FieldErrors;
use shared::validate::{check_name, is_email, MIN_PASSWORD_LEN};

pub struct NewUser<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub password: &'a str,
    pub super_admin: bool,
}

pub fn check_password(errors: &mut FieldErrors, field: &str, password: &str) {
    if password.chars().count() < MIN_PASSWORD_LEN {
        errors.add(
            field,
            format!("is too short (minimum is {MIN_PASSWORD_LEN} characters)"),
        );
    }
}

pub fn check_email(errors: &mut FieldErrors, field: &str, email: &str) {
    if !is_email(email.trim()) {
        errors.add(field, "is not a valid email address");
    }
}

pub async fn find_user_by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> Result<Option<user::Model>, ApiError> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(normalize_email(email)))
        .one(db)
        .await?)
}

/// Creates a user with a fresh API access token (stored as a digest for lookup and sealed for display).
pub async fn create_user(
    db: &impl ConnectionTrait,
    keys: &Keys,
    new: NewUser<'_>,
) -> Result<user::Model, ApiError> {
    let token = random_token(24);
    let password_hash = hash_password(new.password)?;
    Ok(user::ActiveModel {
        name: Set(new.name.trim().to_owned()),
        email: Set(normalize_email(new.email)),
        password_hash: Set(password_hash),
        access_token_digest: Set(token_digest(&token)),
        access_token_sealed: Set(keys.seal(&token)),
        super_admin: Set(new.super_admin),
        created_at: Set(now()),
        updated_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

pub fn access_token(keys: &Keys, user: &user::Model) -> Result<String, ApiError> {
    Ok(keys
        .open(&user.access_token_sealed)?
        .expose_secret()
        .to_owned())
}

pub async fn create_account(
    db: &impl ConnectionTrait,
    name: &str,
) -> Result<account::Model, ApiError> {
    Ok(account::ActiveModel {
        name: Set(name.trim().to_owned()),
        created_at: Set(now()),
        updated_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

pub async fn add_to_account(
    db: &impl ConnectionTrait,
    account_id: i64,
    user_id: i64,
    role: Role,
) -> Result<(), ApiError> {
    account_user::ActiveModel {
        account_id: Set(account_id),
        user_id: Set(user_id),
        role: Set(role.as_str().to_owned()),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn memberships(
    db: &impl ConnectionTrait,
    user_id: i64,
) -> Result<Vec<AccountMembership>, ApiError> {
    let rows = account_user::Entity::find()
        .filter(account_user::Column::UserId.eq(user_id))
        .order_by_asc(account_user::Column::AccountId)
        .all(db)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.account_id).collect();
    let accounts = account::Entity::find()
        .filter(account::Column::Id.is_in(ids))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let a = accounts.iter().find(|a| a.id == r.account_id)?;
            Some(AccountMembership {
                id: a.id,
                name: a.name.clone(),
                role: Role::parse(&r.role)?,
            })
        })
        .collect())
}

pub async fn session_user(
    db: &impl ConnectionTrait,
    user: &user::Model,
) -> Result<SessionUser, ApiError> {
    let accounts = memberships(db, user.id).await?;
    Ok(SessionUser {
        id: user.id,
        name: user.name.clone(),
        email: user.email.clone(),
        account_id: accounts.first().map(|a| a.id),
        accounts,
        super_admin: user.super_admin,
    })
}

fn agent(account_id: i64, user: &user::Model, role: &str) -> Option<Agent> {
    Some(Agent {
        id: user.id,
        account_id,
        name: user.name.clone(),
        email: user.email.clone(),
        role: Role::parse(role)?,
        availability_status: "offline".to_owned(),
    })
}

/// The agents of an account, optionally only those in `only_user_ids`.
pub async fn agents(
    db: &impl ConnectionTrait,
    account_id: i64,
    only_user_ids: Option<Vec<i64>>,
) -> Result<Vec<Agent>, ApiError> {
    let mut q = account_user::Entity::find().filter(account_user::Column::AccountId.eq(account_id));
    if let Some(ids) = only_user_ids {
        q = q.filter(account_user::Column::UserId.is_in(ids));
    }
    let rows = q.order_by_asc(account_user::Column::UserId).all(db).await?;
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(rows.iter().map(|r| r.user_id).collect::<Vec<_>>()))
        .all(db)
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            agent(
                account_id,
                users.iter().find(|u| u.id == r.user_id)?,
                &r.role,
            )
        })
        .collect())
}

/// Adds an agent: a new user, or an existing one (by email) brought into this account.
pub async fn add_agent(
    db: &impl ConnectionTrait,
    keys: &Keys,
    account_id: i64,
    req: &CreateAgent,
) -> Result<Agent, ApiError> {
    let mut errors = FieldErrors::new();
    check_name(&mut errors, "name", &req.name);
    check_email(&mut errors, "email", &req.email);
    let existing = if errors.0.contains_key("email") {
        None
    } else {
        find_user_by_email(db, &req.email).await?
    };
    match (&existing, req.password.as_deref()) {
        (None, None) => errors.add("password", "is required for a new user"),
        (None, Some(p)) => check_password(&mut errors, "password", p),
        _ => {}
    }
    if let Some(u) = &existing {
        let already = account_user::Entity::find()
            .filter(account_user::Column::AccountId.eq(account_id))
            .filter(account_user::Column::UserId.eq(u.id))
            .one(db)
            .await?;
        if already.is_some() {
            errors.add("email", "is already an agent of this account");
        }
    }
    errors.into_result().map_err(ApiError::validation)?;
    let user = match existing {
        Some(u) => u,
        None => {
            let password = req.password.as_deref().unwrap_or_default();
            create_user(
                db,
                keys,
                NewUser {
                    name: &req.name,
                    email: &req.email,
                    password,
                    super_admin: false,
                },
            )
            .await?
        }
    };
    add_to_account(db, account_id, user.id, req.role).await?;
    agent(account_id, &user, req.role.as_str())
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("role")))
}

/// Removes a user from an account and from its inboxes; the user record stays (they may be elsewhere too).
pub async fn remove_agent(
    db: &impl ConnectionTrait,
    account_id: i64,
    caller_id: i64,
    user_id: i64,
) -> Result<(), ApiError> {
    if caller_id == user_id {
        return Err(ApiError::UnprocessableCode(
            "cannot_remove_self",
            "you cannot remove yourself from the account".into(),
        ));
    }
    let removed = account_user::Entity::delete_many()
        .filter(account_user::Column::AccountId.eq(account_id))
        .filter(account_user::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    if removed.rows_affected == 0 {
        return Err(ApiError::NotFound);
    }
    let account_inboxes = inbox::Entity::find()
        .select_only()
        .column(inbox::Column::Id)
        .filter(inbox::Column::AccountId.eq(account_id))
        .into_tuple::<i64>()
        .all(db)
        .await?;
    inbox_member::Entity::delete_many()
        .filter(inbox_member::Column::UserId.eq(user_id))
        .filter(inbox_member::Column::InboxId.is_in(account_inboxes))
        .exec(db)
        .await?;
    Ok(())
}
