//! `paperboy summarize`: one-sentence TL;DR summaries from the configured chat
//! endpoint for papers without `ai_summary`, and the same job in the background of
//! `serve`.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use paperboy_enrich::summary::job::{
    MAX_ATTEMPTS, RunOptions, backlog_len, follow_summaries, run_summaries,
};
use paperboy_enrich::summary::{ChatClient, ChatOptions};
use paperboy_ingest::progress::items_bar;
use paperboy_store::Store;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::Settings;

/// How often `serve` looks for new papers and expired backoffs.
const FOLLOW_INTERVAL: Duration = Duration::from_secs(60);
/// Endpoint failures in a row after which `summarize` stops.
const GIVE_UP_AFTER: u32 = 3;
/// `summarize`'s pause after an endpoint failure (doubled for the next one): short,
/// someone is waiting. A server's `Retry-After` is honoured all the same.
const FOREGROUND_PAUSE: Duration = Duration::from_secs(1);

/// Arguments of `summarize`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Try at most this many papers (newest first).
    #[arg(long, value_name = "N")]
    limit: Option<u64>,
    /// First forget earlier failed attempts, so papers given up are tried again.
    #[arg(long)]
    retry_failed: bool,
}

/// The client of the configured summary endpoint, or `None` when none is set.
fn client(settings: &Settings) -> anyhow::Result<Option<ChatClient>> {
    if settings.summary_llm_url.trim().is_empty() {
        return Ok(None);
    }
    let timeout = settings.summary_llm_timeout_secs;
    if !timeout.is_finite() || !(0.1..=3600.0).contains(&timeout) {
        bail!("summary_llm_timeout_secs must be between 0.1 and 3600 seconds, not {timeout}");
    }
    let options = ChatOptions {
        model: settings.summary_llm_model.trim().to_owned(),
        api_key: settings.summary_llm_api_key.trim().to_owned(),
        timeout: Duration::from_secs_f64(timeout),
        ..ChatOptions::new(settings.summary_llm_url.trim())
    };
    Ok(Some(
        ChatClient::new(options).context("setting summary_llm_url")?,
    ))
}

/// The background job's options: the configured rate limit, no end.
fn background_options(settings: &Settings) -> anyhow::Result<RunOptions> {
    let secs = settings.summary_llm_interval_secs;
    if !secs.is_finite() || !(0.0..=3600.0).contains(&secs) {
        bail!("summary_llm_interval_secs must be between 0 and 3600 seconds, not {secs}");
    }
    Ok(RunOptions::background(Duration::from_secs_f64(secs)))
}

/// Runs `summarize`: asks for the summaries of papers that have none, newest first,
/// with a progress bar; stops when the endpoint fails three times in a row.
pub async fn run(args: Args, settings: &Settings) -> anyhow::Result<ExitCode> {
    let Some(client) = client(settings)? else {
        bail!(
            "no summary endpoint: set summary_llm_url (env PAPERBOY_SUMMARY_LLM_URL) to an \
             OpenAI-compatible /v1/chat/completions URL"
        );
    };
    let options = RunOptions {
        limit: args.limit,
        give_up_after: Some(GIVE_UP_AFTER),
        pause: FOREGROUND_PAUSE,
        ..background_options(settings)?
    };
    let store = super::open_store(settings).await?;
    if args.retry_failed {
        let forgotten = store.forget_summary_failures().await?;
        eprintln!("forgot the failed attempts of {forgotten} papers");
    }
    let waiting = backlog_len(&store).await?;
    let bar = items_bar("summaries", args.limit.map_or(waiting, |l| l.min(waiting)));
    let (_stop_tx, stop) = watch::channel(false);
    let done = run_summaries(&store, &client, &options, &stop, &|p| {
        bar.set_position(p.made + p.failed)
    })
    .await?;
    bar.finish_and_clear();
    let counts = store.summary_counts(MAX_ATTEMPTS).await?;
    println!(
        "made {} summaries, {} attempts failed; in all {} made, {} to retry later, {} given up \
         after {MAX_ATTEMPTS} attempts (`summarize --retry-failed` tries them again)",
        done.made, done.failed, counts.made, counts.retrying, counts.given_up
    );
    if let Some(failure) = &done.last_failure {
        eprintln!("last failure: {failure}");
    }
    if done.endpoint_down {
        eprintln!(
            "error: the summary endpoint {} failed {GIVE_UP_AFTER} times in a row; stopped",
            client.url()
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Starts the job in the background of `serve` when a summary endpoint is set; it
/// pauses while the endpoint fails and ends when `stop` turns true.
pub fn spawn(
    settings: &Settings,
    store: Store,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<Option<JoinHandle<()>>> {
    let Some(client) = client(settings)? else {
        return Ok(None);
    };
    tracing::info!("summaries from {}", client.url());
    let options = background_options(settings)?;
    Ok(Some(tokio::spawn(follow_summaries(
        store,
        client,
        options,
        FOLLOW_INTERVAL,
        stop,
    ))))
}
