//! Conversation, message and contact JSON for the API: who may see which, the list with its tab counts, the
//! thread, and the few changes an agent makes by hand (status, assignee, read marker).

use crate::accounts;
use crate::db::now;
use crate::entities::{
    account_user, attachment, contact, contact_inbox, conversation, inbox, message, user,
};
use crate::error::ApiError;
use crate::inboxes;
use sea_orm::sea_query::{Expr, JoinType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Set,
};
use serde_json::Value;
use shared::conversation::{
    AssigneeType, Attachment, Contact, ContactInbox, ContactSummary, Conversation,
    ConversationCounts, ConversationFilters, ConversationList, ConversationMeta, ConversationPage,
    ConversationSender, ConversationStatus, Message, MessageList, MessageListMeta, MessageSender,
    CONVERSATIONS_PER_PAGE, MESSAGES_PER_PAGE, MESSAGE_INCOMING,
};
use shared::dto::{Agent, Role};
use shared::ChannelType;
use std::collections::HashMap;

/// Instagram lets a business answer for 24 hours after the customer last wrote…
pub const INSTAGRAM_WINDOW_SECS: i64 = 24 * 3600;
/// …or for 7 days with the `HUMAN_AGENT` tag, when the app has that permission.
pub const INSTAGRAM_HUMAN_AGENT_WINDOW_SECS: i64 = 7 * 24 * 3600;

/// What the reply window depends on besides the conversation: the clock and the installation's settings.
#[derive(Debug, Clone, Copy)]
pub struct ReplyPolicy {
    pub now: i64,
    pub instagram_human_agent: bool,
}

/// Whether an agent may still write, and until when: `(can_reply, reply_window_ends_at)`. Only Instagram has a
/// window; it opens when the customer writes.
pub fn reply_window(
    channel: &ChannelType,
    last_incoming_at: Option<i64>,
    policy: ReplyPolicy,
) -> (bool, Option<i64>) {
    if *channel != ChannelType::Instagram {
        return (true, None);
    }
    let Some(last) = last_incoming_at else {
        return (false, None);
    };
    let length = if policy.instagram_human_agent {
        INSTAGRAM_HUMAN_AGENT_WINDOW_SECS
    } else {
        INSTAGRAM_WINDOW_SECS
    };
    let ends = last + length;
    (policy.now < ends, Some(ends))
}

/// The caller and what they may see in one account.
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub account_id: i64,
    pub user_id: i64,
    pub role: Role,
}

/// One conversation by its per-account number, if the caller may see its inbox; 404 otherwise.
pub async fn find_visible(
    db: &impl ConnectionTrait,
    viewer: Viewer,
    display_id: i64,
) -> Result<(conversation::Model, inbox::Model), ApiError> {
    let conv = conversation::Entity::find()
        .filter(conversation::Column::AccountId.eq(viewer.account_id))
        .filter(conversation::Column::DisplayId.eq(display_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let inbox = inboxes::find_visible(
        db,
        viewer.account_id,
        conv.inbox_id,
        viewer.user_id,
        viewer.role,
    )
    .await?;
    Ok((conv, inbox))
}

/// `GET …/conversations`: one page plus the open-conversation counts of the three tabs.
pub async fn list(
    db: &impl ConnectionTrait,
    frontend_url: &str,
    policy: ReplyPolicy,
    viewer: Viewer,
    filters: &ConversationFilters,
) -> Result<ConversationList, ApiError> {
    let visible = inboxes::visible(db, viewer.account_id, viewer.user_id, viewer.role).await?;
    let inbox_ids: Vec<i64> = visible
        .iter()
        .map(|i| i.id)
        .filter(|id| filters.inbox_id.is_none_or(|wanted| wanted == *id))
        .collect();
    let scope = || {
        conversation::Entity::find()
            .filter(conversation::Column::AccountId.eq(viewer.account_id))
            .filter(conversation::Column::InboxId.is_in(inbox_ids.clone()))
    };
    // The three tab counts in one pass over the open conversations. `user_id` is our own integer, not input.
    let (mine, unassigned, all): (i64, i64, i64) = scope()
        .select_only()
        .column_as(
            Expr::cust(format!(
                "COALESCE(SUM(CASE WHEN assignee_id = {} THEN 1 ELSE 0 END), 0)",
                viewer.user_id
            )),
            "mine",
        )
        .column_as(
            Expr::cust("COALESCE(SUM(CASE WHEN assignee_id IS NULL THEN 1 ELSE 0 END), 0)"),
            "unassigned",
        )
        .column_as(Expr::cust("COUNT(*)"), "all_open")
        .filter(conversation::Column::Status.eq(ConversationStatus::Open.as_str()))
        .into_tuple()
        .one(db)
        .await?
        .unwrap_or_default();
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    let meta = ConversationCounts {
        mine_count: count(mine),
        unassigned_count: count(unassigned),
        all_count: count(all),
    };

    let mut q = scope();
    if let Some(status) = filters.status.unwrap_or_default().status() {
        q = q.filter(conversation::Column::Status.eq(status.as_str()));
    }
    q = match filters.assignee_type.unwrap_or_default() {
        AssigneeType::Me => q.filter(conversation::Column::AssigneeId.eq(viewer.user_id)),
        AssigneeType::Unassigned => q.filter(conversation::Column::AssigneeId.is_null()),
        AssigneeType::All => q,
    };
    let page = filters.page.unwrap_or(1).max(1);
    let rows = q
        .order_by_desc(conversation::Column::LastActivityAt)
        .order_by_desc(conversation::Column::Id)
        .offset((page - 1).saturating_mul(CONVERSATIONS_PER_PAGE))
        .limit(CONVERSATIONS_PER_PAGE)
        .all(db)
        .await?;
    Ok(ConversationList {
        data: ConversationPage {
            meta,
            payload: to_dtos(db, frontend_url, policy, &visible, rows).await?,
        },
    })
}

/// Conversation JSON for a page of conversations; `inboxes` must hold every conversation's inbox.
pub async fn to_dtos(
    db: &impl ConnectionTrait,
    frontend_url: &str,
    policy: ReplyPolicy,
    inboxes: &[inbox::Model],
    rows: Vec<conversation::Model>,
) -> Result<Vec<Conversation>, ApiError> {
    let Some(account_id) = rows.first().map(|c| c.account_id) else {
        return Ok(Vec::new());
    };
    let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
    let contacts = contact::Entity::find()
        .filter(contact::Column::Id.is_in(rows.iter().map(|c| c.contact_id).collect::<Vec<_>>()))
        .all(db)
        .await?;
    let assignee_ids: Vec<i64> = rows.iter().filter_map(|c| c.assignee_id).collect();
    let assignees = if assignee_ids.is_empty() {
        Vec::new()
    } else {
        accounts::agents(db, account_id, Some(assignee_ids)).await?
    };
    let unread = unread_counts(db, &ids).await?;
    let last_ids = message::Entity::find()
        .select_only()
        .column_as(message::Column::Id.max(), "last_id")
        .filter(message::Column::ConversationId.is_in(ids))
        .group_by(message::Column::ConversationId)
        .into_query();
    let display_ids: HashMap<i64, i64> = rows.iter().map(|c| (c.id, c.display_id)).collect();
    let last_messages = message::Entity::find()
        .filter(message::Column::Id.in_subquery(last_ids))
        .all(db)
        .await?;
    let mut last_messages = messages_to_dtos(db, frontend_url, &display_ids, last_messages).await?;

    rows.into_iter()
        .map(|c| {
            let channel = inboxes
                .iter()
                .find(|i| i.id == c.inbox_id)
                .map(|i| i.channel_type.clone())
                .ok_or_else(|| {
                    ApiError::Internal(anyhow::anyhow!("inbox {} not loaded", c.inbox_id))
                })?;
            let contact = contacts.iter().find(|p| p.id == c.contact_id);
            let (can_reply, reply_window_ends_at) =
                reply_window(&ChannelType::parse(&channel), c.last_incoming_at, policy);
            let messages = match last_messages
                .iter()
                .position(|m| m.conversation_id == c.display_id)
            {
                Some(at) => vec![last_messages.swap_remove(at)],
                None => Vec::new(),
            };
            Ok(Conversation {
                id: c.display_id,
                account_id: c.account_id,
                inbox_id: c.inbox_id,
                status: status_of(&c)?,
                assignee_id: c.assignee_id,
                unread_count: unread.get(&c.id).copied().unwrap_or(0),
                agent_last_seen_at: c.agent_last_seen_at,
                timestamp: c.last_activity_at,
                can_reply,
                reply_window_ends_at,
                additional_attributes: object(&c.additional_attributes),
                meta: ConversationMeta {
                    sender: ConversationSender {
                        id: c.contact_id,
                        name: contact.map(|p| p.name.clone()).unwrap_or_default(),
                        thumbnail: contact
                            .and_then(|p| p.thumbnail.clone())
                            .unwrap_or_default(),
                        channel,
                    },
                    assignee: c
                        .assignee_id
                        .and_then(|id| assignees.iter().find(|a| a.id == id).cloned()),
                },
                messages,
                created_at: c.created_at,
            })
        })
        .collect()
}

pub async fn to_dto(
    db: &impl ConnectionTrait,
    frontend_url: &str,
    policy: ReplyPolicy,
    inbox: &inbox::Model,
    conv: conversation::Model,
) -> Result<Conversation, ApiError> {
    to_dtos(
        db,
        frontend_url,
        policy,
        std::slice::from_ref(inbox),
        vec![conv],
    )
    .await?
    .pop()
    .ok_or(ApiError::NotFound)
}

/// Incoming messages newer than the reader's marker: the assignee's, or any agent's while unassigned.
async fn unread_counts(
    db: &impl ConnectionTrait,
    conversation_ids: &[i64],
) -> Result<HashMap<i64, u64>, ApiError> {
    let rows: Vec<(i64, i64)> = message::Entity::find()
        .select_only()
        .column(message::Column::ConversationId)
        .column_as(message::Column::Id.count(), "unread")
        .join(JoinType::InnerJoin, message_conversation())
        .filter(message::Column::ConversationId.is_in(conversation_ids.to_vec()))
        .filter(message::Column::MessageType.eq(MESSAGE_INCOMING))
        .filter(Expr::cust(
            "messages.created_at > COALESCE(CASE WHEN conversations.assignee_id IS NULL \
             THEN conversations.agent_last_seen_at ELSE conversations.assignee_last_seen_at END, -1)",
        ))
        .group_by(message::Column::ConversationId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, n)| (id, u64::try_from(n).unwrap_or(0)))
        .collect())
}

fn message_conversation() -> sea_orm::RelationDef {
    message::Entity::belongs_to(conversation::Entity)
        .from(message::Column::ConversationId)
        .to(conversation::Column::Id)
        .into()
}

pub fn status_of(c: &conversation::Model) -> Result<ConversationStatus, ApiError> {
    ConversationStatus::parse(&c.status).ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!(
            "conversation {} has unknown status {:?}",
            c.id,
            c.status
        ))
    })
}

/// A JSON object column; anything unreadable shows as `{}` rather than failing the whole page.
fn object(text: &str) -> Value {
    serde_json::from_str::<Value>(text)
        .ok()
        .filter(Value::is_object)
        .unwrap_or_else(|| Value::Object(Default::default()))
}

/// `GET …/conversations/{id}/messages`: up to 20 messages older than `before`, oldest first.
pub async fn messages(
    db: &impl ConnectionTrait,
    frontend_url: &str,
    conv: &conversation::Model,
    before: Option<i64>,
) -> Result<MessageList, ApiError> {
    let mut q = message::Entity::find().filter(message::Column::ConversationId.eq(conv.id));
    if let Some(before) = before {
        q = q.filter(message::Column::Id.lt(before));
    }
    let mut rows = q
        .order_by_desc(message::Column::Id)
        .limit(MESSAGES_PER_PAGE)
        .all(db)
        .await?;
    rows.reverse();
    let contact = contact::Entity::find_by_id(conv.contact_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let display_ids = HashMap::from([(conv.id, conv.display_id)]);
    Ok(MessageList {
        meta: MessageListMeta {
            contact: ContactSummary {
                id: contact.id,
                name: contact.name,
                thumbnail: contact.thumbnail.unwrap_or_default(),
            },
        },
        payload: messages_to_dtos(db, frontend_url, &display_ids, rows).await?,
    })
}

/// Message JSON, loading attachments and senders once for the whole batch. `display_ids` maps each
/// conversation's row id to its per-account number.
pub async fn messages_to_dtos(
    db: &impl ConnectionTrait,
    frontend_url: &str,
    display_ids: &HashMap<i64, i64>,
    rows: Vec<message::Model>,
) -> Result<Vec<Message>, ApiError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let attachments = attachment::Entity::find()
        .filter(attachment::Column::MessageId.is_in(rows.iter().map(|m| m.id).collect::<Vec<_>>()))
        .order_by_asc(attachment::Column::Id)
        .all(db)
        .await?;
    let sender_ids = |kind: &str| -> Vec<i64> {
        rows.iter()
            .filter(|m| m.sender_type.as_deref() == Some(kind))
            .filter_map(|m| m.sender_id)
            .collect()
    };
    let (contact_ids, user_ids) = (sender_ids(SENDER_CONTACT), sender_ids(SENDER_USER));
    let contacts = if contact_ids.is_empty() {
        Vec::new()
    } else {
        contact::Entity::find()
            .filter(contact::Column::Id.is_in(contact_ids))
            .all(db)
            .await?
    };
    let users = if user_ids.is_empty() {
        Vec::new()
    } else {
        user::Entity::find()
            .filter(user::Column::Id.is_in(user_ids))
            .all(db)
            .await?
    };
    Ok(rows
        .into_iter()
        .map(|m| {
            let sender = match (m.sender_type.as_deref(), m.sender_id) {
                (Some(SENDER_CONTACT), Some(id)) => {
                    contacts.iter().find(|c| c.id == id).map(|c| MessageSender {
                        id,
                        name: c.name.clone(),
                        thumbnail: c.thumbnail.clone().unwrap_or_default(),
                        kind: "contact".to_owned(),
                    })
                }
                (Some(SENDER_USER), Some(id)) => {
                    users.iter().find(|u| u.id == id).map(|u| MessageSender {
                        id,
                        name: u.name.clone(),
                        thumbnail: String::new(),
                        kind: "user".to_owned(),
                    })
                }
                _ => None,
            };
            Message {
                id: m.id,
                content: m.content,
                account_id: m.account_id,
                inbox_id: m.inbox_id,
                conversation_id: display_ids.get(&m.conversation_id).copied().unwrap_or(0),
                message_type: m.message_type,
                created_at: m.created_at,
                private: m.private,
                status: m.status,
                source_id: m.source_id,
                content_type: m.content_type,
                content_attributes: object(&m.content_attributes),
                sender_type: m.sender_type,
                sender_id: m.sender_id,
                sender,
                attachments: attachments
                    .iter()
                    .filter(|a| a.message_id == m.id)
                    .map(|a| attachment_dto(frontend_url, a))
                    .collect(),
            }
        })
        .collect())
}

const SENDER_CONTACT: &str = "Contact";
const SENDER_USER: &str = "User";

/// Our own copy once it is downloaded (served by the attachment endpoint), the provider's URL until then.
fn attachment_dto(frontend_url: &str, a: &attachment::Model) -> Attachment {
    let data_url = match (&a.file_key, &a.external_url) {
        (Some(_), _) => format!(
            "{frontend_url}/api/v1/accounts/{}/attachments/{}/file",
            a.account_id, a.id
        ),
        (None, Some(url)) => url.clone(),
        (None, None) => String::new(),
    };
    let thumb_url = if a.file_type == "image" {
        data_url.clone()
    } else {
        String::new()
    };
    Attachment {
        id: a.id,
        file_type: a.file_type.clone(),
        data_url,
        thumb_url,
    }
}

pub async fn set_status(
    db: &impl ConnectionTrait,
    conv: conversation::Model,
    requested: Option<ConversationStatus>,
) -> Result<conversation::Model, ApiError> {
    let status = match requested {
        Some(s) => s,
        None => status_of(&conv)?.toggled(),
    };
    let mut active: conversation::ActiveModel = conv.into();
    active.status = Set(status.as_str().to_owned());
    active.updated_at = Set(now());
    Ok(active.update(db).await?)
}

/// Sets or clears the assignee, who must belong to the account; the new assignee has read nothing yet.
pub async fn assign(
    db: &impl ConnectionTrait,
    conv: conversation::Model,
    assignee_id: Option<i64>,
) -> Result<Option<Agent>, ApiError> {
    let agent = match assignee_id {
        None => None,
        Some(id) => {
            let member = account_user::Entity::find()
                .filter(account_user::Column::AccountId.eq(conv.account_id))
                .filter(account_user::Column::UserId.eq(id))
                .one(db)
                .await?;
            if member.is_none() {
                return Err(ApiError::field(
                    "assignee_id",
                    "is not an agent of this account",
                ));
            }
            accounts::agents(db, conv.account_id, Some(vec![id]))
                .await?
                .pop()
        }
    };
    if conv.assignee_id != assignee_id {
        let mut active: conversation::ActiveModel = conv.into();
        active.assignee_id = Set(assignee_id);
        active.assignee_last_seen_at = Set(None);
        active.updated_at = Set(now());
        active.update(db).await?;
    }
    Ok(agent)
}

/// Marks the conversation read for the caller: for every agent, and as the assignee when it is theirs.
pub async fn mark_seen(
    db: &impl ConnectionTrait,
    conv: conversation::Model,
    user_id: i64,
) -> Result<(), ApiError> {
    let at = now();
    let is_assignee = conv.assignee_id == Some(user_id);
    let mut active: conversation::ActiveModel = conv.into();
    active.agent_last_seen_at = Set(Some(at));
    if is_assignee {
        active.assignee_last_seen_at = Set(Some(at));
    }
    active.update(db).await?;
    Ok(())
}

/// A contact of the account the caller may see: administrators any, agents those who wrote to one of their
/// inboxes. Only the inboxes the caller can see are listed.
pub async fn contact(
    db: &impl ConnectionTrait,
    frontend_url: &str,
    viewer: Viewer,
    contact_id: i64,
) -> Result<Contact, ApiError> {
    let found = contact::Entity::find_by_id(contact_id)
        .filter(contact::Column::AccountId.eq(viewer.account_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let links = contact_inbox::Entity::find()
        .filter(contact_inbox::Column::ContactId.eq(found.id))
        .order_by_asc(contact_inbox::Column::Id)
        .all(db)
        .await?;
    let visible = inboxes::visible(db, viewer.account_id, viewer.user_id, viewer.role).await?;
    let links: Vec<_> = links
        .into_iter()
        .filter(|l| visible.iter().any(|i| i.id == l.inbox_id))
        .collect();
    if viewer.role == Role::Agent && links.is_empty() {
        return Err(ApiError::NotFound);
    }
    let linked: Vec<inbox::Model> = visible
        .into_iter()
        .filter(|i| links.iter().any(|l| l.inbox_id == i.id))
        .collect();
    let dtos = inboxes::to_dtos(db, frontend_url, linked).await?;
    let contact_inboxes = links
        .into_iter()
        .filter_map(|l| {
            dtos.iter()
                .find(|i| i.id == l.inbox_id)
                .map(|i| ContactInbox {
                    source_id: l.source_id,
                    inbox: i.clone(),
                })
        })
        .collect();
    Ok(Contact {
        id: found.id,
        name: found.name,
        email: found.email,
        phone_number: found.phone_number,
        identifier: found.identifier,
        thumbnail: found.thumbnail.unwrap_or_default(),
        additional_attributes: object(&found.additional_attributes),
        custom_attributes: object(&found.custom_attributes),
        created_at: found.created_at,
        contact_inboxes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;
    const HOUR: i64 = 3600;

    fn policy(human_agent: bool) -> ReplyPolicy {
        ReplyPolicy {
            now: NOW,
            instagram_human_agent: human_agent,
        }
    }

    #[test]
    fn channels_without_a_window_can_always_reply() {
        for channel in [ChannelType::Api, ChannelType::Voice, ChannelType::WebWidget] {
            assert_eq!(reply_window(&channel, None, policy(false)), (true, None));
            assert_eq!(
                reply_window(&channel, Some(NOW - 30 * 24 * HOUR), policy(false)),
                (true, None)
            );
        }
    }

    #[test]
    fn instagram_needs_the_customer_to_have_written() {
        assert_eq!(
            reply_window(&ChannelType::Instagram, None, policy(true)),
            (false, None)
        );
    }

    #[test]
    fn instagram_closes_24_hours_after_the_last_incoming_message() {
        let ig = ChannelType::Instagram;
        assert_eq!(
            reply_window(&ig, Some(NOW - 23 * HOUR), policy(false)),
            (true, Some(NOW + HOUR))
        );
        assert_eq!(
            reply_window(&ig, Some(NOW - 24 * HOUR), policy(false)),
            (false, Some(NOW))
        );
    }

    #[test]
    fn the_human_agent_tag_stretches_the_instagram_window_to_7_days() {
        let ig = ChannelType::Instagram;
        assert_eq!(
            reply_window(&ig, Some(NOW - 25 * HOUR), policy(true)),
            (true, Some(NOW - 25 * HOUR + 7 * 24 * HOUR))
        );
        assert!(!reply_window(&ig, Some(NOW - 7 * 24 * HOUR - 1), policy(true)).0);
    }

    #[test]
    fn attachments_point_at_our_copy_once_downloaded() {
        let mut a = attachment::Model {
            id: 9,
            account_id: 2,
            message_id: 1,
            file_type: "image".to_owned(),
            external_url: Some("https://cdn.example/x.jpg".to_owned()),
            file_key: None,
            content_type: None,
            byte_size: None,
            created_at: NOW,
        };
        let remote = attachment_dto("https://sb.test", &a);
        a.file_key = Some("k".to_owned());
        let local = attachment_dto("https://sb.test", &a);
        a.file_type = "audio".to_owned();
        let audio = attachment_dto("https://sb.test", &a);

        assert_eq!(remote.data_url, "https://cdn.example/x.jpg");
        assert_eq!(remote.thumb_url, remote.data_url);
        assert_eq!(
            local.data_url,
            "https://sb.test/api/v1/accounts/2/attachments/9/file"
        );
        assert_eq!(audio.thumb_url, "");
    }

    #[test]
    fn unreadable_attribute_columns_show_as_empty_objects() {
        assert_eq!(object(r#"{"a":1}"#), serde_json::json!({"a": 1}));
        assert_eq!(object("[1]"), serde_json::json!({}));
        assert_eq!(object("not json"), serde_json::json!({}));
    }
}
