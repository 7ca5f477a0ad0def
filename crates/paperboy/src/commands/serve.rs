//! `paperboy serve`: the web server, with the first-run sample, the search index
//! following the database, and graceful shutdown on SIGTERM / Ctrl-C.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use paperboy_search::SearchError;
use paperboy_search::follow::IndexFollower;
use paperboy_web::{WebConfig, router, serve};
use tokio::sync::watch;

use crate::config::Settings;
use crate::sample;

/// How often the search index checks the database for changes.
const FOLLOW_INTERVAL: Duration = Duration::from_secs(2);

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
    match IndexFollower::new(super::reindex::open_index(settings)?) {
        Ok(follower) => {
            let store = store.clone();
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

    println!("paperboy listening on http://{local}");
    let app = router(store.clone(), config);
    serve(listener, app, shutdown_signal()).await?;
    eprintln!("shutting down");
    let _ = stop_tx.send(true);
    for task in background {
        let _ = task.await;
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
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
