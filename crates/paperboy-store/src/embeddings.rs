//! Stored sentence embeddings.

use paperboy_core::ArxivId;

use crate::codec::parse_id;
use crate::db::{Scalar, Sql, Value, unsigned};
use crate::{Result, Store, StoreError};

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

/// A stored vector.
#[derive(Debug, sqlx::FromRow)]
struct VectorRow {
    paper_id: String,
    vector: Vec<u8>,
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
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut sql = Sql::new(
                "INSERT INTO embeddings (model, paper_id, dim, vector, text_hash, source_seq)",
            );
            sql.bind_rows(chunk.iter().map(|row| {
                vec![
                    Value::from(model),
                    Value::from(row.id.to_string()),
                    Value::from(row.vector.len() as i64),
                    Value::from(encode(row.vector)),
                    Value::from(row.text_hash),
                    Value::from(row.source_seq),
                ]
            }));
            sql.push(
                " ON CONFLICT (model, paper_id) DO UPDATE SET dim = excluded.dim, vector = excluded.vector, \
                 text_hash = excluded.text_hash, source_seq = excluded.source_seq",
            );
            tx.execute(sql).await?;
        }
        tx.commit().await
    }

    /// Records that these papers' text is unchanged since it was embedded.
    pub async fn mark_embeddings_current(
        &self,
        model: &str,
        papers: &[(&ArxivId, i64)],
    ) -> Result<()> {
        self.mark_current("embeddings", "model", model, papers)
            .await
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
            .map(|row| {
                let vector = decode(&row.paper_id, &row.vector, dim)?;
                Ok((parse_id(&row.paper_id)?, vector))
            })
            .collect()
    }
}
