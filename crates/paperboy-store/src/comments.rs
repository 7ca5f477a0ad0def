//! Comments on papers: threaded (a reply names its parent), edited by their author,
//! hidden by moderators with a reason, deleted by their author (kept as a
//! placeholder so replies keep their thread). The Markdown is stored as written.
//! `paper_activity.comments` counts the visible ones, kept in step in the same
//! transaction, and the list counter moves so cached lists show the new count.

use paperboy_core::ArxivId;

use crate::codec::{ms, parse_id};
use crate::db::{Backend, Scalar, Sql, Tx};
use crate::papers::BUMP_LIST_SEQ;
use crate::secret::new_id;
use crate::{Result, Store, StoreError};

/// Longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 10_000;

/// A comment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// Its id (24 hex characters).
    pub id: String,
    /// The paper.
    pub paper_id: ArxivId,
    /// The comment it replies to.
    pub parent_id: Option<String>,
    /// Its author's account id; `None` once the account was deleted.
    pub user_id: Option<String>,
    /// Its author's username at reading time.
    pub username: Option<String>,
    /// The Markdown as written (empty once deleted).
    pub body: String,
    /// When it was written (ms since the epoch).
    pub created_ms: i64,
    /// When it was last edited.
    pub edited_ms: Option<i64>,
    /// Why a moderator hid it.
    pub hidden_reason: Option<String>,
    /// Its author deleted it.
    pub deleted: bool,
}

impl Comment {
    /// Whether readers see its text.
    pub fn is_visible(&self) -> bool {
        self.hidden_reason.is_none() && !self.deleted
    }
}

#[derive(Debug, sqlx::FromRow)]
struct CommentRow {
    id: String,
    paper_id: String,
    parent_id: Option<String>,
    user_id: Option<String>,
    username: Option<String>,
    body: String,
    created_ms: i64,
    edited_ms: Option<i64>,
    hidden_reason: Option<String>,
    deleted_ms: Option<i64>,
}

impl CommentRow {
    fn into_comment(self) -> Result<Comment> {
        Ok(Comment {
            paper_id: parse_id(&self.paper_id)?,
            id: self.id,
            parent_id: self.parent_id,
            user_id: self.user_id,
            username: self.username,
            body: self.body,
            created_ms: self.created_ms,
            edited_ms: self.edited_ms,
            hidden_reason: self.hidden_reason,
            deleted: self.deleted_ms.is_some(),
        })
    }
}

const SELECT_COMMENTS: &str = "SELECT c.id, c.paper_id, c.parent_id, c.user_id, u.username, c.body, \
     c.created_ms, c.edited_ms, c.hidden_reason, c.deleted_ms FROM comments c \
     LEFT JOIN users u ON u.id = c.user_id";

/// Recounts the visible comments of `paper` and marks the lists changed.
async fn recount(tx: &mut Tx, paper: &str) -> Result<()> {
    tx.execute(
        Sql::new(
            "INSERT INTO paper_activity (paper_id, comments) \
             SELECT $1, COUNT(*) FROM comments WHERE paper_id = $1 \
             AND hidden_reason IS NULL AND deleted_ms IS NULL \
             ON CONFLICT (paper_id) DO UPDATE SET comments = excluded.comments",
        )
        .arg(paper),
    )
    .await?;
    tx.execute(Sql::new(BUMP_LIST_SEQ)).await?;
    Ok(())
}

/// Locks `paper`'s row on PostgreSQL, so comment counts of one paper never lose an
/// update (SQLite's write transactions take turns anyway); false when the paper is
/// not stored.
async fn lock_paper(tx: &mut Tx, paper: &str) -> Result<bool> {
    let lock = if tx.backend() == Backend::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let sql = Sql::new(format!("SELECT id AS v FROM papers WHERE id = $1{lock}")).arg(paper);
    Ok(tx.fetch_optional::<Scalar<String>>(sql).await?.is_some())
}

impl Store {
    /// Adds `user_id`'s comment `body` on `paper`, replying to `parent` when given.
    /// [`StoreError::UnknownPapers`] for an unknown paper, [`StoreError::NotFound`]
    /// for a parent that is not a comment on this paper.
    pub async fn add_comment(
        &self,
        paper: &ArxivId,
        user_id: &str,
        parent: Option<&str>,
        body: &str,
    ) -> Result<Comment> {
        let id = new_id()?;
        let mut tx = self.db.begin(true).await?;
        if !lock_paper(&mut tx, paper.as_str()).await? {
            return Err(StoreError::UnknownPapers(vec![paper.to_string()]));
        }
        if let Some(parent) = parent {
            let sql = Sql::new("SELECT id AS v FROM comments WHERE id = $1 AND paper_id = $2")
                .arg(parent)
                .arg(paper.as_str());
            if tx.fetch_optional::<Scalar<String>>(sql).await?.is_none() {
                return Err(StoreError::NotFound(format!(
                    "there is no comment {parent} on paper {paper} to reply to"
                )));
            }
        }
        tx.execute(
            Sql::new(
                "INSERT INTO comments (id, paper_id, parent_id, user_id, body, created_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .arg(id.as_str())
            .arg(paper.as_str())
            .arg(parent)
            .arg(user_id)
            .arg(body)
            .arg(ms(self.clock.now())),
        )
        .await?;
        recount(&mut tx, paper.as_str()).await?;
        tx.commit().await?;
        self.comment(&id)
            .await?
            .ok_or_else(|| StoreError::corrupt("new comment", "not found after insert"))
    }

    /// The comment `id`.
    pub async fn comment(&self, id: &str) -> Result<Option<Comment>> {
        let sql = Sql::new(format!("{SELECT_COMMENTS} WHERE c.id = $1")).arg(id);
        self.db
            .fetch_optional::<CommentRow>(sql)
            .await?
            .map(CommentRow::into_comment)
            .transpose()
    }

    /// Every comment on `paper`, oldest first (hidden and deleted ones included: the
    /// caller decides what to show).
    pub async fn comments_of(&self, paper: &ArxivId) -> Result<Vec<Comment>> {
        let sql = Sql::new(format!(
            "{SELECT_COMMENTS} WHERE c.paper_id = $1 ORDER BY c.created_ms, c.id"
        ))
        .arg(paper.as_str());
        self.db
            .fetch_all::<CommentRow>(sql)
            .await?
            .into_iter()
            .map(CommentRow::into_comment)
            .collect()
    }

    /// Every comment account `user_id` wrote, oldest first.
    pub async fn comments_by(&self, user_id: &str) -> Result<Vec<Comment>> {
        let sql = Sql::new(format!(
            "{SELECT_COMMENTS} WHERE c.user_id = $1 ORDER BY c.created_ms, c.id"
        ))
        .arg(user_id);
        self.db
            .fetch_all::<CommentRow>(sql)
            .await?
            .into_iter()
            .map(CommentRow::into_comment)
            .collect()
    }

    /// Runs `sql` (an update of comment `comment.id`) and recounts its paper.
    async fn change_comment(&self, comment: &Comment, sql: Sql) -> Result<()> {
        let mut tx = self.db.begin(true).await?;
        lock_paper(&mut tx, comment.paper_id.as_str()).await?;
        tx.execute(sql).await?;
        recount(&mut tx, comment.paper_id.as_str()).await?;
        tx.commit().await
    }

    /// Replaces the text of `comment` with `body`.
    pub async fn edit_comment(&self, comment: &Comment, body: &str) -> Result<()> {
        let sql = Sql::new("UPDATE comments SET body = $2, edited_ms = $3 WHERE id = $1")
            .arg(comment.id.as_str())
            .arg(body)
            .arg(ms(self.clock.now()));
        self.change_comment(comment, sql).await
    }

    /// Hides `comment` with `reason` (moderator `by`), or shows it again when
    /// `reason` is `None`.
    pub async fn hide_comment(
        &self,
        comment: &Comment,
        by: &str,
        reason: Option<&str>,
    ) -> Result<()> {
        let sql = Sql::new("UPDATE comments SET hidden_reason = $2, hidden_by = $3 WHERE id = $1")
            .arg(comment.id.as_str())
            .arg(reason)
            .arg(reason.map(|_| by));
        self.change_comment(comment, sql).await
    }

    /// Deletes `comment`'s text (its author's wish); the comment stays as a
    /// placeholder for its replies.
    pub async fn delete_comment(&self, comment: &Comment) -> Result<()> {
        let sql = Sql::new("UPDATE comments SET body = '', deleted_ms = $2 WHERE id = $1")
            .arg(comment.id.as_str())
            .arg(ms(self.clock.now()));
        self.change_comment(comment, sql).await
    }
}
