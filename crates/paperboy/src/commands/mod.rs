//! One module per subcommand.

use std::process::ExitCode;

use std::time::Duration;

use anyhow::{Context, bail};
use paperboy_ingest::http::{HttpOptions, PoliteClient};
use paperboy_store::Store;

use crate::Command;
use crate::config::Settings;

pub mod backup;
pub mod config;
pub mod embed;
pub mod eval;
pub mod export;
pub mod fetch;
pub mod harvest;
pub mod harvest_schedule;
pub mod import;
pub mod model;
pub mod reindex;
pub mod serve;
pub mod stats;

/// Runs a command.
pub async fn run(command: Command, settings: Settings) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve(args) => serve::run(args, &settings).await,
        Command::Import(args) => import::run(args, &settings).await,
        Command::Embed(args) => embed::run(args, &settings).await,
        Command::Eval(args) => eval::run(args, &settings).await,
        Command::Export(args) => export::run(args, &settings).await,
        Command::Harvest(args) => harvest::run(args, &settings).await,
        Command::Fetch(args) => fetch::run(args, &settings).await,
        Command::Backup(args) => backup::run(args, &settings).await,
        Command::Stats(args) => stats::run(args, &settings).await,
        Command::Reindex(args) => reindex::run(args, &settings).await,
        Command::Config(command) => config::run(command),
        Command::Model(command) => model::run(command, &settings).await,
    }
}

/// Opens the store in the configured data directory.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    Store::open_dir(&settings.data_dir)
        .await
        .with_context(|| format!("opening the database in {}", settings.data_dir.display()))
}

/// The HTTP client for arXiv, spaced by `arxiv_request_interval_secs` and naming
/// `contact_email` in its User-Agent.
pub fn polite_client(settings: &Settings) -> anyhow::Result<PoliteClient> {
    let secs = settings.arxiv_request_interval_secs;
    if !secs.is_finite() || !(0.0..=3600.0).contains(&secs) {
        bail!("arxiv_request_interval_secs must be between 0 and 3600 seconds, not {secs}");
    }
    if settings.contact_email.trim().is_empty() {
        tracing::warn!(
            "contact_email is not set: arXiv asks clients to give a contact address \
             (set it in paperboy.toml or PAPERBOY_CONTACT_EMAIL)"
        );
    }
    Ok(PoliteClient::new(HttpOptions {
        contact_email: settings.contact_email.clone(),
        interval: Duration::from_secs_f64(secs),
        ..HttpOptions::default()
    })?)
}
