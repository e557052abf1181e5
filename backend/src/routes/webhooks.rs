use crate::error::ApiError;
use crate::global_config;
use crate::state::AppState;
use crate::webhooks::instagram::{ingest, verification, IngestError};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Handshake {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

/// Meta's subscription handshake: echo the challenge when the verify token matches.
#[get("/webhooks/instagram")]
#[tracing::instrument(skip_all)]
pub async fn verify(
    state: web::Data<AppState>,
    q: web::Query<Handshake>,
) -> Result<HttpResponse, ApiError> {
    let config = global_config::instagram(&state).await?;
    match verification(
        config.verify_token.as_ref(),
        q.mode.as_deref(),
        q.verify_token.as_deref(),
        q.challenge.as_deref(),
    ) {
        Some(challenge) => Ok(HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .body(challenge.to_owned())),
        None => Err(ApiError::Forbidden),
    }
}

/// Event deliveries: 200 once stored durably; 401 unsigned, 400 not JSON, 422 not Instagram.
#[post("/webhooks/instagram")]
// At debug, unlike the other handlers' spans: the request's own span already names the route, and a second span
// at info (registered, entered at every poll, closed) is paid by every delivery of the busiest route.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn receive(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let config = global_config::instagram(&state).await?;
    let signature = req
        .headers()
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    match ingest(&state, config.app_secret.as_ref(), signature, &body).await {
        Ok(jobs) => {
            // At debug: deliveries come by the thousand a second under load, and a line each at info cost about
            // 5% of the ingest's throughput in `make bench`. A signed body that is not JSON is logged at warn, a
            // delivery that could not be stored at error.
            tracing::debug!(jobs, "Instagram webhook stored");
            Ok(HttpResponse::Ok()
                .content_type("text/plain; charset=utf-8")
                .body("EVENT_RECEIVED"))
        }
        Err(IngestError::BadSignature) => Err(ApiError::UnauthorizedCode(
            "invalid_signature",
            "missing or invalid X-Hub-Signature-256".into(),
        )),
        Err(IngestError::NotJson(e)) => {
            tracing::warn!(error = %e, "signed Instagram webhook that is not JSON");
            Err(ApiError::MalformedJson(e))
        }
        Err(IngestError::WrongObject) => Err(ApiError::UnprocessableCode(
            "unsupported_object",
            "object must be \"instagram\"".into(),
        )),
        Err(IngestError::Db(e)) => Err(e),
    }
}
