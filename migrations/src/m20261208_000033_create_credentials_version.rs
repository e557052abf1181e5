use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// One number for the whole database that changes with every write that can change who a credential is or what
/// they may do: a user's token digest or super-admin flag changed or the user deleted, a session changed or
/// deleted (signed out, expired and swept), an account user added, changed or removed. A server keeps the
/// callers it has looked up (`auth::kept_callers`) and serves them again only while this number is the one they
/// were read at, read in the same statement as the account's data version, so a sign-out or a demotion made
/// through any instance holds at once on every instance. New users and sessions do not bump it: nothing is kept
/// for a credential that was not found.
///
/// `(table, events)`; each row trigger bumps the number.
const SOURCES: [(&str, &str); 3] = [
    (
        "users",
        "UPDATE OF access_token_digest, super_admin OR DELETE",
    ),
    ("sessions", "UPDATE OR DELETE"),
    ("account_users", "INSERT OR UPDATE OR DELETE"),
];

/// SQLite has no `OR` between a trigger's events: one trigger each.
const SQLITE_EVENTS: [(&str, &str, &str); 7] = [
    (
        "users",
        "update",
        "UPDATE OF access_token_digest, super_admin",
    ),
    ("users", "delete", "DELETE"),
    ("sessions", "update", "UPDATE"),
    ("sessions", "delete", "DELETE"),
    ("account_users", "insert", "INSERT"),
    ("account_users", "update", "UPDATE"),
    ("account_users", "delete", "DELETE"),
];

/// A SQLite trigger bumping the number after `what` on `table` (one writer at a time: per row, in the statement).
pub(crate) fn sqlite_trigger(table: &str, event: &str, what: &str) -> String {
    format!(
        "CREATE TRIGGER {table}_bump_credentials_version_{event} AFTER {what} ON {table} \
         BEGIN INSERT INTO credentials_version (id, version) VALUES (1, 1) \
         ON CONFLICT (id) DO UPDATE SET version = version + 1; END"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE TABLE credentials_version (id SMALLINT NOT NULL PRIMARY KEY, version BIGINT NOT NULL)",
        )
        .await?;
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                // Deferred to commit and once per transaction, as `bump_account_version`. The triggers are
                // named to fire after the account version's of the same row (deferred triggers of one event fire
                // in the order of their names): the writes that bump both (an account user added, changed or
                // removed; a user changed) take this one row's lock after their accounts' numbers, so two of them
                // do not wait for each other in opposite orders.
                db.execute_unprepared(
                    "CREATE FUNCTION bump_credentials_version() RETURNS trigger LANGUAGE plpgsql AS $$
                     BEGIN
                       IF current_setting('switchboard.credentials_bumped', true) = '1' THEN
                         RETURN NULL;
                       END IF;
                       PERFORM set_config('switchboard.credentials_bumped', '1', true);
                       INSERT INTO credentials_version AS v (id, version) VALUES (1, 1)
                         ON CONFLICT (id) DO UPDATE SET version = v.version + 1;
                       RETURN NULL;
                     END $$",
                )
                .await?;
                for (table, events) in SOURCES {
                    db.execute_unprepared(&format!(
                        "CREATE CONSTRAINT TRIGGER {table}_bump_credentials_version AFTER {events} ON {table} \
                         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW \
                         EXECUTE FUNCTION bump_credentials_version()"
                    ))
                    .await?;
                }
            }
            _ => {
                for (table, event, what) in SQLITE_EVENTS {
                    db.execute_unprepared(&sqlite_trigger(table, event, what))
                        .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            for (table, _) in SOURCES {
                db.execute_unprepared(&format!(
                    "DROP TRIGGER IF EXISTS {table}_bump_credentials_version ON {table}"
                ))
                .await?;
            }
            db.execute_unprepared("DROP FUNCTION IF EXISTS bump_credentials_version()")
                .await?;
        } else {
            for (table, event, _) in SQLITE_EVENTS {
                db.execute_unprepared(&format!(
                    "DROP TRIGGER IF EXISTS {table}_bump_credentials_version_{event}"
                ))
                .await?;
            }
        }
        manager
            .drop_table(Table::drop().table("credentials_version").to_owned())
            .await
    }
}
