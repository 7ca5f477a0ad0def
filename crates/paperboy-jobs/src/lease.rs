//! [`Lease`]: this instance's hold on a cluster job.

use std::sync::Arc;
use std::time::Duration;

use paperboy_core::Clock;
use paperboy_store::{JobClaim, Store, StoreError};
use tokio_util::sync::CancellationToken;

use crate::{BoxFuture, JobError, Outcome};

/// One job's lease for one holder.
pub(crate) struct Lease {
    store: Store,
    clock: Arc<dyn Clock>,
    name: String,
    holder: String,
    length: Duration,
}

/// Milliseconds since the epoch by `clock`.
pub(crate) fn now_ms(clock: &dyn Clock) -> i64 {
    clock.now().as_millisecond()
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

impl Lease {
    pub(crate) fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        name: String,
        holder: String,
        length: Duration,
    ) -> Self {
        Self {
            store,
            clock,
            name,
            holder,
            length,
        }
    }

    /// How long a lease lasts unless renewed.
    pub(crate) fn length(&self) -> Duration {
        self.length
    }

    /// Takes or renews the lease; `None` while another holder has it.
    pub(crate) async fn claim(&self) -> Result<Option<JobClaim>, StoreError> {
        let now = now_ms(&*self.clock);
        self.store
            .claim_job(
                &self.name,
                &self.holder,
                now,
                now.saturating_add(millis(self.length)),
            )
            .await
    }

    /// Runs `run` while renewing the lease every third of its length. A lost lease
    /// (this instance stalled past it and another took the job over) cancels
    /// `round`, and the round is awaited to its end.
    pub(crate) async fn hold_while(
        &self,
        run: BoxFuture<'_, Result<Outcome, JobError>>,
        round: &CancellationToken,
    ) -> Result<Outcome, JobError> {
        tokio::pin!(run);
        loop {
            tokio::select! {
                result = &mut run => return result,
                _ = tokio::time::sleep(self.length / 3), if !round.is_cancelled() => {
                    match self.claim().await {
                        Ok(Some(_)) => {}
                        Ok(None) => {
                            tracing::warn!(
                                job = %self.name,
                                "lost the job's lease to another instance; stopping this round"
                            );
                            round.cancel();
                        }
                        // The database is away: the round will likely fail on it too;
                        // if not, the next renewal may succeed.
                        Err(e) => tracing::debug!(job = %self.name, "cannot renew the lease: {e}"),
                    }
                }
            }
        }
    }

    /// Records the end of a round and when the job should run next.
    pub(crate) async fn finished(&self, next_in: Duration, error: Option<&str>) {
        let now = now_ms(&*self.clock);
        let next = now.saturating_add(millis(next_in));
        if let Err(e) = self
            .store
            .finish_job_run(&self.name, &self.holder, now, next, error)
            .await
        {
            tracing::debug!(job = %self.name, "cannot record the round: {e}");
        }
    }

    /// Gives the lease up.
    pub(crate) async fn release(&self) {
        if let Err(e) = self.store.release_job(&self.name, &self.holder).await {
            tracing::debug!(job = %self.name, "cannot release the lease: {e}");
        }
    }
}
