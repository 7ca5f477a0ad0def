//! paperboy's persistence.
//!
//! The database is the single source of truth: papers, daily entries, harvest
//! checkpoints. Every index can be rebuilt from it. SQLite (WAL) is the default
//! engine; the SQL is written to run on PostgreSQL too (`$N` placeholders,
//! `ON CONFLICT` upserts, integer timestamps, JSON kept as text).
//!
//! Writes go through [`WriteTx`]: a transaction that merges incoming records with what
//! is stored (see [`paperboy_core::Paper::merge`]) and writes only what changed, so
//! importing the same data twice changes nothing.

mod codec;
mod daily;
mod embeddings;
mod error;
mod export;
mod firehose;
mod harvest;
mod papers;
mod stats;
mod write;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use paperboy_core::{Clock, SystemClock};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{AssertSqlSafe, SqlitePool};

pub use daily::{DailyItem, DailyPage, DailyQuery, DailySort};
pub use embeddings::{BacklogPosition, EmbeddingRow, EmbeddingTask};
pub use error::StoreError;
pub use export::ExportSummary;
pub use firehose::{FirehosePage, FirehoseQuery};
pub use harvest::HarvestCheckpoint;
pub use papers::{ChangeCursor, PaperDetail, PaperPage, PaperRecord};
pub use stats::Stats;
pub use write::{Batch, WriteSummary, WriteTx};

/// Result of store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// The file name of the SQLite database inside the data directory.
pub const DATABASE_FILE: &str = "paperboy.db";

/// How long a write waits for another process's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// A handle to the database. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    clock: Arc<dyn Clock>,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the database in `data_dir` and applies migrations.
    pub async fn open_dir(data_dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.to_owned(),
            source,
        })?;
        Self::open(&data_dir.join(DATABASE_FILE), Arc::new(SystemClock)).await
    }

    /// Opens (creating if needed) the SQLite database at `path`, applies migrations,
    /// and refuses a database migrated by a newer paperboy.
    pub async fn open(path: &Path, clock: Arc<dyn Clock>) -> Result<Self> {
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true)
            .pragma("cache_size", "-65536");
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .min_connections(1)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                path: path.to_owned(),
                source,
            })?;
        let store = Self {
            pool,
            clock,
            path: path.to_owned(),
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        MIGRATOR.run(&self.pool).await.map_err(|err| match err {
            sqlx::migrate::MigrateError::VersionMissing(version) => StoreError::NewerSchema {
                path: self.path.clone(),
                found: version,
                known: MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0),
            },
            other => StoreError::Migrate(other),
        })
    }

    /// The newest schema version this binary knows.
    pub fn schema_version() -> i64 {
        MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// Where the database file lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The clock writes are stamped with.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// Writes a consistent copy of the live database to `dest` (SQLite `VACUUM INTO`),
    /// safe while other processes read and write.
    pub async fn backup(&self, dest: &Path) -> Result<()> {
        if dest.exists() {
            return Err(StoreError::BackupExists(dest.to_owned()));
        }
        let dest_str = dest
            .to_str()
            .ok_or_else(|| StoreError::BackupExists(dest.to_owned()))?;
        // VACUUM INTO takes no bind parameters; quote the path as an SQL string literal.
        let sql = format!("VACUUM INTO '{}'", dest_str.replace('\'', "''"));
        sqlx::query(AssertSqlSafe(sql)).execute(&self.pool).await?;
        Ok(())
    }

    /// Closes every connection, checkpointing the WAL.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests;
