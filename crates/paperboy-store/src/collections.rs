//! Collections: a reader's named reading lists of papers, public or private.

use paperboy_core::ArxivId;

use crate::codec::ms;
use crate::db::{Scalar, Sql};
use crate::secret::new_id;
use crate::{Result, Store, StoreError};

/// Longest collection name, in characters.
pub const MAX_COLLECTION_NAME: usize = 100;

/// A collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collection {
    /// Its id (24 hex characters).
    pub id: String,
    /// Its owner's account.
    pub user_id: String,
    /// Its owner's username.
    pub owner: Option<String>,
    /// Its name.
    pub name: String,
    /// Anyone may read it.
    pub public: bool,
    /// Papers in it.
    pub papers: u64,
}

#[derive(Debug, sqlx::FromRow)]
struct CollectionRow {
    id: String,
    user_id: String,
    owner: Option<String>,
    name: String,
    public: i64,
    papers: i64,
}

impl From<CollectionRow> for Collection {
    fn from(row: CollectionRow) -> Self {
        Self {
            id: row.id,
            user_id: row.user_id,
            owner: row.owner,
            name: row.name,
            public: row.public != 0,
            papers: u64::try_from(row.papers).unwrap_or(0),
        }
    }
}

const SELECT_COLLECTIONS: &str = "SELECT c.id, c.user_id, u.username AS owner, c.name, c.public, \
     (SELECT COUNT(*) FROM collection_papers p WHERE p.collection_id = c.id) AS papers \
     FROM collections c JOIN users u ON u.id = c.user_id";

impl Store {
    /// Creates `user_id`'s collection `name`.
    pub async fn create_collection(
        &self,
        user_id: &str,
        name: &str,
        public: bool,
    ) -> Result<Collection> {
        let id = new_id()?;
        let now = ms(self.clock.now());
        let sql = Sql::new(
            "INSERT INTO collections (id, user_id, name, public, created_ms, updated_ms) \
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .arg(id.as_str())
        .arg(user_id)
        .arg(name)
        .arg(i64::from(public))
        .arg(now);
        self.db.execute(sql).await?;
        self.collection(&id)
            .await?
            .ok_or_else(|| StoreError::corrupt("new collection", "not found after insert"))
    }

    /// The collection `id`.
    pub async fn collection(&self, id: &str) -> Result<Option<Collection>> {
        let sql = Sql::new(format!("{SELECT_COLLECTIONS} WHERE c.id = $1")).arg(id);
        Ok(self
            .db
            .fetch_optional::<CollectionRow>(sql)
            .await?
            .map(Collection::from))
    }

    /// The collections of `user_id`, oldest first; only the public ones unless
    /// `private_too`.
    pub async fn collections_of(
        &self,
        user_id: &str,
        private_too: bool,
    ) -> Result<Vec<Collection>> {
        let filter = if private_too { "" } else { " AND c.public = 1" };
        let sql = Sql::new(format!(
            "{SELECT_COLLECTIONS} WHERE c.user_id = $1{filter} ORDER BY c.created_ms, c.id"
        ))
        .arg(user_id);
        Ok(self
            .db
            .fetch_all::<CollectionRow>(sql)
            .await?
            .into_iter()
            .map(Collection::from)
            .collect())
    }

    /// Adds (`add`) or removes `paper` in collection `id`. [`StoreError::UnknownPapers`]
    /// for a paper that is not stored.
    pub async fn set_in_collection(&self, id: &str, paper: &ArxivId, add: bool) -> Result<()> {
        let now = ms(self.clock.now());
        let mut tx = self.db.begin(true).await?;
        if add {
            let known = tx
                .fetch_optional::<Scalar<String>>(
                    Sql::new("SELECT id AS v FROM papers WHERE id = $1").arg(paper.as_str()),
                )
                .await?;
            if known.is_none() {
                return Err(StoreError::UnknownPapers(vec![paper.to_string()]));
            }
            tx.execute(
                Sql::new(
                    "INSERT INTO collection_papers (collection_id, paper_id, added_ms) VALUES ($1, $2, $3) \
                     ON CONFLICT DO NOTHING",
                )
                .arg(id)
                .arg(paper.as_str())
                .arg(now),
            )
            .await?;
        } else {
            tx.execute(
                Sql::new(
                    "DELETE FROM collection_papers WHERE collection_id = $1 AND paper_id = $2",
                )
                .arg(id)
                .arg(paper.as_str()),
            )
            .await?;
        }
        tx.execute(
            Sql::new("UPDATE collections SET updated_ms = $2 WHERE id = $1")
                .arg(id)
                .arg(now),
        )
        .await?;
        tx.commit().await
    }

    /// The papers of collection `id`, most recently added first.
    pub async fn collection_papers(&self, id: &str) -> Result<Vec<ArxivId>> {
        let sql = Sql::new(
            "SELECT paper_id AS v FROM collection_papers WHERE collection_id = $1 \
             ORDER BY added_ms DESC, paper_id",
        )
        .arg(id);
        self.fetch_paper_ids(sql).await
    }

    /// Deletes collection `id` (its papers stay in the database).
    pub async fn delete_collection(&self, id: &str) -> Result<()> {
        let mut tx = self.db.begin(true).await?;
        tx.execute(Sql::new("DELETE FROM collection_papers WHERE collection_id = $1").arg(id))
            .await?;
        tx.execute(Sql::new("DELETE FROM collections WHERE id = $1").arg(id))
            .await?;
        tx.commit().await
    }
}
