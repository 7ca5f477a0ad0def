//! The runner on a real database of either engine: one holder per cluster job,
//! failover when a holder dies, a shared schedule, backoff, prompt shutdown.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use paperboy_core::SystemClock;
use paperboy_jobs::{
    BoxFuture, Job, JobContext, JobError, JobSpec, Outcome, Progress, Runner, Scope,
};
use paperboy_store::Store;
use paperboy_testkit::{TestDb, on_both_backends};

on_both_backends!(
    a_cluster_job_runs_on_one_instance_at_a_time,
    a_dead_holders_job_is_taken_over_when_its_lease_runs_out,
    a_clean_shutdown_hands_the_job_over_at_once,
    the_schedule_survives_a_change_of_holder,
    failures_back_off_and_recover,
    shutdown_stops_a_long_round,
);

/// A job that records who ran each round and checks that rounds never overlap.
struct Probe {
    scope: Scope,
    round: Duration,
    outcome: Outcome,
    /// Rounds that fail before the first success.
    failures_left: AtomicU32,
    in_flight: AtomicI64,
    overlapped: AtomicU32,
    rounds: Mutex<Vec<String>>,
    owner: Mutex<String>,
}

impl Probe {
    fn new(scope: Scope, round: Duration, outcome: Outcome) -> Arc<Self> {
        Arc::new(Self {
            scope,
            round,
            outcome,
            failures_left: AtomicU32::new(0),
            in_flight: AtomicI64::new(0),
            overlapped: AtomicU32::new(0),
            rounds: Mutex::new(Vec::new()),
            owner: Mutex::new(String::new()),
        })
    }

    fn rounds(&self) -> Vec<String> {
        self.rounds.lock().unwrap().clone()
    }
}

/// The same probe as seen by one instance (jobs know nothing of their holder; the
/// test does).
struct Instance(Arc<Probe>, String);

impl Job for Instance {
    fn spec(&self) -> JobSpec {
        JobSpec::new("probe", self.0.scope, Duration::from_millis(50))
    }
    fn run<'a>(&'a self, ctx: &'a JobContext) -> BoxFuture<'a, Result<Outcome, JobError>> {
        Box::pin(async move {
            let probe = &self.0;
            let flight = InFlight::enter(probe);
            *probe.owner.lock().unwrap() = self.1.clone();
            let finished = ctx.sleep(probe.round).await;
            drop(flight);
            if !finished {
                return Ok(Outcome::Idle);
            }
            if probe
                .failures_left
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                return Err("upstream said 503".into());
            }
            ctx.report(Progress {
                done: 1,
                ..Progress::default()
            });
            probe.rounds.lock().unwrap().push(self.1.clone());
            Ok(probe.outcome)
        })
    }
}

/// Counts a round in flight until dropped (also when an aborted task drops it).
struct InFlight<'a>(&'a Probe);

impl<'a> InFlight<'a> {
    fn enter(probe: &'a Probe) -> Self {
        if probe.in_flight.fetch_add(1, Ordering::SeqCst) > 0 {
            probe.overlapped.fetch_add(1, Ordering::SeqCst);
        }
        Self(probe)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

fn runner(store: &Store, name: &str, lease: Duration) -> Runner {
    Runner::new(store.clone(), Arc::new(SystemClock), name, lease)
}

async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn a_cluster_job_runs_on_one_instance_at_a_time(db: TestDb) {
    let store = db.open().await;
    let probe = Probe::new(Scope::Cluster, Duration::from_millis(30), Outcome::Busy);
    let (a, b) = (
        runner(&store, "a", Duration::from_secs(5)),
        runner(&store, "b", Duration::from_secs(5)),
    );
    a.spawn(Arc::new(Instance(probe.clone(), "a".into())));
    b.spawn(Arc::new(Instance(probe.clone(), "b".into())));
    wait_for("20 rounds", || probe.rounds().len() >= 20).await;
    a.shutdown().await;
    b.shutdown().await;
    assert_eq!(
        probe.overlapped.load(Ordering::SeqCst),
        0,
        "rounds overlapped"
    );
    let rounds = probe.rounds();
    assert!(
        rounds.iter().all(|r| r == &rounds[0]),
        "the holder kept the job: {rounds:?}"
    );
    let holder = if rounds[0] == "a" { &a } else { &b };
    assert!(holder.statuses()[0].rounds >= 20, "{:?}", holder.statuses());
}

async fn a_dead_holders_job_is_taken_over_when_its_lease_runs_out(db: TestDb) {
    let store = db.open().await;
    let lease = Duration::from_millis(600);
    let probe = Probe::new(Scope::Cluster, Duration::from_millis(10), Outcome::Busy);
    let a = runner(&store, "a", lease);
    a.spawn(Arc::new(Instance(probe.clone(), "a".into())));
    wait_for("a's first round", || !probe.rounds().is_empty()).await;
    let b = runner(&store, "b", lease);
    b.spawn(Arc::new(Instance(probe.clone(), "b".into())));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !probe.rounds().contains(&"b".to_owned()),
        "b waits while a lives"
    );
    a.abort(); // a crashes: its lease is left to run out
    wait_for("b takes over", || probe.rounds().contains(&"b".to_owned())).await;
    b.shutdown().await;
    assert_eq!(probe.overlapped.load(Ordering::SeqCst), 0);
}

async fn a_clean_shutdown_hands_the_job_over_at_once(db: TestDb) {
    let store = db.open().await;
    let lease = Duration::from_secs(60);
    let probe = Probe::new(Scope::Cluster, Duration::from_millis(10), Outcome::Busy);
    let a = runner(&store, "a", lease);
    a.spawn(Arc::new(Instance(probe.clone(), "a".into())));
    wait_for("a's first round", || !probe.rounds().is_empty()).await;
    let b = runner(&store, "b", Duration::from_millis(300));
    b.spawn(Arc::new(Instance(probe.clone(), "b".into())));
    a.shutdown().await;
    // Far sooner than a's 60 s lease: the lease was given back.
    wait_for("b takes over", || probe.rounds().contains(&"b".to_owned())).await;
    b.shutdown().await;
}

async fn the_schedule_survives_a_change_of_holder(db: TestDb) {
    let store = db.open().await;
    let probe = Probe::new(
        Scope::Cluster,
        Duration::ZERO,
        Outcome::After(Duration::from_secs(3600)),
    );
    let a = runner(&store, "a", Duration::from_millis(300));
    a.spawn(Arc::new(Instance(probe.clone(), "a".into())));
    wait_for("a's round", || !probe.rounds().is_empty()).await;
    a.shutdown().await;
    let b = runner(&store, "b", Duration::from_millis(300));
    b.spawn(Arc::new(Instance(probe.clone(), "b".into())));
    tokio::time::sleep(Duration::from_millis(500)).await;
    b.shutdown().await;
    assert_eq!(
        probe.rounds(),
        ["a"],
        "the next run is an hour away for b too"
    );
    let record = &store.job_records().await.unwrap()[0];
    assert!(record.next_run_ms > record.last_finished_ms.unwrap() + 3_500_000);
}

async fn failures_back_off_and_recover(db: TestDb) {
    let store = db.open().await;
    let probe = Probe::new(Scope::Instance, Duration::ZERO, Outcome::Idle);
    probe.failures_left.store(2, Ordering::SeqCst);
    let a = runner(&store, "a", Duration::from_secs(5));
    a.spawn(Arc::new(Instance(probe.clone(), "a".into())));
    wait_for("the first failure", || a.statuses()[0].failures == 1).await;
    assert_eq!(a.statuses()[0].state, "failing");
    assert_eq!(
        a.statuses()[0].last_error.as_deref(),
        Some("upstream said 503")
    );
    // 1 s, then 2 s of backoff, then a good round.
    wait_for("recovery", || !probe.rounds().is_empty()).await;
    let status = &a.statuses()[0];
    assert_eq!((status.failures, status.last_error.as_deref()), (0, None));
    a.shutdown().await;
}

async fn shutdown_stops_a_long_round(db: TestDb) {
    let store = db.open().await;
    let probe = Probe::new(Scope::Cluster, Duration::from_secs(3600), Outcome::Idle);
    let a = runner(&store, "a", Duration::from_secs(5));
    a.spawn(Arc::new(Instance(probe.clone(), "a".into())));
    wait_for("the round to start", || {
        probe.in_flight.load(Ordering::SeqCst) == 1
    })
    .await;
    let started = std::time::Instant::now();
    a.shutdown().await;
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(probe.in_flight.load(Ordering::SeqCst), 0);
    let record = &store.job_records().await.unwrap()[0];
    assert_eq!(record.holder, None, "released at shutdown");
}
