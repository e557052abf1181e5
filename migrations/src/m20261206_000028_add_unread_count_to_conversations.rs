use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

/// `conversations.unread_count`: the conversation's incoming messages newer than what its assignee last saw
/// (any agent, while it has none), kept by triggers in the writing transaction instead of counted by the
/// conversation list for each of its 25 rows on every uncached read. Counting read every incoming message of
/// each conversation since it was last seen: a fifth of the list statement's time on a bench database of 20
/// messages a conversation, and more the longer a conversation grows (README, "What changed", stop 27).
///
/// What changes the count: a message inserted, deleted, or moved in type, time or conversation (messages,
/// counted or recounted), and the marker it is compared with (conversations: either "last seen", or the
/// assignee, which picks one; recounted). The count itself never bumps the tab counts' version, and a new
/// message already bumps the data version.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// The incoming messages of conversation `row` newer than its marker.
fn recount(row: &str) -> String {
    format!(
        "(SELECT COUNT(*) FROM messages m WHERE m.conversation_id = {row}.id AND m.message_type = 0 \
         AND m.created_at > {})",
        marker(row)
    )
}

/// What conversation `row`'s messages count as unread after: the assignee's last look, or any agent's while it
/// has none; before anyone looked, everything.
pub(crate) fn marker(row: &str) -> String {
    format!(
        "COALESCE(CASE WHEN {row}.assignee_id IS NULL THEN {row}.agent_last_seen_at \
         ELSE {row}.assignee_last_seen_at END, -1)"
    )
}

/// A conversation update that moves its marker.
const MARKER_MOVED: &str = "OLD.agent_last_seen_at IS DISTINCT FROM NEW.agent_last_seen_at \
    OR OLD.assignee_last_seen_at IS DISTINCT FROM NEW.assignee_last_seen_at \
    OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id";

/// A message update that moves it between counts.
const MESSAGE_MOVED: &str = "OLD.message_type IS DISTINCT FROM NEW.message_type \
    OR OLD.created_at IS DISTINCT FROM NEW.created_at \
    OR OLD.conversation_id IS DISTINCT FROM NEW.conversation_id";

/// PostgreSQL's statement triggers on messages: `(event, kind, rows, transition table, sign)`.
const PG_COUNTS: [(&str, &str, &str, &str, &str); 2] = [
    ("insert", "INSERT", "NEW", "new_messages", "+"),
    ("delete", "DELETE", "OLD", "old_messages", "-"),
];

/// `{verb} FUNCTION messages_count_unread_{event}()` (`CREATE`, or `CREATE OR REPLACE` to put it back) as this
/// migration makes it: the statement's incoming messages newer than their conversation's marker, added or taken.
pub(crate) fn pg_count_function(verb: &str, event: &str) -> String {
    let (_, _, _, table, sign) = PG_COUNTS
        .into_iter()
        .find(|(e, ..)| *e == event)
        .expect("an event of PG_COUNTS");
    format!(
        "{verb} FUNCTION messages_count_unread_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           UPDATE conversations c SET unread_count = c.unread_count {sign} n.counted
             FROM (SELECT m.conversation_id, COUNT(*) AS counted FROM {table} m
                   JOIN conversations cv ON cv.id = m.conversation_id
                   WHERE m.message_type = 0 AND m.created_at > {marker}
                   GROUP BY m.conversation_id) n
             WHERE c.id = n.conversation_id;
           RETURN NULL;
         END $$",
        marker = marker("cv"),
    )
}

/// A PostgreSQL trigger `name`, `on` (`AFTER UPDATE ON messages`, say) each row for which `when` holds, running
/// the PL/pgSQL `body`.
pub(crate) async fn pg_update_trigger(
    db: &impl ConnectionTrait,
    name: &str,
    on: &str,
    when: &str,
    body: &str,
) -> Result<(), DbErr> {
    db.execute_unprepared(&format!(
        "CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} END $$"
    ))
    .await?;
    db.execute_unprepared(&format!(
        "CREATE TRIGGER {name} {on} FOR EACH ROW WHEN ({when}) EXECUTE FUNCTION {name}()"
    ))
    .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "ALTER TABLE conversations ADD COLUMN unread_count BIGINT NOT NULL DEFAULT 0",
        )
        .await?;
        db.execute_unprepared(&format!(
            "UPDATE conversations SET unread_count = {}",
            recount("conversations")
        ))
        .await?;
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                // Inserts and deletes once per statement: a processing batch inserts hundreds of messages in
                // one, and each conversation it touches gets one new row version, not one per message. The
                // batch updates the same conversations right after (`store::add_messages`: their last
                // activity), so the trigger takes no lock the batch would not take; it takes them one
                // statement sooner.
                for (event, kind, rows, table, _) in PG_COUNTS {
                    db.execute_unprepared(&pg_count_function("CREATE", event))
                        .await?;
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER messages_count_unread_{event} AFTER {kind} ON messages \
                         REFERENCING {rows} TABLE AS {table} FOR EACH STATEMENT \
                         EXECUTE FUNCTION messages_count_unread_{event}()"
                    ))
                    .await?;
                }
                pg_update_trigger(
                    db,
                    "messages_recount_unread",
                    "AFTER UPDATE ON messages",
                    MESSAGE_MOVED,
                    &format!(
                        "UPDATE conversations c SET unread_count = {} \
                         WHERE c.id IN (OLD.conversation_id, NEW.conversation_id); RETURN NULL;",
                        recount("c")
                    ),
                )
                .await?;
                pg_update_trigger(
                    db,
                    "conversations_recount_unread",
                    "BEFORE UPDATE ON conversations",
                    MARKER_MOVED,
                    &format!("NEW.unread_count := {}; RETURN NEW;", recount("NEW")),
                )
                .await?;
            }
            _ => {
                let is_not = |when: &str| when.replace("IS DISTINCT FROM", "IS NOT");
                for (event, row, sign) in [("insert", "NEW", "+"), ("delete", "OLD", "-")] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER messages_count_unread_{event} AFTER {event} ON messages \
                         WHEN {row}.message_type = 0 BEGIN \
                         UPDATE conversations SET unread_count = unread_count {sign} 1 \
                         WHERE id = {row}.conversation_id AND {row}.created_at > {marker}; END",
                        marker = marker("conversations"),
                    ))
                    .await?;
                }
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER messages_recount_unread AFTER UPDATE ON messages WHEN {} BEGIN \
                     UPDATE conversations SET unread_count = {} \
                     WHERE id IN (OLD.conversation_id, NEW.conversation_id); END",
                    is_not(MESSAGE_MOVED),
                    recount("conversations"),
                ))
                .await?;
                // SQLite's triggers cannot change the row being written, so this one writes it again; the
                // second update leaves the marker alone, so it does not come back here.
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER conversations_recount_unread AFTER UPDATE ON conversations WHEN {} BEGIN \
                     UPDATE conversations SET unread_count = {} WHERE id = NEW.id; END",
                    is_not(MARKER_MOVED),
                    recount("conversations"),
                ))
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (trigger, table) in [
            ("messages_count_unread_insert", "messages"),
            ("messages_count_unread_delete", "messages"),
            ("messages_recount_unread", "messages"),
            ("conversations_recount_unread", "conversations"),
        ] {
            crate::drop_trigger(manager, trigger, table).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("conversations")
                    .drop_column("unread_count")
                    .to_owned(),
            )
            .await
    }
}
