//! paperboy's one way to run background work.
//!
//! A [`Job`] does its work in rounds ([`Job::run`]); the [`Runner`] starts each job
//! in a task, runs its rounds, waits between them as the round's [`Outcome`] says,
//! backs off after failures, and stops every job on one cancellation token. Jobs of
//! [`Scope::Cluster`] (harvests, the embedding backlog, key phrases, summaries, the
//! mail outbox) run on one instance at a time: the one holding the job's lease in
//! the database. [`run_once`] runs one round in the foreground under the same lease,
//! for the commands that do a job's work by hand (`paperboy embed`).

mod job;
mod lease;
mod progress_log;
mod runner;

use std::sync::Arc;
use std::time::Duration;

use paperboy_core::Clock;
use paperboy_store::Store;

pub use job::{BoxFuture, Job, JobContext, JobError, JobSpec, Outcome, Progress, Scope};
pub use progress_log::{ProgressLog, progress_line};
pub use runner::{JobStatus, Runner, backoff};

use lease::Lease;

/// How long a lease lasts unless renewed; a dead instance's cluster jobs are taken
/// over this long after it stopped renewing.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);

/// Runs one round of `job` here and now (for a command), holding the job's lease
/// under the name `holder` while it runs. When another process holds the lease,
/// `waiting` is called once and the lease is waited for.
pub async fn run_once(
    store: &Store,
    clock: Arc<dyn Clock>,
    holder: &str,
    job: &dyn Job,
    ctx: &JobContext,
    waiting: impl FnOnce(),
) -> Result<Outcome, JobError> {
    let spec = job.spec();
    if spec.scope == Scope::Instance {
        return job.run(ctx).await;
    }
    let lease = Lease::new(
        store.clone(),
        clock,
        spec.name,
        holder.to_owned(),
        DEFAULT_LEASE,
    );
    let mut waiting = Some(waiting);
    while lease.claim().await?.is_none() {
        if let Some(say) = waiting.take() {
            say();
        }
        if !ctx.sleep(lease.length() / 6).await {
            return Ok(Outcome::Idle);
        }
    }
    let result = lease.hold_while(job.run(ctx), ctx.token()).await;
    lease.release().await;
    result
}

/// A name for this process that no other instance of the cluster has: host name,
/// process id and a few random bits.
pub fn instance_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "host".to_owned());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{host}:{}:{:06x}", std::process::id(), nanos & 0xff_ffff)
}
