use crate::auth::{role_in, AuthUser};
use crate::conversations::views::{self, ReplyPolicy, Viewer};
use crate::db::now;
use crate::error::ApiError;
use crate::global_config;
use crate::json::Json;
use crate::read_cache::ReadKey;
use crate::state::AppState;
use actix_web::http::header::ContentType;
use actix_web::web::Bytes;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use shared::conversation::{
    AssignConversation, Conversation, ConversationFilters, ConversationList, EmptyObject,
    MessageFilters, MessageList, ToggleStatus, ToggleStatusResponse, ToggleStatusResult, MAX_PAGE,
};
use shared::dto::Agent;

/// Where the list's and the thread's statements run (see `views::Source`).
fn source(state: &AppState) -> views::Source<'_, sea_orm::DatabaseConnection> {
    views::Source {
        db: &state.db,
        sqlite: state.sqlite_reads.as_deref(),
    }
}

async fn viewer(state: &AppState, auth: &AuthUser, account_id: i64) -> Result<Viewer, ApiError> {
    Ok(Viewer {
        account_id,
        user_id: auth.user.id,
        role: role_in(&state.db, auth, account_id).await?,
    })
}

async fn reply_policy(state: &AppState) -> Result<ReplyPolicy, ApiError> {
    Ok(ReplyPolicy {
        now: now(),
        instagram_human_agent: global_config::instagram(state).await?.human_agent,
    })
}

/// Conversations in the inboxes the caller can see, newest activity first, with the tab counts.
#[utoipa::path(params(("account_id" = i64, Path), ConversationFilters), responses((status = 200, body = ConversationList), (status = 404, body = shared::ErrorBody), (status = 422, body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[get("/api/v1/accounts/{account_id}/conversations")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id, account_id = *path))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<i64>,
    query: web::Query<ConversationFilters>,
) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &auth, path.into_inner()).await?;
    if query.page.is_some_and(|p| p > MAX_PAGE) {
        return Err(ApiError::field(
            "page",
            &format!("must be at most {MAX_PAGE}"),
        ));
    }
    let policy = reply_policy(&state).await?;
    let tabs_version = auth.tabs_version(viewer.account_id);
    let inboxes = auth.member_inboxes(viewer.account_id);
    let kept = views::Kept {
        rows: &state.reads.rows,
        pages: auth
            .data_version(viewer.account_id)
            .map(|version| (&state.reads.pages, version)),
        inboxes: inboxes.as_deref(),
    };
    kept_or_made(&state, &auth, &req, viewer, policy, || async {
        let kept_counts = match tabs_version {
            Some(version) => Some(
                views::tab_counts(
                    source(&state),
                    viewer,
                    query.inbox_id,
                    inboxes.as_deref(),
                    &state.reads.tallies,
                    version,
                )
                .await?,
            ),
            None => None,
        };
        let page = views::list(
            source(&state),
            &state.settings.frontend_url,
            policy,
            viewer,
            &query,
            kept_counts,
            Some(kept),
        )
        .await?;
        let good_until = page.good_until;
        Ok((page, good_until))
    })
    .await
}

/// The JSON kept for this request while the account's data version is the one read with the caller (see
/// `read_cache`); else the JSON of `make`'s `(value, time it stops being true)`, kept for the next caller.
async fn kept_or_made<T, Fut>(
    state: &AppState,
    auth: &AuthUser,
    req: &HttpRequest,
    viewer: Viewer,
    policy: ReplyPolicy,
    make: impl FnOnce() -> Fut,
) -> Result<HttpResponse, ApiError>
where
    T: serde::Serialize,
    Fut: std::future::Future<Output = Result<(T, Option<i64>), ApiError>>,
{
    let make = || async {
        let (value, until) = make().await?;
        Ok::<_, ApiError>((json_body(&value)?, until))
    };
    let body = match auth.data_version(viewer.account_id) {
        Some(version) => {
            let key = ReadKey {
                account_id: viewer.account_id,
                user_id: viewer.user_id,
                role: viewer.role,
                human_agent: policy.instagram_human_agent,
                request: req.uri().to_string(),
            };
            state
                .reads
                .kept_or_made(key, version, policy.now, make)
                .await?
        }
        None => make().await?.0,
    };
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(body))
}

/// `value`'s JSON, written into this thread's buffer and copied out once at its size. Written into a new `Vec`,
/// a list's 18 KB grew from 128 bytes by doubling, each step a `realloc` and most a copy.
fn json_body(value: &impl serde::Serialize) -> Result<Bytes, ApiError> {
    /// Past this the buffer is let go after use, so that one large body does not stay held by its thread.
    const KEEP: usize = 256 * 1024;
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUFFER.with_borrow_mut(|buffer| {
        buffer.clear();
        let written = serde_json::to_writer(&mut *buffer, value)
            .map(|()| Bytes::copy_from_slice(buffer))
            .map_err(|e| ApiError::Internal(e.into()));
        if buffer.capacity() > KEEP {
            *buffer = Vec::new();
        }
        written
    })
}

#[utoipa::path(params(("account_id" = i64, Path), ("id" = i64, Path, description = "the conversation's per-account number")), responses((status = 200, body = Conversation), (status = 404, body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[get("/api/v1/accounts/{account_id}/conversations/{id}")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id, account_id = path.0, conversation_id = path.1))]
pub async fn show(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (account_id, display_id) = path.into_inner();
    let viewer = viewer(&state, &auth, account_id).await?;
    let (conv, _) = views::find_visible(&state.db, viewer, display_id).await?;
    let policy = reply_policy(&state).await?;
    let dto = views::to_dto(&state.db, &state.settings.frontend_url, policy, &conv).await?;
    Ok(HttpResponse::Ok().json(dto))
}

/// The thread, 20 messages at a time, oldest first; `before` pages back.
#[utoipa::path(params(("account_id" = i64, Path), ("id" = i64, Path, description = "the conversation's per-account number"), MessageFilters), responses((status = 200, body = MessageList), (status = 404, body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[get("/api/v1/accounts/{account_id}/conversations/{id}/messages")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id, account_id = path.0, conversation_id = path.1))]
pub async fn messages(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<(i64, i64)>,
    query: web::Query<MessageFilters>,
) -> Result<HttpResponse, ApiError> {
    let (account_id, display_id) = path.into_inner();
    let viewer = viewer(&state, &auth, account_id).await?;
    let policy = reply_policy(&state).await?;
    kept_or_made(&state, &auth, &req, viewer, policy, || async {
        let page = views::thread(
            source(&state),
            &state.settings.frontend_url,
            viewer,
            display_id,
            query.before,
        )
        .await?;
        Ok((page, None))
    })
    .await
}

/// Sets the status; without one, open ↔ resolved as Chatwoot.
#[utoipa::path(params(("account_id" = i64, Path), ("id" = i64, Path, description = "the conversation's per-account number")), request_body = ToggleStatus, responses((status = 200, body = ToggleStatusResponse), (status = 404, body = shared::ErrorBody), (status = 422, body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[post("/api/v1/accounts/{account_id}/conversations/{id}/toggle_status")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id, account_id = path.0, conversation_id = path.1))]
pub async fn toggle_status(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<(i64, i64)>,
    body: Json<ToggleStatus>,
) -> Result<HttpResponse, ApiError> {
    let (account_id, display_id) = path.into_inner();
    let viewer = viewer(&state, &auth, account_id).await?;
    let txn = crate::db::begin(&state.db).await?;
    let (conv, _) = views::find_visible(&txn, viewer, display_id).await?;
    let conv = views::set_status(&txn, conv, body.0.status).await?;
    txn.commit().await?;
    tracing::info!(status = %conv.status, "conversation status changed");
    Ok(HttpResponse::Ok().json(ToggleStatusResponse {
        meta: EmptyObject {},
        payload: ToggleStatusResult {
            success: true,
            current_status: views::status_of(&conv)?,
            conversation_id: conv.display_id,
        },
    }))
}

/// Assigns the conversation to an agent of the account, or unassigns it (`null`); answers the assignee.
#[utoipa::path(params(("account_id" = i64, Path), ("id" = i64, Path, description = "the conversation's per-account number")), request_body = AssignConversation, responses((status = 200, body = Option<Agent>), (status = 404, body = shared::ErrorBody), (status = 422, body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[post("/api/v1/accounts/{account_id}/conversations/{id}/assignments")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id, account_id = path.0, conversation_id = path.1))]
pub async fn assign(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<(i64, i64)>,
    body: Json<AssignConversation>,
) -> Result<HttpResponse, ApiError> {
    let (account_id, display_id) = path.into_inner();
    let viewer = viewer(&state, &auth, account_id).await?;
    let txn = crate::db::begin(&state.db).await?;
    let (conv, _) = views::find_visible(&txn, viewer, display_id).await?;
    let agent = views::assign(&txn, conv, body.0.assignee_id).await?;
    txn.commit().await?;
    tracing::info!(assignee_id = ?body.0.assignee_id, "conversation assigned");
    Ok(HttpResponse::Ok().json(agent))
}

/// Marks the conversation read for the caller.
#[utoipa::path(params(("account_id" = i64, Path), ("id" = i64, Path, description = "the conversation's per-account number")), responses((status = 200), (status = 404, body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[post("/api/v1/accounts/{account_id}/conversations/{id}/update_last_seen")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id, account_id = path.0, conversation_id = path.1))]
pub async fn update_last_seen(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (account_id, display_id) = path.into_inner();
    let viewer = viewer(&state, &auth, account_id).await?;
    let txn = crate::db::begin(&state.db).await?;
    let (conv, _) = views::find_visible(&txn, viewer, display_id).await?;
    views::mark_seen(&txn, conv, auth.user.id).await?;
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(EmptyObject {}))
}
