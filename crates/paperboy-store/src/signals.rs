//! What readers told paperboy about papers, for their "for you" ranking: upvotes and
//! saves (from their account), seeds imported from their library, "more like this"
//! and "not interested". A reader is an address: a subscriber without an account
//! has signals too, and an account's upvotes count for the subscription of the same
//! address.

use std::collections::{HashMap, HashSet};

use paperboy_core::foryou::Liking;
use paperboy_core::seeds::{SeedRef, title_key};
use paperboy_core::{ArxivId, Email};

use crate::codec::parse_id;
use crate::db::{Sql, Value};
use crate::{Result, Store};

/// Liked papers kept per reader at most, most recent first.
const MAX_LIKED: usize = 500;
/// Turned-down papers kept per reader at most, most recent first.
const MAX_TURNED_DOWN: usize = 500;
/// Ids per `IN (…)` list.
const IDS_PER_QUERY: usize = 500;

/// A reader's word on a paper besides upvotes and saves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReaderSignal {
    /// Imported from the reader's library.
    Seed,
    /// "More like this".
    More,
    /// "Not interested".
    NotInterested,
}

impl ReaderSignal {
    /// The column value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Seed => "seed",
            Self::More => "more",
            Self::NotInterested => "not_interested",
        }
    }
}

/// A paper a reader liked, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LikedRef {
    /// The paper.
    pub id: ArxivId,
    /// Its title.
    pub title: String,
    /// How it came to be liked (the most recent way, when several).
    pub liking: Liking,
}

/// Everything a reader liked and turned down, most recent first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReaderInterests {
    /// Upvoted, saved, seeded or "more like this" papers.
    pub liked: Vec<LikedRef>,
    /// "Not interested" papers.
    pub turned_down: Vec<ArxivId>,
}

impl ReaderInterests {
    /// Every paper the reader gave a word on, liked or not: none of them is
    /// recommended back.
    pub fn known(&self) -> HashSet<&ArxivId> {
        self.liked
            .iter()
            .map(|l| &l.id)
            .chain(&self.turned_down)
            .collect()
    }
}

/// One word of a reader on a paper, with the paper's title.
#[derive(Debug, sqlx::FromRow)]
struct SignalRow {
    reader: String,
    paper_id: String,
    kind: String,
    title: String,
}

#[derive(Debug, sqlx::FromRow)]
struct TitleRow {
    id: String,
    title: String,
}

#[derive(Debug, sqlx::FromRow)]
struct DoiRow {
    id: String,
    doi: String,
}

#[derive(Debug, sqlx::FromRow)]
struct VectorRow {
    paper_id: String,
    vector: Vec<u8>,
}

impl Store {
    /// Records `signal` from `reader` on each stored paper of `papers` (the latest
    /// word on a paper replaces an earlier one). Returns how many were recorded.
    pub async fn record_signals(
        &self,
        reader: &Email,
        papers: &[ArxivId],
        signal: ReaderSignal,
    ) -> Result<u64> {
        let now = self.now_ms();
        let mut recorded = 0;
        let mut tx = self.db.begin(true).await?;
        for chunk in papers.chunks(IDS_PER_QUERY) {
            let mut sql = Sql::new(
                "INSERT INTO reader_signals (reader, paper_id, signal, created_ms) \
                 SELECT $1, id, $2, $3 FROM papers WHERE id IN ",
            )
            .arg(reader.key())
            .arg(signal.as_str())
            .arg(now);
            sql.bind_list(chunk.iter().map(ArxivId::as_str));
            sql.push(
                " ON CONFLICT (reader, paper_id) DO UPDATE SET signal = excluded.signal, \
                 created_ms = excluded.created_ms",
            );
            recorded += tx.execute(sql).await?;
        }
        tx.commit().await?;
        Ok(recorded)
    }

    /// Takes back `reader`'s word on `paper` (seed, more, not interested).
    pub async fn clear_signal(&self, reader: &Email, paper: &ArxivId) -> Result<bool> {
        let sql = Sql::new("DELETE FROM reader_signals WHERE reader = $1 AND paper_id = $2")
            .arg(reader.key())
            .arg(paper.as_str());
        Ok(self.db.execute(sql).await? > 0)
    }

    /// What `reader` liked (upvotes and saves of the account with that address,
    /// seeds, "more like this") and turned down.
    pub async fn reader_interests(&self, reader: &Email) -> Result<ReaderInterests> {
        let mut all = self.readers_interests(std::slice::from_ref(reader)).await?;
        Ok(all.remove(&reader.key()).unwrap_or_default())
    }

    /// [`Store::reader_interests`] of many readers at once, by address key (readers
    /// without any signal left out); most recent first, at most 500 of each kind.
    pub async fn readers_interests(
        &self,
        readers: &[Email],
    ) -> Result<HashMap<String, ReaderInterests>> {
        let keys: Vec<String> = readers.iter().map(Email::key).collect();
        let mut all: HashMap<String, ReaderInterests> = HashMap::new();
        for chunk in keys.chunks(IDS_PER_QUERY) {
            // Every clause reads the same list: it is bound once per clause.
            let mut sql = Sql::new(
                "SELECT s.reader, s.paper_id, s.kind, p.title FROM ( \
                   SELECT u.email_key AS reader, v.paper_id AS paper_id, 'upvote' AS kind, \
                     v.created_ms AS at FROM votes v JOIN users u ON u.id = v.user_id \
                     WHERE u.email_key IN ",
            );
            sql.bind_list(chunk.iter().map(String::as_str));
            sql.push(
                " UNION ALL \
                   SELECT u.email_key, cp.paper_id, 'save', cp.added_ms FROM collection_papers cp \
                     JOIN collections c ON c.id = cp.collection_id \
                     JOIN users u ON u.id = c.user_id WHERE u.email_key IN ",
            );
            sql.bind_list(chunk.iter().map(String::as_str));
            sql.push(
                " UNION ALL \
                   SELECT reader, paper_id, signal, created_ms FROM reader_signals \
                     WHERE reader IN ",
            );
            sql.bind_list(chunk.iter().map(String::as_str));
            sql.push(
                " ) s JOIN papers p ON p.id = s.paper_id \
                 ORDER BY s.reader, s.at DESC, s.paper_id",
            );
            let mut seen: HashSet<(String, String)> = HashSet::new();
            for row in self.db.fetch_all::<SignalRow>(sql).await? {
                if !seen.insert((row.reader.clone(), row.paper_id.clone())) {
                    continue;
                }
                let interests = all.entry(row.reader).or_default();
                if row.kind == ReaderSignal::NotInterested.as_str() {
                    if interests.turned_down.len() < MAX_TURNED_DOWN {
                        interests.turned_down.push(parse_id(&row.paper_id)?);
                    }
                } else if let Some(liking) = Liking::parse(&row.kind)
                    && interests.liked.len() < MAX_LIKED
                {
                    interests.liked.push(LikedRef {
                        id: parse_id(&row.paper_id)?,
                        title: row.title,
                        liking,
                    });
                }
            }
        }
        Ok(all)
    }

    /// The stored `model` embeddings of dimension `dim` among `ids`.
    pub async fn embeddings_of(
        &self,
        model: &str,
        dim: usize,
        ids: &[ArxivId],
    ) -> Result<HashMap<ArxivId, Vec<f32>>> {
        let mut found = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(IDS_PER_QUERY) {
            let mut sql = Sql::new("SELECT paper_id, vector FROM embeddings WHERE model = $1 AND dim = $2 AND paper_id IN ")
                .arg(model)
                .arg(dim as i64);
            sql.bind_list(chunk.iter().map(ArxivId::as_str));
            for row in self.db.fetch_all::<VectorRow>(sql).await? {
                let vector = crate::embeddings::decode(&row.paper_id, &row.vector, dim)?;
                found.insert(parse_id(&row.paper_id)?, vector);
            }
        }
        Ok(found)
    }

    /// The stored papers that `seeds` name: by arXiv id, else by DOI, else by title
    /// (folded by [`title_key`]). Each paper once, in the order of `seeds`.
    pub async fn match_seeds(&self, seeds: &[SeedRef]) -> Result<Vec<ArxivId>> {
        let by_id: Vec<ArxivId> = seeds.iter().filter_map(|s| s.arxiv.clone()).collect();
        let stored_ids: HashSet<ArxivId> = self
            .records_by_ids(&by_id)
            .await?
            .into_iter()
            .map(|r| r.paper.id)
            .collect();
        let dois: Vec<&str> = seeds
            .iter()
            .filter(|s| s.arxiv.as_ref().is_none_or(|id| !stored_ids.contains(id)))
            .filter_map(|s| s.doi.as_deref())
            .collect();
        let by_doi = self.papers_by_doi(&dois).await?;
        let titles: HashSet<&str> = seeds.iter().filter_map(|s| s.title.as_deref()).collect();
        let by_title = if titles.is_empty() {
            HashMap::new()
        } else {
            self.papers_by_title_key(&titles).await?
        };
        let mut seen = HashSet::new();
        Ok(seeds
            .iter()
            .filter_map(|seed| {
                seed.arxiv
                    .clone()
                    .filter(|id| stored_ids.contains(id))
                    .or_else(|| seed.doi.as_ref().and_then(|d| by_doi.get(d).cloned()))
                    .or_else(|| seed.title.as_ref().and_then(|t| by_title.get(t).cloned()))
            })
            .filter(|id| seen.insert(id.clone()))
            .collect())
    }

    /// Stored papers by DOI (lower case).
    async fn papers_by_doi(&self, dois: &[&str]) -> Result<HashMap<String, ArxivId>> {
        let mut found = HashMap::new();
        for chunk in dois.chunks(IDS_PER_QUERY) {
            let mut sql = Sql::new("SELECT id, LOWER(doi) AS doi FROM papers WHERE LOWER(doi) IN ");
            sql.bind_list(chunk.iter().map(|d| Value::from(*d)));
            for row in self.db.fetch_all::<DoiRow>(sql).await? {
                found.insert(row.doi, parse_id(&row.id)?);
            }
        }
        Ok(found)
    }

    /// Stored papers whose folded title is one of `keys` (one pass over the titles:
    /// folding is not something an index can do for both engines).
    async fn papers_by_title_key(&self, keys: &HashSet<&str>) -> Result<HashMap<String, ArxivId>> {
        let mut found = HashMap::new();
        let mut after = String::new();
        loop {
            let sql = Sql::new("SELECT id, title FROM papers WHERE id > $1 ORDER BY id LIMIT 5000")
                .arg(after.as_str());
            let rows = self.db.fetch_all::<TitleRow>(sql).await?;
            let Some(last) = rows.last() else {
                break;
            };
            after = last.id.clone();
            for row in rows {
                let key = title_key(&row.title);
                if keys.contains(key.as_str()) {
                    found.insert(key, parse_id(&row.id)?);
                }
            }
        }
        Ok(found)
    }
}
