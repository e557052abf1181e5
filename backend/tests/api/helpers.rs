//! The one test harness: the real application on a random port, on a fresh SQLite file or a fresh PostgreSQL
//! database (`TEST_DATABASE=postgres`), driven over HTTP.

use backend::cli::create_admin;
use backend::config::Settings;
use backend::startup::{prepare, Application};
use backend::state::AppState;
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;
use shared::dto::CreatedAdmin;
use std::collections::HashMap;

pub const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A database that exists for one test and is removed afterwards.
pub enum TestDb {
    Sqlite(tempfile::TempDir),
    Postgres(String),
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres(name) = self {
            let _ = std::process::Command::new("psql")
                .args(["-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-qc"])
                .arg(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .output();
        }
    }
}

pub async fn fresh_database() -> (String, TestDb, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    if std::env::var("TEST_DATABASE").as_deref() == Ok("postgres") {
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(PG_ADMIN_URL)
            .await
            .expect("PostgreSQL at 127.0.0.1:5432 (run `make test`, which starts it)");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create database");
        admin.close().await.ok();
        (
            format!("postgres://postgres@127.0.0.1:5432/{name}"),
            TestDb::Postgres(name),
            dir,
        )
    } else {
        let db_dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/test.db?mode=rwc", db_dir.path().display());
        (url, TestDb::Sqlite(db_dir), dir)
    }
}

pub struct TestApp {
    pub address: String,
    pub state: AppState,
    /// A client with a cookie store, like a browser.
    pub browser: reqwest::Client,
    pub client: reqwest::Client,
    /// Fake Twilio REST API (`TWILIO_API_URL`).
    pub twilio: wiremock::MockServer,
    /// Fake Instagram: authorize page, token endpoint and Graph API on one server.
    pub instagram: wiremock::MockServer,
    pub db_file: Option<std::path::PathBuf>,
    _db: TestDb,
    _static: tempfile::TempDir,
}

pub const FRONTEND_URL: &str = "https://switchboard.test";

pub const INDEX_HTML: &str = r#"<!DOCTYPE html><html><head><link rel="modulepreload" href="/app/frontend.js"><script type="module">import init from '/app/frontend.js';await init('/app/frontend_bg.wasm');</script></head><body></body></html>"#;

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

pub async fn spawn_app_with(extra_env: &[(&str, &str)]) -> TestApp {
    let (url, db, static_dir) = fresh_database().await;
    let twilio = wiremock::MockServer::start().await;
    let instagram = wiremock::MockServer::start().await;
    let db_file = match &db {
        TestDb::Sqlite(dir) => Some(dir.path().join("test.db")),
        TestDb::Postgres(_) => None,
    };
    std::fs::write(static_dir.path().join("index.html"), INDEX_HTML).expect("index.html");
    std::fs::write(
        static_dir.path().join("frontend.js"),
        "export default function init() {}",
    )
    .expect("asset");
    std::fs::create_dir_all(static_dir.path().join("i18n/en")).expect("i18n dir");
    std::fs::write(
        static_dir.path().join("i18n/en/main.ftl"),
        "app-name = Switchboard\n",
    )
    .expect("messages");
    let mut env: HashMap<String, String> = HashMap::from([
        ("DATABASE_URL".into(), url),
        ("LISTEN_ADDR".into(), "127.0.0.1:0".into()),
        ("SECRET_KEY_BASE".into(), "0123456789abcdef".repeat(8)),
        ("STATIC_DIR".into(), static_dir.path().display().to_string()),
        ("FRONTEND_URL".into(), FRONTEND_URL.into()),
        (
            "FILE_STORE_DIR".into(),
            static_dir.path().join("files").display().to_string(),
        ),
        ("TWILIO_API_URL".into(), twilio.uri()),
        ("INSTAGRAM_OAUTH_URL".into(), instagram.uri()),
        ("INSTAGRAM_API_URL".into(), instagram.uri()),
        ("INSTAGRAM_GRAPH_URL".into(), instagram.uri()),
    ]);
    for (k, v) in extra_env {
        env.insert(k.to_string(), v.to_string());
    }
    let settings = Settings::from_lookup(|k| env.get(k).cloned());
    let app = Application::build(settings.clone())
        .await
        .expect("application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let state = prepare(&settings).await.expect("state");
    TestApp {
        address,
        state,
        browser: reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        twilio,
        instagram,
        db_file,
        _db: db,
        _static: static_dir,
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl TestApp {
    /// A user administering a new account.
    pub async fn admin(&self, email: &str, account: &str) -> CreatedAdmin {
        create_admin(
            &self.state,
            email,
            "password123",
            Some("Admin"),
            Some(account),
            false,
        )
        .await
        .expect("create admin")
    }

    /// Adds an agent to the account through the API and returns (user id, their API token).
    pub async fn agent(&self, admin: &CreatedAdmin, email: &str) -> (i64, String) {
        let account = admin.account_id.unwrap();
        let r = self
            .api(
                Method::POST,
                &format!("/api/v1/accounts/{account}/agents"),
                &admin.access_token,
                Some(serde_json::json!({
                    "name": "Agent", "email": email, "role": "agent", "password": "password123"
                })),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let id = r.body["id"].as_i64().unwrap();
        let token = create_admin(&self.state, email, "password123", None, None, false)
            .await
            .unwrap()
            .access_token;
        (id, token)
    }

    pub async fn api(&self, method: Method, path: &str, token: &str, body: Option<Value>) -> Reply {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.address))
            .header("api_access_token", token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        reply(req.send().await.expect("request")).await
    }

    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: impl Into<reqwest::Body>,
    ) -> Reply {
        let req = self
            .client
            .request(method, format!("{}{path}", self.address))
            .header("api_access_token", token)
            .header("content-type", "application/json")
            .body(body);
        reply(req.send().await.expect("request")).await
    }

    pub async fn create_api_inbox(&self, admin: &CreatedAdmin, name: &str) -> i64 {
        let account = admin.account_id.unwrap();
        let r = self
            .api(
                Method::POST,
                &format!("/api/v1/accounts/{account}/inboxes"),
                &admin.access_token,
                Some(serde_json::json!({
                    "name": name, "channel": {"type": "api"}
                })),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.body["id"].as_i64().unwrap()
    }

    /// `GET …/inboxes` of the admin's account.
    pub async fn inboxes(&self, admin: &CreatedAdmin) -> Reply {
        self.api(
            Method::GET,
            &format!("/api/v1/accounts/{}/inboxes", admin.account_id.unwrap()),
            &admin.access_token,
            None,
        )
        .await
    }

    pub async fn count(&self, table: &str) -> i64 {
        self.one(&format!("SELECT COUNT(*) AS v FROM {table}"))
            .await
    }

    /// Runs `sql` as it is, as another instance or a hand in `psql` would write.
    pub async fn exec(&self, sql: &str) {
        self.state
            .db
            .execute_unprepared(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// The column `v` of the one row `sql` returns.
    pub async fn one<T: sea_orm::TryGetable>(&self, sql: &str) -> T {
        let row = self
            .state
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                self.state.db.get_database_backend(),
                sql.to_owned(),
            ))
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no row: {sql}"));
        row.try_get::<T>("", "v").unwrap()
    }
}

/// The session cookie a sign-in's answer sets, as `name=value` for a `cookie` header sent by hand.
pub fn session_cookie(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

pub async fn reply(resp: reqwest::Response) -> Reply {
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Reply {
        status,
        body,
        headers,
    }
}
