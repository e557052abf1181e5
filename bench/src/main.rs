//! `make bench`: the real server (the release binary, spawned) on PostgreSQL and on SQLite under load, every
//! figure next to a reference measured in the same run (README, "Performance"). Prints one table and writes
//! `target/bench/results.json`.
//!
//! `bench floor-server` is the framework floor: a minimal actix-web handler returning 200, in a process of its
//! own like the server.

use anyhow::{bail, Context};
use backend::config::Settings;
use backend::crypto::hmac_sha256_hex;
use backend::state::AppState;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement, TransactionTrait};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::future::Future;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::AsyncBufReadExt;
use tokio::process::{Child, Command};

mod cpu;
mod spa_render;

const SECRET: &str = "bench-app-secret";
const BUSINESS: &str = "17841400000000001";
const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/test";
const INGEST_CONCURRENCY: usize = 64;
const READ_CONCURRENCY: usize = 32;

fn main() -> anyhow::Result<()> {
    if std::env::args().nth(1).as_deref() == Some("floor-server") {
        return actix_web::rt::System::new().block_on(floor_server());
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(async {
            tokio::select! {
                result = run() => result,
                signal = interrupted() => {
                    // `run` is dropped by now, and with it every server, floor server and chromedriver it
                    // started (`kill_on_drop`); what outlives those is cleaned up here.
                    clean_up_after_interrupt().await;
                    bail!("interrupted by {signal}")
                }
            }
        })
}

/// The first SIGINT or SIGTERM.
async fn interrupted() -> &'static str {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => "SIGINT",
        _ = term.recv() => "SIGTERM",
    }
}

/// After an interrupted run: Chromium, which chromedriver started and which outlives it (its profile is under
/// `target/bench/tmp`), and the PostgreSQL databases not dropped yet.
async fn clean_up_after_interrupt() {
    let needle = Config::from_env().tmp_dir().display().to_string();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        if pid != std::process::id() && String::from_utf8_lossy(&cmdline).contains(&needle) {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
    }
    let names = std::mem::take(&mut *LIVE_DATABASES.lock().unwrap());
    for name in names {
        drop_pg_database(&name).await;
    }
}

/// Prints its port on stdout, then serves `GET /` → 200 until killed.
async fn floor_server() -> anyhow::Result<()> {
    use actix_web::{web, App, HttpResponse, HttpServer};
    let server = HttpServer::new(|| {
        App::new().route("/", web::get().to(|| async { HttpResponse::Ok().finish() }))
    })
    .bind("127.0.0.1:0")?;
    let port = server.addrs()[0].port();
    println!("{port}");
    std::io::stdout().flush()?;
    server.run().await?;
    Ok(())
}

// ------------------------------------------------------------------------------------------ configuration

struct Config {
    root: PathBuf,
    server_bin: PathBuf,
    dbs: Vec<String>,
    floor_requests: usize,
    db_commits: usize,
    db_selects: usize,
    ingest_single: usize,
    events: usize,
    contacts: usize,
    reads: usize,
    /// Notes a second written while the agents list (`BENCH_NOTES_PER_SEC`).
    notes_per_sec: usize,
    /// The listing users' role in the account (`BENCH_NOTES_ROLE`, `administrator` or `agent`); agents are
    /// members of every inbox, so all 32 see the same conversations.
    notes_role: &'static str,
    /// What the writes of that phase are (`BENCH_NOTES_KIND`): private notes (`notes`, the default), which make
    /// the page's rows stale, or `assignments`, each conversation assigned to one of the listing users and then
    /// unassigned, which also move every caller's tab counts.
    notes_kind: &'static str,
    phase_cap: Duration,
    processing_cap: Duration,
    pg: PgLink,
}

fn env_usize(key: &str, default: usize) -> usize {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

impl Config {
    /// Where each database's files, the Chromium profile and other scratch go (`target/bench/tmp`).
    fn tmp_dir(&self) -> PathBuf {
        self.root.join("target/bench/tmp")
    }

    fn from_env() -> Self {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("workspace root")
            .to_path_buf();
        let server_bin = std::env::var("BENCH_SERVER_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|_| root.join("target/server/switchboard"));
        Config {
            server_bin,
            dbs: std::env::var("BENCH_DATABASES")
                .unwrap_or_else(|_| "postgres,sqlite".into())
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
            floor_requests: env_usize("BENCH_FLOOR_REQUESTS", 20_000),
            db_commits: env_usize("BENCH_DB_COMMITS", 5_000),
            db_selects: env_usize("BENCH_DB_SELECTS", 10_000),
            ingest_single: env_usize("BENCH_INGEST_SINGLE", 3_000),
            events: env_usize("BENCH_EVENTS", 20_000),
            contacts: env_usize("BENCH_CONTACTS", 1_000).max(1),
            reads: env_usize("BENCH_READS", 10_000),
            notes_per_sec: env_usize("BENCH_NOTES_PER_SEC", NOTES_PER_SEC).max(1),
            notes_role: match std::env::var("BENCH_NOTES_ROLE").as_deref() {
                Ok("agent") => "agent",
                _ => "administrator",
            },
            notes_kind: match std::env::var("BENCH_NOTES_KIND").as_deref() {
                Ok("assignments") => "assignments",
                _ => "notes",
            },
            phase_cap: Duration::from_secs(env_usize("BENCH_PHASE_SECS", 60) as u64),
            processing_cap: Duration::from_secs(env_usize("BENCH_PROCESSING_SECS", 240) as u64),
            pg: PgLink::from_env(),
            root,
        }
    }
}

// ------------------------------------------------------------------------------------------ load generator

/// One measured load: successes, failures, wall time and every success's latency (sorted).
#[derive(Default)]
struct Run {
    ok: usize,
    errors: usize,
    first_error: Option<String>,
    elapsed: Duration,
    lat: Vec<Duration>,
    /// CPU each side spent per request, where the load was measured `with_cpu`.
    cpu: Option<cpu::PerRequest>,
}

impl Run {
    fn rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
    fn pct_ms(&self, p: f64) -> f64 {
        if self.lat.is_empty() {
            return f64::NAN;
        }
        let i = ((self.lat.len() as f64 * p).ceil() as usize).clamp(1, self.lat.len()) - 1;
        self.lat[i].as_secs_f64() * 1000.0
    }
    fn json(&self) -> Value {
        json!({
            "ok": self.ok, "errors": self.errors, "first_error": self.first_error,
            "seconds": self.elapsed.as_secs_f64(), "per_sec": self.rate(),
            "p50_ms": self.pct_ms(0.50), "p99_ms": self.pct_ms(0.99),
            "cpu_per_request": self.cpu.map(|c| c.json()),
        })
    }
}

/// `load`, with the CPU the server, PostgreSQL and this process each spent on it.
async fn with_cpu(server_pid: u32, load: impl Future<Output = Run>) -> Run {
    let before = cpu::mark(server_pid);
    let mut run = load.await;
    run.cpu = Some(before.per_request(&cpu::mark(server_pid), run.ok));
    run
}

/// Runs `f(0..total)` with `concurrency` in flight, stopping early after `cap`.
async fn load<F, Fut>(concurrency: usize, total: usize, cap: Duration, f: F) -> Run
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let f = Arc::new(f);
    let next = Arc::new(AtomicUsize::new(0));
    let first_error = Arc::new(Mutex::new(None::<String>));
    let start = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (f, next, first_error) = (f.clone(), next.clone(), first_error.clone());
            tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut errors = 0;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total || start.elapsed() > cap {
                        break;
                    }
                    let t0 = Instant::now();
                    match f(i).await {
                        Ok(()) => lat.push(t0.elapsed()),
                        Err(e) => {
                            errors += 1;
                            first_error
                                .lock()
                                .unwrap()
                                .get_or_insert_with(|| format!("{e:#}"));
                        }
                    }
                }
                (lat, errors)
            })
        })
        .collect();
    let mut run = Run::default();
    for t in tasks {
        let (lat, errors) = t.await.expect("load task");
        run.ok += lat.len();
        run.errors += errors;
        run.lat.extend(lat);
    }
    run.elapsed = start.elapsed();
    run.lat.sort();
    run.first_error = first_error.lock().unwrap().take();
    run
}

fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(256)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client")
}

async fn get_ok(client: &reqwest::Client, url: &str, token: Option<&str>) -> anyhow::Result<()> {
    let mut req = client.get(url);
    if let Some(t) = token {
        req = req.header("api_access_token", t);
    }
    let r = req.send().await?;
    let status = r.status();
    let body = r.bytes().await?;
    if !status.is_success() {
        bail!("GET {url}: {status} {}", String::from_utf8_lossy(&body));
    }
    Ok(())
}

// ------------------------------------------------------------------------------------------ processes

struct Proc {
    child: Child,
    pid: u32,
}

impl Proc {
    /// (VmRSS, VmHWM) in MiB.
    fn memory(&self) -> (f64, f64) {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid)).unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
                .map(|kb| kb / 1024.0)
                .unwrap_or(f64::NAN)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }

    async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// The framework floor's server, kept for the whole run: its floor is measured at the start and again beside
/// each database's group-commit ingest.
struct FloorServer {
    proc: Proc,
    url: String,
    client: reqwest::Client,
}

impl FloorServer {
    async fn start() -> anyhow::Result<Self> {
        let (proc, port) = spawn_floor_server().await?;
        Ok(Self {
            proc,
            url: format!("http://127.0.0.1:{port}/"),
            client: http_client(),
        })
    }

    /// `GET /` at `concurrency`, with the CPU each side spends.
    async fn measure(&self, cfg: &Config, concurrency: usize) -> Run {
        let (c, u) = (self.client.clone(), self.url.clone());
        let requests = load(concurrency, cfg.floor_requests, cfg.phase_cap, move |_| {
            let (c, u) = (c.clone(), u.clone());
            async move { get_ok(&c, &u, None).await }
        });
        with_cpu(self.proc.pid, requests).await
    }
}

async fn spawn_floor_server() -> anyhow::Result<(Proc, u16)> {
    let mut child = Command::new(std::env::current_exe()?)
        .arg("floor-server")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let pid = child.id().context("floor server pid")?;
    let stdout = child.stdout.take().context("floor server stdout")?;
    let mut line = String::new();
    tokio::io::BufReader::new(stdout)
        .read_line(&mut line)
        .await?;
    let port = line.trim().parse().context("floor server port")?;
    Ok((Proc { child, pid }, port))
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// The release server with `env`, logging to `log`; returns once `/health` answers.
async fn spawn_server(
    cfg: &Config,
    env: &HashMap<String, String>,
    extra: &[(&str, &str)],
    log: &Path,
) -> anyhow::Result<(Proc, String)> {
    let port = free_port()?;
    let logfile = std::fs::File::create(log)?;
    let mut cmd = Command::new(&cfg.server_bin);
    cmd.arg("serve")
        .envs(env)
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .stdout(logfile.try_clone()?)
        .stderr(logfile)
        .kill_on_drop(true);
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let child = cmd
        .spawn()
        .with_context(|| format!("spawning {}", cfg.server_bin.display()))?;
    let pid = child.id().context("server pid")?;
    let proc = Proc { child, pid };
    let base = format!("http://127.0.0.1:{port}");
    let client = http_client();
    for _ in 0..300 {
        if get_ok(&client, &format!("{base}/health"), None)
            .await
            .is_ok()
        {
            return Ok((proc, base));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    proc.stop().await;
    bail!(
        "the server did not answer /health within 15 s (log: {})",
        log.display()
    )
}

// ------------------------------------------------------------------------------------------ the database

struct BenchDb {
    kind: String,
    url: String,
    pg_name: Option<String>,
    _dir: tempfile::TempDir,
}

async fn create_db(kind: &str, cfg: &Config) -> anyhow::Result<BenchDb> {
    let tmp = cfg.tmp_dir();
    std::fs::create_dir_all(&tmp)?;
    let dir = tempfile::tempdir_in(&tmp)?;
    if kind == "postgres" {
        let name = format!("bench_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(PG_ADMIN_URL)
            .await
            .context("PostgreSQL at 127.0.0.1:5432 (user postgres, database test)")?;
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await?;
        admin.close().await.ok();
        LIVE_DATABASES.lock().unwrap().push(name.clone());
        Ok(BenchDb {
            kind: kind.into(),
            url: cfg.pg.url(&name),
            pg_name: Some(name),
            _dir: dir,
        })
    } else if kind == "sqlite" {
        let url = format!("sqlite://{}/bench.db?mode=rwc", dir.path().display());
        Ok(BenchDb {
            kind: kind.into(),
            url,
            pg_name: None,
            _dir: dir,
        })
    } else {
        bail!("unknown database {kind:?} (postgres or sqlite)")
    }
}

/// PostgreSQL's Unix socket, where its Debian package puts it.
const PG_SOCKET_DIR: &str = "/var/run/postgresql";

/// How the server and the DB floors reach PostgreSQL, decided once per run: its Unix socket when there is one, the
/// configuration the README recommends for a database on the same machine (no TLS negotiated over loopback, no
/// TCP stack), or with `BENCH_PG=tcp` 127.0.0.1:5432 as the tests do.
#[derive(Clone, Copy)]
enum PgLink {
    Socket,
    Tcp,
}

impl PgLink {
    fn from_env() -> Self {
        let socket = match std::env::var("BENCH_PG").as_deref() {
            Ok("tcp") => false,
            Ok("socket") => true,
            _ => Path::new(PG_SOCKET_DIR).join(".s.PGSQL.5432").exists(),
        };
        if socket {
            PgLink::Socket
        } else {
            PgLink::Tcp
        }
    }

    fn label(self) -> &'static str {
        match self {
            PgLink::Socket => "Unix socket",
            PgLink::Tcp => "TCP 127.0.0.1:5432",
        }
    }

    fn url(self, name: &str) -> String {
        match self {
            PgLink::Socket => format!("postgres://postgres@localhost/{name}?host={PG_SOCKET_DIR}"),
            PgLink::Tcp => format!("postgres://postgres@127.0.0.1:5432/{name}"),
        }
    }
}

async fn drop_db(db: &BenchDb) {
    if let Some(name) = &db.pg_name {
        LIVE_DATABASES.lock().unwrap().retain(|n| n != name);
        drop_pg_database(name).await;
    }
}

/// PostgreSQL databases this run made and has not dropped, for an interrupted run to drop.
static LIVE_DATABASES: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// `BENCH_KEEP_DB=1` keeps the PostgreSQL databases (named on stderr), to look at query plans afterwards.
async fn drop_pg_database(name: &str) {
    if std::env::var("BENCH_KEEP_DB").is_ok_and(|v| v == "1") {
        eprintln!("kept PostgreSQL database {name}");
        return;
    }
    if let Ok(admin) = Database::connect(PG_ADMIN_URL).await {
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await;
        admin.close().await.ok();
    }
}

async fn autovacuum_off(db: &DatabaseConnection) -> bool {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT current_setting('autovacuum')",
        ))
        .await;
    matches!(row, Ok(Some(r)) if r.try_get_by_index::<String>(0).is_ok_and(|v| v == "off"))
}

async fn scalar(db: &DatabaseConnection, sql: &str) -> anyhow::Result<i64> {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .context("no row")?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

async fn exec(
    db: &DatabaseConnection,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> anyhow::Result<()> {
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        values,
    ))
    .await?;
    Ok(())
}

/// An account with a connected Instagram inbox for `BUSINESS` (as the API tests insert it); its token.
async fn connect_instagram(state: &AppState) -> anyhow::Result<(i64, String)> {
    let admin = backend::cli::create_admin(
        state,
        "bench@example.com",
        "password123",
        Some("Bench"),
        Some("Bench"),
        false,
    )
    .await?;
    let account = admin.account_id.context("account")?;
    let now = backend::db::now();
    let db = &state.db;
    exec(db,
        "INSERT INTO channel_instagram (account_id, instagram_id, username, access_token, expires_at, reauthorization_required, created_at, updated_at) VALUES ($1, $2, 'bench.shop', $3, $4, false, $5, $5)",
        vec![account.into(), BUSINESS.into(), state.keys.seal("IGlong").into(), (now + 50 * 86400).into(), now.into()],
    ).await?;
    exec(db,
        "INSERT INTO inboxes (account_id, name, channel_type, channel_id, created_at, updated_at) SELECT $1, 'bench.shop', 'Channel::Instagram', id, $2, $2 FROM channel_instagram",
        vec![account.into(), now.into()],
    ).await?;
    Ok((account, admin.access_token))
}

/// Single-row INSERT + COMMIT per transaction at 64, then primary-key SELECTs at 32 of the rows written, on the
/// server's own pool settings (`backend::db::connect`). The table stays for `select_floor` until the reads end.
async fn db_floors(cfg: &Config, db: &DatabaseConnection) -> anyhow::Result<(Run, Run)> {
    let ddl = if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        "CREATE TABLE bench_floor (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL)"
    } else {
        "CREATE TABLE bench_floor (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT NOT NULL)"
    };
    db.execute_unprepared(ddl).await?;
    let d = db.clone();
    let commits = load(
        INGEST_CONCURRENCY,
        cfg.db_commits,
        cfg.phase_cap,
        move |i| {
            let db = d.clone();
            async move {
                let txn = db.begin().await?;
                txn.execute_raw(Statement::from_sql_and_values(
                    txn.get_database_backend(),
                    "INSERT INTO bench_floor (v) VALUES ($1)",
                    [format!("row {i}").into()],
                ))
                .await?;
                txn.commit().await?;
                Ok(())
            }
        },
    )
    .await;
    let selects = select_floor(cfg, db).await?;
    Ok((commits, selects))
}

/// Primary-key SELECTs at 32 from the rows `db_floors` left in `bench_floor`: the select floor, measured again
/// beside each read phase (`Beside`).
async fn select_floor(cfg: &Config, db: &DatabaseConnection) -> anyhow::Result<Run> {
    let rows = scalar(db, "SELECT COUNT(*) FROM bench_floor").await?.max(1);
    let d = db.clone();
    let run = load(READ_CONCURRENCY, cfg.db_selects, cfg.phase_cap, move |i| {
        let db = d.clone();
        async move {
            let row = db
                .query_one_raw(Statement::from_sql_and_values(
                    db.get_database_backend(),
                    "SELECT id, v FROM bench_floor WHERE id = $1",
                    [((i as i64 % rows) + 1).into()],
                ))
                .await?;
            row.context("row missing")?;
            Ok(())
        }
    })
    .await;
    Ok(run)
}

/// A floor measured just before and just after one phase: the select floor around each read phase, the framework
/// floor around the group-commit ingest. This machine's speed moves by a third within minutes (other tenants),
/// and the floors measured at the start of the run are a minute or more away from the phase. The higher of these
/// two is the reference measured beside the phase: the stricter, as the two differed by up to 28% in stop 35's
/// runs (after the notes phase the floor was lower than before it in three runs of five, and a mean would have
/// judged the phase against its own after-effects).
struct Beside {
    before: Run,
    after: Run,
}

impl Beside {
    /// `phase`, with the floor `measure` measures just before and just after it.
    async fn around<T, F>(
        measure: impl Fn() -> F,
        phase: impl Future<Output = T>,
    ) -> anyhow::Result<(T, Self)>
    where
        F: Future<Output = anyhow::Result<Run>>,
    {
        let before = measure().await?;
        let out = phase.await;
        let after = measure().await?;
        Ok((out, Self { before, after }))
    }
    fn rate(&self) -> f64 {
        self.before.rate().max(self.after.rate())
    }
    /// The table's cell: `phase`'s ratio to this floor, then the two floors measured.
    fn cell(&self, phase: &Run) -> String {
        format!(
            "{:.2}× ({:.0}–{:.0})",
            phase.rate() / self.rate(),
            self.before.rate(),
            self.after.rate()
        )
    }
    fn json(&self) -> Value {
        json!({ "per_sec": self.rate(), "before": self.before.json(), "after": self.after.json() })
    }
}

// ------------------------------------------------------------------------------------------ webhooks

fn contact_id(c: usize) -> String {
    format!("{}", 9_000_000_000_000_000u64 + c as u64)
}

/// Signed deliveries, one message each, distinct `mid`s, round-robin over `contacts`.
fn deliveries(tag: &str, n: usize, contacts: usize) -> Arc<Vec<(String, String)>> {
    let t0 = 1_764_201_600_000i64;
    Arc::new(
        (0..n)
            .map(|i| {
                let body = json!({
                    "object": "instagram",
                    "entry": [{
                        "time": t0 + i as i64, "id": BUSINESS,
                        "messaging": [{
                            "sender": {"id": contact_id(i % contacts)},
                            "recipient": {"id": BUSINESS},
                            "timestamp": t0 + i as i64,
                            "message": {"mid": format!("bench-{tag}-{i}"), "text": format!("Hello, is item {i} still available?")}
                        }]
                    }]
                })
                .to_string();
                let sig = format!("sha256={}", hmac_sha256_hex(SECRET.as_bytes(), body.as_bytes()));
                (body, sig)
            })
            .collect(),
    )
}

async fn post_webhooks(cfg: &Config, base: &str, bodies: Arc<Vec<(String, String)>>) -> Run {
    let client = http_client();
    let url = format!("{base}/webhooks/instagram");
    let n = bodies.len();
    load(INGEST_CONCURRENCY, n, cfg.phase_cap, move |i| {
        let (client, url, bodies) = (client.clone(), url.clone(), bodies.clone());
        async move {
            let (body, sig) = &bodies[i];
            let r = client
                .post(&url)
                .header("content-type", "application/json")
                .header("X-Hub-Signature-256", sig)
                .body(body.clone())
                .send()
                .await?;
            let status = r.status();
            let text = r.text().await?;
            if status != 200 {
                bail!("webhook: {status} {text}");
            }
            Ok(())
        }
    })
    .await
}

// ------------------------------------------------------------------------------------------ one database

/// `GET …/conversations?page=1` then one thread, each `cfg.reads` times at `READ_CONCURRENCY`, after one
/// untimed request each: otherwise the first 32 requests, all at once and all before anything is kept (about 1%
/// of the run), would be the kept run's p99. What a read costs when nothing is kept is the other run's figure.
async fn api_reads(
    cfg: &Config,
    server_pid: u32,
    base: &str,
    account: i64,
    token: &str,
    display_id: i64,
) -> (Run, Run) {
    let client = http_client();
    let mut runs = Vec::new();
    for url in [
        format!("{base}/api/v1/accounts/{account}/conversations?page=1"),
        format!("{base}/api/v1/accounts/{account}/conversations/{display_id}/messages"),
    ] {
        if let Err(e) = get_ok(&client, &url, Some(token)).await {
            eprintln!("warm-up: {e:#}");
        }
        let (c, t) = (client.clone(), token.to_owned());
        runs.push(
            with_cpu(
                server_pid,
                load(READ_CONCURRENCY, cfg.reads, cfg.phase_cap, move |_| {
                    let (c, t, url) = (c.clone(), t.clone(), url.clone());
                    async move { get_ok(&c, &url, Some(&t)).await }
                }),
            )
            .await,
        );
    }
    let messages = runs.pop().expect("two runs");
    (runs.pop().expect("two runs"), messages)
}

/// `Config::notes_per_sec` unless set.
const NOTES_PER_SEC: usize = 100;

/// Connections of the pool the DB floors run on (`BENCH_FLOOR_CONNECTIONS`).
const FLOOR_CONNECTIONS: usize = 16;

/// `GET …/conversations?page=1` by 32 administrators of the account (or agents, `Config::notes_role`), each
/// with a token of their own, at 32 concurrent, while private notes go into the conversations of that page at a
/// fixed rate through the API: a busy account's dashboards. Each agent's list is kept apart (its own JSON), and every note makes all of them
/// stale, so most lists are made again after a write that changed one row. Only the lists are timed; the
/// server's CPU per list includes its share of the notes. Returns the run and the notes written.
async fn lists_while_notes_arrive(
    cfg: &Config,
    state: &AppState,
    server_pid: u32,
    base: &str,
    account: i64,
    token: &str,
) -> anyhow::Result<(Run, usize)> {
    let mut tokens = Vec::with_capacity(READ_CONCURRENCY);
    let mut users = Vec::with_capacity(READ_CONCURRENCY);
    for n in 0..READ_CONCURRENCY {
        let agent = backend::cli::create_admin(
            state,
            &format!("agent{n}@bench.example"),
            "password123",
            Some(&format!("Agent {n}")),
            None,
            false,
        )
        .await?;
        let now = backend::db::now();
        exec(
            &state.db,
            "INSERT INTO account_users (account_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)",
            vec![
                account.into(),
                agent.user_id.into(),
                cfg.notes_role.into(),
                now.into(),
            ],
        )
        .await?;
        if cfg.notes_role == "agent" {
            exec(
                &state.db,
                "INSERT INTO inbox_members (inbox_id, user_id, created_at) \
                 SELECT id, $2, $3 FROM inboxes WHERE account_id = $1",
                vec![account.into(), agent.user_id.into(), now.into()],
            )
            .await?;
        }
        tokens.push(agent.access_token);
        users.push(agent.user_id);
    }
    let client = http_client();
    let list = format!("{base}/api/v1/accounts/{account}/conversations?page=1");
    let page: Value = client
        .get(&list)
        .header("api_access_token", token)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let ids: Vec<i64> = page["data"]["payload"]
        .as_array()
        .context("no payload in the list")?
        .iter()
        .filter_map(|c| c["id"].as_i64())
        .collect();
    anyhow::ensure!(!ids.is_empty(), "the list is empty");

    let rate = cfg.notes_per_sec;
    let assignments = cfg.notes_kind == "assignments";
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Each note goes out on its own task at its tick, so that a slow one does not hold back the rate.
    let written = Arc::new(AtomicUsize::new(0));
    let first_error = Arc::new(Mutex::new(None::<String>));
    let writer = {
        let (client, token, base, done) = (
            client.clone(),
            token.to_owned(),
            base.to_owned(),
            done.clone(),
        );
        let (written, first_error) = (written.clone(), first_error.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
            let mut notes = tokio::task::JoinSet::new();
            let mut n = 0usize;
            while !done.load(Ordering::Relaxed) {
                tick.tick().await;
                // An assignment to one of the listing users, then its undoing: each moves the tab counts.
                let (note, body) = if assignments {
                    let assignee = n.is_multiple_of(2).then(|| users[(n / 2) % users.len()]);
                    (
                        format!(
                            "{base}/api/v1/accounts/{account}/conversations/{}/assignments",
                            ids[(n / 2) % ids.len()]
                        ),
                        json!({ "assignee_id": assignee }),
                    )
                } else {
                    (
                        format!(
                            "{base}/api/v1/accounts/{account}/conversations/{}/messages",
                            ids[n % ids.len()]
                        ),
                        json!({"content": format!("bench note {n}"), "private": true}),
                    )
                };
                let (client, token, written, first_error) = (
                    client.clone(),
                    token.clone(),
                    written.clone(),
                    first_error.clone(),
                );
                notes.spawn(async move {
                    let sent = client
                        .post(&note)
                        .header("api_access_token", &token)
                        .json(&body)
                        .send()
                        .await;
                    let failed = match sent {
                        Ok(r) if r.status().is_success() => {
                            written.fetch_add(1, Ordering::Relaxed);
                            return;
                        }
                        Ok(r) => format!("POST {note}: {}", r.status()),
                        Err(e) => format!("POST {note}: {e}"),
                    };
                    first_error.lock().unwrap().get_or_insert(failed);
                });
                n += 1;
                while notes.try_join_next().is_some() {}
            }
            notes.join_all().await;
        })
    };
    let tokens = Arc::new(tokens);
    let run = with_cpu(
        server_pid,
        // Three times the other read phases' count: long enough for a few hundred notes.
        load(READ_CONCURRENCY, 3 * cfg.reads, cfg.phase_cap, move |i| {
            let (client, tokens, list) = (client.clone(), tokens.clone(), list.clone());
            async move { get_ok(&client, &list, Some(&tokens[i % tokens.len()])).await }
        }),
    )
    .await;
    done.store(true, Ordering::Relaxed);
    writer.await?;
    if let Some(e) = first_error.lock().unwrap().take() {
        eprintln!("notes: {e}");
    }
    Ok((run, written.load(Ordering::Relaxed)))
}

struct DbResult {
    json: Value,
    commit_floor: f64,
    select_floor: f64,
    /// The floors' own latencies: what the database alone gives at that concurrency, tails included.
    commits: Run,
    selects: Run,
    ingest_single: Run,
    ingest: Run,
    processing_rate: f64,
    processing_done: bool,
    conversations: Run,
    messages: Run,
    /// The same reads on a server with `READ_CACHE_MIB=0`.
    conversations_uncached: Run,
    messages_uncached: Run,
    /// 32 agents' lists while notes arrive, on the server as shipped, and the notes written meanwhile.
    conversations_while_notes: Run,
    /// The framework floor (c64) beside the group-commit ingest.
    beside_ingest: Beside,
    /// The select floor beside the repeated reads, the reads with nothing kept and the notes phase.
    beside_reads: Beside,
    beside_uncached: Beside,
    beside_notes: Beside,
    notes_written: usize,
    rss_idle: f64,
    rss_peak: f64,
}

async fn bench_db(cfg: &Config, floor: &FloorServer, kind: &str) -> anyhow::Result<DbResult> {
    let db = create_db(kind, cfg).await?;
    let result = bench_db_inner(cfg, floor, &db).await;
    drop_db(&db).await;
    result
}

async fn bench_db_inner(
    cfg: &Config,
    floor: &FloorServer,
    bdb: &BenchDb,
) -> anyhow::Result<DbResult> {
    let kind = bdb.kind.as_str();
    let logs = cfg.root.join("target/bench");
    let graph = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path_regex(r"^/v[0-9.]+/[0-9]+$"))
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(json!({
            "name": "Bench Customer", "username": "bench.customer", "profile_pic": "https://cdn.example/p.jpg",
            "follower_count": 12, "is_user_follow_business": true, "is_business_follow_user": false,
            "is_verified_user": false
        })))
        .mount(&graph)
        .await;
    let files = bdb._dir.path().join("files");
    let env: HashMap<String, String> = HashMap::from([
        ("DATABASE_URL".into(), bdb.url.clone()),
        ("LISTEN_ADDR".into(), "127.0.0.1:0".into()),
        ("SECRET_KEY_BASE".into(), "0123456789abcdef".repeat(8)),
        (
            "STATIC_DIR".into(),
            cfg.root.join("dist").display().to_string(),
        ),
        ("FRONTEND_URL".into(), "http://localhost:3000".into()),
        ("FILE_STORE_DIR".into(), files.display().to_string()),
        ("INSTAGRAM_APP_ID".into(), "123456".into()),
        ("INSTAGRAM_APP_SECRET".into(), SECRET.into()),
        ("INSTAGRAM_VERIFY_TOKEN".into(), "verify".into()),
        ("INSTAGRAM_GRAPH_URL".into(), graph.uri()),
        ("INSTAGRAM_API_URL".into(), graph.uri()),
        ("INSTAGRAM_OAUTH_URL".into(), graph.uri()),
        ("TWILIO_API_URL".into(), graph.uri()),
    ]);
    // The DB floors run on this pool, of its own size rather than the server's: the server's PostgreSQL pool is
    // 4 on two cores since stop 37, and 4 connections commit less at 64 in flight (9,359–11,051 commits/s in two
    // runs, against 13,888–14,078 with 8 and 14,312 with 16), a floor that would flatter the ingest judged by it.
    let floor_connections = env_usize("BENCH_FLOOR_CONNECTIONS", FLOOR_CONNECTIONS).to_string();
    let settings = Settings::from_lookup(|k| match k {
        "DATABASE_MAX_CONNECTIONS" => Some(floor_connections.clone()),
        _ => env.get(k).cloned(),
    });
    let state = backend::startup::prepare(&settings).await?;
    let (account, token) = connect_instagram(&state).await?;

    eprintln!("[{kind}] DB floors");
    let (commits, selects) = db_floors(cfg, &state.db).await?;

    // Ingest with one transaction per delivery (the code before group commit), then throw it away.
    eprintln!("[{kind}] ingest, one transaction per delivery");
    let (server, base) = spawn_server(
        cfg,
        &env,
        &[("WORKERS", "0"), ("SWITCHBOARD_GROUP_COMMIT", "0")],
        &logs.join(format!("server-{kind}-single.log")),
    )
    .await?;
    let ingest_single = with_cpu(
        server.pid,
        post_webhooks(
            cfg,
            &base,
            deliveries("single", cfg.ingest_single, cfg.contacts),
        ),
    )
    .await;
    let (_, hwm_single) = server.memory();
    server.stop().await;
    state.db.execute_unprepared("DELETE FROM jobs").await?;
    state
        .db
        .execute_unprepared("DELETE FROM webhook_events")
        .await?;

    // Ingest with group commit; these events are the processing set.
    eprintln!("[{kind}] ingest, group commit");
    let (server, base) = spawn_server(
        cfg,
        &env,
        &[("WORKERS", "0")],
        &logs.join(format!("server-{kind}-ingest.log")),
    )
    .await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (rss_idle, _) = server.memory();
    let (ingest, beside_ingest) = Beside::around(
        || async { Ok(floor.measure(cfg, INGEST_CONCURRENCY).await) },
        with_cpu(
            server.pid,
            post_webhooks(cfg, &base, deliveries("group", cfg.events, cfg.contacts)),
        ),
    )
    .await?;
    let (_, hwm_ingest) = server.memory();
    server.stop().await;
    let stored = scalar(&state.db, "SELECT COUNT(*) FROM jobs").await?;

    // Processing: workers on; the clock runs from the spawn until every message row exists.
    eprintln!("[{kind}] processing {stored} events");
    let t0 = Instant::now();
    let (server, base) = spawn_server(
        cfg,
        &env,
        &[],
        &logs.join(format!("server-{kind}-process.log")),
    )
    .await?;
    let mut done = false;
    let mut messages_n = 0;
    while t0.elapsed() < cfg.processing_cap {
        messages_n = scalar(&state.db, "SELECT COUNT(*) FROM messages").await?;
        if messages_n >= stored {
            done = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let processing_secs = t0.elapsed().as_secs_f64();
    let processing_rate = messages_n as f64 / processing_secs;
    let dead = scalar(&state.db, "SELECT COUNT(*) FROM jobs WHERE state = 'dead'").await?;
    let contacts = scalar(&state.db, "SELECT COUNT(*) FROM contacts").await?;
    let profile_calls = graph
        .received_requests()
        .await
        .map(|r| r.len())
        .unwrap_or(0);
    let (_, hwm_process) = server.memory();

    // A default PostgreSQL vacuums and analyses tables that changed this much on its own; this machine's runs
    // with autovacuum off, and would serve the reads on the plans of an empty database and through every dead
    // row the processing left.
    let vacuumed = kind == "postgres" && autovacuum_off(&state.db).await;
    if vacuumed {
        eprintln!(
            "[{kind}] autovacuum is off here: VACUUM (ANALYZE) before the reads, as it would have"
        );
        state.db.execute_unprepared("VACUUM (ANALYZE)").await?;
    }

    // API reads, on the same server (workers idle by now): the default, where a repeated read is served from the
    // JSON kept for it, then on a server keeping nothing, where every read runs its statements.
    eprintln!("[{kind}] API reads");
    let display_id = scalar(
        &state.db,
        "SELECT display_id FROM conversations ORDER BY id LIMIT 1",
    )
    .await
    .unwrap_or(1);
    let ((conversations, messages), beside_reads) = Beside::around(
        || select_floor(cfg, &state.db),
        api_reads(cfg, server.pid, &base, account, &token, display_id),
    )
    .await?;
    let (_, hwm_reads) = server.memory();
    server.stop().await;
    eprintln!("[{kind}] API reads, nothing kept");
    let (server, base) = spawn_server(
        cfg,
        &env,
        &[("WORKERS", "0"), ("READ_CACHE_MIB", "0")],
        &logs.join(format!("server-{kind}-reads-uncached.log")),
    )
    .await?;
    let ((conversations_uncached, messages_uncached), beside_uncached) = Beside::around(
        || select_floor(cfg, &state.db),
        api_reads(cfg, server.pid, &base, account, &token, display_id),
    )
    .await?;
    server.stop().await;
    // Last, as its notes lengthen the conversations of the first page.
    eprintln!("[{kind}] API reads, 32 agents' lists while notes arrive");
    let (server, base) = spawn_server(
        cfg,
        &env,
        &[("WORKERS", "0")],
        &logs.join(format!("server-{kind}-reads-after-notes.log")),
    )
    .await?;
    let (notes, beside_notes) = Beside::around(
        || select_floor(cfg, &state.db),
        lists_while_notes_arrive(cfg, &state, server.pid, &base, account, &token),
    )
    .await?;
    let (conversations_while_notes, notes_written) = notes?;
    let (_, hwm_notes) = server.memory();
    server.stop().await;
    state
        .db
        .execute_unprepared("DROP TABLE bench_floor")
        .await?;

    let rss_peak = [hwm_single, hwm_ingest, hwm_process, hwm_reads, hwm_notes]
        .into_iter()
        .fold(0.0, f64::max);
    let json = json!({
        "database": kind,
        "db_commit_floor_c64": commits.json(),
        "db_select_floor_c32": selects.json(),
        "db_select_floor_c32_beside": {
            "reads": beside_reads.json(), "reads_nothing_kept": beside_uncached.json(),
            "reads_32_agents_while_notes_arrive": beside_notes.json(),
        },
        "ingest_one_txn_each_c64": ingest_single.json(),
        "ingest_group_commit_c64": ingest.json(),
        "framework_floor_c64_beside_ingest": beside_ingest.json(),
        "processing": {
            "events": stored, "contacts": contacts, "messages": messages_n, "complete": done,
            "seconds": processing_secs, "per_sec": processing_rate, "dead_jobs": dead,
            "graph_profile_requests": profile_calls,
        },
        "vacuum_analyze_before_reads": vacuumed,
        "reads_conversations_c32": conversations.json(),
        "reads_messages_c32": messages.json(),
        "reads_conversations_c32_nothing_kept": conversations_uncached.json(),
        "reads_messages_c32_nothing_kept": messages_uncached.json(),
        "reads_conversations_c32_32_agents_while_notes_arrive": {
            "lists": conversations_while_notes.json(), "notes_written": notes_written,
            "notes_per_sec_asked": cfg.notes_per_sec,
        },
        "rss_mib": {
            "idle": rss_idle, "peak": rss_peak, "peak_ingest_one_txn": hwm_single,
            "peak_ingest": hwm_ingest, "peak_processing": hwm_process, "peak_reads": hwm_reads,
            "peak_reads_after_notes": hwm_notes,
        },
    });
    Ok(DbResult {
        json,
        commit_floor: commits.rate(),
        select_floor: selects.rate(),
        commits,
        selects,
        ingest_single,
        ingest,
        processing_rate,
        processing_done: done,
        conversations,
        messages,
        conversations_uncached,
        messages_uncached,
        conversations_while_notes,
        beside_ingest,
        beside_reads,
        beside_uncached,
        beside_notes,
        notes_written,
        rss_idle,
        rss_peak,
    })
}

// ------------------------------------------------------------------------------------------ SPA

fn spa_sizes(root: &Path) -> Option<(String, u64, u64)> {
    let wasm = std::fs::read_dir(root.join("dist"))
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "wasm"))?;
    let raw = std::fs::read(&wasm).ok()?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&raw).ok()?;
    let gz = gz.finish().ok()?;
    Some((
        wasm.file_name()?.to_string_lossy().into_owned(),
        raw.len() as u64,
        gz.len() as u64,
    ))
}

// ------------------------------------------------------------------------------------------ report

fn met(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "NOT met"
    }
}

async fn run() -> anyhow::Result<()> {
    let cfg = Config::from_env();
    if !cfg.server_bin.exists() {
        bail!(
            "{} is missing: build it with `cargo build --profile server -p backend`",
            cfg.server_bin.display()
        );
    }
    let out_dir = cfg.root.join("target/bench");
    std::fs::create_dir_all(&out_dir)?;
    let started = Instant::now();

    eprintln!("framework floor");
    let floor = FloorServer::start().await?;
    let floor64 = floor.measure(&cfg, INGEST_CONCURRENCY).await;
    let floor32 = floor.measure(&cfg, READ_CONCURRENCY).await;

    let mut dbs = Vec::new();
    for kind in &cfg.dbs {
        let r = bench_db(&cfg, &floor, kind)
            .await
            .with_context(|| format!("benchmark on {kind}"))?;
        dbs.push((kind.clone(), r));
    }
    floor.proc.stop().await;
    let spa = spa_sizes(&cfg.root);
    let render = if spa.is_some() {
        eprintln!(
            "SPA render time ({} inboxes, headless Chromium)",
            spa_render::INBOXES
        );
        match spa_render::measure(&cfg).await {
            Ok(r) => Some(r),
            Err(e) => {
                eprintln!("SPA render time not measured: {e:#}");
                None
            }
        }
    } else {
        None
    };

    // ---- the table
    let f64r = floor64.rate();
    let f32r = floor32.rate();
    let mut t = String::new();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    t += &format!(
        "\nSwitchboard bench — {cores} cores, {} events from {} contacts, ingest at c={INGEST_CONCURRENCY}, reads at c={READ_CONCURRENCY}\n\n",
        cfg.events, cfg.contacts
    );
    t += &format!(
        "framework floor (actix GET → 200)   c64 {:>9.0} req/s   c32 {:>9.0} req/s   (p99 {:.1} / {:.1} ms)\n",
        f64r, f32r, floor64.pct_ms(0.99), floor32.pct_ms(0.99)
    );
    let cpu_cell = |r: &Run| r.cpu.map(|c| c.cell()).unwrap_or_else(|| "–".into());
    const CPU_ROW: &str = "  CPU µs/req: server / PostgreSQL / load";
    t += &format!(
        "{CPU_ROW}   c64 {}   c32 {}\n\n",
        cpu_cell(&floor64),
        cpu_cell(&floor32)
    );
    if cfg.dbs.iter().any(|k| k == "postgres") {
        t += &format!(
            "PostgreSQL over its {} (BENCH_PG=tcp or socket)\n\n",
            cfg.pg.label()
        );
    }
    let names: Vec<&str> = dbs.iter().map(|(k, _)| k.as_str()).collect();
    t += &format!("{:<44}", "measure");
    for n in &names {
        t += &format!("{n:>28}");
    }
    t += "\n";
    let mut row = |label: &str, f: &dyn Fn(&DbResult) -> String| {
        t += &format!("{label:<44}");
        for (_, r) in &dbs {
            t += &format!("{:>28}", f(r));
        }
        t += "\n";
    };
    let lat = |r: &Run| format!("{:.1} / {:.1} ms", r.pct_ms(0.5), r.pct_ms(0.99));
    row("DB floor: INSERT+COMMIT c64 (commits/s)", &|r| {
        format!("{:.0}", r.commit_floor)
    });
    row("  p50 / p99", &|r| lat(&r.commits));
    row("DB floor: PK SELECT c32 (selects/s)", &|r| {
        format!("{:.0}", r.select_floor)
    });
    row("  p50 / p99", &|r| lat(&r.selects));
    row("ingest, 1 txn/delivery (before) ev/s", &|r| {
        format!(
            "{:.0} ({} err)",
            r.ingest_single.rate(),
            r.ingest_single.errors
        )
    });
    row("  p50 / p99", &|r| lat(&r.ingest_single));
    row(CPU_ROW, &|r| cpu_cell(&r.ingest_single));
    row("ingest, group commit (after) ev/s", &|r| {
        format!("{:.0} ({} err)", r.ingest.rate(), r.ingest.errors)
    });
    row("  p50 / p99", &|r| lat(&r.ingest));
    row(CPU_ROW, &|r| cpu_cell(&r.ingest));
    row("  × DB commit floor", &|r| {
        format!("{:.2}×", r.ingest.rate() / r.commit_floor)
    });
    row("  × framework floor (c64)", &|r| {
        format!("{:.2}×", r.ingest.rate() / f64r)
    });
    row("  × framework floor beside (its req/s)", &|r| {
        r.beside_ingest.cell(&r.ingest)
    });
    row("  × before (1 txn/delivery)", &|r| {
        format!("{:.2}×", r.ingest.rate() / r.ingest_single.rate())
    });
    row("processing ev/s (until all messages)", &|r| {
        format!(
            "{:.0}{}",
            r.processing_rate,
            if r.processing_done {
                ""
            } else {
                " (INCOMPLETE)"
            }
        )
    });
    row("  × DB commit floor", &|r| {
        format!("{:.2}×", r.processing_rate / r.commit_floor)
    });
    // A read phase's five rows: its rate, latency, CPU and ratios to the floors, the select floor both as measured
    // at the start and beside the phase (`beside`, one of `DbResult`'s).
    type Cell<'a> = &'a dyn Fn(&DbResult) -> String;
    let read_rows = |row: &mut dyn FnMut(&str, Cell),
                     label: &str,
                     beside: &dyn Fn(&DbResult) -> &Beside,
                     pick: &dyn Fn(&DbResult) -> &Run| {
        row(label, &|r| {
            let run = pick(r);
            format!("{:.0} ({} err)", run.rate(), run.errors)
        });
        row("  p50 / p99", &|r| lat(pick(r)));
        row(CPU_ROW, &|r| cpu_cell(pick(r)));
        row("  × framework floor (c32) / × select floor", &|r| {
            let run = pick(r);
            format!(
                "{:.2}× / {:.2}×",
                run.rate() / f32r,
                run.rate() / r.select_floor
            )
        });
        row("  × select floor beside (its selects/s)", &|r| {
            beside(r).cell(pick(r))
        });
    };
    for (what, kept) in [("", true), (", nothing kept", false)] {
        fn pick(r: &DbResult, kept: bool) -> [&Run; 2] {
            if kept {
                [&r.conversations, &r.messages]
            } else {
                [&r.conversations_uncached, &r.messages_uncached]
            }
        }
        for (i, name) in ["conversations", "messages"].into_iter().enumerate() {
            read_rows(
                &mut row,
                &format!("GET {name}{what} c32 req/s"),
                &|r| {
                    if kept {
                        &r.beside_reads
                    } else {
                        &r.beside_uncached
                    }
                },
                &|r| pick(r, kept)[i],
            );
        }
    }
    read_rows(
        &mut row,
        &format!(
            "GET conversations, 32 agents, {} arriving c32",
            cfg.notes_kind
        ),
        &|r| &r.beside_notes,
        &|r| &r.conversations_while_notes,
    );
    row(&format!("  {} written (a second)", cfg.notes_kind), &|r| {
        let run = &r.conversations_while_notes;
        format!(
            "{} ({:.0}/s)",
            r.notes_written,
            r.notes_written as f64 / run.elapsed.as_secs_f64()
        )
    });
    row("server RSS idle / peak (MiB)", &|r| {
        format!("{:.1} / {:.1}", r.rss_idle, r.rss_peak)
    });
    if let Some((name, raw, gz)) = &spa {
        t += &format!(
            "\nSPA {name}: {:.1} KiB raw, {:.1} KiB gzipped (-9)\n",
            *raw as f64 / 1024.0,
            *gz as f64 / 1024.0
        );
        t += &match &render {
            Some(r) => format!(
                "SPA inbox list ({} inboxes) rendered after navigation: {:.0} ms cold cache, {:.0} ms median warm\n  \
                 cold: {}\n  warm: {}\n",
                spa_render::INBOXES, r.cold_ms, r.warm_median_ms, r.cold_steps, r.warm_steps
            ),
            None => "SPA render time: not measured (see the message above)\n".to_owned(),
        };
    } else {
        t += "\nSPA: no dist/*.wasm (run `make spa`)\n";
    }

    // ---- targets
    let mut targets = Vec::new();
    for (kind, r) in &dbs {
        let pg = kind == "postgres";
        if pg {
            targets.push((
                format!("{kind}: ingest ≥ 1.0× DB commit floor"),
                r.ingest.rate() >= r.commit_floor,
            ));
            targets.push((
                format!("{kind}: ingest ≥ 0.3× framework floor beside"),
                r.ingest.rate() >= 0.3 * r.beside_ingest.rate(),
            ));
            targets.push((
                format!("{kind}: ingest p99 < 25 ms"),
                r.ingest.pct_ms(0.99) < 25.0,
            ));
        }
        targets.push((
            format!("{kind}: processing ≥ 0.25× DB commit floor"),
            r.processing_done && r.processing_rate >= 0.25 * r.commit_floor,
        ));
        // Judged twice: as shipped (a repeated read is served from its kept JSON) and with nothing kept, which is
        // what a read after every write costs.
        // The select floor they are held to is the one measured beside each phase (`Beside`).
        for (what, [list, thread], floor) in [
            (
                "repeated, kept JSON",
                [&r.conversations, &r.messages],
                &r.beside_reads,
            ),
            (
                "nothing kept",
                [&r.conversations_uncached, &r.messages_uncached],
                &r.beside_uncached,
            ),
        ] {
            targets.push((
                format!("{kind}: API reads p99 < 10 ms ({what})"),
                list.pct_ms(0.99) < 10.0 && thread.pct_ms(0.99) < 10.0,
            ));
            if pg {
                targets.push((
                    format!("{kind}: API reads ≥ 0.3× select floor beside ({what})"),
                    list.rate() >= 0.3 * floor.rate() && thread.rate() >= 0.3 * floor.rate(),
                ));
            }
        }
        // And the list as agents see it while messages arrive: kept JSON made stale by every note.
        let busy = &r.conversations_while_notes;
        targets.push((
            format!(
                "{kind}: list p99 < 10 ms (32 agents, {} arriving)",
                cfg.notes_kind
            ),
            busy.pct_ms(0.99) < 10.0,
        ));
        if pg {
            targets.push((
                format!(
                    "{kind}: list ≥ 0.3× select floor beside (32 agents, {} arriving)",
                    cfg.notes_kind
                ),
                busy.rate() >= 0.3 * r.beside_notes.rate(),
            ));
        }
        targets.push((format!("{kind}: RSS idle < 60 MiB"), r.rss_idle < 60.0));
        targets.push((format!("{kind}: RSS peak < 200 MiB"), r.rss_peak < 200.0));
        let errs = r.ingest.errors
            + r.ingest_single.errors
            + r.conversations.errors
            + r.messages.errors
            + r.conversations_uncached.errors
            + r.messages_uncached.errors
            + r.conversations_while_notes.errors;
        if errs > 0 {
            targets.push((format!("{kind}: no request errors ({errs} errors)"), false));
        }
    }
    if let Some((_, _, gz)) = &spa {
        targets.push(("SPA wasm ≤ 400 KiB gzipped".into(), *gz <= 400 * 1024));
    }
    t += "\ntargets\n";
    for (label, ok) in &targets {
        t += &format!("  {:<8} {label}\n", met(*ok));
    }
    match &render {
        Some(r) => t += &format!(
            "  {:<8} SPA inbox list rendered ≤ 500 ms after navigation (cold {:.0} ms, warm {:.0} ms)\n",
            met(r.cold_ms <= 500.0 && r.warm_median_ms <= 500.0),
            r.cold_ms,
            r.warm_median_ms
        ),
        None => t += "  (not measured) SPA inbox list rendered ≤ 500 ms after navigation\n",
    }
    t += &format!("\nwall time {:.0} s\n", started.elapsed().as_secs_f64());
    println!("{t}");

    let results = json!({
        "cores": cores,
        "config": {
            "events": cfg.events, "contacts": cfg.contacts, "ingest_one_txn_each": cfg.ingest_single,
            "floor_requests": cfg.floor_requests, "db_commits": cfg.db_commits, "db_selects": cfg.db_selects,
            "reads": cfg.reads, "ingest_concurrency": INGEST_CONCURRENCY, "read_concurrency": READ_CONCURRENCY,
            "notes_role": cfg.notes_role, "notes_kind": cfg.notes_kind,
            "postgres_connection": cfg.pg.label(),
        },
        "framework_floor_c64": floor64.json(),
        "framework_floor_c32": floor32.json(),
        "databases": dbs.iter().map(|(_, r)| r.json.clone()).collect::<Vec<_>>(),
        "spa": spa.as_ref().map(|(name, raw, gz)| json!({"file": name, "raw_bytes": raw, "gzip_bytes": gz, "render_ms": render.as_ref().map(|r| json!({"inboxes": spa_render::INBOXES, "cold": r.cold_ms, "warm_median": r.warm_median_ms}))})),
        "targets": targets.iter().map(|(l, ok)| json!({"target": l, "met": ok})).collect::<Vec<_>>(),
        "seconds": started.elapsed().as_secs_f64(),
    });
    std::fs::write(
        out_dir.join("results.json"),
        serde_json::to_string_pretty(&results)?,
    )?;
    std::fs::write(out_dir.join("results.txt"), &t)?;
    eprintln!("wrote {}", out_dir.join("results.json").display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run of `ok` requests in one second.
    fn run_of(ok: usize) -> Run {
        Run {
            ok,
            elapsed: Duration::from_secs(1),
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn a_phase_is_held_to_the_higher_of_the_floors_measured_just_before_and_just_after_it() {
        let steps = Arc::new(Mutex::new(Vec::new()));
        let floors = Arc::new(Mutex::new(vec![900, 1_000]));
        let measure = || {
            let (steps, floors) = (steps.clone(), floors.clone());
            async move {
                let ok = floors.lock().unwrap().remove(0);
                steps.lock().unwrap().push(format!("floor {ok}"));
                Ok(run_of(ok))
            }
        };
        let phase = {
            let steps = steps.clone();
            async move {
                steps.lock().unwrap().push("phase".to_owned());
                7
            }
        };
        let (out, beside) = Beside::around(measure, phase).await.unwrap();
        assert_eq!(out, 7);
        assert_eq!(*steps.lock().unwrap(), ["floor 900", "phase", "floor 1000"]);
        assert_eq!(beside.rate(), 1_000.0);
        // The higher, whichever side it was measured on.
        let earlier_higher = Beside {
            before: run_of(1_200),
            after: run_of(800),
        };
        assert_eq!(earlier_higher.rate(), 1_200.0);
    }

    #[tokio::test]
    async fn a_floor_that_fails_fails_the_phase_around_it() {
        let measure = || async { Err::<Run, _>(anyhow::anyhow!("database gone")) };
        let result = Beside::around(measure, async { 1 }).await;
        assert!(result.is_err());
    }
}
