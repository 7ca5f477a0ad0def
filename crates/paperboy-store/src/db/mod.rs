//! The store's one seam between its queries and the two database engines.
//!
//! Every query is written once, as [`Sql`] (text with `$N` placeholders plus
//! [`Value`]s), and read into a named row struct that derives `sqlx::FromRow` (so
//! it decodes from a row of either engine). [`Db`] (a pool) and [`Tx`] (an open
//! transaction) run it on SQLite or PostgreSQL. The few statements that truly differ
//! between engines (locking, `VACUUM INTO`) branch on [`Backend`] where they are.

mod raw;
mod sql;
mod value;

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::{MigrateError, Migrator};
use sqlx::pool::PoolOptions;
use sqlx::postgres::{PgConnectOptions, PgRow};
use sqlx::query::{Query, QueryAs};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteRow, SqliteSynchronous};
use sqlx::{
    AssertSqlSafe, Database, Encode, FromRow, PgPool, Postgres, Sqlite, SqlitePool, Transaction,
    Type,
};

pub use raw::ColumnType;
pub(crate) use sql::Sql;
pub(crate) use value::Value;

use crate::url::DatabaseUrl;
use crate::{Result, StoreError, StoreOptions};

static SQLITE_MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// How long a SQLite write waits for another process's write lock before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// How often a SQLite migration that failed is tried again, and the pause before
/// each try: the failure may be another process applying the same migration.
const SQLITE_MIGRATE_RETRIES: usize = 20;
const SQLITE_MIGRATE_PAUSE: Duration = Duration::from_millis(100);

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// One file, one machine.
    Sqlite,
    /// A server, shared by several paperboy instances.
    Postgres,
}

impl Backend {
    /// `sqlite` or `postgres`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A row struct the store reads: decodable from a row of either engine.
pub(crate) trait Row:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

impl<T> Row for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{}

/// A connection pool to one of the engines. Cheap to clone.
#[derive(Debug, Clone)]
pub(crate) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// An open transaction on one of the engines. Dropping it rolls back.
#[derive(Debug)]
pub(crate) enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

fn bind_all<'q, DB, T>(
    mut query: QueryAs<'q, DB, T, <DB as Database>::Arguments>,
    values: Vec<Value>,
) -> QueryAs<'q, DB, T, <DB as Database>::Arguments>
where
    DB: Database,
    Value: Encode<'q, DB> + Type<DB>,
{
    for value in values {
        query = query.bind(value);
    }
    query
}

/// How an engine wants its parameters written.
trait Placeholders {
    /// The text and values of `sql` for this engine.
    fn render(sql: Sql) -> (String, Vec<Value>);
}

impl Placeholders for Postgres {
    /// PostgreSQL reads `$N`, as queries are written.
    fn render(sql: Sql) -> (String, Vec<Value>) {
        sql.into_parts()
    }
}

impl Placeholders for Sqlite {
    /// SQLite reads `$N` too, but binding looks each one up by name in a list, which
    /// costs the square of the parameter count in a multi-row insert; anonymous `?`
    /// in order of use cost nothing.
    fn render(sql: Sql) -> (String, Vec<Value>) {
        sql.into_positional()
    }
}

/// `sqlx::query_as` over `sql`'s text with its values bound.
fn query_as<'q, DB, T>(sql: Sql) -> QueryAs<'q, DB, T, <DB as Database>::Arguments>
where
    DB: Database + Placeholders,
    Value: Encode<'q, DB> + Type<DB>,
    T: for<'r> FromRow<'r, DB::Row>,
{
    let (text, values) = DB::render(sql);
    bind_all(sqlx::query_as(AssertSqlSafe(text)), values)
}

/// `sqlx::query` (rows read as they come) over `sql`'s text with its values bound.
fn query<'q, DB>(sql: Sql) -> Query<'q, DB, <DB as Database>::Arguments>
where
    DB: Database + Placeholders,
    Value: Encode<'q, DB> + Type<DB>,
{
    let (text, values) = DB::render(sql);
    let mut query = sqlx::query::<DB>(AssertSqlSafe(text));
    for value in values {
        query = query.bind(value);
    }
    query
}

/// `sqlx::query` (no rows wanted) over `sql`'s text with its values bound.
macro_rules! execute_on {
    ($db:ty, $sql:expr, $executor:expr) => {{ query::<$db>($sql).execute($executor).await?.rows_affected() }};
}

impl Db {
    /// Connects to `url` and applies the migrations this binary has; refuses a
    /// database a newer paperboy migrated.
    pub(crate) async fn connect(url: &DatabaseUrl, options: &StoreOptions) -> Result<Self> {
        let db = match url {
            DatabaseUrl::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
                        path: dir.to_owned(),
                        source,
                    })?;
                }
                let connect = SqliteConnectOptions::from_str("sqlite:")
                    .map_err(|source| StoreError::open(url, source))?
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(SQLITE_BUSY_TIMEOUT)
                    .foreign_keys(true)
                    .pragma("cache_size", "-65536");
                let pool = PoolOptions::<Sqlite>::new()
                    .max_connections(options.pool_size)
                    .min_connections(1)
                    .connect_with(connect)
                    .await
                    .map_err(|source| StoreError::open(url, source))?;
                Db::Sqlite(pool)
            }
            DatabaseUrl::Postgres(text) => {
                let timeout_ms = options.statement_timeout.as_millis().to_string();
                let connect = PgConnectOptions::from_str(text)
                    .map_err(|source| StoreError::open(url, source))?
                    .application_name("paperboy")
                    .options([("statement_timeout", timeout_ms.as_str())]);
                let pool = PoolOptions::<Postgres>::new()
                    .max_connections(options.pool_size)
                    .acquire_timeout(options.acquire_timeout)
                    .connect_with(connect)
                    .await
                    .map_err(|source| StoreError::open(url, source))?;
                Db::Postgres(pool)
            }
        };
        db.migrate(url).await?;
        Ok(db)
    }

    fn migrator(&self) -> &'static Migrator {
        match self {
            Db::Sqlite(_) => &SQLITE_MIGRATOR,
            Db::Postgres(_) => &POSTGRES_MIGRATOR,
        }
    }

    async fn migrate(&self, url: &DatabaseUrl) -> Result<()> {
        let migrator = self.migrator();
        let outcome = match self {
            Db::Sqlite(pool) => {
                // SQLite has no lock to hold across migrations (PostgreSQL's advisory
                // lock serialises them there): two processes opening a new database
                // at once both see a migration missing and the later one fails on
                // what the earlier one created, its transaction rolled back. Running
                // again reads what is applied by then and goes on from there.
                let mut outcome = migrator.run(pool).await;
                for _ in 0..SQLITE_MIGRATE_RETRIES {
                    if !matches!(
                        outcome,
                        Err(MigrateError::Execute(_) | MigrateError::ExecuteMigration(..))
                    ) {
                        break;
                    }
                    tokio::time::sleep(SQLITE_MIGRATE_PAUSE).await;
                    outcome = migrator.run(pool).await;
                }
                outcome
            }
            Db::Postgres(pool) => migrator.run(pool).await,
        };
        outcome.map_err(|err| match err {
            MigrateError::VersionMissing(version) => StoreError::NewerSchema {
                database: url.to_string(),
                found: version,
                known: schema_version(),
            },
            other => StoreError::Migrate(other),
        })
    }

    /// The engine.
    pub(crate) fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Starts a transaction. On SQLite a write transaction takes the database's
    /// write lock at once (`BEGIN IMMEDIATE`), so it never fails half-way on a lock
    /// upgrade; PostgreSQL locks rows as statements reach them.
    pub(crate) async fn begin(&self, write: bool) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(pool) if write => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Starts a read-only transaction that sees one snapshot of the database for
    /// all its statements (SQLite's deferred transactions do; PostgreSQL needs
    /// `REPEATABLE READ`).
    pub(crate) async fn begin_snapshot(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Db::Postgres(pool) => Tx::Postgres(
                pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?,
            ),
        })
    }

    /// Every row `sql` selects.
    pub(crate) async fn fetch_all<T: Row>(&self, sql: Sql) -> Result<Vec<T>> {
        Ok(match self {
            Db::Sqlite(pool) => query_as::<Sqlite, T>(sql).fetch_all(pool).await?,
            Db::Postgres(pool) => query_as::<Postgres, T>(sql).fetch_all(pool).await?,
        })
    }

    /// The first row `sql` selects, if any.
    pub(crate) async fn fetch_optional<T: Row>(&self, sql: Sql) -> Result<Option<T>> {
        Ok(match self {
            Db::Sqlite(pool) => query_as::<Sqlite, T>(sql).fetch_optional(pool).await?,
            Db::Postgres(pool) => query_as::<Postgres, T>(sql).fetch_optional(pool).await?,
        })
    }

    /// The one row `sql` selects.
    pub(crate) async fn fetch_one<T: Row>(&self, sql: Sql) -> Result<T> {
        Ok(match self {
            Db::Sqlite(pool) => query_as::<Sqlite, T>(sql).fetch_one(pool).await?,
            Db::Postgres(pool) => query_as::<Postgres, T>(sql).fetch_one(pool).await?,
        })
    }

    /// Runs `sql`; returns how many rows it changed.
    pub(crate) async fn execute(&self, sql: Sql) -> Result<u64> {
        Ok(match self {
            Db::Sqlite(pool) => execute_on!(Sqlite, sql, pool),
            Db::Postgres(pool) => execute_on!(Postgres, sql, pool),
        })
    }

    /// Every row `sql` selects, its columns read as `types` says (one type per
    /// selected column, in order): for code that handles any table.
    pub(crate) async fn fetch_values(
        &self,
        sql: Sql,
        types: &[ColumnType],
    ) -> Result<Vec<Vec<Value>>> {
        Ok(match self {
            Db::Sqlite(pool) => {
                raw::decode_rows(&query::<Sqlite>(sql).fetch_all(pool).await?, types)?
            }
            Db::Postgres(pool) => {
                raw::decode_rows(&query::<Postgres>(sql).fetch_all(pool).await?, types)?
            }
        })
    }

    /// Closes every connection (SQLite checkpoints its WAL).
    pub(crate) async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    /// Every row `sql` selects.
    pub(crate) async fn fetch_all<T: Row>(&mut self, sql: Sql) -> Result<Vec<T>> {
        Ok(match self {
            Tx::Sqlite(tx) => query_as::<Sqlite, T>(sql).fetch_all(&mut **tx).await?,
            Tx::Postgres(tx) => query_as::<Postgres, T>(sql).fetch_all(&mut **tx).await?,
        })
    }

    /// The first row `sql` selects, if any.
    pub(crate) async fn fetch_optional<T: Row>(&mut self, sql: Sql) -> Result<Option<T>> {
        Ok(match self {
            Tx::Sqlite(tx) => query_as::<Sqlite, T>(sql).fetch_optional(&mut **tx).await?,
            Tx::Postgres(tx) => {
                query_as::<Postgres, T>(sql)
                    .fetch_optional(&mut **tx)
                    .await?
            }
        })
    }

    /// The one row `sql` selects.
    pub(crate) async fn fetch_one<T: Row>(&mut self, sql: Sql) -> Result<T> {
        Ok(match self {
            Tx::Sqlite(tx) => query_as::<Sqlite, T>(sql).fetch_one(&mut **tx).await?,
            Tx::Postgres(tx) => query_as::<Postgres, T>(sql).fetch_one(&mut **tx).await?,
        })
    }

    /// Runs `sql`; returns how many rows it changed.
    pub(crate) async fn execute(&mut self, sql: Sql) -> Result<u64> {
        Ok(match self {
            Tx::Sqlite(tx) => execute_on!(Sqlite, sql, &mut **tx),
            Tx::Postgres(tx) => execute_on!(Postgres, sql, &mut **tx),
        })
    }

    /// The engine.
    pub(crate) fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }

    /// Makes everything done in the transaction visible to others.
    pub(crate) async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// The newest schema version this binary knows (the same on both engines: their
/// migration folders hold the same versions).
pub(crate) fn schema_version() -> i64 {
    SQLITE_MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

/// A count read from the database, as `u64` (a negative one, which cannot happen,
/// reads as 0).
pub(crate) fn unsigned(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

/// One `BIGINT` column: what `SELECT COUNT(*)` and friends return.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct Scalar<T> {
    /// The value, selected `AS v`.
    pub v: T,
}

#[cfg(test)]
mod tests {
    #[test]
    fn both_engines_know_the_same_schema_versions() {
        let versions =
            |m: &sqlx::migrate::Migrator| m.iter().map(|m| m.version).collect::<Vec<_>>();
        assert_eq!(
            versions(&super::SQLITE_MIGRATOR),
            versions(&super::POSTGRES_MIGRATOR)
        );
    }
}
