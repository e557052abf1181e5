//! Every migration's `down` undoes its `up`: stepping back from a release is `migrations down`, and a `down` that
//! fails or leaves a column, an index or a trigger behind is found only then, on an operator's database.

use crate::helpers::fresh_database;
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};

/// Tables, columns, indexes and triggers, one line each, sorted: two databases with the same lines have the same
/// schema as far as the application can tell.
async fn schema(db: &DatabaseConnection) -> Vec<String> {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable \
                 || ' ' || COALESCE(column_default, '-') AS line \
             FROM information_schema.columns WHERE table_schema = 'public' \
             UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public' \
             UNION ALL SELECT 'trigger ' || event_object_table || ' ' || trigger_name || ' ' \
                 || event_manipulation || ' ' || action_statement \
             FROM information_schema.triggers WHERE trigger_schema = 'public' \
             UNION ALL SELECT 'function ' || p.proname || ' ' || md5(p.prosrc) FROM pg_proc p \
             JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' \
             ORDER BY line"
        }
        // The statement each table, index and trigger was made by (without quotes: a `down` may make again by
        // hand what sea-query made quoted), and each table's columns as SQLite sees them.
        _ => {
            "SELECT m.type || ' ' || m.name || ' ' || COALESCE(REPLACE(m.sql, '\"', ''), '-') AS line \
             FROM sqlite_master m \
             UNION ALL SELECT 'column ' || m.name || '.' || c.name || ' ' || c.type || ' ' || c.\"notnull\" \
                 || ' ' || COALESCE(c.dflt_value, '-') \
             FROM sqlite_master m JOIN pragma_table_info(m.name) c WHERE m.type = 'table' \
             ORDER BY line"
        }
    };
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("reading the schema")
        .iter()
        .map(|row| row.try_get::<String>("", "line").expect("line"))
        .collect()
}

/// The application's own tables (without the migrator's bookkeeping or SQLite's own `sqlite_sequence`).
fn tables(schema: &[String]) -> Vec<&str> {
    let mut names: Vec<&str> = schema
        .iter()
        .filter_map(|line| line.strip_prefix("column "))
        .filter_map(|rest| rest.split_once('.').map(|(table, _)| table))
        .filter(|table| *table != "seaql_migrations" && !table.starts_with("sqlite_"))
        .collect();
    names.dedup();
    names
}

#[tokio::test]
async fn every_migration_rolls_back_one_at_a_time_and_applies_again() {
    let (url, _db, _dir) = fresh_database().await;
    let db = Database::connect(&url).await.expect("connect");
    Migrator::up(&db, None).await.expect("up");
    let applied = schema(&db).await;
    assert!(
        tables(&applied).contains(&"messages") && tables(&applied).contains(&"jobs"),
        "{applied:#?}"
    );
    let steps = Migrator::migrations().len();
    assert!(steps >= 27, "{steps} migrations");

    // Each step back, then forward again, gives the schema it had: a `down` that leaves something behind shows
    // up as a difference (or as the next `up` failing on what is already there).
    for step in 1..=steps {
        let before = schema(&db).await;
        Migrator::down(&db, Some(1))
            .await
            .unwrap_or_else(|e| panic!("down, step {step} from the newest: {e}"));
        Migrator::up(&db, Some(1))
            .await
            .unwrap_or_else(|e| panic!("up again, step {step} from the newest: {e}"));
        assert_eq!(
            schema(&db).await,
            before,
            "step {step} from the newest: down then up"
        );
        Migrator::down(&db, Some(1)).await.expect("down");
    }
    let emptied = schema(&db).await;
    assert!(tables(&emptied).is_empty(), "{emptied:#?}");

    Migrator::up(&db, None).await.expect("up from nothing");
    assert_eq!(schema(&db).await, applied);
}
