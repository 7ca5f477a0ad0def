//! OAI-PMH harvest checkpoints.

use jiff::civil::Date;
use sqlx::Row;

use crate::codec::{count, parse_day};
use crate::{Result, Store, WriteTx};

/// Where a harvest of one (endpoint, metadata prefix, set) stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HarvestCheckpoint {
    /// `"<base url> <metadata prefix> <set>"`.
    pub source: String,
    /// The running harvest's `from`.
    pub from_day: Option<Date>,
    /// The running harvest's `until`.
    pub until_day: Option<Date>,
    /// The token to request next; `None` when no harvest is running.
    pub resumption_token: Option<String>,
    /// Pages done in the running harvest (the last one, once it completed).
    pub pages: u64,
    /// Records done in the running harvest (the last one, once it completed).
    pub records: u64,
    /// The newest record datestamp the running harvest has seen so far.
    pub run_datestamp: Option<Date>,
    /// The newest record datestamp of the harvests that completed: where an
    /// incremental harvest starts. A running harvest moves it only when it completes,
    /// so abandoning one never skips records.
    pub last_datestamp: Option<Date>,
}

impl HarvestCheckpoint {
    /// A fresh checkpoint for `source`.
    pub fn new(source: String) -> Self {
        Self {
            source,
            from_day: None,
            until_day: None,
            resumption_token: None,
            pages: 0,
            records: 0,
            run_datestamp: None,
            last_datestamp: None,
        }
    }
}

fn opt_day(text: Option<String>) -> Result<Option<Date>> {
    text.map(|d| parse_day("harvest day", &d)).transpose()
}

impl Store {
    /// The checkpoint of `source`, if it was ever harvested.
    pub async fn harvest_checkpoint(&self, source: &str) -> Result<Option<HarvestCheckpoint>> {
        let Some(row) = sqlx::query(
            "SELECT source, from_day, until_day, resumption_token, pages, records, run_datestamp, last_datestamp \
             FROM harvest_checkpoints WHERE source = $1",
        )
        .bind(source)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        Ok(Some(HarvestCheckpoint {
            source: row.try_get(0)?,
            from_day: opt_day(row.try_get(1)?)?,
            until_day: opt_day(row.try_get(2)?)?,
            resumption_token: row.try_get(3)?,
            pages: u64::from(count(row.try_get(4)?)),
            records: u64::from(count(row.try_get(5)?)),
            run_datestamp: opt_day(row.try_get(6)?)?,
            last_datestamp: opt_day(row.try_get(7)?)?,
        }))
    }
}

impl WriteTx {
    /// Saves `checkpoint` in this transaction, so it commits with the records before it.
    pub async fn save_checkpoint(&mut self, checkpoint: &HarvestCheckpoint) -> Result<()> {
        sqlx::query(
            "INSERT INTO harvest_checkpoints (source, from_day, until_day, resumption_token, pages, records, \
             run_datestamp, last_datestamp, updated_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (source) DO UPDATE SET from_day = excluded.from_day, until_day = excluded.until_day, \
             resumption_token = excluded.resumption_token, pages = excluded.pages, records = excluded.records, \
             run_datestamp = excluded.run_datestamp, last_datestamp = excluded.last_datestamp, \
             updated_ms = excluded.updated_ms",
        )
        .bind(&checkpoint.source)
        .bind(checkpoint.from_day.map(|d| d.to_string()))
        .bind(checkpoint.until_day.map(|d| d.to_string()))
        .bind(&checkpoint.resumption_token)
        .bind(i64::try_from(checkpoint.pages).unwrap_or(i64::MAX))
        .bind(i64::try_from(checkpoint.records).unwrap_or(i64::MAX))
        .bind(checkpoint.run_datestamp.map(|d| d.to_string()))
        .bind(checkpoint.last_datestamp.map(|d| d.to_string()))
        .bind(self.now_ms)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}
