//! The search engine the web layer talks to: keyword search, semantic search when an
//! embedder is configured, their fusion, similar papers, and hydration from the store.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use paperboy_core::{ArxivId, SearchQuery};
use paperboy_store::{PaperRecord, Store};

use crate::fusion::{FusionWeights, Provenance, fuse};
use crate::keyword::KeywordIndex;
use crate::pool::{Lane, SearchPool};
use crate::vector::VectorIndex;
use crate::{Result, SearchError};
use paperboy_embed::Embedder;

/// How many candidates each list contributes to fusion.
pub const CANDIDATES: usize = 100;
/// How many semantic candidates are read before filters, when the query has filters.
const FILTERED_CANDIDATES: usize = 1_000;
/// Keyword weight (times the configured one) for queries of one or two words.
const SHORT_QUERY_KEYWORD_WEIGHT: f32 = 2.0;
/// Query embeddings remembered (pagination and repeated queries).
const QUERY_CACHE: usize = 512;
/// Semantic candidates less similar (cosine) to the query than this are dropped, in
/// semantic and hybrid search: every paper has *some* nearest neighbour, and a
/// query like `asdfghjkl` must find nothing rather than the hundred papers least
/// unlike it. In hybrid search this is also the rule that a result needs a keyword
/// match or a strong semantic one. Calibrated on the tuning half of the evaluation
/// set (docs/search.md): above every nonsense query's best match, below every
/// description's target.
pub const SEMANTIC_FLOOR: f32 = 0.38;

/// Which rankers a search uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchMode {
    /// Keyword and semantic, fused (keyword only when no embedder is configured).
    #[default]
    Hybrid,
    /// BM25 only.
    Keyword,
    /// Embeddings only.
    Semantic,
}

impl SearchMode {
    /// Parses `hybrid`, `keyword` or `semantic`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "hybrid" => Some(Self::Hybrid),
            "keyword" => Some(Self::Keyword),
            "semantic" | "vector" => Some(Self::Semantic),
            _ => None,
        }
    }

    /// The name `parse` reads.
    pub fn name(self) -> &'static str {
        match self {
            Self::Hybrid => "hybrid",
            Self::Keyword => "keyword",
            Self::Semantic => "semantic",
        }
    }
}

/// A search to run.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    /// The parsed query.
    pub query: SearchQuery,
    /// Rankers.
    pub mode: SearchMode,
    /// Hits to skip.
    pub offset: usize,
    /// Hits to return.
    pub limit: usize,
    /// Whether to work out which words of each hit's title and abstract match (for
    /// pages that mark them; the JSON API does not).
    pub highlight: bool,
}

/// Why a hit matched: highlighted words, and whether meaning (embeddings) found it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MatchExplanation {
    /// Where the paper ranked in the keyword and semantic lists.
    pub provenance: Provenance,
    /// Byte ranges of the title that match query words.
    pub title: Vec<Range<usize>>,
    /// Byte ranges of the abstract that match query words.
    pub summary: Vec<Range<usize>>,
}

/// One search hit.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    /// The paper.
    pub record: PaperRecord,
    /// Its score in the ranking used.
    pub score: f32,
    /// Why it matched.
    pub explanation: MatchExplanation,
}

/// A page of search results.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchPage {
    /// Hits of this page.
    pub hits: Vec<SearchHit>,
    /// Hits available in all (keyword matches, or the fused candidate list).
    pub total: usize,
    /// The rankers actually used (hybrid falls back to keyword without an embedder).
    pub mode: SearchMode,
    /// The keyword search ran out of its time budget: the hits are from part of
    /// the index.
    pub cut: bool,
    /// Where the time went.
    pub timing: SearchTiming,
}

/// Where a search spent its time, phase by phase (for `Server-Timing` headers and
/// profiling).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SearchTiming {
    /// Keyword search on the index.
    pub keyword: Duration,
    /// Embedding the query.
    pub embed: Duration,
    /// The vector scan.
    pub scan: Duration,
    /// Reading the hits' papers from the database.
    pub hydrate: Duration,
    /// Marking the query's words in the hits.
    pub highlight: Duration,
}

impl SearchTiming {
    /// Each phase with its name, in order.
    pub fn phases(&self) -> [(&'static str, Duration); 5] {
        [
            ("keyword", self.keyword),
            ("embed", self.embed),
            ("scan", self.scan),
            ("hydrate", self.hydrate),
            ("highlight", self.highlight),
        ]
    }
}

/// Times the phases of one search as they run (searches run their phases in order;
/// the recorder is shared by the futures of one search).
#[derive(Debug, Default)]
struct Phases(Mutex<SearchTiming>);

impl Phases {
    /// Runs `work`, adding its time to the phase `pick` chooses.
    async fn time<T>(
        &self,
        pick: fn(&mut SearchTiming) -> &mut Duration,
        work: impl std::future::Future<Output = T>,
    ) -> T {
        let started = Instant::now();
        let out = work.await;
        let mut timing = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *pick(&mut timing) += started.elapsed();
        out
    }

    fn total(&self) -> SearchTiming {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Embeddings of papers for one model, in memory, and the embedder for queries.
pub struct Semantic {
    embedder: Embedder,
    vectors: RwLock<VectorIndex>,
    cache: Mutex<HashMap<String, Arc<Vec<f32>>>>,
    /// Similar papers found since the vectors last changed, by (paper, how many).
    similar: Mutex<HashMap<(ArxivId, usize), Neighbours>>,
}

/// Papers near one paper, best first, with their similarity.
type Neighbours = Arc<Vec<(ArxivId, f32)>>;

/// Similar-paper lists remembered before that cache starts over.
const SIMILAR_CACHE: usize = 20_000;

impl Semantic {
    /// Semantic search with `embedder` over `vectors` (of the same model).
    pub fn new(embedder: Embedder, vectors: VectorIndex) -> Self {
        Self {
            embedder,
            vectors: RwLock::new(vectors),
            cache: Mutex::new(HashMap::new()),
            similar: Mutex::new(HashMap::new()),
        }
    }

    /// The embedder.
    pub fn embedder(&self) -> &Embedder {
        &self.embedder
    }

    /// Papers with a vector.
    pub fn len(&self) -> usize {
        self.vectors.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// True when no paper has a vector yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds or replaces paper vectors (as the embedding job produces them).
    pub fn insert(&self, vectors: impl IntoIterator<Item = (ArxivId, Vec<f32>)>) {
        let mut index = self.vectors.write().unwrap_or_else(|e| e.into_inner());
        let mut changed = false;
        for (id, vector) in vectors {
            index.upsert(id, &vector);
            changed = true;
        }
        if changed {
            self.similar
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clear();
        }
    }

    /// The `limit` papers most similar to `id` found since the vectors last
    /// changed, if any: a paper's page is read far more often than vectors arrive.
    fn remembered_similar(&self, id: &ArxivId, limit: usize) -> Option<Neighbours> {
        self.similar
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&(id.clone(), limit))
            .cloned()
    }

    /// Finds (a vector scan: run it on the search pool) and remembers the `limit`
    /// papers most similar to `id`; `None` when `id` has no vector.
    fn similar_to(&self, id: &ArxivId, limit: usize) -> Option<Neighbours> {
        let key = (id.clone(), limit);
        let vector = self.vector_of(id)?;
        let found = Arc::new(self.nearest(&vector, limit, Some(id)));
        let mut cache = self.similar.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= SIMILAR_CACHE {
            cache.clear();
        }
        cache.insert(key, found.clone());
        Some(found)
    }

    /// The query's vector, from the cache or embedded: a local model runs on the
    /// search `pool` (bounded, like the rest of a search's CPU work).
    async fn embed_query(&self, text: &str, pool: &SearchPool) -> Result<Arc<Vec<f32>>> {
        if let Some(hit) = self
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(text)
        {
            return Ok(hit.clone());
        }
        let vectors = match &self.embedder {
            Embedder::Local(local) => {
                let (local, text) = (local.clone(), text.to_owned());
                pool.run(move || local.embed(&[text.as_str()])).await??
            }
            other => other.embed(&[text]).await?,
        };
        let vector = vectors.into_iter().next().ok_or_else(|| {
            SearchError::Worker("the embedder returned no vector for the query".into())
        })?;
        let vector = Arc::new(vector);
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= QUERY_CACHE {
            cache.clear();
        }
        cache.insert(text.to_owned(), vector.clone());
        Ok(vector)
    }

    /// The `k` papers nearest to `query`, best first (CPU work: call it on the
    /// search pool).
    pub fn nearest(
        &self,
        query: &[f32],
        k: usize,
        exclude: Option<&ArxivId>,
    ) -> Vec<(ArxivId, f32)> {
        self.vectors
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .search(query, k, exclude)
    }

    /// `ids` that have a vector, most similar to `query` first.
    fn rank(&self, query: &[f32], ids: &[ArxivId]) -> Vec<ArxivId> {
        let vectors = self.vectors.read().unwrap_or_else(|e| e.into_inner());
        let mut scored: Vec<(f32, &ArxivId)> = ids
            .iter()
            .filter_map(|id| vectors.get(id).map(|v| (crate::vector::dot(query, v), id)))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        scored.into_iter().map(|(_, id)| id.clone()).collect()
    }

    fn vector_of(&self, id: &ArxivId) -> Option<Vec<f32>> {
        self.vectors
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .map(<[f32]>::to_vec)
    }
}

/// The search engine. Its CPU work (keyword search, the vector scan,
/// highlighting) runs on a [`SearchPool`], never on the async runtime's threads.
pub struct SearchEngine {
    store: Store,
    pool: SearchPool,
    keyword: Arc<KeywordIndex>,
    semantic: RwLock<Option<Arc<Semantic>>>,
    starting: AtomicBool,
    weights: FusionWeights,
}

impl SearchEngine {
    /// An engine over `keyword`, with semantic search when `semantic` is given.
    pub fn new(store: Store, keyword: Arc<KeywordIndex>, semantic: Option<Arc<Semantic>>) -> Self {
        Self {
            store,
            pool: SearchPool::for_this_machine(),
            keyword,
            semantic: RwLock::new(semantic),
            starting: AtomicBool::new(false),
            weights: FusionWeights::default(),
        }
    }

    /// Runs the engine's CPU work on `pool` (shared with the index follower, say).
    pub fn with_pool(mut self, pool: SearchPool) -> Self {
        self.pool = pool;
        self
    }

    /// The threads searches run on.
    pub fn pool(&self) -> &SearchPool {
        &self.pool
    }

    /// The keyword index.
    pub fn keyword(&self) -> &Arc<KeywordIndex> {
        &self.keyword
    }

    /// The semantic part, when configured.
    pub fn semantic(&self) -> Option<Arc<Semantic>> {
        self.semantic
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Turns semantic search on (the server loads the model after it starts listening).
    pub fn set_semantic(&self, semantic: Arc<Semantic>) {
        *self.semantic.write().unwrap_or_else(|e| e.into_inner()) = Some(semantic);
        self.starting.store(false, Ordering::Relaxed);
    }

    /// Says whether semantic search is being prepared (model fetched or loaded).
    pub fn set_starting(&self, starting: bool) {
        self.starting.store(starting, Ordering::Relaxed);
    }

    /// True while semantic search is being prepared.
    pub fn is_starting(&self) -> bool {
        self.starting.load(Ordering::Relaxed)
    }

    /// Runs a search.
    ///
    /// When the embedder fails (an embedding server that went away), the search is
    /// answered by keywords alone rather than not at all.
    pub async fn search(&self, request: &SearchRequest) -> Result<SearchPage> {
        let query = &request.query;
        let semantic = self
            .semantic()
            .filter(|s| !s.is_empty() && query.has_text() && query.id.is_none());
        let phases = Phases::default();
        let page = match self.search_with(request, semantic.clone(), &phases).await {
            Err(e)
                if semantic.is_some()
                    && !matches!(e, SearchError::Store(_) | SearchError::Index(_)) =>
            {
                tracing::warn!("semantic search failed, answering with keywords only: {e}");
                self.search_with(request, None, &phases).await
            }
            result => result,
        };
        page.map(|page| SearchPage {
            timing: phases.total(),
            ..page
        })
    }

    async fn search_with(
        &self,
        request: &SearchRequest,
        semantic: Option<Arc<Semantic>>,
        phases: &Phases,
    ) -> Result<SearchPage> {
        let query = &request.query;
        let mode = match (request.mode, &semantic) {
            (SearchMode::Keyword, _) | (_, None) => SearchMode::Keyword,
            (mode, Some(_)) => mode,
        };
        let ranked: Vec<(ArxivId, f32, Provenance)> = match (mode, semantic) {
            (SearchMode::Keyword, _) | (_, None) => {
                let (offset, limit) = (request.offset, request.limit);
                let results = phases
                    .time(
                        |t| &mut t.keyword,
                        self.on_keyword(query, move |index, query| {
                            index.search(query, offset, limit)
                        }),
                    )
                    .await?;
                let cut = results.cut;
                let hits = results
                    .hits
                    .into_iter()
                    .enumerate()
                    .map(|(i, h)| {
                        let provenance = Provenance {
                            keyword_rank: Some(request.offset + i + 1),
                            vector_rank: None,
                        };
                        (h.id, h.score, provenance)
                    })
                    .collect();
                let mut page = self
                    .hydrate(request, hits, results.total, mode, phases)
                    .await?;
                page.cut = cut;
                return Ok(page);
            }
            (SearchMode::Semantic, Some(semantic)) => {
                let vector = phases
                    .time(
                        |t| &mut t.embed,
                        semantic.embed_query(&query.text(), &self.pool),
                    )
                    .await?;
                self.semantic_candidates(&semantic, query, vector, phases)
                    .await?
                    .into_iter()
                    .enumerate()
                    .map(|(i, (id, score))| {
                        (
                            id,
                            score,
                            Provenance {
                                keyword_rank: None,
                                vector_rank: Some(i + 1),
                            },
                        )
                    })
                    .collect()
            }
            (SearchMode::Hybrid, Some(semantic)) => {
                // The query is embedded while the keyword index is searched.
                let text = query.text();
                let (keyword_hits, vector) = tokio::try_join!(
                    phases.time(
                        |t| &mut t.keyword,
                        self.on_keyword(query, |index, query| index.candidates(query, CANDIDATES)),
                    ),
                    phases.time(|t| &mut t.embed, semantic.embed_query(&text, &self.pool)),
                )?;
                let keyword_hits = keyword_hits.hits;
                let vector: Vec<ArxivId> = if keyword_hits.first().is_some_and(|h| h.by_author) {
                    // The query names a person, of whom embeddings know nothing: the
                    // semantic list ranks that person's papers (those the name found)
                    // by closeness to the query instead of the whole corpus.
                    let theirs: Vec<ArxivId> = keyword_hits
                        .iter()
                        .filter(|h| h.by_author)
                        .map(|h| h.id.clone())
                        .collect();
                    let semantic = semantic.clone();
                    phases
                        .time(
                            |t| &mut t.scan,
                            self.pool.run(move || semantic.rank(&vector, &theirs)),
                        )
                        .await?
                } else {
                    self.semantic_candidates(&semantic, query, vector, phases)
                        .await?
                        .into_iter()
                        .map(|(id, _)| id)
                        .collect()
                };
                let in_title: HashSet<&ArxivId> = keyword_hits
                    .iter()
                    .filter(|h| h.title_match)
                    .map(|h| &h.id)
                    .collect();
                let keyword: Vec<ArxivId> = keyword_hits.iter().map(|h| h.id.clone()).collect();
                let mut fused = fuse(&keyword, &vector, self.weights_for(query));
                // A name query lists the papers with the name in their title first, as
                // keyword search does (the sort is stable: fused order within each).
                fused.sort_by_key(|f| !in_title.contains(&f.id));
                fused
                    .into_iter()
                    .map(|f| (f.id, f.score, f.provenance))
                    .collect()
            }
        };
        let total = ranked.len();
        let page = ranked
            .into_iter()
            .skip(request.offset)
            .take(request.limit)
            .collect();
        self.hydrate(request, page, total, mode, phases).await
    }

    /// Fusion weights for `query`: a short query of rare words is a name the user
    /// knows, so its exact keyword matches outrank semantic neighbours.
    fn weights_for(&self, query: &SearchQuery) -> FusionWeights {
        let words = query.words.len() + query.phrases.len();
        if words <= 2 {
            FusionWeights {
                keyword: self.weights.keyword * SHORT_QUERY_KEYWORD_WEIGHT,
                ..self.weights
            }
        } else {
            self.weights
        }
    }

    /// Runs `search` on the keyword index on the search pool.
    async fn on_keyword<T: Send + 'static>(
        &self,
        query: &SearchQuery,
        search: impl FnOnce(&KeywordIndex, &SearchQuery) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (index, query) = (self.keyword.clone(), query.clone());
        self.pool.run(move || search(&index, &query)).await?
    }

    /// The `k` nearest papers to `vector` in `semantic`, found on the search pool.
    async fn nearest(
        &self,
        semantic: &Arc<Semantic>,
        vector: Arc<Vec<f32>>,
        k: usize,
        exclude: Option<ArxivId>,
    ) -> Result<Vec<(ArxivId, f32)>> {
        let semantic = semantic.clone();
        self.pool
            .run(move || semantic.nearest(&vector, k, exclude.as_ref()))
            .await
    }

    /// Semantic candidates for the query, whose text embeds as `vector`, with its
    /// filters applied.
    async fn semantic_candidates(
        &self,
        semantic: &Arc<Semantic>,
        query: &SearchQuery,
        vector: Arc<Vec<f32>>,
        phases: &Phases,
    ) -> Result<Vec<(ArxivId, f32)>> {
        let k = if query.has_filters() {
            FILTERED_CANDIDATES
        } else {
            CANDIDATES
        };
        let mut candidates = phases
            .time(|t| &mut t.scan, self.nearest(semantic, vector, k, None))
            .await?;
        candidates.retain(|(_, similarity)| *similarity >= SEMANTIC_FLOOR);
        if !query.has_filters() {
            return Ok(candidates);
        }
        let ids: Vec<ArxivId> = candidates.iter().map(|(id, _)| id.clone()).collect();
        let allowed: HashSet<ArxivId> = self
            .store
            .records_by_ids(&ids)
            .await?
            .into_iter()
            .filter(|r| query.filters_match(&r.paper))
            .map(|r| r.paper.id)
            .collect();
        Ok(candidates
            .into_iter()
            .filter(|(id, _)| allowed.contains(id))
            .take(CANDIDATES)
            .collect())
    }

    async fn hydrate(
        &self,
        request: &SearchRequest,
        ranked: Vec<(ArxivId, f32, Provenance)>,
        total: usize,
        mode: SearchMode,
        phases: &Phases,
    ) -> Result<SearchPage> {
        let ids: Vec<ArxivId> = ranked.iter().map(|(id, _, _)| id.clone()).collect();
        let mut records: HashMap<ArxivId, PaperRecord> = phases
            .time(|t| &mut t.hydrate, self.store.records_by_ids(&ids))
            .await?
            .into_iter()
            .map(|r| (r.paper.id.clone(), r))
            .collect();
        let hits: Vec<SearchHit> = ranked
            .into_iter()
            .filter_map(|(id, score, provenance)| {
                let record = records.remove(&id)?;
                Some(SearchHit {
                    record,
                    score,
                    explanation: MatchExplanation {
                        provenance,
                        ..MatchExplanation::default()
                    },
                })
            })
            .collect();
        let hits = if request.highlight {
            phases
                .time(|t| &mut t.highlight, self.highlight(&request.query, hits))
                .await?
        } else {
            hits
        };
        Ok(SearchPage {
            hits,
            total,
            mode,
            cut: false,
            timing: SearchTiming::default(),
        })
    }

    /// Marks the query's words in each hit's title and abstract, on the search pool.
    async fn highlight(
        &self,
        query: &SearchQuery,
        mut hits: Vec<SearchHit>,
    ) -> Result<Vec<SearchHit>> {
        let (index, query) = (self.keyword.clone(), query.clone());
        self.pool
            .run(move || {
                for hit in &mut hits {
                    let paper = &hit.record.paper;
                    hit.explanation.title = index.highlights(&query, &paper.title);
                    hit.explanation.summary = index.highlights(&query, &paper.summary);
                }
                hits
            })
            .await
    }

    /// Papers most similar to `id` by embedding, best first; empty without
    /// embeddings for it.
    pub async fn similar(&self, id: &ArxivId, limit: usize) -> Result<Vec<(PaperRecord, f32)>> {
        let Some(semantic) = self.semantic() else {
            return Ok(Vec::new());
        };
        let nearest = match semantic.remembered_similar(id, limit) {
            Some(nearest) => Some(nearest),
            // Part of a paper page: in the page lane, ahead of queued searches.
            None => {
                let paper = id.clone();
                self.pool
                    .run_in(Lane::Page, move || semantic.similar_to(&paper, limit))
                    .await?
            }
        };
        let Some(nearest) = nearest else {
            return Ok(Vec::new());
        };
        let scores: HashMap<ArxivId, f32> = nearest.iter().cloned().collect();
        let ids: Vec<ArxivId> = nearest.iter().map(|(id, _)| id.clone()).collect();
        Ok(self
            .store
            .records_by_ids(&ids)
            .await?
            .into_iter()
            .map(|r| {
                let score = scores.get(&r.paper.id).copied().unwrap_or(0.0);
                (r, score)
            })
            .collect())
    }
}
