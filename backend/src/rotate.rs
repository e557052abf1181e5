//! `switchboard rotate-secret-key`: moves every sealed column to a new `SECRET_KEY_BASE` in one transaction.
//!
//! A row that does not open with the current key aborts the whole rotation, so the database is never left
//! half under one key and half under the other. Token digests are unkeyed and survive; values signed with the
//! old key (OAuth states in flight, public file links) stop verifying, which only means starting those again.
//! A running server keeps the old key in memory: stop every instance, rotate, start them with the new key.

use crate::config::Settings;
use crate::crypto::Keys;
use crate::entities::{channel_instagram, channel_voice, installation_config, user};
use crate::startup::resolve_secret_key_base;
use anyhow::{bail, Context};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

/// How many sealed values were moved to the new key, per table.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct RotationSummary {
    pub users: u64,
    pub voice_channels: u64,
    pub instagram_channels: u64,
    pub installation_configs: u64,
    /// `environment` (set the new `SECRET_KEY_BASE` before restarting) or `file` (rewritten here).
    pub key_source: &'static str,
}

/// The new key must be hex, at least 32 bytes, and not the current one.
pub fn check_new_key(new: &str, current: &SecretString) -> anyhow::Result<SecretString> {
    let new = new.trim();
    if new.len() < 64 || !new.bytes().all(|b| b.is_ascii_hexdigit()) {
        bail!("--new must be at least 64 hexadecimal characters (e.g. `openssl rand -hex 64`)");
    }
    if new == current.expose_secret() {
        bail!("--new is the current SECRET_KEY_BASE");
    }
    Ok(SecretString::from(new.to_owned()))
}

fn reseal(
    old: &Keys,
    new: &Keys,
    sealed: &str,
    what: impl FnOnce() -> String,
) -> anyhow::Result<String> {
    let plain = old.open(sealed).with_context(|| {
        format!(
            "{} does not open with the current SECRET_KEY_BASE; nothing was changed",
            what()
        )
    })?;
    Ok(new.seal(plain.expose_secret()))
}

/// Re-seals every sealed column from `old` to `new`, all or nothing.
pub async fn reseal_all(
    db: &DatabaseConnection,
    old: &Keys,
    new: &Keys,
) -> anyhow::Result<RotationSummary> {
    let txn = crate::db::begin(db).await?;
    let mut summary = RotationSummary::default();
    for row in user::Entity::find().all(&txn).await? {
        let sealed = reseal(old, new, &row.access_token_sealed, || {
            format!("users.access_token_sealed of user {}", row.id)
        })?;
        summary.users += user::Entity::update_many()
            .col_expr(user::Column::AccessTokenSealed, Expr::value(sealed))
            .filter(user::Column::Id.eq(row.id))
            .exec(&txn)
            .await?
            .rows_affected;
    }
    for row in channel_voice::Entity::find().all(&txn).await? {
        let sealed = reseal(old, new, &row.provider_config, || {
            format!("channel_voice.provider_config of channel {}", row.id)
        })?;
        summary.voice_channels += channel_voice::Entity::update_many()
            .col_expr(channel_voice::Column::ProviderConfig, Expr::value(sealed))
            .filter(channel_voice::Column::Id.eq(row.id))
            .exec(&txn)
            .await?
            .rows_affected;
    }
    for row in channel_instagram::Entity::find().all(&txn).await? {
        let sealed = reseal(old, new, &row.access_token, || {
            format!("channel_instagram.access_token of channel {}", row.id)
        })?;
        summary.instagram_channels += channel_instagram::Entity::update_many()
            .col_expr(channel_instagram::Column::AccessToken, Expr::value(sealed))
            .filter(channel_instagram::Column::Id.eq(row.id))
            .exec(&txn)
            .await?
            .rows_affected;
    }
    for row in installation_config::Entity::find()
        .filter(installation_config::Column::Sealed.eq(true))
        .all(&txn)
        .await?
    {
        let sealed = reseal(old, new, &row.value, || {
            format!("installation_configs.value of {}", row.name)
        })?;
        summary.installation_configs += installation_config::Entity::update_many()
            .col_expr(installation_config::Column::Value, Expr::value(sealed))
            .filter(installation_config::Column::Id.eq(row.id))
            .exec(&txn)
            .await?
            .rows_affected;
    }
    txn.commit().await?;
    Ok(summary)
}

/// The command: re-seals under `new`, then, when the key lives in the file beside a SQLite database, rewrites it.
pub async fn run(
    db: &DatabaseConnection,
    settings: &Settings,
    new: &str,
) -> anyhow::Result<RotationSummary> {
    let current = resolve_secret_key_base(settings)?;
    let new = check_new_key(new, &current)?;
    let mut summary = reseal_all(db, &Keys::derive(&current), &Keys::derive(&new)).await?;
    summary.key_source = "environment";
    if settings.secret_key_base.is_none() {
        if let Some(db_path) = settings.sqlite_path() {
            let path = db_path.with_file_name("secret_key_base");
            replace_private(&path, new.expose_secret()).with_context(|| {
                format!(
                    "the secrets are now sealed with the new key, but {} could not be rewritten: put the new key there \
                     or in SECRET_KEY_BASE before starting the server",
                    path.display()
                )
            })?;
            summary.key_source = "file";
        }
    }
    Ok(summary)
}

/// Writes a private (0600) file next to `path` and renames it over `path`, so a reader never sees half a key.
fn replace_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("rotating");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(&tmp)?;
    f.write_all(contents.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_new_key_must_be_long_hex_and_different() {
        let current = SecretString::from("a".repeat(64));
        assert!(check_new_key(&"b".repeat(64), &current).is_ok());
        assert!(check_new_key(&"b".repeat(63), &current).is_err());
        assert!(check_new_key(&"g".repeat(64), &current).is_err());
        assert!(check_new_key(&"a".repeat(64), &current).is_err());
    }
}
