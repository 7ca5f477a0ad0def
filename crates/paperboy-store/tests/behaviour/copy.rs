//! Copying a store into another one, across engines: every table, verified,
//! resumable, and never into a database holding other data.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::time::Duration;

use jiff::civil::date;
use paperboy_core::{ArxivId, DailyEntry, Email, Mail, Role, Submitter, Username};
use paperboy_store::*;
use paperboy_testkit::{TestDb, on_both_backends};

use super::common::paper;

on_both_backends!(
    a_copy_to_the_other_engine_and_back_keeps_every_row,
    an_interrupted_copy_resumes_where_it_stopped_and_copies_no_row_twice,
    a_target_holding_other_data_is_refused_and_left_alone,
    a_database_is_not_copied_into_itself,
    the_copy_knows_every_table_and_column_of_the_schema,
);

/// A new empty database on the other engine, or on SQLite where PostgreSQL is not
/// available (then the copies are SQLite to SQLite).
async fn other_engine(db: &TestDb) -> TestDb {
    let other = match db.backend() {
        Backend::Sqlite => Backend::Postgres,
        Backend::Postgres => Backend::Sqlite,
    };
    match TestDb::new(other).await {
        Some(other) => other,
        None => TestDb::new(Backend::Sqlite).await.unwrap(),
    }
}

fn id(n: usize) -> ArxivId {
    ArxivId::parse(&format!("2501.{n:05}")).unwrap()
}

/// Something in every table: `n` papers (text with non-ASCII characters, NULLs),
/// daily entries, vectors (bytes of every value), key phrases, summaries made and
/// failed, a harvest checkpoint, and jobs, one of them leased.
async fn fill(store: &Store, n: usize) {
    let papers = (1..=n)
        .map(|i| {
            let mut p = paper(
                id(i).as_str(),
                (i % 3 != 0).then_some(i as u32 % 4 + 1),
                &format!("Paper {i}: Über naïve Schrödinger ∂-operators 🚀"),
                date(2025, 1, 1 + (i % 20) as i8),
            );
            if i % 4 == 0 {
                p.categories
                    .push(format!("math.{}", ["CO", "PR", "ST"][i % 3]));
                p.comments = Some(format!("{i} pages, 'quoted' \"twice\""));
            }
            p
        })
        .collect();
    let entries = (1..=n)
        .filter(|i| i % 2 == 1)
        .map(|i| {
            let mut e = DailyEntry::new(date(2025, 2, 1 + (i % 25) as i8), id(i));
            e.upvotes = (i * 7 % 50) as u32;
            e.submitted_by = (i % 3 == 0).then(|| Submitter {
                name: format!("user{i}"),
                fullname: Some("Zoë Ünal".into()),
                avatar_url: None,
            });
            e
        })
        .collect();
    store.write(Batch { papers, entries }).await.unwrap();

    let ids: Vec<ArxivId> = (1..=n).map(id).collect();
    let vectors: Vec<Vec<f32>> = (0..n)
        .map(|i| (0..8).map(|j| (i * 8 + j) as f32 * 0.37 - 3.0).collect())
        .collect();
    let rows: Vec<EmbeddingRow> = ids
        .iter()
        .zip(&vectors)
        .enumerate()
        .map(|(i, (id, vector))| EmbeddingRow {
            id,
            vector,
            text_hash: i as i64 * -7_919,
            source_seq: 1,
        })
        .collect();
    store.save_embeddings("mini", &rows[..n / 2]).await.unwrap();
    store
        .save_embeddings("other", &rows[n / 3..])
        .await
        .unwrap();

    let phrases = vec!["speculative decoding".to_owned(), "Schrödinger".to_owned()];
    let rows: Vec<KeyphraseRow> = ids
        .iter()
        .step_by(3)
        .map(|id| KeyphraseRow {
            id,
            phrases: &phrases,
            text_hash: 42,
            source_seq: 1,
        })
        .collect();
    store.save_keyphrases("v1", &rows).await.unwrap();

    store
        .save_summary(&ids[0], "llm", "A summary — with a dash.")
        .await
        .unwrap();
    store
        .record_summary_failure(&ids[1], "llm", "timed out", |_| Duration::from_secs(60))
        .await
        .unwrap();

    let mut checkpoint = HarvestCheckpoint::new("http://oai arXiv cs".into());
    checkpoint.resumption_token = Some("token|1001".into());
    checkpoint.pages = 3;
    checkpoint.last_datestamp = Some(date(2025, 1, 20));
    let mut tx = store.begin_write().await.unwrap();
    tx.save_checkpoint(&checkpoint).await.unwrap();
    tx.commit().await.unwrap();

    store
        .claim_job("harvest", "old-host", 1_000, 9_999_999_999_999)
        .await
        .unwrap();
    store
        .finish_job_run("harvest", "old-host", 2_000, 50_000, Some("arXiv said 503"))
        .await
        .unwrap();
    store
        .claim_job("embed", "old-host", 1_000, 5_000)
        .await
        .unwrap();
    store.release_job("embed", "old-host").await.unwrap();

    // Accounts, sign-in, sessions, tokens, votes and mail.
    for i in 1..=3 {
        let email = Email::parse(&format!("Reader{i}@Example.org")).unwrap();
        let name = Username::parse(&format!("zoë-{i}").replace('ë', "e")).unwrap();
        let user = store
            .create_user(&email, (i != 3).then_some(&name), Role::Reader)
            .await
            .unwrap();
        store.set_vote(&user.id, &ids[i % n], true).await.unwrap();
        let comment = store
            .add_comment(
                &ids[0],
                &user.id,
                None,
                &format!("Comment {i}: **Über** — ok"),
            )
            .await
            .unwrap();
        store
            .add_comment(&ids[0], &user.id, Some(&comment.id), "a reply")
            .await
            .unwrap();
        store
            .create_session(
                &user.id,
                &format!("session-hash-{i}"),
                Duration::from_secs(3600),
                Some("Firefox — Über"),
            )
            .await
            .unwrap();
        store
            .create_api_token(&user.id, "laptop", &format!("token-hash-{i}"))
            .await
            .unwrap();
        let mail = Mail::text(email.as_str(), "Sign in", "https://example.org/login/x");
        store
            .create_login_token(
                &email,
                &format!("login-hash-{i}"),
                Duration::from_secs(900),
                &mail,
            )
            .await
            .unwrap();
    }
    let owner = store
        .find_or_create_user(&Email::parse("reader1@example.org").unwrap())
        .await
        .unwrap();
    let collection = store
        .create_collection(&owner.id, "Über reading", true)
        .await
        .unwrap();
    store
        .set_in_collection(&collection.id, &ids[n - 1], true)
        .await
        .unwrap();
    store.claim_author(&ids[n - 1], 0, &owner.id).await.unwrap();
    store
        .decide_claim(&ids[n - 1], 0, &owner.id, true)
        .await
        .unwrap();
    store
        .hide_paper(&ids[ids.len() - 1], &owner.id, Some("spam"))
        .await
        .unwrap();
    store
        .record_stars("https://github.com/owner/name", 42)
        .await
        .unwrap();
    let reader = paperboy_core::Email::parse("reader@example.org").unwrap();
    let mail = paperboy_core::Mail::text(reader.as_str(), "Confirm", "link");
    store
        .request_subscription(&reader, "hash", std::time::Duration::from_secs(60), &mail)
        .await
        .unwrap();
    store.site_key("links").await.unwrap();
    let subscription = store.subscription_of(&reader).await.unwrap().unwrap();
    let sent = [ids[0].clone()];
    store
        .record_digest(&DigestRecord {
            subscription_id: &subscription.id,
            period: "2026-01-01",
            until_day: jiff::civil::date(2026, 1, 1),
            papers: &sent,
            mail: Some(&mail),
        })
        .await
        .unwrap();
    store
        .record_signals(&reader, &ids[1..3], ReaderSignal::NotInterested)
        .await
        .unwrap();
    let claimed = store
        .claim_mail("old-host", 1, 9_999_999_999_999, true)
        .await
        .unwrap();
    assert!(claimed.is_some());
}

/// Copies `source` into `target` to the end; returns what it did.
async fn copy(source: &Store, target: &Store) -> CopyReport {
    let copy = StoreCopy::prepare(source, target).await.unwrap();
    let report = copy.run(|_| ControlFlow::Continue(())).await.unwrap();
    assert!(!report.interrupted);
    report
}

/// Asserts that every table of `target` matches `source`; returns the checks.
async fn assert_verified(source: &Store, target: &Store) -> Vec<TableCheck> {
    let checks = verify_copy(source, target).await.unwrap();
    for check in &checks {
        assert!(check.matches(), "{check:?}");
    }
    checks
}

/// What readers of the store see, for comparing two stores.
async fn everything_readers_see(store: &Store, n: usize) -> String {
    let mut seen = format!(
        "{:?}\n{:?}\n",
        store.stats().await.unwrap(),
        store.counters().await.unwrap()
    );
    let month = DailyQuery::period(paperboy_core::Period::month_of(date(2025, 2, 1)), 500);
    seen += &format!("{:?}\n", store.daily_page(&month).await.unwrap());
    for i in 1..=n {
        seen += &format!("{:?}\n", store.paper(&id(i)).await.unwrap());
    }
    for model in ["mini", "other"] {
        seen += &format!(
            "{:?}\n",
            store.embeddings_page(model, 8, "", 1_000).await.unwrap()
        );
    }
    seen += &format!(
        "{:?} {:?} {:?}\n",
        store.keyphrase_count().await.unwrap(),
        store.summary_counts(3).await.unwrap(),
        store
            .harvest_checkpoint("http://oai arXiv cs")
            .await
            .unwrap()
    );
    seen
}

async fn a_copy_to_the_other_engine_and_back_keeps_every_row(db: TestDb) {
    let n = 40;
    let source = db.open().await;
    fill(&source, n).await;
    let other = other_engine(&db).await;
    let there = other.open().await;
    let prepared = StoreCopy::prepare(&source, &there).await.unwrap();
    let total = prepared.total_rows();
    assert_eq!(prepared.rows_done(), 0);
    let report = prepared.run(|_| ControlFlow::Continue(())).await.unwrap();
    assert_eq!(report.rows_copied, total, "every row, once");
    let checks = assert_verified(&source, &there).await;
    let rows: BTreeMap<&str, u64> = checks.iter().map(|c| (c.table, c.target.rows)).collect();
    assert_eq!(rows["papers"], n as u64);
    assert_eq!(rows["daily_entries"], n as u64 / 2);
    assert_eq!(rows["counters"], 3);
    assert_eq!(rows["jobs"], 2);
    assert!(
        rows.values().all(|&r| r > 0),
        "every table has rows: {rows:?}"
    );

    // And back, into a new database of the first engine.
    let back_db = TestDb::new(db.backend()).await.unwrap();
    let back = back_db.open().await;
    copy(&there, &back).await;
    let first = assert_verified(&there, &back).await;
    assert_eq!(first, checks, "the same checksums on every engine");

    let expected = everything_readers_see(&source, n).await;
    assert_eq!(everything_readers_see(&there, n).await, expected);
    assert_eq!(everything_readers_see(&back, n).await, expected);
    // Leases are not copied: their holders belong to the old database.
    for store in [&there, &back] {
        let jobs = store.job_records().await.unwrap();
        assert_eq!(jobs.len(), 2);
        assert!(
            jobs.iter()
                .all(|j| j.holder.is_none() && j.lease_until_ms == 0)
        );
        let harvest = &jobs[1];
        assert_eq!(
            (
                harvest.next_run_ms,
                harvest.runs,
                harvest.last_error.as_deref()
            ),
            (50_000, 1, Some("arXiv said 503"))
        );
    }
    // The copy is a working store: a new write takes the next change sequence.
    let seq = there.current_change_seq().await.unwrap();
    assert_eq!(seq, source.current_change_seq().await.unwrap());
    there
        .write(Batch {
            papers: vec![paper("2502.00001", None, "New", date(2025, 2, 2))],
            ..Batch::default()
        })
        .await
        .unwrap();
    assert_eq!(there.current_change_seq().await.unwrap(), seq + 1);
}

async fn an_interrupted_copy_resumes_where_it_stopped_and_copies_no_row_twice(db: TestDb) {
    let n = 30;
    let source = db.open().await;
    fill(&source, n).await;
    let other = other_engine(&db).await;
    let target = other.open().await;

    // Stop after every third chunk of 7 rows, again and again, until it is done: the
    // stops fall inside papers and inside tables with two-column keys.
    let mut copied_per_table: BTreeMap<&str, u64> = BTreeMap::new();
    let mut runs = 0;
    let total = loop {
        let copy = StoreCopy::prepare(&source, &target)
            .await
            .unwrap()
            .chunk_rows(7);
        let total = copy.total_rows();
        let done_before = copy.rows_done();
        if runs == 1 {
            assert_eq!(done_before, 21, "three chunks of papers were committed");
            assert_eq!(target.stats().await.unwrap().papers, 21);
        }
        let mut chunks = 0;
        let report = copy
            .run(|progress| {
                chunks += 1;
                assert!(progress.rows_done <= total);
                if chunks == 3 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
            .await
            .unwrap();
        runs += 1;
        for table in &report.tables {
            if table.table != "counters" {
                *copied_per_table.entry(table.table).or_default() += table.rows_copied;
            }
        }
        if !report.interrupted {
            break total;
        }
        assert!(runs < 100, "the copy makes progress");
    };
    assert!(runs > 5, "interrupted several times: {runs}");
    let checks = assert_verified(&source, &target).await;
    for check in &checks {
        if check.table != "counters" {
            assert_eq!(
                copied_per_table.get(check.table).copied().unwrap_or(0),
                check.source.rows,
                "{}: each row copied once",
                check.table
            );
        }
    }
    assert_eq!(total, checks.iter().map(|c| c.source.rows).sum::<u64>());

    // Run again on the finished copy: nothing left but the counters.
    let report = copy(&source, &target).await;
    assert_eq!(report.rows_copied, 3, "{report:?}");
}

async fn a_target_holding_other_data_is_refused_and_left_alone(db: TestDb) {
    let source = db.open().await;
    fill(&source, 10).await;
    let other = other_engine(&db).await;
    let target = other.open().await;

    let refusal = |err: StoreError| {
        let text = err.to_string();
        assert!(matches!(err, StoreError::ForeignTarget { .. }), "{text}");
        assert!(
            text.contains("new, empty database"),
            "says what to do: {text}"
        );
        text
    };

    // A paper the source does not have.
    target
        .write(Batch {
            papers: vec![paper("2412.99999", None, "Elsewhere", date(2024, 12, 2))],
            ..Batch::default()
        })
        .await
        .unwrap();
    let err = StoreCopy::prepare(&source, &target).await.unwrap_err();
    let text = refusal(err);
    assert!(
        text.contains("papers") && text.contains("2412.99999"),
        "{text}"
    );
    assert_eq!(target.stats().await.unwrap().papers, 1, "nothing written");

    // Rows the source has, but different.
    let other = other_engine(&db).await;
    let target = other.open().await;
    let copy = StoreCopy::prepare(&source, &target)
        .await
        .unwrap()
        .chunk_rows(4);
    let mut chunks = 0;
    copy.run(|_| {
        chunks += 1;
        if chunks == 1 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .await
    .unwrap();
    let mut changed = paper(id(2).as_str(), Some(3), "Changed title", date(2025, 1, 3));
    changed.categories = vec!["cs.CL".into(), "cs.AI".into()];
    target
        .write(Batch {
            papers: vec![changed],
            ..Batch::default()
        })
        .await
        .unwrap();
    let text = refusal(StoreCopy::prepare(&source, &target).await.unwrap_err());
    assert!(
        text.contains("2501.00002") && text.contains("differs"),
        "{text}"
    );

    // More rows than the source.
    let other = other_engine(&db).await;
    let target = other.open().await;
    let papers = (1..=12)
        .map(|i| paper(&format!("2301.{i:05}"), None, "X", date(2023, 1, 2)))
        .collect();
    target
        .write(Batch {
            papers,
            ..Batch::default()
        })
        .await
        .unwrap();
    let text = refusal(StoreCopy::prepare(&source, &target).await.unwrap_err());
    assert!(text.contains("12 rows, the source 10"), "{text}");
}

async fn a_database_is_not_copied_into_itself(db: TestDb) {
    let store = db.open().await;
    fill(&store, 3).await;
    let again = db.open().await;
    let err = StoreCopy::prepare(&store, &again).await.unwrap_err();
    assert!(matches!(err, StoreError::SameDatabase(_)), "{err}");
    assert!(err.to_string().contains("same database"), "{err}");
}

/// Every table of a migrated database with its columns (name, type, position in the
/// primary key or 0), read from the engine's catalog.
async fn schema(db: &TestDb) -> BTreeMap<String, Vec<(String, ColumnType, i64)>> {
    use sqlx::Connection;
    let rows: Vec<(String, String, String, i64)> = match &db.url {
        DatabaseUrl::Sqlite(path) => {
            let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display()))
                .await
                .unwrap();
            sqlx::query_as(
                "SELECT m.name, c.name, c.type, c.pk FROM sqlite_master m \
                 JOIN pragma_table_info(m.name) c \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations' \
                 ORDER BY m.name, c.cid",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap()
        }
        DatabaseUrl::Postgres(url) => {
            let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query_as(
                "SELECT c.table_name::text, c.column_name::text, c.data_type::text, \
                 COALESCE((SELECT k.ordinal_position::bigint \
                   FROM information_schema.table_constraints p \
                   JOIN information_schema.key_column_usage k \
                     ON k.constraint_schema = p.constraint_schema AND k.constraint_name = p.constraint_name \
                   WHERE p.constraint_type = 'PRIMARY KEY' AND p.table_schema = c.table_schema \
                     AND p.table_name = c.table_name AND k.column_name = c.column_name), 0) \
                 FROM information_schema.tables t \
                 JOIN information_schema.columns c \
                   ON c.table_schema = t.table_schema AND c.table_name = t.table_name \
                 WHERE t.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
                   AND t.table_name <> '_sqlx_migrations' \
                 ORDER BY c.table_name, c.ordinal_position",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap()
        }
    };
    let mut tables: BTreeMap<String, Vec<(String, ColumnType, i64)>> = BTreeMap::new();
    for (table, column, declared, pk) in rows {
        let ty = match declared.to_ascii_lowercase().as_str() {
            "text" => ColumnType::Text,
            "bigint" => ColumnType::Int,
            "blob" | "bytea" => ColumnType::Bytes,
            other => panic!("{table}.{column} has type {other}, which the copy cannot read"),
        };
        tables.entry(table).or_default().push((column, ty, pk));
    }
    for columns in tables.values_mut() {
        columns.sort_by(|a, b| a.0.cmp(&b.0));
    }
    tables
}

async fn the_copy_knows_every_table_and_column_of_the_schema(db: TestDb) {
    db.open().await; // migrated
    let actual = schema(&db).await;
    let mut known: BTreeMap<String, Vec<(String, ColumnType, i64)>> = BTreeMap::new();
    for table in copied_tables() {
        let key: Vec<&str> = table.key_columns().collect();
        let mut columns: Vec<(String, ColumnType, i64)> = table
            .columns()
            .iter()
            .map(|&(name, ty)| {
                let pk = key
                    .iter()
                    .position(|k| *k == name)
                    .map_or(0, |i| i as i64 + 1);
                (name.to_owned(), ty, pk)
            })
            .collect();
        columns.sort_by(|a, b| a.0.cmp(&b.0));
        known.insert(table.name().to_owned(), columns);
    }
    assert_eq!(
        known.keys().collect::<Vec<_>>(),
        actual.keys().collect::<Vec<_>>(),
        "a migration added or dropped a table: add it to the copy's table list (copy/tables.rs)"
    );
    for (table, columns) in &actual {
        assert_eq!(
            &known[table], columns,
            "table {table}: the copy's columns (name, type, primary-key position) differ from the schema's"
        );
    }
}
