use crate::m20261206_000028_add_unread_count_to_conversations as unread;
use crate::m20261206_000029_add_row_versions as row_versions;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

/// `conversations.last_message_id`: the id of the conversation's newest message, kept by triggers in the writing
/// transaction instead of found by the conversation list for each of its 25 rows on every uncached read (an
/// index lookup each: README, "Known causes", stop 30).
///
/// A message inserted moves it up (on PostgreSQL in the statement trigger that already writes the statement's
/// conversations, migrations 28 and 29: no second row version); a message deleted, or moved to another
/// conversation, makes it found again where it was that message. No foreign key: messages already point at their
/// conversation, and a key back would make the two tables' cascades a cycle.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// The newest message of conversation `row` (a column reference to its id).
fn newest(row: &str) -> String {
    format!("(SELECT MAX(m.id) FROM messages m WHERE m.conversation_id = {row})")
}

/// SQLite's `last_message_id` for a message inserted (`NEW`): its `MAX` is NULL when an argument is.
const SQLITE_INSERT_SETS: &str = ", last_message_id = MAX(COALESCE(last_message_id, 0), NEW.id)";

/// The triggers of this migration besides the insert trigger it changes, both databases.
const TRIGGERS: [&str; 2] = ["messages_last_message_delete", "messages_last_message_move"];

/// Makes SQLite's insert trigger on messages again, setting `also` beside the conversation's number. The drop
/// and the create go as one text: as two, the create could run on another of the pool's connections, which did
/// not see the drop yet ("trigger … already exists").
async fn sqlite_insert_trigger(db: &impl ConnectionTrait, also: &str) -> Result<(), DbErr> {
    db.execute_unprepared(&format!(
        "DROP TRIGGER messages_bump_row_version_insert; {}",
        row_versions::sqlite_bump_trigger("messages", "insert", also)
    ))
    .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("ALTER TABLE conversations ADD COLUMN last_message_id BIGINT")
            .await?;
        db.execute_unprepared(&format!(
            "UPDATE conversations SET last_message_id = {}",
            newest("conversations.id")
        ))
        .await?;
        // Found again for the conversations a message left (`OLD`), where it was their newest.
        let found_again = format!(
            "UPDATE conversations SET last_message_id = {} \
             WHERE id = OLD.conversation_id AND last_message_id = OLD.id",
            newest("conversations.id")
        );
        let moved_in = "UPDATE conversations SET last_message_id = NEW.id \
             WHERE id = NEW.conversation_id AND (last_message_id IS NULL OR last_message_id < NEW.id)";
        let moved = "OLD.conversation_id IS DISTINCT FROM NEW.conversation_id OR OLD.id IS DISTINCT FROM NEW.id";
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared(&row_versions::pg_insert_function(true))
                    .await?;
                // Rare writes, one row at a time.
                unread::pg_update_trigger(
                    db,
                    TRIGGERS[0],
                    "AFTER DELETE ON messages",
                    "true",
                    &format!("{found_again}; RETURN NULL;"),
                )
                .await?;
                unread::pg_update_trigger(
                    db,
                    TRIGGERS[1],
                    "AFTER UPDATE ON messages",
                    moved,
                    &format!("{found_again}; {moved_in}; RETURN NULL;"),
                )
                .await?;
            }
            _ => {
                // The insert trigger that bumps the conversation sets it too: one write of each, as before.
                sqlite_insert_trigger(db, SQLITE_INSERT_SETS).await?;
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER {} AFTER DELETE ON messages BEGIN {found_again}; END",
                    TRIGGERS[0]
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER {} AFTER UPDATE ON messages WHEN {moved} BEGIN \
                     {found_again}; {moved_in}; END",
                    TRIGGERS[1]
                ))
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for name in TRIGGERS {
            crate::drop_trigger(manager, name, "messages").await?;
        }
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            // The insert trigger's function as migration 29 made it.
            db.execute_unprepared(&row_versions::pg_insert_function(false))
                .await?;
        } else {
            // The insert trigger as migration 29 made it.
            sqlite_insert_trigger(db, "").await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("conversations")
                    .drop_column("last_message_id")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
