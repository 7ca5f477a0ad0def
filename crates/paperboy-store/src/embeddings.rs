//! Stored sentence embeddings.

use paperboy_core::ArxivId;

use crate::codec::parse_id;
use crate::db::{Scalar, Sql, Value, unsigned};
use crate::{ChangeCursor, Result, Store, StoreError};

/// Rows per multi-row insert.
const ROWS_PER_STATEMENT: usize = 200;

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

pub(crate) fn decode(id: &str, bytes: &[u8], dim: usize) -> Result<Vec<f32>> {
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

/// A stored vector.
#[derive(Debug, sqlx::FromRow)]
struct VectorRow {
    paper_id: String,
    vector: Vec<u8>,
}

/// A stored vector with its stamp.
#[derive(Debug, sqlx::FromRow)]
struct StampedVectorRow {
    #[sqlx(flatten)]
    vector: VectorRow,
    stored_seq: i64,
}

impl VectorRow {
    fn decode(self, dim: usize) -> Result<(ArxivId, Vec<f32>)> {
        let vector = decode(&self.paper_id, &self.vector, dim)?;
        Ok((parse_id(&self.paper_id)?, vector))
    }
}

impl Store {
    /// How many `model` embeddings are stored.
    pub async fn embedding_count(&self, model: &str) -> Result<u64> {
        let sql = Sql::new("SELECT COUNT(*) AS v FROM embeddings WHERE model = $1").arg(model);
        Ok(unsigned(self.db.fetch_one::<Scalar<i64>>(sql).await?.v))
    }

    /// Stores embeddings, replacing earlier ones of the same model.
    pub async fn save_embeddings(&self, model: &str, rows: &[EmbeddingRow<'_>]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = self.db.begin(true).await?;
        // Like the change sequence: the counter row stays locked until commit, so
        // stamps are handed out in commit order and a follower never skips one.
        let seq = tx
            .fetch_one::<Scalar<i64>>(Sql::new(
                "UPDATE counters SET value = value + 1 WHERE name = 'embedding_seq' RETURNING value AS v",
            ))
            .await?
            .v;
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut sql = Sql::new(
                "INSERT INTO embeddings (model, paper_id, dim, vector, text_hash, source_seq, stored_seq)",
            );
            sql.bind_rows(chunk.iter().map(|row| {
                vec![
                    Value::from(model),
                    Value::from(row.id.to_string()),
                    Value::from(row.vector.len() as i64),
                    Value::from(encode(row.vector)),
                    Value::from(row.text_hash),
                    Value::from(row.source_seq),
                    Value::from(seq),
                ]
            }));
            sql.push(
                " ON CONFLICT (model, paper_id) DO UPDATE SET dim = excluded.dim, vector = excluded.vector, \
                 text_hash = excluded.text_hash, source_seq = excluded.source_seq, \
                 stored_seq = excluded.stored_seq",
            );
            tx.execute(sql).await?;
        }
        tx.commit().await
    }

    /// Every stored `model` embedding of dimension `dim`, `chunk` rows at a time, by id.
    pub async fn embeddings_page(
        &self,
        model: &str,
        dim: usize,
        after: &str,
        chunk: u32,
    ) -> Result<Vec<(ArxivId, Vec<f32>)>> {
        let sql = Sql::new(
            "SELECT paper_id, vector FROM embeddings WHERE model = $1 AND dim = $2 AND paper_id > $3 \
             ORDER BY paper_id LIMIT $4",
        )
        .arg(model)
        .arg(dim as i64)
        .arg(after)
        .arg(i64::from(chunk));
        self.db
            .fetch_all::<VectorRow>(sql)
            .await?
            .into_iter()
            .map(|row| row.decode(dim))
            .collect()
    }

    /// `model` embeddings of dimension `dim` stored after `cursor` (by this or any
    /// other process), in the order they were stored, at most `limit`, each with the
    /// cursor that points at it: how an instance keeps its vectors current.
    pub async fn embeddings_stored_since(
        &self,
        model: &str,
        dim: usize,
        cursor: &ChangeCursor,
        limit: u32,
    ) -> Result<Vec<(ArxivId, Vec<f32>, ChangeCursor)>> {
        let sql = Sql::new(
            "SELECT paper_id, vector, stored_seq FROM embeddings WHERE model = $1 AND dim = $2 \
             AND (stored_seq > $3 OR (stored_seq = $3 AND paper_id > $4)) \
             ORDER BY stored_seq, paper_id LIMIT $5",
        )
        .arg(model)
        .arg(dim as i64)
        .arg(cursor.seq)
        .arg(&cursor.id)
        .arg(i64::from(limit));
        self.db
            .fetch_all::<StampedVectorRow>(sql)
            .await?
            .into_iter()
            .map(|row| {
                let seq = row.stored_seq;
                let (id, vector) = row.vector.decode(dim)?;
                let cursor = ChangeCursor {
                    seq,
                    id: id.to_string(),
                };
                Ok((id, vector, cursor))
            })
            .collect()
    }
}
