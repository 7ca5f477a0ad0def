//! `paperboy keywords`: extract key phrases for every paper without `ai_keywords`.

use std::process::ExitCode;

use paperboy_app::Config;
use paperboy_core::text::count;
use paperboy_enrich::keyphrase::job::{KeyphraseJob, backlog_len};

/// Arguments of `keywords`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `keywords`: brings the search index up to date (its statistics score the
/// phrases), then extracts key phrases for every paper that has none, newest first,
/// with a progress bar. Safe to interrupt and run again.
pub async fn run(_args: Args, config: &Config) -> anyhow::Result<ExitCode> {
    let store = super::open_store(config).await?;
    super::reindex::catch_up_after_write(config, &store).await?;
    let index = super::reindex::open_index(config)?;
    let waiting = backlog_len(&store, &index).await?;
    let job = KeyphraseJob::new(store.clone(), index);
    let done = super::run_job_by_hand(&store, &job, "key phrases", waiting, None).await?;
    println!(
        "extracted key phrases of {} in {:.1}s ({:.0} papers/s); {} unchanged; \
         {} extracted key phrases",
        count(done.progress.done, "paper", "papers"),
        done.elapsed.as_secs_f64(),
        done.rate(),
        done.progress.unchanged,
        count(store.keyphrase_count().await?, "paper has", "papers have")
    );
    Ok(ExitCode::SUCCESS)
}
