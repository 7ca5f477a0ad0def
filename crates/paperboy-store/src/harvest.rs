//! OAI-PMH harvest checkpoints.

use jiff::civil::Date;

use crate::codec::{count, parse_day};
use crate::db::Sql;
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

/// A stored checkpoint.
#[derive(Debug, sqlx::FromRow)]
struct CheckpointRow {
    source: String,
    from_day: Option<String>,
    until_day: Option<String>,
    resumption_token: Option<String>,
    pages: i64,
    records: i64,
    run_datestamp: Option<String>,
    last_datestamp: Option<String>,
}

fn opt_day(text: Option<String>) -> Result<Option<Date>> {
    text.map(|d| parse_day("harvest day", &d)).transpose()
}

impl Store {
    /// The checkpoint of `source`, if it was ever harvested.
    pub async fn harvest_checkpoint(&self, source: &str) -> Result<Option<HarvestCheckpoint>> {
        let sql = Sql::new(
            "SELECT source, from_day, until_day, resumption_token, pages, records, run_datestamp, last_datestamp \
             FROM harvest_checkpoints WHERE source = $1",
        )
        .arg(source);
        let Some(row) = self.db.fetch_optional::<CheckpointRow>(sql).await? else {
            return Ok(None);
        };
        Ok(Some(HarvestCheckpoint {
            source: row.source,
            from_day: opt_day(row.from_day)?,
            until_day: opt_day(row.until_day)?,
            resumption_token: row.resumption_token,
            pages: u64::from(count(row.pages)),
            records: u64::from(count(row.records)),
            run_datestamp: opt_day(row.run_datestamp)?,
            last_datestamp: opt_day(row.last_datestamp)?,
        }))
    }
}

impl WriteTx {
    /// Saves `checkpoint` in this transaction, so it commits with the records before it.
    pub async fn save_checkpoint(&mut self, checkpoint: &HarvestCheckpoint) -> Result<()> {
        let sql = Sql::new(
            "INSERT INTO harvest_checkpoints (source, from_day, until_day, resumption_token, pages, records, \
             run_datestamp, last_datestamp, updated_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (source) DO UPDATE SET from_day = excluded.from_day, until_day = excluded.until_day, \
             resumption_token = excluded.resumption_token, pages = excluded.pages, records = excluded.records, \
             run_datestamp = excluded.run_datestamp, last_datestamp = excluded.last_datestamp, \
             updated_ms = excluded.updated_ms",
        )
        .arg(&checkpoint.source)
        .arg(checkpoint.from_day.map(|d| d.to_string()))
        .arg(checkpoint.until_day.map(|d| d.to_string()))
        .arg(checkpoint.resumption_token.clone())
        .arg(i64::try_from(checkpoint.pages).unwrap_or(i64::MAX))
        .arg(i64::try_from(checkpoint.records).unwrap_or(i64::MAX))
        .arg(checkpoint.run_datestamp.map(|d| d.to_string()))
        .arg(checkpoint.last_datestamp.map(|d| d.to_string()))
        .arg(self.now_ms);
        self.tx.execute(sql).await?;
        Ok(())
    }
}
