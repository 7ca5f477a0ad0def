//! Reading papers.

use crate::backlog::{BacklogPosition, NEWEST_FIRST, push_after};
use crate::codec::{
    EntryRow, LISTED_ENTRY_COLUMNS, PAPER_COLUMNS, PAPER_VIEW_COLUMNS, PaperRow, count,
};
use crate::db::{Scalar, Sql};
use crate::{Result, Store, StoreError};
use jiff::Timestamp;
use paperboy_core::{ArxivId, DailyEntry, Paper};

/// The upvote count of a paper: the highest count any of its daily entries carries
/// from its source, plus the local votes.
pub(crate) const UPVOTES_COLUMN: &str = "COALESCE((SELECT MAX(u.upvotes) FROM daily_entries u WHERE u.paper_id = p.id), 0) \
     + COALESCE((SELECT a.upvotes FROM paper_activity a WHERE a.paper_id = p.id), 0) AS upvotes";

/// Marks every cached list stale: run in the transaction of a write that changes
/// what a list shows without changing a paper's metadata (votes, comments,
/// submissions, moderation, stars).
pub(crate) const BUMP_LIST_SEQ: &str =
    "UPDATE counters SET value = value + 1 WHERE name = 'list_seq'";

/// A stored paper with what the database knows about it beyond its metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct PaperRecord {
    /// The metadata. `ai_summary` and `ai_keywords` are a source's, else the ones
    /// paperboy made: show it, do not write it back.
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

/// A row of `PAPER_VIEW_COLUMNS, UPVOTES_COLUMN`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct RecordRow {
    #[sqlx(flatten)]
    paper: PaperRow,
    upvotes: i64,
}

impl RecordRow {
    /// The record.
    pub(crate) fn into_record(self) -> Result<PaperRecord> {
        let (paper, first_seen) = self.paper.into_paper()?;
        Ok(PaperRecord {
            paper,
            upvotes: count(self.upvotes),
            first_seen,
        })
    }
}

/// A [`RecordRow`] with the paper's position in newest-first order.
#[derive(Debug, sqlx::FromRow)]
struct PagedRecordRow {
    #[sqlx(flatten)]
    record: RecordRow,
    sort_ms: i64,
}

/// A paper as sources gave it, with its change sequence.
#[derive(Debug, sqlx::FromRow)]
struct ChangedRow {
    #[sqlx(flatten)]
    paper: PaperRow,
    change_seq: i64,
}

impl Store {
    /// The paper ids `sql` selects (as `v`), in its order.
    pub(crate) async fn fetch_paper_ids(&self, sql: Sql) -> Result<Vec<ArxivId>> {
        self.db
            .fetch_all::<Scalar<String>>(sql)
            .await?
            .iter()
            .map(|row| crate::codec::parse_id(&row.v))
            .collect()
    }

    /// One paper with its daily entries, or `None` when it is not stored.
    pub async fn paper(&self, id: &ArxivId) -> Result<Option<PaperDetail>> {
        let sql = Sql::new(format!(
            "SELECT {PAPER_VIEW_COLUMNS}, {UPVOTES_COLUMN} FROM papers p WHERE p.id = $1"
        ))
        .arg(id.as_str());
        let Some(row) = self.db.fetch_optional::<RecordRow>(sql).await? else {
            return Ok(None);
        };
        let record = row.into_record()?;
        let sql = Sql::new(format!(
            "SELECT {LISTED_ENTRY_COLUMNS} FROM daily_entries d WHERE d.paper_id = $1 ORDER BY d.day DESC"
        ))
        .arg(id.as_str());
        let entries = self
            .db
            .fetch_all::<EntryRow>(sql)
            .await?
            .into_iter()
            .map(EntryRow::into_entry)
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(PaperDetail { record, entries }))
    }

    /// Papers newest first (by publication time), `limit` at a time, after `cursor`.
    pub async fn papers_page(&self, cursor: Option<&str>, limit: u32) -> Result<PaperPage> {
        let after = cursor.map(parse_cursor).transpose()?;
        let position = match after {
            Some((sort_ms, id)) => BacklogPosition { sort_ms, id },
            None => BacklogPosition::start(),
        };
        let mut sql = Sql::new(format!(
            "SELECT {PAPER_VIEW_COLUMNS}, {UPVOTES_COLUMN}, p.sort_ms FROM papers p WHERE "
        ));
        push_after(&mut sql, &position);
        sql.push(NEWEST_FIRST)
            .push(" LIMIT ")
            .bind(i64::from(limit) + 1);
        let rows = self.db.fetch_all::<PagedRecordRow>(sql).await?;
        let more = rows.len() > limit as usize;
        let mut papers = Vec::with_capacity(rows.len());
        let mut last_cursor = None;
        for row in rows.into_iter().take(limit as usize) {
            let record = row.record.into_record()?;
            last_cursor = Some(format!("{}_{}", row.sort_ms, record.paper.id));
            papers.push(record);
        }
        let next_cursor = if more { last_cursor } else { None };
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

/// The database's counters: each moves when what it counts changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, sqlx::FromRow)]
pub struct Counters {
    /// Writes that changed papers (the keyword index follows it).
    pub change_seq: i64,
    /// Transactions that stored embeddings (each instance's vectors follow it).
    pub embedding_seq: i64,
    /// Writes that changed a daily list: entries, upvotes, comments.
    pub list_seq: i64,
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
    /// The papers are as sources gave them (made key phrases and summaries change no
    /// sequence, so a follower would not see them change).
    pub async fn papers_changed_since(
        &self,
        cursor: &ChangeCursor,
        limit: u32,
    ) -> Result<Vec<(Paper, ChangeCursor)>> {
        let sql = Sql::new(format!(
            "SELECT {PAPER_COLUMNS}, p.change_seq FROM papers p \
             WHERE p.change_seq > $1 OR (p.change_seq = $1 AND p.id > $2) \
             ORDER BY p.change_seq, p.id LIMIT $3"
        ))
        .arg(cursor.seq)
        .arg(&cursor.id)
        .arg(i64::from(limit));
        self.db
            .fetch_all::<ChangedRow>(sql)
            .await?
            .into_iter()
            .map(|row| {
                let (paper, _) = row.paper.into_paper()?;
                let cursor = ChangeCursor {
                    seq: row.change_seq,
                    id: paper.id.to_string(),
                };
                Ok((paper, cursor))
            })
            .collect()
    }

    /// The newest change sequence number: cheap to poll for "has anything changed?".
    pub async fn current_change_seq(&self) -> Result<i64> {
        Ok(self.counters().await?.change_seq)
    }

    /// Every counter, in one cheap read: what followers and caches poll.
    pub async fn counters(&self) -> Result<Counters> {
        let sql = Sql::new(
            "SELECT (SELECT value FROM counters WHERE name = 'change_seq') AS change_seq, \
             (SELECT value FROM counters WHERE name = 'embedding_seq') AS embedding_seq, \
             (SELECT value FROM counters WHERE name = 'list_seq') AS list_seq",
        );
        self.db.fetch_one::<Counters>(sql).await
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
            let mut sql = Sql::new(format!(
                "SELECT {PAPER_VIEW_COLUMNS}, {UPVOTES_COLUMN} FROM papers p WHERE p.id IN "
            ));
            sql.bind_list(chunk.iter().map(ArxivId::as_str));
            for row in self.db.fetch_all::<RecordRow>(sql).await? {
                let record = row.into_record()?;
                found.insert(record.paper.id.clone(), record);
            }
        }
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }
}
