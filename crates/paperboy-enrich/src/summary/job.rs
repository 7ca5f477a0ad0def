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

use paperboy_jobs::{BoxFuture, Job, JobContext, JobError, JobSpec, Outcome, Progress, Scope};
use paperboy_store::{Backlog, BacklogPosition, BacklogTask, Store};
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
/// the endpoint failed `options.give_up_after` times in a row, or `ctx` is
/// cancelled. Reports progress after every paper.
pub async fn run_summaries(
    store: &Store,
    client: &ChatClient,
    options: &RunOptions,
    ctx: &JobContext,
) -> Result<SummaryProgress> {
    let progress = |done: &SummaryProgress| {
        ctx.report(Progress {
            done: done.made,
            unchanged: 0,
            failed: done.failed,
        })
    };
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
                || !ctx
                    .sleep(next_request.saturating_duration_since(Instant::now()))
                    .await
            {
                break 'walk;
            }
            next_request = Instant::now() + options.interval;
            let answer = tokio::select! {
                answer = client.summarize(&task.title, &task.summary) => answer,
                // Stopping abandons the request; the paper is simply tried next time.
                _ = ctx.cancelled() => break 'walk,
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

/// The summary job: one instance of the cluster asks the endpoint, one request at
/// a time, no faster than the configured interval; it pauses while the endpoint
/// fails.
pub struct SummaryJob {
    store: Store,
    client: ChatClient,
    options: RunOptions,
    last_round: std::sync::Mutex<SummaryProgress>,
}

impl SummaryJob {
    /// The job asking `client`, as `options` say.
    pub fn new(store: Store, client: ChatClient, options: RunOptions) -> Self {
        Self {
            store,
            client,
            options,
            last_round: std::sync::Mutex::default(),
        }
    }

    /// What the last round did.
    pub fn last_round(&self) -> SummaryProgress {
        self.last_round
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The endpoint.
    pub fn client(&self) -> &ChatClient {
        &self.client
    }
}

/// How often the job looks for new papers and expired backoffs.
const INTERVAL: Duration = Duration::from_secs(60);

impl Job for SummaryJob {
    fn spec(&self) -> JobSpec {
        JobSpec::new("summaries", Scope::Cluster, INTERVAL)
    }

    fn run<'a>(&'a self, ctx: &'a JobContext) -> BoxFuture<'a, Result<Outcome, JobError>> {
        Box::pin(async move {
            let done = run_summaries(&self.store, &self.client, &self.options, ctx).await?;
            *self.last_round.lock().unwrap_or_else(|e| e.into_inner()) = done;
            Ok(Outcome::Idle)
        })
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
