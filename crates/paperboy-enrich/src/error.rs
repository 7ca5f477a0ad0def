//! The enrichment crate's one error type.

/// Everything that can go wrong extracting key phrases or asking for summaries.
#[derive(Debug, thiserror::Error)]
pub enum EnrichError {
    /// The summary endpoint setting is not a usable URL, or no HTTP client could be
    /// built for it.
    #[error("summary endpoint {url:?}: {detail}")]
    SummaryEndpoint {
        /// The setting as given.
        url: String,
        /// What is wrong.
        detail: String,
    },
    /// The GitHub API setting is not a usable URL, or no HTTP client could be built
    /// for it.
    #[error("GitHub API {url:?}: {detail}")]
    GithubEndpoint {
        /// The setting as given.
        url: String,
        /// What is wrong.
        detail: String,
    },
    /// The thumbnails folder could not be made or written.
    #[error("thumbnails in {dir}: {detail}")]
    ThumbnailDir {
        /// The folder.
        dir: std::path::PathBuf,
        /// What went wrong.
        detail: String,
    },
    /// The keyword index (its corpus statistics) could not be read.
    #[error(transparent)]
    Search(#[from] paperboy_search::SearchError),
    /// The database could not be read or written.
    #[error(transparent)]
    Store(#[from] paperboy_store::StoreError),
    /// A blocking worker task (a batch of key phrases) panicked or was cancelled.
    #[error("a background worker stopped: {0}")]
    Worker(String),
}

/// The crate's result type.
pub type Result<T, E = EnrichError> = std::result::Result<T, E>;
