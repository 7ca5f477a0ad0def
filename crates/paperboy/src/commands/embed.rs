//! `paperboy embed`: run the embedding backlog to completion.

use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use paperboy_ingest::progress::items_bar;
use paperboy_search::backlog::run_backlog;

use crate::config::Settings;
use crate::semantic::{Fetch, open_embedder, open_semantic};

/// Arguments of `embed`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `embed`: embeds every paper without an up-to-date vector, newest first, with
/// a progress bar and a rate. Safe to interrupt and run again.
pub async fn run(_args: Args, settings: &Settings) -> anyhow::Result<ExitCode> {
    let store = super::open_store(settings).await?;
    let Some(embedder) = open_embedder(settings, Fetch::Never).await? else {
        anyhow::bail!(
            "no embedder: run `paperboy model fetch` for the default model, or set embedder = local:DIR or http:URL"
        );
    };
    let model = embedder.model_name().unwrap_or_default().to_owned();
    let waiting = store
        .backlog_len(&paperboy_store::Backlog::Embeddings { model: &model })
        .await?;
    let semantic = open_semantic(&store, embedder).await?;
    let bar = items_bar(&format!("embedding ({model})"), waiting);
    let stop = AtomicBool::new(false);
    let done = run_backlog(&store, &semantic, &stop, &|p| {
        bar.set_position(p.embedded + p.unchanged)
    })
    .await?;
    bar.finish_and_clear();
    println!(
        "embedded {} papers in {:.1}s ({:.1} papers/s); {} unchanged; {} papers have vectors",
        done.embedded,
        done.seconds,
        done.rate(),
        done.unchanged,
        semantic.len()
    );
    Ok(ExitCode::SUCCESS)
}
