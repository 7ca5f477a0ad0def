//! paperboy's persistence.
//!
//! The database is the single source of truth: papers, daily entries, harvest
//! checkpoints, and what paperboy derives and keeps (embeddings, key phrases,
//! summaries). Every index can be rebuilt from it. SQLite (WAL) is the default
//! engine, PostgreSQL the one for several instances ([`DatabaseUrl`]). Every query
//! is written once and runs on both (module `db`: `$N` placeholders, `ON CONFLICT`
//! upserts, integer timestamps, JSON kept as text, named row structs); each engine
//! has its own migrations with the same versions.
//!
//! Writes go through [`WriteTx`]: a transaction that merges incoming records with what
//! is stored (see [`paperboy_core::Paper::merge`]) and writes only what changed, so
//! importing the same data twice changes nothing.

mod accounts;
mod backlog;
mod claims;
mod codec;
mod collections;
mod comments;
mod copy;
mod daily;
mod days;
mod db;
mod digests;
mod embeddings;
mod error;
mod export;
mod firehose;
mod harvest;
mod jobs;
mod keyphrases;
mod outbox;
mod papers;
pub mod secret;
mod signals;
mod stars;
mod stats;
mod submit;
mod subscriptions;
mod summaries;
mod thumbnails;
mod url;
mod votes;
mod write;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use paperboy_core::{Clock, SystemClock};

pub use accounts::{ApiTokenInfo, SessionInfo, SessionUser, User};
pub use backlog::{Backlog, BacklogPosition, BacklogTask};
pub use claims::{AuthorClaim, ClaimStatus};
pub use collections::{Collection, MAX_COLLECTION_NAME};
pub use comments::{Comment, MAX_COMMENT_CHARS};
pub use copy::{
    CopiedTable, CopyProgress, CopyReport, DEFAULT_CHUNK_ROWS, StoreCopy, TableCheck, TableCopied,
    TableDigest, copied_tables, verify_copy,
};
pub use daily::{DailyItem, DailyPage, DailyQuery, DailySort};
pub use days::DayList;
pub use db::{Backend, ColumnType};
pub use digests::DigestRecord;
pub use embeddings::EmbeddingRow;
pub use error::StoreError;
pub use export::ExportSummary;
pub use firehose::{FirehosePage, FirehoseQuery};
pub use harvest::HarvestCheckpoint;
pub use jobs::{JobClaim, JobRecord};
pub use keyphrases::KeyphraseRow;
pub use outbox::{FailedMail, OutboxCounts, OutboxMessage};
pub use papers::{ChangeCursor, Counters, PaperDetail, PaperPage, PaperRecord};
pub use signals::{LikedRef, ReaderInterests, ReaderSignal};
pub use stats::Stats;
pub use subscriptions::{Subscription, SubscriptionStatus};
pub use summaries::SummaryCounts;
pub use url::{DATABASE_FILE, DatabaseUrl, DatabaseUrlError};
pub use votes::VoteOutcome;
pub use write::{Batch, WriteSummary, WriteTx};

use db::Db;

/// Result of store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// How a store connects.
#[derive(Clone)]
pub struct StoreOptions {
    /// Most connections the pool opens.
    pub pool_size: u32,
    /// Longest a PostgreSQL statement may run before the server cancels it.
    pub statement_timeout: Duration,
    /// Longest a query waits for a free connection (or a PostgreSQL server that is
    /// not answering) before it fails as [`StoreError::Unavailable`].
    pub acquire_timeout: Duration,
    /// The clock writes are stamped with.
    pub clock: Arc<dyn Clock>,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            pool_size: 8,
            statement_timeout: Duration::from_secs(30),
            acquire_timeout: Duration::from_secs(3),
            clock: Arc::new(SystemClock),
        }
    }
}

impl std::fmt::Debug for StoreOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreOptions")
            .field("pool_size", &self.pool_size)
            .field("statement_timeout", &self.statement_timeout)
            .field("acquire_timeout", &self.acquire_timeout)
            .finish_non_exhaustive()
    }
}

/// A handle to the database. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    db: Db,
    clock: Arc<dyn Clock>,
    url: Arc<DatabaseUrl>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the SQLite database in `data_dir` with default
    /// options.
    pub async fn open_dir(data_dir: &Path) -> Result<Self> {
        Self::connect(&DatabaseUrl::in_data_dir(data_dir), StoreOptions::default()).await
    }

    /// Connects to the database `url` names (creating a SQLite file if needed),
    /// applies migrations, and refuses a database migrated by a newer paperboy.
    pub async fn connect(url: &DatabaseUrl, options: StoreOptions) -> Result<Self> {
        let db = Db::connect(url, &options).await?;
        Ok(Self {
            db,
            clock: options.clock,
            url: Arc::new(url.clone()),
        })
    }

    /// The newest schema version this binary knows.
    pub fn schema_version() -> i64 {
        db::schema_version()
    }

    /// Which database this is.
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// The engine it runs on.
    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// The clock writes are stamped with.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        self.db.execute(db::Sql::new("SELECT 1")).await.is_ok()
    }

    /// Writes a consistent copy of the live database to `dest` (SQLite `VACUUM INTO`),
    /// safe while other processes read and write. PostgreSQL has `pg_dump` for this.
    pub async fn backup(&self, dest: &Path) -> Result<()> {
        if self.backend() == Backend::Postgres {
            return Err(StoreError::Unsupported(
                "`paperboy backup` copies SQLite databases; back up PostgreSQL with \
                 `pg_dump --format=custom` (see docs/operations.md)",
            ));
        }
        if dest.exists() {
            return Err(StoreError::BackupExists(dest.to_owned()));
        }
        let dest_str = dest
            .to_str()
            .ok_or_else(|| StoreError::BackupExists(dest.to_owned()))?;
        // VACUUM INTO takes no bind parameters; quote the path as an SQL string literal.
        let sql = format!("VACUUM INTO '{}'", dest_str.replace('\'', "''"));
        self.db.execute(db::Sql::new(sql)).await?;
        Ok(())
    }

    /// Closes every connection, checkpointing the WAL.
    pub async fn close(&self) {
        self.db.close().await;
    }
}
