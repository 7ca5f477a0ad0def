//! `paperboy keywords`: extract key phrases for every paper without `ai_keywords`,
//! and the same job in the background of `serve`.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use paperboy_enrich::keyphrase::job::{backlog_len, follow_keyphrases, run_keyphrases};
use paperboy_ingest::progress::items_bar;
use paperboy_search::keyword::KeywordIndex;
use paperboy_store::Store;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::Settings;

/// How often `serve` looks for papers the index has taken in since the last run.
const FOLLOW_INTERVAL: Duration = Duration::from_secs(10);

/// Arguments of `keywords`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `keywords`: brings the search index up to date (its statistics score the
/// phrases), then extracts key phrases for every paper that has none, newest first,
/// with a progress bar. Safe to interrupt and run again.
pub async fn run(_args: Args, settings: &Settings) -> anyhow::Result<ExitCode> {
    let store = super::open_store(settings).await?;
    super::reindex::catch_up_after_write(settings, &store).await?;
    let index = super::reindex::open_index(settings)?;
    let waiting = backlog_len(&store, &index).await?;
    let bar = items_bar("key phrases", waiting);
    let (_stop_tx, stop) = watch::channel(false);
    let done = run_keyphrases(&store, &index, &stop, &|p| {
        bar.set_position(p.extracted + p.unchanged)
    })
    .await?;
    bar.finish_and_clear();
    println!(
        "extracted key phrases of {} papers in {:.1}s ({:.0} papers/s); {} unchanged; \
         {} papers have extracted key phrases",
        done.extracted,
        done.seconds,
        done.rate(),
        done.unchanged,
        store.keyphrase_count().await?
    );
    Ok(ExitCode::SUCCESS)
}

/// Starts the job in the background of `serve`: it extracts key phrases whenever
/// the search index has taken in new papers, until `stop` turns true.
pub fn spawn(
    store: Store,
    index: Arc<KeywordIndex>,
    stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(follow_keyphrases(store, index, FOLLOW_INTERVAL, stop))
}
