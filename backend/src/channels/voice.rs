//! `Channel::Voice`: an E.164 number on Twilio. Validation, provisioning (credentials check, TwiML app, number
//! webhooks) and the sealed provider config. Twilio is called before any row is written, so a Twilio failure
//! or timeout never leaves half a record.

use crate::channels::twilio::{Credentials, TwilioClient, TwilioError};
use crate::crypto::Keys;
use crate::db::now;
use crate::entities::channel_voice;
use crate::error::ApiError;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use shared::dto::{NewVoiceChannel, TwilioConfig};
use shared::error::FieldErrors;

pub const WARNING_NUMBER_NOT_FOUND: &str = "phone_number_not_found_in_twilio";

/// A voice channel that passed every local rule.
#[derive(Debug, Clone)]
pub struct ValidVoice {
    pub phone_number: String,
    pub provider: String,
    pub credentials: ValidCredentials,
}

#[derive(Clone)]
pub struct ValidCredentials {
    pub account_sid: String,
    pub auth_token: SecretString,
    pub api_key_sid: String,
    pub api_key_secret: SecretString,
}

impl std::fmt::Debug for ValidCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ValidCredentials")
            .field("account_sid", &self.account_sid)
            .field("api_key_sid", &self.api_key_sid)
            .finish_non_exhaustive()
    }
}

impl ValidCredentials {
    fn from_dto(c: &TwilioConfig) -> Self {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        ValidCredentials {
            account_sid: s(&c.account_sid),
            auth_token: SecretString::from(s(&c.auth_token)),
            api_key_sid: s(&c.api_key_sid),
            api_key_secret: SecretString::from(s(&c.api_key_secret)),
        }
    }

    fn api_key(&self) -> Credentials<'_> {
        Credentials {
            user: &self.api_key_sid,
            secret: &self.api_key_secret,
        }
    }
}

/// What `provider_config` holds once opened.
#[derive(Serialize, Deserialize)]
pub struct StoredConfig {
    pub account_sid: String,
    pub auth_token: String,
    pub api_key_sid: String,
    pub api_key_secret: String,
    pub twiml_app_sid: Option<String>,
}

impl StoredConfig {
    pub fn seal(&self, keys: &Keys) -> Result<String, ApiError> {
        Ok(keys.seal(&serde_json::to_string(self).map_err(anyhow::Error::from)?))
    }

    pub fn open(keys: &Keys, sealed: &str) -> Result<Self, ApiError> {
        let plain = keys.open(sealed)?;
        Ok(serde_json::from_str(plain.expose_secret()).map_err(anyhow::Error::from)?)
    }

    fn credentials(&self) -> ValidCredentials {
        ValidCredentials {
            account_sid: self.account_sid.clone(),
            auth_token: SecretString::from(self.auth_token.clone()),
            api_key_sid: self.api_key_sid.clone(),
            api_key_secret: SecretString::from(self.api_key_secret.clone()),
        }
    }
}

/// The shared rules plus libphonenumber's parser, which the SPA leaves out to keep its wasm small.
/// Adds to `errors` and returns the channel when nothing was wrong with it.
pub fn validate(errors: &mut FieldErrors, channel: &NewVoiceChannel) -> Option<ValidVoice> {
    let before = errors.0.len();
    for (field, messages) in shared::validate::voice_channel(channel).0 {
        for m in messages {
            errors.add(&field, m);
        }
    }
    let phone = channel.phone_number.clone().unwrap_or_default();
    if !errors.0.contains_key("phone_number") && phonenumber::parse(None, &phone).is_err() {
        errors.add("phone_number", "is not a phone number");
    }
    if errors.0.len() != before {
        return None;
    }
    Some(ValidVoice {
        phone_number: phone,
        provider: channel.provider.clone().unwrap_or_default(),
        credentials: ValidCredentials::from_dto(
            &channel.provider_config.clone().unwrap_or_default(),
        ),
    })
}

pub fn digits(e164: &str) -> &str {
    e164.trim_start_matches('+')
}

/// (call webhook, status webhook) that Twilio must call for this number.
pub fn webhook_urls(frontend_url: &str, e164: &str) -> (String, String) {
    let d = digits(e164);
    (
        format!("{frontend_url}/twilio/voice/call/{d}"),
        format!("{frontend_url}/twilio/voice/status/{d}"),
    )
}

pub async fn number_taken(
    db: &impl ConnectionTrait,
    phone_number: &str,
    except_id: Option<i64>,
) -> Result<bool, ApiError> {
    let mut q =
        channel_voice::Entity::find().filter(channel_voice::Column::PhoneNumber.eq(phone_number));
    if let Some(id) = except_id {
        q = q.filter(channel_voice::Column::Id.ne(id));
    }
    Ok(q.one(db).await?.is_some())
}

fn setup_failed(e: TwilioError) -> ApiError {
    ApiError::UnprocessableCode("twilio_setup_failed", format!("Twilio setup failed: {e}"))
}

pub struct Provisioned {
    pub twiml_app_sid: String,
    pub warnings: Vec<String>,
}

/// Checks the credentials, creates the TwiML app and points the number at us. Writes nothing locally.
#[tracing::instrument(skip_all, fields(account_sid = %voice.credentials.account_sid))]
pub async fn provision(
    twilio: &TwilioClient,
    frontend_url: &str,
    voice: &ValidVoice,
) -> Result<Provisioned, ApiError> {
    let c = &voice.credentials;
    twilio
        .check_credentials(&c.account_sid, &c.auth_token)
        .await
        .map_err(setup_failed)?;
    let (call_url, status_url) = webhook_urls(frontend_url, &voice.phone_number);
    let name = format!("Switchboard Voice {}", voice.phone_number);
    let app_sid = twilio
        .create_twiml_app(&c.api_key(), &c.account_sid, &name, &call_url)
        .await
        .map_err(setup_failed)?;
    let mut warnings = Vec::new();
    let configured = async {
        match twilio
            .find_number(&c.api_key(), &c.account_sid, &voice.phone_number)
            .await?
        {
            Some(pn) => twilio
                .configure_number(&c.api_key(), &c.account_sid, &pn, &call_url, &status_url)
                .await
                .map(|_| true),
            None => Ok(false),
        }
    }
    .await;
    match configured {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!(
                "phone number not found in the Twilio account; calls will not reach this inbox"
            );
            warnings.push(WARNING_NUMBER_NOT_FOUND.to_owned());
        }
        Err(e) => {
            release_app(twilio, c, &app_sid).await;
            return Err(setup_failed(e));
        }
    }
    Ok(Provisioned {
        twiml_app_sid: app_sid,
        warnings,
    })
}

/// Best effort: a TwiML app we created but will not use (rollback or inbox removal).
pub async fn release_app(twilio: &TwilioClient, c: &ValidCredentials, app_sid: &str) {
    if let Err(e) = twilio
        .delete_twiml_app(&c.api_key(), &c.account_sid, app_sid)
        .await
    {
        tracing::warn!(error = %e, app_sid, "could not delete the TwiML app");
    }
}

pub async fn insert(
    db: &impl ConnectionTrait,
    keys: &Keys,
    account_id: i64,
    voice: &ValidVoice,
    provisioned: &Provisioned,
) -> Result<channel_voice::Model, ApiError> {
    let c = &voice.credentials;
    let config = StoredConfig {
        account_sid: c.account_sid.clone(),
        auth_token: c.auth_token.expose_secret().to_owned(),
        api_key_sid: c.api_key_sid.clone(),
        api_key_secret: c.api_key_secret.expose_secret().to_owned(),
        twiml_app_sid: Some(provisioned.twiml_app_sid.clone()),
    };
    let row = channel_voice::ActiveModel {
        account_id: Set(account_id),
        phone_number: Set(voice.phone_number.clone()),
        provider: Set(voice.provider.clone()),
        provider_config: Set(config.seal(keys)?),
        additional_attributes: Set("{}".to_owned()),
        created_at: Set(now()),
        updated_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await;
    match row {
        Ok(row) => Ok(row),
        // Two creates racing for one number: the unique index decides, the loser gets the same 422.
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            Err(ApiError::field("phone_number", "has already been taken"))
        }
        Err(e) => Err(e.into()),
    }
}

/// New credentials for an existing channel: validated, checked with Twilio, then returned sealed (keeping the
/// provisioned TwiML app).
pub async fn rotated_config(
    twilio: &TwilioClient,
    keys: &Keys,
    channel: &channel_voice::Model,
    new: &TwilioConfig,
) -> Result<String, ApiError> {
    let mut errors = FieldErrors::new();
    shared::validate::twilio_config(&mut errors, Some(new));
    errors.into_result().map_err(ApiError::validation)?;
    let c = ValidCredentials::from_dto(new);
    twilio
        .check_credentials(&c.account_sid, &c.auth_token)
        .await
        .map_err(setup_failed)?;
    let old = StoredConfig::open(keys, &channel.provider_config)?;
    StoredConfig {
        account_sid: c.account_sid,
        auth_token: c.auth_token.expose_secret().to_owned(),
        api_key_sid: c.api_key_sid,
        api_key_secret: c.api_key_secret.expose_secret().to_owned(),
        twiml_app_sid: old.twiml_app_sid,
    }
    .seal(keys)
}

/// After the channel row is gone: remove its TwiML app at Twilio (best effort, logged).
pub async fn teardown(twilio: &TwilioClient, keys: &Keys, channel: &channel_voice::Model) {
    match StoredConfig::open(keys, &channel.provider_config) {
        Ok(config) => {
            if let Some(app) = &config.twiml_app_sid {
                release_app(twilio, &config.credentials(), app).await;
            }
        }
        Err(e) => {
            tracing::warn!(error = ?e, "could not open the voice channel's config for teardown")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_urls_use_the_digits_of_the_number() {
        let (call, status) = webhook_urls("https://inbox.example.com", "+15551234567");
        assert_eq!(
            call,
            "https://inbox.example.com/twilio/voice/call/15551234567"
        );
        assert_eq!(
            status,
            "https://inbox.example.com/twilio/voice/status/15551234567"
        );
    }

    #[test]
    fn the_server_also_parses_the_number() {
        let channel = |n: &str| NewVoiceChannel {
            phone_number: Some(n.into()),
            provider: Some("twilio".into()),
            provider_config: Some(TwilioConfig {
                account_sid: Some(format!("AC{}", "a".repeat(32))),
                auth_token: Some("t".into()),
                api_key_sid: Some(format!("SK{}", "b".repeat(32))),
                api_key_secret: Some("s".into()),
            }),
        };
        let mut errors = FieldErrors::new();
        assert!(validate(&mut errors, &channel("+15551234567")).is_some());
        assert!(errors.is_empty());
        // E.164-shaped but no country calling code starts with 999.
        let mut errors = FieldErrors::new();
        assert!(validate(&mut errors, &channel("+9991234567")).is_none());
        assert_eq!(errors.0["phone_number"], ["is not a phone number"]);
    }
}
