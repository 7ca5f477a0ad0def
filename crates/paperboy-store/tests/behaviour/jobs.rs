//! Job leases and schedules, the embedding feed and the list counter, on both
//! engines.

use std::sync::Arc;

use jiff::civil::date;
use paperboy_core::{ArxivId, DailyEntry};
use paperboy_store::*;
use paperboy_testkit::{TestDb, on_both_backends};

use super::common::paper;

on_both_backends!(
    a_lease_has_one_holder_until_it_expires_or_is_released,
    racing_instances_get_one_lease,
    the_schedule_is_shared_by_every_holder,
    stored_vectors_are_a_feed_in_commit_order,
    list_changes_move_the_list_counter,
);

async fn a_lease_has_one_holder_until_it_expires_or_is_released(db: TestDb) {
    let store = db.open().await;
    let (a, b) = ("instance-a", "instance-b");
    assert_eq!(
        store.claim_job("embed", a, 1_000, 31_000).await.unwrap(),
        Some(JobClaim { next_run_ms: 0 })
    );
    assert_eq!(
        store.claim_job("embed", b, 2_000, 32_000).await.unwrap(),
        None
    );
    assert!(
        store
            .claim_job("embed", a, 20_000, 50_000)
            .await
            .unwrap()
            .is_some(),
        "renewed"
    );
    assert_eq!(
        store.claim_job("embed", b, 40_000, 70_000).await.unwrap(),
        None,
        "renewal counts"
    );
    assert!(
        store
            .claim_job("other", b, 40_000, 70_000)
            .await
            .unwrap()
            .is_some(),
        "leases are per job"
    );
    // a died: its lease runs out and b takes the job over.
    assert!(
        store
            .claim_job("embed", b, 50_001, 80_000)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        store.claim_job("embed", a, 50_002, 80_000).await.unwrap(),
        None
    );
    // b stops cleanly: a need not wait for the lease to run out.
    store.release_job("embed", a).await.unwrap();
    assert_eq!(
        store.claim_job("embed", a, 50_003, 80_000).await.unwrap(),
        None,
        "not a's to release"
    );
    store.release_job("embed", b).await.unwrap();
    assert!(
        store
            .claim_job("embed", a, 50_004, 80_000)
            .await
            .unwrap()
            .is_some()
    );
    let records = store.job_records().await.unwrap();
    assert_eq!(
        records
            .iter()
            .map(|r| (r.name.as_str(), r.holder.as_deref()))
            .collect::<Vec<_>>(),
        [("embed", Some(a)), ("other", Some(b))]
    );
}

async fn racing_instances_get_one_lease(db: TestDb) {
    let store = db.open().await;
    let mut racers = tokio::task::JoinSet::new();
    for i in 0..8 {
        let store = store.clone();
        racers.spawn(async move {
            let holder = format!("instance-{i}");
            store
                .claim_job("harvest", &holder, 1_000, 31_000)
                .await
                .unwrap()
                .is_some()
        });
    }
    let winners = racers
        .join_all()
        .await
        .into_iter()
        .filter(|won| *won)
        .count();
    assert_eq!(winners, 1);
}

async fn the_schedule_is_shared_by_every_holder(db: TestDb) {
    let store = db.open().await;
    store.claim_job("harvest", "a", 0, 30_000).await.unwrap();
    store
        .finish_job_run("harvest", "a", 10_000, 3_600_000, Some("OAI-PMH said 503"))
        .await
        .unwrap();
    store
        .finish_job_run("harvest", "b", 10_000, 99, None)
        .await
        .unwrap(); // not b's lease: ignored
    store.release_job("harvest", "a").await.unwrap();
    assert_eq!(
        store
            .claim_job("harvest", "b", 11_000, 41_000)
            .await
            .unwrap(),
        Some(JobClaim {
            next_run_ms: 3_600_000
        })
    );
    let record = &store.job_records().await.unwrap()[0];
    assert_eq!(
        (
            record.runs,
            record.last_finished_ms,
            record.last_error.as_deref()
        ),
        (1, Some(10_000), Some("OAI-PMH said 503"))
    );
}

async fn stored_vectors_are_a_feed_in_commit_order(db: TestDb) {
    let store = db.open().await;
    let papers: Vec<_> = (1..=3)
        .map(|i| paper(&format!("2501.{i:05}"), None, "T", date(2025, 1, 2)))
        .collect();
    store
        .write(Batch {
            papers,
            ..Batch::default()
        })
        .await
        .unwrap();
    let ids: Vec<ArxivId> = (1..=3)
        .map(|i| ArxivId::parse(&format!("2501.{i:05}")).unwrap())
        .collect();
    let row = |id, vector| EmbeddingRow {
        id,
        vector,
        text_hash: 1,
        source_seq: 1,
    };
    let before = store.counters().await.unwrap();
    store
        .save_embeddings("m", &[row(&ids[2], &[1.0, 0.0]), row(&ids[0], &[0.0, 1.0])])
        .await
        .unwrap();
    store
        .save_embeddings("m", &[row(&ids[1], &[0.6, 0.8])])
        .await
        .unwrap();
    // Stored again: it moves to the end of the feed.
    store
        .save_embeddings("m", &[row(&ids[2], &[0.8, 0.6])])
        .await
        .unwrap();
    assert_eq!(
        store.counters().await.unwrap().embedding_seq,
        before.embedding_seq + 3
    );

    let mut cursor = ChangeCursor::default();
    let mut seen = Vec::new();
    loop {
        let page = store
            .embeddings_stored_since("m", 2, &cursor, 2)
            .await
            .unwrap();
        let Some((_, _, last)) = page.last() else {
            break;
        };
        cursor = last.clone();
        seen.extend(page.into_iter().map(|(id, v, _)| (id.to_string(), v)));
    }
    assert_eq!(
        seen,
        [
            ("2501.00001".to_owned(), vec![0.0, 1.0]),
            ("2501.00002".to_owned(), vec![0.6, 0.8]),
            ("2501.00003".to_owned(), vec![0.8, 0.6]),
        ]
    );
    assert!(
        store
            .embeddings_stored_since("m", 2, &cursor, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .embeddings_stored_since("other", 2, &ChangeCursor::default(), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn list_changes_move_the_list_counter(db: TestDb) {
    let store = db.open_with(Arc::new(paperboy_core::SystemClock)).await;
    let day = date(2025, 1, 2);
    let mut entry = DailyEntry::new(day, ArxivId::parse("2501.00001").unwrap());
    entry.upvotes = 3;
    let batch = Batch {
        papers: vec![paper("2501.00001", None, "T", day)],
        entries: vec![entry.clone()],
    };
    let start = store.counters().await.unwrap();
    store.write(batch.clone()).await.unwrap();
    let written = store.counters().await.unwrap();
    assert_eq!(written.list_seq, start.list_seq + 1);
    store.write(batch).await.unwrap();
    assert_eq!(
        store.counters().await.unwrap(),
        written,
        "an unchanged rewrite moves nothing"
    );
    entry.upvotes = 4;
    store
        .write(Batch {
            entries: vec![entry],
            ..Batch::default()
        })
        .await
        .unwrap();
    let voted = store.counters().await.unwrap();
    assert_eq!(
        (voted.change_seq, voted.list_seq),
        (written.change_seq, written.list_seq + 1),
        "votes change the list, not the paper"
    );
}
