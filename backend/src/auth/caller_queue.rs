//! Group lookup of callers: the authentication statements of concurrent requests are gathered and answered by
//! ONE statement of fixed text, the credentials passed as arrays (PostgreSQL) or as one JSON array (SQLite).
//! Under load every request of the API starts with this statement. On PostgreSQL each one costs a pooled
//! connection, a round trip and a backend's turn on the CPU; on SQLite, in process, it costs a hand-off to the
//! connection's own thread and back (sqlx runs each SQLite connection on a thread of its own), two thread
//! switches or more. A few batches in flight instead of one statement per request leave those to the rest of
//! the work. When nothing else is waiting a lookup goes out at once, alone, so an idle server answers as fast as
//! before.

use super::{AuthUser, Credential};
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
}

impl Default for CallerQueue {
    fn default() -> Self {
        Self::with_slots(crate::db::statements_in_flight())
    }
}

pub(super) struct Lookup {
    digest: String,
    session: bool,
    account_id: Option<i64>,
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
            tokio::spawn(run(db.clone(), rx, self.slots));
            tx
        });
        let (digest, session) = match credential {
            Credential::AccessToken(t) => (token_digest(t), false),
            Credential::Session(t) => (token_digest(t), true),
        };
        let (done, answer) = oneshot::channel();
        let lookup = Lookup {
            digest,
            session,
            account_id,
            done,
        };
        tx.send(lookup).await.ok()?;
        answer.await.ok()
    }
}

async fn run(db: DatabaseConnection, mut rx: mpsc::Receiver<Lookup>, slots: usize) {
    let mut running = tokio::task::JoinSet::new();
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        tokio::select! {
            n = rx.recv_many(&mut batch, MAX_BATCH), if running.len() < slots => {
                if n == 0 {
                    break;
                }
                let lookups = std::mem::take(&mut batch);
                let db = db.clone();
                running.spawn(async move { answer(&db, lookups).await });
            }
            Some(_) = running.join_next(), if !running.is_empty() => {}
        }
    }
    while running.join_next().await.is_some() {}
}

async fn answer(db: &DatabaseConnection, lookups: Vec<Lookup>) {
    match look_up(db, &lookups).await {
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
  SELECT q.n AS lookup_n, u.id, u.super_admin, au.role AS member_role, v.version AS data_version, \
    v.tabs_version \
  FROM a CROSS JOIN LATERAL unnest(a.digests, a.sessions, a.accounts) WITH ORDINALITY \
    AS q(digest, session, account_id, n) \
  CROSS JOIN LATERAL (\
    SELECT t.id, t.super_admin FROM users t WHERE NOT q.session AND t.access_token_digest = q.digest \
    UNION ALL \
    SELECT t.id, t.super_admin FROM sessions s JOIN users t ON t.id = s.user_id \
    WHERE q.session AND s.token_digest = q.digest AND s.expires_at > $4) u \
  LEFT JOIN account_versions v ON v.account_id = q.account_id \
  LEFT JOIN account_users au ON au.user_id = u.id AND au.account_id = q.account_id";

/// The same on SQLite, which has no arrays: each lookup is `[digest, session, account id]` in one JSON array,
/// numbered by its place there (`json_each`'s key counts from 0).
const SQLITE_LOOK_UP: &str = "WITH q AS (\
    SELECT j.key + 1 AS n, j.value ->> 2 AS account_id, CASE WHEN j.value ->> 1 \
      THEN (SELECT s.user_id FROM sessions s WHERE s.token_digest = j.value ->> 0 AND s.expires_at > ?2) \
      ELSE (SELECT t.id FROM users t WHERE t.access_token_digest = j.value ->> 0) END AS user_id \
    FROM json_each(?1) AS j) \
  SELECT q.n AS lookup_n, u.id, u.super_admin, au.role AS member_role, v.version AS data_version, \
    v.tabs_version \
  FROM q JOIN users u ON u.id = q.user_id \
  LEFT JOIN account_versions v ON v.account_id = q.account_id \
  LEFT JOIN account_users au ON au.user_id = u.id AND au.account_id = q.account_id";

/// Each lookup's caller, in the order of `lookups`.
async fn look_up(
    db: &DatabaseConnection,
    lookups: &[Lookup],
) -> Result<Vec<Option<AuthUser>>, DbErr> {
    let rows: Vec<QueryResult> = if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres
    {
        sea_orm::sqlx::query(PG_LOOK_UP)
            .bind(
                lookups
                    .iter()
                    .map(|l| l.digest.as_str())
                    .collect::<Vec<_>>(),
            )
            .bind(lookups.iter().map(|l| l.session).collect::<Vec<_>>())
            .bind(lookups.iter().map(|l| l.account_id).collect::<Vec<_>>())
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
            .map(|l| (l.digest.as_str(), l.session, l.account_id))
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
    let mut found: Vec<Option<AuthUser>> = vec![None; lookups.len()];
    for row in rows {
        let n: i64 = row.try_get("", "lookup_n")?;
        let i = usize::try_from(n - 1).unwrap_or(usize::MAX);
        if let Some(lookup) = lookups.get(i) {
            found[i] = Some(AuthUser::from_row(&row, lookup.account_id)?);
        }
    }
    Ok(found)
}
