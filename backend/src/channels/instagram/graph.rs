//! The one client for Instagram's Graph API (`INSTAGRAM_GRAPH_URL`): token exchange and refresh, `/me`,
//! webhook subscriptions. Tokens travel as query parameters, as Meta documents; they never reach a log line.

use super::errors::IgError;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use std::time::Duration;

pub const SUBSCRIBED_FIELDS: &str = "messages,message_reactions,messaging_seen";

#[derive(Clone)]
pub struct GraphClient {
    base: String,
    http: reqwest::Client,
}

/// A long-lived token and its lifetime in seconds.
pub struct LongLivedToken {
    pub access_token: SecretString,
    pub expires_in: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Me {
    /// The professional account id: what webhooks call the business (not the app-scoped `id`).
    pub user_id: Value,
    pub username: String,
    #[serde(default)]
    pub name: Option<String>,
}

impl Me {
    pub fn instagram_id(&self) -> String {
        match &self.user_id {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

#[derive(Deserialize)]
struct TokenBody {
    access_token: String,
    #[serde(default)]
    expires_in: Option<i64>,
}

impl GraphClient {
    pub fn new(base: &str, timeout: Duration) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent("switchboard")
            .build()?;
        Ok(GraphClient {
            base: base.trim_end_matches('/').to_owned(),
            http,
        })
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    async fn call<T: DeserializeOwned>(&self, req: reqwest::RequestBuilder) -> Result<T, IgError> {
        let resp = req
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(transport)?;
        let status = resp.status();
        let text = resp.text().await.map_err(transport)?;
        if !status.is_success() {
            return Err(IgError::from_body(status.as_u16(), &text));
        }
        let v: Value =
            serde_json::from_str(&text).map_err(|e| IgError::InvalidResponse(e.to_string()))?;
        if let Some(e) = IgError::from_ok_body(&v) {
            return Err(e);
        }
        serde_json::from_value(v).map_err(|e| IgError::InvalidResponse(e.to_string()))
    }

    /// Short-lived → long-lived (60 days).
    pub async fn exchange_for_long_lived(
        &self,
        app_secret: &SecretString,
        short: &SecretString,
    ) -> Result<LongLivedToken, IgError> {
        let req = self
            .http
            .get(format!("{}/access_token", self.base))
            .query(&[
                ("grant_type", "ig_exchange_token"),
                ("client_secret", app_secret.expose_secret()),
                ("access_token", short.expose_secret()),
            ]);
        let body: TokenBody = self.call(req).await?;
        Ok(LongLivedToken {
            access_token: SecretString::from(body.access_token),
            expires_in: body.expires_in.unwrap_or(60 * 24 * 3600),
        })
    }

    /// A fresh long-lived token for one that is at least 24 h old and still valid.
    pub async fn refresh(&self, token: &SecretString) -> Result<LongLivedToken, IgError> {
        let req = self
            .http
            .get(format!("{}/refresh_access_token", self.base))
            .query(&[
                ("grant_type", "ig_refresh_token"),
                ("access_token", token.expose_secret()),
            ]);
        let body: TokenBody = self.call(req).await?;
        Ok(LongLivedToken {
            access_token: SecretString::from(body.access_token),
            expires_in: body.expires_in.unwrap_or(60 * 24 * 3600),
        })
    }

    pub async fn me(&self, version: &str, token: &SecretString) -> Result<Me, IgError> {
        let req = self
            .http
            .get(format!("{}/{version}/me", self.base))
            .query(&[
                (
                    "fields",
                    "id,user_id,username,name,profile_picture_url,account_type",
                ),
                ("access_token", token.expose_secret()),
            ]);
        self.call(req).await
    }

    /// A customer's public profile, by their Instagram-scoped id.
    pub async fn profile(
        &self,
        version: &str,
        igsid: &str,
        token: &SecretString,
    ) -> Result<Value, IgError> {
        let req = self.http.get(format!("{}/{version}/{igsid}", self.base)).query(&[
            ("fields", "name,username,profile_pic,follower_count,is_user_follow_business,is_business_follow_user,is_verified_user"),
            ("access_token", token.expose_secret()),
        ]);
        self.call(req).await
    }

    /// Sends a message (`POST /{version}/{instagram_id}/messages`, bearer token); Instagram's `message_id`.
    pub async fn send_message(
        &self,
        version: &str,
        instagram_id: &str,
        token: &SecretString,
        body: &Value,
    ) -> Result<String, IgError> {
        let req = self
            .http
            .post(format!("{}/{version}/{instagram_id}/messages", self.base))
            .bearer_auth(token.expose_secret())
            .json(body);
        let v: Value = self.call(req).await?;
        v["message_id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| IgError::InvalidResponse("the send answer had no message_id".into()))
    }

    pub async fn subscribe(
        &self,
        version: &str,
        instagram_id: &str,
        token: &SecretString,
    ) -> Result<(), IgError> {
        let req = self
            .http
            .post(format!(
                "{}/{version}/{instagram_id}/subscribed_apps",
                self.base
            ))
            .query(&[
                ("subscribed_fields", SUBSCRIBED_FIELDS),
                ("access_token", token.expose_secret()),
            ]);
        self.call::<Value>(req).await.map(|_| ())
    }

    pub async fn unsubscribe(
        &self,
        version: &str,
        instagram_id: &str,
        token: &SecretString,
    ) -> Result<(), IgError> {
        let req = self
            .http
            .delete(format!(
                "{}/{version}/{instagram_id}/subscribed_apps",
                self.base
            ))
            .query(&[("access_token", token.expose_secret())]);
        self.call::<Value>(req).await.map(|_| ())
    }
}

/// reqwest errors print the URL, and ours carry tokens: keep only the kind of failure, and whether the request
/// may have reached Instagram (a send must not be repeated blindly when it may have).
fn transport(e: reqwest::Error) -> IgError {
    if e.is_timeout() {
        IgError::Timeout
    } else if e.is_decode() {
        IgError::InvalidResponse(e.without_url().to_string())
    } else if e.is_connect() || e.is_builder() {
        IgError::Transport(e.without_url().to_string())
    } else {
        IgError::Interrupted(e.without_url().to_string())
    }
}
