//! Behaviour tests of what paperboy derives and keeps beside the papers: key phrases
//! and summaries, their backlogs, and how reads fill `ai_keywords` / `ai_summary`.

use std::sync::Arc;
use std::time::Duration;

use jiff::civil::date;
use paperboy_core::record::Record;
use paperboy_core::{ArxivId, FixedClock, Paper};
use paperboy_store::*;
use paperboy_testkit::{TestDb, on_both_backends};

use super::common::paper;

on_both_backends!(
    keyphrases_fill_ai_keywords_until_a_source_gives_some,
    summaries_are_kept_failures_back_off_and_give_up,
    a_sources_summary_wins_and_leaves_the_backlog,
);

async fn three_papers(store: &Store) -> Vec<Paper> {
    let papers: Vec<Paper> = (1..=3)
        .map(|i| paper(&format!("2501.{i:05}"), None, "T", date(2025, 1, i as i8)))
        .collect();
    store
        .write(Batch {
            papers: papers.clone(),
            ..Batch::default()
        })
        .await
        .unwrap();
    papers
}

fn ids(tasks: &[BacklogTask]) -> Vec<&str> {
    tasks.iter().map(|t| t.id.as_str()).collect()
}

async fn keyphrases_fill_ai_keywords_until_a_source_gives_some(db: TestDb) {
    let store = db.open().await;
    let papers = three_papers(&store).await;
    let seq = store.current_change_seq().await.unwrap();
    assert_eq!(
        store
            .backlog_len(&Backlog::Keyphrases {
                method: "v1",
                up_to_seq: seq
            })
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        store
            .backlog_len(&Backlog::Keyphrases {
                method: "v1",
                up_to_seq: seq - 1
            })
            .await
            .unwrap(),
        0,
        "papers past the caller's corpus statistics wait"
    );
    let tasks = store
        .backlog(
            &Backlog::Keyphrases {
                method: "v1",
                up_to_seq: seq,
            },
            &BacklogPosition::start(),
            2,
        )
        .await
        .unwrap();
    assert_eq!(ids(&tasks), ["2501.00003", "2501.00002"], "newest first");

    let phrases = vec!["speculative decoding".to_owned(), "LLaMA".to_owned()];
    let rows: Vec<KeyphraseRow> = tasks
        .iter()
        .map(|t| KeyphraseRow {
            id: &t.id,
            phrases: &phrases,
            text_hash: 7,
            source_seq: t.change_seq,
        })
        .collect();
    store.save_keyphrases("v1", &rows).await.unwrap();
    assert_eq!(
        store
            .backlog_len(&Backlog::Keyphrases {
                method: "v1",
                up_to_seq: seq
            })
            .await
            .unwrap(),
        1
    );
    assert_eq!(store.keyphrase_count().await.unwrap(), 2);
    assert_eq!(
        store
            .backlog_len(&Backlog::Keyphrases {
                method: "v2",
                up_to_seq: seq
            })
            .await
            .unwrap(),
        3,
        "a new method redoes every paper"
    );
    let stored_hash = store
        .backlog(
            &Backlog::Keyphrases {
                method: "v1",
                up_to_seq: seq,
            },
            &BacklogPosition::start(),
            10,
        )
        .await
        .unwrap()[0]
        .stored_hash;
    assert_eq!(stored_hash, None, "never extracted");

    // Every read fills ai_keywords from the made phrases; change feed and export do not.
    let id = ArxivId::parse("2501.00003").unwrap();
    let detail = store.paper(&id).await.unwrap().unwrap();
    assert_eq!(detail.record.paper.ai_keywords, phrases);
    let page = store.papers_page(None, 10).await.unwrap();
    assert_eq!(page.papers[0].paper.ai_keywords, phrases);
    assert_eq!(
        store
            .records_by_ids(std::slice::from_ref(&id))
            .await
            .unwrap()[0]
            .paper
            .ai_keywords,
        phrases
    );
    let changed = store
        .papers_changed_since(&ChangeCursor::default(), 10)
        .await
        .unwrap();
    assert!(changed.iter().all(|(p, _)| p.ai_keywords.is_empty()));
    let mut exported = Vec::new();
    store
        .export(|r| {
            exported.push(r);
            Ok::<_, ()>(())
        })
        .await
        .unwrap()
        .unwrap();
    assert!(exported.iter().all(|r| match r {
        Record::Paper(p) => p.ai_keywords.is_empty(),
        _ => true,
    }));

    // A write of the paper keeps the made phrases out of the papers row.
    let mut newer = papers[2].clone();
    newer.comments = Some("v2".into());
    store
        .write(Batch {
            papers: vec![newer],
            ..Batch::default()
        })
        .await
        .unwrap();
    let seq = store.current_change_seq().await.unwrap();
    let back = store
        .backlog(
            &Backlog::Keyphrases {
                method: "v1",
                up_to_seq: seq,
            },
            &BacklogPosition::start(),
            10,
        )
        .await
        .unwrap();
    let task = back.iter().find(|t| t.id == id).unwrap();
    assert_eq!(task.stored_hash, Some(7), "changed paper, old hash");
    store
        .mark_backlog_current(
            &Backlog::Keyphrases {
                method: "v1",
                up_to_seq: seq,
            },
            &[(&task.id, task.change_seq)],
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .backlog_len(&Backlog::Keyphrases {
                method: "v1",
                up_to_seq: seq
            })
            .await
            .unwrap(),
        1
    );

    // A source's keywords win, and such papers leave the backlog.
    let mut hf = papers[2].clone();
    hf.ai_keywords = vec!["from Hugging Face".into()];
    let mut other = papers[0].clone();
    other.ai_keywords = vec!["also from HF".into()];
    store
        .write(Batch {
            papers: vec![hf, other],
            ..Batch::default()
        })
        .await
        .unwrap();
    let detail = store.paper(&id).await.unwrap().unwrap();
    assert_eq!(detail.record.paper.ai_keywords, ["from Hugging Face"]);
    let seq = store.current_change_seq().await.unwrap();
    assert_eq!(
        store
            .backlog_len(&Backlog::Keyphrases {
                method: "v1",
                up_to_seq: seq
            })
            .await
            .unwrap(),
        0
    );
}

async fn summaries_are_kept_failures_back_off_and_give_up(db: TestDb) {
    let clock = FixedClock::new("2026-01-10T12:00:00Z".parse().unwrap());
    let store = db.open_with(Arc::new(clock.clone())).await;
    three_papers(&store).await;
    let start = BacklogPosition::start();
    assert_eq!(
        store
            .backlog_len(&Backlog::Summaries { max_attempts: 3 })
            .await
            .unwrap(),
        3
    );
    let tasks = store
        .backlog(&Backlog::Summaries { max_attempts: 3 }, &start, 10)
        .await
        .unwrap();
    assert_eq!(ids(&tasks), ["2501.00003", "2501.00002", "2501.00001"]);
    let (newest, middle) = (&tasks[0].id, &tasks[1].id);

    store.save_summary(newest, "m1", "It works.").await.unwrap();
    let paper = store.paper(newest).await.unwrap().unwrap().record.paper;
    assert_eq!(paper.ai_summary.as_deref(), Some("It works."));

    let hour = |n: u32| Duration::from_secs(3600 * u64::from(n));
    assert_eq!(
        store
            .record_summary_failure(middle, "m1", "HTTP 500", hour)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        ids(&store
            .backlog(&Backlog::Summaries { max_attempts: 3 }, &start, 10)
            .await
            .unwrap()),
        ["2501.00001"],
        "made: never again; failed: waits out its backoff"
    );
    clock.set("2026-01-10T13:00:00Z".parse().unwrap());
    assert_eq!(
        store
            .backlog_len(&Backlog::Summaries { max_attempts: 3 })
            .await
            .unwrap(),
        2
    );
    for expected in 2..=3 {
        let attempts = store
            .record_summary_failure(middle, "m1", &"x".repeat(10_000), |_| Duration::ZERO)
            .await
            .unwrap();
        assert_eq!(attempts, expected);
    }
    assert_eq!(
        store
            .backlog_len(&Backlog::Summaries { max_attempts: 3 })
            .await
            .unwrap(),
        1,
        "given up"
    );
    assert_eq!(
        store.summary_counts(3).await.unwrap(),
        SummaryCounts {
            made: 1,
            retrying: 0,
            given_up: 1
        }
    );
    assert!(
        store
            .paper(middle)
            .await
            .unwrap()
            .unwrap()
            .record
            .paper
            .ai_summary
            .is_none()
    );

    assert_eq!(store.forget_summary_failures().await.unwrap(), 1);
    assert_eq!(
        store
            .backlog_len(&Backlog::Summaries { max_attempts: 3 })
            .await
            .unwrap(),
        2
    );
    assert_eq!(store.summary_counts(3).await.unwrap().made, 1);
}

async fn a_sources_summary_wins_and_leaves_the_backlog(db: TestDb) {
    let store = db.open().await;
    let papers = three_papers(&store).await;
    store
        .save_summary(&papers[0].id, "m1", "Made here.")
        .await
        .unwrap();
    let mut hf = papers[0].clone();
    hf.ai_summary = Some("From Hugging Face.".into());
    let mut other = papers[1].clone();
    other.ai_summary = Some("Also from HF.".into());
    store
        .write(Batch {
            papers: vec![hf, other],
            ..Batch::default()
        })
        .await
        .unwrap();
    let paper = store
        .paper(&papers[0].id)
        .await
        .unwrap()
        .unwrap()
        .record
        .paper;
    assert_eq!(paper.ai_summary.as_deref(), Some("From Hugging Face."));
    assert_eq!(
        ids(&store
            .backlog(
                &Backlog::Summaries { max_attempts: 3 },
                &BacklogPosition::start(),
                10
            )
            .await
            .unwrap()),
        ["2501.00003"]
    );
}
