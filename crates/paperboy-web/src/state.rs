//! What every handler can reach: the store, search, the site's settings, the
//! daily-list cache.

use std::sync::Arc;

use paperboy_search::engine::SearchEngine;
use paperboy_store::Store;

use crate::WebConfig;
use crate::assets;
use crate::cache::ListCache;
use crate::fetch::PaperFetcher;
use crate::limits::RateLimiter;
use paperboy_core::SubmitRules;

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
    /// Request counts for rate limits.
    pub limits: Arc<RateLimiter>,
    /// Gets submitted papers the database lacks; `None`: such submissions are refused.
    pub fetcher: Option<Arc<dyn PaperFetcher>>,
    /// The key that signs subscription links, once read from the database.
    pub link_key: Arc<tokio::sync::OnceCell<String>>,
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
    /// The script's URL, fingerprinted likewise.
    pub script_href: String,
    /// The icon's URL, fingerprinted likewise.
    pub icon_href: String,
    /// Cookies get `Secure`: the public URL is https.
    pub secure_cookies: bool,
    /// Sign-in links are written to the log too.
    pub log_sign_in_links: bool,
    /// The rules of submitting papers to the daily list.
    pub submit: SubmitRules,
    /// Where the thumbnails are; `None`: lists show none.
    pub thumbnails_dir: Option<std::path::PathBuf>,
}

impl AppState {
    pub(crate) fn new(
        store: Store,
        search: Arc<SearchEngine>,
        config: WebConfig,
        fetcher: Option<Arc<dyn PaperFetcher>>,
    ) -> Self {
        let public_base = config.public_base().unwrap_or_else(|err| {
            tracing::warn!(%err, "ignoring public_url; absolute links use the Host header");
            None
        });
        Self {
            store,
            search,
            site: Arc::new(Site {
                name: config.site_name,
                css_href: assets::STYLESHEET.href(),
                icon_href: assets::FAVICON.href(),
                script_href: assets::SCRIPT.href(),
                secure_cookies: public_base
                    .as_deref()
                    .is_some_and(|base| base.starts_with("https://")),
                log_sign_in_links: config.log_sign_in_links,
                submit: config.submit,
                thumbnails_dir: config.thumbnails_dir,
                public_base,
            }),
            cache: Arc::new(ListCache::new()),
            limits: Arc::new(RateLimiter::default()),
            fetcher,
            link_key: Arc::default(),
        }
    }
}
