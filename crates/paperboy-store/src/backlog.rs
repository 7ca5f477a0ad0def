//! What the background jobs (embeddings, key phrases, summaries) walk: papers whose
//! derived data is missing or stale, newest first, from a position that survives
//! between queries. One query shape serves all three; each [`Backlog`] says which
//! table holds its data and when a paper's data needs redoing.

use paperboy_core::ArxivId;

use crate::codec::{ms, parse_id};
use crate::db::{Scalar, Sql, Value, unsigned};
use crate::{Result, Store};

/// Which derived data a backlog is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backlog<'a> {
    /// Papers whose embedding by `model` is missing or older than the paper.
    Embeddings {
        /// The embedding model.
        model: &'a str,
    },
    /// Papers without `ai_keywords` from a source whose key phrases by `method` are
    /// missing or older than the paper, among those changed up to `up_to_seq` (how
    /// far the caller's corpus statistics reach, so that a paper is scored against
    /// a corpus that holds it).
    Keyphrases {
        /// The extractor's name and version.
        method: &'a str,
        /// The newest change sequence to take.
        up_to_seq: i64,
    },
    /// Papers with no summary from a source or from paperboy, not waiting out a
    /// backoff and not given up after `max_attempts` failures.
    Summaries {
        /// Failed attempts after which a paper is given up.
        max_attempts: u32,
    },
}

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

/// A task row.
#[derive(Debug, sqlx::FromRow)]
struct TaskRow {
    id: String,
    title: String,
    summary: String,
    change_seq: i64,
    stored_hash: Option<i64>,
    sort_ms: i64,
}

impl TaskRow {
    fn into_task(self) -> Result<BacklogTask> {
        Ok(BacklogTask {
            id: parse_id(&self.id)?,
            title: self.title,
            summary: self.summary,
            change_seq: self.change_seq,
            stored_hash: self.stored_hash,
            position: BacklogPosition {
                sort_ms: self.sort_ms,
                id: self.id,
            },
        })
    }
}

/// Appends "paper `p` comes after `position`" in newest-first order.
pub(crate) fn push_after(sql: &mut Sql, position: &BacklogPosition) {
    sql.push("(p.sort_ms < ")
        .bind(position.sort_ms)
        .push(" OR (p.sort_ms = ")
        .bind(position.sort_ms)
        .push(" AND p.id < ")
        .bind(&position.id)
        .push("))");
}

/// Newest-first order, the order of [`push_after`].
pub(crate) const NEWEST_FIRST: &str = " ORDER BY p.sort_ms DESC, p.id DESC";

impl Backlog<'_> {
    /// Appends `FROM … WHERE …` selecting the backlog's papers.
    fn push_from_where(&self, sql: &mut Sql, now_ms: i64) {
        match *self {
            Self::Embeddings { model } => {
                sql.push(
                    " FROM papers p LEFT JOIN embeddings e ON e.paper_id = p.id AND e.model = ",
                )
                .bind(model)
                .push(" WHERE (e.paper_id IS NULL OR p.change_seq > e.source_seq)");
            }
            Self::Keyphrases { method, up_to_seq } => {
                sql.push(
                    " FROM papers p LEFT JOIN keyphrases k ON k.paper_id = p.id \
                     WHERE p.ai_keywords = '[]' AND p.change_seq <= ",
                )
                .bind(up_to_seq)
                .push(" AND (k.paper_id IS NULL OR k.method <> ")
                .bind(method)
                .push(" OR p.change_seq > k.source_seq)");
            }
            Self::Summaries { max_attempts } => {
                sql.push(
                    " FROM papers p LEFT JOIN summaries s ON s.paper_id = p.id \
                     WHERE p.ai_summary IS NULL AND (s.paper_id IS NULL OR (s.summary IS NULL \
                     AND s.attempts < ",
                )
                .bind(i64::from(max_attempts))
                .push(" AND s.next_attempt_ms <= ")
                .bind(now_ms)
                .push("))");
            }
        }
    }

    /// The stored text hash of a task, selected `AS stored_hash`.
    fn push_stored_hash(&self, sql: &mut Sql) {
        match *self {
            Self::Embeddings { .. } => sql.push("e.text_hash AS stored_hash"),
            Self::Keyphrases { method, .. } => sql
                .push("CASE WHEN k.method = ")
                .bind(method)
                .push(" THEN k.text_hash END AS stored_hash"),
            Self::Summaries { .. } => sql.push("CAST(NULL AS BIGINT) AS stored_hash"),
        };
    }
}

impl Store {
    /// The papers of `backlog`, newest first, after `after`, at most `limit`.
    pub async fn backlog(
        &self,
        backlog: &Backlog<'_>,
        after: &BacklogPosition,
        limit: u32,
    ) -> Result<Vec<BacklogTask>> {
        let mut sql = Sql::new("SELECT p.id, p.title, p.summary, p.change_seq, p.sort_ms, ");
        backlog.push_stored_hash(&mut sql);
        backlog.push_from_where(&mut sql, ms(self.clock.now()));
        sql.push(" AND ");
        push_after(&mut sql, after);
        sql.push(NEWEST_FIRST)
            .push(" LIMIT ")
            .bind(i64::from(limit));
        self.db
            .fetch_all::<TaskRow>(sql)
            .await?
            .into_iter()
            .map(TaskRow::into_task)
            .collect()
    }

    /// How many papers [`Store::backlog`] would list from the start.
    pub async fn backlog_len(&self, backlog: &Backlog<'_>) -> Result<u64> {
        let mut sql = Sql::new("SELECT COUNT(*) AS v");
        backlog.push_from_where(&mut sql, ms(self.clock.now()));
        Ok(unsigned(self.db.fetch_one::<Scalar<i64>>(sql).await?.v))
    }

    /// Records, in one transaction, that the stored data of `backlog` for `papers`
    /// (made from text that has not changed since) is current as of each one's change
    /// sequence, so they leave the backlog. Summaries keep no text hash: nothing to do.
    pub async fn mark_backlog_current(
        &self,
        backlog: &Backlog<'_>,
        papers: &[(&ArxivId, i64)],
    ) -> Result<()> {
        let (table, key_column, key) = match *backlog {
            Backlog::Embeddings { model } => ("embeddings", "model", model),
            Backlog::Keyphrases { method, .. } => ("keyphrases", "method", method),
            Backlog::Summaries { .. } => return Ok(()),
        };
        if papers.is_empty() {
            return Ok(());
        }
        let mut tx = self.db.begin(true).await?;
        for (id, seq) in papers {
            let sql = Sql::new(format!(
                "UPDATE {table} SET source_seq = $1 WHERE paper_id = $2 AND {key_column} = $3"
            ))
            .arg(*seq)
            .arg(id.as_str())
            .arg(Value::from(key));
            tx.execute(sql).await?;
        }
        tx.commit().await
    }
}
