//! Harvesting from a local arXiv-like OAI-PMH endpoint that serves the 166 real
//! papers of the listing fixture: 503 + Retry-After first, every page once, a failure
//! mid-list resumed from the saved token, incremental harvests, OAI errors.

use std::time::{Duration, Instant};

use jiff::civil::date;
use paperboy_ingest::harvest::harvest_sets;
use paperboy_ingest::{
    HarvestOptions, HttpOptions, IngestError, MetadataPrefix, PoliteClient, harvest,
};
use paperboy_store::{HarvestCheckpoint, Store};
use paperboy_testkit::oai::{OaiConfig, OaiServer, listing_records};

const PAPERS: u64 = 166;
const PAGE: usize = 20;
/// 166 records in pages of 20.
const PAGES: u64 = 9;

fn client(max_attempts: u32) -> PoliteClient {
    PoliteClient::new(HttpOptions {
        contact_email: "ops@example.org".into(),
        interval: Duration::from_millis(10),
        max_attempts,
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

fn server(config: OaiConfig) -> OaiServer {
    OaiServer::start(
        listing_records(),
        OaiConfig {
            page_size: PAGE,
            ..config
        },
    )
}

#[tokio::test]
async fn harvests_every_page_once_after_a_503_and_then_only_what_is_new() {
    let (_dir, store) = store().await;
    let server = server(OaiConfig {
        throttle_first: Some(1),
        ..OaiConfig::default()
    });
    let options = HarvestOptions::new(server.base_url());
    let mut progress = Vec::new();
    let started = Instant::now();
    let report = harvest(&store, &client(3), &options, &mut |r| {
        progress.push(r.records)
    })
    .await
    .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was honoured"
    );
    assert!(report.complete && !report.resumed);
    assert_eq!((report.pages, report.records), (PAGES, PAPERS));
    assert_eq!(report.written.papers_inserted, PAPERS);
    assert_eq!((report.skipped, report.deleted), (0, 0));
    assert_eq!(report.complete_list_size, Some(PAPERS));
    assert_eq!(report.last_datestamp, Some(date(2026, 6, 29)));
    assert_eq!(progress.len() as u64, PAGES);
    assert_eq!(progress.last(), Some(&PAPERS));
    assert_eq!(store.stats().await.unwrap().papers, PAPERS);

    let requests = server.requests();
    assert_eq!(
        requests.len() as u64,
        1 + PAGES,
        "one 503, then each page once"
    );
    assert_eq!(
        requests[0], requests[1],
        "the throttled request is repeated as it was"
    );
    assert_eq!(requests[0].param("metadataPrefix"), Some("arXiv"));
    assert_eq!(
        requests[0].param("from"),
        None,
        "a first harvest takes everything"
    );
    for page in 1..PAGES as usize {
        assert_eq!(
            server.requests_for_token(&server.token(None, None, page)),
            1
        );
    }
    let checkpoint = store
        .harvest_checkpoint(&options.source())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(checkpoint.resumption_token, None, "the harvest is complete");
    assert_eq!((checkpoint.pages, checkpoint.records), (PAGES, PAPERS));

    // A paper as harvested: the listing's authors back from keyname/forenames, the
    // announcement day from the datestamp.
    let id = paperboy_core::ArxivId::parse("2606.27531").unwrap();
    let paper = store.paper(&id).await.unwrap().unwrap().record.paper;
    assert_eq!(
        paper.title,
        "Doppler Tracking of the Artemis II Mission (and Other Spacecraft)"
    );
    let names: Vec<&str> = paper.authors.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Ankur Purao",
            "Ella Bianco",
            "Elizabeth Baganz",
            "Nicholas Hagg",
            "Michael Robinson"
        ]
    );
    assert_eq!(paper.categories, ["cs.CE"]);
    let served = listing_records()
        .into_iter()
        .find(|r| r.id == "2606.27531")
        .unwrap();
    assert_eq!(
        paper
            .announced
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        [served.datestamp]
    );

    // Next run, no --from: it continues from the newest datestamp harvested.
    let again = harvest(&store, &client(3), &options, &mut |_| {})
        .await
        .unwrap();
    let starts = server.list_starts();
    let last = starts.last().unwrap();
    assert_eq!(last.param("from"), Some("2026-06-29"));
    assert_eq!(again.from, Some(date(2026, 6, 29)));
    let newest = listing_records()
        .iter()
        .filter(|r| r.datestamp == "2026-06-29")
        .count() as u64;
    assert!(newest > 0 && newest < PAPERS);
    assert_eq!(again.records, newest);
    assert_eq!(again.written.papers_inserted, 0);
    assert_eq!(again.written.papers_unchanged, newest);
}

#[tokio::test]
async fn a_failed_page_is_resumed_from_its_token_and_earlier_pages_are_not_requested_again() {
    let (_dir, store) = store().await;
    let server = server(OaiConfig {
        fail_page: Some((4, 1)),
        ..OaiConfig::default()
    });
    let options = HarvestOptions {
        from: Some(date(2026, 6, 25)),
        ..HarvestOptions::new(server.base_url())
    };
    let err = harvest(&store, &client(1), &options, &mut |_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(err, IngestError::Busy { status: 500, .. }),
        "{err:?}"
    );
    assert_eq!(store.stats().await.unwrap().papers, 4 * PAGE as u64);
    let from = Some("2026-06-25");
    let checkpoint = store
        .harvest_checkpoint(&options.source())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        checkpoint.resumption_token.as_deref(),
        Some(server.token(from, None, 4).as_str())
    );
    assert_eq!(
        checkpoint.last_datestamp, None,
        "only a completed harvest moves it"
    );

    let report = harvest(&store, &client(1), &options, &mut |_| {})
        .await
        .unwrap();
    assert!(report.resumed && report.complete);
    assert_eq!(report.pages, PAGES - 4);
    assert_eq!((report.total_pages, report.total_records), (PAGES, PAPERS));
    assert_eq!(store.stats().await.unwrap().papers, PAPERS);
    assert_eq!(server.list_starts().len(), 1, "the list was started once");
    for page in 1..4 {
        assert_eq!(
            server.requests_for_token(&server.token(from, None, page)),
            1
        );
    }
    assert_eq!(
        server.requests_for_token(&server.token(from, None, 4)),
        2,
        "the failed page, then its retry"
    );
}

#[tokio::test]
async fn oai_errors_say_what_to_do() {
    let (_dir, store) = store().await;
    let server = server(OaiConfig::default());
    let options = HarvestOptions {
        from: Some(date(2030, 1, 1)),
        ..HarvestOptions::new(server.base_url())
    };
    let nothing = harvest(&store, &client(1), &options, &mut |_| {})
        .await
        .unwrap();
    assert!(
        nothing.complete,
        "noRecordsMatch: nothing new is not a failure"
    );
    assert_eq!((nothing.pages, nothing.records), (1, 0));

    // An expired token: the harvest is reset so the next run restarts the range.
    let options = HarvestOptions {
        from: Some(date(2026, 6, 28)),
        ..options
    };
    let mut stale = HarvestCheckpoint::new(options.source());
    stale.from_day = options.from;
    stale.resumption_token = Some("expired-token".into());
    stale.pages = 3;
    let mut tx = store.begin_write().await.unwrap();
    tx.save_checkpoint(&stale).await.unwrap();
    tx.commit().await.unwrap();
    let err = harvest(&store, &client(1), &options, &mut |_| {})
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(&err, IngestError::Oai { code, .. } if code == "badResumptionToken"),
        "{err:?}"
    );
    assert!(
        text.contains("run the command again to restart it from 2026-06-28"),
        "{text}"
    );
    let reset = store
        .harvest_checkpoint(&options.source())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((reset.resumption_token, reset.pages), (None, 0));
    let restarted = harvest(&store, &client(1), &options, &mut |_| {})
        .await
        .unwrap();
    assert!(restarted.complete && !restarted.resumed);

    let raw = HarvestOptions {
        metadata_prefix: MetadataPrefix::ArxivRaw,
        ..options
    };
    let err = harvest(&store, &client(1), &raw, &mut |_| {})
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("cannotDisseminateFormat")
            && err.to_string().contains("--metadata-prefix"),
        "{err}"
    );
}

#[tokio::test]
async fn scheduled_harvest_of_sets_reports_each() {
    let (_dir, store) = store().await;
    let server = server(OaiConfig::default());
    let sets = vec!["cs".to_owned()];
    let client = client(1);
    let base_url = server.base_url();
    // `serve` runs it in a spawned task: the future must be Send.
    let outcomes = assert_send(harvest_sets(
        &store,
        &client,
        &base_url,
        MetadataPrefix::Arxiv,
        &sets,
    ))
    .await;
    assert_eq!(outcomes.len(), 1);
    let (set, outcome) = &outcomes[0];
    assert_eq!(set, "cs");
    assert_eq!(outcome.as_ref().unwrap().records, PAPERS);
    assert_eq!(server.requests()[0].param("set"), Some("cs"));
}

fn assert_send<T: Send>(value: T) -> T {
    value
}
