//! Name queries (`LLaMA`, `DPO`) on the whole 74,728-paper arXiv corpus: the papers
//! that carry the name in their title come first, in keyword and in hybrid search,
//! although far more papers only mention it in their abstract.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::sync::Arc;

use paperboy_core::SearchQuery;
use paperboy_embed::Embedder;
use paperboy_search::backlog::paper_text;
use paperboy_search::engine::{SearchEngine, SearchMode, SearchRequest, Semantic};
use paperboy_search::vector::VectorIndex;
use paperboy_store::Backend;
use paperboy_testkit::corpus::indexed_import;
use paperboy_testkit::{TestDb, model, shared_data};

/// Names with a few dozen title matches and many more abstract-only mentions in
/// the corpus (LLaMA: 49 titles, 1,552 abstracts only).
const NAMES: [&str; 5] = ["LLaMA", "DPO", "GRPO", "DeepSeek", "NeRF"];

fn request(query: &str, mode: SearchMode, limit: usize) -> SearchRequest {
    SearchRequest {
        query: SearchQuery::parse(query),
        mode,
        offset: 0,
        limit,
        highlight: false,
    }
}

/// True when `title` holds `name` as a word, or its plural (split and stemmed as
/// the keyword index does for these names).
fn carries(title: &str, name: &str) -> bool {
    let name = name.to_lowercase();
    title
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .any(|word| word == name || word.strip_suffix('s') == Some(name.as_str()))
}

#[tokio::test(flavor = "multi_thread")]
async fn one_word_names_rank_a_title_match_first_on_the_whole_corpus() {
    let Some(corpus) = shared_data("arxiv_cs_daily_listings_2025-03-18_2026-07-01.jsonl.gz") else {
        return;
    };
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let store = db.open().await;
    let (follower, indexed) = indexed_import(&store, &[corpus], &db.dir.path().join("index")).await;
    assert_eq!(indexed, 74_728);
    let semantic = Arc::new(Semantic::new(
        Embedder::Local(model::local()),
        VectorIndex::new(384),
    ));
    let engine = SearchEngine::new(store, follower.index().clone(), Some(semantic.clone()));

    for name in NAMES {
        let keyword = engine
            .search(&request(name, SearchMode::Keyword, 100))
            .await
            .unwrap();
        assert!(keyword.total > 100, "{name}: a common name");
        let titles: Vec<&str> = keyword
            .hits
            .iter()
            .map(|h| h.record.paper.title.as_str())
            .collect();
        assert!(carries(titles[0], name), "{name}: keyword first {titles:?}");
        // Every title match of the top 100 comes before every abstract-only one.
        if let Some(first_without) = titles.iter().position(|t| !carries(t, name)) {
            assert!(
                titles[first_without..].iter().all(|t| !carries(t, name)),
                "{name}: {titles:?}"
            );
        }

        // The papers that compete in fusion, embedded: the keyword list's and their
        // semantic neighbours are the abstract-only mentions.
        let texts: Vec<String> = keyword
            .hits
            .iter()
            .map(|h| paper_text(&h.record.paper.title, &h.record.paper.summary))
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let vectors = model::local().embed(&refs).unwrap();
        semantic.insert(
            keyword
                .hits
                .iter()
                .map(|h| h.record.paper.id.clone())
                .zip(vectors),
        );
        let hybrid = engine
            .search(&request(name, SearchMode::Hybrid, 10))
            .await
            .unwrap();
        assert_eq!(hybrid.mode, SearchMode::Hybrid);
        let titles: Vec<&str> = hybrid
            .hits
            .iter()
            .map(|h| h.record.paper.title.as_str())
            .collect();
        assert!(
            titles.iter().all(|t| carries(t, name)),
            "{name}: hybrid top 10 {titles:?}"
        );
    }
}
