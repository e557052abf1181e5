//! Workers: claim a job, run its handler, record the outcome. A handler error never stops a worker.

use super::queue;
use crate::entities::job;
use crate::error::ApiError;
use crate::state::AppState;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tracing::Instrument;

/// What a handler decided.
#[derive(Debug, Clone)]
pub enum Outcome {
    Done,
    /// Keep it until released (e.g. its inbox must be reconnected first).
    Hold(String),
    /// Try again after this many seconds without counting an attempt.
    Postpone(i64),
}

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth another attempt (a provider hiccup, a timeout).
    #[error("{0}")]
    Retry(String),
    #[error(transparent)]
    Db(#[from] ApiError),
}

impl JobError {
    /// What the job's `last_error` and log line say: a database failure with its cause, which the API's
    /// opaque "internal error" leaves out (only super admins read a job's error).
    pub fn describe(&self) -> String {
        match self {
            JobError::Db(ApiError::Internal(cause) | ApiError::Unavailable(cause)) => {
                format!("{self}: {cause:#}")
            }
            other => other.to_string(),
        }
    }
}

/// Wakes idle workers of this instance when work was just enqueued here; others find it by polling.
#[derive(Clone, Default)]
pub struct Wakeup(Arc<Notify>);

impl Wakeup {
    pub fn notify(&self) {
        self.0.notify_waiters();
    }
}

pub const IDLE_POLL: Duration = Duration::from_millis(500);

/// Most jobs one worker claims at once.
pub const BATCH: u64 = 32;

/// Claims a batch of runnable jobs (at most one per ordering key) and runs it; returns whether it found any.
/// Customers' new messages are written together by one transaction (`inbound::run_batch`); every other job
/// runs on its own, concurrently with the rest of the batch (they belong to different keys).
pub async fn run_once(state: &AppState) -> Result<bool, ApiError> {
    let jobs = queue::claim_batch(&state.db, BATCH).await?;
    if jobs.is_empty() {
        return Ok(false);
    }
    let renewing = tokio::spawn(renew_while_running(state.db.clone(), jobs.clone()));
    let result = run_claimed(state, jobs).await;
    renewing.abort();
    result.map(|()| true)
}

async fn run_claimed(state: &AppState, jobs: Vec<job::Model>) -> Result<(), ApiError> {
    use crate::channels::instagram::inbound;
    let (batch, mut alone): (Vec<_>, Vec<_>) = jobs.into_iter().partition(|j| {
        j.kind == inbound::JOB_KIND
            && serde_json::from_str(&j.payload).is_ok_and(|p| inbound::batchable(&p))
    });
    let mut recorded = Vec::new();
    if batch.len() > 1 {
        let batch = batch
            .into_iter()
            .filter_map(|j| Some((serde_json::from_str(&j.payload).ok()?, j)))
            .map(|(p, j)| (j, p))
            .collect();
        let span = tracing::info_span!("job_batch", kind = inbound::JOB_KIND);
        let done = inbound::run_batch(state, batch).instrument(span).await;
        tracing::debug!(applied = done.applied, "batch written");
        for (job, outcome) in done.outcomes {
            recorded.push(record_in_span(
                state,
                job,
                outcome.map_err(|e| e.describe()),
            ));
        }
        alone.extend(done.alone);
    } else {
        alone.extend(batch);
    }
    let ran = futures_util::future::join_all(alone.into_iter().map(|job| run_alone(state, job)));
    let recorded = futures_util::future::join_all(recorded);
    let (ran, recorded) = tokio::join!(ran, recorded);
    ran.into_iter().chain(recorded).collect()
}

/// One job: its handler, then its outcome.
async fn run_alone(state: &AppState, job: job::Model) -> Result<(), ApiError> {
    let outcome = dispatch(state, &job)
        .instrument(job_span(&job))
        .await
        .map_err(|e| e.describe());
    record_in_span(state, job, outcome).await
}

async fn record_in_span(
    state: &AppState,
    job: job::Model,
    outcome: Result<Outcome, String>,
) -> Result<(), ApiError> {
    let span = job_span(&job);
    record(state, &job, &outcome).instrument(span).await
}

fn job_span(job: &job::Model) -> tracing::Span {
    tracing::info_span!("job", job_id = job.id, kind = %job.kind, attempt = job.attempts)
}

/// Keeps the claims alive for as long as their handlers run.
async fn renew_while_running(db: sea_orm::DatabaseConnection, mut jobs: Vec<job::Model>) {
    let mut every = tokio::time::interval(Duration::from_secs(queue::LEASE_RENEW_SECS));
    every.tick().await;
    loop {
        every.tick().await;
        let mut still_ours = Vec::with_capacity(jobs.len());
        for job in jobs {
            match queue::renew_lease(&db, &job).await {
                Ok(queue::Lease::Renewed) => still_ours.push(job),
                Ok(queue::Lease::Finished) => {}
                // Its handler is still running here (this loop stops when the batch ends).
                Ok(queue::Lease::TakenOver) => tracing::warn!(
                    job_id = job.id,
                    kind = %job.kind,
                    attempt = job.attempts,
                    "the job's lease ran out and another worker claimed it; it may run twice"
                ),
                Err(e) => {
                    tracing::warn!(job_id = job.id, error = ?e, "could not renew the job's lease");
                    still_ours.push(job);
                }
            }
        }
        jobs = still_ours;
    }
}

/// Writes the outcome. While the database is away the write is retried (for as long as the claim would
/// still be ours) instead of leaving the job claimed until its lease runs out.
async fn record(
    state: &AppState,
    job: &job::Model,
    outcome: &Result<Outcome, String>,
) -> Result<(), ApiError> {
    let give_up = tokio::time::Instant::now() + Duration::from_secs(queue::LEASE_RENEW_SECS * 2);
    loop {
        let written = match outcome {
            Ok(Outcome::Done) => queue::complete(&state.db, job).await,
            Ok(Outcome::Hold(why)) => queue::hold(&state.db, job, why).await,
            Ok(Outcome::Postpone(secs)) => queue::postpone(&state.db, job, *secs).await,
            Err(e) => queue::fail(&state.db, job, e).await,
        };
        match written {
            Err(ApiError::Unavailable(e)) if tokio::time::Instant::now() < give_up => {
                tracing::warn!(error = ?e, "could not record the job's outcome; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            other => return other,
        }
    }
}

async fn dispatch(state: &AppState, job: &job::Model) -> Result<Outcome, JobError> {
    let payload: serde_json::Value = serde_json::from_str(&job.payload)
        .map_err(|e| JobError::Retry(format!("bad payload: {e}")))?;
    match job.kind.as_str() {
        crate::channels::instagram::inbound::JOB_KIND => {
            crate::channels::instagram::inbound::run(state, &payload).await
        }
        crate::files::DOWNLOAD_JOB => crate::files::run_download(state, &payload).await,
        crate::channels::instagram::outbound::JOB_KIND => {
            crate::channels::instagram::outbound::run(state, job, &payload).await
        }
        crate::upkeep::PRUNE_JOB => crate::upkeep::run_prune(state).await,
        other => Err(JobError::Retry(format!("unknown job kind {other}"))),
    }
}

/// Starts `n` workers for the lifetime of the process.
pub fn spawn(state: AppState, n: usize) -> Vec<tokio::task::JoinHandle<()>> {
    (0..n)
        .map(|_| {
            let state = state.clone();
            tokio::spawn(async move {
                loop {
                    let notified = state.wakeup.0.notified();
                    match run_once(&state).await {
                        Ok(true) => continue,
                        Ok(false) => {}
                        Err(e) => tracing::error!(error = ?e, "worker could not run a job"),
                    }
                    let _ = tokio::time::timeout(IDLE_POLL, notified).await;
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_job_keeps_the_database_s_reason() {
        let failed = JobError::Db(ApiError::Internal(anyhow::anyhow!(
            "duplicate key value violates unique constraint \"messages_source_id_idx\""
        )));
        assert_eq!(
            failed.describe(),
            "internal error: duplicate key value violates unique constraint \"messages_source_id_idx\""
        );
        assert_eq!(
            JobError::Retry("429 - slow down".into()).describe(),
            "429 - slow down"
        );
    }
}
