use crate::m20261206_000028_add_unread_count_to_conversations as unread;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

/// `conversations.contact_name` and `contact_thumbnail`: a copy of the conversation's contact's name and picture,
/// kept by triggers in the writing transaction, so that the conversation list shows each of its 25 rows' contact
/// without a lookup in `contacts` per row on every uncached read (about a fifth of the list statement on
/// PostgreSQL: README, "Known causes", stop 32).
///
/// - A conversation inserted, or given another contact, takes its contact's name and picture (PostgreSQL: in the
///   row being written, a `BEFORE` trigger; SQLite, whose triggers cannot change the row being written, updates
///   it once more).
/// - A contact whose name or picture changes writes them into its conversations, found through its contact
///   inboxes (`conversations` has an index on `contact_inbox_id`, none on `contact_id`, and every conversation
///   of a contact is in one of its contact inboxes). A contact gets its name once, when its profile is fetched,
///   so this is a rare write; each conversation it writes bumps that row's version (migration 29), so kept list
///   rows follow.
///
/// A contact deleted takes its conversations with it (the foreign key cascades), so there is nothing to clear.
#[derive(DeriveMigrationName)]
pub struct Migration;

const PG_TRIGGERS: [(&str, &str); 2] = [
    ("conversations_copy_contact", "conversations"),
    ("contacts_copy_to_conversations", "contacts"),
];

const SQLITE_TRIGGERS: [&str; 3] = [
    "conversations_copy_contact_insert",
    "conversations_copy_contact_move",
    "contacts_copy_to_conversations",
];

/// A conversation's copy set from the contact `contact_id` (a column reference) names.
fn copied_from(contact_id: &str) -> String {
    format!(
        "UPDATE conversations SET (contact_name, contact_thumbnail) = \
         (SELECT ct.name, ct.thumbnail FROM contacts ct WHERE ct.id = {contact_id})"
    )
}

/// The conversations of contact `NEW`, by its contact inboxes.
const CONTACTS_CONVERSATIONS: &str = "contact_inbox_id IN (SELECT ci.id FROM contact_inboxes ci \
     WHERE ci.contact_id = NEW.id) AND contact_id = NEW.id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for column in ["contact_name", "contact_thumbnail"] {
            db.execute_unprepared(&format!(
                "ALTER TABLE conversations ADD COLUMN {column} TEXT"
            ))
            .await?;
        }
        db.execute_unprepared(&copied_from("conversations.contact_id"))
            .await?;
        let renamed =
            "OLD.name IS DISTINCT FROM NEW.name OR OLD.thumbnail IS DISTINCT FROM NEW.thumbnail";
        let copy_out = format!(
            "UPDATE conversations SET contact_name = NEW.name, contact_thumbnail = NEW.thumbnail \
             WHERE {CONTACTS_CONVERSATIONS}"
        );
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                // In the row being written: no second row version.
                db.execute_unprepared(&format!(
                    "CREATE FUNCTION {0}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                       SELECT ct.name, ct.thumbnail INTO NEW.contact_name, NEW.contact_thumbnail \
                       FROM contacts ct WHERE ct.id = NEW.contact_id; \
                       RETURN NEW; END $$",
                    PG_TRIGGERS[0].0
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER {0} BEFORE INSERT OR UPDATE OF contact_id ON conversations \
                     FOR EACH ROW EXECUTE FUNCTION {0}()",
                    PG_TRIGGERS[0].0
                ))
                .await?;
                unread::pg_update_trigger(
                    db,
                    PG_TRIGGERS[1].0,
                    "AFTER UPDATE ON contacts",
                    renamed,
                    &format!("{copy_out}; RETURN NULL;"),
                )
                .await?;
            }
            _ => {
                let copy_in = format!("{} WHERE id = NEW.id", copied_from("NEW.contact_id"));
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER {} AFTER INSERT ON conversations BEGIN {copy_in}; END",
                    SQLITE_TRIGGERS[0]
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER {} AFTER UPDATE OF contact_id ON conversations \
                     WHEN OLD.contact_id IS DISTINCT FROM NEW.contact_id BEGIN {copy_in}; END",
                    SQLITE_TRIGGERS[1]
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER {} AFTER UPDATE ON contacts WHEN {renamed} BEGIN {copy_out}; END",
                    SQLITE_TRIGGERS[2]
                ))
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            for (name, table) in PG_TRIGGERS {
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name} ON {table}"))
                    .await?;
                db.execute_unprepared(&format!("DROP FUNCTION IF EXISTS {name}()"))
                    .await?;
            }
        } else {
            for name in SQLITE_TRIGGERS {
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name}"))
                    .await?;
            }
        }
        for column in ["contact_name", "contact_thumbnail"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("conversations")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
