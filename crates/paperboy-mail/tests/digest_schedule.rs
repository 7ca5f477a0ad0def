//! The digest job on a clock the test moves, over a recorded HF daily list, on both
//! backends: a subscriber's digest is made once their local hour has come, once per
//! period, with hostile titles escaped in its HTML; the sender delivers it to a real
//! SMTP server process.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use paperboy_core::{DigestPrefs, Email, FixedClock, Mail};
use paperboy_ingest::formats::hf::parse_daily_papers;
use paperboy_jobs::JobContext;
use paperboy_mail::digest::DigestJob;
use paperboy_mail::{OutboxSender, SenderOptions, Transport};
use paperboy_store::secret::hash_secret;
use paperboy_testkit::{SmtpSink, TestDb, fixture, on_both_backends};
use tokio_util::sync::CancellationToken;

on_both_backends!(a_digest_goes_out_at_the_readers_hour_once_per_period);

async fn a_digest_goes_out_at_the_readers_hour_once_per_period(db: TestDb) {
    let clock = Arc::new(FixedClock::new("2025-06-02T05:00:00Z".parse().unwrap()));
    let store = db.open_with(clock.clone()).await;
    // The recorded list, one title made hostile.
    let text = fixture("hf_api/daily_papers_date_2025-06-02.json").replacen(
        "\"title\": \"",
        "\"title\": \"<script>alert(1)</script> ",
        1,
    );
    let parsed = parse_daily_papers(&text, Some(jiff::civil::date(2025, 6, 2))).unwrap();
    store.write(parsed.batch).await.unwrap();

    let email = Email::parse("ada@example.org").unwrap();
    let mail = Mail::text(email.as_str(), "Confirm", "link");
    store
        .request_subscription(&email, &hash_secret("t"), Duration::from_secs(3600), &mail)
        .await
        .unwrap();
    let ada = store
        .confirm_subscription(&hash_secret("t"))
        .await
        .unwrap()
        .unwrap();
    let prefs = DigestPrefs {
        hour: 8,
        timezone: "Europe/Paris".into(),
        ..DigestPrefs::default()
    };
    store.set_subscription_prefs(&ada.id, &prefs).await.unwrap();

    let job = DigestJob::new(
        store.clone(),
        "Lab papers",
        "https://papers.lab.example.org/",
        Default::default(),
    );
    let ctx = JobContext::quiet(CancellationToken::new());
    // 05:00 UTC is 07:00 in Paris: not yet.
    assert_eq!(job.run_round(&ctx).await.unwrap(), 0);
    clock.set(Timestamp::from_second(clock_seconds("2025-06-02T06:10:00Z")).unwrap());
    assert_eq!(job.run_round(&ctx).await.unwrap(), 1, "08:10 in Paris");
    assert_eq!(job.run_round(&ctx).await.unwrap(), 0, "once per period");

    let sink = SmtpSink::start("");
    let transport = Transport::from_setting(&sink.url(), std::path::Path::new("/none")).unwrap();
    let options = SenderOptions::new(
        "Lab papers <papers@lab.example.org>",
        Duration::from_secs(3600),
        0,
    )
    .unwrap();
    let sender = OutboxSender::new(store.clone(), transport, options, "test");
    let report = sender.send_due(&ctx).await.unwrap();
    assert_eq!(report.sent, 2, "the confirmation and the digest");
    let messages = sink.wait_for(2).await;
    let digest = messages
        .iter()
        .find(|m| m.contains("Trending papers"))
        .expect("the digest");
    assert!(digest.contains("https://papers.lab.example.org/papers/2505."));
    let html = digest
        .split("Content-Type: text/html")
        .nth(1)
        .expect("an HTML part");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "escaped in HTML"
    );
    assert!(!html.contains("<script>"), "never raw in HTML");
    assert!(digest.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
}

fn clock_seconds(text: &str) -> i64 {
    text.parse::<Timestamp>().unwrap().as_second()
}
