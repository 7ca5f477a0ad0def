//! The `digests` job: each confirmed subscriber's digest at their hour, and
//! [`deliver`], which `paperboy digest run` shares with it.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use paperboy_core::digest::LINK_KEY;
use paperboy_core::{Frequency, Mail};
use paperboy_jobs::{BoxFuture, Job, JobContext, JobError, JobSpec, Outcome, Progress, Scope};
use paperboy_store::{DigestRecord, Store, StoreError, Subscription};

use super::{
    Digest, DigestPeriod, DigestSite, PeriodPool, Readers, VectorSpace, compose, digest_mail,
    due_day,
};

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

/// A composed digest and its email (`None` when empty).
type Composed = (Digest, Option<Mail>);

/// Composes the digests of `subscriptions` (of one period) on every core.
pub fn compose_all(
    site: &DigestSite,
    pool: &PeriodPool,
    readers: &Readers,
    subscriptions: &[Subscription],
) -> Vec<Composed> {
    let one = |subscription: &Subscription| {
        let digest = compose(pool, readers, subscription);
        let mail = (!digest.is_empty()).then(|| digest_mail(site, subscription, &digest));
        (digest, mail)
    };
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let chunk = subscriptions.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = subscriptions
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(one).collect::<Vec<_>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().unwrap_or_default())
            .collect()
    })
}

/// Composes the digests of `subscriptions` of `pool`'s period and records each with
/// its email in one transaction (those who had that period's digest already are
/// skipped). Returns what became of each, in order.
pub async fn deliver(
    store: &Store,
    site: &DigestSite,
    pool: &PeriodPool,
    subscriptions: &[Subscription],
) -> Result<Vec<DigestOutcome>, StoreError> {
    let period = pool.period();
    let ids: Vec<&str> = subscriptions.iter().map(|s| s.id.as_str()).collect();
    let done = store.had_digests(&ids, &period.name).await?;
    let due: Vec<Subscription> = subscriptions
        .iter()
        .filter(|s| !done.contains(&s.id))
        .cloned()
        .collect();
    let readers = Readers::load(store, pool, &due).await?;
    let composed = compose_all(site, pool, &readers, &due);
    let mut outcomes = vec![DigestOutcome::DoneBefore; done.len()];
    for (subscription, (digest, mail)) in due.iter().zip(composed) {
        outcomes.push(record(store, subscription, &digest, mail.as_ref()).await?);
    }
    Ok(outcomes)
}

/// Records `digest` of `subscription` with its `mail`.
async fn record(
    store: &Store,
    subscription: &Subscription,
    digest: &Digest,
    mail: Option<&Mail>,
) -> Result<DigestOutcome, StoreError> {
    let period = &digest.period;
    let ids = digest.paper_ids();
    let record = DigestRecord {
        subscription_id: &subscription.id,
        period: &period.name,
        until_day: period.until,
        papers: &ids,
        mail,
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
        // Due subscribers by period (their local days differ).
        let mut due: BTreeMap<String, (DigestPeriod, Vec<Subscription>)> = BTreeMap::new();
        for frequency in [Frequency::Daily, Frequency::Weekly] {
            for subscription in self.store.active_subscriptions(frequency).await? {
                if let Some(day) = due_day(&subscription.prefs, now) {
                    let period = DigestPeriod::ending(frequency, day);
                    due.entry(period.name.clone())
                        .or_insert_with(|| (period, Vec::new()))
                        .1
                        .push(subscription);
                }
            }
        }
        let mut queued = 0;
        for (period, subscriptions) in due.into_values() {
            if ctx.is_cancelled() {
                break;
            }
            let ids: Vec<&str> = subscriptions.iter().map(|s| s.id.as_str()).collect();
            if self.store.had_digests(&ids, &period.name).await?.len() == ids.len() {
                continue;
            }
            let pool = PeriodPool::load(&self.store, period, self.space.get().cloned()).await?;
            let outcomes = deliver(&self.store, &site, &pool, &subscriptions).await?;
            queued += outcomes
                .iter()
                .filter(|o| **o == DigestOutcome::Queued)
                .count() as u64;
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
