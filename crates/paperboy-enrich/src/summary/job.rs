//! The summary job: ask the chat endpoint for a TL;DR of every paper that has no
//! `ai_summary`, newest first, one request at a time and no faster than the
//! configured interval.
//!
//! A made summary is stored and final. A failure is recorded against the paper,
//! which waits out a growing backoff and is given up after [`MAX_ATTEMPTS`]. A
//! failing endpoint (no connection, timeouts, 429, 5xx, refusals) also pauses the
//! whole job, longer after each failure in a row, so a dead server is asked about
//! once per pause, not once per paper.

use std::time::Duration;

use paperboy_store::{Backlog, BacklogPosition, BacklogTask, Store};
use tokio::sync::watch;
use tokio::time::Instant;

use super::client::{ChatClient, ChatFailure};
use crate::Result;

/// Failed attempts after which a paper is given up.
pub const MAX_ATTEMPTS: u32 = 4;
/// The papers this job summarises.
const BACKLOG: Backlog<'static> = Backlog::Summaries {
    max_attempts: MAX_ATTEMPTS,
};
/// Papers read from the backlog at a time.
const BATCH: u32 = 50;
/// A paper's first retry waits this long; each further one four times longer.
const PAPER_BACKOFF: Duration = Duration::from_secs(10 * 60);
/// The longest a paper waits between attempts.
const PAPER_BACKOFF_MAX: Duration = Duration::from_secs(24 * 3600);
/// The longest pause after endpoint failures.
const PAUSE_MAX: Duration = Duration::from_secs(30 * 60);

/// How a run goes about its work.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Least time between the starts of two requests.
    pub interval: Duration,
    /// Stop after this many papers were tried.
    pub limit: Option<u64>,
    /// Stop after this many endpoint failures in a row (`None`: pause and go on).
    pub give_up_after: Option<u32>,
    /// The pause after an endpoint failure; doubled per failure in a row.
    pub pause: Duration,
}

impl RunOptions {
    /// For the background: go on through failures, pausing 30 s, then longer.
    pub fn background(interval: Duration) -> Self {
        Self {
            interval,
            limit: None,
            give_up_after: None,
            pause: Duration::from_secs(30),
        }
    }
}

/// Progress of a run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SummaryProgress {
    /// Summaries made and stored.
    pub made: u64,
    /// Papers whose attempt failed.
    pub failed: u64,
    /// The last failure, if any.
    pub last_failure: Option<String>,
    /// The run stopped because the endpoint kept failing.
    pub endpoint_down: bool,
}

/// Papers a run would try now.
pub async fn backlog_len(store: &Store) -> Result<u64> {
    Ok(store.backlog_len(&BACKLOG).await?)
}

/// How long a paper waits after its `attempts`-th failure.
pub fn paper_backoff(attempts: u32) -> Duration {
    let factor = 4u32.saturating_pow(attempts.saturating_sub(1));
    PAPER_BACKOFF.saturating_mul(factor).min(PAPER_BACKOFF_MAX)
}

/// How long the job pauses after `failures` endpoint failures in a row, starting
/// from `first`, or as long as the server asked.
pub fn pause(first: Duration, failures: u32, retry_after: Option<Duration>) -> Duration {
    retry_after.unwrap_or_else(|| {
        let factor = 2u32.saturating_pow(failures.saturating_sub(1));
        first.saturating_mul(factor).min(PAUSE_MAX)
    })
}

/// Summarises the backlog until it is empty, `options.limit` papers were tried,
/// the endpoint failed `options.give_up_after` times in a row, or `stop` turns true.
/// `progress` is called after every paper.
pub async fn run_summaries(
    store: &Store,
    client: &ChatClient,
    options: &RunOptions,
    stop: &watch::Receiver<bool>,
    progress: &(dyn Fn(&SummaryProgress) + Sync),
) -> Result<SummaryProgress> {
    let mut done = SummaryProgress::default();
    let mut position = BacklogPosition::start();
    let mut next_request = Instant::now();
    let mut failures_in_a_row = 0;
    'walk: loop {
        let tasks = store.backlog(&BACKLOG, &position, BATCH).await?;
        let Some(last) = tasks.last() else { break };
        position = last.position.clone();
        for task in &tasks {
            if options
                .limit
                .is_some_and(|limit| done.made + done.failed >= limit)
                || !sleep_until(next_request, stop).await
            {
                break 'walk;
            }
            next_request = Instant::now() + options.interval;
            let answer = tokio::select! {
                answer = client.summarize(&task.title, &task.summary) => answer,
                // Stopping abandons the request; the paper is simply tried next time.
                _ = stopped(stop) => break 'walk,
            };
            match answer {
                Ok(summary) => {
                    store
                        .save_summary(&task.id, &summary.model, &summary.text)
                        .await?;
                    done.made += 1;
                    failures_in_a_row = 0;
                }
                Err(failure) => {
                    record(store, client, task, &failure, &mut done).await?;
                    if let ChatFailure::BadAnswer { .. } = failure {
                        progress(&done);
                        continue;
                    }
                    failures_in_a_row += 1;
                    if options
                        .give_up_after
                        .is_some_and(|n| failures_in_a_row >= n)
                    {
                        done.endpoint_down = true;
                        break 'walk;
                    }
                    let retry_after = match failure {
                        ChatFailure::Unavailable { retry_after, .. } => retry_after,
                        _ => None,
                    };
                    let wait = pause(options.pause, failures_in_a_row, retry_after);
                    tracing::warn!(
                        "summary endpoint {} failed ({}); pausing {}s",
                        client.url(),
                        failure.detail(),
                        wait.as_secs()
                    );
                    next_request = Instant::now() + wait;
                }
            }
            progress(&done);
        }
    }
    Ok(done)
}

async fn record(
    store: &Store,
    client: &ChatClient,
    task: &BacklogTask,
    failure: &ChatFailure,
    done: &mut SummaryProgress,
) -> Result<()> {
    let attempts = store
        .record_summary_failure(
            &task.id,
            client.model_label(),
            failure.detail(),
            paper_backoff,
        )
        .await?;
    if attempts >= MAX_ATTEMPTS {
        tracing::info!(
            "giving up the summary of {} after {attempts} attempts: {}",
            task.id,
            failure.detail()
        );
    }
    done.failed += 1;
    done.last_failure = Some(format!("{}: {}", task.id, failure.detail()));
    Ok(())
}

/// Waits until `at`; false when `stop` turned true first.
async fn sleep_until(at: Instant, stop: &watch::Receiver<bool>) -> bool {
    if *stop.borrow() {
        return false;
    }
    tokio::select! {
        _ = tokio::time::sleep_until(at) => true,
        _ = stopped(stop) => false,
    }
}

/// Resolves when `stop` turns true or its sender is gone.
async fn stopped(stop: &watch::Receiver<bool>) {
    let _ = stop.clone().wait_for(|stopped| *stopped).await;
}

/// Runs the job now and then forever (for `serve`): after each run, waits
/// `interval` and looks again (papers arrive, backoffs expire), until `stop`.
pub async fn follow_summaries(
    store: Store,
    client: ChatClient,
    options: RunOptions,
    interval: Duration,
    stop: watch::Receiver<bool>,
) {
    loop {
        match run_summaries(&store, &client, &options, &stop, &|_| {}).await {
            Ok(p) if p.made + p.failed > 0 => {
                tracing::info!(made = p.made, failed = p.failed, "summarised papers")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!("summary job failed, retrying later: {e}"),
        }
        if !sleep_until(Instant::now() + interval, &stop).await {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoffs_grow_and_are_capped() {
        assert_eq!(paper_backoff(1), Duration::from_secs(600));
        assert_eq!(paper_backoff(2), Duration::from_secs(2400));
        assert_eq!(paper_backoff(30), PAPER_BACKOFF_MAX);
        let first = Duration::from_secs(30);
        assert_eq!(pause(first, 1, None), first);
        assert_eq!(pause(first, 3, None), Duration::from_secs(120));
        assert_eq!(pause(first, 40, None), PAUSE_MAX);
        let asked = Some(Duration::from_secs(2));
        assert_eq!(pause(first, 5, asked), Duration::from_secs(2));
    }
}
