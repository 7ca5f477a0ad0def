//! The search engine end to end on real papers and the real model: the embedding
//! backlog, stored vectors, hybrid / keyword / semantic search, filters, similar papers.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use paperboy_testkit::model as common;

use std::sync::Arc;

use paperboy_core::{ArxivId, SearchQuery};
use paperboy_embed::Embedder;
use paperboy_jobs::JobContext;
use paperboy_search::backlog::{load_vectors, run_backlog};
use paperboy_search::engine::{SearchEngine, SearchMode, SearchRequest, Semantic};
use paperboy_search::vector::VectorIndex;
use paperboy_store::{Backend, Store};
use paperboy_testkit::TestDb;
use paperboy_testkit::corpus::{CORPUS_PAPERS, indexed_corpus};
use tokio_util::sync::CancellationToken;

async fn engine() -> (TestDb, Store, SearchEngine) {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let store = db.open().await;
    let keyword = indexed_corpus(&store, &db.dir.path().join("index"))
        .await
        .index()
        .clone();

    let semantic = Arc::new(Semantic::new(
        Embedder::Local(common::local()),
        VectorIndex::new(384),
    ));
    let ctx = JobContext::quiet(CancellationToken::new());
    let done = run_backlog(&store, &semantic, &ctx).await.unwrap();
    assert_eq!(done.done, CORPUS_PAPERS);
    assert_eq!(semantic.len() as u64, CORPUS_PAPERS);
    let again = run_backlog(&store, &semantic, &ctx).await.unwrap();
    assert_eq!(
        (again.done, again.unchanged),
        (0, 0),
        "nothing left to embed"
    );
    assert_eq!(
        store
            .backlog_len(&paperboy_store::Backlog::Embeddings {
                model: "all-MiniLM-L6-v2",
            })
            .await
            .unwrap(),
        0
    );

    let (loaded, _) = load_vectors(&store, "all-MiniLM-L6-v2", 384).await.unwrap();
    assert_eq!(
        loaded.len() as u64,
        CORPUS_PAPERS,
        "vectors survive a restart"
    );
    let engine = SearchEngine::new(store.clone(), keyword, Some(semantic));
    (db, store, engine)
}

fn request(q: &str, mode: SearchMode) -> SearchRequest {
    SearchRequest {
        query: SearchQuery::parse(q),
        mode,
        offset: 0,
        limit: 10,
        highlight: true,
    }
}

async fn top(engine: &SearchEngine, q: &str, mode: SearchMode) -> Vec<String> {
    let page = engine.search(&request(q, mode)).await.unwrap();
    page.hits
        .iter()
        .map(|h| h.record.paper.id.to_string())
        .collect()
}

/// One engine for every check: embedding the papers is the slow part.
#[tokio::test(flavor = "multi_thread")]
async fn engine_on_real_papers() {
    let (_dir, _store, engine) = engine().await;
    descriptions_find_the_paper_and_every_mode_answers(&engine).await;
    filters_apply_to_semantic_candidates_too(&engine).await;
    similar_papers_exclude_the_paper_itself(&engine).await;
    a_named_author_narrows_the_semantic_list(&engine).await;
    nonsense_and_impossible_filters_find_nothing_in_every_mode(&engine).await;
}

async fn descriptions_find_the_paper_and_every_mode_answers(engine: &SearchEngine) {
    // 2606.27531: "Doppler Tracking of the Artemis II Mission (and Other Spacecraft)".
    let description =
        "students following a crewed moon capsule's radio signal to measure its velocity shift";
    let semantic = top(engine, description, SearchMode::Semantic).await;
    assert_eq!(semantic[0], "2606.27531", "{semantic:?}");
    let hybrid = top(engine, description, SearchMode::Hybrid).await;
    assert!(hybrid[..3].contains(&"2606.27531".to_owned()), "{hybrid:?}");

    let page = engine
        .search(&request(description, SearchMode::Hybrid))
        .await
        .unwrap();
    assert_eq!(page.mode, SearchMode::Hybrid);
    let hit = page
        .hits
        .iter()
        .find(|h| h.record.paper.id.as_str() == "2606.27531")
        .unwrap();
    assert!(
        hit.explanation.provenance.vector_rank.is_some(),
        "explained as a semantic match"
    );

    // A precise keyword query keeps its exact match first.
    assert_eq!(
        top(engine, "CryptoGAT", SearchMode::Hybrid).await[0],
        "2606.27670"
    );
    let keyword = engine
        .search(&request("CryptoGAT", SearchMode::Keyword))
        .await
        .unwrap();
    assert_eq!(keyword.mode, SearchMode::Keyword);
    assert!(
        !keyword.hits[0].explanation.title.is_empty(),
        "the matching title word is highlighted"
    );
}

async fn filters_apply_to_semantic_candidates_too(engine: &SearchEngine) {
    let page = engine
        .search(&request(
            "particle collider cross sections cat:hep-ph",
            SearchMode::Semantic,
        ))
        .await
        .unwrap();
    assert!(!page.hits.is_empty());
    assert!(
        page.hits
            .iter()
            .all(|h| h.record.paper.categories.iter().any(|c| c == "hep-ph"))
    );
    let page = engine
        .search(&request(
            "particle collider after:2026-01",
            SearchMode::Hybrid,
        ))
        .await
        .unwrap();
    assert!(page.hits.iter().all(|h| {
        h.record
            .paper
            .published_or_announced()
            .is_some_and(|t| t.to_string().as_str() >= "2026")
    }));
}

async fn similar_papers_exclude_the_paper_itself(engine: &SearchEngine) {
    let id = ArxivId::parse("0704.0001").unwrap();
    let similar = engine.similar(&id, 5).await.unwrap();
    assert_eq!(similar.len(), 5);
    assert!(similar.iter().all(|(r, _)| r.paper.id != id));
    assert!(similar.windows(2).all(|w| w[0].1 >= w[1].1), "best first");
    // A paper's nearest neighbours among 2007 hep papers and 2026 cs papers are hep papers.
    assert!(
        similar[0].0.paper.id.as_str().starts_with("0704."),
        "{:?}",
        similar[0].0.paper.id
    );
    assert!(
        engine
            .similar(&ArxivId::parse("2401.99999").unwrap(), 5)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_named_author_narrows_the_semantic_list(engine: &SearchEngine) {
    // 0704.0001 is by C. Balázs, E. L. Berger, P. M. Nadolsky and C.-P. Yuan.
    let page = engine
        .search(&request(
            "nadolsky diphoton cross sections",
            SearchMode::Hybrid,
        ))
        .await
        .unwrap();
    assert_eq!(page.hits[0].record.paper.id.as_str(), "0704.0001");
    let semantic: Vec<_> = page
        .hits
        .iter()
        .filter(|h| h.explanation.provenance.vector_rank.is_some())
        .collect();
    assert!(!semantic.is_empty());
    assert!(
        semantic.iter().all(|h| h
            .record
            .paper
            .authors
            .iter()
            .any(|a| a.name.contains("Nadolsky"))),
        "embeddings know no names: their list holds only the named author's papers"
    );
    // Without a name the semantic list is the whole corpus's (above the floor).
    let topic_only = engine
        .search(&request("diphoton cross sections", SearchMode::Semantic))
        .await
        .unwrap();
    assert_eq!(
        topic_only.hits.first().map(|h| h.record.paper.id.as_str()),
        Some("0704.0001")
    );
    assert!(
        topic_only
            .hits
            .iter()
            .all(|h| h.score >= paperboy_search::engine::SEMANTIC_FLOOR)
    );
}

async fn nonsense_and_impossible_filters_find_nothing_in_every_mode(engine: &SearchEngine) {
    for query in [
        "asdfghjkl",
        "qwertyuiop",
        "blorptastic frumious",
        "xyzzyx plughq",
        "doppler tracking cat:nonexistent.XX",
        "doppler tracking before:1990-01-01",
    ] {
        for mode in [
            SearchMode::Keyword,
            SearchMode::Semantic,
            SearchMode::Hybrid,
        ] {
            let page = engine.search(&request(query, mode)).await.unwrap();
            assert!(
                page.hits.is_empty() && page.total == 0,
                "{query} ({mode:?}): {:?}",
                page.hits
                    .iter()
                    .map(|h| (&h.record.paper.title, h.score))
                    .collect::<Vec<_>>()
            );
        }
    }
    // The floor drops only the weak: a real description still finds its paper.
    let page = engine
        .search(&request(
            "a crewed moon capsule's radio doppler shift",
            SearchMode::Semantic,
        ))
        .await
        .unwrap();
    assert!(!page.hits.is_empty());
    assert!(page.hits.len() < 100, "weak neighbours are dropped");
}
