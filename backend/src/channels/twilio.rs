//! The one Twilio REST client (`TWILIO_API_URL`): form-encoded requests, JSON answers, basic auth.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::Value;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum TwilioError {
    /// Twilio answered with an error body (`{"code":20003,"message":"Authenticate","status":401}`).
    #[error("{message}")]
    Api {
        status: u16,
        code: Option<i64>,
        message: String,
    },
    #[error("Twilio could not be reached: {0}")]
    Transport(String),
    #[error("Twilio sent an unexpected answer: {0}")]
    Decode(String),
}

/// A pair of basic-auth credentials: account SID + auth token, or API key SID + secret.
pub struct Credentials<'a> {
    pub user: &'a str,
    pub secret: &'a SecretString,
}

/// A downloaded media file.
pub struct Media {
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
}

#[derive(Clone)]
pub struct TwilioClient {
    base: String,
    http: reqwest::Client,
}

#[derive(Deserialize)]
struct Sid {
    sid: String,
}

#[derive(Deserialize)]
struct NumberList {
    #[serde(default)]
    incoming_phone_numbers: Vec<Sid>,
}

impl TwilioClient {
    pub fn new(base: &str, timeout: Duration) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent("switchboard")
            .build()?;
        Ok(TwilioClient {
            base: base.trim_end_matches('/').to_owned(),
            http,
        })
    }

    fn url(&self, account_sid: &str, rest: &str) -> String {
        format!("{}/2010-04-01/Accounts/{account_sid}/{rest}", self.base)
    }

    async fn send(
        &self,
        req: reqwest::RequestBuilder,
        creds: &Credentials<'_>,
    ) -> Result<Value, TwilioError> {
        let resp = req
            .basic_auth(creds.user, Some(creds.secret.expose_secret()))
            .send()
            .await
            .map_err(|e| TwilioError::Transport(without_url(e)))?;
        let status = resp.status();
        let text = resp
            .text()
            .await
            .map_err(|e| TwilioError::Transport(without_url(e)))?;
        if status.is_success() {
            if text.trim().is_empty() {
                return Ok(Value::Null);
            }
            return serde_json::from_str(&text).map_err(|e| TwilioError::Decode(e.to_string()));
        }
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        Err(TwilioError::Api {
            status: status.as_u16(),
            code: body["code"].as_i64(),
            message: body["message"]
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| format!("HTTP {status}")),
        })
    }

    /// Lists one incoming number with the account's own credentials: proves the SID and auth token work.
    pub async fn check_credentials(
        &self,
        account_sid: &str,
        auth_token: &SecretString,
    ) -> Result<(), TwilioError> {
        let req = self
            .http
            .get(self.url(account_sid, "IncomingPhoneNumbers.json"))
            .query(&[("PageSize", "1")]);
        self.send(
            req,
            &Credentials {
                user: account_sid,
                secret: auth_token,
            },
        )
        .await
        .map(|_| ())
    }

    /// Creates the TwiML application that routes calls to us; returns its `AP…` SID.
    pub async fn create_twiml_app(
        &self,
        key: &Credentials<'_>,
        account_sid: &str,
        friendly_name: &str,
        voice_url: &str,
    ) -> Result<String, TwilioError> {
        let req = self
            .http
            .post(self.url(account_sid, "Applications.json"))
            .form(&[
                ("FriendlyName", friendly_name),
                ("VoiceUrl", voice_url),
                ("VoiceMethod", "POST"),
            ]);
        let v = self.send(req, key).await?;
        serde_json::from_value::<Sid>(v)
            .map(|s| s.sid)
            .map_err(|e| TwilioError::Decode(e.to_string()))
    }

    /// The `PN…` SID of an incoming number of the account, if it has that number.
    pub async fn find_number(
        &self,
        key: &Credentials<'_>,
        account_sid: &str,
        e164: &str,
    ) -> Result<Option<String>, TwilioError> {
        let req = self
            .http
            .get(self.url(account_sid, "IncomingPhoneNumbers.json"))
            .query(&[("PhoneNumber", e164)]);
        let v = self.send(req, key).await?;
        let list: NumberList =
            serde_json::from_value(v).map_err(|e| TwilioError::Decode(e.to_string()))?;
        Ok(list
            .incoming_phone_numbers
            .into_iter()
            .next()
            .map(|n| n.sid))
    }

    /// Points the number's incoming calls and status callbacks at us.
    pub async fn configure_number(
        &self,
        key: &Credentials<'_>,
        account_sid: &str,
        number_sid: &str,
        voice_url: &str,
        status_url: &str,
    ) -> Result<(), TwilioError> {
        let req = self
            .http
            .post(self.url(
                account_sid,
                &format!("IncomingPhoneNumbers/{number_sid}.json"),
            ))
            .form(&[
                ("VoiceUrl", voice_url),
                ("VoiceMethod", "POST"),
                ("StatusCallback", status_url),
                ("StatusCallbackMethod", "POST"),
                // Without these Twilio reports only completion; the key repeats once per event.
                ("StatusCallbackEvent", "initiated"),
                ("StatusCallbackEvent", "ringing"),
                ("StatusCallbackEvent", "answered"),
                ("StatusCallbackEvent", "completed"),
            ]);
        self.send(req, key).await.map(|_| ())
    }

    /// Downloads account media (a call recording) with basic auth, up to `max_bytes`. Only URLs on this
    /// client's own base are fetched, so the credentials never travel to a host a request named.
    pub async fn fetch_media(
        &self,
        creds: &Credentials<'_>,
        url: &str,
        max_bytes: usize,
    ) -> Result<Media, TwilioError> {
        if !url.starts_with(&format!("{}/", self.base)) {
            return Err(TwilioError::Decode(
                "media URL outside the Twilio API".into(),
            ));
        }
        let mut resp = self
            .http
            .get(url)
            .basic_auth(creds.user, Some(creds.secret.expose_secret()))
            .send()
            .await
            .map_err(|e| TwilioError::Transport(without_url(e)))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(TwilioError::Api {
                status: status.as_u16(),
                code: None,
                message: format!("media download answered HTTP {status}"),
            });
        }
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut bytes = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| TwilioError::Transport(without_url(e)))?
        {
            if bytes.len() + chunk.len() > max_bytes {
                return Err(TwilioError::Decode(format!(
                    "media larger than {max_bytes} bytes"
                )));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Media {
            bytes,
            content_type,
        })
    }

    pub async fn delete_twiml_app(
        &self,
        key: &Credentials<'_>,
        account_sid: &str,
        app_sid: &str,
    ) -> Result<(), TwilioError> {
        let req = self
            .http
            .delete(self.url(account_sid, &format!("Applications/{app_sid}.json")));
        self.send(req, key).await.map(|_| ())
    }
}

/// reqwest errors print the URL; ours carry account SIDs, which we keep out of user-facing messages.
fn without_url(e: reqwest::Error) -> String {
    if e.is_timeout() {
        "the request timed out".to_owned()
    } else {
        e.without_url().to_string()
    }
}
