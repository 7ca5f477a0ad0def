//! The store's one error type.

use std::path::PathBuf;

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data directory could not be created.
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The database could not be opened.
    #[error(
        "cannot open database {database}: {source} (check the path and its permissions, or that the \
         server runs and the user, password and database name are right)"
    )]
    Open {
        /// The database, password hidden.
        database: String,
        /// Why.
        source: sqlx::Error,
    },
    /// The database was migrated by a newer paperboy.
    #[error(
        "database {database} has schema version {found}, but this paperboy knows versions up to {known}: \
         it was upgraded by a newer paperboy. Run that newer version, or restore a backup made before the upgrade"
    )]
    NewerSchema {
        /// The database, password hidden.
        database: String,
        /// A version the database has and this binary does not.
        found: i64,
        /// The newest version this binary knows.
        known: i64,
    },
    /// Applying migrations failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database cannot be reached right now (a server restarting or down, every
    /// connection busy, a lock held too long): worth retrying in a moment.
    #[error("the database is unavailable right now ({0}); try again in a few seconds")]
    Unavailable(String),
    /// A query failed.
    #[error("database error: {0}")]
    Sqlx(sqlx::Error),
    /// A stored value could not be decoded (a damaged or hand-edited database).
    #[error("stored value {what} is damaged: {detail}")]
    Corrupt {
        /// Which value.
        what: String,
        /// What was wrong.
        detail: String,
    },
    /// A pagination cursor that this store did not hand out.
    #[error("invalid cursor `{0}`: pass the `next` cursor from a previous page unchanged")]
    InvalidCursor(String),
    /// The backup destination exists already.
    #[error("backup destination {0} exists or is not a valid path; choose a new file name")]
    BackupExists(PathBuf),
    /// Daily entries name papers that are not stored (nor in the same batch).
    #[error("daily entries name papers that are not in the database: {}; import the papers first", .0.join(", "))]
    UnknownPapers(Vec<String>),
    /// The operation exists on the other engine only.
    #[error("{0}")]
    Unsupported(&'static str),
    /// What the operation names does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The write collides with what is stored (an address or username taken).
    #[error("{0}")]
    Conflict(String),
    /// A copy was asked to go from a database into the same database.
    #[error(
        "the source and the target are the same database ({0}); copy into another, empty database"
    )]
    SameDatabase(String),
    /// The target of a copy holds rows that did not come from the source.
    #[error(
        "the target database already holds {table} rows that did not come from this source ({detail}); \
         copy into a new, empty database, or into the one an interrupted copy of this same source left \
         (and keep the source unchanged until the copy is done: stop the paperboy processes that write to it)"
    )]
    ForeignTarget {
        /// The table.
        table: &'static str,
        /// What differs, naming the first differing row's key.
        detail: String,
    },
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if is_transient(&error) {
            Self::Unavailable(error.to_string())
        } else {
            Self::Sqlx(error)
        }
    }
}

/// True for failures that say nothing about the query and may pass: the connection
/// (lost, refused, timed out), the pool (no free connection in time), a server
/// shutting down or starting, a statement cancelled by `statement_timeout`, SQLite's
/// busy timeout.
fn is_transient(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
                // Class 08 connection exception, 57P01-57P03 shutdown or start-up,
                // 57014 statement timeout, 53300 too many connections, 40001 / 40P01
                // serialization failure and deadlock (a retry succeeds).
                let code = pg.code();
                code.starts_with("08")
                    || code.starts_with("57P0")
                    || matches!(code, "57014" | "53300" | "40001" | "40P01")
            } else {
                // SQLite: SQLITE_BUSY (5) and SQLITE_LOCKED (6), extended codes too.
                db.code()
                    .and_then(|code| code.parse::<u32>().ok())
                    .is_some_and(|code| matches!(code & 0xff, 5 | 6))
            }
        }
        _ => false,
    }
}
impl StoreError {
    /// The database did not answer: `reason` says how it failed.
    pub fn unavailable(reason: impl Into<String>) -> Self {
        Self::Unavailable(reason.into())
    }

    /// True when the database could not be reached or was busy: a request may answer
    /// 503 and be retried, a background job pauses and tries again.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }

    pub(crate) fn open(database: &crate::DatabaseUrl, source: sqlx::Error) -> Self {
        Self::Open {
            database: database.to_string(),
            source,
        }
    }

    pub(crate) fn corrupt(what: impl Into<String>, detail: impl std::fmt::Display) -> Self {
        Self::Corrupt {
            what: what.into(),
            detail: detail.to_string(),
        }
    }
}
