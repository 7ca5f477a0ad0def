//! What the background jobs (embeddings, key phrases, summaries) walk: papers newest
//! first, from a position that survives between queries.

use paperboy_core::ArxivId;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};

use crate::Result;
use crate::codec::parse_id;

/// A paper whose derived data (a vector, key phrases, a summary) is missing or may be
/// stale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BacklogTask {
    /// The paper.
    pub id: ArxivId,
    /// Its title.
    pub title: String,
    /// Its abstract.
    pub summary: String,
    /// Its change sequence now.
    pub change_seq: i64,
    /// The hash of the text the stored data was made from, if the job keeps one:
    /// equal means nothing to redo.
    pub stored_hash: Option<i64>,
    /// Where the backlog walk continues after this task.
    pub position: BacklogPosition,
}

/// A position in a backlog walk (newest papers first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BacklogPosition {
    pub(crate) sort_ms: i64,
    pub(crate) id: String,
}

impl BacklogPosition {
    /// The start of the walk.
    pub fn start() -> Self {
        Self {
            sort_ms: i64::MAX,
            id: String::new(),
        }
    }
}

/// The columns [`task_from_row`] reads: `p.id, p.title, p.summary, p.change_seq`, then
/// the stored hash (an expression the query supplies), then `p.sort_ms`.
pub(crate) fn task_columns(stored_hash: &str) -> String {
    format!("p.id, p.title, p.summary, p.change_seq, {stored_hash}, p.sort_ms")
}

/// Reads a task selected with [`task_columns`].
pub(crate) fn task_from_row(row: &SqliteRow) -> Result<BacklogTask> {
    let id: String = row.try_get(0)?;
    Ok(BacklogTask {
        id: parse_id(&id)?,
        title: row.try_get(1)?,
        summary: row.try_get(2)?,
        change_seq: row.try_get(3)?,
        stored_hash: row.try_get(4)?,
        position: BacklogPosition {
            sort_ms: row.try_get(5)?,
            id,
        },
    })
}

/// The condition "paper `p` comes after the position bound to `$ms` (its `sort_ms`)
/// and `$id` (its id, empty at the start)" in newest-first order.
pub(crate) fn after_position(ms: u8, id: u8) -> String {
    format!("(p.sort_ms < ${ms} OR (p.sort_ms = ${ms} AND (${id} = '' OR p.id < ${id})))")
}

/// Newest-first order, the order of [`after_position`].
pub(crate) const NEWEST_FIRST: &str = "ORDER BY p.sort_ms DESC, p.id DESC";

/// Records, in one transaction, that the stored data of `papers` is current as of
/// each one's change sequence: runs `update` binding `$1` = the sequence, `$2` = the
/// paper id and `$3` = `key` (the model or method the data belongs to).
pub(crate) async fn mark_current(
    pool: &SqlitePool,
    update: &'static str,
    key: &str,
    papers: &[(&ArxivId, i64)],
) -> Result<()> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    for (id, seq) in papers {
        sqlx::query(update)
            .bind(seq)
            .bind(id.as_str())
            .bind(key)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
