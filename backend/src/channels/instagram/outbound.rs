//! Sending an agent's reply to Instagram, as a job. The window was judged when the reply was accepted; the job
//! carries whether it needs the HUMAN_AGENT tag.

use super::errors::IgError;
use super::refresh::{usable_token, TokenError};
use crate::conversations::store;
use crate::db::now;
use crate::entities::{
    attachment, channel_instagram, contact_inbox, conversation, inbox, job, message,
};
use crate::error::ApiError;
use crate::global_config;
use crate::jobs::queue::NewJob;
use crate::jobs::worker::{JobError, Outcome};
use crate::state::AppState;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::{json, Value};

pub const JOB_KIND: &str = "instagram_send";
/// Meta's codes that mean "try again later".
pub const TRANSIENT_CODES: [i64; 5] = [1, 2, 4, 17, 32];
pub const RATE_LIMIT_CODES: [i64; 4] = [4, 17, 32, 613];

pub fn send_job(message_id: i64, conversation_row_id: i64, human_agent_tag: bool) -> NewJob {
    NewJob {
        kind: JOB_KIND,
        payload: json!({ "message_id": message_id, "human_agent": human_agent_tag }).to_string(),
        // A conversation's replies leave in the order they were written.
        ordering_key: Some(format!("send:{conversation_row_id}")),
    }
}

/// The Messaging API body for one text.
pub fn text_body(igsid: &str, text: &str, human_agent: bool) -> Value {
    let mut body = json!({ "recipient": { "id": igsid }, "message": { "text": text } });
    if human_agent {
        body["messaging_type"] = json!("MESSAGE_TAG");
        body["tag"] = json!("HUMAN_AGENT");
    }
    body
}

/// The Messaging API body for one attachment by public URL.
pub fn attachment_body(igsid: &str, file_type: &str, url: &str, human_agent: bool) -> Value {
    let kind = match file_type {
        "image" | "video" | "audio" => file_type,
        _ => "file",
    };
    let mut body = json!({ "recipient": { "id": igsid }, "message": { "attachment": { "type": kind, "payload": { "url": url } } } });
    if human_agent {
        body["messaging_type"] = json!("MESSAGE_TAG");
        body["tag"] = json!("HUMAN_AGENT");
    }
    body
}

/// Whether a failed send is tried again by itself: when Instagram refused it for now (a 5xx, a rate limit) or
/// could not be reached at all. Not when it was sent and no answer came (a timeout, a broken connection):
/// Instagram may have delivered it, and sending it again would give the customer the message twice; the
/// message fails with that said, and the agent decides (the retry action).
fn is_transient(e: &IgError) -> bool {
    match e {
        IgError::Transport(_) => true,
        IgError::Timeout | IgError::Interrupted(_) => false,
        IgError::Api { status, code, .. } => {
            *status >= 500 || TRANSIENT_CODES.contains(code) || RATE_LIMIT_CODES.contains(code)
        }
        IgError::InvalidResponse(_) => false,
    }
}

/// What an agent reads on a failed message.
fn external_error(e: &IgError) -> String {
    let hint = match e {
        IgError::Api { code: 551, .. } => " (this person isn't available right now)",
        IgError::Api {
            code: 10,
            subcode: Some(2018278),
            ..
        } => " (outside the messaging window)",
        IgError::Timeout | IgError::Interrupted(_) => {
            " (Instagram may have delivered it: check the conversation on Instagram before sending it again)"
        }
        _ => "",
    };
    match e {
        IgError::Api { code, message, .. } => format!("{code} - {message}{hint}"),
        other => format!("{} - {other}{hint}", other.code()),
    }
}

async fn mark(
    state: &AppState,
    msg: &message::Model,
    status: &str,
    source_id: Option<String>,
    error: Option<String>,
) -> Result<(), ApiError> {
    let mut active = message::ActiveModel {
        id: Set(msg.id),
        status: Set(status.to_owned()),
        updated_at: Set(now()),
        ..Default::default()
    };
    if source_id.is_some() {
        active.source_id = Set(source_id);
    }
    let mut attrs = store::attributes(msg);
    match error {
        Some(e) => attrs["external_error"] = json!(e),
        None => {
            if let Some(o) = attrs.as_object_mut() {
                o.remove("external_error");
            }
        }
    }
    active.content_attributes = Set(attrs.to_string());
    active.update(&state.db).await?;
    crate::events::conversation_changed(state, msg.conversation_id, "message.updated").await;
    Ok(())
}

/// Notes that the first `parts` parts of `msg` were accepted, before the next one is tried.
async fn record_parts_sent(
    state: &AppState,
    msg: &message::Model,
    parts: usize,
) -> Result<(), JobError> {
    message::Entity::update_many()
        .col_expr(
            message::Column::PartsSent,
            Expr::value(i32::try_from(parts).unwrap_or(i32::MAX)),
        )
        .filter(message::Column::Id.eq(msg.id))
        .exec(&state.db)
        .await
        .map_err(|e| JobError::Db(e.into()))?;
    Ok(())
}

pub async fn run(state: &AppState, job: &job::Model, payload: &Value) -> Result<Outcome, JobError> {
    let db_err = |e: sea_orm::DbErr| JobError::Db(e.into());
    let Some(msg) = message::Entity::find_by_id(payload["message_id"].as_i64().unwrap_or_default())
        .one(&state.db)
        .await
        .map_err(db_err)?
    else {
        return Ok(Outcome::Done);
    };
    if msg.status != "progress" {
        return Ok(Outcome::Done);
    }
    let conv = conversation::Entity::find_by_id(msg.conversation_id)
        .one(&state.db)
        .await
        .map_err(db_err)?
        .ok_or_else(|| JobError::Retry("conversation gone".into()))?;
    let inbox = inbox::Entity::find_by_id(conv.inbox_id)
        .one(&state.db)
        .await
        .map_err(db_err)?
        .ok_or_else(|| JobError::Retry("inbox gone".into()))?;
    let channel = channel_instagram::Entity::find_by_id(inbox.channel_id)
        .one(&state.db)
        .await
        .map_err(db_err)?
        .ok_or_else(|| JobError::Retry("channel gone".into()))?;
    let ci = contact_inbox::Entity::find_by_id(conv.contact_inbox_id)
        .one(&state.db)
        .await
        .map_err(db_err)?
        .ok_or_else(|| JobError::Retry("contact gone".into()))?;
    let token = match usable_token(state, &channel).await {
        Ok(t) => t,
        Err(TokenError::NeedsReauthorization) => {
            mark(
                state,
                &msg,
                "failed",
                None,
                Some("190 - The Instagram connection must be renewed: reconnect the inbox.".into()),
            )
            .await?;
            return Ok(Outcome::Done);
        }
        Err(TokenError::Db(e)) => return Err(JobError::Db(e)),
    };
    let version = global_config::instagram(state).await?.api_version.clone();
    let human_agent = payload["human_agent"].as_bool().unwrap_or(false);
    let files = attachment::Entity::find()
        .filter(attachment::Column::MessageId.eq(msg.id))
        .order_by_asc(attachment::Column::Id)
        .all(&state.db)
        .await
        .map_err(db_err)?;
    let mut bodies: Vec<Value> = files
        .iter()
        .filter_map(|a| {
            // Our own copy goes out as a signed, expiring public link; otherwise the provider's URL.
            let url = match &a.file_key {
                Some(key) => Some(crate::files::signed_url(
                    state,
                    key,
                    crate::files::PUBLIC_LINK_TTL_SECS,
                )),
                None => a.external_url.clone(),
            }?;
            Some(attachment_body(
                &ci.source_id,
                &a.file_type,
                &url,
                human_agent,
            ))
        })
        .collect();
    if let Some(text) = msg.content.as_deref().filter(|t| !t.trim().is_empty()) {
        bodies.push(text_body(&ci.source_id, text, human_agent));
    }
    let mut last_id = None;
    // Parts accepted by an earlier try are not sent again: the customer has them.
    let already = usize::try_from(msg.parts_sent).unwrap_or(0);
    for (n, body) in bodies.iter().enumerate().skip(already) {
        match state
            .graph
            .send_message(&version, &channel.instagram_id, &token, body)
            .await
        {
            Ok(id) => {
                last_id = Some(id);
                if n + 1 < bodies.len() {
                    record_parts_sent(state, &msg, n + 1).await?;
                }
            }
            Err(e) if is_transient(&e) && job.attempts < job.max_attempts => {
                return Err(JobError::Retry(e.to_string()))
            }
            Err(e) => {
                if e.is_invalid_token() {
                    channel_instagram::Entity::update_many()
                        .col_expr(
                            channel_instagram::Column::ReauthorizationRequired,
                            Expr::value(true),
                        )
                        .filter(channel_instagram::Column::Id.eq(channel.id))
                        .exec(&state.db)
                        .await
                        .map_err(db_err)?;
                }
                tracing::warn!(message_id = msg.id, error = %e, "Instagram send failed");
                mark(state, &msg, "failed", None, Some(external_error(&e))).await?;
                return Ok(Outcome::Done);
            }
        }
    }
    mark(state, &msg, "sent", last_id, None).await?;
    Ok(Outcome::Done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_follow_the_messaging_api() {
        assert_eq!(
            text_body("1", "hi", false),
            json!({"recipient": {"id": "1"}, "message": {"text": "hi"}})
        );
        let tagged = text_body("1", "hi", true);
        assert_eq!(
            (tagged["messaging_type"].as_str(), tagged["tag"].as_str()),
            (Some("MESSAGE_TAG"), Some("HUMAN_AGENT"))
        );
        assert_eq!(
            attachment_body("1", "document", "https://x/f.pdf", false)["message"]["attachment"]
                ["type"],
            "file"
        );
        assert_eq!(
            attachment_body("1", "image", "https://x/a.jpg", false)["message"]["attachment"]
                ["payload"]["url"],
            "https://x/a.jpg"
        );
    }

    #[test]
    fn failures_read_as_code_and_message() {
        let e = IgError::Api {
            status: 400,
            error_type: "OAuthException".into(),
            code: 551,
            subcode: None,
            message: "This person isn't available right now.".into(),
        };
        assert!(external_error(&e).starts_with("551 - "));
        assert!(!is_transient(&e));
        let limit = IgError::Api {
            status: 400,
            error_type: "OAuthException".into(),
            code: 613,
            subcode: None,
            message: "limit".into(),
        };
        assert!(is_transient(&limit));
        assert!(is_transient(&IgError::Transport(
            "connection refused".into()
        )));
        assert!(!is_transient(&IgError::Timeout));
        assert!(!is_transient(&IgError::Interrupted(
            "connection reset".into()
        )));
    }
}
