//! A reader's interests for "for you": upvotes and saves of their account, seeds
//! matched by id, DOI or title, "more like this" and "not interested", on both
//! engines.

use jiff::civil::date;
use paperboy_core::foryou::Liking;
use paperboy_core::seeds;
use paperboy_core::{ArxivId, Email};
use paperboy_store::*;
use paperboy_testkit::{TestDb, on_both_backends};

use super::common::paper;

on_both_backends!(
    a_readers_interests_gather_votes_saves_seeds_and_their_latest_word,
    seeds_match_by_arxiv_id_doi_or_title_and_unknown_ones_are_skipped,
);

fn id(text: &str) -> ArxivId {
    ArxivId::parse(text).unwrap()
}

async fn store_with_papers(db: &TestDb) -> Store {
    let store = db.open().await;
    let mut papers = vec![
        paper(
            "2501.00001",
            Some(1),
            "Dense Retrieval at Scale",
            date(2025, 1, 2),
        ),
        paper(
            "2501.00002",
            Some(1),
            "Robot Grasping from Video",
            date(2025, 1, 2),
        ),
        paper(
            "2501.00003",
            Some(1),
            "Attention Is All You Need, Again!",
            date(2025, 1, 3),
        ),
        paper(
            "2501.00004",
            Some(1),
            "A Survey of Surveys",
            date(2025, 1, 3),
        ),
    ];
    papers[1].doi = Some("10.1145/ABC.123".into());
    store
        .write(Batch {
            papers,
            entries: Vec::new(),
        })
        .await
        .unwrap();
    store
}

async fn a_readers_interests_gather_votes_saves_seeds_and_their_latest_word(db: TestDb) {
    let store = store_with_papers(&db).await;
    let ada = Email::parse("Ada@Example.org").unwrap();
    let user = store.find_or_create_user(&ada).await.unwrap();
    store
        .set_vote(&user.id, &id("2501.00001"), true)
        .await
        .unwrap();
    let saved = store
        .create_collection(&user.id, "Reading", false)
        .await
        .unwrap();
    store
        .set_in_collection(&saved.id, &id("2501.00002"), true)
        .await
        .unwrap();
    // The same reader by another spelling of the address: one reader.
    let same = Email::parse("ada@example.org").unwrap();
    let recorded = store
        .record_signals(
            &same,
            &[id("2501.00003"), id("2512.99999")],
            ReaderSignal::Seed,
        )
        .await
        .unwrap();
    assert_eq!(recorded, 1, "an unknown paper is skipped");
    store
        .record_signals(&same, &[id("2501.00004")], ReaderSignal::More)
        .await
        .unwrap();

    let interests = store.reader_interests(&ada).await.unwrap();
    let mut liked: Vec<(String, Liking)> = interests
        .liked
        .iter()
        .map(|l| (l.id.to_string(), l.liking))
        .collect();
    liked.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        liked,
        [
            ("2501.00001".to_owned(), Liking::Upvoted),
            ("2501.00002".to_owned(), Liking::Saved),
            ("2501.00003".to_owned(), Liking::Seeded),
            ("2501.00004".to_owned(), Liking::MoreLikeThis),
        ]
    );
    assert!(interests.liked.iter().all(|l| !l.title.is_empty()));
    assert!(interests.turned_down.is_empty());

    // The latest word wins: "not interested" after "more like this".
    store
        .record_signals(&ada, &[id("2501.00004")], ReaderSignal::NotInterested)
        .await
        .unwrap();
    let interests = store.reader_interests(&ada).await.unwrap();
    assert_eq!(interests.liked.len(), 3);
    assert_eq!(interests.turned_down, [id("2501.00004")]);
    assert_eq!(interests.known().len(), 4);
    assert!(store.clear_signal(&ada, &id("2501.00004")).await.unwrap());
    assert!(
        store
            .reader_interests(&ada)
            .await
            .unwrap()
            .turned_down
            .is_empty()
    );

    // Someone else sees none of it; a subscriber without an account has signals.
    let bob = Email::parse("bob@example.org").unwrap();
    assert_eq!(
        store.reader_interests(&bob).await.unwrap(),
        ReaderInterests::default()
    );
    store
        .record_signals(&bob, &[id("2501.00002")], ReaderSignal::More)
        .await
        .unwrap();
    assert_eq!(store.reader_interests(&bob).await.unwrap().liked.len(), 1);

    // Vectors of the liked papers, for the model.
    let vector = [0.6f32, 0.8];
    store
        .save_embeddings(
            "mini",
            &[EmbeddingRow {
                id: &id("2501.00001"),
                vector: &vector,
                text_hash: 1,
                source_seq: 1,
            }],
        )
        .await
        .unwrap();
    let found = store
        .embeddings_of("mini", 2, &[id("2501.00001"), id("2501.00002")])
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[&id("2501.00001")], vector);
}

async fn seeds_match_by_arxiv_id_doi_or_title_and_unknown_ones_are_skipped(db: TestDb) {
    let store = store_with_papers(&db).await;
    let bib = r"
@article{a, title={Something Else}, eprint={2501.00001}}
@article{b, title={Unrelated}, doi={10.1145/abc.123}}
@inproceedings{c, title={Attention is all you need {A}gain}}
@misc{d, title={A paper this instance never saw}, eprint={2412.99999}}
@misc{e, eprint={2501.00001}}
";
    let refs = seeds::parse(bib).unwrap();
    assert_eq!(refs.len(), 5);
    let matched = store.match_seeds(&refs).await.unwrap();
    assert_eq!(
        matched,
        [id("2501.00001"), id("2501.00002"), id("2501.00003")],
        "by id, by DOI (any case), by folded title; the unknown one skipped, the repeat once"
    );
}
