//! Logs as structured lines on stderr; `RUST_LOG` filters them.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::Error;
use std::io::IsTerminal;
use tracing::Span;
use tracing_actix_web::RootSpanBuilder;
use tracing_subscriber::{fmt, EnvFilter};

pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let _ = fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only for a terminal: in a log file or a collector they are noise to read and to write.
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

/// The span each request's log lines are nested in: method, route pattern and, at the end, status (and the
/// error's message for a failure). Not tracing-actix-web's default, which also writes the path with its query
/// string (`/instagram/callback?code=…`, `/webhooks/instagram?hub.verify_token=…`: credentials in the log), the
/// client's address and user agent and a random request id, formatting about fourteen fields per request.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let route = request.match_pattern();
        tracing::info_span!(
            "request",
            method = %request.method(),
            route = %route.as_deref().unwrap_or("(none)"),
            status = tracing::field::Empty,
            error = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let (status, error) = match outcome {
            Ok(response) => (
                response.status(),
                response.response().error().map(ToString::to_string),
            ),
            Err(e) => (e.as_response_error().status_code(), Some(e.to_string())),
        };
        span.record("status", status.as_u16());
        if let Some(error) = error {
            span.record("error", error);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::{test, web, App, HttpResponse};
    use std::sync::{Arc, Mutex};
    use tracing_actix_web::TracingLogger;

    struct Writer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Writer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[actix_web::test]
    async fn a_request_logs_its_method_and_route_but_not_its_query_string() {
        let out = Arc::new(Mutex::new(Vec::new()));
        let sink = out.clone();
        let _logs = tracing::subscriber::set_default(
            fmt()
                .with_ansi(false)
                .with_writer(move || Writer(sink.clone()))
                .finish(),
        );
        let app = test::init_service(App::new().wrap(TracingLogger::<RequestSpan>::new()).route(
            "/instagram/{step}",
            web::get().to(|| async {
                tracing::warn!("the code exchange failed");
                HttpResponse::BadGateway().finish()
            }),
        ))
        .await;
        let req = test::TestRequest::get()
            .uri("/instagram/callback?code=AQD-one-time-code&state=s1")
            .to_request();
        assert_eq!(test::call_service(&app, req).await.status(), 502);
        let text = String::from_utf8(out.lock().unwrap().clone()).unwrap();
        assert!(
            text.contains("request{method=GET route=/instagram/{step}}")
                && text.contains("the code exchange failed"),
            "{text}"
        );
        assert!(!text.contains("AQD-one-time-code"), "{text}");
    }
}
