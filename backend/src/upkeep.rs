//! Upkeep: retention of the audit and queue tables, run as a queued job so one instance does each pass, and
//! the SQLite / PostgreSQL backup that `switchboard backup` writes.

use crate::config::Retention;
use crate::db::now;
use crate::entities::job;
use crate::error::ApiError;
use crate::jobs::queue::{self, NewJob};
use crate::jobs::worker::{JobError, Outcome};
use crate::state::AppState;
use anyhow::{bail, Context};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, PaginatorTrait, QueryFilter,
    Statement,
};
use serde::Serialize;
use std::path::Path;

pub const PRUNE_JOB: &str = "upkeep.prune";
/// How often each instance asks for a pass; a pass already queued or running is not queued twice.
pub const PRUNE_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);
/// Not at start-up, where it would only compete with migrations and the first requests.
pub const FIRST_PRUNE_AFTER: std::time::Duration = std::time::Duration::from_secs(300);
/// Rows deleted per statement, so a large backlog never holds a long lock on a busy table.
const BATCH: i64 = 5000;
const DAY: i64 = 86_400;
/// Failed sign-ins and authorization attempts only matter inside their rate-limit window (minutes).
const RATE_LIMIT_ROWS_KEPT_SECS: i64 = DAY;

/// Rows removed by one pass, per table.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Pruned {
    pub webhook_events: u64,
    pub jobs: u64,
    pub sessions: u64,
    pub oauth_states: u64,
    pub sign_in_failures: u64,
    /// Tallies of open conversations down to 0 (migration 35): left by a deleted inbox or account, an assignee
    /// who no longer has any, or every conversation of a tally closed.
    pub empty_tallies: u64,
}

/// Deletes what the retention settings no longer keep, as of `at` (seconds since the epoch):
/// webhook events received more than `webhook_events_days` ago, done and dead jobs last touched more than
/// `jobs_days` ago, expired sessions and authorization states, and stale rate-limit rows. A setting of 0 keeps
/// that table forever. Pending, running and held jobs are never touched. Tallies of 0 go too: the tab counts read
/// the account's tallies, and a tally that is needed again is written again by the next conversation it counts.
pub async fn prune(
    db: &impl ConnectionTrait,
    retention: &Retention,
    at: i64,
) -> Result<Pruned, ApiError> {
    // (table, what goes, cutoff); a retention of 0 days keeps that table whole.
    let kept = |days: i64| (days > 0).then(|| at - days * DAY);
    let rules = [
        (
            "webhook_events",
            "received_at < $1",
            kept(retention.webhook_events_days),
        ),
        (
            "jobs",
            "state IN ('done', 'dead') AND updated_at < $1",
            kept(retention.jobs_days),
        ),
        ("sessions", "expires_at < $1", Some(at)),
        ("oauth_states", "expires_at < $1", Some(at)),
        (
            "sign_in_failures",
            "created_at < $1",
            Some(at - RATE_LIMIT_ROWS_KEPT_SECS),
        ),
    ];
    let mut removed = [0u64; 5];
    for (n, (table, condition, cutoff)) in rules.into_iter().enumerate() {
        if let Some(cutoff) = cutoff {
            removed[n] = delete_batched(db, table, condition, cutoff).await?;
        }
    }
    let [webhook_events, jobs, sessions, oauth_states, sign_in_failures] = removed;
    // A few rows an account, so in one statement. A tally that a conversation's write raises meanwhile is not
    // deleted: PostgreSQL checks the condition again on the row that write committed, and the write's
    // `INSERT … ON CONFLICT` inserts the tally again if it is deleted first; SQLite has one writer.
    let empty_tallies = db
        .execute_unprepared("DELETE FROM conversation_tallies WHERE open_count = 0")
        .await?
        .rows_affected();
    Ok(Pruned {
        webhook_events,
        jobs,
        sessions,
        oauth_states,
        sign_in_failures,
        empty_tallies,
    })
}

async fn delete_batched(
    db: &impl ConnectionTrait,
    table: &str,
    condition: &str,
    cutoff: i64,
) -> Result<u64, ApiError> {
    let backend = db.get_database_backend();
    let sql = format!(
        "DELETE FROM {table} WHERE id IN (SELECT id FROM {table} WHERE {condition} LIMIT {BATCH})"
    );
    let mut total = 0;
    loop {
        let done = db
            .execute_raw(Statement::from_sql_and_values(
                backend,
                sql.as_str(),
                [cutoff.into()],
            ))
            .await?
            .rows_affected();
        total += done;
        if done < BATCH as u64 {
            return Ok(total);
        }
    }
}

/// Queues a pass unless one is already waiting or running (every instance asks; one pass is enough).
pub async fn schedule_prune(db: &impl ConnectionTrait) -> Result<bool, ApiError> {
    let waiting = job::Entity::find()
        .filter(job::Column::Kind.eq(PRUNE_JOB))
        .filter(job::Column::State.is_in([queue::PENDING, queue::RUNNING]))
        .count(db)
        .await?;
    if waiting > 0 {
        return Ok(false);
    }
    queue::enqueue(
        db,
        NewJob {
            kind: PRUNE_JOB,
            payload: "{}".to_owned(),
            ordering_key: None,
        },
    )
    .await?;
    Ok(true)
}

/// Asks for a retention pass every `PRUNE_EVERY`, the first `FIRST_PRUNE_AFTER` after start, for the lifetime
/// of the server.
pub fn spawn_scheduler(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let first = tokio::time::Instant::now() + FIRST_PRUNE_AFTER;
        let mut every = tokio::time::interval_at(first, PRUNE_EVERY);
        loop {
            every.tick().await;
            match schedule_prune(&state.db).await {
                Ok(true) => state.wakeup.notify(),
                Ok(false) => {}
                Err(e) => tracing::warn!(error = ?e, "could not queue the retention pass"),
            }
        }
    })
}

/// The queued pass.
pub async fn run_prune(state: &AppState) -> Result<Outcome, JobError> {
    let pruned = prune(&state.db, &state.settings.retention, now()).await?;
    tracing::info!(?pruned, "retention pass");
    Ok(Outcome::Done)
}

/// Writes a consistent copy of the database to `to` while the server may keep running: SQLite through
/// `VACUUM INTO` (a compact single file), PostgreSQL through `pg_dump --format=custom` (restore with
/// `pg_restore`). Refuses to overwrite an existing file.
pub async fn backup(
    db: &impl ConnectionTrait,
    database_url: &str,
    to: &Path,
) -> anyhow::Result<()> {
    if to.exists() {
        bail!("{} already exists; choose a new file", to.display());
    }
    match db.get_database_backend() {
        DatabaseBackend::Sqlite => {
            let target = to.to_str().context("the backup path must be valid UTF-8")?;
            db.execute_raw(Statement::from_sql_and_values(
                DatabaseBackend::Sqlite,
                "VACUUM INTO $1",
                [target.into()],
            ))
            .await
            .context("VACUUM INTO")?;
        }
        DatabaseBackend::Postgres => {
            let out = tokio::process::Command::new("pg_dump")
                .arg("--format=custom")
                .arg("--no-owner")
                .arg("--file")
                .arg(to)
                .arg("--dbname")
                .arg(database_url)
                .output()
                .await
                .context("running pg_dump (install the PostgreSQL client tools)")?;
            if !out.status.success() {
                bail!(
                    "pg_dump failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                );
            }
        }
        other => bail!("backups are not supported on {other:?}"),
    }
    Ok(())
}
