//! Builds the application: database, keys, routes and middleware, bound to a port.

use crate::channels::instagram::graph::GraphClient;
use crate::channels::twilio::TwilioClient;
use crate::config::Settings;
use crate::crypto::{generate_secret_key_base, Keys};
use crate::error::ApiError;
use crate::events::{self, Events};
use crate::files::FileStore;
use crate::jobs::worker::{self, Wakeup};
use crate::openapi::ApiDoc;
use crate::read_cache::ReadCache;
use crate::spa::{self, Spa};
use crate::state::AppState;
use crate::{db, routes, security_headers};
use actix_web::dev::{Server, Service, ServiceRequest};
use actix_web::http::Uri;
use actix_web::{middleware, web, App, HttpResponse, HttpServer};
use anyhow::{bail, Context};
use secrecy::SecretString;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;
use tracing_actix_web::TracingLogger;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
}

/// How often every Instagram token is checked for refresh, and how long after start the first pass runs.
const REFRESH_EVERY: Duration = Duration::from_secs(24 * 3600);
const FIRST_REFRESH_AFTER: Duration = Duration::from_secs(60);

/// `SECRET_KEY_BASE`, or on SQLite one generated once and kept beside the database file.
pub fn resolve_secret_key_base(settings: &Settings) -> anyhow::Result<SecretString> {
    if let Some(secret) = &settings.secret_key_base {
        return Ok(secret.clone());
    }
    if !settings.is_sqlite() {
        bail!("SECRET_KEY_BASE is required with PostgreSQL: every instance must share it");
    }
    let Some(db_path) = settings.sqlite_path() else {
        tracing::warn!("SECRET_KEY_BASE unset with an in-memory database: using a throwaway key");
        return Ok(SecretString::from(generate_secret_key_base()));
    };
    let path = db_path.with_file_name("secret_key_base");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        return Ok(SecretString::from(existing.trim().to_owned()));
    }
    tracing::warn!(path = %path.display(), "SECRET_KEY_BASE unset: generated one and stored it beside the database");
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let secret = generate_secret_key_base();
    write_private(&path, &secret).with_context(|| format!("writing {}", path.display()))?;
    Ok(SecretString::from(secret))
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

/// Connects, migrates and derives the keys: what the server and every CLI command need.
pub async fn prepare(settings: &Settings) -> anyhow::Result<AppState> {
    let keys = Keys::derive(&resolve_secret_key_base(settings)?);
    let db = db::connect(settings).await?;
    db::migrate(&db).await?;
    let twilio = TwilioClient::new(&settings.twilio_api_url, settings.provider_timeout)?;
    let graph = GraphClient::new(&settings.instagram_graph_url, settings.provider_timeout)?;
    Ok(AppState {
        db,
        settings: Arc::new(settings.clone()),
        keys,
        twilio,
        graph,
        files: FileStore::from_settings(settings)?,
        wakeup: Wakeup::default(),
        events: Events::default(),
        ingest: Default::default(),
        callers: Default::default(),
        reads: Arc::new(ReadCache::new(settings.read_cache_bytes)),
        sqlite_reads: settings
            .sqlite_path()
            .map(|path| Arc::new(crate::sqlite_reads::SqliteReads::new(path))),
    })
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let state = prepare(&settings).await?;
        let listener = TcpListener::bind(&settings.listen_addr)
            .with_context(|| format!("binding {}", settings.listen_addr))?;
        let port = listener.local_addr()?.port();
        let spa = web::Data::new(Spa::load(&settings.static_dir));
        let background = state.clone();
        let openapi = ApiDoc::openapi();
        let server = HttpServer::new(move || {
            // Run on each HTTP worker's thread: its requests get a pool of their own (see `db::worker_pool`).
            let mut worker = state.clone();
            if let Some(db) = db::worker_pool(&worker.settings) {
                worker.db = db;
                // And a lookup task of its own, on this thread, through that pool: one shared by both workers
                // ran on the thread of the first request's worker, so every lookup's statement and every
                // answer went through that one thread.
                worker.callers = crate::auth::caller_queue::CallerQueue::for_worker(
                    worker.settings.http_workers,
                );
            }
            App::new()
                .app_data(web::Data::new(worker))
                .app_data(spa.clone())
                .app_data(
                    web::PathConfig::default().error_handler(|_, _| ApiError::NotFound.into()),
                )
                .app_data(
                    web::QueryConfig::default()
                        .error_handler(|e, _| ApiError::field("query", &e.to_string()).into()),
                )
                .configure(routes::configure)
                .service(
                    SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", openapi.clone()),
                )
                .route(
                    "/",
                    web::get().to(|| async {
                        HttpResponse::Found()
                            .insert_header(("Location", "/app"))
                            .finish()
                    }),
                )
                .route("/app", web::get().to(spa::serve))
                .route("/app/{tail:.*}", web::get().to(spa::serve))
                .default_service(web::to(not_found))
                .wrap(middleware::from_fn(security_headers::add))
                .wrap(TracingLogger::<crate::telemetry::RequestSpan>::new())
                .wrap_fn(|req, srv| srv.call(trim_trailing_slash(req)))
        })
        .workers(settings.http_workers)
        .listen(listener)?
        .run();
        Ok(Application {
            port,
            server,
            state: background,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until stopped, with the daily Instagram token refresh and the hourly retention request beside
    /// it. Every instance runs the refresh pass; it only touches tokens that are due, so overlapping passes cost
    /// a redundant refresh at worst.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let state = self.state;
        let workers = worker::spawn(state.clone(), state.settings.workers);
        let listener = events::spawn_listener(&state);
        let upkeep = crate::upkeep::spawn_scheduler(state.clone());
        let refresher = tokio::spawn(async move {
            tokio::time::sleep(FIRST_REFRESH_AFTER).await;
            let mut every = tokio::time::interval(REFRESH_EVERY);
            loop {
                every.tick().await;
                if let Err(e) = crate::channels::instagram::refresh::refresh_all(&state).await {
                    tracing::error!(error = ?e, "Instagram token refresh pass failed");
                }
            }
        });
        let result = self.server.await;
        refresher.abort();
        upkeep.abort();
        for w in workers.into_iter().chain(listener) {
            w.abort();
        }
        result
    }
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}

/// Rails serves `/inboxes/` like `/inboxes`, and published Chatwoot clients rely on it.
fn trim_trailing_slash(mut req: ServiceRequest) -> ServiceRequest {
    let path = req.path();
    let api = path.starts_with("/api/v1/")
        || path.starts_with("/auth/")
        || path.starts_with("/webhooks/");
    if !(api && path.len() > 1 && path.ends_with('/')) {
        return req;
    }
    let trimmed = path.trim_end_matches('/');
    let rebuilt = match req.uri().query() {
        Some(q) => format!("{trimmed}?{q}"),
        None => trimmed.to_owned(),
    };
    if let Ok(uri) = rebuilt.parse::<Uri>() {
        req.match_info_mut().get_mut().update(&uri);
        req.head_mut().uri = uri;
    }
    req
}
