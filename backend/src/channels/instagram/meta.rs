//! Meta's app callbacks (required for app review): deauthorize and data deletion, both carrying a
//! `signed_request` (`<base64url HMAC-SHA256>.<base64url JSON payload>`, keyed with the app secret).

use crate::crypto::hmac_sha256_matches;
use crate::db::now;
use crate::entities::channel_instagram;
use crate::error::ApiError;
use crate::state::AppState;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The payload of a valid signed request, or `None` when the signature, encoding or algorithm is wrong.
pub fn parse_signed_request(raw: &str, app_secret: &SecretString) -> Option<Value> {
    let (sig, payload) = raw.trim().split_once('.')?;
    let sig = URL_SAFE_NO_PAD.decode(sig.trim_end_matches('=')).ok()?;
    if !hmac_sha256_matches(
        app_secret.expose_secret().as_bytes(),
        payload.as_bytes(),
        &sig,
    ) {
        return None;
    }
    let data: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?)
            .ok()?;
    data["algorithm"]
        .as_str()
        .is_some_and(|a| a.eq_ignore_ascii_case("HMAC-SHA256"))
        .then_some(data)
}

pub fn user_id(payload: &Value) -> Option<String> {
    match &payload["user_id"] {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The user removed our app: their inbox can no longer be used until it is reconnected.
pub async fn deauthorize(state: &AppState, instagram_user_id: &str) -> Result<u64, ApiError> {
    let r = channel_instagram::Entity::update_many()
        .col_expr(
            channel_instagram::Column::ReauthorizationRequired,
            Expr::value(true),
        )
        .filter(channel_instagram::Column::InstagramId.eq(instagram_user_id))
        .exec(&state.db)
        .await?;
    tracing::info!(rows = r.rows_affected, "Instagram deauthorization received");
    Ok(r.rows_affected)
}

/// What the status page reads back from a confirmation code (signed, so no table is needed).
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct DeletionReceipt {
    pub user_id: String,
    pub at: i64,
    pub contacts_removed: u64,
}

/// Removes what we hold about that Instagram user (their contacts, with their conversations and messages, in
/// every Instagram inbox) and returns the confirmation code for the status page.
pub async fn delete_user_data(
    state: &AppState,
    instagram_user_id: &str,
) -> Result<String, ApiError> {
    use crate::entities::{contact, contact_inbox, inbox};

    let txn = crate::db::begin(&state.db).await?;
    let ig_inboxes: Vec<i64> = inbox::Entity::find()
        .filter(inbox::Column::ChannelType.eq(shared::ChannelType::Instagram.to_string()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|i| i.id)
        .collect();
    let contact_ids: Vec<i64> = contact_inbox::Entity::find()
        .filter(contact_inbox::Column::SourceId.eq(instagram_user_id))
        .filter(contact_inbox::Column::InboxId.is_in(ig_inboxes))
        .all(&txn)
        .await?
        .into_iter()
        .map(|ci| ci.contact_id)
        .collect();
    // Conversations, messages and attachments go with the contact (foreign keys cascade).
    let removed = contact::Entity::delete_many()
        .filter(contact::Column::Id.is_in(contact_ids))
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    let receipt = DeletionReceipt {
        user_id: instagram_user_id.to_owned(),
        at: now(),
        contacts_removed: removed,
    };
    tracing::info!(
        contacts_removed = removed,
        "Instagram data deletion request handled"
    );
    Ok(state
        .keys
        .sign(&serde_json::to_vec(&receipt).map_err(anyhow::Error::from)?))
}

pub fn read_receipt(state: &AppState, code: &str) -> Option<DeletionReceipt> {
    serde_json::from_slice(&state.keys.verify(code)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::hmac_sha256_hex;

    pub fn signed_request(secret: &str, payload: &Value) -> String {
        let body = URL_SAFE_NO_PAD.encode(payload.to_string());
        let sig = hex::decode(hmac_sha256_hex(secret.as_bytes(), body.as_bytes())).unwrap();
        format!("{}.{body}", URL_SAFE_NO_PAD.encode(sig))
    }

    #[test]
    fn signed_requests_are_verified() {
        let secret = SecretString::from("app-secret".to_owned());
        let payload =
            serde_json::json!({"algorithm": "HMAC-SHA256", "issued_at": 1, "user_id": "1784"});
        let good = signed_request("app-secret", &payload);
        assert_eq!(
            user_id(&parse_signed_request(&good, &secret).unwrap()).as_deref(),
            Some("1784")
        );
        assert!(parse_signed_request(&signed_request("other", &payload), &secret).is_none());
        assert!(parse_signed_request("garbage", &secret).is_none());
        let wrong_alg = signed_request(
            "app-secret",
            &serde_json::json!({"algorithm": "none", "user_id": "1"}),
        );
        assert!(parse_signed_request(&wrong_alg, &secret).is_none());
    }
}
