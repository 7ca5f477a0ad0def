//! [`PaperFetcher`]: how the web server gets a paper this database does not have
//! yet (from arXiv), when a reader submits or indexes it.

use std::future::Future;
use std::pin::Pin;

use paperboy_core::ArxivId;

/// What a fetch returns: whether the source had the paper, or why it failed.
pub type FetchResult<'a> = Pin<Box<dyn Future<Output = Result<bool, String>> + Send + 'a>>;

/// Fetches papers into the store.
pub trait PaperFetcher: Send + Sync {
    /// Fetches `id` from its source and stores it; `Ok(false)` when the source has
    /// no such paper, `Err` with a message when the source could not be asked.
    fn fetch<'a>(&'a self, id: &'a ArxivId) -> FetchResult<'a>;
}
