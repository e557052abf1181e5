//! Live updates for the dashboard. On PostgreSQL every instance publishes with `NOTIFY` and listens with
//! `LISTEN`, so a browser connected to any instance hears about work done on another; on SQLite (one process)
//! an in-process channel carries them.

use crate::state::AppState;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

pub const CHANNEL: &str = "switchboard_events";

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

/// Tells every connected dashboard; best effort (a missed event is caught up by the next refetch).
pub async fn publish(state: &AppState, ev: Event) {
    if state.db.get_database_backend() == DatabaseBackend::Postgres {
        let payload = serde_json::to_string(&ev).unwrap_or_default();
        let stmt = Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [CHANNEL.into(), payload.into()],
        );
        if let Err(e) = state.db.execute_raw(stmt).await {
            tracing::warn!(error = %e, "could not publish a live update");
        }
    } else {
        state.events.local(ev);
    }
}

/// On PostgreSQL: forwards `NOTIFY`s of every instance to this instance's subscribers, reconnecting on loss.
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
                    if listener.listen(CHANNEL).await.is_ok() {
                        while let Ok(n) = listener.recv().await {
                            if let Ok(ev) = serde_json::from_str::<Event>(n.payload()) {
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
        Ok(Some(c)) => {
            publish(
                state,
                Event {
                    account_id: c.account_id,
                    inbox_id: c.inbox_id,
                    kind: kind.to_owned(),
                    conversation_id: c.display_id,
                },
            )
            .await
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "could not load a conversation for a live update"),
    }
}
