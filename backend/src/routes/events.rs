use crate::auth::{role_in, AuthUser};
use crate::error::ApiError;
use crate::events::Event;
use crate::inboxes;
use crate::state::AppState;
use actix_web::web::Bytes;
use actix_web::{get, web, HttpResponse};
use std::collections::HashSet;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

const KEEPALIVE: Duration = Duration::from_secs(20);

/// Server-sent events for the account's dashboard: `event: message.created` + `data: {"conversation_id":…}`.
/// Agents hear only about inboxes they are members of.
#[utoipa::path(params(("account_id" = i64, Path)), responses((status = 200, description = "server-sent events", content_type = "text/event-stream"), (status = 404, body = shared::ErrorBody)), security(("api_access_token" = [])))]
#[get("/api/v1/accounts/{account_id}/events")]
#[tracing::instrument(skip_all, fields(user_id = auth.user.id, account_id = *path))]
pub async fn stream(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let account_id = path.into_inner();
    let role = role_in(&state.db, &auth, account_id).await?;
    let visible: HashSet<i64> = inboxes::visible(&state.db, account_id, auth.user.id, role)
        .await?
        .into_iter()
        .map(|i| i.id)
        .collect();
    let rx = state.events.subscribe();
    let first = Bytes::from_static(b"retry: 3000\n: connected\n\n");
    let body = futures_util::stream::unfold((rx, Some(first)), move |(mut rx, pending)| {
        let visible = visible.clone();
        async move {
            if let Some(b) = pending {
                return Some((Ok::<_, actix_web::Error>(b), (rx, None)));
            }
            loop {
                match tokio::time::timeout(KEEPALIVE, rx.recv()).await {
                    Err(_) => {
                        return Some((Ok(Bytes::from_static(b": keep-alive\n\n")), (rx, None)))
                    }
                    Ok(Ok(ev)) if relevant(&ev, account_id, &visible) => {
                        let data = serde_json::json!({ "conversation_id": ev.conversation_id, "inbox_id": ev.inbox_id });
                        return Some((
                            Ok(Bytes::from(format!("event: {}\ndata: {data}\n\n", ev.kind))),
                            (rx, None),
                        ));
                    }
                    Ok(Ok(_)) => continue,
                    // Fell behind: tell the client to refetch everything.
                    Ok(Err(RecvError::Lagged(_))) => {
                        return Some((
                            Ok(Bytes::from_static(b"event: resync\ndata: {}\n\n")),
                            (rx, None),
                        ))
                    }
                    Ok(Err(RecvError::Closed)) => return None,
                }
            }
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body))
}

fn relevant(ev: &Event, account_id: i64, visible: &HashSet<i64>) -> bool {
    ev.account_id == account_id && visible.contains(&ev.inbox_id)
}
