//! Moderation of papers: authorship claims (a reader claims one author entry, a
//! moderator verifies or rejects it; verified authors may set the paper's code and
//! project links), and papers moderators hide from the daily lists.

use paperboy_core::ArxivId;

use crate::codec::{ms, parse_id};
use crate::db::{Scalar, Sql};
use crate::papers::BUMP_LIST_SEQ;
use crate::{Result, Store, StoreError};

/// Where a claim stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimStatus {
    /// Waiting for a moderator.
    Pending,
    /// A moderator confirmed it.
    Verified,
    /// A moderator refused it.
    Rejected,
}

impl ClaimStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Verified => "verified",
            Self::Rejected => "rejected",
        }
    }

    fn parse(text: &str) -> Result<Self> {
        match text {
            "pending" => Ok(Self::Pending),
            "verified" => Ok(Self::Verified),
            "rejected" => Ok(Self::Rejected),
            other => Err(StoreError::corrupt("claim status", other)),
        }
    }
}

/// A claim of one author entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorClaim {
    /// The paper.
    pub paper_id: ArxivId,
    /// The author entry's position, from 0.
    pub author_index: usize,
    /// The claiming account.
    pub user_id: String,
    /// Its username.
    pub username: Option<String>,
    /// Where it stands.
    pub status: ClaimStatus,
}

#[derive(Debug, sqlx::FromRow)]
struct ClaimRow {
    paper_id: String,
    author_index: i64,
    user_id: String,
    username: Option<String>,
    status: String,
}

impl ClaimRow {
    fn into_claim(self) -> Result<AuthorClaim> {
        Ok(AuthorClaim {
            paper_id: parse_id(&self.paper_id)?,
            author_index: usize::try_from(self.author_index).unwrap_or(0),
            user_id: self.user_id,
            username: self.username,
            status: ClaimStatus::parse(&self.status)?,
        })
    }
}

const SELECT_CLAIMS: &str = "SELECT c.paper_id, c.author_index, c.user_id, u.username, c.status \
     FROM author_claims c JOIN users u ON u.id = c.user_id";

impl Store {
    /// Records `user_id`'s claim of author entry `index` of `paper` (pending).
    /// [`StoreError::Conflict`] when that entry is claimed by someone else (or the
    /// reader has claimed another entry of the paper); a rejected claim of one's
    /// own may be made again.
    pub async fn claim_author(&self, paper: &ArxivId, index: usize, user_id: &str) -> Result<()> {
        let mut tx = self.db.begin(true).await?;
        let others = tx
            .fetch_one::<Scalar<i64>>(
                Sql::new(
                    "SELECT COUNT(*) AS v FROM author_claims WHERE paper_id = $1 AND status <> 'rejected' \
                     AND ((author_index = $2 AND user_id <> $3) OR (author_index <> $2 AND user_id = $3))",
                )
                .arg(paper.as_str())
                .arg(i64::try_from(index).unwrap_or(i64::MAX))
                .arg(user_id),
            )
            .await?;
        if others.v > 0 {
            return Err(StoreError::Conflict(
                "this author entry is claimed already, or you claimed another entry of this paper"
                    .into(),
            ));
        }
        tx.execute(
            Sql::new(
                "INSERT INTO author_claims (paper_id, author_index, user_id, status, created_ms) \
                 VALUES ($1, $2, $3, 'pending', $4) \
                 ON CONFLICT (paper_id, author_index) DO UPDATE SET user_id = excluded.user_id, \
                 status = 'pending', created_ms = excluded.created_ms, decided_by = NULL, decided_ms = NULL",
            )
            .arg(paper.as_str())
            .arg(i64::try_from(index).unwrap_or(i64::MAX))
            .arg(user_id)
            .arg(ms(self.clock.now())),
        )
        .await?;
        tx.commit().await
    }

    /// A moderator's (`by`) decision on the claim of entry `index` of `paper`;
    /// false when there is no such claim.
    pub async fn decide_claim(
        &self,
        paper: &ArxivId,
        index: usize,
        by: &str,
        verified: bool,
    ) -> Result<bool> {
        let status = if verified {
            ClaimStatus::Verified
        } else {
            ClaimStatus::Rejected
        };
        let sql = Sql::new(
            "UPDATE author_claims SET status = $3, decided_by = $4, decided_ms = $5 \
             WHERE paper_id = $1 AND author_index = $2",
        )
        .arg(paper.as_str())
        .arg(i64::try_from(index).unwrap_or(i64::MAX))
        .arg(status.as_str())
        .arg(by)
        .arg(ms(self.clock.now()));
        Ok(self.db.execute(sql).await? > 0)
    }

    /// The claims on `paper`, by author position.
    pub async fn claims_of_paper(&self, paper: &ArxivId) -> Result<Vec<AuthorClaim>> {
        let sql = Sql::new(format!(
            "{SELECT_CLAIMS} WHERE c.paper_id = $1 ORDER BY c.author_index"
        ))
        .arg(paper.as_str());
        self.db
            .fetch_all::<ClaimRow>(sql)
            .await?
            .into_iter()
            .map(ClaimRow::into_claim)
            .collect()
    }

    /// The papers `user_id` is a verified author of, newest claim first.
    pub async fn authored_by(&self, user_id: &str) -> Result<Vec<ArxivId>> {
        let sql = Sql::new(
            "SELECT paper_id AS v FROM author_claims WHERE user_id = $1 AND status = 'verified' \
             ORDER BY created_ms DESC, paper_id",
        )
        .arg(user_id);
        self.fetch_paper_ids(sql).await
    }

    /// Hides `paper` from the daily lists with moderator `by`'s `reason`, or shows it
    /// again (`reason` `None`).
    pub async fn hide_paper(&self, paper: &ArxivId, by: &str, reason: Option<&str>) -> Result<()> {
        let mut tx = self.db.begin(true).await?;
        let sql = match reason {
            Some(reason) => Sql::new(
                "INSERT INTO paper_moderation (paper_id, hidden_reason, hidden_by, hidden_ms) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (paper_id) DO UPDATE SET \
                 hidden_reason = excluded.hidden_reason, hidden_by = excluded.hidden_by, \
                 hidden_ms = excluded.hidden_ms",
            )
            .arg(paper.as_str())
            .arg(reason)
            .arg(by)
            .arg(ms(self.clock.now())),
            None => {
                Sql::new("DELETE FROM paper_moderation WHERE paper_id = $1").arg(paper.as_str())
            }
        };
        tx.execute(sql).await?;
        tx.execute(Sql::new(BUMP_LIST_SEQ)).await?;
        tx.commit().await
    }

    /// Why moderators hid `paper`, if they did.
    pub async fn paper_hidden(&self, paper: &ArxivId) -> Result<Option<String>> {
        let sql = Sql::new("SELECT hidden_reason AS v FROM paper_moderation WHERE paper_id = $1")
            .arg(paper.as_str());
        Ok(self
            .db
            .fetch_optional::<Scalar<String>>(sql)
            .await?
            .map(|row| row.v))
    }

    /// Sets `paper`'s code repository and project page (its verified author's or an
    /// admin's word; `None` leaves a link as it is). Bumps the change sequence, so
    /// every instance's index and pages see it.
    pub async fn set_paper_links(
        &self,
        paper: &ArxivId,
        github_repo: Option<&str>,
        project_page: Option<&str>,
    ) -> Result<()> {
        let mut write = self.begin_write().await?;
        let seq = write.change_seq().await?;
        let changed = write
            .tx()
            .execute(
                Sql::new(
                    "UPDATE papers SET github_repo = COALESCE($2, github_repo), \
                     project_page = COALESCE($3, project_page), change_seq = $4 WHERE id = $1",
                )
                .arg(paper.as_str())
                .arg(github_repo)
                .arg(project_page)
                .arg(seq),
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::UnknownPapers(vec![paper.to_string()]));
        }
        write.commit().await?;
        Ok(())
    }
}
