//! Fetching by id from a local server that answers with the recorded arXiv API
//! bodies: a 429 with Retry-After first, batches of at most 100 ids, ids arXiv does
//! not return, arXiv's 400 error body, malformed ids refused before any request.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use paperboy_core::ArxivId;
use paperboy_ingest::fetch::{MAX_IDS_PER_REQUEST, parse_ids};
use paperboy_ingest::{HttpOptions, IngestError, PoliteClient, fetch_papers};
use paperboy_store::Store;
use paperboy_testkit::fixture;
use paperboy_testkit::upstream::{Reply, Request, TestServer};

/// Recorded response bodies by the id they were recorded for.
fn recordings() -> BTreeMap<&'static str, String> {
    [
        ("1707.08567", "id_1707.08567_s0_m100_6a1afebfc6a3.xml"),
        ("2104.12255v1", "id_2104.12255v1_s0_m100_6ae69987ffe1.xml"),
        (
            "astro-ph/0601001",
            "id_astro-ph_0601001_s0_m100_3150dca9dc76.xml",
        ),
        (
            "quant-ph/0201082v1",
            "id_quant-ph_0201082v1_s0_m100_86989fe779ef.xml",
        ),
    ]
    .into_iter()
    .map(|(id, file)| (id, fixture(&format!("arxiv_api/recorded_2026/{file}"))))
    .collect()
}

fn empty_feed() -> String {
    fixture("arxiv_api/recorded_2026/id_0000.0000_s0_m100_8b51d9633a68.xml")
}

/// An id this server treats as malformed, answering with arXiv's recorded 400 body.
const REJECTED: &str = "2501.00001";

/// The arXiv API as recorded: one id gets its recorded body byte for byte; several
/// get the recorded entries in the recorded empty feed's envelope; unknown ids are
/// left out. The first request is answered 429 + `Retry-After: 1` when `throttle`.
fn arxiv_api(throttle: bool) -> TestServer {
    let recordings = recordings();
    let throttled = Arc::new(AtomicBool::new(!throttle));
    TestServer::start(move |request: &Request| {
        if !throttled.swap(true, Ordering::SeqCst) {
            return Reply::new(429, "Rate exceeded.").header("retry-after", "1");
        }
        let ids: Vec<&str> = request.param("id_list").unwrap_or("").split(',').collect();
        if ids.contains(&REJECTED) {
            let body = fixture("arxiv_api/recorded_2026/id_abc_s0_m100_b79c8dcf6bc3.xml");
            return Reply::new(400, body);
        }
        if let [one] = ids.as_slice()
            && let Some(body) = recordings.get(one)
        {
            return Reply::new(200, body.clone());
        }
        let envelope = empty_feed();
        let end = envelope.rfind("</feed>").expect("a feed end");
        let mut body = envelope[..end].to_owned();
        for id in ids {
            if let Some(recorded) = recordings.get(id) {
                let start = recorded.find("  <entry>").expect("an entry");
                let stop = recorded.rfind("</entry>").expect("an entry end") + 9;
                body.push_str(&recorded[start..stop]);
            }
        }
        body.push_str(&envelope[end..]);
        Reply::new(200, body)
    })
}

fn client() -> PoliteClient {
    PoliteClient::new(HttpOptions {
        contact_email: "ops@example.org".into(),
        interval: Duration::from_millis(10),
        max_attempts: 3,
        max_wait: Duration::from_secs(5),
        ..HttpOptions::default()
    })
    .expect("a client")
}

async fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Store::open_dir(dir.path()).await.expect("a database");
    (dir, store)
}

#[tokio::test]
async fn fetches_in_one_request_after_a_429_and_reports_missing_ids() {
    let (_dir, store) = store().await;
    let server = arxiv_api(true);
    let ids = parse_ids(&[
        "1707.08567",
        "https://arxiv.org/abs/2104.12255v1",
        "astro-ph/0601001",
        "arXiv:quant-ph/0201082v1",
        "2401.99999",
        "1707.08567v1",
    ])
    .unwrap();
    let started = Instant::now();
    let report = fetch_papers(&store, &client(), &server.url("/api/query"), &ids)
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1"
    );
    assert_eq!(report.requested, 5, "1707.08567 twice is one paper");
    assert_eq!(report.requests, 1);
    assert_eq!(report.missing, ["2401.99999"]);
    assert_eq!(
        report.found,
        [
            "1707.08567",
            "2104.12255",
            "astro-ph/0601001",
            "quant-ph/0201082"
        ]
    );
    assert_eq!(report.written.papers_inserted, 4);
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "the 429, then the request again");
    assert_eq!(
        requests[1].param("id_list"),
        Some("1707.08567,2104.12255v1,astro-ph/0601001,quant-ph/0201082v1,2401.99999")
    );
    assert_eq!(requests[1].param("max_results"), Some("5"));

    let astro = store
        .paper(&ArxivId::parse("astro-ph/0601001").unwrap())
        .await
        .unwrap()
        .unwrap()
        .record
        .paper;
    assert_eq!(astro.authors[2].affiliation.as_deref(), Some("CfA"));
    assert_eq!(astro.version, Some(1));

    // Fetching again changes nothing.
    let again = fetch_papers(&store, &client(), &server.url("/api/query"), &ids[..1])
        .await
        .unwrap();
    assert_eq!(again.written.papers_unchanged, 1);
    assert_eq!(
        server.requests()[2].param("id_list"),
        Some("1707.08567"),
        "one id: the recorded body as it was"
    );
}

#[tokio::test]
async fn more_than_a_hundred_ids_go_in_batches() {
    let (_dir, store) = store().await;
    let server = arxiv_api(false);
    let mut inputs: Vec<String> = (10_000..10_146).map(|n| format!("2401.{n}")).collect();
    inputs.extend(recordings().into_keys().map(str::to_owned));
    let ids = parse_ids(&inputs).unwrap();
    let report = fetch_papers(&store, &client(), &server.url("/api/query"), &ids)
        .await
        .unwrap();
    assert_eq!(report.requests, 2);
    let sizes: Vec<usize> = server
        .requests()
        .iter()
        .map(|r| r.param("id_list").unwrap().split(',').count())
        .collect();
    assert_eq!(sizes, [MAX_IDS_PER_REQUEST, 50]);
    assert_eq!(report.found.len(), 4);
    assert_eq!(report.missing.len(), 146);
    assert_eq!(store.stats().await.unwrap().papers, 4);
}

#[tokio::test]
async fn arxivs_error_body_and_malformed_ids_are_clear_errors() {
    let (_dir, store) = store().await;
    let server = arxiv_api(false);
    let ids = parse_ids(&[REJECTED]).unwrap();
    let err = fetch_papers(&store, &client(), &server.url("/api/query"), &ids)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, IngestError::Status { status: 400, detail, .. }
            if detail == "the arXiv API answered with an error: incorrect id format for abc"),
        "{err:?}"
    );

    let err = parse_ids(&["1707.08567", "abc"]).unwrap_err();
    assert!(matches!(err, IngestError::InvalidId(_)));
    assert!(
        err.to_string().contains("`abc` is not an arXiv id"),
        "{err}"
    );
    assert_eq!(server.requests().len(), 1, "nothing was requested for them");
}
