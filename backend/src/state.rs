//! What every handler can reach: the pool, the settings and the derived keys.

use crate::channels::instagram::graph::GraphClient;
use crate::channels::twilio::TwilioClient;
use crate::config::Settings;
use crate::crypto::Keys;
use crate::events::Events;
use crate::files::FileStore;
use crate::jobs::worker::Wakeup;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub keys: Keys,
    pub twilio: TwilioClient,
    pub graph: GraphClient,
    pub files: FileStore,
    pub wakeup: Wakeup,
    pub events: Events,
    /// Group commit of Instagram webhook deliveries.
    pub ingest: crate::webhooks::instagram::IngestQueue,
    /// Group lookup of callers.
    pub callers: crate::auth::caller_queue::CallerQueue,
    /// Finished JSON of the busiest reads, valid while the account's data version is unchanged.
    pub reads: Arc<crate::read_cache::ReadCache>,
    /// On a SQLite file, the conversation list's own connections (see `sqlite_reads`).
    pub sqlite_reads: Option<Arc<crate::sqlite_reads::SqliteReads>>,
}
