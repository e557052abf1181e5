use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Partial indexes over the unfinished jobs only, for the claim query: done jobs pile up (kept for days) and
/// every job row is rewritten as it runs, so scanning all of them per claim was most of the database's work
/// while a backlog drained. Same syntax on PostgreSQL and SQLite.
const INDEXES: [(&str, &str); 2] = [
    // The claim's scan, oldest first.
    (
        "jobs_runnable_idx",
        "CREATE INDEX jobs_runnable_idx ON jobs (id) WHERE state IN ('pending', 'running')",
    ),
    // "Is an older job of this key unfinished?"
    (
        "jobs_unfinished_key_idx",
        "CREATE INDEX jobs_unfinished_key_idx ON jobs (ordering_key, id) WHERE state IN ('pending', 'running', 'held')",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (_, create) in INDEXES {
            manager.get_connection().execute_unprepared(create).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in INDEXES {
            manager
                .drop_index(Index::drop().name(name).table("jobs").to_owned())
                .await?;
        }
        Ok(())
    }
}
