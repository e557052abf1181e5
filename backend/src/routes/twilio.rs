//! Twilio's voice webhooks. Unauthenticated: each request is trusted only once its `X-Twilio-Signature`
//! matches, computed over the public URL Twilio called (under `FRONTEND_URL`) with the channel's auth token.

use crate::channels::voice_calls::{self, Params, VoiceLine};
use crate::error::ApiError;
use crate::events;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};

fn plain(code: StatusCode, text: &'static str) -> HttpResponse {
    HttpResponse::build(code)
        .content_type("text/plain; charset=utf-8")
        .body(text)
}

fn twiml(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/xml; charset=utf-8")
        .body(body)
}

/// The voice line of `digits` if the request is signed with its auth token, else the response to send.
async fn verified_line(
    state: &AppState,
    req: &HttpRequest,
    digits: &str,
    params: &Params,
) -> Result<Result<VoiceLine, HttpResponse>, ApiError> {
    let Some(line) = voice_calls::find_line(state, digits).await? else {
        return Ok(Err(plain(StatusCode::NOT_FOUND, "unknown number")));
    };
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or_else(|| req.path());
    let url = format!("{}{path}", state.settings.frontend_url);
    let header = req
        .headers()
        .get("x-twilio-signature")
        .and_then(|v| v.to_str().ok());
    if !voice_calls::signature_valid(line.auth_token(), &url, &params.0, header) {
        tracing::warn!("Twilio webhook with a missing or invalid signature");
        return Ok(Err(plain(StatusCode::FORBIDDEN, "invalid signature")));
    }
    Ok(Ok(line))
}

/// The number's VoiceUrl: records the call and answers TwiML that takes a voicemail.
#[post("/twilio/voice/call/{digits}")]
#[tracing::instrument(skip_all, fields(digits = %digits))]
pub async fn call(
    state: web::Data<AppState>,
    req: HttpRequest,
    digits: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let params = Params(form.into_inner());
    let line = match verified_line(&state, &req, &digits, &params).await? {
        Ok(line) => line,
        Err(refused) => return Ok(refused),
    };
    if voice_calls::is_after_record(&params) {
        return Ok(twiml(voice_calls::hangup_twiml()));
    }
    if let Some(conversation_id) = voice_calls::record_call(&state, &line, &params).await? {
        events::conversation_changed(&state, conversation_id, "message.created").await;
    }
    let callback = voice_calls::recording_callback_url(
        &state.settings.frontend_url,
        &line.channel.phone_number,
    );
    Ok(twiml(voice_calls::voicemail_twiml(
        &line.inbox.locale,
        &callback,
    )))
}

/// The number's StatusCallback: the call's progress and duration.
#[post("/twilio/voice/status/{digits}")]
#[tracing::instrument(skip_all, fields(digits = %digits))]
pub async fn status(
    state: web::Data<AppState>,
    req: HttpRequest,
    digits: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    update(&state, &req, &digits, form, CallUpdate::Status).await
}

/// `<Record>`'s recordingStatusCallback: attaches the voicemail.
#[post("/twilio/voice/recording/{digits}")]
#[tracing::instrument(skip_all, fields(digits = %digits))]
pub async fn recording(
    state: web::Data<AppState>,
    req: HttpRequest,
    digits: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    update(&state, &req, &digits, form, CallUpdate::Recording).await
}

/// What a callback after the call's start changes on its call message.
enum CallUpdate {
    Status,
    Recording,
}

/// Verifies the callback, applies it and announces the changed conversation; Twilio only needs a 200.
async fn update(
    state: &AppState,
    req: &HttpRequest,
    digits: &str,
    form: web::Form<Vec<(String, String)>>,
    kind: CallUpdate,
) -> Result<HttpResponse, ApiError> {
    let params = Params(form.into_inner());
    let line = match verified_line(state, req, digits, &params).await? {
        Ok(line) => line,
        Err(refused) => return Ok(refused),
    };
    let changed = match kind {
        CallUpdate::Status => voice_calls::apply_status(state, &line, &params).await?,
        CallUpdate::Recording => voice_calls::attach_recording(state, &line, &params).await?,
    };
    if let Some(conversation_id) = changed {
        events::conversation_changed(state, conversation_id, "message.updated").await;
    }
    Ok(HttpResponse::Ok().finish())
}
