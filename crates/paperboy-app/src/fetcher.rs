//! [`ArxivFetcher`]: the web server's way to get a submitted paper it lacks, through
//! the arXiv API (the same path as `paperboy fetch`).

use paperboy_core::{ArxivId, VersionedId};
use paperboy_ingest::fetch::fetch_papers;
use paperboy_ingest::http::PoliteClient;
use paperboy_store::Store;
use paperboy_web::{FetchResult, PaperFetcher};

/// Fetches papers from the arXiv API into the store.
pub(crate) struct ArxivFetcher {
    store: Store,
    client: PoliteClient,
    api_url: String,
}

impl ArxivFetcher {
    /// A fetcher asking `api_url` with `client`, writing to `store`.
    pub(crate) fn new(store: Store, client: PoliteClient, api_url: String) -> Self {
        Self {
            store,
            client,
            api_url,
        }
    }
}

impl PaperFetcher for ArxivFetcher {
    fn fetch<'a>(&'a self, id: &'a ArxivId) -> FetchResult<'a> {
        Box::pin(async move {
            let wanted = [VersionedId {
                id: id.clone(),
                version: None,
            }];
            let report = fetch_papers(&self.store, &self.client, &self.api_url, &wanted)
                .await
                .map_err(|e| e.to_string())?;
            Ok(!report.found.is_empty())
        })
    }
}
