use crate::m20261206_000028_add_unread_count_to_conversations as unread;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

/// Two numbers that tell a server whether the JSON it made for one row of the conversation list is still true,
/// so that a list made again after a write reads only the rows that changed (`read_cache::KeptRows`):
///
/// - `conversations.row_version`, bumped by every update of the conversation (its unread count included, which
///   triggers keep), and by every write of one of its messages or their attachments: the row shows its last
///   message with its sender and attachments.
/// - `account_versions.related_version`, bumped by a change to what a row shows from other tables: contacts
///   (the customer, a message's sender), users and account users (the assignee, their role, a message's
///   sender), inboxes (the channel). Rare writes, so one number for the account rather than a fan-out to its
///   conversations.
///
/// Both are bumped in the writing transaction, as the data version (migration 23): no code path can forget to.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables whose changes a row shows through `related_version`: `(table, events, its account from NEW/OLD)`.
/// A contact or an inbox only shows once it has conversations, so their inserts are left out; an account user
/// inserted can bring an assignee back.
const RELATED: [(&str, &[&str], &str); 3] = [
    ("contacts", &["update", "delete"], "{row}.account_id"),
    ("inboxes", &["update", "delete"], "{row}.account_id"),
    (
        "account_users",
        &["insert", "update", "delete"],
        "{row}.account_id",
    ),
];

/// The row NEW or OLD of an event.
fn row_of(event: &str) -> &'static str {
    if event == "delete" {
        "OLD"
    } else {
        "NEW"
    }
}

/// The writes to messages and their attachments that bump their conversation, `(table, event)`.
const BUMPS: [(&str, &str); 6] = [
    ("messages", "insert"),
    ("messages", "update"),
    ("messages", "delete"),
    ("attachments", "insert"),
    ("attachments", "update"),
    ("attachments", "delete"),
];

/// The rows an event has: an update both.
fn rows_of(event: &str) -> &'static [&'static str] {
    match event {
        "insert" => &["NEW"],
        "delete" => &["OLD"],
        _ => &["OLD", "NEW"],
    }
}

/// The conversations of the rows of `table` an event wrote, each of `rows` (SQLite's `NEW` or `OLD`, written
/// `NEW.`; PostgreSQL's transition tables, written `t.… FROM new_rows t`) as `(prefix, what follows)`.
fn conversations_of(table: &str, rows: &[(String, String)]) -> String {
    let each: Vec<String> = rows
        .iter()
        .map(|(row, from)| match table {
            "messages" => format!("SELECT {row}.conversation_id{from}"),
            _ => format!(
                "SELECT m.conversation_id FROM messages m WHERE m.id IN (SELECT {row}.message_id{from})"
            ),
        })
        .collect();
    each.join(" UNION ")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "ALTER TABLE conversations ADD COLUMN row_version BIGINT NOT NULL DEFAULT 0",
        )
        .await?;
        db.execute_unprepared(
            "ALTER TABLE account_versions ADD COLUMN related_version BIGINT NOT NULL DEFAULT 0",
        )
        .await?;
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => postgres_up(db).await,
            _ => sqlite_up(db).await,
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            let mut drops = vec![
                "DROP TRIGGER IF EXISTS conversations_bump_row_version ON conversations".to_owned(),
                "DROP FUNCTION IF EXISTS conversations_bump_row_version()".to_owned(),
            ];
            for (table, event) in BUMPS {
                drops.push(format!(
                    "DROP TRIGGER IF EXISTS {table}_bump_row_version_{event} ON {table}"
                ));
                drops.push(format!(
                    "DROP FUNCTION IF EXISTS {table}_bump_row_version_{event}()"
                ));
            }
            for table in RELATED.iter().map(|(t, _, _)| *t).chain(["users"]) {
                drops.push(format!(
                    "DROP TRIGGER IF EXISTS {table}_bump_related_version ON {table}"
                ));
                drops.push(format!(
                    "DROP FUNCTION IF EXISTS {table}_bump_related_version()"
                ));
            }
            drops.push("DROP FUNCTION IF EXISTS bump_related_version(BIGINT)".to_owned());
            for drop in drops {
                db.execute_unprepared(&drop).await?;
            }
            // The unread count's insert trigger as migration 28 made it.
            db.execute_unprepared(&unread::pg_count_function("CREATE OR REPLACE", "insert"))
                .await?;
        } else {
            let mut triggers = vec!["conversations_bump_row_version".to_owned()];
            for (table, event) in BUMPS {
                triggers.push(format!("{table}_bump_row_version_{event}"));
            }
            for (table, events, _) in RELATED {
                for event in events {
                    triggers.push(format!("{table}_bump_related_version_{event}"));
                }
            }
            triggers.push("users_bump_related_version_update".to_owned());
            for trigger in triggers {
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {trigger}"))
                    .await?;
            }
        }
        for (table, column) in [
            ("conversations", "row_version"),
            ("account_versions", "related_version"),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// The statement trigger's function on new messages (`CREATE OR REPLACE`): migration 28's unread count, and
/// this migration's bump of their conversations, in one write of each; with `last_message`, their conversations'
/// `last_message_id` too (migration 30).
pub(crate) fn pg_insert_function(last_message: bool) -> String {
    let (set, column) = if last_message {
        (
            ", last_message_id = GREATEST(c.last_message_id, n.last_id)",
            ", MAX(m.id) AS last_id",
        )
    } else {
        ("", "")
    };
    format!(
        "CREATE OR REPLACE FUNCTION messages_count_unread_insert() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           UPDATE conversations c SET unread_count = c.unread_count + n.counted, row_version = c.row_version + 1{set}
             FROM (SELECT m.conversation_id,
                          COUNT(*) FILTER (WHERE m.message_type = 0 AND m.created_at > {}) AS counted{column}
                   FROM new_messages m JOIN conversations cv ON cv.id = m.conversation_id
                   GROUP BY m.conversation_id) n
             WHERE c.id = n.conversation_id;
           RETURN NULL;
         END $$",
        unread::marker("cv")
    )
}

async fn postgres_up(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    // The conversation's own updates: the number moves with the row, no second write. An update that sets the
    // number itself (the triggers below) is left as it is.
    db.execute_unprepared(
        "CREATE FUNCTION conversations_bump_row_version() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN NEW.row_version := OLD.row_version + 1; RETURN NEW; END $$",
    )
    .await?;
    db.execute_unprepared(
        "CREATE TRIGGER conversations_bump_row_version BEFORE UPDATE ON conversations FOR EACH ROW \
         WHEN (NEW.row_version = OLD.row_version) EXECUTE FUNCTION conversations_bump_row_version()",
    )
    .await?;
    // Messages and attachments once per statement: marking a conversation's messages read is one statement of
    // many rows, and each conversation gets one new row version.
    // A new message bumps its conversation in the unread count's trigger (migration 28), which already writes
    // the conversations of the statement: one row version each, not two.
    db.execute_unprepared(&pg_insert_function(false)).await?;
    for (table, event) in BUMPS {
        if (table, event) == ("messages", "insert") {
            continue;
        }
        let rows = rows_of(event);
        let referencing: Vec<String> = rows
            .iter()
            .map(|row| format!("{row} TABLE AS {}_rows", row.to_lowercase()))
            .collect();
        let tables: Vec<(String, String)> = rows
            .iter()
            .map(|row| {
                (
                    "t".to_owned(),
                    format!(" FROM {}_rows t", row.to_lowercase()),
                )
            })
            .collect();
        let conversations = conversations_of(table, &tables);
        db.execute_unprepared(&format!(
            "CREATE FUNCTION {table}_bump_row_version_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN
               UPDATE conversations c SET row_version = c.row_version + 1 WHERE c.id IN ({conversations});
               RETURN NULL;
             END $$"
        ))
        .await?;
        db.execute_unprepared(&format!(
            "CREATE TRIGGER {table}_bump_row_version_{event} AFTER {} ON {table} \
             REFERENCING {} FOR EACH STATEMENT EXECUTE FUNCTION {table}_bump_row_version_{event}()",
            event.to_uppercase(),
            referencing.join(" ")
        ))
        .await?;
    }
    // Deferred to commit and once per account and transaction, as `bump_account_version` (migration 23).
    db.execute_unprepared(
        "CREATE FUNCTION bump_related_version(acc BIGINT) RETURNS void LANGUAGE plpgsql AS $$
         BEGIN
           IF acc IS NULL OR current_setting('switchboard.related_bumped_' || acc, true) = '1' THEN
             RETURN;
           END IF;
           PERFORM set_config('switchboard.related_bumped_' || acc, '1', true);
           INSERT INTO account_versions AS v (account_id, version, related_version) VALUES (acc, 0, 1)
             ON CONFLICT (account_id) DO UPDATE SET related_version = v.related_version + 1;
         END $$",
    )
    .await?;
    for (table, events, account) in RELATED {
        let bump = |event: &str| {
            format!(
                "PERFORM bump_related_version({});",
                account.replace("{row}", row_of(event))
            )
        };
        let body = format!(
            "IF TG_OP = 'DELETE' THEN {} ELSE {} END IF;",
            bump("delete"),
            bump("update")
        );
        db.execute_unprepared(&format!(
            "CREATE FUNCTION {table}_bump_related_version() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN {body} RETURN NULL; END $$"
        ))
        .await?;
        let events: Vec<String> = events.iter().map(|e| e.to_uppercase()).collect();
        db.execute_unprepared(&format!(
            "CREATE CONSTRAINT TRIGGER {table}_bump_related_version AFTER {} ON {table} \
             DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {table}_bump_related_version()",
            events.join(" OR ")
        ))
        .await?;
    }
    // A user's name shows on every account they are part of.
    db.execute_unprepared(
        "CREATE FUNCTION users_bump_related_version() RETURNS trigger LANGUAGE plpgsql AS $$
         DECLARE acc BIGINT;
         BEGIN
           FOR acc IN SELECT account_id FROM account_users WHERE user_id = NEW.id ORDER BY account_id LOOP
             PERFORM bump_related_version(acc);
           END LOOP;
           RETURN NULL;
         END $$",
    )
    .await?;
    db.execute_unprepared(
        "CREATE CONSTRAINT TRIGGER users_bump_related_version AFTER UPDATE ON users \
         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION users_bump_related_version()",
    )
    .await?;
    Ok(())
}

/// SQLite's trigger bumping the conversations of an `event` on `table` (one of `BUMPS`), setting `also` beside
/// the number (a later migration's column; empty as this migration makes it).
pub(crate) fn sqlite_bump_trigger(table: &str, event: &str, also: &str) -> String {
    let rows: Vec<(String, String)> = rows_of(event)
        .iter()
        .map(|row| ((*row).to_owned(), String::new()))
        .collect();
    format!(
        "CREATE TRIGGER {table}_bump_row_version_{event} AFTER {event} ON {table} BEGIN \
         UPDATE conversations SET row_version = row_version + 1{also} WHERE id IN ({}); END",
        conversations_of(table, &rows)
    )
}

async fn sqlite_up(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    // SQLite's triggers cannot change the row being written, so this one writes it again; that second update
    // moves the number, so it does not come back here.
    db.execute_unprepared(
        "CREATE TRIGGER conversations_bump_row_version AFTER UPDATE ON conversations \
         WHEN NEW.row_version IS OLD.row_version BEGIN \
         UPDATE conversations SET row_version = row_version + 1 WHERE id = NEW.id; END",
    )
    .await?;
    for (table, event) in BUMPS {
        db.execute_unprepared(&sqlite_bump_trigger(table, event, ""))
            .await?;
    }
    let related = |account: &str| {
        format!(
            "INSERT INTO account_versions (account_id, version, related_version) SELECT {account}, 0, 1 \
             WHERE {account} IS NOT NULL \
             ON CONFLICT (account_id) DO UPDATE SET related_version = related_version + 1;"
        )
    };
    for (table, events, account) in RELATED {
        for event in events {
            db.execute_unprepared(&format!(
                "CREATE TRIGGER {table}_bump_related_version_{event} AFTER {event} ON {table} BEGIN {} END",
                related(&account.replace("{row}", row_of(event)))
            ))
            .await?;
        }
    }
    db.execute_unprepared(
        "CREATE TRIGGER users_bump_related_version_update AFTER UPDATE ON users BEGIN \
         INSERT INTO account_versions (account_id, version, related_version) \
         SELECT account_id, 0, 1 FROM account_users WHERE user_id = NEW.id \
         ON CONFLICT (account_id) DO UPDATE SET related_version = related_version + 1; END",
    )
    .await?;
    Ok(())
}
