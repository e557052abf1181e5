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

/// Wakes idle workers of this instance when work was just enqueued here; others find it by polling.
#[derive(Clone, Default)]
pub struct Wakeup(Arc<Notify>);

impl Wakeup {
    pub fn notify(&self) {
        self.0.notify_waiters();
    }
}

pub const IDLE_POLL: Duration = Duration::from_millis(500);

/// Runs one job if there is one; returns whether it found any.
pub async fn run_once(state: &AppState) -> Result<bool, ApiError> {
    let Some(job) = queue::claim(&state.db).await? else {
        return Ok(false);
    };
    // Instrumenting the future (not entering a guard) keeps the span correct across awaits.
    let span =
        tracing::info_span!("job", job_id = job.id, kind = %job.kind, attempt = job.attempts);
    async {
        match dispatch(state, &job).await {
            Ok(Outcome::Done) => queue::complete(&state.db, job.id).await?,
            Ok(Outcome::Hold(why)) => queue::hold(&state.db, job.id, &why).await?,
            Ok(Outcome::Postpone(secs)) => queue::postpone(&state.db, &job, secs).await?,
            Err(e) => queue::fail(&state.db, &job, &e.to_string()).await?,
        }
        Ok(true)
    }
    .instrument(span)
    .await
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
