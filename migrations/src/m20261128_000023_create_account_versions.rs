use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A number per account that changes with every write its conversation list or threads show, so that a
/// server can keep the JSON of those reads and tell from one primary-key read whether it is still true.
/// Triggers bump it, in the writing transaction, so no code path can forget to and no reader can see new data
/// under an old number. Its own table rather than a column of `accounts`: `accounts` is locked early by
/// whoever opens a conversation (`last_display_id`), and a bump taken at commit on that same row could
/// deadlock against it on PostgreSQL.
///
/// `(table, how to find the account from NEW/OLD)`.
const SOURCES: [(&str, &str); 8] = [
    ("conversations", "{row}.account_id"),
    ("messages", "{row}.account_id"),
    ("attachments", "{row}.account_id"),
    ("contacts", "{row}.account_id"),
    ("inboxes", "{row}.account_id"),
    ("account_users", "{row}.account_id"),
    (
        "inbox_members",
        "(SELECT i.account_id FROM inboxes i WHERE i.id = {row}.inbox_id)",
    ),
    (
        "contact_inboxes",
        "(SELECT i.account_id FROM inboxes i WHERE i.id = {row}.inbox_id)",
    ),
];

const EVENTS: [(&str, &str); 3] = [("insert", "NEW"), ("update", "NEW"), ("delete", "OLD")];

fn account_of(source: &str, row: &str) -> String {
    source.replace("{row}", row)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        // No foreign key to `accounts`: deleting an account bumps its number on the way out.
        db.execute_unprepared(
            "CREATE TABLE account_versions (account_id BIGINT NOT NULL PRIMARY KEY, version BIGINT NOT NULL)",
        )
        .await?;
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                // Deferred to commit and once per account and transaction: a batch of a thousand messages bumps
                // once, and the lock on the number is the transaction's last, held only while it commits.
                db.execute_unprepared(
                    "CREATE FUNCTION bump_account_version(acc BIGINT) RETURNS void LANGUAGE plpgsql AS $$
                     BEGIN
                       IF acc IS NULL OR current_setting('switchboard.version_bumped_' || acc, true) = '1' THEN
                         RETURN;
                       END IF;
                       PERFORM set_config('switchboard.version_bumped_' || acc, '1', true);
                       INSERT INTO account_versions AS v (account_id, version) VALUES (acc, 1)
                         ON CONFLICT (account_id) DO UPDATE SET version = v.version + 1;
                     END $$",
                )
                .await?;
                for (table, source) in SOURCES {
                    db.execute_unprepared(&format!(
                        "CREATE FUNCTION {table}_bump_account_version() RETURNS trigger LANGUAGE plpgsql AS $$
                         BEGIN
                           IF TG_OP = 'DELETE' THEN
                             PERFORM bump_account_version({old});
                           ELSE
                             PERFORM bump_account_version({new});
                           END IF;
                           RETURN NULL;
                         END $$",
                        old = account_of(source, "OLD"),
                        new = account_of(source, "NEW"),
                    ))
                    .await?;
                    db.execute_unprepared(&format!(
                        "CREATE CONSTRAINT TRIGGER {table}_bump_account_version \
                         AFTER INSERT OR UPDATE OR DELETE ON {table} \
                         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW \
                         EXECUTE FUNCTION {table}_bump_account_version()"
                    ))
                    .await?;
                }
                // A user's name and email show on every account they are part of.
                db.execute_unprepared(
                    "CREATE FUNCTION users_bump_account_version() RETURNS trigger LANGUAGE plpgsql AS $$
                     DECLARE acc BIGINT;
                     BEGIN
                       FOR acc IN SELECT account_id FROM account_users WHERE user_id = NEW.id ORDER BY account_id LOOP
                         PERFORM bump_account_version(acc);
                       END LOOP;
                       RETURN NULL;
                     END $$",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE CONSTRAINT TRIGGER users_bump_account_version AFTER UPDATE ON users \
                     DEFERRABLE INITIALLY DEFERRED FOR EACH ROW \
                     EXECUTE FUNCTION users_bump_account_version()",
                )
                .await?;
            }
            _ => {
                // SQLite has one writer at a time and no deferred triggers: bump per row, in the statement.
                let bump = |account: &str| {
                    format!(
                        "INSERT INTO account_versions (account_id, version) SELECT {account}, 1 \
                         WHERE {account} IS NOT NULL \
                         ON CONFLICT (account_id) DO UPDATE SET version = version + 1;"
                    )
                };
                for (table, source) in SOURCES {
                    for (event, row) in EVENTS {
                        db.execute_unprepared(&format!(
                            "CREATE TRIGGER {table}_bump_account_version_{event} AFTER {event} ON {table} \
                             BEGIN {} END",
                            bump(&account_of(source, row))
                        ))
                        .await?;
                    }
                }
                db.execute_unprepared(
                    "CREATE TRIGGER users_bump_account_version_update AFTER UPDATE ON users BEGIN \
                     INSERT INTO account_versions (account_id, version) \
                     SELECT account_id, 1 FROM account_users WHERE user_id = NEW.id \
                     ON CONFLICT (account_id) DO UPDATE SET version = version + 1; END",
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == DatabaseBackend::Postgres;
        let tables = SOURCES.iter().map(|(t, _)| *t).chain(["users"]);
        for table in tables {
            if postgres {
                db.execute_unprepared(&format!(
                    "DROP TRIGGER IF EXISTS {table}_bump_account_version ON {table}; \
                     DROP FUNCTION IF EXISTS {table}_bump_account_version()"
                ))
                .await?;
            } else {
                for (event, _) in EVENTS {
                    db.execute_unprepared(&format!(
                        "DROP TRIGGER IF EXISTS {table}_bump_account_version_{event}"
                    ))
                    .await?;
                }
            }
        }
        if postgres {
            db.execute_unprepared("DROP FUNCTION IF EXISTS bump_account_version(BIGINT)")
                .await?;
        }
        manager
            .drop_table(Table::drop().table("account_versions").to_owned())
            .await
    }
}
