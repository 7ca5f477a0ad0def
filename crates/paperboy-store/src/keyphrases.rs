//! Key phrases paperboy extracted for papers no source gave `ai_keywords`, and the
//! backlog of papers still waiting for them.

use paperboy_core::ArxivId;
use sqlx::{QueryBuilder, Sqlite};

use crate::backlog::{
    BacklogPosition, BacklogTask, NEWEST_FIRST, after_position, mark_current, task_columns,
    task_from_row,
};
use crate::codec::to_json;
use crate::{Result, Store};

/// Key phrases of one paper to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyphraseRow<'a> {
    /// The paper.
    pub id: &'a ArxivId,
    /// The phrases, best first.
    pub phrases: &'a [String],
    /// Hash of the text they were extracted from.
    pub text_hash: i64,
    /// The paper's change sequence the text was read at.
    pub source_seq: i64,
}

/// Papers without source keywords whose key phrases (by `$1`, the method) are missing
/// or older than the paper, among those changed up to `$2`.
const BACKLOG_WHERE: &str = "FROM papers p LEFT JOIN keyphrases k ON k.paper_id = p.id \
     WHERE p.ai_keywords = '[]' AND p.change_seq <= $2 \
     AND (k.paper_id IS NULL OR k.method <> $1 OR p.change_seq > k.source_seq)";

impl Store {
    /// Papers without `ai_keywords` from a source whose key phrases by `method` are
    /// missing or older than the paper, newest first, after `after`, at most `limit`.
    /// Only papers changed up to `up_to_seq` are listed: the caller passes how far
    /// its corpus statistics reach, so a paper is scored against a corpus that holds
    /// it. A task's `stored_hash` is that of the text `method` last read.
    pub async fn keyphrase_backlog(
        &self,
        method: &str,
        up_to_seq: i64,
        after: &BacklogPosition,
        limit: u32,
    ) -> Result<Vec<BacklogTask>> {
        let sql = format!(
            "SELECT {} {BACKLOG_WHERE} AND {} {NEWEST_FIRST} LIMIT $5",
            task_columns("CASE WHEN k.method = $1 THEN k.text_hash END"),
            after_position(3, 4)
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(method)
            .bind(up_to_seq)
            .bind(after.sort_ms)
            .bind(&after.id)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(task_from_row).collect()
    }

    /// How many papers [`Store::keyphrase_backlog`] would list from the start.
    pub async fn keyphrase_backlog_len(&self, method: &str, up_to_seq: i64) -> Result<u64> {
        let sql = format!("SELECT COUNT(*) {BACKLOG_WHERE}");
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(method)
            .bind(up_to_seq)
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// How many papers have key phrases paperboy extracted.
    pub async fn keyphrase_count(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM keyphrases")
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Stores key phrases made by `method`, replacing earlier ones.
    pub async fn save_keyphrases(&self, method: &str, rows: &[KeyphraseRow<'_>]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for chunk in rows.chunks(200) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO keyphrases (paper_id, phrases, method, text_hash, source_seq) ",
            );
            q.push_values(chunk, |mut b, row| {
                b.push_bind(row.id.to_string())
                    .push_bind(to_json(row.phrases))
                    .push_bind(method.to_owned())
                    .push_bind(row.text_hash)
                    .push_bind(row.source_seq);
            });
            q.push(
                " ON CONFLICT (paper_id) DO UPDATE SET phrases = excluded.phrases, \
                 method = excluded.method, text_hash = excluded.text_hash, \
                 source_seq = excluded.source_seq",
            );
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records that these papers' text is unchanged since `method` read it.
    pub async fn mark_keyphrases_current(
        &self,
        method: &str,
        papers: &[(&ArxivId, i64)],
    ) -> Result<()> {
        mark_current(
            &self.pool,
            "UPDATE keyphrases SET source_seq = $1 WHERE paper_id = $2 AND method = $3",
            method,
            papers,
        )
        .await
    }
}
