//! The search crate's one error type.

use std::path::PathBuf;

/// Everything that can go wrong in search.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The keyword index could not be opened or written.
    #[error("search index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// Another process holds the keyword index writer.
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
    /// The embedder failed (loading it, or embedding a query or papers).
    #[error(transparent)]
    Embed(#[from] paperboy_embed::EmbedError),
    /// The database could not be read or written.
    #[error(transparent)]
    Store(#[from] paperboy_store::StoreError),
    /// Every search thread is busy and the queue is full: try again in a moment.
    #[error("search is busy: too many searches are running; try again in a moment")]
    Busy,
    /// A blocking worker task (an index commit or a vector scan) panicked or was cancelled.
    #[error("a background worker stopped: {0}")]
    Worker(String),
}

/// The crate's result type.
pub type Result<T, E = SearchError> = std::result::Result<T, E>;
