//! Live updates for the dashboard. On PostgreSQL every instance publishes with `NOTIFY` and listens with
//! `LISTEN`, so a browser connected to any instance hears about work done on another; on SQLite (one process)
//! an in-process channel carries them.

use crate::state::AppState;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

pub const CHANNEL: &str = "switchboard_events";
/// "The installation settings changed": each instance forgets its copy of them (`global_config`).
pub const CONFIG_CHANNEL: &str = "switchboard_config";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub account_id: i64,
    pub inbox_id: i64,
    /// `message.created`, `message.updated`, `conversation.created`, `conversation.updated`.
    pub kind: String,
    /// The conversation's display id.
    pub conversation_id: i64,
}

#[derive(Clone)]
pub struct Events {
    tx: broadcast::Sender<Event>,
}

impl Default for Events {
    fn default() -> Self {
        Events {
            tx: broadcast::channel(1024).0,
        }
    }
}

impl Events {
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.tx.subscribe()
    }

    fn local(&self, ev: Event) {
        let _ = self.tx.send(ev);
    }
}

impl Event {
    pub fn of(conv: &crate::entities::conversation::Model, kind: &str) -> Event {
        Event {
            account_id: conv.account_id,
            inbox_id: conv.inbox_id,
            kind: kind.to_owned(),
            conversation_id: conv.display_id,
        }
    }
}

/// Tells every connected dashboard; best effort (a missed event is caught up by the next refetch).
pub async fn publish(state: &AppState, ev: Event) {
    publish_all(state, vec![ev]).await
}

/// Several events in one round trip (a batch of jobs touched many conversations).
pub async fn publish_all(state: &AppState, evs: Vec<Event>) {
    if evs.is_empty() {
        return;
    }
    if state.db.get_database_backend() == DatabaseBackend::Postgres {
        let calls: Vec<String> = (0..evs.len())
            .map(|i| format!("pg_notify($1, ${})", i + 2))
            .collect();
        let mut values: Vec<sea_orm::Value> = vec![CHANNEL.into()];
        values.extend(
            evs.iter()
                .map(|ev| serde_json::to_string(ev).unwrap_or_default().into()),
        );
        let stmt = Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            format!("SELECT {}", calls.join(", ")),
            values,
        );
        if let Err(e) = state.db.execute_raw(stmt).await {
            tracing::warn!(error = %e, "could not publish a live update");
        }
    } else {
        for ev in evs {
            state.events.local(ev);
        }
    }
}

/// Called inside the transaction that changes the installation settings. On PostgreSQL the notice goes out at
/// its commit (never for a rolled-back change) to every instance, this one included, and each forgets its copy
/// of the settings then instead of up to `global_config::CACHE_TTL` later; SQLite is one process, which forgets
/// by itself.
pub async fn config_changed(db: &impl ConnectionTrait) -> Result<(), sea_orm::DbErr> {
    if db.get_database_backend() == DatabaseBackend::Postgres {
        db.execute_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_notify($1, '')",
            [CONFIG_CHANNEL.into()],
        ))
        .await?;
    }
    Ok(())
}

/// On PostgreSQL: forwards `NOTIFY`s of every instance to this instance's subscribers, and forgets the kept
/// settings when told they changed; reconnects on loss.
pub fn spawn_listener(state: &AppState) -> Option<tokio::task::JoinHandle<()>> {
    if state.db.get_database_backend() != DatabaseBackend::Postgres {
        return None;
    }
    let url = state.settings.database_url.clone();
    let events = state.events.clone();
    Some(tokio::spawn(async move {
        loop {
            match sea_orm::sqlx::postgres::PgListener::connect(&url).await {
                Ok(mut listener) => {
                    if listener.listen_all([CHANNEL, CONFIG_CHANNEL]).await.is_ok() {
                        // A change told before this instance listened went unheard.
                        crate::global_config::forget_cached();
                        while let Ok(n) = listener.recv().await {
                            if n.channel() == CONFIG_CHANNEL {
                                crate::global_config::forget_cached();
                            } else if let Ok(ev) = serde_json::from_str::<Event>(n.payload()) {
                                events.local(ev);
                            }
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "live-update listener could not connect"),
            }
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        }
    }))
}

/// Publishes `kind` for a conversation given by its row id.
pub async fn conversation_changed(state: &AppState, conversation_row_id: i64, kind: &str) {
    use sea_orm::EntityTrait;
    match crate::entities::conversation::Entity::find_by_id(conversation_row_id)
        .one(&state.db)
        .await
    {
        Ok(Some(c)) => publish(state, Event::of(&c, kind)).await,
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "could not load a conversation for a live update"),
    }
}
