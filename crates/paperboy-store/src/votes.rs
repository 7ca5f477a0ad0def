//! Local upvotes: one per account and paper, in their own table so that imports
//! never overwrite them. A paper's shown count is its imported count plus its local
//! votes (`paper_activity.upvotes`, kept in step in the vote's transaction).

use std::collections::HashSet;

use paperboy_core::ArxivId;

use crate::codec::{count, ms};
use crate::db::{Backend, Scalar, Sql};
use crate::papers::BUMP_LIST_SEQ;
use crate::{Result, Store, StoreError};

/// What a vote changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoteOutcome {
    /// False when the vote was already as asked (voting twice changes nothing).
    pub changed: bool,
    /// The paper's shown upvote count afterwards.
    pub upvotes: u32,
}

impl Store {
    /// Adds (`up`) or removes the vote of `user_id` on `paper`.
    /// [`StoreError::UnknownPapers`] when the paper is not stored.
    pub async fn set_vote(&self, user_id: &str, paper: &ArxivId, up: bool) -> Result<VoteOutcome> {
        let id = paper.to_string();
        let mut tx = self.db.begin(true).await?;
        if tx.backend() == Backend::Postgres {
            // Votes on one paper take turns, so its count never loses an update.
            tx.execute(Sql::new("SELECT id FROM papers WHERE id = $1 FOR UPDATE").arg(id.as_str()))
                .await?;
        }
        let exists = tx
            .fetch_optional::<Scalar<String>>(
                Sql::new("SELECT id AS v FROM papers WHERE id = $1").arg(id.as_str()),
            )
            .await?
            .is_some();
        if !exists {
            return Err(StoreError::UnknownPapers(vec![id]));
        }
        let changed = if up {
            tx.execute(
                Sql::new(
                    "INSERT INTO votes (paper_id, user_id, created_ms) VALUES ($1, $2, $3) \
                     ON CONFLICT DO NOTHING",
                )
                .arg(id.as_str())
                .arg(user_id)
                .arg(ms(self.clock.now())),
            )
            .await?
        } else {
            tx.execute(
                Sql::new("DELETE FROM votes WHERE paper_id = $1 AND user_id = $2")
                    .arg(id.as_str())
                    .arg(user_id),
            )
            .await?
        } > 0;
        if changed {
            tx.execute(
                Sql::new(
                    "INSERT INTO paper_activity (paper_id, upvotes) \
                     SELECT $1, COUNT(*) FROM votes WHERE paper_id = $1 \
                     ON CONFLICT (paper_id) DO UPDATE SET upvotes = excluded.upvotes",
                )
                .arg(id.as_str()),
            )
            .await?;
            tx.execute(Sql::new(BUMP_LIST_SEQ)).await?;
        }
        let shown = tx
            .fetch_one::<Scalar<i64>>(
                Sql::new(format!(
                    "SELECT {} FROM papers p WHERE p.id = $1",
                    crate::papers::UPVOTES_COLUMN.replace("AS upvotes", "AS v")
                ))
                .arg(id.as_str()),
            )
            .await?;
        tx.commit().await?;
        Ok(VoteOutcome {
            changed,
            upvotes: count(shown.v),
        })
    }

    /// Which of `papers` account `user_id` has upvoted.
    pub async fn voted(&self, user_id: &str, papers: &[ArxivId]) -> Result<HashSet<ArxivId>> {
        if papers.is_empty() {
            return Ok(HashSet::new());
        }
        let mut sql = Sql::new("SELECT paper_id AS v FROM votes WHERE user_id = ");
        sql.bind(user_id).push(" AND paper_id IN ");
        sql.bind_list(papers.iter().map(ToString::to_string));
        Ok(self.fetch_paper_ids(sql).await?.into_iter().collect())
    }

    /// The usernames of the local upvoters of `paper`, earliest first, at most
    /// `limit` (accounts without a username yet are left out).
    pub async fn upvoters(&self, paper: &ArxivId, limit: u32) -> Result<Vec<String>> {
        let sql = Sql::new(
            "SELECT u.username AS v FROM votes v JOIN users u ON u.id = v.user_id \
             WHERE v.paper_id = $1 AND u.username IS NOT NULL \
             ORDER BY v.created_ms, u.username LIMIT $2",
        )
        .arg(paper.to_string())
        .arg(i64::from(limit));
        Ok(self
            .db
            .fetch_all::<Scalar<String>>(sql)
            .await?
            .into_iter()
            .map(|row| row.v)
            .collect())
    }

    /// The papers account `user_id` upvoted, most recent vote first, at most `limit`.
    pub async fn upvoted_by(&self, user_id: &str, limit: u32) -> Result<Vec<ArxivId>> {
        let sql = Sql::new(
            "SELECT paper_id AS v FROM votes WHERE user_id = $1 \
             ORDER BY created_ms DESC, paper_id DESC LIMIT $2",
        )
        .arg(user_id)
        .arg(i64::from(limit));
        self.fetch_paper_ids(sql).await
    }
}
