//! Delivery under faults, through the real binary and a real SMTP server process
//! (aiosmtpd), on both backends: a sending process killed with SIGKILL in the middle
//! of a digest run loses nothing and repeats at most the one message it had in
//! flight; two sending processes on one database deliver each message once.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::collections::HashMap;
use std::time::{Duration, Instant};

use paperboy_core::{DigestPrefs, Mail};
use paperboy_store::Backend;
use paperboy_testkit::process::Paperboy;
use paperboy_testkit::{
    SmtpSink, TestDb, confirmed_subscriber, on_both_backends, store_with_daily_list,
};
use sqlx::Connection;

on_both_backends!(
    a_sender_killed_mid_run_loses_nothing_and_repeats_at_most_one_message,
    two_senders_on_one_database_deliver_each_message_once,
);

/// Readers in the digest run.
const READERS: usize = 30;

/// How many messages each recipient got, by the sink's envelope line.
fn per_recipient(messages: &[String]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for message in messages {
        let to = message
            .lines()
            .find_map(|l| l.strip_prefix("X-Envelope-To: "))
            .unwrap_or_default()
            .trim()
            .to_owned();
        *counts.entry(to).or_default() += 1;
    }
    counts
}

/// Ends every claim on unsent mail, as the claims of a process that died expire
/// (two minutes later) on their own.
async fn expire_claims(db: &TestDb) {
    let sql = "UPDATE outbox SET claim_until_ms = 0 WHERE sent_ms IS NULL";
    match db.backend() {
        Backend::Sqlite => {
            let url = db.url_setting().replacen("sqlite:", "sqlite://", 1);
            let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::query(sql).execute(&mut conn).await.unwrap();
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&db.url_setting())
                .await
                .unwrap();
            sqlx::query(sql).execute(&mut conn).await.unwrap();
        }
    }
}

async fn a_sender_killed_mid_run_loses_nothing_and_repeats_at_most_one_message(db: TestDb) {
    let store = store_with_daily_list(&db).await;
    for i in 0..READERS {
        confirmed_subscriber(
            &store,
            &format!("reader{i}@example.org"),
            &DigestPrefs::default(),
        )
        .await;
    }
    let mut sink = SmtpSink::start("");
    let dir = tempfile::tempdir().unwrap();
    // 20 messages a second: the run's sending pass takes three seconds.
    let paperboy = Paperboy::new(env!("CARGO_BIN_EXE_paperboy"), dir.path())
        .env("PAPERBOY_DATABASE_URL", &db.url_setting())
        .env("PAPERBOY_SMTP_URL", &sink.url())
        .env("PAPERBOY_PUBLIC_URL", "https://papers.example.org")
        .env("PAPERBOY_MAIL_PER_MINUTE", "1200");
    let mut run = paperboy
        .command(&["digest", "run", "--as-of", "2025-06-02"])
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while sink.messages().len() < 10 {
        assert!(Instant::now() < deadline, "the run sent nothing");
        std::thread::sleep(Duration::from_millis(20));
    }
    run.kill().unwrap(); // SIGKILL
    run.wait().unwrap();
    let before_restart = sink.messages().len();
    assert!(
        before_restart < READERS * 2,
        "killed mid-run: {before_restart}"
    );

    // Restarted after the dead process's claim ran out: everything goes out.
    expire_claims(&db).await;
    paperboy.run_ok(&["outbox", "flush"]);
    let messages = sink.wait_for(READERS * 2).await;
    let counts = per_recipient(&messages);
    assert_eq!(counts.len(), READERS, "every reader: {counts:?}");
    assert!(
        counts.values().all(|n| *n >= 2),
        "a confirmation and a digest each"
    );
    let extra = messages.len() - READERS * 2;
    assert!(extra <= 1, "at most the message in flight repeats: {extra}");
    let status: serde_json::Value =
        serde_json::from_str(&paperboy.run_ok(&["outbox", "status", "--json"])).unwrap();
    assert_eq!(status["pending"], 0, "{status}");
    assert_eq!(status["sent"], READERS * 2, "{status}");
    sink.stop();
}

async fn two_senders_on_one_database_deliver_each_message_once(db: TestDb) {
    let store = db
        .open_with(std::sync::Arc::new(paperboy_core::SystemClock))
        .await;
    let total = 80;
    for i in 0..total {
        let mail = Mail::text(
            format!("reader{i}@example.org"),
            "Digest",
            "Trending papers",
        );
        assert!(store.enqueue_mail("digest", &mail, None).await.unwrap());
    }
    let mut sink = SmtpSink::start("");
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let sender = |dir: &std::path::Path| {
        Paperboy::new(env!("CARGO_BIN_EXE_paperboy"), dir)
            .env("PAPERBOY_DATABASE_URL", &db.url_setting())
            .env("PAPERBOY_SMTP_URL", &sink.url())
            .env("PAPERBOY_MAIL_PER_MINUTE", "0")
    };
    let (a, b) = (sender(dirs.0.path()), sender(dirs.1.path()));
    let mut first = a.command(&["outbox", "flush"]).spawn().unwrap();
    let mut second = b.command(&["outbox", "flush"]).spawn().unwrap();
    // Each exits 0, or 75 when the other still held a message at its end.
    for child in [&mut first, &mut second] {
        let code = child.wait().unwrap().code();
        assert!(matches!(code, Some(0 | 75)), "{code:?}");
    }
    let messages = sink.wait_for(total).await;
    std::thread::sleep(Duration::from_millis(300));
    let messages = if sink.messages().len() > messages.len() {
        sink.messages()
    } else {
        messages
    };
    let counts = per_recipient(&messages);
    assert_eq!(counts.len(), total, "every message");
    assert!(
        counts.values().all(|n| *n == 1),
        "each message once: {counts:?}"
    );
    assert_eq!(store.outbox_counts().await.unwrap().pending, 0);
    sink.stop();
}
