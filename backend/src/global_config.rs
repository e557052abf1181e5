//! Installation-wide settings editable by super admins (`installation_configs`), with the environment variable
//! of the same name as fallback. A stored value wins; secrets are sealed at rest.

use crate::crypto::Keys;
use crate::db::now;
use crate::entities::installation_config;
use crate::error::ApiError;
use crate::state::AppState;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use secrecy::{ExposeSecret, SecretString};
use shared::dto::{InstagramAppConfig, MetaAppUrls, SECRET_MASK};
use shared::error::FieldErrors;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

pub const INSTAGRAM_APP_ID: &str = "INSTAGRAM_APP_ID";
pub const INSTAGRAM_APP_SECRET: &str = "INSTAGRAM_APP_SECRET";
pub const INSTAGRAM_VERIFY_TOKEN: &str = "INSTAGRAM_VERIFY_TOKEN";
pub const INSTAGRAM_API_VERSION: &str = "INSTAGRAM_API_VERSION";
pub const ENABLE_HUMAN_AGENT: &str = "ENABLE_INSTAGRAM_CHANNEL_HUMAN_AGENT";
pub const DEFAULT_API_VERSION: &str = "v22.0";

/// The keys of `?config=instagram`, exactly.
pub const INSTAGRAM_KEYS: [&str; 5] = [
    INSTAGRAM_APP_ID,
    INSTAGRAM_APP_SECRET,
    INSTAGRAM_VERIFY_TOKEN,
    INSTAGRAM_API_VERSION,
    ENABLE_HUMAN_AGENT,
];

fn is_secret(name: &str) -> bool {
    matches!(name, INSTAGRAM_APP_SECRET | INSTAGRAM_VERIFY_TOKEN)
}

/// The Instagram app as the server uses it.
#[derive(Clone)]
pub struct InstagramConfig {
    pub app_id: Option<String>,
    pub app_secret: Option<SecretString>,
    pub verify_token: Option<SecretString>,
    pub api_version: String,
    pub human_agent: bool,
}

impl InstagramConfig {
    pub fn configured(&self) -> bool {
        self.app_id.is_some() && self.app_secret.is_some()
    }
}

fn env_fallback(state: &AppState, name: &str) -> Option<String> {
    let ig = &state.settings.instagram;
    match name {
        INSTAGRAM_APP_ID => ig.app_id.clone(),
        INSTAGRAM_APP_SECRET => ig.app_secret.as_ref().map(|s| s.expose_secret().to_owned()),
        INSTAGRAM_VERIFY_TOKEN => ig
            .verify_token
            .as_ref()
            .map(|s| s.expose_secret().to_owned()),
        INSTAGRAM_API_VERSION => ig.api_version.clone(),
        ENABLE_HUMAN_AGENT => ig.human_agent.clone(),
        _ => None,
    }
}

/// Every stored key, opened.
async fn stored(
    db: &impl ConnectionTrait,
    keys: &Keys,
    names: &[&str],
) -> Result<Vec<(String, SecretString)>, ApiError> {
    let rows = installation_config::Entity::find()
        .filter(installation_config::Column::Name.is_in(names.to_vec()))
        .all(db)
        .await?;
    rows.into_iter()
        .map(|r| {
            let value = if r.sealed {
                keys.open(&r.value)?
            } else {
                SecretString::from(r.value)
            };
            Ok((r.name, value))
        })
        .collect()
}

/// How long one process reuses the Instagram config it read. Every webhook delivery, reply, job and
/// conversation list needs it; a change applies at once in the process that made it (`set` forgets the copy),
/// and on PostgreSQL at once on other instances too (`events::config_changed`); this long is the bound when
/// that notice is lost.
pub const CACHE_TTL: Duration = Duration::from_secs(5);

/// This process's copies of the Instagram config, per database URL, with the time each was read.
static CACHE: LazyLock<Mutex<HashMap<String, Kept>>> = LazyLock::new(Default::default);

/// A copy and the time it was read.
type Kept = (Instant, Arc<InstagramConfig>);

fn cached(database_url: &str) -> Option<Arc<InstagramConfig>> {
    let cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    cache
        .get(database_url)
        .filter(|(at, _)| at.elapsed() < CACHE_TTL)
        .map(|(_, c)| c.clone())
}

/// After a change: the next read of every database's config goes to the database.
pub fn forget_cached() {
    CACHE.lock().unwrap_or_else(|e| e.into_inner()).clear();
}

/// Shared, not copied: every webhook delivery reads it, and a copy was four strings allocated and freed.
pub async fn instagram(state: &AppState) -> Result<Arc<InstagramConfig>, ApiError> {
    let url = &state.settings.database_url;
    if let Some(hit) = cached(url) {
        return Ok(hit);
    }
    let config = Arc::new(load_instagram(state).await?);
    CACHE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(url.clone(), (Instant::now(), config.clone()));
    Ok(config)
}

async fn load_instagram(state: &AppState) -> Result<InstagramConfig, ApiError> {
    let rows = stored(&state.db, &state.keys, &INSTAGRAM_KEYS).await?;
    let get = |name: &str| -> Option<String> {
        rows.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.expose_secret().to_owned())
            .or_else(|| env_fallback(state, name))
            .filter(|v| !v.trim().is_empty())
    };
    Ok(InstagramConfig {
        app_id: get(INSTAGRAM_APP_ID),
        app_secret: get(INSTAGRAM_APP_SECRET).map(SecretString::from),
        verify_token: get(INSTAGRAM_VERIFY_TOKEN).map(SecretString::from),
        api_version: get(INSTAGRAM_API_VERSION).unwrap_or_else(|| DEFAULT_API_VERSION.to_owned()),
        human_agent: get(ENABLE_HUMAN_AGENT).is_some_and(|v| parse_bool(&v) == Some(true)),
    })
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" | "" => Some(false),
        _ => None,
    }
}

pub fn meta_urls(frontend_url: &str) -> MetaAppUrls {
    MetaAppUrls {
        webhook_callback_url: format!("{frontend_url}/webhooks/instagram"),
        oauth_redirect_url: format!("{frontend_url}/instagram/callback"),
        deauthorize_url: format!("{frontend_url}/instagram/deauthorize"),
        data_deletion_url: format!("{frontend_url}/instagram/data_deletion"),
    }
}

/// The super-admin view: secrets masked.
pub async fn instagram_view(state: &AppState) -> Result<InstagramAppConfig, ApiError> {
    let c = instagram(state).await?;
    let mask = |s: &Option<SecretString>| s.as_ref().map(|_| SECRET_MASK.to_owned());
    Ok(InstagramAppConfig {
        configured: c.configured(),
        app_id: c.app_id.clone(),
        app_secret: mask(&c.app_secret),
        verify_token: mask(&c.verify_token),
        api_version: c.api_version.clone(),
        human_agent: c.human_agent,
        urls: meta_urls(&state.settings.frontend_url),
    })
}

/// Applies a super admin's edit: only the five keys; a missing or masked secret keeps the stored one; an empty
/// string clears a value (the environment fallback then applies again).
pub async fn update_instagram(
    db: &impl ConnectionTrait,
    keys: &Keys,
    body: &serde_json::Map<String, serde_json::Value>,
) -> Result<(), ApiError> {
    let mut errors = FieldErrors::new();
    let mut changes: Vec<(&str, Option<String>)> = Vec::new();
    for (name, value) in body {
        let Some(name) = INSTAGRAM_KEYS.iter().find(|k| **k == name.as_str()) else {
            errors.add(name, "is not an Instagram setting");
            continue;
        };
        let text = match value {
            serde_json::Value::Null => continue,
            serde_json::Value::String(s) => s.trim().to_owned(),
            serde_json::Value::Bool(b) if *name == ENABLE_HUMAN_AGENT => b.to_string(),
            _ => {
                errors.add(name, "must be a string");
                continue;
            }
        };
        if is_secret(name) && text == SECRET_MASK {
            continue;
        }
        match *name {
            INSTAGRAM_APP_ID if !text.is_empty() && !text.bytes().all(|b| b.is_ascii_digit()) => {
                errors.add(name, "must be the numeric app id")
            }
            INSTAGRAM_API_VERSION if !text.is_empty() && !is_api_version(&text) => {
                errors.add(name, "must look like v22.0")
            }
            ENABLE_HUMAN_AGENT if parse_bool(&text).is_none() => {
                errors.add(name, "must be true or false")
            }
            _ => {}
        }
        changes.push((name, (!text.is_empty()).then_some(text)));
    }
    errors.into_result().map_err(ApiError::validation)?;
    for (name, value) in changes {
        set(db, keys, name, value.as_deref()).await?;
    }
    Ok(())
}

fn is_api_version(v: &str) -> bool {
    v.strip_prefix('v')
        .and_then(|r| r.split_once('.'))
        .is_some_and(|(a, b)| {
            !a.is_empty() && !b.is_empty() && a.bytes().chain(b.bytes()).all(|c| c.is_ascii_digit())
        })
}

pub async fn set(
    db: &impl ConnectionTrait,
    keys: &Keys,
    name: &str,
    value: Option<&str>,
) -> Result<(), ApiError> {
    let written = write(db, keys, name, value).await;
    // Inside a transaction the caller forgets again after its commit.
    forget_cached();
    written
}

async fn write(
    db: &impl ConnectionTrait,
    keys: &Keys,
    name: &str,
    value: Option<&str>,
) -> Result<(), ApiError> {
    let existing = installation_config::Entity::find()
        .filter(installation_config::Column::Name.eq(name))
        .one(db)
        .await?;
    let Some(value) = value else {
        if let Some(row) = existing {
            installation_config::Entity::delete_by_id(row.id)
                .exec(db)
                .await?;
        }
        return Ok(());
    };
    let sealed = is_secret(name);
    let stored = if sealed {
        keys.seal(value)
    } else {
        value.to_owned()
    };
    match existing {
        Some(row) => {
            let mut active: installation_config::ActiveModel = row.into();
            active.value = Set(stored);
            active.sealed = Set(sealed);
            active.updated_at = Set(now());
            active.update(db).await?;
        }
        None => {
            installation_config::ActiveModel {
                name: Set(name.to_owned()),
                value: Set(stored),
                sealed: Set(sealed),
                created_at: Set(now()),
                updated_at: Set(now()),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_versions_and_booleans() {
        assert!(is_api_version("v22.0"));
        assert!(!is_api_version("22.0"));
        assert!(!is_api_version("v22"));
        assert_eq!(parse_bool("TRUE"), Some(true));
        assert_eq!(parse_bool("maybe"), None);
    }
}
