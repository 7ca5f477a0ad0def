//! What a job is: a name, where it runs, how often, and one round of work.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

/// A boxed future that can be sent between threads.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why a round failed.
pub type JobError = Box<dyn std::error::Error + Send + Sync>;

/// Where a job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// On every instance: it keeps something of the instance's own current (its
    /// keyword index, its vectors in memory).
    Instance,
    /// On one instance of the cluster at a time, the one holding the job's lease:
    /// work whose result lands in the shared database (embeddings, harvests, key
    /// phrases, summaries, mail).
    Cluster,
}

/// How a round ended, and so when the next one starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// More work is waiting: go again at once.
    Busy,
    /// Nothing (more) to do: look again after the job's interval.
    Idle,
    /// Go again after this long (a schedule, or an upstream that asked for a pause).
    After(Duration),
}

/// What a round has done so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Progress {
    /// Items done (embedded, extracted, summarised, harvested).
    pub done: u64,
    /// Items looked at and found current.
    pub unchanged: u64,
    /// Items whose attempt failed.
    pub failed: u64,
}

/// What the runner needs to know of a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSpec {
    /// A stable name: the lease's key, and the label in logs and status.
    pub name: String,
    /// Where it runs.
    pub scope: Scope,
    /// How long to wait after an [`Outcome::Idle`] round.
    pub interval: Duration,
}

impl JobSpec {
    /// A job named `name` running in `scope`, looking again every `interval`.
    pub fn new(name: impl Into<String>, scope: Scope, interval: Duration) -> Self {
        Self {
            name: name.into(),
            scope,
            interval,
        }
    }
}

/// Background work that runs in rounds.
pub trait Job: Send + Sync + 'static {
    /// Its name, scope and interval.
    fn spec(&self) -> JobSpec;
    /// One round: do what there is to do, check `ctx` between steps, report
    /// progress. A round cut short by cancellation simply returns; its work is
    /// resumable (what was committed stays, the rest is found again next round).
    fn run<'a>(&'a self, ctx: &'a JobContext) -> BoxFuture<'a, Result<Outcome, JobError>>;
}

/// What a round can see of the runner: whether to stop, and where to report.
#[derive(Clone)]
pub struct JobContext {
    cancel: CancellationToken,
    report: Arc<dyn Fn(Progress) + Send + Sync>,
}

impl std::fmt::Debug for JobContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobContext")
            .field("cancelled", &self.cancel.is_cancelled())
            .finish_non_exhaustive()
    }
}

impl JobContext {
    /// A context stopped by `cancel`, reporting to `report` (a progress bar, the
    /// runner's status).
    pub fn new(
        cancel: CancellationToken,
        report: impl Fn(Progress) + Send + Sync + 'static,
    ) -> Self {
        Self {
            cancel,
            report: Arc::new(report),
        }
    }

    /// A context stopped by `cancel` that reports nowhere.
    pub fn quiet(cancel: CancellationToken) -> Self {
        Self::new(cancel, |_| {})
    }

    /// True once the round should stop.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// Resolves when the round should stop: race long waits against it.
    pub async fn cancelled(&self) {
        self.cancel.cancelled().await;
    }

    /// Sleeps `duration`; false when cancelled first.
    pub async fn sleep(&self, duration: Duration) -> bool {
        tokio::select! {
            _ = tokio::time::sleep(duration) => true,
            _ = self.cancel.cancelled() => false,
        }
    }

    /// The token, for work that passes it on.
    pub fn token(&self) -> &CancellationToken {
        &self.cancel
    }

    /// Reports the round's progress so far.
    pub fn report(&self, progress: Progress) {
        (self.report)(progress);
    }
}
