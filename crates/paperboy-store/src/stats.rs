//! Counts for `paperboy stats` and `/metrics`.

use serde::Serialize;

use crate::db::{Sql, unsigned};
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

/// The counts, one query.
#[derive(Debug, sqlx::FromRow)]
struct StatsRow {
    papers: i64,
    daily_entries: i64,
    daily_days: i64,
    announcement_days: i64,
    categories: i64,
    papers_with_code: i64,
    latest_daily_day: Option<String>,
    latest_announcement_day: Option<String>,
    change_seq: i64,
}

impl Store {
    /// Counts what the database holds.
    pub async fn stats(&self) -> Result<Stats> {
        let sql = Sql::new(
            "SELECT (SELECT COUNT(*) FROM papers) AS papers, \
             (SELECT COUNT(*) FROM daily_entries) AS daily_entries, \
             (SELECT COUNT(DISTINCT day) FROM daily_entries) AS daily_days, \
             (SELECT COUNT(DISTINCT day) FROM firehose) AS announcement_days, \
             (SELECT COUNT(DISTINCT category) FROM paper_categories) AS categories, \
             (SELECT COUNT(*) FROM papers WHERE github_repo IS NOT NULL) AS papers_with_code, \
             (SELECT MAX(day) FROM daily_entries) AS latest_daily_day, \
             (SELECT MAX(day) FROM firehose) AS latest_announcement_day, \
             (SELECT value FROM counters WHERE name = 'change_seq') AS change_seq",
        );
        let row = self.db.fetch_one::<StatsRow>(sql).await?;
        Ok(Stats {
            papers: unsigned(row.papers),
            daily_entries: unsigned(row.daily_entries),
            daily_days: unsigned(row.daily_days),
            announcement_days: unsigned(row.announcement_days),
            categories: unsigned(row.categories),
            papers_with_code: unsigned(row.papers_with_code),
            latest_daily_day: row.latest_daily_day,
            latest_announcement_day: row.latest_announcement_day,
            change_seq: unsigned(row.change_seq),
            schema_version: Self::schema_version(),
        })
    }
}
