use crate::m20261208_000033_create_credentials_version::sqlite_trigger;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

/// The credentials version (migration 33) moves with `inbox_members` too: a lookup keeps an agent's inboxes in
/// the account beside their role (`auth::kept_callers`), and the conversation list shares an agent's page with
/// the other agents of the same inboxes by that set.
#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_EVENTS: [(&str, &str); 3] = [
    ("insert", "INSERT"),
    ("update", "UPDATE"),
    ("delete", "DELETE"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            // Named after `inbox_members_bump_account_version`, so that it fires after it (see migration 33).
            db.execute_unprepared(
                "CREATE CONSTRAINT TRIGGER inbox_members_bump_credentials_version \
                 AFTER INSERT OR UPDATE OR DELETE ON inbox_members \
                 DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_credentials_version()",
            )
            .await?;
        } else {
            for (event, what) in SQLITE_EVENTS {
                db.execute_unprepared(&sqlite_trigger("inbox_members", event, what))
                    .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared(
                "DROP TRIGGER IF EXISTS inbox_members_bump_credentials_version ON inbox_members",
            )
            .await?;
        } else {
            for (event, _) in SQLITE_EVENTS {
                db.execute_unprepared(&format!(
                    "DROP TRIGGER IF EXISTS inbox_members_bump_credentials_version_{event}"
                ))
                .await?;
            }
        }
        Ok(())
    }
}
