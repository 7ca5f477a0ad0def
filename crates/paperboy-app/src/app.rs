//! [`App`]: a paperboy instance, built from a [`Config`].

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use paperboy_core::{Clock, SystemClock};
use paperboy_enrich::keyphrase::job::KeyphraseJob;
use paperboy_enrich::stars::{GithubClient, StarsJob};
use paperboy_enrich::summary::ChatClient;
use paperboy_enrich::summary::job::{RunOptions, SummaryJob};
use paperboy_enrich::thumbnails::ThumbnailJob;
use paperboy_ingest::harvest::HarvestJob;
use paperboy_ingest::http::PoliteClient;
use paperboy_jobs::{DEFAULT_LEASE, Runner, instance_name};
use paperboy_mail::OutboxSender;
use paperboy_mail::digest::{DigestJob, VectorSpace};
use paperboy_search::SearchError;
use paperboy_search::backlog::{EmbeddingJob, VectorFollower};
use paperboy_search::engine::SearchEngine;
use paperboy_search::follow::IndexFollower;
use paperboy_search::keyword::KeywordIndex;
use paperboy_search::pool::SearchPool;
use paperboy_store::{Store, StoreOptions};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::fetcher::ArxivFetcher;
use crate::semantic::{Fetch, open_embedder, open_semantic};
use crate::{AppError, Config};

/// A built paperboy: store, search, background jobs running, listener bound.
pub struct App {
    config: Config,
    store: Store,
    search: Arc<SearchEngine>,
    follower: Option<IndexFollower>,
    runner: Runner,
    semantic_start: JoinHandle<()>,
    listener: TcpListener,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("addr", &self.listener.local_addr().ok())
            .field("database", self.store.url())
            .finish_non_exhaustive()
    }
}

impl App {
    /// Opens the database (applying migrations), the keyword index and the search
    /// engine; starts the background jobs `config` asks for (following the database
    /// into the index, harvests, key phrases, summaries; semantic search once the
    /// embedder has loaded); binds `config.addr`.
    pub async fn build(config: Config) -> Result<Self, AppError> {
        Self::build_with_clock(config, Arc::new(SystemClock)).await
    }

    /// [`App::build`], with the database's writes and reads stamped by `clock` (tests
    /// fix the time; leases always use the system clock).
    pub async fn build_with_clock(config: Config, clock: Arc<dyn Clock>) -> Result<Self, AppError> {
        let store = Store::connect(
            &config.database,
            StoreOptions {
                clock,
                ..config.store_options()
            },
        )
        .await?;
        tracing::info!(database = %config.database, "database ready");
        let keyword = Arc::new(KeywordIndex::open(&config.keyword_index_dir())?);
        // Searches and index writes share one bounded set of threads.
        let pool = SearchPool::for_this_machine();
        let search = Arc::new(
            SearchEngine::new(store.clone(), keyword.clone(), None).with_pool(pool.clone()),
        );
        let runner = Runner::new(
            store.clone(),
            Arc::new(SystemClock),
            &instance_name(),
            DEFAULT_LEASE,
        );

        let follower = match IndexFollower::new(keyword.clone()) {
            Ok(follower) => {
                let follower = follower.with_pool(pool);
                runner.spawn(Arc::new(follower.clone().following(store.clone())));
                Some(follower)
            }
            Err(e @ SearchError::WriterBusy(_)) => {
                tracing::warn!("{e}; this server will not update it");
                None
            }
            Err(e) => return Err(e.into()),
        };
        if !config.harvest_sets.is_empty() {
            runner.spawn(Arc::new(HarvestJob::new(
                store.clone(),
                arxiv_client(&config)?,
                config.arxiv_oai_url.to_string(),
                config.harvest_sets.clone(),
                config.harvest_interval,
            )));
        }
        let transport = config.mail.transport(&config.data_dir);
        tracing::info!("mail goes to {}", transport.describe());
        runner.spawn(Arc::new(OutboxSender::new(
            store.clone(),
            transport,
            config.mail.sender.clone(),
            &instance_name(),
        )));
        let space = Arc::new(OnceLock::new());
        runner.spawn(Arc::new(DigestJob::new(
            store.clone(),
            &config.web.site_name,
            &config.public_base_url(),
            space.clone(),
        )));
        if config.keyphrases && follower.is_some() {
            runner.spawn(Arc::new(KeyphraseJob::new(store.clone(), keyword.clone())));
        }
        if config.thumbnails {
            let dir = config.data_dir.join(paperboy_core::thumbnail::DIR);
            runner.spawn(Arc::new(ThumbnailJob::new(store.clone(), dir)?));
        }
        if let Some(summary) = &config.summary {
            let client = ChatClient::new(summary.chat_options())?;
            tracing::info!("summaries from {}", client.url());
            runner.spawn(Arc::new(SummaryJob::new(
                store.clone(),
                client,
                RunOptions::background(summary.interval),
            )));
        }
        if let Some(github) = &config.github {
            let client = GithubClient::new(github.options())?;
            tracing::info!("GitHub stars from {}", client.url());
            runner.spawn(Arc::new(StarsJob::new(
                store.clone(),
                client,
                github.interval,
            )));
        }
        let semantic_start = tokio::spawn(start_semantic(
            config.clone(),
            store.clone(),
            search.clone(),
            runner.clone(),
            space,
        ));
        let listener = TcpListener::bind(&config.addr)
            .await
            .map_err(|source| AppError::Bind {
                addr: config.addr.clone(),
                source,
            })?;
        Ok(Self {
            config,
            store,
            search,
            follower,
            runner,
            semantic_start,
            listener,
        })
    }

    /// The address the listener is bound to.
    pub fn local_addr(&self) -> Result<SocketAddr, AppError> {
        self.listener.local_addr().map_err(AppError::Serve)
    }

    /// The database.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The search engine.
    pub fn search(&self) -> &Arc<SearchEngine> {
        &self.search
    }

    /// The index follower, when this instance writes the keyword index: tests catch
    /// the index up with it at once instead of waiting for the job.
    pub fn follower(&self) -> Option<&IndexFollower> {
        self.follower.as_ref()
    }

    /// The job runner.
    pub fn runner(&self) -> &Runner {
        &self.runner
    }

    /// Serves until `shutdown` completes, then stops accepting connections, answers
    /// the requests in flight, stops the jobs (releasing their leases) and closes
    /// the database.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), AppError> {
        let fetcher = ArxivFetcher::new(
            self.store.clone(),
            arxiv_client(&self.config)?,
            self.config.arxiv_api_url.to_string(),
        );
        let router = paperboy_web::router(
            self.store.clone(),
            self.search.clone(),
            self.config.web.clone(),
            Some(Arc::new(fetcher)),
        )
        .merge(crate::metrics::router(
            self.store.clone(),
            self.runner.clone(),
        ));
        let options = paperboy_web::ServeOptions {
            max_connections: self.config.max_connections,
            ..paperboy_web::ServeOptions::default()
        };
        let served = paperboy_web::serve(self.listener, router, options, shutdown).await;
        self.runner.shutdown().await;
        self.semantic_start.abort();
        let _ = self.semantic_start.await;
        self.store.close().await;
        served.map_err(AppError::Serve)
    }
}

/// The HTTP client for arXiv.
pub(crate) fn arxiv_client(config: &Config) -> Result<PoliteClient, AppError> {
    if config.arxiv_http.contact_email.is_empty() {
        tracing::warn!(
            "contact_email is not set: arXiv asks clients to give a contact address \
             (set it in paperboy.toml or PAPERBOY_CONTACT_EMAIL)"
        );
    }
    Ok(PoliteClient::new(config.arxiv_http.clone())?)
}

/// Turns semantic search on in the background, so the server answers at once:
/// fetches the default model on first start, loads the stored vectors, then starts
/// the embedding job and the follower of vectors other instances store, and tells
/// the digests which vectors "for you" ranks with.
async fn start_semantic(
    config: Config,
    store: Store,
    search: Arc<SearchEngine>,
    runner: Runner,
    space: Arc<OnceLock<VectorSpace>>,
) {
    let configured_off = config.embedder == Some(paperboy_embed::EmbedderSetting::None);
    search.set_starting(!configured_off);
    let opened = async {
        match open_embedder(&config, Fetch::IfMissing).await? {
            Some(embedder) => open_semantic(&store, embedder).await.map(Some),
            None => Ok(None),
        }
    };
    let cancelled = runner.token();
    let opened = tokio::select! {
        opened = opened => opened,
        _ = cancelled.cancelled() => return,
    };
    match opened {
        Ok(Some((semantic, cursor))) => {
            let embedder = semantic.embedder();
            if let Some(found) = VectorSpace::of(embedder.model_name(), embedder.dimension()) {
                let _ = space.set(found);
            }
            search.set_semantic(semantic.clone());
            runner.spawn(Arc::new(VectorFollower::new(
                store.clone(),
                semantic.clone(),
                cursor,
            )));
            runner.spawn(Arc::new(
                EmbeddingJob::new(store, semantic).logging_progress(config.log_progress_every),
            ));
        }
        Ok(None) => {
            search.set_starting(false);
            tracing::info!("no embedder configured: keyword search only");
        }
        Err(e) => {
            search.set_starting(false);
            tracing::warn!("semantic search is off: {e}");
        }
    }
}
