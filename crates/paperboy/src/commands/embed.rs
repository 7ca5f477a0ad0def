//! `paperboy embed`: run the embedding backlog to completion.

use std::process::ExitCode;

use paperboy_app::Config;
use paperboy_app::semantic::{Fetch, open_embedder, open_semantic};
use paperboy_core::text::count;
use paperboy_search::backlog::EmbeddingJob;
use paperboy_store::Backlog;

/// Arguments of `embed`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Stop after about this many papers (newest first: the latest days become
    /// searchable first after a large import; run again for the rest).
    #[arg(long)]
    limit: Option<u64>,
}

/// Runs `embed`: embeds every paper without an up-to-date vector, newest first, with
/// a progress bar and a rate. Safe to interrupt and run again.
pub async fn run(args: Args, config: &Config) -> anyhow::Result<ExitCode> {
    let store = super::open_store(config).await?;
    let Some(embedder) = open_embedder(config, Fetch::Never).await? else {
        anyhow::bail!(
            "no embedder: run `paperboy model fetch` for the default model, or set embedder = local:DIR or http:URL"
        );
    };
    let model = embedder.model_name().unwrap_or_default().to_owned();
    let waiting = store
        .backlog_len(&Backlog::Embeddings { model: &model })
        .await?;
    let (semantic, _) = open_semantic(&store, embedder).await?;
    let job = EmbeddingJob::new(store.clone(), semantic.clone());
    let label = format!("embedding ({model})");
    let done = super::run_job_by_hand(&store, &job, &label, waiting, args.limit).await?;
    println!(
        "embedded {} in {:.1}s ({:.1} papers/s); {} unchanged; {} vectors",
        count(done.progress.done, "paper", "papers"),
        done.elapsed.as_secs_f64(),
        done.rate(),
        done.progress.unchanged,
        count(
            store.embedding_count(&model).await?,
            "paper has",
            "papers have"
        )
    );
    Ok(ExitCode::SUCCESS)
}
