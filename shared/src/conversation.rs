//! Conversations, messages and contacts as the API shows them (contract.md "Conversations", Chatwoot's shapes).

use crate::dto::{Agent, Inbox};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Page size of `GET …/conversations`.
pub const CONVERSATIONS_PER_PAGE: u64 = 25;
/// Page size of `GET …/conversations/{id}/messages`.
pub const MESSAGES_PER_PAGE: u64 = 20;

/// Chatwoot's integer `message_type`.
pub const MESSAGE_INCOMING: i16 = 0;
pub const MESSAGE_OUTGOING: i16 = 1;
pub const MESSAGE_ACTIVITY: i16 = 2;
pub const MESSAGE_TEMPLATE: i16 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConversationStatus {
    Open,
    Resolved,
    Pending,
}

impl ConversationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConversationStatus::Open => "open",
            ConversationStatus::Resolved => "resolved",
            ConversationStatus::Pending => "pending",
        }
    }

    pub fn parse(s: &str) -> Option<ConversationStatus> {
        match s {
            "open" => Some(ConversationStatus::Open),
            "resolved" => Some(ConversationStatus::Resolved),
            "pending" => Some(ConversationStatus::Pending),
            _ => None,
        }
    }

    /// What `toggle_status` without a status does (as Chatwoot): open ↔ resolved, pending → open.
    pub fn toggled(self) -> ConversationStatus {
        match self {
            ConversationStatus::Open => ConversationStatus::Resolved,
            ConversationStatus::Resolved | ConversationStatus::Pending => ConversationStatus::Open,
        }
    }
}

/// `?status=` of the conversation list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    #[default]
    Open,
    Resolved,
    Pending,
    All,
}

impl StatusFilter {
    pub fn status(self) -> Option<ConversationStatus> {
        match self {
            StatusFilter::Open => Some(ConversationStatus::Open),
            StatusFilter::Resolved => Some(ConversationStatus::Resolved),
            StatusFilter::Pending => Some(ConversationStatus::Pending),
            StatusFilter::All => None,
        }
    }
}

/// `?assignee_type=`: Chatwoot's mine / unassigned / all tabs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AssigneeType {
    Me,
    Unassigned,
    #[default]
    All,
}

/// The query string of `GET …/conversations`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ConversationFilters {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(inline))]
    pub status: Option<StatusFilter>,
    #[serde(default)]
    pub inbox_id: Option<i64>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(inline))]
    pub assignee_type: Option<AssigneeType>,
    /// 1-based.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(maximum = 1_000_000))]
    pub page: Option<u64>,
}

/// The highest `?page=` of the conversation list (25 per page: far beyond any account's conversations, and
/// small enough that the row offset fits the databases' signed 64-bit integers).
pub const MAX_PAGE: u64 = 1_000_000;

/// The query string of `GET …/conversations/{id}/messages`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct MessageFilters {
    /// Only messages older than this message id.
    #[serde(default)]
    pub before: Option<i64>,
}

/// `GET …/conversations` → `{"data": {"meta": …, "payload": […]}}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationList {
    pub data: ConversationPage,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationPage {
    pub meta: ConversationCounts,
    pub payload: Vec<Conversation>,
}

/// Open conversations the caller can see: assigned to them, without assignee, all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationCounts {
    pub mine_count: u64,
    pub unassigned_count: u64,
    pub all_count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conversation {
    /// The per-account number (Chatwoot's `display_id`).
    pub id: i64,
    pub account_id: i64,
    pub inbox_id: i64,
    pub status: ConversationStatus,
    pub assignee_id: Option<i64>,
    /// Incoming messages the assignee (or, unassigned, any agent) has not seen yet.
    pub unread_count: u64,
    pub agent_last_seen_at: Option<i64>,
    /// Last activity (Unix seconds).
    pub timestamp: i64,
    /// False when the channel no longer lets us write (Instagram's messaging window has closed).
    pub can_reply: bool,
    pub reply_window_ends_at: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub additional_attributes: Value,
    pub meta: ConversationMeta,
    /// The last message, if any.
    pub messages: Vec<Message>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationMeta {
    pub sender: ConversationSender,
    pub assignee: Option<Agent>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationSender {
    pub id: i64,
    pub name: String,
    /// Avatar URL; empty when there is none (as Chatwoot).
    pub thumbnail: String,
    /// The inbox's `channel_type` (`Channel::Instagram`, …).
    pub channel: String,
}

/// `GET …/conversations/{id}/messages`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageList {
    pub meta: MessageListMeta,
    pub payload: Vec<Message>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageListMeta {
    pub contact: ContactSummary,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactSummary {
    pub id: i64,
    pub name: String,
    pub thumbnail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    pub id: i64,
    pub content: Option<String>,
    pub account_id: i64,
    pub inbox_id: i64,
    /// The conversation's per-account number.
    pub conversation_id: i64,
    /// 0 incoming, 1 outgoing, 2 activity, 3 template.
    pub message_type: i16,
    pub created_at: i64,
    pub private: bool,
    /// `progress`, `sent`, `delivered`, `read` or `failed`.
    pub status: String,
    pub source_id: Option<String>,
    pub content_type: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub content_attributes: Value,
    /// `Contact` or `User`.
    pub sender_type: Option<String>,
    pub sender_id: Option<i64>,
    pub sender: Option<MessageSender>,
    pub attachments: Vec<Attachment>,
}

impl Message {
    pub fn is_incoming(&self) -> bool {
        self.message_type == MESSAGE_INCOMING
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageSender {
    pub id: i64,
    pub name: String,
    pub thumbnail: String,
    /// `contact` or `user`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// The attachment kind of an uploaded file, from its MIME type.
pub fn file_type_of(content_type: &str) -> &'static str {
    match content_type.split('/').next().unwrap_or_default() {
        "image" => "image",
        "video" => "video",
        "audio" => "audio",
        _ => "file",
    }
}

/// Files one reply may carry (as Chatwoot's `attachments[]`).
pub const MAX_REPLY_FILES: usize = 10;
/// The largest file a reply may carry or an incoming attachment may be (Instagram's limit for video and audio).
pub const MAX_FILE_BYTES: usize = 25 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    pub id: i64,
    /// `image`, `video`, `audio`, `file`, …
    pub file_type: String,
    pub data_url: String,
    /// The image itself for images; empty otherwise.
    pub thumb_url: String,
}

/// `POST …/conversations/{id}/toggle_status`; without `status` it toggles open ↔ resolved.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ToggleStatus {
    #[serde(default)]
    pub status: Option<ConversationStatus>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ToggleStatusResponse {
    pub meta: EmptyObject,
    pub payload: ToggleStatusResult,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ToggleStatusResult {
    pub success: bool,
    pub current_status: ConversationStatus,
    /// The conversation's per-account number.
    pub conversation_id: i64,
}

/// `{}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmptyObject {}

/// `POST …/conversations/{id}/assignments`; a null or missing `assignee_id` unassigns.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignConversation {
    #[serde(default)]
    pub assignee_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone_number: Option<String>,
    pub identifier: Option<String>,
    pub thumbnail: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub additional_attributes: Value,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom_attributes: Value,
    pub created_at: i64,
    pub contact_inboxes: Vec<ContactInbox>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactInbox {
    /// The contact's id on the channel (Instagram-scoped id, phone number, …).
    pub source_id: String,
    pub inbox: Inbox,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toggling_without_a_status_flips_open_and_resolved() {
        assert_eq!(
            ConversationStatus::Open.toggled(),
            ConversationStatus::Resolved
        );
        assert_eq!(
            ConversationStatus::Resolved.toggled(),
            ConversationStatus::Open
        );
        assert_eq!(
            ConversationStatus::Pending.toggled(),
            ConversationStatus::Open
        );
    }

    #[test]
    fn statuses_round_trip_as_chatwoot_spells_them() {
        for s in ["open", "resolved", "pending"] {
            assert_eq!(ConversationStatus::parse(s).map(|s| s.as_str()), Some(s));
        }
        assert_eq!(
            serde_json::to_value(ToggleStatusResponse {
                meta: EmptyObject {},
                payload: ToggleStatusResult {
                    success: true,
                    current_status: ConversationStatus::Pending,
                    conversation_id: 7
                }
            })
            .unwrap(),
            serde_json::json!({"meta": {}, "payload": {"success": true, "current_status": "pending", "conversation_id": 7}})
        );
    }
}
