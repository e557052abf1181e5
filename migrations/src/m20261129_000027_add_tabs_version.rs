use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A second number per account, `tabs_version`, that changes only with what the conversation list's three tab
/// counts (mine, unassigned, all open) depend on: a conversation opened or deleted, its status, assignee or
/// inbox changed, and who sees which inbox (`inbox_members`, `account_users`). A new message bumps the data
/// version (migration 23), so the list's JSON is made again, but not this one, so its counts, an aggregate
/// over every open conversation of the account, are kept (`read_cache::TabCounts`). Bumped by triggers, in the
/// writing transaction, like the data version: no code path can forget to.
///
/// `(table, when an update counts, if only some do)`.
const SOURCES: [(&str, Option<&str>); 3] = [
    (
        "conversations",
        Some(
            "OLD.status IS DISTINCT FROM NEW.status OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id \
             OR OLD.inbox_id IS DISTINCT FROM NEW.inbox_id OR OLD.account_id IS DISTINCT FROM NEW.account_id",
        ),
    ),
    ("account_users", None),
    ("inbox_members", None),
];

fn account_of(table: &str, row: &str) -> String {
    if table == "inbox_members" {
        format!("(SELECT i.account_id FROM inboxes i WHERE i.id = {row}.inbox_id)")
    } else {
        format!("{row}.account_id")
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "ALTER TABLE account_versions ADD COLUMN tabs_version BIGINT NOT NULL DEFAULT 0",
        )
        .await?;
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                // Deferred to commit and once per account and transaction, as `bump_account_version`.
                db.execute_unprepared(
                    "CREATE FUNCTION bump_tabs_version(acc BIGINT) RETURNS void LANGUAGE plpgsql AS $$
                     BEGIN
                       IF acc IS NULL OR current_setting('switchboard.tabs_bumped_' || acc, true) = '1' THEN
                         RETURN;
                       END IF;
                       PERFORM set_config('switchboard.tabs_bumped_' || acc, '1', true);
                       INSERT INTO account_versions AS v (account_id, version, tabs_version) VALUES (acc, 0, 1)
                         ON CONFLICT (account_id) DO UPDATE SET tabs_version = v.tabs_version + 1;
                     END $$",
                )
                .await?;
                for (table, when) in SOURCES {
                    db.execute_unprepared(&format!(
                        "CREATE FUNCTION {table}_bump_tabs_version() RETURNS trigger LANGUAGE plpgsql AS $$
                         BEGIN
                           IF TG_OP = 'DELETE' THEN
                             PERFORM bump_tabs_version({old});
                           ELSE
                             PERFORM bump_tabs_version({new});
                           END IF;
                           RETURN NULL;
                         END $$",
                        old = account_of(table, "OLD"),
                        new = account_of(table, "NEW"),
                    ))
                    .await?;
                    let events = match when {
                        // A trigger with a `WHEN` on OLD and NEW is for updates alone.
                        Some(when) => {
                            db.execute_unprepared(&format!(
                                "CREATE CONSTRAINT TRIGGER {table}_bump_tabs_version_update \
                                 AFTER UPDATE ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW \
                                 WHEN ({when}) EXECUTE FUNCTION {table}_bump_tabs_version()"
                            ))
                            .await?;
                            "INSERT OR DELETE"
                        }
                        None => "INSERT OR UPDATE OR DELETE",
                    };
                    db.execute_unprepared(&format!(
                        "CREATE CONSTRAINT TRIGGER {table}_bump_tabs_version \
                         AFTER {events} ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW \
                         EXECUTE FUNCTION {table}_bump_tabs_version()"
                    ))
                    .await?;
                }
            }
            _ => {
                let bump = |account: &str| {
                    format!(
                        "INSERT INTO account_versions (account_id, version, tabs_version) SELECT {account}, 0, 1 \
                         WHERE {account} IS NOT NULL \
                         ON CONFLICT (account_id) DO UPDATE SET tabs_version = tabs_version + 1;"
                    )
                };
                for (table, when) in SOURCES {
                    for (event, row) in [("insert", "NEW"), ("update", "NEW"), ("delete", "OLD")] {
                        let when = match (event, when) {
                            ("update", Some(when)) => {
                                format!(" WHEN {}", when.replace("IS DISTINCT FROM", "IS NOT"))
                            }
                            _ => String::new(),
                        };
                        db.execute_unprepared(&format!(
                            "CREATE TRIGGER {table}_bump_tabs_version_{event} AFTER {event} ON {table}{when} \
                             BEGIN {} END",
                            bump(&account_of(table, row))
                        ))
                        .await?;
                    }
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == DatabaseBackend::Postgres;
        for (table, _) in SOURCES {
            if postgres {
                db.execute_unprepared(&format!(
                    "DROP TRIGGER IF EXISTS {table}_bump_tabs_version ON {table}; \
                     DROP TRIGGER IF EXISTS {table}_bump_tabs_version_update ON {table}; \
                     DROP FUNCTION IF EXISTS {table}_bump_tabs_version()"
                ))
                .await?;
            } else {
                for event in ["insert", "update", "delete"] {
                    db.execute_unprepared(&format!(
                        "DROP TRIGGER IF EXISTS {table}_bump_tabs_version_{event}"
                    ))
                    .await?;
                }
            }
        }
        if postgres {
            db.execute_unprepared("DROP FUNCTION IF EXISTS bump_tabs_version(BIGINT)")
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("account_versions")
                    .drop_column("tabs_version")
                    .to_owned(),
            )
            .await
    }
}
