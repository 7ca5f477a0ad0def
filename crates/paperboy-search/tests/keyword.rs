//! Keyword search over real papers, following a real store.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::sync::Arc;

use paperboy_core::SearchQuery;
use paperboy_ingest::{ImportOptions, import_file};
use paperboy_search::follow::IndexFollower;
use paperboy_search::keyword::KeywordIndex;
use paperboy_store::Store;
use paperboy_testkit::corpus::indexed_corpus;
use paperboy_testkit::{TestDb, fixture_path, on_both_backends};

on_both_backends!(
    equal_scores_are_ordered_by_id,
    a_query_out_of_time_is_cut_not_run_whole,
    title_words_find_the_paper_first,
    filters_narrow_and_operators_combine,
    hostile_queries_answer_without_error,
    follows_changes_and_rebuilds,
    highlights_mark_matching_words,
    hits_found_by_an_author_name_say_so,
    candidates_are_the_top_hits_without_the_count,
);

async fn indexed_store(db: &TestDb) -> (Store, IndexFollower) {
    let store = db.open().await;
    let follower = indexed_corpus(&store, &db.dir.path().join("index")).await;
    (store, follower)
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

async fn title_words_find_the_paper_first(db: TestDb) {
    let (_store, follower) = indexed_store(&db).await;
    let index = follower.index();
    assert_eq!(ids(index, "Doppler Tracking Artemis")[0], "2606.27531");
    assert_eq!(ids(index, "CryptoGAT")[0], "2606.27670");
    assert_eq!(ids(index, "prompt diphoton Tevatron")[0], "0704.0001");
    assert_eq!(ids(index, "2606.27670"), ["2606.27670"]);
    assert!(ids(index, "zzzzqqq").is_empty());
}

async fn filters_narrow_and_operators_combine(db: TestDb) {
    let (store, follower) = indexed_store(&db).await;
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

async fn hostile_queries_answer_without_error(db: TestDb) {
    let (_store, follower) = indexed_store(&db).await;
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

async fn follows_changes_and_rebuilds(db: TestDb) {
    let (store, follower) = indexed_store(&db).await;
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
    let reopened = Arc::new(KeywordIndex::open(&db.dir.path().join("index")).unwrap());
    assert_eq!(reopened.cursor().unwrap(), cursor);
    let follower = IndexFollower::new(reopened.clone()).unwrap();
    assert!(matches!(
        IndexFollower::new(reopened.clone()),
        Err(paperboy_search::SearchError::WriterBusy(_))
    ));
    assert_eq!(follower.rebuild(&store, &|_| {}).await.unwrap(), 403);
    assert_eq!(reopened.len(), 403);
}

async fn highlights_mark_matching_words(db: TestDb) {
    let (_store, follower) = indexed_store(&db).await;
    let text = "Tracking the Orion spacecraft with Doppler measurements";
    let ranges = follower
        .index()
        .highlights(&SearchQuery::parse("doppler track with the"), text);
    let marked: Vec<&str> = ranges.iter().map(|r| &text[r.clone()]).collect();
    assert_eq!(marked, ["Tracking", "Doppler"]);
}

async fn hits_found_by_an_author_name_say_so(db: TestDb) {
    let (_store, follower) = indexed_store(&db).await;
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

async fn candidates_are_the_top_hits_without_the_count(db: TestDb) {
    let (_store, follower) = indexed_store(&db).await;
    let index = follower.index();
    for q in [
        "diphoton cross sections",
        "graph neural networks",
        "Nadolsky",
    ] {
        let query = SearchQuery::parse(q);
        let searched = index.search(&query, 0, 10).unwrap();
        let candidates = index.candidates(&query, 10).unwrap();
        let ids = |r: &paperboy_search::keyword::KeywordResults| {
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

async fn a_query_out_of_time_is_cut_not_run_whole(db: TestDb) {
    let (_store, follower) = indexed_store(&db).await;
    let query = SearchQuery::parse("language models");
    let full = follower.index().search(&query, 0, 10).unwrap();
    assert!(!full.cut && full.total > 10, "{} hits", full.total);
    drop(follower);
    let timed_out = KeywordIndex::open(&db.dir.path().join("index"))
        .unwrap()
        .with_budget(std::time::Duration::ZERO);
    let cut = timed_out.search(&query, 0, 10).unwrap();
    assert!(cut.cut, "out of time before the first segment");
    assert!(cut.hits.is_empty() && cut.total == 0);
}

/// Twins (same title and abstract) score the same: they are listed by id, whatever
/// order they were indexed in, so every instance pages through the same list.
async fn equal_scores_are_ordered_by_id(db: TestDb) {
    let store = db.open().await;
    let twins: Vec<paperboy_core::Paper> = (1..=30)
        .rev()
        .map(|i| {
            paperboy_core::Paper::new(
                paperboy_core::ArxivId::parse(&format!("2501.{i:05}")).unwrap(),
                "Quokka navigation in sparse forests".into(),
                "Quokkas navigate sparse forests.".into(),
                vec![],
            )
        })
        .collect();
    store
        .write(paperboy_store::Batch {
            papers: twins,
            ..paperboy_store::Batch::default()
        })
        .await
        .unwrap();
    let index = std::sync::Arc::new(KeywordIndex::open(&db.dir.path().join("index")).unwrap());
    IndexFollower::new(index.clone())
        .unwrap()
        .catch_up(&store, &|_| {})
        .await
        .unwrap();
    let query = SearchQuery::parse("quokka navigation");
    let first = index.search(&query, 0, 10).unwrap();
    let ids: Vec<String> = first.hits.iter().map(|h| h.id.to_string()).collect();
    let expected: Vec<String> = (1..=10).map(|i| format!("2501.{i:05}")).collect();
    assert_eq!(ids, expected);
    let second = index.search(&query, 10, 10).unwrap();
    assert_eq!(
        second.hits[0].id.as_str(),
        "2501.00011",
        "pages continue in id order"
    );
    assert_eq!(first.total, 30);
}
