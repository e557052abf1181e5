//! `/webhooks/instagram`: Meta's verification handshake and signed event deliveries. An event is answered
//! 200 only once it and its jobs are committed; processing happens in the workers.

use crate::channels::instagram::inbound::jobs_for;
use crate::crypto::hmac_sha256_matches;
use crate::db::now;
use crate::entities::webhook_event;
use crate::error::ApiError;
use crate::jobs::queue;
use crate::state::AppState;
use sea_orm::{ActiveModelTrait, Set, TransactionTrait};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

/// `X-Hub-Signature-256: sha256=<hex>` over the raw body with the app secret, compared in constant time.
pub fn signature_valid(app_secret: &SecretString, header: Option<&str>, body: &[u8]) -> bool {
    let Some(hex_sig) = header.and_then(|h| h.trim().strip_prefix("sha256=")) else {
        return false;
    };
    let Ok(sig) = hex::decode(hex_sig) else {
        return false;
    };
    hmac_sha256_matches(app_secret.expose_secret().as_bytes(), body, &sig)
}

/// The challenge to echo when the verify token matches.
pub fn verification<'a>(
    verify_token: Option<&SecretString>,
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&'a str>,
) -> Option<&'a str> {
    let expected = verify_token?;
    let given = token?;
    let matches = constant_time_eq(expected.expose_secret().as_bytes(), given.as_bytes());
    (mode == Some("subscribe") && matches).then_some(challenge?)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("missing or invalid X-Hub-Signature-256")]
    BadSignature,
    #[error("the body is not JSON: {0}")]
    NotJson(String),
    #[error("object must be \"instagram\"")]
    WrongObject,
    #[error(transparent)]
    Db(#[from] ApiError),
}

/// Checks (signature, JSON, object — in that order), then stores the event and its jobs in one transaction.
#[tracing::instrument(skip_all, fields(bytes = body.len()))]
pub async fn ingest(
    state: &AppState,
    app_secret: Option<&SecretString>,
    signature: Option<&str>,
    body: &[u8],
) -> Result<usize, IngestError> {
    let secret = app_secret.ok_or(IngestError::BadSignature)?;
    if !signature_valid(secret, signature, body) {
        return Err(IngestError::BadSignature);
    }
    let parsed: Value =
        serde_json::from_slice(body).map_err(|e| IngestError::NotJson(e.to_string()))?;
    if parsed["object"]
        .as_str()
        .map(str::to_ascii_lowercase)
        .as_deref()
        != Some("instagram")
    {
        return Err(IngestError::WrongObject);
    }
    let jobs = jobs_for(&parsed);
    let count = jobs.len();
    let txn = state.db.begin().await.map_err(ApiError::from)?;
    webhook_event::ActiveModel {
        provider: Set("instagram".to_owned()),
        payload: Set(String::from_utf8_lossy(body).into_owned()),
        status: Set("received".to_owned()),
        error: Set(None),
        received_at: Set(now()),
        processed_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(ApiError::from)?;
    for job in jobs {
        queue::enqueue(&txn, job).await?;
    }
    txn.commit().await.map_err(ApiError::from)?;
    state.wakeup.notify();
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::hmac_sha256_hex;

    #[test]
    fn signatures_and_verification() {
        let secret = SecretString::from("s3cret".to_owned());
        let body = br#"{"object":"instagram"}"#;
        let good = format!("sha256={}", hmac_sha256_hex(b"s3cret", body));
        assert!(signature_valid(&secret, Some(&good), body));
        assert!(!signature_valid(&secret, Some(&good), b"{}"));
        assert!(!signature_valid(&secret, Some("sha256=zz"), body));
        assert!(!signature_valid(&secret, None, body));
        assert!(!signature_valid(
            &secret,
            Some(&good.replace("sha256=", "sha1=")),
            body
        ));
        let token = SecretString::from("vt".to_owned());
        assert_eq!(
            verification(Some(&token), Some("subscribe"), Some("vt"), Some("42")),
            Some("42")
        );
        assert_eq!(
            verification(Some(&token), Some("subscribe"), Some("no"), Some("42")),
            None
        );
        assert_eq!(
            verification(None, Some("subscribe"), Some("vt"), Some("42")),
            None
        );
        assert_eq!(
            verification(Some(&token), Some("unsubscribe"), Some("vt"), Some("42")),
            None
        );
    }
}
