//! Group lookup of callers: the authentication statements of concurrent requests are gathered and answered by
//! ONE statement of fixed text, the credentials passed as arrays (PostgreSQL) or as one JSON array (SQLite).
//! Under load every request of the API starts with this statement. On PostgreSQL each one costs a pooled
//! connection, a round trip and a backend's turn on the CPU; on SQLite, in process, it costs a hand-off to the
//! connection's own thread and back (sqlx runs each SQLite connection on a thread of its own), two thread
//! switches or more. A few batches in flight instead of one statement per request leave those to the rest of
//! the work. When nothing else is waiting a lookup goes out at once, alone, so an idle server answers as fast as
//! before. When every caller of a batch is kept (`kept_callers`), the statement reads only the credentials
//! version and the accounts' data versions.

use super::kept_callers::{Kept, KeptCallers, Key};
use super::{AuthUser, Credential, Membership};
use crate::crypto::token_digest;
use crate::db::now;
use crate::error::ApiError;
use sea_orm::{DatabaseConnection, DbErr, QueryResult};
use std::sync::{Arc, OnceLock};
use tokio::sync::{mpsc, oneshot};

/// Most lookups answered by one statement.
const MAX_BATCH: usize = 128;

/// The lookup task's sender, made with the first lookup (it needs a runtime, and the task runs on the thread of
/// that lookup) and shared by every clone of the state; the task ends when the last clone is dropped. On
/// PostgreSQL each HTTP worker's state has a queue of its own (`for_worker`), so its lookups stay on its thread.
#[derive(Clone)]
pub struct CallerQueue {
    sender: Arc<OnceLock<mpsc::Sender<Lookup>>>,
    /// Statements in flight at once.
    slots: usize,
    kept: Arc<KeptCallers>,
}

impl Default for CallerQueue {
    fn default() -> Self {
        Self::with_slots(crate::db::statements_in_flight())
    }
}

pub(super) struct Lookup {
    key: Key,
    done: oneshot::Sender<Result<Option<AuthUser>, ApiError>>,
}

/// On unless `SWITCHBOARD_GROUP_LOOKUP=0` (kept for the benchmark's before/after comparison).
pub(super) fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| {
        !matches!(
            std::env::var("SWITCHBOARD_GROUP_LOOKUP").as_deref(),
            Ok("0" | "off" | "false")
        )
    })
}

impl CallerQueue {
    /// A queue of its own for one of `workers` HTTP workers, keeping its share of the statements in flight.
    pub fn for_worker(workers: usize) -> Self {
        Self::with_slots((crate::db::statements_in_flight() / workers.max(1)).max(1))
    }

    fn with_slots(slots: usize) -> Self {
        Self {
            sender: Default::default(),
            slots,
            kept: Default::default(),
        }
    }

    /// The caller behind `credential`, as `super::caller` answers it; `None` inside `Some` for an unknown
    /// credential, and `None` when the lookup task is gone (the caller then looks up alone).
    pub(super) async fn lookup(
        &self,
        db: &DatabaseConnection,
        credential: &Credential,
        account_id: Option<i64>,
    ) -> Option<Result<Option<AuthUser>, ApiError>> {
        let tx = self.sender.get_or_init(|| {
            let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
            tokio::spawn(run(db.clone(), rx, self.slots, self.kept.clone()));
            tx
        });
        let (digest, session) = match credential {
            Credential::AccessToken(t) => (token_digest(t), false),
            Credential::Session(t) => (token_digest(t), true),
        };
        let (done, answer) = oneshot::channel();
        let lookup = Lookup {
            key: Key {
                digest,
                session,
                account_id,
            },
            done,
        };
        tx.send(lookup).await.ok()?;
        answer.await.ok()
    }
}

async fn run(
    db: DatabaseConnection,
    mut rx: mpsc::Receiver<Lookup>,
    slots: usize,
    kept: Arc<KeptCallers>,
) {
    let mut running = tokio::task::JoinSet::new();
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        tokio::select! {
            n = rx.recv_many(&mut batch, MAX_BATCH), if running.len() < slots => {
                if n == 0 {
                    break;
                }
                let lookups = std::mem::take(&mut batch);
                let (db, kept) = (db.clone(), kept.clone());
                running.spawn(async move { answer(&db, &kept, lookups).await });
            }
            Some(_) = running.join_next(), if !running.is_empty() => {}
        }
    }
    while running.join_next().await.is_some() {}
}

async fn answer(db: &DatabaseConnection, kept: &KeptCallers, lookups: Vec<Lookup>) {
    match look_up(db, kept, &lookups).await {
        Ok(found) => {
            for (lookup, user) in lookups.into_iter().zip(found) {
                let _ = lookup.done.send(Ok(user));
            }
        }
        Err(e) => {
            tracing::error!(error = %e, lookups = lookups.len(), "could not look up callers");
            for lookup in lookups {
                let _ = lookup.done.send(Err(ApiError::each(&e)));
            }
        }
    }
}

/// One row per lookup that names a user, numbered by its place in the arrays. Each lookup reads its user once:
/// an access token's user is the row its digest finds, a session's the row its session names (the branch that
/// does not apply is skipped by its one-time filter). Picking the user's id first and then joining `users` on it
/// read an access token's user three times in the generic plan (the id's subquery evaluated for the hash join's
/// key and again to check it, then the row): 77 buffer hits for seven callers, 37 now.
///
/// The arrays are unnested from a materialized row, not from the parameters, so that PostgreSQL reckons a batch
/// at the same size in every plan. Unnesting `$1` directly, a custom plan counts the elements of the array it was
/// given (often one) while the generic plan guesses ten, so the generic plan looked dearer and the statement was
/// planned again on every run: with this form from the start (0.2–0.4 ms a run, the statement log), and with the
/// earlier one as soon as `users` outgrew a few pages (20,000 users: 0.26 ms of planning for 0.10 ms of
/// execution). Here the generic plan is kept from the sixth run (`pg_prepared_statements`).
const PG_LOOK_UP: &str =
    "WITH a AS MATERIALIZED (SELECT $1::text[] AS digests, $2::bool[] AS sessions, \
      $3::bigint[] AS accounts) \
  SELECT q.n AS lookup_n, u.id, u.super_admin, u.expires_at, au.role AS member_role, \
    v.version AS data_version, v.tabs_version, \
    (SELECT COALESCE(MAX(c.version), 0) FROM credentials_version c) AS credentials_version, \
    (SELECT string_agg(im.inbox_id::text, ',') FROM inbox_members im JOIN inboxes mi ON mi.id = im.inbox_id \
      WHERE im.user_id = u.id AND mi.account_id = q.account_id) AS member_inboxes \
  FROM a CROSS JOIN LATERAL unnest(a.digests, a.sessions, a.accounts) WITH ORDINALITY \
    AS q(digest, session, account_id, n) \
  CROSS JOIN LATERAL (\
    SELECT t.id, t.super_admin, NULL::bigint AS expires_at FROM users t \
    WHERE NOT q.session AND t.access_token_digest = q.digest \
    UNION ALL \
    SELECT t.id, t.super_admin, s.expires_at FROM sessions s JOIN users t ON t.id = s.user_id \
    WHERE q.session AND s.token_digest = q.digest AND s.expires_at > $4) u \
  LEFT JOIN account_versions v ON v.account_id = q.account_id \
  LEFT JOIN account_users au ON au.user_id = u.id AND au.account_id = q.account_id";

/// The same on SQLite, which has no arrays: each lookup is `[digest, session, account id]` in one JSON array,
/// numbered by its place there (`json_each`'s key counts from 0).
const SQLITE_LOOK_UP: &str = "WITH q AS (\
    SELECT j.key + 1 AS n, j.value ->> 2 AS account_id, CASE WHEN j.value ->> 1 \
      THEN (SELECT s.user_id FROM sessions s WHERE s.token_digest = j.value ->> 0 AND s.expires_at > ?2) \
      ELSE (SELECT t.id FROM users t WHERE t.access_token_digest = j.value ->> 0) END AS user_id, \
      CASE WHEN j.value ->> 1 THEN (SELECT s.expires_at FROM sessions s \
        WHERE s.token_digest = j.value ->> 0 AND s.expires_at > ?2) END AS expires_at \
    FROM json_each(?1) AS j) \
  SELECT q.n AS lookup_n, u.id, u.super_admin, q.expires_at, au.role AS member_role, \
    v.version AS data_version, v.tabs_version, \
    (SELECT COALESCE(MAX(c.version), 0) FROM credentials_version c) AS credentials_version, \
    (SELECT group_concat(im.inbox_id) FROM inbox_members im JOIN inboxes mi ON mi.id = im.inbox_id \
      WHERE im.user_id = u.id AND mi.account_id = q.account_id) AS member_inboxes \
  FROM q JOIN users u ON u.id = q.user_id \
  LEFT JOIN account_versions v ON v.account_id = q.account_id \
  LEFT JOIN account_users au ON au.user_id = u.id AND au.account_id = q.account_id";

/// The credentials version, and the data versions of the accounts `$1` (PostgreSQL): all a batch of kept
/// callers reads. One row with no account when none is asked.
const PG_VERSIONS: &str = "SELECT (SELECT COALESCE(MAX(c.version), 0) FROM credentials_version c) \
    AS credentials_version, a.account_id, v.version AS data_version, v.tabs_version \
  FROM (SELECT 1) o LEFT JOIN unnest($1::bigint[]) AS a(account_id) ON true \
  LEFT JOIN account_versions v ON v.account_id = a.account_id";

/// The same on SQLite, the accounts as one JSON array.
const SQLITE_VERSIONS: &str =
    "SELECT (SELECT COALESCE(MAX(c.version), 0) FROM credentials_version c) \
    AS credentials_version, a.value AS account_id, v.version AS data_version, v.tabs_version \
  FROM (SELECT 1) o LEFT JOIN json_each(?1) AS a ON 1 \
  LEFT JOIN account_versions v ON v.account_id = a.value";

/// Each lookup's caller, in the order of `lookups`: from `kept` when all of them are kept at the credentials
/// version the statement reads, else read in full and kept.
async fn look_up(
    db: &DatabaseConnection,
    kept: &KeptCallers,
    lookups: &[Lookup],
) -> Result<Vec<Option<AuthUser>>, DbErr> {
    if let Some((version, callers)) = kept.all(lookups.iter().map(|l| &l.key), now()) {
        let versions = read_versions(db, lookups).await?;
        if versions.credentials == version {
            return Ok(lookups
                .iter()
                .zip(callers)
                .map(|(l, caller)| Some(versions.user(l.key.account_id, caller)))
                .collect());
        }
        kept.forget_before(versions.credentials);
    }
    let (version, found) = read_callers(db, lookups).await?;
    if let Some(version) = version {
        kept.keep(
            version,
            lookups
                .iter()
                .zip(&found)
                .map(|(l, f)| (l.key.clone(), f.as_ref().map(|(_, kept)| kept.clone()))),
        );
    }
    Ok(found.into_iter().map(|f| f.map(|(user, _)| user)).collect())
}

/// What a batch of kept callers reads.
struct Versions {
    credentials: i64,
    /// `(account, data version, tabs version)` of each account asked.
    accounts: Vec<(i64, i64, i64)>,
}

impl Versions {
    /// The caller kept for a lookup in `account_id`, with that account's data versions as just read.
    fn user(&self, account_id: Option<i64>, kept: Kept) -> AuthUser {
        let membership = account_id.map(|account_id| {
            let (data_version, tabs_version) = self
                .accounts
                .iter()
                .find(|(id, _, _)| *id == account_id)
                .map_or((0, 0), |(_, d, t)| (*d, *t));
            Membership {
                account_id,
                role: kept.role,
                inboxes: kept.inboxes,
                data_version,
                tabs_version,
            }
        });
        AuthUser {
            user: kept.caller,
            membership,
        }
    }
}

async fn read_versions(db: &DatabaseConnection, lookups: &[Lookup]) -> Result<Versions, DbErr> {
    let mut accounts: Vec<i64> = lookups.iter().filter_map(|l| l.key.account_id).collect();
    accounts.sort_unstable();
    accounts.dedup();
    type Row = (i64, Option<i64>, Option<i64>, Option<i64>);
    let rows: Vec<Row> = if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        sea_orm::sqlx::query_as(PG_VERSIONS)
            .bind(&accounts)
            .fetch_all(db.get_postgres_connection_pool())
            .await
    } else {
        sea_orm::sqlx::query_as(SQLITE_VERSIONS)
            .bind(serde_json::Value::from(accounts).to_string())
            .fetch_all(db.get_sqlite_connection_pool())
            .await
    }
    .map_err(crate::db::sqlx_error)?;
    let credentials = rows
        .first()
        .map(|r| r.0)
        .ok_or_else(|| DbErr::Custom("the versions row is missing".into()))?;
    Ok(Versions {
        credentials,
        accounts: rows
            .into_iter()
            .filter_map(|(_, account, data, tabs)| {
                Some((account?, data.unwrap_or(0), tabs.unwrap_or(0)))
            })
            .collect(),
    })
}

/// Each lookup's caller read in full, with what of it is kept, and the credentials version it was read at
/// (none when no lookup found a caller).
async fn read_callers(
    db: &DatabaseConnection,
    lookups: &[Lookup],
) -> Result<(Option<i64>, Vec<Option<(AuthUser, Kept)>>), DbErr> {
    let rows: Vec<QueryResult> = if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres
    {
        sea_orm::sqlx::query(PG_LOOK_UP)
            .bind(
                lookups
                    .iter()
                    .map(|l| l.key.digest.as_str())
                    .collect::<Vec<_>>(),
            )
            .bind(lookups.iter().map(|l| l.key.session).collect::<Vec<_>>())
            .bind(lookups.iter().map(|l| l.key.account_id).collect::<Vec<_>>())
            .bind(now())
            .fetch_all(db.get_postgres_connection_pool())
            .await
            .map_err(crate::db::sqlx_error)?
            .into_iter()
            .map(QueryResult::from)
            .collect()
    } else {
        let items: Vec<(&str, bool, Option<i64>)> = lookups
            .iter()
            .map(|l| (l.key.digest.as_str(), l.key.session, l.key.account_id))
            .collect();
        let items = serde_json::to_string(&items)
            .map_err(|e| DbErr::Custom(format!("encoding the lookups: {e}")))?;
        sea_orm::sqlx::query(SQLITE_LOOK_UP)
            .bind(items)
            .bind(now())
            .fetch_all(db.get_sqlite_connection_pool())
            .await
            .map_err(crate::db::sqlx_error)?
            .into_iter()
            .map(QueryResult::from)
            .collect()
    };
    let mut version = None;
    let mut found: Vec<Option<(AuthUser, Kept)>> = vec![None; lookups.len()];
    for row in rows {
        let n: i64 = row.try_get("", "lookup_n")?;
        let i = usize::try_from(n - 1).unwrap_or(usize::MAX);
        if let Some(lookup) = lookups.get(i) {
            let mut user = AuthUser::from_row(&row, lookup.key.account_id)?;
            let inboxes = member_inboxes(row.try_get("", "member_inboxes")?);
            if let Some(m) = user.membership.as_mut() {
                m.inboxes = inboxes.clone();
            }
            let kept = Kept {
                caller: user.user,
                role: user.membership.as_ref().and_then(|m| m.role.clone()),
                inboxes,
                expires_at: row.try_get("", "expires_at")?,
            };
            version = Some(row.try_get::<i64>("", "credentials_version")?);
            found[i] = Some((user, kept));
        }
    }
    Ok((version, found))
}

/// The caller's inboxes in the account as the lookup reads them (ids joined by commas, in any order), sorted:
/// the same set is the same key (`conversations::views::page_key`).
fn member_inboxes(ids: Option<String>) -> Option<Arc<[i64]>> {
    let mut ids: Vec<i64> = ids?
        .split(',')
        .filter_map(|id| id.trim().parse().ok())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    Some(ids.into())
}
