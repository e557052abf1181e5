use crate::db::now;
use crate::entities::job;
use crate::error::ApiError;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    EntityTrait, FromQueryResult, QueryFilter, QueryOrder, Set, Statement,
};

pub const PENDING: &str = "pending";
pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const DEAD: &str = "dead";
/// Waiting for something outside the queue (an inbox to be reconnected); released explicitly.
pub const HELD: &str = "held";
/// Every state a job can be in.
pub const STATES: [&str; 5] = [PENDING, RUNNING, DONE, DEAD, HELD];

pub const DEFAULT_MAX_ATTEMPTS: i32 = 8;
/// How long a claim lasts unless renewed; a worker that dies mid-job (a `kill -9`, a lost host) loses it after
/// this and the job runs again. Live workers renew it every `LEASE_RENEW_SECS`, so a slow job is never taken
/// by a second worker while its first one still runs it.
pub const LEASE_SECS: i64 = 30;
pub const LEASE_RENEW_SECS: u64 = 10;

#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: &'static str,
    /// JSON text.
    pub payload: String,
    pub ordering_key: Option<String>,
}

impl NewJob {
    /// The row a new job is: pending, runnable from `at`, no attempts yet.
    pub fn into_row(self, at: i64) -> job::ActiveModel {
        job::ActiveModel {
            kind: Set(self.kind.to_owned()),
            payload: Set(self.payload),
            ordering_key: Set(self.ordering_key),
            state: Set(PENDING.to_owned()),
            run_at: Set(at),
            attempts: Set(0),
            max_attempts: Set(DEFAULT_MAX_ATTEMPTS),
            last_error: Set(None),
            locked_until: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        }
    }
}

pub async fn enqueue(db: &impl ConnectionTrait, new: NewJob) -> Result<job::Model, ApiError> {
    Ok(new.into_row(now()).insert(db).await?)
}

/// Claims the oldest runnable job, or `None`.
pub async fn claim(db: &DatabaseConnection) -> Result<Option<job::Model>, ApiError> {
    Ok(claim_batch(db, 1).await?.pop())
}

/// Claims up to `limit` of the oldest runnable jobs, oldest first. A running job whose lease ran out counts as
/// runnable again. Of the jobs sharing an ordering key only the oldest unfinished one is ever runnable, so a
/// batch holds at most one job per key and a key's jobs still run one after the other.
pub async fn claim_batch(db: &DatabaseConnection, limit: u64) -> Result<Vec<job::Model>, ApiError> {
    let backend = db.get_database_backend();
    // SQLite otherwise picks the (state, run_at) index for the OR, checks every pending job's key and sorts
    // them all for each claim; walking the runnable jobs in id order stops at the limit.
    // (The index's own condition must be spelled out for SQLite to accept it. PostgreSQL finds its partial
    // indexes without it, and with it claimed about half as fast here.)
    let (jobs, runnable, lock) = if backend == DatabaseBackend::Postgres {
        ("jobs j", "", "FOR UPDATE SKIP LOCKED")
    } else {
        (
            "jobs j INDEXED BY jobs_runnable_idx",
            "j.state IN ('pending', 'running') AND",
            "",
        )
    };
    let now = now();
    let lease = now + LEASE_SECS;
    // PostgreSQL's claim goes by the simple protocol, which takes no parameters, so its two numbers are written
    // into the text; SQLite binds them, so its text stays the same and its prepared statement is kept.
    let (lease_at, now_at) = if backend == DatabaseBackend::Postgres {
        (lease.to_string(), now.to_string())
    } else {
        ("$1".to_owned(), "$2".to_owned())
    };
    let claim = format!(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = {lease_at}, updated_at = {now_at}
         WHERE id IN (
           SELECT j.id FROM {jobs}
           WHERE {runnable}
             ((j.state = 'pending' AND j.run_at <= {now_at}) OR (j.state = 'running' AND j.locked_until < {now_at}))
             AND (j.ordering_key IS NULL OR NOT EXISTS (
               SELECT 1 FROM jobs e WHERE e.ordering_key = j.ordering_key AND e.id < j.id
                 AND e.state IN ('pending', 'running', 'held')))
           ORDER BY j.id
           LIMIT {limit}
           {lock})
         RETURNING *"
    );
    let rows = if backend == DatabaseBackend::Postgres {
        // The claim must walk the runnable jobs in id order and stop at the limit. Without statistics (a new
        // jobs table, or one that just grew by a burst, before autovacuum has analysed it) PostgreSQL expects a
        // few dozen runnable jobs, fetches every one by bitmap, checks each one's key and sorts them: 50 ms a
        // claim with 20,000 pending, against about 1 ms in id order. The settings hold for this one
        // statement: the simple protocol runs the three as one implicit transaction, in one round trip.
        let text =
            format!("SET LOCAL enable_bitmapscan = off; SET LOCAL enable_sort = off; {claim}");
        sea_orm::sqlx::raw_sql(sea_orm::sqlx::AssertSqlSafe(text))
            .fetch_all(db.get_postgres_connection_pool())
            .await
            .map_err(crate::db::sqlx_error)?
            .into_iter()
            .map(sea_orm::QueryResult::from)
            .collect()
    } else {
        db.query_all_raw(Statement::from_sql_and_values(
            backend,
            claim,
            [lease.into(), now.into()],
        ))
        .await?
    };
    let mut jobs = rows
        .iter()
        .map(|r| job::Model::from_query_result(r, ""))
        .collect::<Result<Vec<_>, _>>()?;
    jobs.sort_by_key(|j| j.id);
    Ok(jobs)
}

/// Renews the lease of a job this worker claimed, or says why the claim is no longer ours: its outcome is
/// recorded, or it lapsed and another worker took the job (each claim counts an attempt, so `attempts` tells
/// the claims apart).
pub async fn renew_lease(db: &impl ConnectionTrait, job: &job::Model) -> Result<Lease, ApiError> {
    let r = job::Entity::update_many()
        .col_expr(
            job::Column::LockedUntil,
            sea_orm::sea_query::Expr::value(now() + LEASE_SECS),
        )
        .filter(job::Column::Id.eq(job.id))
        .filter(job::Column::State.eq(RUNNING))
        .filter(job::Column::Attempts.eq(job.attempts))
        .exec(db)
        .await?;
    if r.rows_affected == 1 {
        return Ok(Lease::Renewed);
    }
    // Every claim counts an attempt: another count means another claim.
    let now_at = job::Entity::find_by_id(job.id).one(db).await?;
    Ok(match now_at {
        Some(found) if found.attempts != job.attempts => Lease::TakenOver,
        _ => Lease::Finished,
    })
}

/// What renewing a claim found.
#[derive(Debug, PartialEq, Eq)]
pub enum Lease {
    Renewed,
    /// Its outcome is recorded (or the job is gone): nothing to renew.
    Finished,
    /// The lease ran out and another worker claimed the job: both may now run it.
    TakenOver,
}

pub async fn complete(db: &impl ConnectionTrait, job: &job::Model) -> Result<(), ApiError> {
    set_state(db, job, DONE, None, None).await
}

/// Records every job of `jobs` as done, inside the caller's transaction (a batch's writes and its outcome
/// commit together). `false` when a claim was taken over meanwhile: the caller rolls back.
pub async fn complete_all(
    db: &impl ConnectionTrait,
    jobs: &[job::Model],
) -> Result<bool, ApiError> {
    use sea_orm::Condition;
    let claims = jobs.iter().fold(Condition::any(), |any, j| {
        any.add(
            Condition::all()
                .add(job::Column::Id.eq(j.id))
                .add(job::Column::Attempts.eq(j.attempts)),
        )
    });
    let written = job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value(DONE))
        .col_expr(job::Column::LockedUntil, Expr::value(Option::<i64>::None))
        .col_expr(job::Column::UpdatedAt, Expr::value(now()))
        .filter(job::Column::State.eq(RUNNING))
        .filter(claims)
        .exec(db)
        .await?;
    Ok(written.rows_affected == jobs.len() as u64)
}

pub async fn hold(db: &impl ConnectionTrait, job: &job::Model, why: &str) -> Result<(), ApiError> {
    set_state(db, job, HELD, Some(why), None).await
}

/// Backoff before attempt `n + 1`: 2, 4, 8 … seconds, at most an hour.
pub fn backoff_secs(attempts: i32) -> i64 {
    2_i64.saturating_pow(attempts.clamp(1, 12) as u32).min(3600)
}

/// A failed attempt: retried later with backoff, or parked as dead after the last attempt.
pub async fn fail(
    db: &impl ConnectionTrait,
    job: &job::Model,
    error: &str,
) -> Result<(), ApiError> {
    if job.attempts >= job.max_attempts {
        tracing::error!(job_id = job.id, kind = %job.kind, error, "job is dead after its last attempt");
        set_state(db, job, DEAD, Some(error), None).await
    } else {
        tracing::warn!(job_id = job.id, kind = %job.kind, attempt = job.attempts, error, "job failed; will retry");
        set_state(
            db,
            job,
            PENDING,
            Some(error),
            Some(now() + backoff_secs(job.attempts)),
        )
        .await
    }
}

/// Runs it again soon without counting this attempt (something it waits for is not there yet).
pub async fn postpone(
    db: &impl ConnectionTrait,
    job: &job::Model,
    secs: i64,
) -> Result<(), ApiError> {
    let update = job::Entity::update_many()
        .col_expr(job::Column::Attempts, Expr::value(job.attempts - 1))
        .col_expr(job::Column::RunAt, Expr::value(now() + secs));
    record(db, job, PENDING, update).await
}

/// The outcome of the attempt `job` holds. `attempts` is the claim's fencing token: a worker whose claim lapsed
/// (its lease ran out during an outage, say) and was taken over finds it changed and records nothing, so it
/// never overwrites the newer attempt's outcome.
async fn set_state(
    db: &impl ConnectionTrait,
    job: &job::Model,
    state: &str,
    error: Option<&str>,
    run_at: Option<i64>,
) -> Result<(), ApiError> {
    let mut update = job::Entity::update_many();
    if let Some(e) = error {
        update = update.col_expr(
            job::Column::LastError,
            Expr::value(e.chars().take(2000).collect::<String>()),
        );
    }
    if let Some(at) = run_at {
        update = update.col_expr(job::Column::RunAt, Expr::value(at));
    }
    record(db, job, state, update).await
}

async fn record(
    db: &impl ConnectionTrait,
    job: &job::Model,
    state: &str,
    update: sea_orm::UpdateMany<job::Entity>,
) -> Result<(), ApiError> {
    let written = update
        .col_expr(job::Column::State, Expr::value(state))
        .col_expr(job::Column::LockedUntil, Expr::value(Option::<i64>::None))
        .col_expr(job::Column::UpdatedAt, Expr::value(now()))
        .filter(job::Column::Id.eq(job.id))
        .filter(job::Column::State.eq(RUNNING))
        .filter(job::Column::Attempts.eq(job.attempts))
        .exec(db)
        .await?;
    if written.rows_affected == 0 {
        tracing::warn!(
            job_id = job.id,
            attempt = job.attempts,
            "the job's claim was taken over; this attempt's outcome is not recorded"
        );
    }
    Ok(())
}

/// Releases held jobs whose ordering key starts with `prefix` (an inbox was reconnected).
pub async fn release_held(db: &impl ConnectionTrait, prefix: &str) -> Result<u64, ApiError> {
    let r = job::Entity::update_many()
        .col_expr(job::Column::State, sea_orm::sea_query::Expr::value(PENDING))
        .col_expr(job::Column::RunAt, sea_orm::sea_query::Expr::value(now()))
        .filter(job::Column::State.eq(HELD))
        .filter(job::Column::OrderingKey.starts_with(prefix))
        .exec(db)
        .await?;
    Ok(r.rows_affected)
}

pub async fn list(
    db: &impl ConnectionTrait,
    state: &str,
    limit: u64,
) -> Result<Vec<job::Model>, ApiError> {
    use sea_orm::QuerySelect;
    Ok(job::Entity::find()
        .filter(job::Column::State.eq(state))
        .order_by_desc(job::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// A dead job, back in the queue with fresh attempts.
pub async fn retry(db: &impl ConnectionTrait, id: i64) -> Result<job::Model, ApiError> {
    let found = job::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    if found.state != DEAD {
        return Err(ApiError::UnprocessableCode(
            "job_not_dead",
            "only dead jobs can be retried".into(),
        ));
    }
    Ok(job::ActiveModel {
        id: Set(id),
        state: Set(PENDING.to_owned()),
        attempts: Set(0),
        run_at: Set(now()),
        updated_at: Set(now()),
        ..Default::default()
    }
    .update(db)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff_secs(1), 2);
        assert_eq!(backoff_secs(3), 8);
        assert_eq!(backoff_secs(40), 3600);
    }
}
