//! One module per subcommand.

use std::process::ExitCode;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use paperboy_app::{Config, LoadedSettings};
use paperboy_core::SystemClock;
use paperboy_ingest::http::PoliteClient;
use paperboy_ingest::progress::items_bar;
use paperboy_jobs::{Job, JobContext, Progress, instance_name, run_once};
use paperboy_store::{DatabaseUrl, Store};
use tokio_util::sync::CancellationToken;

use crate::Command;

pub mod backup;
pub mod config;
pub mod digest;
pub mod embed;
pub mod eval;
pub mod eval_digests;
pub mod eval_keyphrases;
pub mod export;
pub mod fetch;
pub mod harvest;
pub mod import;
pub mod keywords;
pub mod model;
pub mod outbox;
pub mod reindex;
pub mod serve;
pub mod stats;
pub mod store;
pub mod summarize;
pub mod user;

/// Runs a command with the settings `loaded`.
pub async fn run(command: Command, loaded: LoadedSettings) -> anyhow::Result<ExitCode> {
    // Checked by every command but `config`, which shows settings even when a value
    // is unusable: that is when they are needed.
    let checked = || Config::from_settings(&loaded.settings);
    match command {
        Command::Serve(args) => serve::run(args, checked()?).await,
        Command::Import(args) => import::run(args, &checked()?).await,
        Command::Embed(args) => embed::run(args, &checked()?).await,
        Command::Keywords(args) => keywords::run(args, &checked()?).await,
        Command::Summarize(args) => summarize::run(args, &checked()?).await,
        Command::Eval(args) => eval::run(args, &checked()?).await,
        Command::EvalDigests(args) => eval_digests::run(args, &checked()?).await,
        Command::EvalKeyphrases(args) => eval_keyphrases::run(args).await,
        Command::Export(args) => export::run(args, &checked()?).await,
        Command::Harvest(args) => harvest::run(args, &checked()?).await,
        Command::Fetch(args) => fetch::run(args, &checked()?).await,
        Command::Backup(args) => backup::run(args, &checked()?).await,
        Command::Stats(args) => stats::run(args, &checked()?).await,
        Command::Store(command) => store::run(command, &checked()?).await,
        Command::Reindex(args) => reindex::run(args, &checked()?).await,
        Command::Config(command) => config::run(command, &loaded),
        Command::Model(command) => model::run(command, &checked()?).await,
        Command::User(command) => user::run_user(command, &checked()?).await,
        Command::Token(command) => user::run_token(command, &checked()?).await,
        Command::Digest(command) => digest::run(command, &checked()?).await,
        Command::Outbox(command) => outbox::run(command, &checked()?).await,
    }
}

/// Opens the configured database.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    Store::connect(&config.database, config.store_options())
        .await
        .with_context(|| format!("opening the database {}", config.database))
}

/// Opens the configured database for a command that only reads it (`stats`,
/// `export`, `backup`): a SQLite file that is not there is an error saying so, not a
/// new empty database.
pub async fn open_existing_store(config: &Config) -> anyhow::Result<Store> {
    if let DatabaseUrl::Sqlite(path) = &config.database
        && !path.exists()
    {
        anyhow::bail!(
            "there is no database here: {} does not exist. Check --data-dir (or data_dir, \
             database_url); `paperboy import FILE|DIR` or `paperboy serve` creates one",
            path.display()
        );
    }
    open_store(config).await
}

/// The HTTP client for arXiv, spaced by `arxiv_request_interval_secs` and naming
/// `contact_email` in its User-Agent.
pub fn polite_client(config: &Config) -> anyhow::Result<PoliteClient> {
    if config.arxiv_http.contact_email.is_empty() {
        tracing::warn!(
            "contact_email is not set: arXiv asks clients to give a contact address \
             (set it in paperboy.toml or PAPERBOY_CONTACT_EMAIL)"
        );
    }
    Ok(PoliteClient::new(config.arxiv_http.clone())?)
}

/// What a job round run by hand did.
pub struct RoundReport {
    /// Its final progress.
    pub progress: Progress,
    /// How long it took.
    pub elapsed: Duration,
}

impl RoundReport {
    /// Items done per second.
    pub fn rate(&self) -> f64 {
        self.progress.done as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Runs one round of `job` in the foreground, as the background runner would (under
/// the job's lease, so a running server and this command never do the same work),
/// with a progress bar over `total` items labelled `label`. Ctrl-C stops it cleanly,
/// and so does reaching `stop_after` items done; what was done is kept.
pub async fn run_job_by_hand(
    store: &Store,
    job: &dyn Job,
    label: &str,
    total: u64,
    stop_after: Option<u64>,
) -> anyhow::Result<RoundReport> {
    let bar = items_bar(label, stop_after.map_or(total, |n| n.min(total)));
    let last = Arc::new(Mutex::new(Progress::default()));
    let seen = last.clone();
    let shown = bar.clone();
    let cancel = CancellationToken::new();
    let enough = cancel.clone();
    let ctx = JobContext::new(cancel.clone(), move |p: Progress| {
        shown.set_position(p.done + p.unchanged + p.failed);
        *seen.lock().unwrap_or_else(|e| e.into_inner()) = p;
        if stop_after.is_some_and(|n| p.done >= n) {
            enough.cancel();
        }
    });
    let interrupt = cancel.clone();
    let ctrl_c = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            interrupt.cancel();
        }
    });
    let started = Instant::now();
    let name = job.spec().name;
    let outcome = run_once(
        store,
        Arc::new(SystemClock),
        &instance_name(),
        job,
        &ctx,
        || {
            bar.println(format!(
                "another paperboy process is running `{name}`; waiting for it to finish or stop"
            ))
        },
    )
    .await;
    ctrl_c.abort();
    bar.finish_and_clear();
    outcome.map_err(|e| anyhow::anyhow!(e))?;
    let progress = *last.lock().unwrap_or_else(|e| e.into_inner());
    Ok(RoundReport {
        progress,
        elapsed: started.elapsed(),
    })
}
