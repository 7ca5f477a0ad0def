//! Behaviour tests of the store, run against SQLite and PostgreSQL alike.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod accounts;
mod common;
mod copy;
mod derived;
mod jobs;
mod signals;

use jiff::civil::{Date, date};
use paperboy_core::record::Record;
use paperboy_core::{ArxivId, DailyEntry, Paper, Period, Source, Submitter};
use paperboy_store::*;
use paperboy_testkit::{TestDb, on_both_backends};

use common::paper;

on_both_backends!(
    writing_the_same_batch_twice_changes_nothing,
    newer_version_replaces_and_older_does_not,
    the_source_of_the_bibliographic_fields_is_stored_and_ranks_later_writes,
    daily_lists_sort_filter_and_navigate,
    entries_of_unknown_papers_are_refused_and_roll_back,
    firehose_uses_publication_day_when_no_listing_day,
    papers_page_walks_everything_once_by_cursor,
    export_streams_everything_and_reimport_is_a_no_op,
    a_database_from_a_newer_paperboy_is_refused,
    a_new_database_opened_by_several_processes_at_once_is_migrated_once,
    backup_is_a_working_sqlite_database,
    harvest_checkpoint_commits_with_records,
    change_feed_pages_through_every_changed_paper_once,
    embedding_backlog_shrinks_as_vectors_are_saved_and_grows_on_change,
    records_by_ids_keeps_the_asked_order_and_skips_unknown_ids,
);

fn entry(id: &str, day: Date, upvotes: u32, submitter: &str) -> DailyEntry {
    let mut e = DailyEntry::new(day, ArxivId::parse(id).unwrap());
    e.upvotes = upvotes;
    e.submitted_by = Some(Submitter {
        name: submitter.into(),
        fullname: None,
        avatar_url: None,
    });
    e
}

async fn writing_the_same_batch_twice_changes_nothing(db: TestDb) {
    let store = db.open().await;
    let batch = Batch {
        papers: vec![
            paper("2501.00001", Some(1), "One", date(2025, 1, 2)),
            paper("2501.00002", None, "Two", date(2025, 1, 2)),
        ],
        entries: vec![entry("2501.00001", date(2025, 1, 3), 7, "alice")],
    };
    let first = store.write(batch.clone()).await.unwrap();
    assert_eq!((first.papers_inserted, first.entries_inserted), (2, 1));
    let seq_after_first = store.stats().await.unwrap().change_seq;
    let second = store.write(batch).await.unwrap();
    assert_eq!(
        (
            second.papers_inserted,
            second.papers_updated,
            second.papers_unchanged
        ),
        (0, 0, 2)
    );
    assert_eq!(
        (
            second.entries_inserted,
            second.entries_updated,
            second.entries_unchanged
        ),
        (0, 0, 1)
    );
    let stats = store.stats().await.unwrap();
    assert_eq!(
        (stats.papers, stats.daily_entries, stats.change_seq),
        (2, 1, seq_after_first)
    );
}

async fn the_source_of_the_bibliographic_fields_is_stored_and_ranks_later_writes(db: TestDb) {
    let store = db.open().await;
    let day = date(2025, 1, 2);
    let id = ArxivId::parse("2501.00001").unwrap();
    let write = |p: Paper| {
        let store = &store;
        async move {
            store
                .write(Batch {
                    papers: vec![p],
                    ..Batch::default()
                })
                .await
                .unwrap()
        }
    };
    let stored = || async { store.paper(&id).await.unwrap().unwrap().record.paper };
    let mut legacy = paper("2501.00001", None, "Stored before sources", day);
    legacy.summary = "Old $x$".into();
    write(legacy).await;
    assert_eq!(stored().await.bib_source, None);

    let mut listing = paper("2501.00001", None, "Listing title", day);
    listing.summary = "Uses $x^2$".into();
    listing.bib_source = Some(Source::Listing);
    let mut hf = listing.clone();
    hf.bib_source = Some(Source::Hf);
    hf.title = "HF title".into();
    hf.summary = "Uses x2".into();
    hf.ai_summary = Some("One sentence.".into());
    // HF replaces the unranked row once; the listing then replaces HF's fields.
    assert_eq!(write(hf.clone()).await.papers_updated, 1);
    assert_eq!(stored().await.bib_source, Some(Source::Hf));
    assert_eq!(write(listing).await.papers_updated, 1);
    let after = stored().await;
    assert_eq!(
        (
            after.title.as_str(),
            after.summary.as_str(),
            after.bib_source
        ),
        ("Listing title", "Uses $x^2$", Some(Source::Listing))
    );
    assert_eq!(after.ai_summary.as_deref(), Some("One sentence."));
    // HF again: its fields are the stored ones already, the listing's stay.
    assert_eq!(write(hf).await.papers_unchanged, 1);
    assert_eq!(stored().await, after);
}

async fn newer_version_replaces_and_older_does_not(db: TestDb) {
    let store = db.open().await;
    let day = date(2025, 1, 2);
    store
        .write(Batch {
            papers: vec![paper("2501.00001", Some(2), "v2 title", day)],
            ..Batch::default()
        })
        .await
        .unwrap();
    let older = store
        .write(Batch {
            papers: vec![paper("2501.00001", Some(1), "v1 title", day)],
            ..Batch::default()
        })
        .await
        .unwrap();
    assert_eq!(older.papers_unchanged, 1);
    let mut v3 = paper("2501.00001", Some(3), "v3 title", day);
    v3.categories = vec!["cs.LG".into()];
    store
        .write(Batch {
            papers: vec![v3],
            ..Batch::default()
        })
        .await
        .unwrap();
    let id = ArxivId::parse("2501.00001").unwrap();
    let stored = store.paper(&id).await.unwrap().unwrap().record.paper;
    assert_eq!(
        (stored.title.as_str(), stored.version),
        ("v3 title", Some(3))
    );
    // Category membership follows the merged paper.
    let q = FirehoseQuery {
        day,
        category: Some("cs.CL".into()),
        offset: 0,
        limit: 10,
    };
    assert_eq!(store.firehose_page(&q).await.unwrap().total, 0);
    let q = FirehoseQuery {
        category: Some("cs.LG".into()),
        ..q
    };
    assert_eq!(store.firehose_page(&q).await.unwrap().total, 1);
}

async fn daily_lists_sort_filter_and_navigate(db: TestDb) {
    let store = db.open().await;
    let (d1, d2, d3) = (date(2025, 1, 6), date(2025, 1, 7), date(2025, 1, 13));
    let papers = ["2501.00001", "2501.00002", "2501.00003"]
        .map(|id| paper(id, None, id, d1))
        .to_vec();
    let entries = vec![
        entry("2501.00001", d1, 3, "alice"),
        entry("2501.00002", d1, 9, "bob"),
        entry("2501.00003", d2, 5, "alice"),
        entry("2501.00001", d3, 1, "carol"),
    ];
    store.write(Batch { papers, entries }).await.unwrap();

    let day = store
        .daily_page(&DailyQuery::period(Period::Day(d1), 10))
        .await
        .unwrap();
    let ids: Vec<_> = day
        .items
        .iter()
        .map(|i| i.record.paper.id.to_string())
        .collect();
    assert_eq!(ids, ["2501.00002", "2501.00001"]);
    assert_eq!(day.total, 2);

    let week = store
        .daily_page(&DailyQuery::period(Period::week_of(d1), 10))
        .await
        .unwrap();
    assert_eq!(week.total, 3);
    let mut by_alice = DailyQuery::period(Period::month_of(d1), 10);
    by_alice.submitter = Some("alice".into());
    let alice = store.daily_page(&by_alice).await.unwrap();
    assert_eq!(
        alice
            .items
            .iter()
            .map(|i| i.entry.upvotes)
            .collect::<Vec<_>>(),
        [5, 3]
    );

    let mut paged = DailyQuery::period(Period::month_of(d1), 1);
    paged.offset = 1;
    paged.sort = DailySort::Trending;
    assert_eq!(store.daily_page(&paged).await.unwrap().items.len(), 1);

    assert_eq!(store.latest_day(DayList::Daily).await.unwrap(), Some(d3));
    assert_eq!(
        store.neighbour_days(DayList::Daily, d2).await.unwrap(),
        (Some(d1), Some(d3))
    );
    assert_eq!(
        store.neighbour_days(DayList::Daily, d1).await.unwrap(),
        (None, Some(d2))
    );

    // The paper's upvotes are its best entry's.
    let detail = store
        .paper(&ArxivId::parse("2501.00001").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.record.upvotes, 3);
    assert_eq!(
        detail.entries.iter().map(|e| e.date).collect::<Vec<_>>(),
        [d3, d1]
    );
}

async fn entries_of_unknown_papers_are_refused_and_roll_back(db: TestDb) {
    let store = db.open().await;
    let err = store
        .write(Batch {
            papers: vec![],
            entries: vec![entry("2501.00009", date(2025, 1, 1), 1, "x")],
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::UnknownPapers(ids) if ids == &["2501.00009"]),
        "{err}"
    );
    assert!(err.to_string().contains("2501.00009"), "{err}");
    assert_eq!(store.stats().await.unwrap().daily_entries, 0);
}

async fn firehose_uses_publication_day_when_no_listing_day(db: TestDb) {
    let store = db.open().await;
    let mut p = Paper::new(
        ArxivId::parse("hep-th/9901001").unwrap(),
        "Old".into(),
        "S".into(),
        vec![],
    );
    p.published = Some("1999-01-04T10:00:00Z".parse().unwrap());
    p.categories = vec!["hep-th".into()];
    store
        .write(Batch {
            papers: vec![p],
            ..Batch::default()
        })
        .await
        .unwrap();
    assert_eq!(
        store.latest_day(DayList::Firehose).await.unwrap(),
        Some(date(1999, 1, 4))
    );
    let page = store
        .firehose_page(&FirehoseQuery {
            day: date(1999, 1, 4),
            category: None,
            offset: 0,
            limit: 5,
        })
        .await
        .unwrap();
    assert_eq!(page.papers[0].paper.id.as_str(), "hep-th/9901001");
    assert_eq!(page.categories, vec![("hep-th".to_owned(), 1)]);
}

async fn papers_page_walks_everything_once_by_cursor(db: TestDb) {
    let store = db.open().await;
    let papers: Vec<Paper> = (1..=7)
        .map(|i| {
            paper(
                &format!("2501.{i:05}"),
                None,
                &format!("P{i}"),
                date(2025, 1, 1 + (i % 3) as i8),
            )
        })
        .collect();
    store
        .write(Batch {
            papers,
            ..Batch::default()
        })
        .await
        .unwrap();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store.papers_page(cursor.as_deref(), 3).await.unwrap();
        seen.extend(page.papers.iter().map(|r| r.paper.id.to_string()));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), 7);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 7);
    assert!(matches!(
        store.papers_page(Some("garbage"), 3).await,
        Err(StoreError::InvalidCursor(_))
    ));
}

async fn export_streams_everything_and_reimport_is_a_no_op(db: TestDb) {
    let store = db.open().await;
    let batch = Batch {
        papers: vec![paper("2501.00001", Some(1), "One", date(2025, 1, 2))],
        entries: vec![entry("2501.00001", date(2025, 1, 3), 7, "alice")],
    };
    store.write(batch).await.unwrap();
    let mut records = Vec::new();
    let summary = store
        .export(|r| {
            records.push(r);
            Ok::<_, ()>(())
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!((summary.papers, summary.daily_entries), (1, 1));
    assert!(matches!(records[0], Record::PaperboyExport { .. }));
    let mut again = Batch::default();
    for r in records {
        match r {
            Record::Paper(p) => again.papers.push(*p),
            Record::DailyEntry(e) => again.entries.push(e),
            Record::PaperboyExport { .. } => {}
        }
    }
    let second = store.write(again).await.unwrap();
    assert_eq!((second.papers_unchanged, second.entries_unchanged), (1, 1));
}

async fn a_database_from_a_newer_paperboy_is_refused(db: TestDb) {
    let store = db.open().await;
    store.close().await;
    db.raw_execute(match db.backend() {
        Backend::Sqlite => {
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (99990101000000, 'from the future', 1, x'00', 0)"
        }
        Backend::Postgres => {
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (99990101000000, 'from the future', TRUE, '\\x00', 0)"
        }
    })
    .await;
    let err = Store::connect(&db.url, StoreOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NewerSchema {
                found: 99990101000000,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("newer paperboy"));
}

/// `serve` and `import` started together on a new data dir: every opener gets a
/// migrated database (on SQLite the later ones used to fail on tables the first had
/// just created).
async fn a_new_database_opened_by_several_processes_at_once_is_migrated_once(db: TestDb) {
    let mut openers = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let url = db.url.clone();
        openers.spawn(async move { Store::connect(&url, StoreOptions::default()).await });
    }
    while let Some(opened) = openers.join_next().await {
        let store = opened.unwrap().unwrap_or_else(|e| panic!("{e:#}"));
        store.close().await;
    }
    let store = db.open().await;
    assert_eq!(store.stats().await.unwrap().papers, 0);
}

async fn backup_is_a_working_sqlite_database(db: TestDb) {
    let store = db.open().await;
    store
        .write(Batch {
            papers: vec![paper("2501.00001", None, "One", date(2025, 1, 2))],
            ..Batch::default()
        })
        .await
        .unwrap();
    let dest = db.dir.path().join("copy.db");
    if db.backend() == Backend::Postgres {
        let err = store.backup(&dest).await.unwrap_err();
        assert!(err.to_string().contains("pg_dump"), "{err}");
        return;
    }
    store.backup(&dest).await.unwrap();
    assert!(matches!(
        store.backup(&dest).await,
        Err(StoreError::BackupExists(_))
    ));
    let copy = Store::connect(&DatabaseUrl::Sqlite(dest), StoreOptions::default())
        .await
        .unwrap();
    assert_eq!(copy.stats().await.unwrap().papers, 1);
}

async fn harvest_checkpoint_commits_with_records(db: TestDb) {
    let store = db.open().await;
    let mut cp = HarvestCheckpoint::new("http://x arXiv cs".into());
    cp.resumption_token = Some("tok|1".into());
    cp.pages = 1;
    cp.run_datestamp = Some(date(2025, 1, 2));
    let mut tx = store.begin_write().await.unwrap();
    tx.write(Batch {
        papers: vec![paper("2501.00001", None, "One", date(2025, 1, 2))],
        ..Batch::default()
    })
    .await
    .unwrap();
    tx.save_checkpoint(&cp).await.unwrap();
    drop(tx); // rolled back: neither the record nor the checkpoint
    assert_eq!(store.harvest_checkpoint(&cp.source).await.unwrap(), None);
    assert_eq!(store.stats().await.unwrap().papers, 0);
    let mut tx = store.begin_write().await.unwrap();
    tx.save_checkpoint(&cp).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        store.harvest_checkpoint(&cp.source).await.unwrap(),
        Some(cp)
    );
}

async fn change_feed_pages_through_every_changed_paper_once(db: TestDb) {
    let store = db.open().await;
    let papers: Vec<Paper> = (1..=5)
        .map(|i| paper(&format!("2501.{i:05}"), None, "T", date(2025, 1, 2)))
        .collect();
    store
        .write(Batch {
            papers: papers.clone(),
            ..Batch::default()
        })
        .await
        .unwrap();
    let mut cursor = ChangeCursor::default();
    let mut seen = Vec::new();
    loop {
        let page = store.papers_changed_since(&cursor, 2).await.unwrap();
        let Some((_, last)) = page.last() else { break };
        cursor = last.clone();
        seen.extend(page.into_iter().map(|(p, _)| p.id.to_string()));
    }
    assert_eq!(
        seen.len(),
        5,
        "a page boundary inside one write's group loses nothing: {seen:?}"
    );
    assert_eq!(store.current_change_seq().await.unwrap(), cursor.seq);

    // An unchanged rewrite is not a change; a real change is, and only that paper.
    store
        .write(Batch {
            papers: papers.clone(),
            ..Batch::default()
        })
        .await
        .unwrap();
    assert!(
        store
            .papers_changed_since(&cursor, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let mut changed = papers[2].clone();
    changed.title = "New title".into();
    store
        .write(Batch {
            papers: vec![changed],
            ..Batch::default()
        })
        .await
        .unwrap();
    let page = store.papers_changed_since(&cursor, 10).await.unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].0.title, "New title");
}

async fn embedding_backlog_shrinks_as_vectors_are_saved_and_grows_on_change(db: TestDb) {
    let store = db.open().await;
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
    assert_eq!(
        store
            .backlog_len(&Backlog::Embeddings { model: "m" })
            .await
            .unwrap(),
        3
    );
    let tasks = store
        .backlog(
            &Backlog::Embeddings { model: "m" },
            &BacklogPosition::start(),
            2,
        )
        .await
        .unwrap();
    assert_eq!(
        tasks.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
        ["2501.00003", "2501.00002"],
        "newest first"
    );
    let next = store
        .backlog(&Backlog::Embeddings { model: "m" }, &tasks[1].position, 10)
        .await
        .unwrap();
    assert_eq!(next.len(), 1);

    let vector = [0.6f32, 0.8];
    let rows: Vec<EmbeddingRow> = tasks
        .iter()
        .map(|t| EmbeddingRow {
            id: &t.id,
            vector: &vector,
            text_hash: 7,
            source_seq: t.change_seq,
        })
        .collect();
    store.save_embeddings("m", &rows).await.unwrap();
    assert_eq!(
        store
            .backlog_len(&Backlog::Embeddings { model: "m" })
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .backlog_len(&Backlog::Embeddings {
                model: "other-model"
            })
            .await
            .unwrap(),
        3
    );
    let stored = store.embeddings_page("m", 2, "", 10).await.unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0].1, vector);

    // A changed paper returns to the backlog with its old hash; marking it current clears it.
    let mut changed = papers[2].clone();
    changed.comments = Some("now with comments".into());
    store
        .write(Batch {
            papers: vec![changed],
            ..Batch::default()
        })
        .await
        .unwrap();
    let back = store
        .backlog(
            &Backlog::Embeddings { model: "m" },
            &BacklogPosition::start(),
            10,
        )
        .await
        .unwrap();
    let task = back.iter().find(|t| t.id.as_str() == "2501.00003").unwrap();
    assert_eq!(task.stored_hash, Some(7));
    store
        .mark_backlog_current(
            &Backlog::Embeddings { model: "m" },
            &[(&task.id, task.change_seq)],
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .backlog_len(&Backlog::Embeddings { model: "m" })
            .await
            .unwrap(),
        1
    );
}

async fn records_by_ids_keeps_the_asked_order_and_skips_unknown_ids(db: TestDb) {
    let store = db.open().await;
    let papers: Vec<Paper> = (1..=3)
        .map(|i| paper(&format!("2501.{i:05}"), None, "T", date(2025, 1, 2)))
        .collect();
    store
        .write(Batch {
            papers,
            ..Batch::default()
        })
        .await
        .unwrap();
    let ask: Vec<ArxivId> = ["2501.00003", "2501.00009", "2501.00001"]
        .iter()
        .map(|s| ArxivId::parse(s).unwrap())
        .collect();
    let got: Vec<String> = store
        .records_by_ids(&ask)
        .await
        .unwrap()
        .iter()
        .map(|r| r.paper.id.to_string())
        .collect();
    assert_eq!(got, ["2501.00003", "2501.00001"]);
}
