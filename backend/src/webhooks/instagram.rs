//! `/webhooks/instagram`: Meta's verification handshake and signed event deliveries. An event is answered
//! 200 only once it and its jobs are committed; processing happens in the workers.

use crate::channels::instagram::delivery;
use crate::crypto::hmac_sha256_matches;
use crate::db::now;
use crate::entities::{job, webhook_event};
use crate::error::ApiError;
use crate::jobs::queue::{self, NewJob};
use crate::jobs::worker::Wakeup;
use crate::state::AppState;
use sea_orm::{ActiveModelTrait, DatabaseConnection, DbErr, EntityTrait, Set};
use secrecy::{ExposeSecret, SecretString};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};
use tokio::sync::{mpsc, oneshot};

/// `X-Hub-Signature-256: sha256=<hex>` over the raw body with the app secret, compared in constant time.
pub fn signature_valid(app_secret: &SecretString, header: Option<&str>, body: &[u8]) -> bool {
    let Some(hex_sig) = header.and_then(|h| h.trim().strip_prefix("sha256=")) else {
        return false;
    };
    let mut sig = [0u8; 32];
    if hex::decode_to_slice(hex_sig, &mut sig).is_err() {
        return false;
    }
    hmac_sha256_matches(app_secret.expose_secret().as_bytes(), body, &sig)
}

/// The challenge to echo when the verify token matches.
pub fn verification<'a>(
    verify_token: Option<&SecretString>,
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&'a str>,
) -> Option<&'a str> {
    let expected = verify_token?;
    let given = token?;
    let matches = constant_time_eq(expected.expose_secret().as_bytes(), given.as_bytes());
    (mode == Some("subscribe") && matches).then_some(challenge?)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("missing or invalid X-Hub-Signature-256")]
    BadSignature,
    #[error("the body is not JSON: {0}")]
    NotJson(String),
    #[error("object must be \"instagram\"")]
    WrongObject,
    #[error(transparent)]
    Db(#[from] ApiError),
}

/// Checks (signature, JSON, object — in that order), then stores the event and its jobs in one transaction.
#[tracing::instrument(level = "debug", skip_all, fields(bytes = body.len()))]
pub async fn ingest(
    state: &AppState,
    app_secret: Option<&SecretString>,
    signature: Option<&str>,
    body: &[u8],
) -> Result<usize, IngestError> {
    let secret = app_secret.ok_or(IngestError::BadSignature)?;
    if !signature_valid(secret, signature, body) {
        return Err(IngestError::BadSignature);
    }
    let delivery = delivery::parse(body).map_err(|e| IngestError::NotJson(e.to_string()))?;
    if !delivery.instagram {
        return Err(IngestError::WrongObject);
    }
    let mut jobs = delivery.jobs;
    let count = jobs.len();
    let mut payload = String::from_utf8_lossy(body).into_owned();
    if group_commit_enabled() {
        match state.ingest.submit(state, payload, jobs).await {
            Ok(result) => return result.map(|()| count).map_err(IngestError::Db),
            Err(back) => (payload, jobs) = back,
        }
    }
    store_alone(&state.db, &payload, jobs).await?;
    state.wakeup.notify();
    Ok(count)
}

/// The event and its jobs in a transaction of their own (group commit off, or its task gone).
async fn store_alone(
    db: &DatabaseConnection,
    payload: &str,
    jobs: Vec<NewJob>,
) -> Result<(), ApiError> {
    let txn = crate::db::begin(db).await?;
    received_event(payload, now()).insert(&txn).await?;
    for job in jobs {
        queue::enqueue(&txn, job).await?;
    }
    txn.commit().await?;
    Ok(())
}

fn received_event(payload: &str, at: i64) -> webhook_event::ActiveModel {
    webhook_event::ActiveModel {
        provider: Set("instagram".to_owned()),
        payload: Set(payload.to_owned()),
        status: Set("received".to_owned()),
        error: Set(None),
        received_at: Set(at),
        processed_at: Set(None),
        ..Default::default()
    }
}

/// `SWITCHBOARD_GROUP_COMMIT=0` turns group commit off (one transaction per delivery), for `make bench`'s
/// before/after comparison. On by default.
fn group_commit_enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| {
        !matches!(
            std::env::var("SWITCHBOARD_GROUP_COMMIT").as_deref(),
            Ok("0" | "off" | "false")
        )
    })
}

/// Most deliveries written by one transaction.
pub const MAX_BATCH: usize = 256;
/// Rows per multi-row `INSERT` (well under SQLite's and PostgreSQL's bind-parameter limits).
const ROWS_PER_INSERT: usize = 500;

/// Group commit: concurrent deliveries are gathered by one task, as many as are waiting written by ONE
/// transaction (a few such transactions at once on PostgreSQL, `writers`), and each request is answered only
/// after the commit that made its own event durable. Under load this turns N commits (N fsyncs on PostgreSQL,
/// N turns of SQLite's single writer) into a few. The task starts with the first delivery and ends when the
/// last clone of the state is dropped. Batches in flight together never share an ordering key (a contact), so
/// each contact's jobs still commit in id order.
#[derive(Clone, Default)]
pub struct IngestQueue(Arc<OnceLock<mpsc::Sender<Pending>>>);

struct Pending {
    payload: String,
    received_at: i64,
    jobs: Vec<NewJob>,
    done: oneshot::Sender<Result<(), ApiError>>,
}

impl IngestQueue {
    /// The delivery back when the batching task is not there (its runtime stopped): the caller stores it alone.
    /// A task that took it and stopped before answering may have committed it: 503, and Meta sends it again
    /// (processing skips a `mid` it has).
    async fn submit(
        &self,
        state: &AppState,
        payload: String,
        jobs: Vec<NewJob>,
    ) -> Result<Result<(), ApiError>, (String, Vec<NewJob>)> {
        let tx = self.0.get_or_init(|| {
            let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
            tokio::spawn(run_batches(
                state.db.clone(),
                state.wakeup.clone(),
                rx,
                writers(state),
            ));
            tx
        });
        let (done, answer) = oneshot::channel();
        let pending = Pending {
            payload,
            received_at: now(),
            jobs,
            done,
        };
        if let Err(mpsc::error::SendError(p)) = tx.send(pending).await {
            return Err((p.payload, p.jobs));
        }
        Ok(answer.await.unwrap_or_else(|_| {
            Err(ApiError::Unavailable(anyhow::anyhow!(
                "the ingest task stopped before answering"
            )))
        }))
    }
}

/// Batches written at the same time: `INGEST_BATCHES` on PostgreSQL (`config::default_ingest_batches`), one on
/// SQLite, whose single writer would make a second batch only wait for the lock.
fn writers(state: &AppState) -> usize {
    if state.db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        state.settings.ingest_batches
    } else {
        1
    }
}

async fn run_batches(
    db: DatabaseConnection,
    wakeup: Wakeup,
    mut rx: mpsc::Receiver<Pending>,
    writers: usize,
) {
    let mut writing = tokio::task::JoinSet::new();
    // The ordering keys of each batch being written.
    let mut in_flight: HashMap<tokio::task::Id, HashSet<String>> = HashMap::new();
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        tokio::select! {
            n = rx.recv_many(&mut batch, MAX_BATCH), if writing.len() < writers => {
                if n == 0 {
                    break;
                }
                let items = std::mem::take(&mut batch);
                let keys: HashSet<String> = items
                    .iter()
                    .flat_map(|p| p.jobs.iter())
                    .filter_map(|j| j.ordering_key.clone())
                    .collect();
                // A contact's jobs must get their ids in the order they commit (workers run a key's jobs in
                // id order and cannot see uncommitted ones): a batch sharing a key with one still being written
                // waits for it.
                while in_flight.values().any(|k| !k.is_disjoint(&keys)) {
                    match writing.join_next_with_id().await {
                        Some(done) => settled(done, &mut in_flight, &mut rx),
                        None => break,
                    }
                }
                let (db, wakeup) = (db.clone(), wakeup.clone());
                let task = writing.spawn(async move { write_batch(&db, &wakeup, items).await });
                in_flight.insert(task.id(), keys);
            }
            Some(done) = writing.join_next_with_id(), if !writing.is_empty() => {
                settled(done, &mut in_flight, &mut rx);
            }
        }
    }
    while writing.join_next().await.is_some() {}
}

/// A batch finished. If the database was away, deliveries that queued up meanwhile would only wait out the
/// same connect timeout again: they get the 503 now, and Meta retries them.
fn settled(
    done: Result<(tokio::task::Id, Option<String>), tokio::task::JoinError>,
    in_flight: &mut HashMap<tokio::task::Id, HashSet<String>>,
    rx: &mut mpsc::Receiver<Pending>,
) {
    let unavailable = match done {
        Ok((id, unavailable)) => {
            in_flight.remove(&id);
            unavailable
        }
        Err(e) => {
            in_flight.remove(&e.id());
            None
        }
    };
    if let Some(unavailable) = unavailable {
        while let Ok(p) = rx.try_recv() {
            let _ = p.done.send(Err(ApiError::Unavailable(anyhow::anyhow!(
                unavailable.clone()
            ))));
        }
    }
}

/// Writes one batch and answers its deliveries; the error when the database was away.
async fn write_batch(
    db: &DatabaseConnection,
    wakeup: &Wakeup,
    items: Vec<Pending>,
) -> Option<String> {
    match store_batch(db, &items).await {
        Ok(()) => {
            wakeup.notify();
            for p in items {
                let _ = p.done.send(Ok(()));
            }
            None
        }
        // The database is away: every delivery of the batch gets that answer.
        Err(e) if items.len() == 1 || crate::db::is_unavailable(&e) => {
            tracing::error!(error = %e, deliveries = items.len(), "could not store Instagram webhooks");
            for p in items {
                let _ = p.done.send(Err(ApiError::each(&e)));
            }
            crate::db::is_unavailable(&e).then(|| e.to_string())
        }
        // Something about one delivery: store each alone so only that one fails.
        Err(e) => {
            tracing::warn!(error = %e, deliveries = items.len(), "batched webhook insert failed; storing one by one");
            for p in items {
                let result = store_batch(db, std::slice::from_ref(&p))
                    .await
                    .map_err(ApiError::from);
                if result.is_ok() {
                    wakeup.notify();
                }
                let _ = p.done.send(result);
            }
            None
        }
    }
}

/// Every event of the batch, then every job, in receipt order, in one transaction.
async fn store_batch(db: &DatabaseConnection, items: &[Pending]) -> Result<(), DbErr> {
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        return store_batch_postgres(db, items).await;
    }
    let txn = crate::db::begin(db).await?;
    for chunk in items.chunks(ROWS_PER_INSERT) {
        webhook_event::Entity::insert_many(
            chunk
                .iter()
                .map(|p| received_event(&p.payload, p.received_at)),
        )
        .exec_without_returning(&txn)
        .await?;
    }
    let jobs: Vec<job::ActiveModel> = items
        .iter()
        .flat_map(|p| p.jobs.iter().map(|j| j.clone().into_row(p.received_at)))
        .collect();
    for chunk in jobs.chunks(ROWS_PER_INSERT) {
        job::Entity::insert_many(chunk.iter().cloned())
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await
}

/// Both inserts as ONE statement of fixed text, the rows passed as arrays: a statement on its own commits by
/// itself, so the batch costs one round trip instead of four (begin, events, jobs, commit), and the text does
/// not change with the batch's size, so each connection prepares it once. Multi-row `VALUES` lists had a text
/// per row count, more than a connection's statement cache holds, so most batches were parsed and planned
/// again.
const PG_STORE_BATCH: &str = "WITH events AS (\
    INSERT INTO webhook_events (provider, payload, status, received_at) \
    SELECT 'instagram', e.payload, 'received', e.received_at \
    FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS e(payload, received_at, n) ORDER BY e.n) \
  INSERT INTO jobs (kind, payload, ordering_key, state, run_at, attempts, max_attempts, created_at, updated_at) \
  SELECT j.kind, j.payload, j.ordering_key, $7, j.at, 0, $8, j.at, j.at \
  FROM unnest($3::text[], $4::text[], $5::text[], $6::bigint[]) \
    WITH ORDINALITY AS j(kind, payload, ordering_key, at, n) \
  ORDER BY j.n";

async fn store_batch_postgres(db: &DatabaseConnection, items: &[Pending]) -> Result<(), DbErr> {
    // Each job with its delivery's time: the row `NewJob::into_row` makes, columns borrowed, not copied.
    let jobs = || {
        items
            .iter()
            .flat_map(|p| p.jobs.iter().map(move |j| (j, p.received_at)))
    };
    let query = sea_orm::sqlx::query(PG_STORE_BATCH)
        .bind(items.iter().map(|p| p.payload.as_str()).collect::<Vec<_>>())
        .bind(items.iter().map(|p| p.received_at).collect::<Vec<_>>())
        .bind(jobs().map(|(j, _)| j.kind).collect::<Vec<_>>())
        .bind(jobs().map(|(j, _)| j.payload.as_str()).collect::<Vec<_>>())
        .bind(
            jobs()
                .map(|(j, _)| j.ordering_key.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(jobs().map(|(_, at)| at).collect::<Vec<_>>())
        .bind(queue::PENDING)
        .bind(queue::DEFAULT_MAX_ATTEMPTS);
    query
        .execute(db.get_postgres_connection_pool())
        .await
        .map_err(crate::db::sqlx_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::hmac_sha256_hex;

    #[test]
    fn signatures_and_verification() {
        let secret = SecretString::from("s3cret".to_owned());
        let body = br#"{"object":"instagram"}"#;
        let good = format!("sha256={}", hmac_sha256_hex(b"s3cret", body));
        assert!(signature_valid(&secret, Some(&good), body));
        assert!(!signature_valid(&secret, Some(&good), b"{}"));
        assert!(!signature_valid(&secret, Some("sha256=zz"), body));
        assert!(!signature_valid(&secret, None, body));
        assert!(!signature_valid(
            &secret,
            Some(&good.replace("sha256=", "sha1=")),
            body
        ));
        let token = SecretString::from("vt".to_owned());
        assert_eq!(
            verification(Some(&token), Some("subscribe"), Some("vt"), Some("42")),
            Some("42")
        );
        assert_eq!(
            verification(Some(&token), Some("subscribe"), Some("no"), Some("42")),
            None
        );
        assert_eq!(
            verification(None, Some("subscribe"), Some("vt"), Some("42")),
            None
        );
        assert_eq!(
            verification(Some(&token), Some("unsubscribe"), Some("vt"), Some("42")),
            None
        );
    }
}
