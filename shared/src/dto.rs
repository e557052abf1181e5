//! Request and response bodies of the `/api/v1` and `/auth` endpoints (contract.md).

use crate::channel::ChannelType;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Administrator,
    Agent,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Agent => "agent",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "administrator" => Some(Role::Administrator),
            "agent" => Some(Role::Agent),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountMembership {
    pub id: i64,
    pub name: String,
    pub role: Role,
}

/// `POST /auth/sign_in` → `{"data": SessionUser}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionUser {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// The first (default) account, if any.
    pub account_id: Option<i64>,
    pub accounts: Vec<AccountMembership>,
    #[serde(default)]
    pub super_admin: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInResponse {
    pub data: SessionUser,
}

/// `GET /api/v1/profile`: the signed-in user, with the API token for scripts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Profile {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub account_id: Option<i64>,
    pub accounts: Vec<AccountMembership>,
    pub super_admin: bool,
    pub access_token: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Agent {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub availability_status: String,
}

/// `POST …/agents`. `password` may be omitted when the email belongs to an existing user.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateAgent {
    pub name: String,
    pub email: String,
    pub role: Role,
    #[serde(default)]
    pub password: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Inbox {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    pub channel_id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "Channel::Api"))]
    pub channel_type: ChannelType,
    pub provider: Option<String>,
    pub medium: Option<String>,
    pub phone_number: Option<String>,
    pub instagram_id: Option<String>,
    pub username: Option<String>,
    pub webhook_url: Option<String>,
    /// Voice: where Twilio sends calls and call status (`FRONTEND_URL/twilio/voice/{call,status}/<digits>`).
    #[serde(default)]
    pub voice_call_webhook_url: Option<String>,
    #[serde(default)]
    pub voice_status_webhook_url: Option<String>,
    pub reauthorization_required: bool,
    /// The language the inbox speaks to customers in (`en`, `es`, `pt-BR`): voice greetings use it.
    #[serde(default = "default_locale")]
    pub locale: String,
    /// Instagram: when the long-lived token expires (Unix seconds).
    #[serde(default)]
    pub token_expires_at: Option<i64>,
    pub created_at: i64,
    /// Set on create when provisioning succeeded only in part (e.g. the number is not in the Twilio account).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provisioning_warnings: Vec<String>,
}

fn default_locale() -> String {
    "en".to_owned()
}

/// Languages an inbox can speak (the SPA's locales).
pub const INBOX_LOCALES: [&str; 3] = ["en", "es", "pt-BR"];

impl Inbox {
    pub fn icon(&self) -> &'static str {
        crate::channel::channel_icon(
            Some(&self.channel_type),
            self.provider.as_deref(),
            self.medium.as_deref(),
        )
    }
}

/// Chatwoot's list envelope.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Payload<T> {
    pub payload: T,
}

/// `POST …/inboxes`: `channel.type` picks the channel kind.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateInbox {
    pub name: String,
    pub channel: NewChannel,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NewChannel {
    Api {
        #[serde(default)]
        webhook_url: Option<String>,
    },
    Voice(NewVoiceChannel),
}

/// `channel` of a voice inbox. Every field is optional at the JSON level so that validation can report all
/// missing ones at once (`shared::validate::voice_channel`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewVoiceChannel {
    #[serde(default)]
    pub phone_number: Option<String>,
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub provider_config: Option<TwilioConfig>,
}

/// Twilio credentials: the account SID and auth token (checked first) and an API key used for provisioning.
/// Never serialized in a response: only requests carry it.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TwilioConfig {
    #[serde(default)]
    pub account_sid: Option<String>,
    #[serde(default)]
    pub auth_token: Option<String>,
    #[serde(default)]
    pub api_key_sid: Option<String>,
    #[serde(default)]
    pub api_key_secret: Option<String>,
}

impl std::fmt::Debug for TwilioConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwilioConfig")
            .field("account_sid", &self.account_sid)
            .field("api_key_sid", &self.api_key_sid)
            .finish_non_exhaustive()
    }
}

/// `PATCH …/inboxes/{id}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateInbox {
    #[serde(default)]
    pub name: Option<String>,
    /// One of `INBOX_LOCALES`.
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
    pub channel: Option<UpdateChannel>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateChannel {
    #[serde(default)]
    pub webhook_url: Option<String>,
    /// Voice: new Twilio credentials (re-checked with Twilio before they are stored).
    #[serde(default)]
    pub provider_config: Option<TwilioConfig>,
}

/// `POST/PATCH/DELETE …/inbox_members`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxMembersRequest {
    pub inbox_id: i64,
    pub user_ids: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    pub status: String,
}

/// `switchboard create-admin` prints one line of this.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedAdmin {
    pub user_id: i64,
    pub account_id: Option<i64>,
    pub access_token: String,
}

/// `GET/POST /api/v1/super_admin/app_config?config=instagram`. Secrets are masked (`"••••"`) when set, `null`
/// when not; `configured` says whether the app id and secret are both known (stored or from the environment).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstagramAppConfig {
    #[serde(rename = "INSTAGRAM_APP_ID")]
    pub app_id: Option<String>,
    #[serde(rename = "INSTAGRAM_APP_SECRET")]
    pub app_secret: Option<String>,
    #[serde(rename = "INSTAGRAM_VERIFY_TOKEN")]
    pub verify_token: Option<String>,
    #[serde(rename = "INSTAGRAM_API_VERSION")]
    pub api_version: String,
    #[serde(rename = "ENABLE_INSTAGRAM_CHANNEL_HUMAN_AGENT")]
    pub human_agent: bool,
    pub configured: bool,
    /// What to paste into Meta's dashboard, built from `FRONTEND_URL`.
    pub urls: MetaAppUrls,
}

/// `POST /api/v1/super_admin/app_config?config=instagram`: any of the settings; a missing, `null` or masked
/// secret keeps the stored one, and any other key is refused (422).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InstagramAppConfigUpdate {
    #[serde(rename = "INSTAGRAM_APP_ID", default)]
    pub app_id: Option<String>,
    #[serde(rename = "INSTAGRAM_APP_SECRET", default)]
    pub app_secret: Option<String>,
    #[serde(rename = "INSTAGRAM_VERIFY_TOKEN", default)]
    pub verify_token: Option<String>,
    #[serde(rename = "INSTAGRAM_API_VERSION", default)]
    pub api_version: Option<String>,
    #[serde(rename = "ENABLE_INSTAGRAM_CHANNEL_HUMAN_AGENT", default)]
    pub human_agent: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MetaAppUrls {
    pub webhook_callback_url: String,
    pub oauth_redirect_url: String,
    pub deauthorize_url: String,
    pub data_deletion_url: String,
}

/// The mask shown for a stored secret; sending it back leaves the secret unchanged.
pub const SECRET_MASK: &str = "••••";

/// `GET /api/v1/accounts/{id}/instagram/status`: may this account start the Instagram connect flow?
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstagramStatus {
    pub configured: bool,
}

/// `POST /api/v1/accounts/{id}/instagram/authorization` → the URL to send the browser to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthorizationUrl {
    pub success: bool,
    pub url: String,
}
