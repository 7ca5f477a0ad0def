//! The search crate's one error type.

use std::path::PathBuf;

/// What can go wrong in search.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The index could not be opened or written.
    #[error("search index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// Another process holds the index writer.
    #[error(
        "the search index at {0} is being written by another paperboy process (the server?); it will index new papers itself"
    )]
    WriterBusy(PathBuf),
    /// The index directory could not be prepared.
    #[error("cannot prepare search index directory {path}: {source}")]
    Directory {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The database could not be read.
    #[error(transparent)]
    Store(#[from] paperboy_store::StoreError),
    /// A blocking task failed.
    #[error("search task failed: {0}")]
    Task(String),
}

/// Result of search operations.
pub type Result<T, E = SearchError> = std::result::Result<T, E>;
