//! What the fault tests share: a connected Instagram inbox, signed deliveries from many contacts, a fake
//! Graph API that always answers, and a load generator that retries every unacknowledged delivery as Meta
//! does, keeping the figures the tests print.

use backend::crypto::hmac_sha256_hex;
use backend::state::AppState;
use reqwest::Method;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{json, Value};
use shared::dto::CreatedAdmin;
use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

pub const SECRET: &str = "app-secret-xyz";
pub const BUSINESS: &str = "17841400000000001";
pub const SEND_PATH: &str = "/v22.0/17841400000000001/messages";

/// `SOAK=1` scales every test up for `make soak`.
pub fn soak() -> bool {
    std::env::var("SOAK").is_ok_and(|v| v == "1")
}

pub fn on_postgres() -> bool {
    std::env::var("TEST_DATABASE").as_deref() == Ok("postgres")
}

/// The Instagram app settings a server needs to accept signed deliveries.
pub const INSTAGRAM_ENV: [(&str, &str); 2] = [
    ("INSTAGRAM_APP_ID", "123456"),
    ("INSTAGRAM_APP_SECRET", SECRET),
];

/// The Instagram-scoped id of test contact `n`.
pub fn contact(n: usize) -> String {
    (5_000_000_000_000_000_u64 + n as u64).to_string()
}

/// One text message from contact `n`, sent now (so the messaging window is open for replies).
pub fn event(n: usize, mid: &str) -> String {
    let now_ms = chrono::Utc::now().timestamp_millis();
    json!({"object": "instagram", "entry": [{"id": BUSINESS, "time": now_ms / 1000, "messaging": [{
        "sender": {"id": contact(n)}, "recipient": {"id": BUSINESS}, "timestamp": now_ms,
        "message": {"mid": mid, "text": format!("text of {mid}")}
    }]}]})
    .to_string()
}

pub fn sign(body: &str) -> String {
    format!(
        "sha256={}",
        hmac_sha256_hex(SECRET.as_bytes(), body.as_bytes())
    )
}

/// An admin with an account whose Instagram inbox is connected for `BUSINESS` (token `IGlong`).
pub async fn connect_inbox(state: &AppState) -> CreatedAdmin {
    let admin = backend::cli::create_admin(
        state,
        "ada@example.com",
        "password123",
        Some("Ada"),
        Some("Acme"),
        false,
    )
    .await
    .expect("create admin");
    let account = admin.account_id.expect("account");
    let sealed = state.keys.seal("IGlong");
    let now = backend::db::now();
    let db = &state.db;
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        "INSERT INTO channel_instagram (account_id, instagram_id, username, access_token, expires_at, reauthorization_required, created_at, updated_at) VALUES ($1, $2, 'acme.shop', $3, $4, false, $5, $5)",
        [account.into(), BUSINESS.into(), sealed.into(), (now + 50 * 86400).into(), now.into()],
    ))
    .await
    .expect("channel");
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        "INSERT INTO inboxes (account_id, name, channel_type, channel_id, created_at, updated_at) SELECT $1, 'acme.shop', 'Channel::Instagram', id, $2, $2 FROM channel_instagram",
        [account.into(), now.into()],
    ))
    .await
    .expect("inbox");
    admin
}

/// Every contact's profile answers at once, named after its id.
pub async fn profiles_answer(graph: &MockServer) {
    Mock::given(method("GET"))
        .and(path_regex(r"^/v22\.0/\d+$"))
        .respond_with(|req: &Request| {
            let id = req.url.path().rsplit('/').next().unwrap_or_default();
            ResponseTemplate::new(200).set_body_json(
                json!({"name": format!("Contact {id}"), "username": format!("c{id}"), "id": id}),
            )
        })
        .named("profile")
        .mount(graph)
        .await;
}

/// Every send is accepted, each with a message id of its own.
pub async fn sends_answer(graph: &MockServer) {
    let n = AtomicUsize::new(0);
    Mock::given(method("POST"))
        .and(path(SEND_PATH))
        .respond_with(move |_: &Request| {
            let id = format!("sent-{}", n.fetch_add(1, Ordering::SeqCst));
            ResponseTemplate::new(200).set_body_json(json!({"recipient_id": "x", "message_id": id}))
        })
        .named("send")
        .mount(graph)
        .await;
}

/// The texts of every send the fake Graph API received.
pub async fn sent_texts(graph: &MockServer) -> Vec<String> {
    graph
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.method == Method::POST && r.url.path() == SEND_PATH)
        .filter_map(|r| {
            let body: Value = serde_json::from_slice(&r.body).ok()?;
            body["message"]["text"].as_str().map(str::to_owned)
        })
        .collect()
}

pub async fn scalar(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .expect("query")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("column n")
}

pub async fn strings(db: &DatabaseConnection, sql: &str) -> Vec<String> {
    db.query_all_raw(Statement::from_string(
        db.get_database_backend(),
        sql.to_owned(),
    ))
    .await
    .expect("query")
    .into_iter()
    .map(|r| r.try_get::<String>("", "s").expect("column s"))
    .collect()
}

/// The `mid`s of every customer message stored.
pub async fn stored_mids(db: &DatabaseConnection) -> Vec<String> {
    strings(
        db,
        "SELECT source_id AS s FROM messages WHERE message_type = 0",
    )
    .await
}

/// Waits until `sql` counts `expected` (or `within` passes) and returns the last count.
pub async fn wait_for_count(
    db: &DatabaseConnection,
    sql: &str,
    expected: i64,
    within: Duration,
) -> i64 {
    let until = Instant::now() + within;
    loop {
        let n = scalar(db, sql).await;
        if n == expected || Instant::now() > until {
            return n;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until every job is finished (none pending or running).
pub async fn wait_for_idle_queue(db: &DatabaseConnection, within: Duration) -> i64 {
    wait_for_count(
        db,
        "SELECT COUNT(*) AS n FROM jobs WHERE state IN ('pending', 'running')",
        0,
        within,
    )
    .await
}

/// What the load generator saw.
#[derive(Debug, Default)]
pub struct Figures {
    /// Distinct events (mids) it set out to deliver.
    pub posted: usize,
    /// HTTP attempts, retries included.
    pub deliveries: usize,
    /// Mids answered 2xx at least once.
    pub acked: HashSet<String>,
    pub statuses: BTreeMap<u16, usize>,
    /// Refused connections, resets and timeouts (a server that is not there).
    pub transport_errors: usize,
    /// 503s whose body was not the JSON error body.
    pub bad_503_bodies: usize,
    pub slowest_503: Duration,
    /// Mids never acknowledged before giving up.
    pub given_up: usize,
}

impl Figures {
    pub fn count(&self, status: u16) -> usize {
        self.statuses.get(&status).copied().unwrap_or(0)
    }
}

pub struct LoadPlan {
    pub contacts: usize,
    pub per_contact: usize,
    /// Pause after each acknowledged event, per contact.
    pub pace: Duration,
    /// How long one event is retried before it is given up.
    pub retry_for: Duration,
    /// Distinguishes the mids of several loads in one test.
    pub tag: &'static str,
}

/// Several contacts writing at once, each event retried until acknowledged (like Meta), spread round-robin
/// over `targets` (base URLs).
pub struct Load {
    figures: Arc<Mutex<Figures>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Load {
    pub fn start(targets: Vec<String>, plan: LoadPlan) -> Load {
        let figures = Arc::new(Mutex::new(Figures {
            posted: plan.contacts * plan.per_contact,
            ..Default::default()
        }));
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .expect("client");
        let turn = Arc::new(AtomicUsize::new(0));
        let tasks = (0..plan.contacts)
            .map(|c| {
                let (client, figures, targets, turn) = (
                    client.clone(),
                    figures.clone(),
                    targets.clone(),
                    turn.clone(),
                );
                let (per_contact, pace, retry_for, tag) =
                    (plan.per_contact, plan.pace, plan.retry_for, plan.tag);
                tokio::spawn(async move {
                    for i in 0..per_contact {
                        let mid = format!("mid-{tag}-{c}-{i}");
                        let body = event(c, &mid);
                        let until = Instant::now() + retry_for;
                        loop {
                            let target =
                                &targets[turn.fetch_add(1, Ordering::Relaxed) % targets.len()];
                            let started = Instant::now();
                            let sent = client
                                .post(format!("{target}/webhooks/instagram"))
                                .header("content-type", "application/json")
                                .header("X-Hub-Signature-256", sign(&body))
                                .body(body.clone())
                                .send()
                                .await;
                            let outcome = match sent {
                                Ok(r) => {
                                    let status = r.status().as_u16();
                                    let text = r.text().await.unwrap_or_default();
                                    Some((status, text))
                                }
                                Err(_) => None,
                            };
                            let acked = {
                                let mut f = figures.lock().unwrap();
                                f.deliveries += 1;
                                match &outcome {
                                    Some((status, text)) => {
                                        *f.statuses.entry(*status).or_default() += 1;
                                        if *status == 503 {
                                            f.slowest_503 = f.slowest_503.max(started.elapsed());
                                            let body: Value =
                                                serde_json::from_str(text).unwrap_or_default();
                                            if body["error"] != "service_unavailable" {
                                                f.bad_503_bodies += 1;
                                            }
                                        }
                                        let ok = (200..300).contains(status);
                                        if ok {
                                            f.acked.insert(mid.clone());
                                        }
                                        ok
                                    }
                                    None => {
                                        f.transport_errors += 1;
                                        false
                                    }
                                }
                            };
                            if acked {
                                break;
                            }
                            if Instant::now() > until {
                                figures.lock().unwrap().given_up += 1;
                                break;
                            }
                            tokio::time::sleep(Duration::from_millis(200)).await;
                        }
                        tokio::time::sleep(pace).await;
                    }
                })
            })
            .collect();
        Load { figures, tasks }
    }

    pub fn acked(&self) -> usize {
        self.figures.lock().unwrap().acked.len()
    }

    pub fn is_finished(&self) -> bool {
        self.tasks.iter().all(|t| t.is_finished())
    }

    pub async fn finish(self) -> Figures {
        for t in self.tasks {
            t.await.expect("load task");
        }
        Arc::try_unwrap(self.figures)
            .map(|m| m.into_inner().unwrap())
            .unwrap_or_else(|_| panic!("load figures still shared"))
    }
}

/// Waits until the load has `n` acknowledged events (or has finished).
pub async fn wait_for_acked(load: &Load, n: usize) {
    while load.acked() < n && !load.is_finished() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A reply by an agent through the API; the status and body.
pub async fn post_reply(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    account: i64,
    display_id: i64,
    text: &str,
) -> (u16, Value) {
    let r = client
        .post(format!(
            "{base}/api/v1/accounts/{account}/conversations/{display_id}/messages"
        ))
        .header("api_access_token", token)
        .json(&json!({ "content": text }))
        .send()
        .await
        .expect("reply request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or_default())
}
