//! One-sentence summaries paperboy had a language model write for papers no source
//! gave an `ai_summary`: made once and kept, failures counted so that a paper is
//! retried later and, after a few attempts, left alone.

use std::time::Duration;

use paperboy_core::ArxivId;

use crate::backlog::{
    BacklogPosition, BacklogTask, NEWEST_FIRST, after_position, task_columns, task_from_row,
};
use crate::codec::ms;
use crate::{Result, Store};

/// Longest error message kept per paper, in characters.
const ERROR_CHARS: usize = 500;

/// Papers with no summary from a source or from paperboy, not waiting out a backoff
/// (`$1`: now) and not given up (`$2`: the most attempts).
const BACKLOG_WHERE: &str = "FROM papers p LEFT JOIN summaries s ON s.paper_id = p.id \
     WHERE p.ai_summary IS NULL AND (s.paper_id IS NULL OR (s.summary IS NULL \
     AND s.attempts < $2 AND s.next_attempt_ms <= $1))";

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

impl Store {
    /// Papers that need a summary now, newest first, after `after`, at most `limit`:
    /// no source gave one, none was made, and earlier attempts (fewer than
    /// `max_attempts`) have waited out their backoff.
    pub async fn summary_backlog(
        &self,
        max_attempts: u32,
        after: &BacklogPosition,
        limit: u32,
    ) -> Result<Vec<BacklogTask>> {
        let sql = format!(
            "SELECT {} {BACKLOG_WHERE} AND {} {NEWEST_FIRST} LIMIT $5",
            task_columns("NULL"),
            after_position(3, 4)
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(ms(self.clock.now()))
            .bind(i64::from(max_attempts))
            .bind(after.sort_ms)
            .bind(&after.id)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(task_from_row).collect()
    }

    /// How many papers [`Store::summary_backlog`] would list from the start.
    pub async fn summary_backlog_len(&self, max_attempts: u32) -> Result<u64> {
        let sql = format!("SELECT COUNT(*) {BACKLOG_WHERE}");
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(ms(self.clock.now()))
            .bind(i64::from(max_attempts))
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Stores the summary `model` wrote for `id`. It is final: the backlog never
    /// lists the paper again.
    pub async fn save_summary(&self, id: &ArxivId, model: &str, summary: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO summaries (paper_id, summary, model, attempts, last_error, next_attempt_ms, updated_ms) \
             VALUES ($1, $2, $3, 0, NULL, 0, $4) \
             ON CONFLICT (paper_id) DO UPDATE SET summary = excluded.summary, model = excluded.model, \
             last_error = NULL, updated_ms = excluded.updated_ms",
        )
        .bind(id.as_str())
        .bind(summary)
        .bind(model)
        .bind(ms(self.clock.now()))
        .execute(&self.pool)
        .await?;
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
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let before: Option<i64> =
            sqlx::query_scalar("SELECT attempts FROM summaries WHERE paper_id = $1")
                .bind(id.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        let attempts = u32::try_from(before.unwrap_or(0).max(0))
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        let now = ms(self.clock.now());
        let wait = i64::try_from(backoff(attempts).as_millis()).unwrap_or(i64::MAX);
        let error: String = error.chars().take(ERROR_CHARS).collect();
        sqlx::query(
            "INSERT INTO summaries (paper_id, summary, model, attempts, last_error, next_attempt_ms, updated_ms) \
             VALUES ($1, NULL, $2, $3, $4, $5, $6) \
             ON CONFLICT (paper_id) DO UPDATE SET model = excluded.model, attempts = excluded.attempts, \
             last_error = excluded.last_error, next_attempt_ms = excluded.next_attempt_ms, \
             updated_ms = excluded.updated_ms",
        )
        .bind(id.as_str())
        .bind(model)
        .bind(i64::from(attempts))
        .bind(error)
        .bind(now.saturating_add(wait))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(attempts)
    }

    /// Counts made, retrying and given-up summaries (`max_attempts` as in
    /// [`Store::summary_backlog`]).
    pub async fn summary_counts(&self, max_attempts: u32) -> Result<SummaryCounts> {
        let (made, retrying, given_up): (i64, i64, i64) = sqlx::query_as(
            "SELECT \
             COALESCE(SUM(CASE WHEN summary IS NOT NULL THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN summary IS NULL AND attempts < $1 THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN summary IS NULL AND attempts >= $1 THEN 1 ELSE 0 END), 0) \
             FROM summaries",
        )
        .bind(i64::from(max_attempts))
        .fetch_one(&self.pool)
        .await?;
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        Ok(SummaryCounts {
            made: n(made),
            retrying: n(retrying),
            given_up: n(given_up),
        })
    }

    /// Forgets every failed attempt, so given-up papers are tried again. Returns how
    /// many papers that concerned.
    pub async fn forget_summary_failures(&self) -> Result<u64> {
        let done = sqlx::query("DELETE FROM summaries WHERE summary IS NULL")
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
