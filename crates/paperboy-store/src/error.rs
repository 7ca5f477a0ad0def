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
    /// The database file could not be opened.
    #[error("cannot open database {path}: {source} (check the path and its permissions)")]
    Open {
        /// The database file.
        path: PathBuf,
        /// Why.
        source: sqlx::Error,
    },
    /// The database was migrated by a newer paperboy.
    #[error(
        "database {path} has schema version {found}, but this paperboy knows versions up to {known}: \
         it was upgraded by a newer paperboy. Run that newer version, or restore a backup made before the upgrade"
    )]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// A version the database has and this binary does not.
        found: i64,
        /// The newest version this binary knows.
        known: i64,
    },
    /// Applying migrations failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A query failed.
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
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
}

impl StoreError {
    pub(crate) fn corrupt(what: impl Into<String>, detail: impl std::fmt::Display) -> Self {
        Self::Corrupt {
            what: what.into(),
            detail: detail.to_string(),
        }
    }
}
