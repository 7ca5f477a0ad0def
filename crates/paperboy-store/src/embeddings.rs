//! Stored sentence embeddings and the backlog of papers still to embed.

use paperboy_core::ArxivId;
use sqlx::{QueryBuilder, Row, Sqlite};

use crate::codec::parse_id;
use crate::{Result, Store, StoreError};

/// A paper whose embedding is missing or may be stale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddingTask {
    /// The paper.
    pub id: ArxivId,
    /// Its title.
    pub title: String,
    /// Its abstract.
    pub summary: String,
    /// Its change sequence now.
    pub change_seq: i64,
    /// The hash of the text last embedded, if any: equal means nothing to redo.
    pub stored_hash: Option<i64>,
    /// Where the backlog walk continues after this task.
    pub position: BacklogPosition,
}

/// A position in the backlog walk (newest papers first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BacklogPosition {
    sort_ms: i64,
    id: String,
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

/// One embedding to store.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbeddingRow<'a> {
    /// The paper.
    pub id: &'a ArxivId,
    /// The vector (normalised by the embedder).
    pub vector: &'a [f32],
    /// Hash of the embedded text.
    pub text_hash: i64,
    /// The paper's change sequence the text was read at.
    pub source_seq: i64,
}

fn encode(vector: &[f32]) -> Vec<u8> {
    vector.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn decode(id: &str, bytes: &[u8], dim: usize) -> Result<Vec<f32>> {
    if bytes.len() != dim * 4 {
        return Err(StoreError::corrupt(
            format!("embedding of {id}"),
            format!("{} bytes, expected {}", bytes.len(), dim * 4),
        ));
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect())
}

const BACKLOG_WHERE: &str = "FROM papers p LEFT JOIN embeddings e ON e.paper_id = p.id AND e.model = $1 \
     WHERE (e.paper_id IS NULL OR p.change_seq > e.source_seq)";

impl Store {
    /// Papers whose `model` embedding is missing or older than the paper, newest
    /// papers first, after `after`, at most `limit`.
    pub async fn embedding_backlog(
        &self,
        model: &str,
        after: &BacklogPosition,
        limit: u32,
    ) -> Result<Vec<EmbeddingTask>> {
        let sql = format!(
            "SELECT p.id, p.title, p.summary, p.change_seq, e.text_hash, p.sort_ms {BACKLOG_WHERE} \
             AND (p.sort_ms < $2 OR (p.sort_ms = $2 AND ($3 = '' OR p.id < $3))) \
             ORDER BY p.sort_ms DESC, p.id DESC LIMIT $4"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(model)
            .bind(after.sort_ms)
            .bind(&after.id)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let id: String = row.try_get(0)?;
                Ok(EmbeddingTask {
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
            })
            .collect()
    }

    /// How many papers wait for a `model` embedding.
    pub async fn embedding_backlog_len(&self, model: &str) -> Result<u64> {
        let sql = format!("SELECT COUNT(*) {BACKLOG_WHERE}");
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(model)
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// How many `model` embeddings are stored.
    pub async fn embedding_count(&self, model: &str) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM embeddings WHERE model = $1")
            .bind(model)
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Stores embeddings, replacing earlier ones of the same model.
    pub async fn save_embeddings(&self, model: &str, rows: &[EmbeddingRow<'_>]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for chunk in rows.chunks(200) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO embeddings (model, paper_id, dim, vector, text_hash, source_seq) ",
            );
            q.push_values(chunk, |mut b, row| {
                b.push_bind(model.to_owned())
                    .push_bind(row.id.to_string())
                    .push_bind(row.vector.len() as i64)
                    .push_bind(encode(row.vector))
                    .push_bind(row.text_hash)
                    .push_bind(row.source_seq);
            });
            q.push(
                " ON CONFLICT (model, paper_id) DO UPDATE SET dim = excluded.dim, vector = excluded.vector, \
                 text_hash = excluded.text_hash, source_seq = excluded.source_seq",
            );
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records that these papers' text is unchanged since it was embedded.
    pub async fn mark_embeddings_current(
        &self,
        model: &str,
        papers: &[(&ArxivId, i64)],
    ) -> Result<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for (id, seq) in papers {
            sqlx::query("UPDATE embeddings SET source_seq = $1 WHERE model = $2 AND paper_id = $3")
                .bind(seq)
                .bind(model)
                .bind(id.as_str())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every stored `model` embedding of dimension `dim`, `chunk` rows at a time, by id.
    pub async fn embeddings_page(
        &self,
        model: &str,
        dim: usize,
        after: &str,
        chunk: u32,
    ) -> Result<Vec<(ArxivId, Vec<f32>)>> {
        let rows = sqlx::query(
            "SELECT paper_id, vector FROM embeddings WHERE model = $1 AND dim = $2 AND paper_id > $3 \
             ORDER BY paper_id LIMIT $4",
        )
        .bind(model)
        .bind(dim as i64)
        .bind(after)
        .bind(i64::from(chunk))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let id: String = row.try_get(0)?;
                let bytes: Vec<u8> = row.try_get(1)?;
                let vector = decode(&id, &bytes, dim)?;
                Ok((parse_id(&id)?, vector))
            })
            .collect()
    }
}
