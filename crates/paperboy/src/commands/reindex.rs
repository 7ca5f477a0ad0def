//! `paperboy reindex`, and keeping the search index current after CLI writes.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use paperboy_ingest::progress::items_bar;
use paperboy_search::SearchError;
use paperboy_search::follow::IndexFollower;
use paperboy_search::keyword::KeywordIndex;
use paperboy_store::Store;

use paperboy_app::Config;
use paperboy_core::text::count;

/// Arguments of `reindex`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Opens the keyword index of the data directory.
pub fn open_index(config: &Config) -> anyhow::Result<Arc<KeywordIndex>> {
    Ok(Arc::new(KeywordIndex::open(&config.keyword_index_dir())?))
}

/// Runs `reindex`: rebuilds the search index from the database.
pub async fn run(_args: Args, config: &Config) -> anyhow::Result<ExitCode> {
    let store = super::open_store(config).await?;
    let follower = match IndexFollower::new(open_index(config)?) {
        Ok(follower) => follower,
        Err(e @ SearchError::WriterBusy(_)) => {
            anyhow::bail!("{e}; stop `paperboy serve` to rebuild the index")
        }
        Err(e) => return Err(e.into()),
    };
    let total = store.stats().await?.papers;
    let bar = items_bar("reindex", total);
    let started = Instant::now();
    let indexed = follower.rebuild(&store, &|n| bar.set_position(n)).await?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "indexed {} in {seconds:.1}s ({:.0}/s)",
        count(indexed, "paper", "papers"),
        indexed as f64 / seconds.max(1e-9)
    );
    Ok(ExitCode::SUCCESS)
}

/// Brings the search index up to date after a CLI write, unless another process (a
/// running server, which follows the database itself) holds the index.
pub async fn catch_up_after_write(config: &Config, store: &Store) -> anyhow::Result<()> {
    let follower = match IndexFollower::new(open_index(config)?) {
        Ok(follower) => follower,
        Err(SearchError::WriterBusy(_)) => {
            eprintln!("search index: the running server will index the new papers within seconds");
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    if store.current_change_seq().await? <= follower.index().cursor()?.seq {
        return Ok(());
    }

    let bar = items_bar("indexing", store.stats().await?.papers);
    follower.catch_up(store, &|n| bar.set_position(n)).await?;
    bar.finish_and_clear();
    Ok(())
}
