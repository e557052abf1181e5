use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Every webhook delivery inserts a `webhook_events` row and a job, and every job is rewritten twice as it
/// runs (its state is indexed, so never in place): each index on those tables is paid on each of those writes.
/// Since migration 22 the claim reads only the partial indexes, so the wide ones go:
/// - `jobs (state, run_at)` and `jobs (ordering_key, state)`: no query reads them any more (the claim, the
///   held jobs' release and the prune's "one waiting?" read the partial indexes over unfinished jobs);
/// - `webhook_events (status)`: every row has the same status and nothing reads by it.
///
/// The super-admin list of dead jobs (newest first) gets a partial index of its own, written only when a job
/// dies, so it does not walk back through every finished job.
const DROPPED: [(&str, &str, &[&str]); 3] = [
    ("jobs_state_run_at_idx", "jobs", &["state", "run_at"]),
    (
        "jobs_ordering_key_state_idx",
        "jobs",
        &["ordering_key", "state"],
    ),
    ("webhook_events_status_idx", "webhook_events", &["status"]),
];

const DEAD_JOBS: &str = "CREATE INDEX jobs_dead_idx ON jobs (id) WHERE state = 'dead'";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in DROPPED {
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        manager
            .get_connection()
            .execute_unprepared(DEAD_JOBS)
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("jobs_dead_idx").table("jobs").to_owned())
            .await?;
        for (name, table, columns) in DROPPED {
            let mut index = Index::create();
            index.name(name).table(table);
            for column in columns {
                index.col(*column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }
}
