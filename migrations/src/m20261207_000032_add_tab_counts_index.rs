use sea_orm_migration::prelude::*;

/// An index the conversation list's three tab counts are read from: they count an account's open conversations
/// (in the caller's inboxes, or the one asked for) by assignee, and with all four columns in the key PostgreSQL
/// counts them from the index alone where its pages are all-visible (SQLite always), instead of reading every
/// conversation of the account (a sequential scan of the table on the bench's one account; through the page
/// index and the heap in a database of many accounts). `pgbench` of the uncached list statement on a vacuumed
/// bench database (1,000 open conversations), two clients on two cores, three alternating runs: 3,044 / 2,899 /
/// 2,672 → 3,629 / 3,417 / 3,199 statements a second.
///
/// One more index for each conversation write that is not a HOT update; a new message's update of its
/// conversation was not one already (`last_activity_at` is in the page index).
#[derive(DeriveMigrationName)]
pub struct Migration;

pub(crate) const NAME: &str = "conversations_tabs_idx";

/// The index as this migration makes it (migration 35 drops it, and makes it again going down).
pub(crate) fn index() -> IndexCreateStatement {
    Index::create()
        .name(NAME)
        .table("conversations")
        .col("account_id")
        .col("status")
        .col("inbox_id")
        .col("assignee_id")
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(index()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(NAME).table("conversations").to_owned())
            .await
    }
}
