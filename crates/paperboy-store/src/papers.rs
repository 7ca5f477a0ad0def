//! Reading papers.

use jiff::Timestamp;
use paperboy_core::{ArxivId, DailyEntry, Paper};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::codec::{ENTRY_COLUMNS, PAPER_COLUMNS, count, entry_from_row, paper_from_row};
use crate::{Result, Store, StoreError};

/// The upvote count of a paper: the highest count any of its daily entries carries.
pub(crate) const UPVOTES_COLUMN: &str =
    "COALESCE((SELECT MAX(u.upvotes) FROM daily_entries u WHERE u.paper_id = p.id), 0)";

/// A stored paper with what the database knows about it beyond its metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct PaperRecord {
    /// The metadata.
    pub paper: Paper,
    /// Upvotes.
    pub upvotes: u32,
    /// When this database first stored the paper.
    pub first_seen: Timestamp,
}

/// A paper with its daily-list history, for the paper page and `/api/papers/{id}`.
#[derive(Debug, Clone, PartialEq)]
pub struct PaperDetail {
    /// The paper.
    pub record: PaperRecord,
    /// Its entries on daily lists, newest first.
    pub entries: Vec<DailyEntry>,
}

/// One page of papers in newest-first order, with the cursor of the next page.
#[derive(Debug, Clone, PartialEq)]
pub struct PaperPage {
    /// The papers.
    pub papers: Vec<PaperRecord>,
    /// Pass this as `cursor` to get the next page; `None` at the end.
    pub next_cursor: Option<String>,
}

/// Reads a [`PaperRecord`] from a row of `PAPER_COLUMNS, UPVOTES_COLUMN`.
pub(crate) fn record_from_row(row: &SqliteRow) -> Result<PaperRecord> {
    let (paper, first_seen) = paper_from_row(row)?;
    let upvotes: i64 = row.try_get(20)?;
    Ok(PaperRecord {
        paper,
        upvotes: count(upvotes),
        first_seen,
    })
}

impl Store {
    /// One paper with its daily entries, or `None` when it is not stored.
    pub async fn paper(&self, id: &ArxivId) -> Result<Option<PaperDetail>> {
        let sql = format!("SELECT {PAPER_COLUMNS}, {UPVOTES_COLUMN} FROM papers p WHERE p.id = $1");
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let record = record_from_row(&row)?;
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM daily_entries d WHERE d.paper_id = $1 ORDER BY d.day DESC"
        );
        let entries = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.as_str())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| entry_from_row(row, 0))
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(PaperDetail { record, entries }))
    }

    /// Papers newest first (by publication time), `limit` at a time, after `cursor`.
    pub async fn papers_page(&self, cursor: Option<&str>, limit: u32) -> Result<PaperPage> {
        let after = cursor.map(parse_cursor).transpose()?;
        let (sort_ms, id) = after.unwrap_or((i64::MAX, String::new()));
        let sql = format!(
            "SELECT {PAPER_COLUMNS}, {UPVOTES_COLUMN}, p.sort_ms FROM papers p \
             WHERE p.sort_ms < $1 OR (p.sort_ms = $1 AND ($2 = '' OR p.id < $2)) \
             ORDER BY p.sort_ms DESC, p.id DESC LIMIT $3"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(sort_ms)
            .bind(id)
            .bind(i64::from(limit) + 1)
            .fetch_all(&self.pool)
            .await?;
        let mut papers = Vec::with_capacity(rows.len());
        let mut last_cursor = None;
        for row in rows.iter().take(limit as usize) {
            let record = record_from_row(row)?;
            let sort_ms: i64 = row.try_get(21)?;
            last_cursor = Some(format!("{sort_ms}_{}", record.paper.id));
            papers.push(record);
        }
        let next_cursor = if rows.len() > limit as usize {
            last_cursor
        } else {
            None
        };
        Ok(PaperPage {
            papers,
            next_cursor,
        })
    }
}

/// A cursor is `<sort_ms>_<id>`: opaque to clients, checked here.
fn parse_cursor(cursor: &str) -> Result<(i64, String)> {
    let invalid = || StoreError::InvalidCursor(cursor.chars().take(80).collect());
    let (ms, id) = cursor.split_once('_').ok_or_else(invalid)?;
    let ms: i64 = ms.parse().map_err(|_| invalid())?;
    let id = ArxivId::parse(id).map_err(|_| invalid())?;
    Ok((ms, id.to_string()))
}

/// Where a follower of the papers table stands: the last (change sequence, id) it has
/// seen. Papers changed by one write share a sequence number, so the id breaks ties.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct ChangeCursor {
    /// The change sequence of the last paper seen.
    pub seq: i64,
    /// The id of the last paper seen within that sequence ("" before the first).
    pub id: String,
}

impl Store {
    /// Papers changed after `cursor`, in change order, at most `limit`, each with the
    /// cursor that points at it. Followers (search indexes) call this until it is empty.
    pub async fn papers_changed_since(
        &self,
        cursor: &ChangeCursor,
        limit: u32,
    ) -> Result<Vec<(Paper, ChangeCursor)>> {
        let sql = format!(
            "SELECT {PAPER_COLUMNS}, p.change_seq FROM papers p \
             WHERE p.change_seq > $1 OR (p.change_seq = $1 AND p.id > $2) \
             ORDER BY p.change_seq, p.id LIMIT $3"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(cursor.seq)
            .bind(&cursor.id)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let (paper, _) = paper_from_row(row)?;
                let seq: i64 = row.try_get(20)?;
                let cursor = ChangeCursor {
                    seq,
                    id: paper.id.to_string(),
                };
                Ok((paper, cursor))
            })
            .collect()
    }

    /// The newest change sequence number: cheap to poll for "has anything changed?".
    pub async fn current_change_seq(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT value FROM counters WHERE name = 'change_seq'")
                .fetch_one(&self.pool)
                .await?,
        )
    }
}

impl Store {
    /// The stored papers among `ids`, in the order of `ids` (unknown ids are left out).
    pub async fn records_by_ids(&self, ids: &[ArxivId]) -> Result<Vec<PaperRecord>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut found = std::collections::HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(format!(
                "SELECT {PAPER_COLUMNS}, {UPVOTES_COLUMN} FROM papers p WHERE p.id IN ("
            ));
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(id.to_string());
            }
            q.push(")");
            for row in q.build().fetch_all(&self.pool).await? {
                let record = record_from_row(&row)?;
                found.insert(record.paper.id.clone(), record);
            }
        }
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }
}
