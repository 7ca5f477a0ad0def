//! The summary job against a local OpenAI-compatible chat endpoint (axum on
//! 127.0.0.1:0) that answers, fails with 500 and 429, hangs, and returns garbage:
//! summaries are cleaned and cached, failures back off and give up, and the job never
//! holds up reads or writes of the store.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use paperboy_testkit::model as common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use paperboy_core::{ArxivId, Author, FixedClock, Paper};
use paperboy_enrich::summary::job::{
    MAX_ATTEMPTS, RunOptions, SummaryJob, SummaryProgress, backlog_len, run_summaries,
};
use paperboy_enrich::summary::{ChatClient, ChatFailure, ChatOptions};
use paperboy_jobs::{DEFAULT_LEASE, JobContext, Runner};
use paperboy_store::{Batch, Store};
use paperboy_testkit::upstream::{Reply, TestServer};
use tokio_util::sync::CancellationToken;

const START: &str = "2026-07-01T12:00:00Z";

/// What the stand-in endpoint does next.
#[derive(Clone)]
enum Mode {
    /// A chat completion whose content names the paper's first title word, wrapped
    /// in markup.
    Answer,
    /// An HTTP status with a body (and `Retry-After: 1` for 429).
    Status(u16),
    /// No answer for a minute.
    Hang,
    /// This body, with status 200.
    Raw(String),
}

struct Endpoint {
    server: TestServer,
    mode: Arc<Mutex<Mode>>,
}

impl Endpoint {
    fn start(mode: Mode) -> Self {
        let mode = Arc::new(Mutex::new(mode));
        let current = mode.clone();
        let server = TestServer::start(move |request| {
            let mode = current.lock().unwrap().clone();
            match mode {
                Mode::Answer => {
                    let body: serde_json::Value = serde_json::from_str(&request.body).unwrap();
                    let prompt = body["messages"][1]["content"].as_str().unwrap();
                    let name = first_word(prompt.trim_start_matches("Title: "));
                    let content = format!(
                        "<think>Short.</think>**TL;DR:** The paper *{name}* is summarised \
                         here in one sentence. A second sentence is dropped."
                    );
                    Reply::new(200, completion(&content))
                }
                Mode::Status(429) => Reply::new(429, r#"{"error":{"message":"slow down"}}"#)
                    .header("retry-after", "1"),
                Mode::Status(status) => Reply::new(status, r#"{"error":"model crashed"}"#),
                Mode::Hang => {
                    Reply::new(200, completion("Too late.")).delayed(Duration::from_secs(60))
                }
                Mode::Raw(body) => Reply::new(200, body),
            }
        });
        Self { server, mode }
    }

    fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    fn requests(&self) -> usize {
        self.server.requests().len()
    }

    fn client(&self, timeout: Duration) -> ChatClient {
        ChatClient::new(ChatOptions {
            model: "test-llm".into(),
            api_key: "secret".into(),
            timeout,
            ..ChatOptions::new(self.server.url("/v1/chat/completions"))
        })
        .unwrap()
    }
}

/// The first word of a title, without punctuation ("CryptoGAT:" -> "CryptoGAT").
fn first_word(title: &str) -> &str {
    let word = title.split_whitespace().next().unwrap_or_default();
    word.trim_matches(|c: char| !c.is_alphanumeric())
}

fn completion(content: &str) -> String {
    serde_json::json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "test-llm-q4",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
    })
    .to_string()
}

/// A store holding the first `n` real papers of the listing fixture, on a clock the
/// test moves.
async fn store_with(n: usize) -> (tempfile::TempDir, Store, FixedClock, Vec<Paper>) {
    let dir = tempfile::tempdir().unwrap();
    let clock = FixedClock::new(START.parse().unwrap());
    let store = Store::connect(
        &paperboy_store::DatabaseUrl::Sqlite(dir.path().join("p.db")),
        paperboy_store::StoreOptions {
            clock: Arc::new(clock.clone()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let papers: Vec<Paper> = common::papers()
        .into_iter()
        .take(n)
        .map(|p| {
            Paper::new(
                ArxivId::parse(&p.id).unwrap(),
                p.title,
                p.summary,
                vec![Author::named("A. Author")],
            )
        })
        .collect();
    store
        .write(Batch {
            papers: papers.clone(),
            ..Batch::default()
        })
        .await
        .unwrap();
    (dir, store, clock, papers)
}

fn options(give_up_after: Option<u32>) -> RunOptions {
    RunOptions {
        give_up_after,
        ..RunOptions::background(Duration::ZERO)
    }
}

async fn run(store: &Store, client: &ChatClient, options: &RunOptions) -> SummaryProgress {
    let ctx = JobContext::quiet(CancellationToken::new());
    run_summaries(store, client, options, &ctx).await.unwrap()
}

async fn summary_of(store: &Store, paper: &Paper) -> Option<String> {
    store
        .paper(&paper.id)
        .await
        .unwrap()
        .unwrap()
        .record
        .paper
        .ai_summary
}

#[tokio::test]
async fn summaries_are_cleaned_stored_and_never_asked_for_again() {
    let (_dir, store, _clock, papers) = store_with(3).await;
    let endpoint = Endpoint::start(Mode::Answer);
    let client = endpoint.client(Duration::from_secs(10));

    let done = run(&store, &client, &options(None)).await;
    assert_eq!((done.made, done.failed), (3, 0));
    assert_eq!(endpoint.requests(), 3);
    for paper in &papers {
        assert_eq!(
            summary_of(&store, paper).await.unwrap(),
            format!(
                "The paper {} is summarised here in one sentence.",
                first_word(&paper.title)
            )
        );
    }
    let request = &endpoint.server.requests()[0];
    assert_eq!(request.path, "/v1/chat/completions");
    assert_eq!(request.authorization, "Bearer secret");
    let body: serde_json::Value = serde_json::from_str(&request.body).unwrap();
    assert_eq!(body["model"], "test-llm");
    assert!(
        body["messages"][1]["content"]
            .as_str()
            .unwrap()
            .contains("Abstract: ")
    );

    // Cached: a second run asks nothing.
    let again = run(&store, &client, &options(None)).await;
    assert_eq!((again.made, again.failed), (0, 0));
    assert_eq!(endpoint.requests(), 3);
    assert_eq!(backlog_len(&store).await.unwrap(), 0);
    assert_eq!(store.summary_counts(MAX_ATTEMPTS).await.unwrap().made, 3);

    // The model the server named is what the client reports.
    let summary = client.summarize("T", "An abstract.").await.unwrap();
    assert_eq!(summary.model, "test-llm-q4");
}

#[tokio::test]
async fn a_failing_endpoint_is_recorded_retried_after_backoff_and_given_up() {
    let (_dir, store, clock, papers) = store_with(2).await;
    let endpoint = Endpoint::start(Mode::Status(500));
    let client = endpoint.client(Duration::from_secs(10));
    let stop_at_first_failure = options(Some(1));

    let mut now: Timestamp = START.parse().unwrap();
    for attempt in 1..=MAX_ATTEMPTS {
        let done = run(&store, &client, &stop_at_first_failure).await;
        assert!(done.endpoint_down, "one failure in a row stops this run");
        assert_eq!(done.failed, 1, "one request per run, not one per paper");
        assert!(done.last_failure.unwrap().contains("HTTP 500"));
        assert_eq!(endpoint.requests(), attempt as usize * 2 - 1);
        // The failed paper waits out its backoff; the other one is tried next.
        let other = run(&store, &client, &stop_at_first_failure).await;
        assert_eq!(other.failed, 1);
        assert_eq!(backlog_len(&store).await.unwrap(), 0, "both wait");
        let before = endpoint.requests();
        assert_eq!(run(&store, &client, &options(None)).await.failed, 0);
        assert_eq!(
            endpoint.requests(),
            before,
            "nothing is due, nothing is asked"
        );
        now = now
            .checked_add(paperboy_enrich::summary::job::paper_backoff(attempt))
            .unwrap();
        clock.set(now);
    }
    let counts = store.summary_counts(MAX_ATTEMPTS).await.unwrap();
    assert_eq!((counts.given_up, counts.made), (2, 0));
    assert_eq!(backlog_len(&store).await.unwrap(), 0, "given up for good");
    assert!(summary_of(&store, &papers[0]).await.is_none());

    // After the endpoint recovers, forgetting the failures lets them through.
    endpoint.set(Mode::Answer);
    store.forget_summary_failures().await.unwrap();
    assert_eq!(run(&store, &client, &options(None)).await.made, 2);
}

#[tokio::test]
async fn rate_limits_pause_the_job_as_the_server_asks() {
    let (_dir, store, _clock, _papers) = store_with(2).await;
    let endpoint = Endpoint::start(Mode::Status(429));
    let client = endpoint.client(Duration::from_secs(10));
    let started = Instant::now();
    let done = run(&store, &client, &options(Some(2))).await;
    assert!(done.endpoint_down);
    assert_eq!(endpoint.requests(), 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited for Retry-After: 1 between the two requests"
    );

    // A stop during a long pause (30 s after a 503) ends the run at once.
    let (_dir, store, _clock, _papers) = store_with(2).await;
    let failing = Endpoint::start(Mode::Status(503));
    let client = failing.client(Duration::from_secs(10));
    let stop = CancellationToken::new();
    let ctx = JobContext::quiet(stop.clone());
    let job = tokio::spawn({
        let store = store.clone();
        async move {
            run_summaries(&store, &client, &options(None), &ctx)
                .await
                .unwrap()
        }
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    while failing.requests() == 0 {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.cancel();
    let done = tokio::time::timeout(Duration::from_secs(2), job)
        .await
        .expect("the 30 s pause is cut short")
        .unwrap();
    assert_eq!((done.failed, failing.requests()), (1, 1));
}

#[tokio::test]
async fn timeouts_and_garbage_are_failures_never_summaries() {
    let (_dir, store, _clock, papers) = store_with(3).await;
    let endpoint = Endpoint::start(Mode::Hang);
    let client = endpoint.client(Duration::from_millis(300));
    let started = Instant::now();
    let done = run(&store, &client, &options(Some(1))).await;
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(done.last_failure.unwrap().contains("timeout"));
    assert!(summary_of(&store, &papers[2]).await.is_none());

    // Bad answers are the paper's failure: the job goes on to the next paper at once.
    let garbage = [
        "<html><body>502 Bad Gateway</body></html>".to_owned(),
        completion("I'm sorry, but I cannot help with summarizing this paper."),
        completion(&format!("{} {}", "<b>".repeat(10), "!!! ### $$$ 123")),
        "x".repeat(200_000),
        serde_json::json!({"choices": []}).to_string(),
    ];
    for body in garbage {
        let (_dir, store, _clock, papers) = store_with(2).await;
        endpoint.set(Mode::Raw(body.clone()));
        let done = run(&store, &client, &options(Some(1))).await;
        assert_eq!((done.made, done.failed), (0, 2), "{body:.80}");
        assert!(!done.endpoint_down);
        for paper in &papers {
            assert!(summary_of(&store, paper).await.is_none());
        }
    }

    let failure = client.summarize("T", "A.").await.unwrap_err();
    assert!(
        matches!(failure, ChatFailure::BadAnswer { .. }),
        "{failure:?}"
    );

    // Markup and hostile characters are cleaned, not refused.
    let (_dir, store, _clock, papers) = store_with(1).await;
    endpoint.set(Mode::Raw(completion(
        "<script>fetch('//evil')</script><p>Graph networks learn \u{202E}physics from \
         <a href=\"x\">data</a>.</p>",
    )));
    assert_eq!(run(&store, &client, &options(None)).await.made, 1);
    assert_eq!(
        summary_of(&store, &papers[0]).await.unwrap(),
        "Graph networks learn physics from data."
    );
}

#[tokio::test]
async fn the_job_in_a_task_never_holds_up_reads_or_writes() {
    let (_dir, store, _clock, papers) = store_with(3).await;
    let endpoint = Endpoint::start(Mode::Hang);
    let client = endpoint.client(Duration::from_secs(30));
    let runner = Runner::new(
        store.clone(),
        Arc::new(paperboy_core::SystemClock),
        "test",
        DEFAULT_LEASE,
    );
    runner.spawn(Arc::new(SummaryJob::new(
        store.clone(),
        client,
        options(None),
    )));
    let deadline = Instant::now() + Duration::from_secs(10);
    while endpoint.requests() == 0 {
        assert!(Instant::now() < deadline, "the job asks");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // The endpoint hangs with a request in flight; the store answers at once.
    let started = Instant::now();
    assert!(store.paper(&papers[0].id).await.unwrap().is_some());
    let page = store.papers_page(None, 50).await.unwrap();
    assert_eq!(page.papers.len(), 3);
    let mut new_paper = papers[0].clone();
    new_paper.id = ArxivId::parse("2607.00001").unwrap();
    let written = store
        .write(Batch {
            papers: vec![new_paper],
            ..Batch::default()
        })
        .await
        .unwrap();
    assert_eq!(written.papers_inserted, 1);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "reads and writes took {:?}",
        started.elapsed()
    );

    tokio::time::timeout(Duration::from_secs(2), runner.shutdown())
        .await
        .expect("the job stops mid-request");
    assert_eq!(
        store.summary_counts(MAX_ATTEMPTS).await.unwrap().retrying,
        0,
        "an abandoned request is not a failure"
    );
}
