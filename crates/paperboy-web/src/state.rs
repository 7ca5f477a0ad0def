//! What every handler can reach: the store, search, the site's settings, the
//! daily-list cache.

use std::sync::Arc;

use paperboy_search::engine::SearchEngine;
use paperboy_store::Store;

use crate::WebConfig;
use crate::assets;
use crate::cache::ListCache;

/// Shared state of the router. Cheap to clone.
#[derive(Clone)]
pub(crate) struct AppState {
    /// The database.
    pub store: Store,
    /// Search over the database (keyword, and semantic when an embedder is set).
    pub search: Arc<SearchEngine>,
    /// Settings fixed at startup.
    pub site: Arc<Site>,
    /// Daily-list answers kept in memory.
    pub cache: Arc<ListCache>,
}

/// The site's settings, resolved once.
#[derive(Debug)]
pub(crate) struct Site {
    /// Shown in headers and titles.
    pub name: String,
    /// The checked `public_url` without trailing `/`.
    pub public_base: Option<String>,
    /// The stylesheet's URL, fingerprinted so browsers may cache it forever.
    pub css_href: String,
}

impl AppState {
    pub(crate) fn new(store: Store, search: Arc<SearchEngine>, config: WebConfig) -> Self {
        let public_base = config.public_base().unwrap_or_else(|err| {
            tracing::warn!(%err, "ignoring public_url; absolute links use the Host header");
            None
        });
        Self {
            store,
            search,
            site: Arc::new(Site {
                name: config.site_name,
                public_base,
                css_href: assets::stylesheet_href(),
            }),
            cache: Arc::new(ListCache::new()),
        }
    }
}
