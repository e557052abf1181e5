//! Connecting to SQLite or PostgreSQL and running the migrations.

use anyhow::Context;
use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr, RuntimeErr};
use std::time::Duration;

use crate::config::Settings;

pub async fn connect(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    if let Some(parent) = settings
        .sqlite_path()
        .and_then(|p| p.parent().map(|p| p.to_path_buf()))
    {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(&parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
    }
    let db = Database::connect(options(settings, settings.database_max_connections))
        .await
        .context("connecting to the database")?;
    Ok(db)
}

/// On PostgreSQL, a pool for one HTTP worker, of its share of `DATABASE_MAX_CONNECTIONS` (at least 2), made
/// without connecting: its connections are opened by the worker's requests, so on the worker's own runtime, whose
/// reactor then watches their sockets. Shared by both HTTP workers, a connection opened by one and used by the
/// other woke its statements through the first one's thread (uncached lists on PostgreSQL about a quarter
/// faster with a pool each, see README, "What changed", stop 31). `None` on SQLite, whose pooled connections
/// are threads of their own anyway.
pub fn worker_pool(settings: &Settings) -> Option<DatabaseConnection> {
    if settings.is_sqlite() {
        return None;
    }
    let share = settings.database_max_connections / settings.http_workers.max(1) as u32;
    let mut opts = options(settings, share.max(2));
    opts.connect_lazy(true);
    // Lazily, nothing is awaited: the pool is made on the first poll.
    match futures_util::FutureExt::now_or_never(Database::connect(opts)) {
        Some(Ok(db)) => Some(db),
        Some(Err(e)) => {
            tracing::warn!(error = %e, "an HTTP worker's pool could not be made; using the shared one");
            None
        }
        None => None,
    }
}

/// The pool's options on either database, with up to `max` connections.
fn options(settings: &Settings, max: u32) -> ConnectOptions {
    let mut opts = ConnectOptions::new(settings.database_url.clone());
    opts.sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(5))
        .connect_timeout(Duration::from_secs(5))
        .max_connections(max);
    if settings.is_sqlite() {
        // One writer at a time is SQLite's nature: WAL lets readers run beside it, the busy timeout queues
        // writers instead of failing them, and foreign keys are off unless asked for.
        // A pooled SQLite connection is a thread of this process, not a socket that can go stale: checking it
        // before each use only cost two thread switches per statement.
        opts.test_before_acquire(false).map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
        });
    } else {
        // sqlx pinged a connection when it went back to the pool, and by default again before handing it out:
        // two more round trips beside every statement. On the way back only one that still owes a reply is
        // waited for now (the patch in `vendor/sqlx-core`: a connection that broke in use owes one and is
        // closed); before use, a connection back from use a moment ago has just answered, so only one idle for a
        // second or more (which a restart or a proxy may have dropped meanwhile) is pinged first (reads with
        // nothing kept ~6-10% faster on PostgreSQL, see README).
        opts.test_before_acquire_if_idle_for(Duration::from_secs(1));
    }
    opts
}

pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None).await.context("running migrations")
}

/// The database is away (down, restarting, unreachable, or every connection busy) rather than refusing this
/// statement: worth answering 503 so the caller (Meta, a browser) tries again, and worth a job retry.
pub fn is_unavailable(e: &DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    let sqlx = match e {
        DbErr::Conn(_) | DbErr::ConnectionAcquire(_) => return true,
        DbErr::Query(RuntimeErr::SqlxError(s)) | DbErr::Exec(RuntimeErr::SqlxError(s)) => s,
        _ => return false,
    };
    match sqlx.as_ref() {
        Sqlx::Io(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::WorkerCrashed => true,
        Sqlx::Database(db) => {
            let code = db.code().unwrap_or_default();
            // PostgreSQL: connection exceptions (08…), shutdown and startup (57P01–57P03), too many
            // connections (53300); SQLite: SQLITE_BUSY after the busy timeout (5, with extended codes).
            code.starts_with("08")
                || matches!(code.as_ref(), "57P01" | "57P02" | "57P03" | "53300")
                || code.parse::<i32>().is_ok_and(|c| c & 0xff == 5)
        }
        _ => false,
    }
}

/// A statement of ours run through sqlx directly (arrays as parameters), its error as sea-orm's.
pub fn sqlx_error(e: sea_orm::sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(std::sync::Arc::new(e)))
}

/// Runs a PostgreSQL query as the unnamed statement, so it is planned for these parameters and the tables as
/// they are now. A named (prepared) statement gets one generic plan per connection after its fifth run, and
/// PostgreSQL replaces it only when the tables are analysed: a lookup first planned while a new inbox had a
/// handful of messages kept scanning all of them, 12 ms a batch by the time it had 20,000. Planning each time
/// costs a tenth of a millisecond; for lookups into tables that grow fast that is the better trade.
pub async fn fetch_planned_now(
    db: &DatabaseConnection,
    query: sea_orm::sqlx::query::Query<
        '_,
        sea_orm::sqlx::Postgres,
        sea_orm::sqlx::postgres::PgArguments,
    >,
) -> Result<Vec<sea_orm::QueryResult>, DbErr> {
    let rows = query
        .persistent(false)
        .fetch_all(db.get_postgres_connection_pool())
        .await
        .map_err(sqlx_error)?;
    Ok(rows.into_iter().map(sea_orm::QueryResult::from).collect())
}

pub async fn ping(db: &impl ConnectionTrait) -> bool {
    db.execute_unprepared("SELECT 1").await.is_ok()
}

/// Batched reads the callers' lookup keeps in flight at once: while they run, the next requests gather into the
/// following batch. More than the cores run at once only makes the batches smaller. (Group commit keeps fewer:
/// a write batch also pays a commit and a WAL flush, `webhooks::instagram::writers`.)
pub fn statements_in_flight() -> usize {
    crate::config::cores().clamp(2, 8)
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Starts a write transaction. On SQLite it is `BEGIN IMMEDIATE`: a deferred transaction that reads and then
/// writes fails at once with SQLITE_BUSY_SNAPSHOT (517) when another writer committed in between, whereas an
/// immediate one takes the write lock up front and waits its turn under the busy timeout.
pub async fn begin(db: &DatabaseConnection) -> Result<sea_orm::DatabaseTransaction, DbErr> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
    if db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
        db.begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await
    } else {
        db.begin().await
    }
}

/// Hand-written SQL for both databases, its parameters numbered `$1, $2, …` in the order they are bound.
/// SQLite reads `$n` as a named parameter numbered by first appearance, so binding in text order is what
/// keeps one statement valid on both; a value used twice is bound twice.
#[derive(Debug, Default)]
pub struct Sql {
    text: String,
    values: Vec<sea_orm::Value>,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            values: Vec::new(),
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends the next parameter's placeholder and its value.
    pub fn bind(&mut self, value: impl Into<sea_orm::Value>) -> &mut Self {
        self.values.push(value.into());
        self.text.push_str(&format!("${}", self.values.len()));
        self
    }

    /// `(… $a, $b, …)` for a non-empty list.
    pub fn bind_list(&mut self, values: impl IntoIterator<Item = i64>) -> &mut Self {
        self.text.push('(');
        for (n, v) in values.into_iter().enumerate() {
            if n > 0 {
                self.text.push_str(", ");
            }
            self.bind(v);
        }
        self.text.push(')');
        self
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn values(&self) -> &[sea_orm::Value] {
        &self.values
    }

    pub async fn execute(self, db: &impl ConnectionTrait) -> Result<u64, DbErr> {
        let backend = db.get_database_backend();
        Ok(db
            .execute_raw(sea_orm::Statement::from_sql_and_values(
                backend,
                self.text,
                self.values,
            ))
            .await?
            .rows_affected())
    }

    pub async fn query_all(
        self,
        db: &impl ConnectionTrait,
    ) -> Result<Vec<sea_orm::QueryResult>, DbErr> {
        let backend = db.get_database_backend();
        db.query_all_raw(sea_orm::Statement::from_sql_and_values(
            backend,
            self.text,
            self.values,
        ))
        .await
    }
}

/// A row of a statement's result, read by position: sea-orm's (sqlx's) on both databases, or rusqlite's on
/// SQLite's read path (`sqlite_reads`).
pub trait Cells {
    fn cell<T: Cell>(&self, at: usize) -> Result<T, DbErr>;
}

/// A value both drivers decode.
pub trait Cell:
    sea_orm::TryGetable
    + rusqlite::types::FromSql
    + sqlx::Type<sqlx::Postgres>
    + for<'r> sqlx::Decode<'r, sqlx::Postgres>
    + 'static
{
}

impl<T> Cell for T where
    T: sea_orm::TryGetable
        + rusqlite::types::FromSql
        + sqlx::Type<sqlx::Postgres>
        + for<'r> sqlx::Decode<'r, sqlx::Postgres>
        + 'static
{
}

impl Cells for sea_orm::QueryResult {
    fn cell<T: Cell>(&self, at: usize) -> Result<T, DbErr> {
        self.try_get_by_index(at)
    }
}

/// A PostgreSQL row of one statement's result, whose columns' types are checked against what is read from them
/// once per statement (`StatementTypes`), not once per cell: every row of a result has the same columns, and
/// sqlx's check per value (cloning the column's type, comparing it by name or OID) was, with sea-orm's wrapping of
/// each value, about a tenth of the server's CPU per uncached conversation list.
struct PgCells<'a> {
    row: &'a sqlx::postgres::PgRow,
    types: &'a StatementTypes,
}

/// Which type each column of a statement's rows has been checked as, for `PgCells`.
#[derive(Default)]
pub struct StatementTypes(std::cell::RefCell<Vec<Option<std::any::TypeId>>>);

/// A row of a sea-orm result as the conversation views read it: PostgreSQL's through `PgCells`, checked against
/// the statement's `types`; any other as sea-orm gives it.
pub struct RowCells<'a>(Row<'a>);

enum Row<'a> {
    Pg(PgCells<'a>),
    Other(&'a sea_orm::QueryResult),
}

impl<'a> RowCells<'a> {
    /// `row`, one of the statement whose columns' checked types `types` holds.
    pub fn of(row: &'a sea_orm::QueryResult, types: &'a StatementTypes) -> Self {
        Self(match row.try_as_pg_row() {
            Some(row) => Row::Pg(PgCells { row, types }),
            None => Row::Other(row),
        })
    }
}

impl Cells for RowCells<'_> {
    fn cell<T: Cell>(&self, at: usize) -> Result<T, DbErr> {
        match &self.0 {
            Row::Pg(row) => row.cell(at),
            Row::Other(row) => row.cell(at),
        }
    }
}

impl Cells for PgCells<'_> {
    fn cell<T: Cell>(&self, at: usize) -> Result<T, DbErr> {
        use sqlx::{Column, Row, TypeInfo};
        let wanted = std::any::TypeId::of::<T>();
        let mut checked = self.types.0.borrow_mut();
        if checked.get(at).copied().flatten() != Some(wanted) {
            let column = self.row.columns().get(at).ok_or_else(|| {
                DbErr::Type(format!("no column {at} in a row of {}", self.row.len()))
            })?;
            if !T::compatible(column.type_info()) {
                return Err(DbErr::Type(format!(
                    "column {} is {}, not {}",
                    column.name(),
                    column.type_info().name(),
                    std::any::type_name::<T>()
                )));
            }
            if checked.len() <= at {
                checked.resize(at + 1, None);
            }
            checked[at] = Some(wanted);
        }
        self.row.try_get_unchecked(at).map_err(sqlx_error)
    }
}

impl Cells for rusqlite::Row<'_> {
    fn cell<T: Cell>(&self, at: usize) -> Result<T, DbErr> {
        self.get(at).map_err(crate::sqlite_reads::error)
    }
}

#[cfg(test)]
mod sql_tests {
    use super::Sql;

    #[test]
    fn parameters_are_numbered_in_the_order_they_are_bound() {
        let mut q = Sql::new("SELECT 1 WHERE a = ");
        q.bind(7_i64)
            .push(" AND b IN ")
            .bind_list([1, 2])
            .push(" AND c = ")
            .bind("x");
        assert_eq!(q.text, "SELECT 1 WHERE a = $1 AND b IN ($2, $3) AND c = $4");
        assert_eq!(q.values.len(), 4);
    }
}

#[cfg(test)]
mod sqlite_build_tests {
    use super::connect;
    use crate::config::Settings;
    use sea_orm::{ConnectionTrait, Statement};

    /// The bundled SQLite is built as `.cargo/config.toml` asks (`LIBSQLITE3_FLAGS`): without memory statistics
    /// and without the shared page-cache group, each a process-wide mutex every connection thread takes.
    #[actix_web::test]
    async fn the_bundled_sqlite_takes_no_process_wide_mutex_per_allocation_or_page() {
        let settings =
            Settings::from_lookup(|k| (k == "DATABASE_URL").then(|| "sqlite::memory:".to_owned()));
        let db = connect(&settings).await.unwrap();
        let rows = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                "PRAGMA compile_options",
            ))
            .await
            .unwrap();
        let options: Vec<String> = rows
            .iter()
            .map(|r| r.try_get_by_index::<String>(0).unwrap())
            .collect();
        assert!(
            options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
            "{options:?}"
        );
        assert!(
            !options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
            "{options:?}"
        );
    }
}
