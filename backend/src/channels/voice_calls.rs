//! Incoming calls on a voice channel: Twilio's signed webhooks turn a call into an activity message whose
//! `content_attributes.call` follows the call (status, duration, missed) and gets its voicemail attached.

use crate::channels::twilio::Credentials;
use crate::channels::voice::{digits, StoredConfig};
use crate::conversations::store::{self, NewContact, NewMessage, ACTIVITY};
use crate::entities::{attachment, channel_voice, inbox, message};
use crate::error::ApiError;
use crate::files::MAX_DOWNLOAD_BYTES;
use crate::state::AppState;
use anyhow::Context;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter,
    QuerySelect, Set,
};
use secrecy::SecretString;
use serde_json::{json, Value};
use sha1::Sha1;
use shared::channel::ChannelType;

type HmacSha1 = Hmac<Sha1>;

/// Statuses after which Twilio sends nothing more about the call.
const FINAL_STATUSES: [&str; 5] = ["completed", "no-answer", "busy", "failed", "canceled"];

/// Twilio's `X-Twilio-Signature`: base64(HMAC-SHA1(auth token, URL + each POST parameter's name and value,
/// sorted by name)).
pub fn signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    mac(auth_token, url, params)
        .map(|m| STANDARD.encode(m.finalize().into_bytes()))
        .unwrap_or_default()
}

/// Checks the header against the signature of this request, in constant time.
pub fn signature_valid(
    auth_token: &str,
    url: &str,
    params: &[(String, String)],
    header: Option<&str>,
) -> bool {
    let Some(given) = header.and_then(|h| STANDARD.decode(h.trim()).ok()) else {
        return false;
    };
    mac(auth_token, url, params).is_some_and(|m| m.verify_slice(&given).is_ok())
}

/// `None` never happens in practice: HMAC takes keys of any length.
fn mac(auth_token: &str, url: &str, params: &[(String, String)]) -> Option<HmacSha1> {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut mac = <HmacSha1 as Mac>::new_from_slice(auth_token.as_bytes()).ok()?;
    mac.update(url.as_bytes());
    for (k, v) in sorted {
        mac.update(k.as_bytes());
        mac.update(v.as_bytes());
    }
    Some(mac)
}

/// A form-encoded Twilio request, parameters kept in the order and multiplicity they came in.
pub struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    fn require(&self, key: &'static str) -> Result<&str, ApiError> {
        self.get(key).ok_or_else(|| {
            ApiError::BadRequestCode("missing_parameter", format!("{key} is required"))
        })
    }
}

/// A voice inbox reached through its number, with its opened provider config.
pub struct VoiceLine {
    pub channel: channel_voice::Model,
    pub inbox: inbox::Model,
    config: StoredConfig,
}

impl VoiceLine {
    pub fn auth_token(&self) -> &str {
        &self.config.auth_token
    }
}

/// The voice inbox whose number is `+{digits}`.
pub async fn find_line(
    state: &AppState,
    number_digits: &str,
) -> Result<Option<VoiceLine>, ApiError> {
    let Some(channel) = channel_voice::Entity::find()
        .filter(channel_voice::Column::PhoneNumber.eq(format!("+{number_digits}")))
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    let Some(inbox) = inbox::Entity::find()
        .filter(inbox::Column::ChannelType.eq(ChannelType::Voice.as_str()))
        .filter(inbox::Column::ChannelId.eq(channel.id))
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    let config = StoredConfig::open(&state.keys, &channel.provider_config)?;
    Ok(Some(VoiceLine {
        channel,
        inbox,
        config,
    }))
}

/// Where Twilio reports the voicemail of a call to this number.
pub fn recording_callback_url(frontend_url: &str, e164: &str) -> String {
    format!("{frontend_url}/twilio/voice/recording/{}", digits(e164))
}

/// (`<Say>` language, greeting) per inbox locale; English when the locale has no greeting.
fn greeting(locale: &str) -> (&'static str, &'static str) {
    match locale {
        "es" => (
            "es-ES",
            "Gracias por llamar. Por favor, deje un mensaje después del tono.",
        ),
        "pt-BR" => (
            "pt-BR",
            "Obrigado por ligar. Por favor, deixe uma mensagem após o sinal.",
        ),
        _ => (
            "en-US",
            "Thanks for calling. Please leave a message after the tone.",
        ),
    }
}

/// Greets the caller and records a voicemail reported to `recording_callback`.
pub fn voicemail_twiml(locale: &str, recording_callback: &str) -> String {
    let (language, text) = greeting(locale);
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Response><Say language="{}">{}</Say><Record maxLength="120" playBeep="true" recordingStatusCallback="{}" recordingStatusCallbackMethod="POST"/></Response>"#,
        xml_escape(language),
        xml_escape(text),
        xml_escape(recording_callback)
    )
}

/// `<Record>` without an `action` posts back to the call URL once the caller is done; that request ends the call
/// instead of recording again.
pub fn hangup_twiml() -> String {
    r#"<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>"#.to_owned()
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Whether this request is the one `<Record>` makes to the call URL after recording.
pub fn is_after_record(params: &Params) -> bool {
    params.get("RecordingUrl").is_some()
}

/// Records an incoming call: contact, current conversation and the call's activity message, once per
/// `CallSid`. Returns the conversation row id when a message was created.
#[tracing::instrument(skip_all, fields(inbox_id = line.inbox.id))]
pub async fn record_call(
    state: &AppState,
    line: &VoiceLine,
    params: &Params,
) -> Result<Option<i64>, ApiError> {
    let call_sid = params.require("CallSid")?;
    let from = params.require("From")?;
    let to = params.get("To").unwrap_or(&line.channel.phone_number);
    let status = params.get("CallStatus").unwrap_or("ringing");
    let txn = crate::db::begin(&state.db).await?;
    if store::message_by_source_id(&txn, line.inbox.id, call_sid)
        .await?
        .is_some()
    {
        return Ok(None);
    }
    let ci = store::ensure_contact(&txn, line.inbox.account_id, line.inbox.id, from, || {
        NewContact {
            name: from.to_owned(),
            thumbnail: None,
            // Withheld numbers arrive as words ("Anonymous"); only a number is one.
            phone_number: from.starts_with('+').then(|| from.to_owned()),
            additional_attributes: json!({}),
        }
    })
    .await?;
    let conv = store::current_conversation(&txn, line.inbox.account_id, &ci).await?;
    let added = store::add_message(
        &txn,
        &conv,
        NewMessage {
            message_type: ACTIVITY,
            content: Some(format!("Incoming call from {from}")),
            content_type: "text".into(),
            content_attributes: json!({
                "call": {
                    "call_sid": call_sid,
                    "direction": "inbound",
                    "status": status,
                    "from": from,
                    "to": to,
                }
            }),
            private: false,
            status: "sent".into(),
            source_id: Some(call_sid.to_owned()),
            sender_type: None,
            sender_id: None,
            external_created_at: None,
        },
    )
    .await;
    match added {
        Ok(_) => {}
        // The same call delivered twice at once: the unique (inbox, source_id) index keeps one.
        Err(ApiError::Internal(e)) if is_unique_violation(&e) => return Ok(None),
        Err(e) => return Err(e),
    }
    txn.commit().await?;
    Ok(Some(conv.id))
}

fn is_unique_violation(e: &anyhow::Error) -> bool {
    e.downcast_ref::<sea_orm::DbErr>().is_some_and(|db| {
        matches!(
            db.sql_err(),
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
        )
    })
}

/// The call message of `CallSid`, locked for update on PostgreSQL (SQLite serializes writers anyway), so a
/// status and a recording callback arriving together do not overwrite each other.
async fn call_message(
    db: &impl ConnectionTrait,
    inbox_id: i64,
    call_sid: &str,
) -> Result<Option<message::Model>, ApiError> {
    let mut q = message::Entity::find()
        .filter(message::Column::InboxId.eq(inbox_id))
        .filter(message::Column::SourceId.eq(call_sid))
        .filter(message::Column::MessageType.eq(ACTIVITY));
    if db.get_database_backend() == DatabaseBackend::Postgres {
        q = q.lock_exclusive();
    }
    Ok(q.one(db).await?)
}

/// The call attributes after a status callback, or `None` when nothing changes (a repeat, or a late
/// non-final status after the call ended).
pub fn call_after_status(call: &Value, status: &str, duration: Option<i64>) -> Option<Value> {
    let mut next = call.clone();
    let current = call["status"].as_str().unwrap_or_default();
    let is_final = |s: &str| FINAL_STATUSES.contains(&s);
    if is_final(current) && !is_final(status) {
        return None;
    }
    next["status"] = json!(status);
    if let Some(d) = duration {
        next["duration"] = json!(d);
    }
    // A call that ended without a voicemail is a missed call, whatever the reason it ended.
    if is_final(status) && next["recording"].as_bool() != Some(true) {
        next["missed"] = json!(true);
    }
    (next != *call).then_some(next)
}

/// Applies a call status callback. Returns the conversation row id when the message changed.
#[tracing::instrument(skip_all, fields(inbox_id = line.inbox.id))]
pub async fn apply_status(
    state: &AppState,
    line: &VoiceLine,
    params: &Params,
) -> Result<Option<i64>, ApiError> {
    let call_sid = params.require("CallSid")?;
    let status = params.require("CallStatus")?;
    let duration = params
        .get("CallDuration")
        .and_then(|d| d.parse::<i64>().ok());
    let txn = crate::db::begin(&state.db).await?;
    let Some(msg) = call_message(&txn, line.inbox.id, call_sid).await? else {
        return Ok(None);
    };
    let mut attrs = store::attributes(&msg);
    let Some(call) = call_after_status(&attrs["call"], status, duration) else {
        return Ok(None);
    };
    attrs["call"] = call;
    store::set_content_attributes(&txn, &msg, &attrs).await?;
    txn.commit().await?;
    Ok(Some(msg.conversation_id))
}

/// Attaches a completed voicemail to its call message, once per `RecordingSid`. The audio is copied into the
/// file store: Twilio serves it only with the account's credentials, so agents play our copy. Returns the
/// conversation row id when the message changed.
#[tracing::instrument(skip_all, fields(inbox_id = line.inbox.id))]
pub async fn attach_recording(
    state: &AppState,
    line: &VoiceLine,
    params: &Params,
) -> Result<Option<i64>, ApiError> {
    if params.get("RecordingStatus") != Some("completed") {
        return Ok(None);
    }
    let call_sid = params.require("CallSid")?;
    let recording_sid = params.require("RecordingSid")?;
    let recording_url = params.require("RecordingUrl")?;
    let already = |msg: &message::Model| {
        store::attributes(msg)["call"]["recording_sid"].as_str() == Some(recording_sid)
    };
    match call_message(&state.db, line.inbox.id, call_sid).await? {
        Some(msg) if !already(&msg) => {}
        _ => return Ok(None),
    }
    // Downloaded before the transaction, so no row stays locked while Twilio answers.
    let token = SecretString::from(line.config.auth_token.clone());
    let media = state
        .twilio
        .fetch_media(
            &Credentials {
                user: &line.config.account_sid,
                secret: &token,
            },
            &format!("{recording_url}.mp3"),
            MAX_DOWNLOAD_BYTES,
        )
        .await
        .context("downloading the call recording")?;

    let txn = crate::db::begin(&state.db).await?;
    let Some(msg) = call_message(&txn, line.inbox.id, call_sid).await? else {
        return Ok(None);
    };
    if already(&msg) {
        return Ok(None);
    }
    let att = store::add_attachment(&txn, &msg, "audio", Some(recording_url.to_owned())).await?;
    let key = format!("recordings/{}", att.id);
    state
        .files
        .put(&key, &media.bytes)
        .await
        .context("storing the call recording")?;
    attachment::ActiveModel {
        id: Set(att.id),
        file_key: Set(Some(key)),
        content_type: Set(Some(
            media
                .content_type
                .unwrap_or_else(|| "audio/mpeg".to_owned()),
        )),
        byte_size: Set(Some(media.bytes.len() as i64)),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    let mut attrs = store::attributes(&msg);
    let call = &mut attrs["call"];
    call["recording"] = json!(true);
    call["recording_sid"] = json!(recording_sid);
    if let Some(d) = params
        .get("RecordingDuration")
        .and_then(|d| d.parse::<i64>().ok())
    {
        call["recording_duration"] = json!(d);
    }
    if let Some(obj) = call.as_object_mut() {
        obj.remove("missed");
    }
    store::set_content_attributes(&txn, &msg, &attrs).await?;
    txn.commit().await?;
    Ok(Some(msg.conversation_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The worked example of Twilio's "Webhooks security" documentation.
    #[test]
    fn signs_twilios_documented_example() {
        let params = pairs(&[
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]);
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(
            signature("12345", url, &params),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        );
        assert!(signature_valid(
            "12345",
            url,
            &params,
            Some("0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
        ));
        assert!(!signature_valid(
            "12346",
            url,
            &params,
            Some("0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
        ));
        assert!(!signature_valid("12345", url, &params, Some("not base64!")));
        assert!(!signature_valid("12345", url, &params, None));
    }

    #[test]
    fn twiml_escapes_what_it_interpolates() {
        let xml = voicemail_twiml("en", "https://x.test/a?b=1&c=\"2\"");
        assert!(
            xml.contains(r#"recordingStatusCallback="https://x.test/a?b=1&amp;c=&quot;2&quot;""#)
        );
        assert!(xml.contains(r#"<Say language="en-US">Thanks for calling."#));
        assert!(voicemail_twiml("pt-BR", "u").contains(r#"language="pt-BR""#));
        assert!(voicemail_twiml("fr", "u").contains(r#"language="en-US""#));
    }

    #[test]
    fn a_call_that_ends_without_voicemail_is_missed() {
        let ringing = json!({"call_sid": "CA1", "status": "ringing"});
        let answered = call_after_status(&ringing, "in-progress", None).unwrap();
        assert_eq!(answered["status"], "in-progress");
        assert!(answered.get("missed").is_none());
        assert_eq!(call_after_status(&answered, "in-progress", None), None);
        let done = call_after_status(&answered, "completed", Some(14)).unwrap();
        assert_eq!(done["missed"], true);
        assert_eq!(done["duration"], 14);
        assert_eq!(call_after_status(&done, "completed", Some(14)), None);
        // Out of order: a late "ringing" does not reopen an ended call.
        assert_eq!(call_after_status(&done, "ringing", None), None);
        let with_voicemail = json!({"status": "in-progress", "recording": true});
        let done = call_after_status(&with_voicemail, "completed", Some(30)).unwrap();
        assert!(done.get("missed").is_none());
        let busy = call_after_status(&ringing, "busy", Some(0)).unwrap();
        assert_eq!(busy["missed"], true);
    }
}
