//! `paperboy serve`: the web server, with the first-run sample, the search index
//! following the database, background jobs (scheduled harvests, embeddings, key
//! phrases, summaries), and graceful shutdown on SIGTERM / Ctrl-C.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use paperboy_search::SearchError;
use paperboy_search::backlog::follow_backlog;
use paperboy_search::engine::SearchEngine;
use paperboy_search::follow::IndexFollower;
use paperboy_store::Store;
use paperboy_web::{WebConfig, router, serve};
use tokio::sync::watch;

use crate::config::Settings;
use crate::sample;
use crate::semantic::{Fetch, open_embedder, open_semantic};

/// How often the search index checks the database for changes.
const FOLLOW_INTERVAL: Duration = Duration::from_secs(2);
/// How often the embedding backlog is looked at once it is empty.
const BACKLOG_INTERVAL: Duration = Duration::from_secs(10);

/// Arguments of `serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on [default: setting `addr`, 127.0.0.1:8080]
    #[arg(long, value_name = "HOST:PORT")]
    addr: Option<String>,
    /// Do not load the bundled sample into an empty database.
    #[arg(long)]
    no_sample: bool,
}

/// Runs `serve` until SIGTERM or Ctrl-C.
pub async fn run(args: Args, settings: &Settings) -> anyhow::Result<ExitCode> {
    let store = super::open_store(settings).await?;
    if !args.no_sample
        && let Some(reports) = sample::load_if_empty(&store).await?
    {
        let papers: u64 = reports.iter().map(|r| r.written.papers_inserted).sum();
        let entries: u64 = reports.iter().map(|r| r.written.entries_inserted).sum();
        eprintln!(
            "the database was empty: loaded the bundled sample ({papers} papers, {entries} daily-list entries); \
             `serve --no-sample` skips this"
        );
    }

    let config = WebConfig {
        public_url: Some(settings.public_url.clone()).filter(|u| !u.is_empty()),
        ..WebConfig::default()
    };
    config.validate().context("setting public_url")?;

    let addr = args.addr.as_deref().unwrap_or(&settings.addr);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} (in use? pass --addr HOST:PORT)"))?;
    let local = listener.local_addr()?;

    let (stop_tx, stop_rx) = watch::channel(false);
    let mut background = Vec::new();
    background.extend(super::harvest_schedule::spawn(
        settings,
        store.clone(),
        stop_rx.clone(),
    )?);
    let keyword = super::reindex::open_index(settings)?;
    let search = Arc::new(SearchEngine::new(store.clone(), keyword.clone(), None));
    if settings.keyphrases {
        background.push(super::keywords::spawn(
            store.clone(),
            keyword.clone(),
            stop_rx.clone(),
        ));
    }
    background.extend(super::summarize::spawn(
        settings,
        store.clone(),
        stop_rx.clone(),
    )?);
    match IndexFollower::new(keyword) {
        Ok(follower) => {
            let store = store.clone();
            let stop_rx = stop_rx.clone();
            background.push(tokio::spawn(async move {
                if let Err(e) = follower.catch_up(&store, &|_| {}).await {
                    tracing::warn!("search index catch-up failed: {e}");
                }
                follower.follow(store, FOLLOW_INTERVAL, stop_rx).await;
            }));
        }
        Err(e @ SearchError::WriterBusy(_)) => {
            tracing::warn!("{e}; this server will not update it")
        }
        Err(e) => return Err(e.into()),
    }
    background.push(spawn_semantic(
        settings.clone(),
        store.clone(),
        search.clone(),
        stop_rx,
    ));

    println!("paperboy listening on http://{local}");
    let app = router(store.clone(), search, config);
    serve(listener, app, shutdown_signal()).await?;
    eprintln!("shutting down");
    let _ = stop_tx.send(true);
    for task in background {
        let _ = task.await;
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Starts semantic search in the background, so the server answers at once: fetches
/// the default model on first start, loads stored vectors, then embeds the backlog
/// (newest papers first) until `stop`.
fn spawn_semantic(
    settings: Settings,
    store: Store,
    search: Arc<SearchEngine>,
    mut stop_rx: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        search.set_starting(!settings.embedder.trim().eq_ignore_ascii_case("none"));
        let opened = match open_embedder(&settings, Fetch::IfMissing).await {
            Ok(Some(embedder)) => open_semantic(&store, embedder).await.map(Some),
            Ok(None) => Ok(None),
            Err(e) => Err(e),
        };
        let semantic = match opened {
            Ok(Some(semantic)) => semantic,
            Ok(None) => {
                search.set_starting(false);
                return tracing::info!("no embedder configured: keyword search only");
            }
            Err(e) => {
                search.set_starting(false);
                return tracing::warn!("semantic search is off: {e:#}");
            }
        };
        search.set_semantic(semantic.clone());
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        tokio::spawn(async move {
            let _ = stop_rx.wait_for(|stopped| *stopped).await;
            flag.store(true, Ordering::Relaxed);
        });
        follow_backlog(store, semantic, BACKLOG_INTERVAL, stop).await;
    })
}

/// Resolves on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}
