//! The keyword index: tantivy BM25 over titles (boosted), abstracts, authors,
//! categories and ids.
//!
//! The database is the truth; the index records in its commit payload the change
//! cursor up to which it reflects the database, so any process can bring it up to
//! date ([`crate::follow`]) and `paperboy reindex` can rebuild it from nothing.

mod budget;
mod names;
mod query;
pub mod schema;
mod stats;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use paperboy_core::{ArxivId, Paper, SearchQuery};
use paperboy_store::ChangeCursor;
use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::schema::Value;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term, doc,
};

use budget::Budgeted;
use names::NameProbe;
pub use query::{AUTHOR_BOOST, SHORT_QUERY_WORDS, TITLE_BOOST};
use query::{Analyzers, build};
use schema::{
    Fields, NAME_ANALYZER, SCHEMA_VERSION, TEXT_ANALYZER, analyze, highlight_analyzer,
    name_analyzer, text_analyzer,
};
pub use stats::IndexStats;

use crate::{Result, SearchError};

/// Memory the index writer may use before flushing a segment.
const WRITER_MEMORY: usize = 128 * 1024 * 1024;
/// The time a keyword query may spend reading the index; segments left when it is
/// used up are skipped (what their papers would add is rarely worth the wait). With
/// the caps on a query's terms, real queries take a few milliseconds.
pub const KEYWORD_BUDGET: std::time::Duration = std::time::Duration::from_millis(300);

/// What the index's commit payload records.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Payload {
    schema_version: u32,
    seq: i64,
    id: String,
}

/// One keyword hit.
#[derive(Debug, Clone, PartialEq)]
pub struct KeywordHit {
    /// The paper.
    pub id: ArxivId,
    /// BM25 score (0 for filter-only queries, which are ordered newest first).
    pub score: f32,
    /// True when a word of the query is one of the paper's author names (and not a
    /// word of its text): the query names a person, which only keyword search can
    /// know. Worked out only when the best hit of the first page is such a hit (the
    /// case in which the engine uses it); false on every hit otherwise.
    pub by_author: bool,
}

/// A page of keyword hits and how many papers matched in all.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KeywordResults {
    /// The hits of this page, best first.
    pub hits: Vec<KeywordHit>,
    /// Papers matching the query.
    pub total: usize,
    /// The query ran out of [`KEYWORD_BUDGET`]: hits are from part of the index.
    pub cut: bool,
}

/// The keyword index of one data directory.
pub struct KeywordIndex {
    index: Index,
    budget: std::time::Duration,
    reader: IndexReader,
    fields: Fields,
    path: Option<PathBuf>,
    analyzers: Mutex<Analyzers>,
}

impl std::fmt::Debug for KeywordIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeywordIndex")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl KeywordIndex {
    /// Opens the index in `dir`, creating it when absent. An index written with
    /// another schema version is discarded and recreated empty (its cursor starts
    /// over, so following the database rebuilds it).
    pub fn open(dir: &Path) -> Result<Self> {
        let prepare = |source| SearchError::Directory {
            path: dir.to_owned(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(prepare)?;
        let (schema, fields) = Fields::schema();
        let directory = MmapDirectory::open(dir).map_err(|e| SearchError::Index(e.into()))?;
        let mut index = Index::open_or_create(directory, schema.clone())?;
        if read_payload(&index)?.is_some_and(|p| p.schema_version != SCHEMA_VERSION)
            || index.schema() != schema
        {
            tracing::warn!(
                "search index at {} has an older layout; rebuilding it from the database",
                dir.display()
            );
            drop(index);
            std::fs::remove_dir_all(dir).map_err(prepare)?;
            std::fs::create_dir_all(dir).map_err(prepare)?;
            let directory = MmapDirectory::open(dir).map_err(|e| SearchError::Index(e.into()))?;
            index = Index::open_or_create(directory, schema)?;
        }
        Self::from_index(index, fields, Some(dir.to_owned()))
    }

    /// An index in memory, for tests.
    pub fn in_memory() -> Result<Self> {
        let (schema, fields) = Fields::schema();
        Self::from_index(Index::create_in_ram(schema), fields, None)
    }

    fn from_index(index: Index, fields: Fields, path: Option<PathBuf>) -> Result<Self> {
        index.tokenizers().register(TEXT_ANALYZER, text_analyzer());
        index.tokenizers().register(NAME_ANALYZER, name_analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let analyzers = Mutex::new(Analyzers {
            text: text_analyzer(),
            name: name_analyzer(),
            highlight: highlight_analyzer(),
        });
        Ok(Self {
            index,
            budget: KEYWORD_BUDGET,
            reader,
            fields,
            path,
            analyzers,
        })
    }

    /// Gives queries `budget` instead of [`KEYWORD_BUDGET`] to read the index in.
    pub fn with_budget(mut self, budget: std::time::Duration) -> Self {
        self.budget = budget;
        self
    }

    /// Takes the index writer. Only one process can hold it; when another does, this
    /// says so ([`SearchError::WriterBusy`]).
    pub fn writer(&self) -> Result<KeywordWriter> {
        match self.index.writer(WRITER_MEMORY) {
            Ok(writer) => Ok(KeywordWriter {
                writer,
                fields: self.fields,
            }),
            Err(tantivy::TantivyError::LockFailure(..)) => Err(SearchError::WriterBusy(
                self.path.clone().unwrap_or_default(),
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// Up to where the index reflects the database.
    pub fn cursor(&self) -> Result<ChangeCursor> {
        Ok(read_payload(&self.index)?
            .map(|p| ChangeCursor {
                seq: p.seq,
                id: p.id,
            })
            .unwrap_or_default())
    }

    /// Makes the latest commit visible to searches.
    pub fn reload(&self) -> Result<()> {
        Ok(self.reader.reload()?)
    }

    /// Corpus statistics of the index as of the last reload.
    pub fn stats(&self) -> IndexStats {
        IndexStats::new(self.reader.searcher(), self.fields.summary)
    }

    /// Papers in the index (as of the last reload).
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// True when the index holds no papers.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Searches. Text queries rank by BM25; filter-only queries list newest first.
    pub fn search(
        &self,
        query: &SearchQuery,
        offset: usize,
        limit: usize,
    ) -> Result<KeywordResults> {
        self.run(query, offset, limit, true)
    }

    /// The best `limit` hits, for fusion: like [`search`](Self::search) without
    /// counting every match (`total` is the number of hits returned), which lets
    /// tantivy skip documents that cannot reach the top.
    pub fn candidates(&self, query: &SearchQuery, limit: usize) -> Result<KeywordResults> {
        self.run(query, 0, limit, false)
    }

    fn run(
        &self,
        query: &SearchQuery,
        offset: usize,
        limit: usize,
        count: bool,
    ) -> Result<KeywordResults> {
        if query.is_empty() || limit == 0 {
            return Ok(KeywordResults::default());
        }
        let (tantivy_query, ranks, names) = {
            let mut analyzers = self.analyzers.lock().unwrap_or_else(|e| e.into_inner());
            let (tantivy_query, ranks) = build(query, &self.fields, &mut analyzers);
            let names = NameProbe::new(query, &self.fields, &mut analyzers);
            (tantivy_query, ranks, names)
        };
        let searcher = self.reader.searcher();
        let top = TopDocs::with_limit(limit).and_offset(offset);
        let deadline = std::time::Instant::now() + self.budget;
        let cut;
        let (docs, total): (Vec<(f32, DocAddress)>, usize) = match (ranks, count) {
            (true, true) => {
                let collector = Budgeted::new((top.order_by_score(), Count), deadline);
                let found = searcher.search(&tantivy_query, &collector)?;
                cut = collector.was_cut();
                found
            }
            // Without counting, tantivy skips blocks that cannot reach the top.
            (true, false) => {
                let collector = Budgeted::new(top.order_by_score(), deadline);
                let docs = searcher.search(&tantivy_query, &collector)?;
                cut = collector.was_cut();
                let seen = offset + docs.len();
                (docs, seen)
            }
            (false, _) => {
                let collector = Budgeted::new(
                    (
                        top.order_by_fast_field::<i64>("published", Order::Desc),
                        Count,
                    ),
                    deadline,
                );
                let (docs, total) = searcher.search(&tantivy_query, &collector)?;
                cut = collector.was_cut();
                let docs = docs.into_iter().map(|(_, address)| (0.0, address));
                (docs.collect(), total)
            }
        };
        // Whether a hit was found by an author name is only worked out for all hits
        // when the best one was: that is when the engine needs them.
        let best_by_author = ranks
            && offset == 0
            && docs
                .first()
                .map(|(_, address)| names.matches(&searcher, *address))
                .transpose()?
                .unwrap_or(false);
        let mut hits = Vec::with_capacity(docs.len());
        for (i, (score, address)) in docs.into_iter().enumerate() {
            let document: TantivyDocument = searcher.doc(address)?;
            let id = document
                .get_first(self.fields.id)
                .and_then(|v| v.as_str())
                .and_then(|s| ArxivId::parse(s).ok());
            if let Some(id) = id {
                let by_author = best_by_author && (i == 0 || names.matches(&searcher, address)?);
                hits.push(KeywordHit {
                    id,
                    score,
                    by_author,
                });
            }
        }
        Ok(KeywordResults { hits, total, cut })
    }

    /// Byte ranges of `text` whose words match the query's words or phrases, for
    /// highlighting (the caller escapes and marks them).
    pub fn highlights(&self, query: &SearchQuery, text: &str) -> Vec<Range<usize>> {
        let mut analyzers = self.analyzers.lock().unwrap_or_else(|e| e.into_inner());
        let wanted: std::collections::HashSet<String> = query
            .words
            .iter()
            .chain(&query.phrases)
            .flat_map(|w| analyze(&mut analyzers.highlight, w))
            .collect();
        if wanted.is_empty() {
            return Vec::new();
        }
        let mut stream = analyzers.text.token_stream(text);
        let mut ranges = Vec::new();
        while stream.advance() {
            let token = stream.token();
            if wanted.contains(&token.text) {
                ranges.push(token.offset_from..token.offset_to);
            }
        }
        ranges
    }
}

fn read_payload(index: &Index) -> Result<Option<Payload>> {
    let metas = index.load_metas()?;
    Ok(metas
        .payload
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok()))
}

/// The index writer: add or replace papers, then commit with the cursor they reach.
pub struct KeywordWriter {
    writer: IndexWriter,
    fields: Fields,
}

impl KeywordWriter {
    /// Adds `paper`, replacing any earlier version of it.
    pub fn upsert(&mut self, paper: &Paper) -> Result<()> {
        let f = &self.fields;
        self.writer
            .delete_term(Term::from_field_text(f.id, paper.id.as_str()));
        let mut document = doc!(
            f.id => paper.id.as_str(),
            f.title => paper.title.as_str(),
            f.summary => paper.summary.as_str(),
            f.has_code => u64::from(paper.github_repo.is_some()),
        );
        // Papers no source dated stay out of date filters.
        if let Some(published) = paper.published_or_announced() {
            document.add_i64(f.published, published.as_second());
        }

        for author in &paper.authors {
            document.add_text(f.authors, &author.name);
        }
        for category in &paper.categories {
            document.add_text(f.categories, category.to_lowercase());
        }
        self.writer.add_document(document)?;
        Ok(())
    }

    /// Removes every document (before a rebuild).
    pub fn clear(&mut self) -> Result<()> {
        self.writer.delete_all_documents()?;
        Ok(())
    }

    /// Commits what was added, recording that the index now reflects the database up
    /// to `cursor`.
    pub fn commit(&mut self, cursor: &ChangeCursor) -> Result<()> {
        let payload = Payload {
            schema_version: SCHEMA_VERSION,
            seq: cursor.seq,
            id: cursor.id.clone(),
        };
        let mut prepared = self.writer.prepare_commit()?;
        prepared.set_payload(&serde_json::to_string(&payload).unwrap_or_default());
        prepared.commit()?;
        Ok(())
    }
}
