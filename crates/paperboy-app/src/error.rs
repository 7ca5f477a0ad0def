//! The app's one error type.

use crate::ConfigError;

/// Everything that can stop paperboy from starting or serving.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The settings are unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] paperboy_store::StoreError),
    /// The search index failed.
    #[error(transparent)]
    Search(#[from] paperboy_search::SearchError),
    /// The embedder failed to load.
    #[error(transparent)]
    Embed(#[from] paperboy_embed::EmbedError),
    /// The summary endpoint is unusable.
    #[error(transparent)]
    Enrich(#[from] paperboy_enrich::EnrichError),
    /// The arXiv client could not be built.
    #[error(transparent)]
    Ingest(#[from] paperboy_ingest::error::IngestError),
    /// The embedder names no model (it cannot be used for semantic search).
    #[error("the embedder names no model")]
    NoModel,
    /// The listen address is taken or not ours.
    #[error("cannot listen on {addr}: {source} (in use? pass --addr HOST:PORT or set addr)")]
    Bind {
        /// The address.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// Serving failed.
    #[error("the web server failed: {0}")]
    Serve(std::io::Error),
}
