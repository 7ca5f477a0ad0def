//! Leases and schedules of the jobs that run once per cluster.
//!
//! An instance runs such a job only while it holds the job's lease. Taking a lease
//! and renewing it are one statement (an upsert that only succeeds when the lease is
//! free, expired, or already ours), so it is atomic on both engines without any
//! engine-specific locking. A lease expires unless renewed: the work of an instance
//! that died is taken over by another one within a lease.

use crate::db::{Scalar, Sql};
use crate::{Result, Store};

/// Longest error message kept per job, in characters.
const ERROR_CHARS: usize = 500;

/// What holding a lease tells the holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobClaim {
    /// When the job should next run (ms since the epoch; 0: at once).
    pub next_run_ms: i64,
}

/// A job as the cluster sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct JobRecord {
    /// The job's name.
    pub name: String,
    /// The instance holding its lease, if any.
    pub holder: Option<String>,
    /// When the lease runs out (ms since the epoch).
    pub lease_until_ms: i64,
    /// When the job should next run (ms since the epoch).
    pub next_run_ms: i64,
    /// Runs finished.
    pub runs: i64,
    /// When the last run finished (ms since the epoch).
    pub last_finished_ms: Option<i64>,
    /// What made the last run fail; `None` when it succeeded.
    pub last_error: Option<String>,
}

impl Store {
    /// Takes the lease of job `name` for `holder` until `until_ms`, or renews it when
    /// `holder` has it. `None` when another holder's lease is still live at `now_ms`.
    pub async fn claim_job(
        &self,
        name: &str,
        holder: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<Option<JobClaim>> {
        let sql = Sql::new(
            "INSERT INTO jobs (name, holder, lease_until_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, \
             lease_until_ms = excluded.lease_until_ms \
             WHERE jobs.holder = excluded.holder OR jobs.holder IS NULL OR jobs.lease_until_ms < $4 \
             RETURNING next_run_ms AS v",
        )
        .arg(name)
        .arg(holder)
        .arg(until_ms)
        .arg(now_ms);
        Ok(self
            .db
            .fetch_optional::<Scalar<i64>>(sql)
            .await?
            .map(|row| JobClaim { next_run_ms: row.v }))
    }

    /// Records that a run of `name` by `holder` finished (with `error` when it
    /// failed) and when the job should run next. Nothing happens when `holder` no
    /// longer holds the lease.
    pub async fn finish_job_run(
        &self,
        name: &str,
        holder: &str,
        now_ms: i64,
        next_run_ms: i64,
        error: Option<&str>,
    ) -> Result<()> {
        let error = error.map(|e| e.chars().take(ERROR_CHARS).collect::<String>());
        let sql = Sql::new(
            "UPDATE jobs SET next_run_ms = $3, runs = runs + 1, last_finished_ms = $4, \
             last_error = $5 WHERE name = $1 AND holder = $2",
        )
        .arg(name)
        .arg(holder)
        .arg(next_run_ms)
        .arg(now_ms)
        .arg(error);
        self.db.execute(sql).await?;
        Ok(())
    }

    /// Gives up `holder`'s lease of `name` (at shutdown), so that another instance
    /// takes the job over at once instead of when the lease runs out.
    pub async fn release_job(&self, name: &str, holder: &str) -> Result<()> {
        let sql = Sql::new(
            "UPDATE jobs SET holder = NULL, lease_until_ms = 0 WHERE name = $1 AND holder = $2",
        )
        .arg(name)
        .arg(holder);
        self.db.execute(sql).await?;
        Ok(())
    }

    /// Every job the cluster has run, by name.
    pub async fn job_records(&self) -> Result<Vec<JobRecord>> {
        let sql = Sql::new(
            "SELECT name, holder, lease_until_ms, next_run_ms, runs, last_finished_ms, last_error \
             FROM jobs ORDER BY name",
        );
        self.db.fetch_all::<JobRecord>(sql).await
    }
}
