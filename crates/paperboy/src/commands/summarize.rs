//! `paperboy summarize`: one-sentence TL;DR summaries from the configured chat
//! endpoint for papers without `ai_summary` (the job `serve` runs in the
//! background, run by hand).

use std::process::ExitCode;
use std::time::Duration;

use anyhow::bail;
use paperboy_app::Config;
use paperboy_enrich::summary::ChatClient;
use paperboy_enrich::summary::job::{MAX_ATTEMPTS, RunOptions, SummaryJob, backlog_len};

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

/// Runs `summarize`: asks for the summaries of papers that have none, newest first,
/// with a progress bar; stops when the endpoint fails three times in a row.
pub async fn run(args: Args, config: &Config) -> anyhow::Result<ExitCode> {
    let Some(summary) = &config.summary else {
        bail!(
            "no summary endpoint: set summary_llm_url (env PAPERBOY_SUMMARY_LLM_URL) to an \
             OpenAI-compatible /v1/chat/completions URL"
        );
    };
    let client = ChatClient::new(summary.chat_options())?;
    let options = RunOptions {
        limit: args.limit,
        give_up_after: Some(GIVE_UP_AFTER),
        pause: FOREGROUND_PAUSE,
        ..RunOptions::background(summary.interval)
    };
    let store = super::open_store(config).await?;
    if args.retry_failed {
        let forgotten = store.forget_summary_failures().await?;
        eprintln!("forgot the failed attempts of {forgotten} papers");
    }
    let waiting = backlog_len(&store).await?;
    let job = SummaryJob::new(store.clone(), client, options);
    let total = args.limit.map_or(waiting, |l| l.min(waiting));
    super::run_job_by_hand(&store, &job, "summaries", total, None).await?;
    let done = job.last_round();
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
            job.client().url()
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
