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
pub use query::{AUTHOR_BOOST, NAME_QUERY_WORDS, SHORT_QUERY_WORDS, TITLE_BOOST, TITLE_TIER};
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

/// How far past a page the top is read to settle a tie at its end.
const TIE_MARGIN: usize = 64;

/// The best documents of one query.
struct Top {
    /// (order key, BM25 score or 0, address), best first in tantivy's order.
    docs: Vec<(f64, f32, DocAddress)>,
    /// Documents matching, when counted.
    total: usize,
    /// The time budget ran out.
    cut: bool,
}

/// The best `n` documents for `query`: by BM25 when it `ranks`, else newest first;
/// counting every match when `count`. Without counting, tantivy skips blocks of
/// documents that cannot reach the top.
fn collect(
    searcher: &tantivy::Searcher,
    query: &dyn tantivy::query::Query,
    ranks: bool,
    count: bool,
    n: usize,
    deadline: std::time::Instant,
) -> Result<Top> {
    let top = TopDocs::with_limit(n);
    let by_score = |docs: Vec<(f32, DocAddress)>| -> Vec<(f64, f32, DocAddress)> {
        docs.into_iter()
            .map(|(score, address)| (f64::from(score), score, address))
            .collect()
    };
    Ok(match (ranks, count) {
        (true, true) => {
            let collector = Budgeted::new((top.order_by_score(), Count), deadline);
            let (docs, total) = searcher.search(query, &collector)?;
            Top {
                docs: by_score(docs),
                total,
                cut: collector.was_cut(),
            }
        }
        (true, false) => {
            let collector = Budgeted::new(top.order_by_score(), deadline);
            let docs = searcher.search(query, &collector)?;
            Top {
                total: docs.len(),
                docs: by_score(docs),
                cut: collector.was_cut(),
            }
        }
        (false, _) => {
            let collector = Budgeted::new(
                (
                    top.order_by_fast_field::<i64>("published", Order::Desc),
                    Count,
                ),
                deadline,
            );
            let (docs, total) = searcher.search(query, &collector)?;
            Top {
                docs: docs
                    .into_iter()
                    // Undated papers last.
                    .map(|(published, address)| {
                        (published.map_or(f64::MIN, |p| p as f64), 0.0, address)
                    })
                    .collect(),
                total,
                cut: collector.was_cut(),
            }
        }
    })
}

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
    /// True when the query is a name ([`NAME_QUERY_WORDS`] words at most) and the
    /// paper's title holds every word of it: such papers rank first.
    pub title_match: bool,
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
        let deadline = std::time::Instant::now() + self.budget;
        // Equal scores are ordered by id, so every instance and every backend lists
        // the same hits in the same order, whatever the index's segment layout. The
        // top is read one past the page; only when a tie reaches across the page's
        // end is it read deeper, to settle the tie.
        let end = offset + limit;
        let mut top = collect(&searcher, &tantivy_query, ranks, count, end + 1, deadline)?;
        if top.docs.len() > end && top.docs[end - 1].0 == top.docs[end].0 {
            top = collect(
                &searcher,
                &tantivy_query,
                ranks,
                count,
                end + TIE_MARGIN,
                deadline,
            )?;
        }
        let mut ranked = Vec::with_capacity(top.docs.len());
        for (key, score, address) in top.docs {
            let document: TantivyDocument = searcher.doc(address)?;
            let id = document
                .get_first(self.fields.id)
                .and_then(|v| v.as_str())
                .and_then(|s| ArxivId::parse(s).ok());
            if let Some(id) = id {
                ranked.push((key, score, id, address));
            }
        }
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.2.cmp(&b.2)));
        let page: Vec<_> = ranked.into_iter().take(end).skip(offset).collect();
        let total = if count {
            top.total
        } else {
            offset + page.len()
        };
        // Whether a hit was found by an author name is only worked out for all hits
        // when the best one was: that is when the engine needs them.
        let best_by_author = ranks
            && offset == 0
            && page
                .first()
                .map(|(_, _, _, address)| names.matches(&searcher, *address))
                .transpose()?
                .unwrap_or(false);
        let mut hits = Vec::with_capacity(page.len());
        for (i, (_, score, id, address)) in page.into_iter().enumerate() {
            let by_author = best_by_author && (i == 0 || names.matches(&searcher, address)?);
            let title_match = score >= TITLE_TIER;
            hits.push(KeywordHit {
                id,
                score: if title_match {
                    score - TITLE_TIER
                } else {
                    score
                },
                by_author,
                title_match,
            });
        }
        Ok(KeywordResults {
            hits,
            total,
            cut: top.cut,
        })
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
