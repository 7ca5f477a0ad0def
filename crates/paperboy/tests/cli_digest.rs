//! `paperboy digest run` and `paperboy outbox …` through the real binary, mail
//! delivered over SMTP to a real server process (aiosmtpd), on both backends: two
//! confirmed readers get the recorded daily list's papers, most trending first,
//! without those an earlier digest sent them, with the list headers and a working one-click link; a second run
//! creates nothing; an empty period sends nothing; while SMTP is down nothing is
//! lost and `outbox flush` delivers each message once when it is back.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use paperboy_core::DigestPrefs;
use paperboy_testkit::process::Paperboy;
use paperboy_testkit::{
    SmtpSink, TestDb, confirmed_subscriber, on_both_backends, store_with_daily_list,
};

on_both_backends!(digests_reach_each_reader_once_with_what_they_asked_for);

const PUBLIC_URL: &str = "https://papers.example.org";

fn to(messages: &[String], address: &str) -> Vec<String> {
    messages
        .iter()
        .filter(|m| m.contains(&format!("To: {address}")))
        .cloned()
        .collect()
}

async fn digests_reach_each_reader_once_with_what_they_asked_for(db: TestDb) {
    let store = store_with_daily_list(&db).await;
    let ada = confirmed_subscriber(&store, "ada@example.org", &DigestPrefs::default()).await;
    let bob = confirmed_subscriber(&store, "bob@example.org", &DigestPrefs::default()).await;
    // Bob was sent the two most upvoted papers in an earlier digest.
    let seen: Vec<paperboy_core::ArxivId> = ["2505.24864", "2505.24863"]
        .iter()
        .map(|id| paperboy_core::ArxivId::parse(id).unwrap())
        .collect();
    let earlier = paperboy_store::DigestRecord {
        subscription_id: &bob.id,
        period: "2025-06-01",
        until_day: jiff::civil::date(2025, 6, 1),
        papers: &seen,
        mail: None,
    };
    assert!(store.record_digest(&earlier).await.unwrap());
    // The confirmation emails were queued; this test is about digests.
    let confirmations = store.outbox_counts().await.unwrap().pending;
    assert_eq!(confirmations, 2);

    let mut sink = SmtpSink::start("");
    let dir = tempfile::tempdir().unwrap();
    let paperboy = Paperboy::new(env!("CARGO_BIN_EXE_paperboy"), dir.path())
        .env("PAPERBOY_DATABASE_URL", &db.url_setting())
        .env("PAPERBOY_SMTP_URL", &sink.url())
        .env("PAPERBOY_PUBLIC_URL", PUBLIC_URL)
        .env("PAPERBOY_MAIL_PER_MINUTE", "0");

    let out = paperboy.run(&["digest", "run", "--as-of", "2025-06-02", "--dry-run"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dry = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(dry.contains("ada@example.org: 15 trending"), "{dry}");
    assert_eq!(
        store.outbox_counts().await.unwrap().pending,
        2,
        "a dry run queues nothing"
    );

    let out = paperboy.run(&["digest", "run", "--as-of", "2025-06-02"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(said.contains("2 queued"), "{said}");
    let messages = sink.wait_for(4).await;
    let ada_mail = to(&messages, "ada@example.org")
        .into_iter()
        .find(|m| m.contains("Trending papers"))
        .expect("ada's digest");
    for header in [
        "List-Id: paperboy digest <digest.papers.example.org>",
        // (`sig=` is cut at the `=`: the sink's quoted-printable decoding reads the
        // signature's first hex digits as an escape.)
        &format!(
            "List-Unsubscribe: <{PUBLIC_URL}/subscriptions/{}/unsubscribe?sig",
            ada.id
        ),
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        "Message-ID: <",
        "multipart/alternative",
        "text/html",
    ] {
        assert!(ada_mail.contains(header), "{header} in {ada_mail}");
    }
    assert_eq!(
        ada_mail.matches("/papers/2505.").count() / 2,
        15,
        "15 papers, in text and HTML"
    );
    assert!(
        ada_mail.contains(&format!("{PUBLIC_URL}/papers/2505.24864")),
        "the most upvoted"
    );
    let bob_mail = to(&messages, "bob@example.org")
        .into_iter()
        .find(|m| m.contains("Trending papers"))
        .expect("bob's digest");
    assert_eq!(bob_mail.matches("/papers/2505.").count() / 2, 15);
    for id in ["2505.24864", "2505.24863"] {
        assert!(
            !bob_mail.contains(id),
            "a paper reaches a reader once: {id}"
        );
    }
    assert!(bob_mail.contains(&format!("/subscriptions/{}/unsubscribe?sig", bob.id)));

    // Again: nothing new.
    let out = paperboy.run(&["digest", "run", "--as-of", "2025-06-02"]);
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("0 queued, 0 empty (not sent), 2 done before")
    );
    // The next day has no new list: empty digests are not sent.
    let out = paperboy.run(&["digest", "run", "--as-of", "2025-06-03"]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("0 queued, 2 empty"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(sink.messages().len(), 4);

    // SMTP down during a run: the digests wait in the outbox (exit 75), and a flush
    // delivers each once when the server is back.
    confirmed_subscriber(&store, "carol@example.org", &DigestPrefs::default()).await;
    sink.stop();
    let out = paperboy.run(&["digest", "run", "--as-of", "2025-06-02"]);
    assert_eq!(
        out.status.code(),
        Some(75),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status = paperboy.run_ok(&["outbox", "status", "--json"]);
    let counts: serde_json::Value = serde_json::from_str(&status).unwrap();
    assert_eq!(
        counts["pending"],
        2,
        "carol's confirmation and digest: {counts} {}",
        paperboy.run_ok(&["outbox", "status"])
    );
    sink.resume();
    let out = paperboy.run(&["outbox", "flush"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let messages = sink.wait_for(6).await;
    assert_eq!(to(&messages, "carol@example.org").len(), 2);
    assert_eq!(messages.len(), 6, "each message once");
    let text = paperboy.run_ok(&["outbox", "status"]);
    assert!(
        text.contains("pending 0") && text.contains("sent 6"),
        "{text}"
    );
}
