//! Attempt limits kept in the database (`sign_in_failures`), so they hold across server instances: an attempt
//! is a row under a key, and a key with `max` rows inside the window is refused with 429 until they age out.
//! Keys are namespaced (`sign_in:<email>`, `instagram_authorization:<user id>`) so no typed email can spend
//! another limit's budget. The upkeep pass prunes old rows.

use crate::db::now;
use crate::entities::sign_in_failure;
use crate::error::ApiError;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};

/// At most `max` attempts per key within `window_secs`.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub namespace: &'static str,
    pub max: u64,
    pub window_secs: i64,
}

/// Five failed sign-ins per email within 15 minutes.
pub const SIGN_IN: Limit = Limit {
    namespace: "sign_in",
    max: 5,
    window_secs: 15 * 60,
};

/// Ten Instagram consent URLs per user within 15 minutes: each one mints a signed OAuth state.
pub const INSTAGRAM_AUTHORIZATION: Limit = Limit {
    namespace: "instagram_authorization",
    max: 10,
    window_secs: 15 * 60,
};

impl Limit {
    fn key(&self, subject: &str) -> String {
        format!("{}:{subject}", self.namespace)
    }

    /// 429 when `subject` has used up its attempts.
    pub async fn check(&self, db: &impl ConnectionTrait, subject: &str) -> Result<(), ApiError> {
        let recent = sign_in_failure::Entity::find()
            .filter(sign_in_failure::Column::Email.eq(self.key(subject)))
            .filter(sign_in_failure::Column::CreatedAt.gt(now() - self.window_secs))
            .count(db)
            .await?;
        if recent >= self.max {
            return Err(ApiError::RateLimited);
        }
        Ok(())
    }

    /// Counts one attempt by `subject`.
    pub async fn record(&self, db: &impl ConnectionTrait, subject: &str) -> Result<(), ApiError> {
        sign_in_failure::ActiveModel {
            email: Set(self.key(subject)),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(db)
        .await?;
        Ok(())
    }
}
