use crate::db::ping;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use shared::dto::Health;

/// 200 once the database answers.
#[utoipa::path(responses((status = 200, body = Health), (status = 503, body = shared::ErrorBody)))]
#[get("/health")]
pub async fn health(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if ping(&state.db).await {
        Ok(HttpResponse::Ok().json(Health {
            status: "ok".into(),
        }))
    } else {
        Err(ApiError::Unavailable(anyhow::anyhow!(
            "database ping failed"
        )))
    }
}
