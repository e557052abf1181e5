use crate::m20261207_000032_add_tab_counts_index as tabs_index;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

/// `conversation_tallies`: how many open conversations each account has in each inbox for each assignee (0 for
/// none), kept by triggers in the writing transaction. The conversation list's three tab counts (mine,
/// unassigned, all open) are sums over the tallies of the caller's inboxes, a few rows, where they were a count
/// of every open conversation of the account each time they were not kept: about a third of the uncached list
/// statement on the bench's 1,000 open conversations, and growing with the account (README, "Tab counts from
/// tallies"). The index the counts were read from (migration 32) goes: nothing else reads it, and each
/// conversation write that is not a HOT update wrote it.
///
/// No foreign keys: an account's or an inbox's conversations deleted by a cascade write their tallies while the
/// cascade runs, where a tally row cascading away first would make the write refer to what is gone. What is
/// left behind is rows of 0.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// What an update changes in the tallies, when it changes anything: a conversation opened or no longer open, or
/// an open one moved to another inbox, assignee or account.
const MOVED: &str = "(OLD.status = 'open' OR NEW.status = 'open') \
    AND (OLD.status IS DISTINCT FROM NEW.status OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id \
    OR OLD.inbox_id IS DISTINCT FROM NEW.inbox_id OR OLD.account_id IS DISTINCT FROM NEW.account_id)";

/// `INSERT … ON CONFLICT` adding `n` to the tally of conversation `row`.
fn add(row: &str, n: i64, when: &str) -> String {
    format!(
        "INSERT INTO conversation_tallies (account_id, inbox_id, assignee_id, open_count) \
         SELECT {row}.account_id, {row}.inbox_id, COALESCE({row}.assignee_id, 0), {n} WHERE {when} \
         ON CONFLICT (account_id, inbox_id, assignee_id) DO UPDATE \
         SET open_count = conversation_tallies.open_count + excluded.open_count;"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE TABLE conversation_tallies (account_id BIGINT NOT NULL, inbox_id BIGINT NOT NULL, \
             assignee_id BIGINT NOT NULL, open_count BIGINT NOT NULL, \
             PRIMARY KEY (account_id, inbox_id, assignee_id))",
        )
        .await?;
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                // In the writing statement, not deferred: opening a conversation already holds its account's row
                // (`store::next_display_id`) to the end of the transaction, so openings of one account do not
                // wait on a tally in opposite orders, and an update's two tallies are written in one statement
                // in the order of their keys.
                db.execute_unprepared(&format!(
                    "CREATE FUNCTION conversations_tally() RETURNS trigger LANGUAGE plpgsql AS $$
                     BEGIN
                       IF TG_OP = 'INSERT' THEN
                         {insert}
                       ELSIF TG_OP = 'DELETE' THEN
                         {delete}
                       ELSE
                         INSERT INTO conversation_tallies AS t (account_id, inbox_id, assignee_id, open_count)
                           SELECT d.account_id, d.inbox_id, d.assignee_id, SUM(d.n) FROM (
                             SELECT OLD.account_id, OLD.inbox_id, COALESCE(OLD.assignee_id, 0), -1
                               WHERE OLD.status = 'open'
                             UNION ALL
                             SELECT NEW.account_id, NEW.inbox_id, COALESCE(NEW.assignee_id, 0), 1
                               WHERE NEW.status = 'open'
                           ) d (account_id, inbox_id, assignee_id, n)
                           GROUP BY d.account_id, d.inbox_id, d.assignee_id HAVING SUM(d.n) <> 0
                           ORDER BY d.account_id, d.inbox_id, d.assignee_id
                           ON CONFLICT (account_id, inbox_id, assignee_id) DO UPDATE
                           SET open_count = t.open_count + excluded.open_count;
                       END IF;
                       RETURN NULL;
                     END $$",
                    insert = add("NEW", 1, "true"),
                    delete = add("OLD", -1, "true"),
                ))
                .await?;
                for (event, when) in [
                    ("insert", "NEW.status = 'open'"),
                    ("delete", "OLD.status = 'open'"),
                    ("update", MOVED),
                ] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER conversations_tally_{event} AFTER {event} ON conversations \
                         FOR EACH ROW WHEN ({when}) EXECUTE FUNCTION conversations_tally()"
                    ))
                    .await?;
                }
            }
            _ => {
                let is_not = MOVED.replace("IS DISTINCT FROM", "IS NOT");
                for (event, when, body) in [
                    ("insert", "NEW.status = 'open'", add("NEW", 1, "true")),
                    ("delete", "OLD.status = 'open'", add("OLD", -1, "true")),
                    (
                        "update",
                        is_not.as_str(),
                        add("OLD", -1, "OLD.status = 'open'")
                            + &add("NEW", 1, "NEW.status = 'open'"),
                    ),
                ] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER conversations_tally_{event} AFTER {event} ON conversations \
                         WHEN {when} BEGIN {body} END"
                    ))
                    .await?;
                }
            }
        }
        // After the triggers: on PostgreSQL their creation holds off writes to `conversations` until this
        // migration commits, so no conversation is counted twice or not at all.
        db.execute_unprepared(
            "INSERT INTO conversation_tallies (account_id, inbox_id, assignee_id, open_count) \
             SELECT account_id, inbox_id, COALESCE(assignee_id, 0), COUNT(*) FROM conversations \
             WHERE status = 'open' GROUP BY account_id, inbox_id, COALESCE(assignee_id, 0)",
        )
        .await?;
        manager
            .drop_index(
                Index::drop()
                    .name(tabs_index::NAME)
                    .table("conversations")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == DatabaseBackend::Postgres;
        for event in ["insert", "delete", "update"] {
            let on = if postgres { " ON conversations" } else { "" };
            db.execute_unprepared(&format!(
                "DROP TRIGGER IF EXISTS conversations_tally_{event}{on}"
            ))
            .await?;
        }
        if postgres {
            db.execute_unprepared("DROP FUNCTION IF EXISTS conversations_tally()")
                .await?;
        }
        db.execute_unprepared("DROP TABLE conversation_tallies")
            .await?;
        manager.create_index(tabs_index::index()).await
    }
}
