use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

/// `messages.attachments_count`: how many attachments a message has, kept by triggers in the writing
/// transaction, so that the list's last messages and a thread's page know which of them have attachments from the
/// message row instead of an `EXISTS` on `attachments` for each (the largest of the per-message lookups of an
/// uncached list on PostgreSQL: README, "What changed", stop 38). Attachments come in the transaction that
/// inserts their message, or (a call's recording) one that updates that message anyway, so the row they update
/// is one the transaction holds already.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// PostgreSQL's statement triggers on attachments: `(event, kind, rows, transition table, sign)`.
const PG_COUNTS: [(&str, &str, &str, &str, &str); 2] = [
    ("insert", "INSERT", "NEW", "new_attachments", "+"),
    ("delete", "DELETE", "OLD", "old_attachments", "-"),
];

/// Moves one attachment's count from `OLD`'s message to `NEW`'s, on either database.
const MOVE: &str =
    "UPDATE messages SET attachments_count = attachments_count - 1 WHERE id = OLD.message_id; \
    UPDATE messages SET attachments_count = attachments_count + 1 WHERE id = NEW.message_id;";

const MOVED: &str = "OLD.message_id IS DISTINCT FROM NEW.message_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "ALTER TABLE messages ADD COLUMN attachments_count BIGINT NOT NULL DEFAULT 0",
        )
        .await?;
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                // Once per statement, as the unread counts (migration 28): a message's attachments may come in
                // one statement.
                for (event, kind, rows, table, sign) in PG_COUNTS {
                    db.execute_unprepared(&format!(
                        "CREATE FUNCTION attachments_count_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
                         BEGIN
                           UPDATE messages m SET attachments_count = m.attachments_count {sign} n.counted
                             FROM (SELECT a.message_id, COUNT(*) AS counted FROM {table} a
                                   GROUP BY a.message_id) n
                             WHERE m.id = n.message_id;
                           RETURN NULL;
                         END $$"
                    ))
                    .await?;
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER attachments_count_{event} AFTER {kind} ON attachments \
                         REFERENCING {rows} TABLE AS {table} FOR EACH STATEMENT \
                         EXECUTE FUNCTION attachments_count_{event}()"
                    ))
                    .await?;
                }
                db.execute_unprepared(&format!(
                    "CREATE FUNCTION attachments_count_move() RETURNS trigger LANGUAGE plpgsql AS $$
                     BEGIN {MOVE} RETURN NULL; END $$"
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER attachments_count_move AFTER UPDATE ON attachments FOR EACH ROW \
                     WHEN ({MOVED}) EXECUTE FUNCTION attachments_count_move()"
                ))
                .await?;
            }
            _ => {
                for (event, row, sign) in [("insert", "NEW", "+"), ("delete", "OLD", "-")] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER attachments_count_{event} AFTER {event} ON attachments BEGIN \
                         UPDATE messages SET attachments_count = attachments_count {sign} 1 \
                         WHERE id = {row}.message_id; END"
                    ))
                    .await?;
                }
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER attachments_count_move AFTER UPDATE ON attachments WHEN {} BEGIN {MOVE} END",
                    MOVED.replace("IS DISTINCT FROM", "IS NOT")
                ))
                .await?;
            }
        }
        // After the triggers: on PostgreSQL their creation holds off writes to `attachments` until this
        // migration commits.
        db.execute_unprepared(
            "UPDATE messages SET attachments_count = \
             (SELECT COUNT(*) FROM attachments a WHERE a.message_id = messages.id) \
             WHERE id IN (SELECT message_id FROM attachments)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for event in ["insert", "delete", "move"] {
            crate::drop_trigger(
                manager,
                &format!("attachments_count_{event}"),
                "attachments",
            )
            .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("messages")
                    .drop_column("attachments_count")
                    .to_owned(),
            )
            .await
    }
}
