//! The `digests` job: each confirmed subscriber's digest at their hour, and
//! [`deliver`], which `paperboy digest run` shares with it.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use paperboy_core::Frequency;
use paperboy_core::digest::LINK_KEY;
use paperboy_jobs::{BoxFuture, Job, JobContext, JobError, JobSpec, Outcome, Progress, Scope};
use paperboy_store::{DigestRecord, Store, StoreError, Subscription};

use super::{DigestPeriod, DigestSite, PeriodPool, VectorSpace, compose, digest_mail, due_day};

/// What became of one subscriber's digest of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestOutcome {
    /// Composed, recorded and its email queued.
    Queued,
    /// Composed and recorded, but empty: nothing is sent.
    Empty,
    /// The subscriber had this period's digest already: nothing was written.
    DoneBefore,
}

/// Composes `subscription`'s digest of `pool`'s period and records it with its
/// email in one transaction, unless they had that period's digest already.
pub async fn deliver(
    store: &Store,
    site: &DigestSite,
    pool: &PeriodPool,
    subscription: &Subscription,
) -> Result<DigestOutcome, StoreError> {
    let period = pool.period();
    if store.had_digest(&subscription.id, &period.name).await? {
        return Ok(DigestOutcome::DoneBefore);
    }
    let digest = compose(store, pool, subscription).await?;
    let mail = (!digest.is_empty()).then(|| digest_mail(site, subscription, &digest));
    let ids = digest.paper_ids();
    let record = DigestRecord {
        subscription_id: &subscription.id,
        period: &period.name,
        until_day: period.until,
        papers: &ids,
        mail: mail.as_ref(),
    };
    Ok(
        match (store.record_digest(&record).await?, mail.is_some()) {
            (false, _) => DigestOutcome::DoneBefore,
            (true, true) => DigestOutcome::Queued,
            (true, false) => DigestOutcome::Empty,
        },
    )
}

/// Sends each confirmed subscriber's digest at their hour: every few minutes it
/// composes and queues the digests that came due (the outbox job sends them). Runs
/// once per cluster; the one-row-per-period record keeps a digest from being made
/// twice even by a hand run at the same time.
#[derive(Debug)]
pub struct DigestJob {
    store: Store,
    name: String,
    base_url: String,
    space: Arc<OnceLock<VectorSpace>>,
}

impl DigestJob {
    /// A job for the site `name` whose links start with `base_url`; "for you"
    /// sections appear once `space` is set (when semantic search has started).
    pub fn new(
        store: Store,
        name: &str,
        base_url: &str,
        space: Arc<OnceLock<VectorSpace>>,
    ) -> Self {
        Self {
            store,
            name: name.to_owned(),
            base_url: base_url.trim_end_matches('/').to_owned(),
            space,
        }
    }

    /// One round: queues every digest due now; returns how many.
    pub async fn run_round(&self, ctx: &JobContext) -> Result<u64, StoreError> {
        let site = DigestSite {
            name: self.name.clone(),
            base_url: self.base_url.clone(),
            link_key: self.store.site_key(LINK_KEY).await?,
        };
        let now = self.store.clock().now();
        let mut pools: HashMap<String, PeriodPool> = HashMap::new();
        let mut queued = 0;
        for frequency in [Frequency::Daily, Frequency::Weekly] {
            for subscription in self.store.active_subscriptions(frequency).await? {
                if ctx.is_cancelled() {
                    return Ok(queued);
                }
                let Some(day) = due_day(&subscription.prefs, now) else {
                    continue;
                };
                let period = DigestPeriod::ending(frequency, day);
                if self
                    .store
                    .had_digest(&subscription.id, &period.name)
                    .await?
                {
                    continue;
                }
                let pool = match pools.entry(period.name.clone()) {
                    std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
                    std::collections::hash_map::Entry::Vacant(entry) => {
                        let space = self.space.get().cloned();
                        entry.insert(PeriodPool::load(&self.store, period, space).await?)
                    }
                };
                if deliver(&self.store, &site, pool, &subscription).await? == DigestOutcome::Queued
                {
                    queued += 1;
                }
            }
        }
        ctx.report(Progress {
            done: queued,
            ..Progress::default()
        });
        Ok(queued)
    }
}

impl Job for DigestJob {
    fn spec(&self) -> JobSpec {
        JobSpec::new("digests", Scope::Cluster, Duration::from_secs(300))
    }

    fn run<'a>(&'a self, ctx: &'a JobContext) -> BoxFuture<'a, Result<Outcome, JobError>> {
        Box::pin(async move {
            self.run_round(ctx).await?;
            Ok(Outcome::Idle)
        })
    }
}
