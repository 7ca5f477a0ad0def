//! One-sentence summaries paperboy had a language model write for papers no source
//! gave an `ai_summary`: made once and kept, failures counted so that a paper is
//! retried later and, after a few attempts, left alone.

use std::time::Duration;

use paperboy_core::ArxivId;

use crate::codec::ms;
use crate::db::{Scalar, Sql, unsigned};
use crate::{Result, Store};

/// Longest error message kept per paper, in characters.
const ERROR_CHARS: usize = 500;

/// How the made summaries stand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct SummaryCounts {
    /// Papers with a summary paperboy made.
    pub made: u64,
    /// Papers whose attempts failed so far and that will be tried again.
    pub retrying: u64,
    /// Papers given up after the most attempts.
    pub given_up: u64,
}

/// The counts of [`SummaryCounts`].
#[derive(Debug, sqlx::FromRow)]
struct CountsRow {
    made: i64,
    retrying: i64,
    given_up: i64,
}

impl Store {
    /// Stores the summary `model` wrote for `id`. It is final: the backlog never
    /// lists the paper again.
    pub async fn save_summary(&self, id: &ArxivId, model: &str, summary: &str) -> Result<()> {
        let sql = Sql::new(
            "INSERT INTO summaries (paper_id, summary, model, attempts, last_error, next_attempt_ms, updated_ms) \
             VALUES ($1, $2, $3, 0, NULL, 0, $4) \
             ON CONFLICT (paper_id) DO UPDATE SET summary = excluded.summary, model = excluded.model, \
             last_error = NULL, updated_ms = excluded.updated_ms",
        )
        .arg(id.as_str())
        .arg(summary)
        .arg(model)
        .arg(ms(self.clock.now()));
        self.db.execute(sql).await?;
        Ok(())
    }

    /// Records a failed attempt at `id`'s summary and returns how many attempts have
    /// failed. The paper is due again `backoff(attempts)` from now.
    pub async fn record_summary_failure(
        &self,
        id: &ArxivId,
        model: &str,
        error: &str,
        backoff: impl FnOnce(u32) -> Duration,
    ) -> Result<u32> {
        let mut tx = self.db.begin(true).await?;
        let lock = match tx.backend() {
            crate::Backend::Sqlite => "",
            crate::Backend::Postgres => " FOR UPDATE",
        };
        let sql = Sql::new(format!(
            "SELECT attempts AS v FROM summaries WHERE paper_id = $1{lock}"
        ))
        .arg(id.as_str());
        let before = tx.fetch_optional::<Scalar<i64>>(sql).await?.map(|s| s.v);
        let attempts = u32::try_from(before.unwrap_or(0).max(0))
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        let now = ms(self.clock.now());
        let wait = i64::try_from(backoff(attempts).as_millis()).unwrap_or(i64::MAX);
        let error: String = error.chars().take(ERROR_CHARS).collect();
        let sql = Sql::new(
            "INSERT INTO summaries (paper_id, summary, model, attempts, last_error, next_attempt_ms, updated_ms) \
             VALUES ($1, NULL, $2, $3, $4, $5, $6) \
             ON CONFLICT (paper_id) DO UPDATE SET model = excluded.model, attempts = excluded.attempts, \
             last_error = excluded.last_error, next_attempt_ms = excluded.next_attempt_ms, \
             updated_ms = excluded.updated_ms",
        )
        .arg(id.as_str())
        .arg(model)
        .arg(i64::from(attempts))
        .arg(error)
        .arg(now.saturating_add(wait))
        .arg(now);
        tx.execute(sql).await?;
        tx.commit().await?;
        Ok(attempts)
    }

    /// Counts made, retrying and given-up summaries (`max_attempts` as in
    /// [`Store::summary_backlog`]).
    pub async fn summary_counts(&self, max_attempts: u32) -> Result<SummaryCounts> {
        let sql = Sql::new(
            "SELECT COUNT(*) FILTER (WHERE summary IS NOT NULL) AS made, \
             COUNT(*) FILTER (WHERE summary IS NULL AND attempts < $1) AS retrying, \
             COUNT(*) FILTER (WHERE summary IS NULL AND attempts >= $1) AS given_up \
             FROM summaries",
        )
        .arg(i64::from(max_attempts));
        let row = self.db.fetch_one::<CountsRow>(sql).await?;
        Ok(SummaryCounts {
            made: unsigned(row.made),
            retrying: unsigned(row.retrying),
            given_up: unsigned(row.given_up),
        })
    }

    /// Forgets every failed attempt, so given-up papers are tried again. Returns how
    /// many papers that concerned.
    pub async fn forget_summary_failures(&self) -> Result<u64> {
        self.db
            .execute(Sql::new("DELETE FROM summaries WHERE summary IS NULL"))
            .await
    }
}
