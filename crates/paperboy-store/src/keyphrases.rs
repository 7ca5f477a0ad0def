//! Key phrases paperboy extracted for papers no source gave `ai_keywords`.

use paperboy_core::ArxivId;

use crate::codec::to_json;
use crate::db::{Scalar, Sql, Value, unsigned};
use crate::{Result, Store};

/// Rows per multi-row insert.
const ROWS_PER_STATEMENT: usize = 200;

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

impl Store {
    /// How many papers have key phrases paperboy extracted.
    pub async fn keyphrase_count(&self) -> Result<u64> {
        let sql = Sql::new("SELECT COUNT(*) AS v FROM keyphrases");
        Ok(unsigned(self.db.fetch_one::<Scalar<i64>>(sql).await?.v))
    }

    /// Stores key phrases made by `method`, replacing earlier ones.
    pub async fn save_keyphrases(&self, method: &str, rows: &[KeyphraseRow<'_>]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = self.db.begin(true).await?;
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut sql = Sql::new(
                "INSERT INTO keyphrases (paper_id, phrases, method, text_hash, source_seq)",
            );
            sql.bind_rows(chunk.iter().map(|row| {
                vec![
                    Value::from(row.id.to_string()),
                    Value::from(to_json(row.phrases)),
                    Value::from(method),
                    Value::from(row.text_hash),
                    Value::from(row.source_seq),
                ]
            }));
            sql.push(
                " ON CONFLICT (paper_id) DO UPDATE SET phrases = excluded.phrases, \
                 method = excluded.method, text_hash = excluded.text_hash, \
                 source_seq = excluded.source_seq",
            );
            tx.execute(sql).await?;
        }
        tx.commit().await
    }
}
