//! "For you" in digests through the real binary, over SMTP to aiosmtpd, on both
//! backends: the recorded arXiv listing embedded by the real model; two readers
//! upvoted different papers (from their accounts), a third imported one (no
//! account); each digest carries new papers close to that reader's paper, with the
//! reason, and "more like this" / "not interested" links; no one gets back what
//! they liked.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use paperboy_core::{ArxivId, Author, DigestPrefs, Email, Paper};
use paperboy_store::{Batch, DayList, ReaderSignal};
use paperboy_testkit::process::Paperboy;
use paperboy_testkit::{SmtpSink, TestDb, confirmed_subscriber, on_both_backends};

on_both_backends!(each_reader_gets_new_papers_close_to_what_they_liked);

const PUBLIC_URL: &str = "https://papers.example.org";
/// "Supersede: Diagnosing and Training the Memory-Update Gap in LLM Agents".
const UPVOTED: &str = "2606.27472";
/// "TruEye: Fine-Grained Detection of AI-Generated Human Subjects in Images".
const BOB_UPVOTED: &str = "2606.27505";
/// "Qwen-Image-2.0-RL Technical Report".
const IMPORTED: &str = "2606.27608";

/// The "For you" part of a digest's text part (the sink decodes messages).
fn for_you_section(message: &str) -> String {
    let text = message.replace("\r\n", "\n");
    let start = text
        .find("\nFor you\n")
        .unwrap_or_else(|| panic!("a For you section in {text}"));
    let end = text[start..]
        .find("\nChange topics")
        .map_or(text.len(), |at| start + at);
    text[start..end].to_owned()
}

/// The paper ids a section links.
fn papers_in(section: &str) -> Vec<String> {
    section
        .split(&format!("{PUBLIC_URL}/papers/"))
        .skip(1)
        .filter_map(|rest| rest.split(|c: char| c.is_whitespace()).next())
        .map(str::to_owned)
        .collect()
}

async fn each_reader_gets_new_papers_close_to_what_they_liked(db: TestDb) {
    let store = db
        .open_with(std::sync::Arc::new(paperboy_core::SystemClock))
        .await;
    // The listing's papers, announced on its day (the file itself names no day).
    let day = jiff::civil::date(2026, 6, 29);
    let papers = paperboy_testkit::model::papers()
        .into_iter()
        .map(|p| {
            let mut paper = Paper::new(
                ArxivId::parse(&p.id).unwrap(),
                p.title,
                p.summary,
                vec![Author::named("A. Author")],
            );
            paper.announced.insert(day);
            paper
        })
        .collect();
    store
        .write(Batch {
            papers,
            entries: Vec::new(),
        })
        .await
        .unwrap();
    assert_eq!(
        store.latest_day(DayList::Firehose).await.unwrap(),
        Some(day)
    );

    let mut sink = SmtpSink::start("");
    let dir = tempfile::tempdir().unwrap();
    let model = paperboy_testkit::model::model_dir();
    let paperboy = Paperboy::new(env!("CARGO_BIN_EXE_paperboy"), dir.path())
        .env("PAPERBOY_DATABASE_URL", &db.url_setting())
        .env("PAPERBOY_EMBEDDER", &format!("local:{}", model.display()))
        .env("PAPERBOY_SMTP_URL", &sink.url())
        .env("PAPERBOY_PUBLIC_URL", PUBLIC_URL)
        .env("PAPERBOY_MAIL_PER_MINUTE", "0");
    // `embed --limit` stops early (newest first); a second run does the rest.
    let first = paperboy.run_ok(&["embed", "--limit", "20"]);
    let model_name = "all-MiniLM-L6-v2";
    let partly = store.embedding_count(model_name).await.unwrap();
    assert!(
        (20..166).contains(&partly),
        "{partly} after --limit 20: {first}"
    );
    paperboy.run_ok(&["embed"]);
    assert_eq!(store.embedding_count(model_name).await.unwrap(), 166);

    // Ada and Bob upvoted different papers from their accounts; Carol, who has
    // none, imported a third.
    for (address, paper) in [
        ("ada@example.org", UPVOTED),
        ("bob@example.org", BOB_UPVOTED),
    ] {
        let account = store
            .find_or_create_user(&Email::parse(address).unwrap())
            .await
            .unwrap();
        store
            .set_vote(&account.id, &ArxivId::parse(paper).unwrap(), true)
            .await
            .unwrap();
    }
    store
        .record_signals(
            &Email::parse("carol@example.org").unwrap(),
            &[ArxivId::parse(IMPORTED).unwrap()],
            ReaderSignal::Seed,
        )
        .await
        .unwrap();
    let ada = confirmed_subscriber(&store, "ada@example.org", &DigestPrefs::default()).await;
    let bob = confirmed_subscriber(&store, "bob@example.org", &DigestPrefs::default()).await;
    let carol = confirmed_subscriber(&store, "carol@example.org", &DigestPrefs::default()).await;

    let as_of = day.to_string();
    let dry = paperboy.run_ok(&["digest", "run", "--as-of", &as_of, "--dry-run"]);
    assert!(
        dry.contains("ada@example.org: 0 trending, 0 from alerts, "),
        "{dry}"
    );
    // --no-send queues without a sending pass; the flush sends.
    let out = paperboy.run(&["digest", "run", "--as-of", &as_of, "--no-send"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("3 queued"));
    assert_eq!(
        store.outbox_counts().await.unwrap().pending,
        6,
        "3 confirmations, 3 digests"
    );
    assert!(sink.messages().is_empty());
    paperboy.run_ok(&["outbox", "flush"]);
    let messages = sink.wait_for(6).await;
    let digest_to = |address: &str| {
        messages
            .iter()
            .find(|m| m.contains(&format!("To: {address}")) && m.contains("For you"))
            .cloned()
            .unwrap_or_else(|| panic!("{address}'s digest in {messages:?}"))
    };

    let ada_section = for_you_section(&digest_to("ada@example.org"));
    let ada_papers = papers_in(&ada_section);
    // The listing has many LLM papers: a full section.
    assert_eq!(ada_papers.len(), 10, "{ada_section}");
    assert!(
        !ada_papers.contains(&UPVOTED.to_owned()),
        "not what she upvoted"
    );
    // (The sink leaves the curly quotes around the title quoted-printable.)
    assert_eq!(
        ada_section.matches("which you upvoted").count(),
        10,
        "{ada_section}"
    );
    assert_eq!(
        ada_section
            .matches("Supersede: Diagnosing and Training the Memory-Update Gap in LLM Agents")
            .count(),
        10,
        "every reason names the upvoted paper: {ada_section}"
    );
    assert_eq!(
        ada_section
            .matches(&format!("{PUBLIC_URL}/subscriptions/{}/papers/", ada.id))
            .count(),
        20,
        "a more-like-this and a not-interested link per paper: {ada_section}"
    );
    assert!(ada_section.contains("/not-interested?sig"));

    let bob_section = for_you_section(&digest_to("bob@example.org"));
    let bob_papers = papers_in(&bob_section);
    assert!(!bob_papers.is_empty(), "{bob_section}");
    assert!(
        !bob_papers.contains(&BOB_UPVOTED.to_owned()),
        "not what he upvoted"
    );
    assert!(bob_section.contains("TruEye"), "{bob_section}");
    assert!(bob_section.contains("which you upvoted"), "{bob_section}");
    assert!(bob_section.contains(&format!("/subscriptions/{}/papers/", bob.id)));
    assert_ne!(
        ada_papers, bob_papers,
        "two readers, two upvotes, two rankings"
    );

    // Imported papers count too, for a reader without an account.
    let carol_section = for_you_section(&digest_to("carol@example.org"));
    let carol_papers = papers_in(&carol_section);
    assert!(!carol_papers.is_empty(), "{carol_section}");
    assert!(
        !carol_papers.contains(&IMPORTED.to_owned()),
        "not what she imported"
    );
    assert!(
        carol_section.contains("from your library"),
        "{carol_section}"
    );
    assert!(carol_section.contains(&format!("/subscriptions/{}/papers/", carol.id)));

    // Nothing twice: the next run of the same period creates nothing.
    let again = paperboy.run(&["digest", "run", "--as-of", &as_of]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("0 queued"));
    sink.stop();
}
