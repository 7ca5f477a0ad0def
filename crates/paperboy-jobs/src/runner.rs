//! [`Runner`]: runs every job of an instance in its own task until shutdown.
//!
//! An instance job runs round after round. A cluster job runs only while this
//! instance holds its lease ([`Lease`]); the lease is renewed while a round runs and
//! while the job waits, a lost lease cancels the round, and the job's schedule
//! (`next_run_ms`) lives in the database so that whichever instance holds the lease
//! keeps it. A failed round (the database down, an upstream failing) backs off
//! exponentially and tries again; nothing needs a restart.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use paperboy_core::Clock;
use paperboy_store::Store;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::lease::{Lease, now_ms};
use crate::{Job, JobContext, Outcome, Progress, Scope};

/// The first pause after a failed round; it doubles per failure in a row.
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// The longest pause after failures.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// What a job is doing, for status pages and `/metrics`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct JobStatus {
    /// The job.
    pub name: String,
    /// Where it runs.
    pub scope: Scope,
    /// `running`, `waiting`, `standby` (another instance holds the lease) or
    /// `failing`.
    pub state: &'static str,
    /// Rounds finished on this instance.
    pub rounds: u64,
    /// Failed rounds in a row.
    pub failures: u32,
    /// The last failure.
    pub last_error: Option<String>,
    /// The running (or last) round's progress.
    pub progress: Progress,
}

type Statuses = Arc<Mutex<BTreeMap<String, JobStatus>>>;

/// Runs jobs in the background until [`Runner::shutdown`]. Cheap to clone: every
/// clone starts jobs on the same runner.
#[derive(Clone)]
pub struct Runner {
    store: Store,
    clock: Arc<dyn Clock>,
    holder: Arc<str>,
    lease: Duration,
    cancel: CancellationToken,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
    statuses: Statuses,
}

impl std::fmt::Debug for Runner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("holder", &self.holder)
            .finish_non_exhaustive()
    }
}

impl Runner {
    /// A runner for the instance named `holder` (unique in the cluster), taking
    /// leases of length `lease` in `store` and telling time (for leases) by `clock`.
    pub fn new(store: Store, clock: Arc<dyn Clock>, holder: &str, lease: Duration) -> Self {
        Self {
            store,
            clock,
            holder: holder.into(),
            lease,
            cancel: CancellationToken::new(),
            tasks: Arc::default(),
            statuses: Arc::default(),
        }
    }

    /// The instance name leases are held under.
    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// Starts `job`, unless the runner is shutting down.
    pub fn spawn(&self, job: Arc<dyn Job>) {
        if self.cancel.is_cancelled() {
            return;
        }
        let driver = Driver::new(job, self);
        lock(&self.tasks).push(tokio::spawn(driver.drive()));
    }

    /// Every job's status, by name.
    pub fn statuses(&self) -> Vec<JobStatus> {
        lock(&self.statuses).values().cloned().collect()
    }

    /// A token that is cancelled at shutdown, for tasks that live as long as the
    /// jobs do.
    pub fn token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Stops every job at once, leases held and all: what a crashed instance leaves
    /// behind (for tests of failover).
    pub fn abort(&self) {
        for task in lock(&self.tasks).iter() {
            task.abort();
        }
    }

    /// Cancels every job, waits for the running rounds to stop, and releases the
    /// leases held, so that other instances take over at once.
    pub async fn shutdown(&self) {
        self.cancel.cancel();
        loop {
            let tasks = std::mem::take(&mut *lock(&self.tasks));
            if tasks.is_empty() {
                break;
            }
            for task in tasks {
                let _ = task.await;
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// The loop of one job.
struct Driver {
    job: Arc<dyn Job>,
    name: String,
    interval: Duration,
    lease: Option<Lease>,
    clock: Arc<dyn Clock>,
    cancel: CancellationToken,
    statuses: Statuses,
}

impl Driver {
    fn new(job: Arc<dyn Job>, runner: &Runner) -> Self {
        let spec = job.spec();
        let name = spec.name.clone();
        let lease = (spec.scope == Scope::Cluster).then(|| {
            Lease::new(
                runner.store.clone(),
                runner.clock.clone(),
                name.clone(),
                runner.holder.to_string(),
                runner.lease,
            )
        });
        lock(&runner.statuses).insert(
            name.clone(),
            JobStatus {
                name: name.clone(),
                scope: spec.scope,
                state: "waiting",
                rounds: 0,
                failures: 0,
                last_error: None,
                progress: Progress::default(),
            },
        );
        Self {
            job,
            name,
            interval: spec.interval,
            lease,
            clock: runner.clock.clone(),
            cancel: runner.cancel.clone(),
            statuses: runner.statuses.clone(),
        }
    }

    fn set(&self, update: impl FnOnce(&mut JobStatus)) {
        if let Some(status) = lock(&self.statuses).get_mut(&self.name) {
            update(status);
        }
    }

    async fn drive(self) {
        let mut failures = 0u32;
        while !self.cancel.is_cancelled() {
            let wait = match &self.lease {
                None => self.round(&mut failures).await,
                Some(lease) => match lease.claim().await {
                    Ok(None) => {
                        self.set(|s| s.state = "standby");
                        lease.length() / 2
                    }
                    Ok(Some(claim)) if claim.next_run_ms > now_ms(&*self.clock) => {
                        let due = claim.next_run_ms - now_ms(&*self.clock);
                        self.set(|s| s.state = "waiting");
                        Duration::from_millis(u64::try_from(due).unwrap_or(0))
                            .min(lease.length() / 3)
                    }
                    // The schedule is in the database: wake in time to renew the lease.
                    Ok(Some(_)) => self.round(&mut failures).await.min(lease.length() / 3),
                    Err(e) => self.failed(&mut failures, &e.to_string()),
                },
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.cancel.cancelled() => {}
            }
        }
        if let Some(lease) = &self.lease {
            lease.release().await;
        }
    }

    /// Runs one round (keeping the lease meanwhile) and returns how long to wait.
    async fn round(&self, failures: &mut u32) -> Duration {
        self.set(|s| {
            s.state = "running";
            s.progress = Progress::default();
        });
        let round_cancel = self.cancel.child_token();
        let statuses = self.statuses.clone();
        let name = self.name.clone();
        let ctx = JobContext::new(round_cancel.clone(), move |progress| {
            if let Some(status) = lock(&statuses).get_mut(&name) {
                status.progress = progress;
            }
        });
        let run = self.job.run(&ctx);
        let result = match &self.lease {
            None => run.await,
            Some(lease) => lease.hold_while(run, &round_cancel).await,
        };
        let outcome = match result {
            Ok(outcome) => outcome,
            Err(e) => {
                let wait = self.failed(failures, &e.to_string());
                if let Some(lease) = &self.lease {
                    lease.finished(wait, Some(&e.to_string())).await;
                }
                return wait;
            }
        };
        if *failures > 0 {
            tracing::info!(job = %self.name, "job recovered");
        }
        *failures = 0;
        let wait = match outcome {
            Outcome::Busy => Duration::ZERO,
            Outcome::Idle => self.interval,
            Outcome::After(wait) => wait,
        };
        self.set(|s| {
            s.state = "waiting";
            s.rounds += 1;
            s.failures = 0;
            s.last_error = None;
        });
        if let Some(lease) = &self.lease {
            lease.finished(wait, None).await;
        }
        wait
    }

    /// Records a failure; returns the backoff.
    fn failed(&self, failures: &mut u32, error: &str) -> Duration {
        *failures = failures.saturating_add(1);
        let wait = backoff(*failures);
        // The first failure of a series is a warning; repeats of it are quieter.
        if *failures == 1 {
            tracing::warn!(job = %self.name, "job failed, retrying in {}s: {error}", wait.as_secs());
        } else {
            tracing::debug!(job = %self.name, failures = *failures, "job failed again: {error}");
        }
        let failures = *failures;
        self.set(|s| {
            s.state = "failing";
            s.failures = failures;
            s.last_error = Some(error.to_owned());
        });
        wait
    }
}

/// The pause after `failures` failed rounds in a row.
pub fn backoff(failures: u32) -> Duration {
    let factor = 2u32.saturating_pow(failures.saturating_sub(1));
    FIRST_BACKOFF.saturating_mul(factor).min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_secs(1));
        assert_eq!(backoff(4), Duration::from_secs(8));
        assert_eq!(backoff(40), MAX_BACKOFF);
    }
}
