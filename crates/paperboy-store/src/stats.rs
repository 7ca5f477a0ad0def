//! Counts for `paperboy stats` and `/metrics`.

use serde::Serialize;
use sqlx::Row;

use crate::{Result, Store};

/// What the database holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Papers.
    pub papers: u64,
    /// Daily-list entries.
    pub daily_entries: u64,
    /// Days that have a daily list.
    pub daily_days: u64,
    /// Days in the "new" firehose.
    pub announcement_days: u64,
    /// Distinct categories.
    pub categories: u64,
    /// Papers with a code repository.
    pub papers_with_code: u64,
    /// The newest daily-list day.
    pub latest_daily_day: Option<String>,
    /// The newest announcement day.
    pub latest_announcement_day: Option<String>,
    /// The change sequence: how many writes changed something.
    pub change_seq: u64,
    /// The database schema version.
    pub schema_version: i64,
}

fn unsigned(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

impl Store {
    /// Counts what the database holds.
    pub async fn stats(&self) -> Result<Stats> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM papers), (SELECT COUNT(*) FROM daily_entries), \
             (SELECT COUNT(DISTINCT day) FROM daily_entries), (SELECT COUNT(DISTINCT day) FROM firehose), \
             (SELECT COUNT(DISTINCT category) FROM paper_categories), \
             (SELECT COUNT(*) FROM papers WHERE github_repo IS NOT NULL), \
             (SELECT MAX(day) FROM daily_entries), (SELECT MAX(day) FROM firehose), \
             (SELECT value FROM counters WHERE name = 'change_seq')",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(Stats {
            papers: unsigned(row.try_get(0)?),
            daily_entries: unsigned(row.try_get(1)?),
            daily_days: unsigned(row.try_get(2)?),
            announcement_days: unsigned(row.try_get(3)?),
            categories: unsigned(row.try_get(4)?),
            papers_with_code: unsigned(row.try_get(5)?),
            latest_daily_day: row.try_get(6)?,
            latest_announcement_day: row.try_get(7)?,
            change_seq: unsigned(row.try_get(8)?),
            schema_version: Self::schema_version(),
        })
    }
}
