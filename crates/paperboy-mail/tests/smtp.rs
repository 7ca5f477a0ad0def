//! The outbox sender against a real SMTP server process, on both backends: every
//! message delivered once, with its headers; a server that is away delays mail
//! without losing it; a refused recipient is given up on at once.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::sync::Arc;
use std::time::Duration;

use paperboy_core::{FixedClock, Mail};
use paperboy_jobs::JobContext;
use paperboy_mail::{OutboxSender, SenderOptions, Transport};
use paperboy_store::{OutboxCounts, SubscriptionStatus};
use paperboy_testkit::{SmtpSink, TestDb, on_both_backends};
use tokio_util::sync::CancellationToken;

on_both_backends!(
    every_queued_message_is_delivered_once_with_its_headers,
    mail_waits_while_the_server_is_away_and_goes_out_when_it_is_back,
    a_refused_recipient_is_given_up_on_at_once,
);

fn sender(store: &paperboy_store::Store, sink: &SmtpSink) -> OutboxSender {
    let transport =
        Transport::from_setting(&sink.url(), std::path::Path::new("/nonexistent")).unwrap();
    let options = SenderOptions::new(
        "Lab papers <papers@lab.example.org>",
        Duration::from_secs(3600),
        0,
    )
    .unwrap();
    OutboxSender::new(store.clone(), transport, options, "test-instance")
}

fn ctx() -> JobContext {
    JobContext::quiet(CancellationToken::new())
}

fn digest(to: &str, n: u32) -> Mail {
    let mut mail = Mail::text(to, format!("Digest {n}"), format!("Paper number {n}"));
    mail.html = Some(format!("<p>Paper number {n}</p>"));
    mail.headers.push((
        "List-Id".into(),
        "Lab papers <digest.lab.example.org>".into(),
    ));
    mail
}

async fn every_queued_message_is_delivered_once_with_its_headers(db: TestDb) {
    let store = db.open().await;
    let sink = SmtpSink::start("");
    for n in 0..3 {
        store
            .enqueue_mail("digest", &digest(&format!("r{n}@example.org"), n), None)
            .await
            .unwrap();
    }
    let report = sender(&store, &sink).send_due(&ctx()).await.unwrap();
    assert_eq!(report.sent, 3);
    let messages = sink.wait_for(3).await;
    for n in 0..3 {
        let message = messages
            .iter()
            .find(|m| m.starts_with(&format!("X-Envelope-To: r{n}@example.org")))
            .unwrap_or_else(|| panic!("no message to r{n}: {messages:?}"));
        assert!(message.contains(&format!("Subject: Digest {n}")));
        assert!(
            message.contains("From: \"Lab papers\" <papers@lab.example.org>")
                || message.contains("From: Lab papers <papers@lab.example.org>"),
            "{message}"
        );
        assert!(message.contains("List-Id: Lab papers <digest.lab.example.org>"));
        assert!(message.contains("Message-ID: <") && message.contains("@lab.example.org>"));
        assert!(message.contains("multipart/alternative"));
    }
    // A second pass finds nothing to send.
    assert_eq!(
        sender(&store, &sink).send_due(&ctx()).await.unwrap().sent,
        0
    );
    assert_eq!(sink.messages().len(), 3);
    assert_eq!(
        store.outbox_counts().await.unwrap(),
        OutboxCounts {
            pending: 0,
            sent: 3,
            failed: 0
        }
    );
}

async fn mail_waits_while_the_server_is_away_and_goes_out_when_it_is_back(db: TestDb) {
    let clock = Arc::new(FixedClock::new("2026-09-01T08:00:00Z".parse().unwrap()));
    let store = db.open_with(clock.clone()).await;
    let mut sink = SmtpSink::start("");
    sink.stop();
    store
        .enqueue_mail("digest", &digest("a@example.org", 1), None)
        .await
        .unwrap();
    store
        .enqueue_mail("digest", &digest("b@example.org", 2), None)
        .await
        .unwrap();
    let report = sender(&store, &sink).send_due(&ctx()).await.unwrap();
    assert_eq!(
        (report.sent, report.retrying, report.failed),
        (0, 1, 0),
        "stops at the first refusal"
    );
    assert_eq!(
        store.outbox_counts().await.unwrap().pending,
        2,
        "nothing lost"
    );

    sink.resume();
    // The first message backs off 30 s; the second is still due and goes out.
    let report = sender(&store, &sink).send_due(&ctx()).await.unwrap();
    assert_eq!(report.sent, 1);
    clock.set("2026-09-01T08:00:31Z".parse().unwrap());
    let report = sender(&store, &sink).send_due(&ctx()).await.unwrap();
    assert_eq!(report.sent, 1, "the first goes out after its backoff");
    assert_eq!(sink.wait_for(2).await.len(), 2);
    assert_eq!(
        store.outbox_counts().await.unwrap(),
        OutboxCounts {
            pending: 0,
            sent: 2,
            failed: 0
        }
    );
}

async fn a_refused_recipient_is_given_up_on_at_once(db: TestDb) {
    let store = db.open().await;
    let sink = SmtpSink::start("bounce");
    let bouncing = paperboy_core::Email::parse("bounce@example.org").unwrap();
    let confirm = Mail::text(bouncing.as_str(), "Confirm", "link");
    store
        .request_subscription(&bouncing, "h", Duration::from_secs(60), &confirm)
        .await
        .unwrap();
    // Its confirmation is refused too (given up, but it pauses nothing).
    let subscription = store.confirm_subscription("h").await.unwrap().unwrap();
    store
        .enqueue_mail("digest", &digest("bounce@example.org", 1), None)
        .await
        .unwrap();
    store
        .enqueue_mail("digest", &digest("fine@example.org", 2), None)
        .await
        .unwrap();
    let report = sender(&store, &sink).send_due(&ctx()).await.unwrap();
    assert_eq!(
        (report.sent, report.failed),
        (1, 2),
        "a 5xx does not stop the others"
    );
    assert_eq!(
        store.outbox_counts().await.unwrap(),
        OutboxCounts {
            pending: 0,
            sent: 1,
            failed: 2
        }
    );
    let messages = sink.wait_for(1).await;
    assert!(messages[0].starts_with("X-Envelope-To: fine@example.org"));
    let paused = store.subscription(&subscription.id).await.unwrap().unwrap();
    assert_eq!(
        paused.status,
        SubscriptionStatus::Paused,
        "a hard bounce pauses"
    );
    assert!(
        paused
            .paused_reason
            .unwrap()
            .contains("refused the address")
    );
}
