//! The busiest reads on SQLite (the conversation list and a thread), run on the request's own thread. sqlx gives
//! every SQLite connection a thread of its own: each statement is sent to it, and each row and value copied back,
//! through a channel, with the thread switches that go with it (`perf` of an uncached list, README "Known
//! causes"). SQLite is a library in this process, so a read can as well run where the request is: these
//! connections are opened here, kept in a small idle list, and used by one thread at a time. They only read
//! (`PRAGMA query_only`); writes keep going through sea-orm and its pool. In WAL mode a read never waits for the
//! writer.
//!
//! The HTTP worker is busy for the statement's duration (a list is a few hundred microseconds), as a core would
//! be anyway. Handing the read to tokio's blocking threads instead kept two thirds of the gain and lost the rest
//! to the hand-off (README "What changed", stop 26).

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use sea_orm::{ConnAcquireErr, DbErr, RuntimeErr};

use crate::db::Sql;

/// Idle connections kept at most: one per thread that reads at once (the HTTP workers), with room to spare.
const MAX_IDLE: usize = 8;

/// Prepared statements kept per connection: the statement texts of a list differ by its filters.
const STATEMENTS_KEPT: usize = 64;

pub struct SqliteReads {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for SqliteReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteReads")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteReads {
    /// Reads of the database file at `path`, which sea-orm's pool has already created and set to WAL.
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `read` on a connection no other thread uses meanwhile: an idle one, else a new one.
    pub fn read<T>(&self, read: impl FnOnce(&Connection) -> Result<T, DbErr>) -> Result<T, DbErr> {
        let idle = self.lock().pop();
        let conn = match idle {
            Some(conn) => conn,
            None => self.open()?,
        };
        let out = read(&conn);
        let mut idle = self.lock();
        if idle.len() < MAX_IDLE {
            idle.push(conn);
        }
        out
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        // A connection is pushed back only after its read, so a panic in one leaves the list whole.
        self.idle.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn open(&self) -> Result<Connection, DbErr> {
        // Opened for writing as the pool's connections are (a read-only connection cannot create the WAL's
        // shared-memory file when no other connection has it open), then kept from writing.
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(error)?;
        conn.busy_timeout(Duration::from_secs(10)).map_err(error)?;
        conn.pragma_update(None, "query_only", true)
            .map_err(error)?;
        conn.set_prepared_statement_cache_capacity(STATEMENTS_KEPT);
        Ok(conn)
    }
}

impl Sql {
    /// Runs this statement on `conn`: `start` gets the result's column names once, then `row` every row.
    pub fn read_rows<S>(
        &self,
        conn: &Connection,
        start: impl FnOnce(&[&str]) -> Result<S, DbErr>,
        mut row: impl FnMut(&mut S, &rusqlite::Row<'_>) -> Result<(), DbErr>,
    ) -> Result<S, DbErr> {
        let mut stmt = conn.prepare_cached(self.text()).map_err(error)?;
        let mut state = start(&stmt.column_names())?;
        // `Sql` numbers its `$n` in the order they appear, which is how SQLite numbers named parameters: `$n` is
        // the n-th, as sqlx binds them too.
        if stmt.parameter_count() != self.values().len() {
            return Err(DbErr::Custom(format!(
                "the statement has {} parameters, {} bound",
                stmt.parameter_count(),
                self.values().len()
            )));
        }
        for (n, value) in self.values().iter().enumerate() {
            stmt.raw_bind_parameter(n + 1, value_of(value)?)
                .map_err(error)?;
        }
        let mut rows = stmt.raw_query();
        while let Some(r) = rows.next().map_err(error)? {
            row(&mut state, r)?;
        }
        Ok(state)
    }
}

/// A bound value as SQLite takes it; the kinds our statements bind.
fn value_of(value: &sea_orm::Value) -> Result<rusqlite::types::Value, DbErr> {
    use rusqlite::types::Value as V;
    use sea_orm::Value as S;
    let int = |v: Option<i64>| v.map_or(V::Null, V::Integer);
    Ok(match value {
        S::Bool(v) => int(v.map(i64::from)),
        S::TinyInt(v) => int(v.map(i64::from)),
        S::SmallInt(v) => int(v.map(i64::from)),
        S::Int(v) => int(v.map(i64::from)),
        S::BigInt(v) => int(*v),
        S::TinyUnsigned(v) => int(v.map(i64::from)),
        S::SmallUnsigned(v) => int(v.map(i64::from)),
        S::Unsigned(v) => int(v.map(i64::from)),
        S::Double(v) => v.map_or(V::Null, V::Real),
        S::String(v) => v.as_ref().map_or(V::Null, |s| V::Text(s.to_string())),
        other => {
            return Err(DbErr::Custom(format!(
                "a value of this kind is not bound on the SQLite read path: {other:?}"
            )));
        }
    })
}

/// SQLite's error as sea-orm's: busy (past the timeout) or locked is the database away for now (503, see
/// `db::is_unavailable`), anything else a failed query.
pub fn error(e: rusqlite::Error) -> DbErr {
    use rusqlite::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            DbErr::ConnectionAcquire(ConnAcquireErr::Timeout)
        }
        _ => DbErr::Query(RuntimeErr::Internal(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::{error, SqliteReads};
    use crate::db::{is_unavailable, Cells, Sql};

    fn database() -> (tempfile::TempDir, SqliteReads) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);
             INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, NULL);",
        )
        .unwrap();
        (dir, SqliteReads::new(path))
    }

    #[test]
    fn a_statement_reads_its_rows_with_its_parameters_bound_in_order() {
        let (_dir, reads) = database();
        let mut q = Sql::new("SELECT id, name, ");
        q.bind("x")
            .push(" AS tag FROM t WHERE id >= ")
            .bind(2_i64)
            .push(" AND (name IS NULL OR name <> ")
            .bind(Some("nobody".to_owned()))
            .push(") ORDER BY id");
        let (names, rows) = reads
            .read(|conn| {
                q.read_rows(
                    conn,
                    |names| Ok((names.join(","), Vec::new())),
                    |(_, rows), r| {
                        rows.push((
                            r.cell::<i64>(0)?,
                            r.cell::<Option<String>>(1)?,
                            r.cell::<String>(2)?,
                        ));
                        Ok(())
                    },
                )
            })
            .unwrap();
        assert_eq!(names, "id,name,tag");
        assert_eq!(
            rows,
            vec![
                (2, Some("two".to_owned()), "x".to_owned()),
                (3, None, "x".to_owned())
            ]
        );
    }

    #[test]
    fn a_statement_with_a_parameter_left_unbound_is_refused() {
        let (_dir, reads) = database();
        let mut q = Sql::new("SELECT id FROM t WHERE id = ");
        q.bind(1_i64).push(" OR name = $2");
        let read = reads.read(|conn| {
            q.read_rows(
                conn,
                |_| Ok(0),
                |n, _| {
                    *n += 1;
                    Ok(())
                },
            )
        });
        assert!(
            matches!(&read, Err(e) if e.to_string().contains("2 parameters, 1 bound")),
            "{read:?}"
        );
    }

    #[test]
    fn its_connections_only_read_and_are_used_again() {
        let (_dir, reads) = database();
        let write = reads.read(|conn| conn.execute("DELETE FROM t", []).map_err(error));
        assert!(write.is_err(), "a read connection wrote: {write:?}");
        for _ in 0..3 {
            let n: i64 = reads
                .read(|conn| {
                    conn.query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
                        .map_err(error)
                })
                .unwrap();
            assert_eq!(n, 3);
        }
        assert_eq!(reads.lock().len(), 1);
    }

    #[test]
    fn a_busy_database_is_unavailable_and_other_failures_are_not() {
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        );
        assert!(is_unavailable(&error(busy)));
        let (_dir, reads) = database();
        let missing = reads
            .read(|conn| conn.execute_batch("SELECT * FROM nowhere").map_err(error))
            .unwrap_err();
        assert!(!is_unavailable(&missing), "{missing:?}");
    }
}
