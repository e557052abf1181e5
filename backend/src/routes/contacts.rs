use crate::auth::{role_in, AuthUser};
use crate::conversations::views::{self, Viewer};
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use shared::conversation::Contact;
use shared::dto::Payload;

/// A contact who wrote to one of the caller's inboxes (administrators: any contact of the account).
#[utoipa::path(params(("account_id" = i64, Path), ("id" = i64, Path)), responses((status = 200, body = Payload<Contact>), (status = 404, body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[get("/api/v1/accounts/{account_id}/contacts/{id}")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id, account_id = path.0, contact_id = path.1))]
pub async fn show(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (account_id, contact_id) = path.into_inner();
    let viewer = Viewer {
        account_id,
        user_id: auth.user.id,
        role: role_in(&state.db, &auth, account_id).await?,
    };
    let contact =
        views::contact(&state.db, &state.settings.frontend_url, viewer, contact_id).await?;
    Ok(HttpResponse::Ok().json(Payload { payload: contact }))
}
