//! Keyword search over real papers, following a real store.

use std::sync::Arc;

use paperboy_core::SearchQuery;
use paperboy_ingest::{ImportOptions, import_file};
use paperboy_store::Store;
use paperboy_testkit::fixture_path;

use crate::follow::IndexFollower;
use crate::keyword::KeywordIndex;

async fn indexed_store() -> (tempfile::TempDir, Store, IndexFollower) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_dir(&dir.path().join("data")).await.unwrap();
    for file in [
        "arxiv_listing/daily_arxiv_ai_enhanced_2026-06-29.jsonl",
        "kaggle_snapshot/arxiv-metadata-oai-snapshot.sample-200.jsonl",
        "hf_api/daily_papers_date_2026-08-21.json",
    ] {
        let report = import_file(&store, &fixture_path(file), &ImportOptions::default()).await;
        assert!(report.is_clean(), "{report:?}");
    }
    let index = Arc::new(KeywordIndex::open(&dir.path().join("index")).unwrap());
    let follower = IndexFollower::new(index).unwrap();
    let n = follower.catch_up(&store, &|_| {}).await.unwrap();
    assert_eq!(n, 166 + 200 + 17);
    (dir, store, follower)
}

fn ids(index: &KeywordIndex, q: &str) -> Vec<String> {
    index
        .search(&SearchQuery::parse(q), 0, 10)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id.to_string())
        .collect()
}

#[tokio::test]
async fn title_words_find_the_paper_first() {
    let (_dir, _store, follower) = indexed_store().await;
    let index = follower.index();
    assert_eq!(ids(index, "Doppler Tracking Artemis")[0], "2606.27531");
    assert_eq!(ids(index, "CryptoGAT")[0], "2606.27670");
    assert_eq!(ids(index, "prompt diphoton Tevatron")[0], "0704.0001");
    assert_eq!(ids(index, "2606.27670"), ["2606.27670"]);
    assert!(ids(index, "zzzzqqq").is_empty());
}

#[tokio::test]
async fn filters_narrow_and_operators_combine() {
    let (_dir, store, follower) = indexed_store().await;
    let index = follower.index();
    let by_author = ids(index, "author:Nadolsky");
    assert!(by_author.contains(&"0704.0001".to_owned()), "{by_author:?}");
    let cat = index
        .search(&SearchQuery::parse("cat:hep-ph"), 0, 500)
        .unwrap();
    assert!(cat.total > 5 && cat.hits.len() == cat.total.min(500));
    let cat_upper = index
        .search(&SearchQuery::parse("cat:HEP-PH"), 0, 500)
        .unwrap();
    assert_eq!(
        cat.total, cat_upper.total,
        "categories match case-insensitively"
    );
    let old = index
        .search(&SearchQuery::parse("before:2008"), 0, 500)
        .unwrap();
    assert_eq!(old.total, 200, "the Kaggle sample is from 2007");
    let new = index
        .search(&SearchQuery::parse("after:2026-06"), 0, 500)
        .unwrap();
    assert_eq!(new.total, 17, "the raw listing fixture carries no dates");
    let code = index
        .search(&SearchQuery::parse("has:code"), 0, 500)
        .unwrap();
    let with_code = store.stats().await.unwrap().papers_with_code;
    assert!(with_code > 0);
    assert_eq!(code.total as u64, with_code);
    let phrase = ids(index, r#""diphoton production""#);
    assert_eq!(phrase[0], "0704.0001");
    assert!(
        ids(index, r#""production diphoton""#).is_empty()
            || ids(index, r#""production diphoton""#)[0] != "0704.0001"
    );
}

#[tokio::test]
async fn hostile_queries_answer_without_error() {
    let (_dir, _store, follower) = indexed_store().await;
    let index = follower.index();
    for q in [
        "\"".to_owned(),
        "author:".to_owned(),
        "((((".to_owned(),
        "a".repeat(10_000),
        "\u{0}\u{1}\u{2}".to_owned(),
        "中文 검색 بحث".to_owned(),
        "cat: after: before: has: id:".to_owned(),
        "title:foo AND OR NOT -bar +baz ~ * ?".to_owned(),
    ] {
        index.search(&SearchQuery::parse(&q), 0, 10).unwrap();
    }
}

#[tokio::test]
async fn follows_changes_and_rebuilds() {
    let (dir, store, follower) = indexed_store().await;
    let index = follower.index().clone();
    assert_eq!(
        follower.catch_up(&store, &|_| {}).await.unwrap(),
        0,
        "nothing new"
    );
    let report = import_file(
        &store,
        &fixture_path("hf_api/daily_papers_date_2025-06-02.json"),
        &ImportOptions::default(),
    )
    .await;
    assert!(report.is_clean());
    assert_eq!(follower.catch_up(&store, &|_| {}).await.unwrap(), 20);
    assert_eq!(index.len(), 166 + 200 + 17 + 20);
    assert!(!ids(&index, "ProRL prolonged reinforcement").is_empty());

    // The cursor survives reopening; a rebuild gives the same index.
    let cursor = index.cursor().unwrap();
    drop(follower);
    drop(index);
    let reopened = Arc::new(KeywordIndex::open(&dir.path().join("index")).unwrap());
    assert_eq!(reopened.cursor().unwrap(), cursor);
    let follower = IndexFollower::new(reopened.clone()).unwrap();
    assert!(matches!(
        IndexFollower::new(reopened.clone()),
        Err(crate::SearchError::WriterBusy(_))
    ));
    assert_eq!(follower.rebuild(&store, &|_| {}).await.unwrap(), 403);
    assert_eq!(reopened.len(), 403);
}

#[tokio::test]
async fn highlights_mark_matching_words() {
    let (_dir, _store, follower) = indexed_store().await;
    let text = "Tracking the Orion spacecraft with Doppler measurements";
    let ranges = follower
        .index()
        .highlights(&SearchQuery::parse("doppler track with the"), text);
    let marked: Vec<&str> = ranges.iter().map(|r| &text[r.clone()]).collect();
    assert_eq!(marked, ["Tracking", "Doppler"]);
}

#[tokio::test]
async fn hits_found_by_an_author_name_say_so() {
    let (_dir, _store, follower) = indexed_store().await;
    let index = follower.index();
    let top = |q: &str| {
        let hit = index.search(&SearchQuery::parse(q), 0, 1).unwrap().hits[0].clone();
        (hit.id.to_string(), hit.by_author)
    };
    // 0704.0001 is by C. Balázs, E. L. Berger, P. M. Nadolsky and C.-P. Yuan.
    assert_eq!(top("balazs diphoton"), ("0704.0001".to_owned(), true));
    assert_eq!(top("Nadolsky"), ("0704.0001".to_owned(), true));
    assert_eq!(top("diphoton Tevatron"), ("0704.0001".to_owned(), false));
    assert_eq!(
        top("c diphoton"),
        ("0704.0001".to_owned(), false),
        "an initial is not a name"
    );
    // Streinu wrote 0704.0002, whose abstract also cites Streinu's earlier work.
    assert_eq!(top("Theran pebble"), ("0704.0002".to_owned(), true));
    assert_eq!(
        top("Streinu pebble"),
        ("0704.0002".to_owned(), false),
        "a name the text uses is a topic word too"
    );
}

#[tokio::test]
async fn candidates_are_the_top_hits_without_the_count() {
    let (_dir, _store, follower) = indexed_store().await;
    let index = follower.index();
    for q in [
        "diphoton cross sections",
        "graph neural networks",
        "Nadolsky",
    ] {
        let query = SearchQuery::parse(q);
        let searched = index.search(&query, 0, 10).unwrap();
        let candidates = index.candidates(&query, 10).unwrap();
        let ids = |r: &crate::keyword::KeywordResults| {
            r.hits.iter().map(|h| h.id.clone()).collect::<Vec<_>>()
        };
        assert_eq!(ids(&candidates), ids(&searched), "{q}");
        for (c, s) in candidates.hits.iter().zip(&searched.hits) {
            // Skipping blocks sums the same terms in another order.
            assert!(
                (c.score - s.score).abs() <= 1e-4 * s.score,
                "{q}: {c:?} {s:?}"
            );
            assert_eq!(c.by_author, s.by_author, "{q}");
        }
        assert!(searched.total >= candidates.total, "{q}");
        assert_eq!(candidates.total, candidates.hits.len(), "{q}");
    }
}
