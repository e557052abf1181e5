//! Typed settings, read once from the environment (contract.md, "Running").

use secrecy::SecretString;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub listen_addr: String,
    /// Public base URL, without a trailing slash.
    pub frontend_url: String,
    pub secret_key_base: Option<SecretString>,
    pub instagram_oauth_url: String,
    pub instagram_api_url: String,
    pub instagram_graph_url: String,
    pub twilio_api_url: String,
    pub static_dir: PathBuf,
    /// Where attachments are kept; by default a `files` folder beside the SQLite database, else `data/files`.
    pub file_store_dir: PathBuf,
    /// `s3://bucket[/prefix]`: keep files in an S3-compatible bucket instead of a folder.
    pub file_store_url: Option<String>,
    pub s3: S3Env,
    /// Job workers in this server process.
    pub workers: usize,
    /// Threads serving HTTP (`HTTP_WORKERS`; by default one per core).
    pub http_workers: usize,
    /// Group-commit batches of webhook deliveries written at once on PostgreSQL (`INGEST_BATCHES`; by default
    /// half the cores, 1 to 4). SQLite, with its single writer, always writes one.
    pub ingest_batches: usize,
    /// Connections the server's pool may open (`DATABASE_MAX_CONNECTIONS`; by default 8 on SQLite and, on
    /// PostgreSQL, `default_pg_connections` of the cores). On PostgreSQL the HTTP workers share as many again,
    /// a pool each (`db::worker_pool`).
    pub database_max_connections: u32,
    /// Fallbacks for the super-admin global config of the same names.
    pub instagram: InstagramEnv,
    pub retention: Retention,
    /// Bytes of finished read JSON kept per process, and about as much again of conversation list rows
    /// (`READ_CACHE_MIB`, default 8; 0 turns both off).
    pub read_cache_bytes: usize,
    /// How long a call to Instagram or Twilio may take before it counts as unanswered (`PROVIDER_TIMEOUT_SECS`,
    /// default 15).
    pub provider_timeout: std::time::Duration,
}

/// Half the cores, 1 to 4. A batch pays its statement, its commit and a WAL flush whatever its size, and each
/// batch in flight splits the waiting deliveries further: on two cores a second batch halved their size (17
/// deliveries instead of 30, a third of them under 8) and doubled PostgreSQL's CPU per delivery (17 against
/// 9 µs) without ingesting more, as the server is busy with the next deliveries' HTTP while one batch is flushed
/// (README, "What changed", stop 25); four cost a quarter more than two (stop 22).
pub fn default_ingest_batches(cores: usize) -> usize {
    (cores / 2).clamp(1, 4)
}

/// Two per core, 4 to 32: on two cores, two for each HTTP worker's pool (its batch of callers' lookups and one
/// other statement) and four for jobs and ingest. Each pooled connection is a PostgreSQL backend on the same
/// cores: with 32 of them taking turns on two cores, an uncached list cost PostgreSQL a fifth more CPU and its
/// p99 was 40–43 ms, with 8 29–30 ms (README, "What changed", stop 27); with 4 instead of 8, its p99 7.6–8.6 ms
/// against 9.4–11.8 ms in five alternating rounds, ingest and processing no slower (stop 37). Requests beyond
/// the pool wait in the server for a connection, which costs nothing while they wait.
pub fn default_pg_connections(cores: usize) -> u32 {
    (cores * 2).clamp(4, 32) as u32
}

fn is_sqlite_url(url: &str) -> bool {
    url.starts_with("sqlite:")
}

/// The cores this process may run on (2 when that cannot be told).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// How long the audit and queue tables keep rows, in days (`RETENTION_WEBHOOK_EVENTS_DAYS`,
/// `RETENTION_JOBS_DAYS`); 0 keeps them forever. Messages, contacts and conversations are never pruned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retention {
    pub webhook_events_days: i64,
    /// Done and dead jobs; pending, running and held ones stay until they finish.
    pub jobs_days: i64,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            webhook_events_days: 30,
            jobs_days: 14,
        }
    }
}

/// The bucket's endpoint and credentials (`AWS_ENDPOINT`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`), used with `FILE_STORE_URL`.
#[derive(Debug, Clone, Default)]
pub struct S3Env {
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<SecretString>,
}

#[derive(Debug, Clone, Default)]
pub struct InstagramEnv {
    pub app_id: Option<String>,
    pub app_secret: Option<SecretString>,
    pub verify_token: Option<SecretString>,
    pub api_version: Option<String>,
    pub human_agent: Option<String>,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/switchboard.db?mode=rwc";

impl Settings {
    pub fn from_env() -> Self {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads every key through `get`, so tests can build settings without touching the process environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let get = |k: &str| {
            get(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let url = |k: &str, default: &str| {
            get(k)
                .unwrap_or_else(|| default.to_owned())
                .trim_end_matches('/')
                .to_owned()
        };
        let days = |k: &str| {
            get(k)
                .and_then(|d| d.parse::<i64>().ok())
                .filter(|d| *d >= 0)
        };
        let database_url = get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        Settings {
            database_max_connections: get("DATABASE_MAX_CONNECTIONS")
                .and_then(|n| n.parse().ok())
                .filter(|n| *n > 0)
                .unwrap_or_else(|| {
                    if is_sqlite_url(&database_url) {
                        8
                    } else {
                        default_pg_connections(cores())
                    }
                }),
            database_url,
            listen_addr: get("LISTEN_ADDR").unwrap_or_else(|| "127.0.0.1:3000".to_owned()),
            frontend_url: url("FRONTEND_URL", "http://localhost:3000"),
            secret_key_base: get("SECRET_KEY_BASE").map(SecretString::from),
            instagram_oauth_url: url("INSTAGRAM_OAUTH_URL", "https://www.instagram.com"),
            instagram_api_url: url("INSTAGRAM_API_URL", "https://api.instagram.com"),
            instagram_graph_url: url("INSTAGRAM_GRAPH_URL", "https://graph.instagram.com"),
            twilio_api_url: url("TWILIO_API_URL", "https://api.twilio.com"),
            static_dir: PathBuf::from(get("STATIC_DIR").unwrap_or_else(|| "dist".to_owned())),
            file_store_dir: PathBuf::new(),
            file_store_url: get("FILE_STORE_URL"),
            s3: S3Env {
                endpoint: get("AWS_ENDPOINT"),
                region: get("AWS_REGION"),
                access_key_id: get("AWS_ACCESS_KEY_ID"),
                secret_access_key: get("AWS_SECRET_ACCESS_KEY").map(SecretString::from),
            },
            workers: get("WORKERS").and_then(|w| w.parse().ok()).unwrap_or(2),
            http_workers: get("HTTP_WORKERS")
                .and_then(|n| n.parse().ok())
                .filter(|n| *n > 0)
                .unwrap_or_else(cores),
            ingest_batches: get("INGEST_BATCHES")
                .and_then(|n| n.parse().ok())
                .filter(|n| *n > 0)
                .unwrap_or_else(|| default_ingest_batches(cores())),
            instagram: InstagramEnv {
                app_id: get("INSTAGRAM_APP_ID"),
                app_secret: get("INSTAGRAM_APP_SECRET").map(SecretString::from),
                verify_token: get("INSTAGRAM_VERIFY_TOKEN").map(SecretString::from),
                api_version: get("INSTAGRAM_API_VERSION"),
                human_agent: get("ENABLE_INSTAGRAM_CHANNEL_HUMAN_AGENT"),
            },
            retention: Retention {
                webhook_events_days: days("RETENTION_WEBHOOK_EVENTS_DAYS")
                    .unwrap_or(Retention::default().webhook_events_days),
                jobs_days: days("RETENTION_JOBS_DAYS").unwrap_or(Retention::default().jobs_days),
            },
            read_cache_bytes: get("READ_CACHE_MIB")
                .and_then(|m| m.parse::<usize>().ok())
                .unwrap_or(8)
                .saturating_mul(1 << 20),
            provider_timeout: std::time::Duration::from_secs(
                get("PROVIDER_TIMEOUT_SECS")
                    .and_then(|s| s.parse::<u64>().ok())
                    .filter(|s| *s > 0)
                    .unwrap_or(15),
            ),
        }
        .resolve_file_store(get("FILE_STORE_DIR"))
    }

    fn resolve_file_store(mut self, explicit: Option<String>) -> Self {
        self.file_store_dir = match explicit {
            Some(dir) => PathBuf::from(dir),
            None => match self
                .sqlite_path()
                .and_then(|p| p.parent().map(|d| d.join("files")))
            {
                Some(dir) => dir,
                None => PathBuf::from("data/files"),
            },
        };
        self
    }

    pub fn is_sqlite(&self) -> bool {
        is_sqlite_url(&self.database_url)
    }

    /// The SQLite database file, when there is one (`None` for PostgreSQL and in-memory databases).
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        let rest = self.database_url.strip_prefix("sqlite:")?;
        let rest = rest.trim_start_matches("//");
        let path = rest.split('?').next().unwrap_or_default();
        if path.is_empty() || path.starts_with(":memory:") {
            return None;
        }
        Some(PathBuf::from(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Settings {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_follow_the_contract() {
        let s = settings(&[]);
        assert_eq!(s.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(s.listen_addr, "127.0.0.1:3000");
        assert_eq!(s.frontend_url, "http://localhost:3000");
        assert_eq!(s.instagram_graph_url, "https://graph.instagram.com");
        assert_eq!(s.static_dir, PathBuf::from("dist"));
        assert!(s.secret_key_base.is_none());
        assert_eq!(s.sqlite_path(), Some(PathBuf::from("data/switchboard.db")));
        assert_eq!(s.file_store_dir, PathBuf::from("data/files"));
        assert_eq!(s.workers, 2);
        assert_eq!(s.retention, Retention::default());
    }

    #[test]
    fn retention_days_are_read_and_nonsense_falls_back_to_the_default() {
        let s = settings(&[
            ("RETENTION_WEBHOOK_EVENTS_DAYS", "0"),
            ("RETENTION_JOBS_DAYS", "-3"),
        ]);
        assert_eq!(s.retention.webhook_events_days, 0);
        assert_eq!(s.retention.jobs_days, Retention::default().jobs_days);
    }

    #[test]
    fn ingest_batches_default_to_half_the_cores_and_nonsense_falls_back() {
        assert_eq!(
            [1, 2, 3, 4, 8, 64].map(default_ingest_batches),
            [1, 1, 1, 2, 4, 4]
        );
        assert_eq!(settings(&[("INGEST_BATCHES", "3")]).ingest_batches, 3);
        for nonsense in ["0", "-1", "many"] {
            assert_eq!(
                settings(&[("INGEST_BATCHES", nonsense)]).ingest_batches,
                default_ingest_batches(cores())
            );
        }
    }

    #[test]
    fn http_workers_are_one_per_core_unless_set() {
        assert_eq!(settings(&[]).http_workers, cores());
        assert_eq!(settings(&[("HTTP_WORKERS", "1")]).http_workers, 1);
        for nonsense in ["0", "-1", "many"] {
            assert_eq!(
                settings(&[("HTTP_WORKERS", nonsense)]).http_workers,
                cores()
            );
        }
    }

    #[test]
    fn the_pool_is_sized_by_the_cores_unless_set() {
        assert_eq!(
            [1, 2, 3, 4, 8, 16, 32].map(default_pg_connections),
            [4, 4, 6, 8, 16, 32, 32]
        );
        let pg = ("DATABASE_URL", "postgres://u@h/db");
        assert_eq!(settings(&[]).database_max_connections, 8);
        assert_eq!(
            settings(&[pg]).database_max_connections,
            default_pg_connections(cores())
        );
        assert_eq!(
            settings(&[pg, ("DATABASE_MAX_CONNECTIONS", "5")]).database_max_connections,
            5
        );
        for nonsense in ["0", "-1", "many"] {
            assert_eq!(
                settings(&[pg, ("DATABASE_MAX_CONNECTIONS", nonsense)]).database_max_connections,
                default_pg_connections(cores())
            );
        }
    }

    #[test]
    fn urls_lose_their_trailing_slash_and_blank_values_count_as_unset() {
        let s = settings(&[
            ("FRONTEND_URL", "https://inbox.example.com/"),
            ("SECRET_KEY_BASE", "  "),
        ]);
        assert_eq!(s.frontend_url, "https://inbox.example.com");
        assert!(s.secret_key_base.is_none());
    }

    #[test]
    fn sqlite_paths() {
        assert_eq!(
            settings(&[("DATABASE_URL", "sqlite::memory:")]).sqlite_path(),
            None
        );
        assert_eq!(
            settings(&[("DATABASE_URL", "sqlite:///tmp/x/db.sqlite?mode=rwc")]).sqlite_path(),
            Some(PathBuf::from("/tmp/x/db.sqlite"))
        );
        assert_eq!(
            settings(&[("DATABASE_URL", "postgres://u@h/db")]).sqlite_path(),
            None
        );
    }
}
