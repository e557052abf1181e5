use crate::auth::{role_in, AuthUser};
use crate::conversations::replies::{self, NewReply};
use crate::conversations::views::Viewer;
use crate::error::ApiError;
use crate::json::Json;
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};

/// Adds an agent's reply (sent to the channel by a job) or a private note.
#[post("/api/v1/accounts/{account_id}/conversations/{conversation_id}/messages")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id, account_id = path.0, conversation_id = path.1))]
pub async fn create(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<(i64, i64)>,
    body: Json<NewReply>,
) -> Result<HttpResponse, ApiError> {
    let (account_id, display_id) = path.into_inner();
    let role = role_in(&state.db, &auth, account_id).await?;
    let viewer = Viewer {
        account_id,
        user_id: auth.user.id,
        role,
    };
    Ok(HttpResponse::Ok().json(replies::create(&state, viewer, display_id, &body.0).await?))
}

/// Sends a failed reply again.
#[post("/api/v1/accounts/{account_id}/conversations/{conversation_id}/messages/{message_id}/retry")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id, account_id = path.0, conversation_id = path.1))]
pub async fn retry(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<(i64, i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (account_id, display_id, message_id) = path.into_inner();
    let role = role_in(&state.db, &auth, account_id).await?;
    let viewer = Viewer {
        account_id,
        user_id: auth.user.id,
        role,
    };
    Ok(HttpResponse::Ok().json(replies::retry(&state, viewer, display_id, message_id).await?))
}
