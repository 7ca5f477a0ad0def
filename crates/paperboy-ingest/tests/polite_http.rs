//! The polite HTTP client against a local server: spacing, User-Agent, Retry-After in
//! both forms, bounded retries, timeouts, the size cap, unreachable hosts.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use paperboy_ingest::{HttpOptions, IngestError, PoliteClient};
use paperboy_testkit::upstream::{Reply, TestServer};

fn client(interval_ms: u64, max_attempts: u32) -> PoliteClient {
    PoliteClient::new(HttpOptions {
        contact_email: "ops@example.org".into(),
        interval: Duration::from_millis(interval_ms),
        timeout: Duration::from_millis(400),
        connect_timeout: Duration::from_millis(300),
        max_body_bytes: 1 << 20,
        max_attempts,
        max_wait: Duration::from_secs(5),
    })
    .expect("a client")
}

/// A server that answers the first `failures` requests with `failure`, then "ok".
fn flaky(failures: u32, failure: impl Fn() -> Reply + Send + Sync + 'static) -> TestServer {
    let seen = Arc::new(AtomicU32::new(0));
    TestServer::start(move |_| {
        if seen.fetch_add(1, Ordering::SeqCst) < failures {
            failure()
        } else {
            Reply::new(200, "ok")
        }
    })
}

#[tokio::test]
async fn requests_are_spaced_and_identify_the_operator() {
    let server = TestServer::start(|_| Reply::new(200, "ok"));
    let client = client(150, 1);
    let started = Instant::now();
    for _ in 0..3 {
        let fetched = client
            .get(&server.url("/x"), &[("q", "a b&c")])
            .await
            .unwrap();
        assert_eq!((fetched.status, fetched.body.as_str()), (200, "ok"));
    }
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(
        requests[0].param("q"),
        Some("a b&c"),
        "the query is encoded"
    );
    let ua = &requests[0].user_agent;
    assert!(
        ua.starts_with("paperboy/") && ua.ends_with("(mailto:ops@example.org)"),
        "{ua}"
    );
}

#[tokio::test]
async fn a_503_waits_for_retry_after_seconds() {
    let server = flaky(1, || {
        Reply::new(503, "Retry after 1 seconds").header("retry-after", "1")
    });
    let started = Instant::now();
    let fetched = client(10, 3).get(&server.url("/"), &[]).await.unwrap();
    assert_eq!(fetched.body, "ok");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_429_waits_for_a_retry_after_date() {
    let server = flaky(1, || {
        let at = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(2);
        let date = jiff::fmt::rfc2822::DateTimePrinter::new()
            .timestamp_to_rfc9110_string(&at)
            .unwrap();
        Reply::new(429, "slow down").header("retry-after", &date)
    });
    let started = Instant::now();
    let fetched = client(10, 3).get(&server.url("/"), &[]).await.unwrap();
    assert_eq!(fetched.body, "ok");
    // The date has whole seconds: the wait is between 1 and 2 s.
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn retries_are_bounded_and_the_error_says_what_to_do() {
    let server = flaky(u32::MAX, || Reply::new(502, "bad gateway"));
    let err = client(10, 3).get(&server.url("/"), &[]).await.unwrap_err();
    assert!(
        matches!(
            err,
            IngestError::Busy {
                status: 502,
                attempts: 3,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("run the command again"), "{err}");
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_retry_after_beyond_the_limit_is_an_error_at_once() {
    let server = flaky(u32::MAX, || {
        Reply::new(503, "").header("retry-after", "3600")
    });
    let started = Instant::now();
    let err = client(10, 5).get(&server.url("/"), &[]).await.unwrap_err();
    assert!(matches!(err, IngestError::WaitTooLong { .. }), "{err:?}");
    assert!(err.to_string().contains("wait 3600s"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn slow_answers_time_out_and_client_errors_are_returned() {
    let server = TestServer::start(|_| Reply::new(200, "late").delayed(Duration::from_secs(5)));
    let started = Instant::now();
    let err = client(10, 2).get(&server.url("/"), &[]).await.unwrap_err();
    assert!(
        matches!(&err, IngestError::Unreachable { attempts: 2, reason, .. } if reason.contains("timed out")),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    let server = TestServer::start(|_| Reply::new(404, "no such page"));
    let fetched = client(10, 3).get(&server.url("/"), &[]).await.unwrap();
    assert_eq!((fetched.status, fetched.is_success()), (404, false));
    assert_eq!(server.requests().len(), 1, "a 404 is not retried");
}

#[tokio::test]
async fn oversized_bodies_and_unreachable_hosts_are_errors() {
    let server = TestServer::start(|_| Reply::new(200, "x".repeat(3 << 20)));
    let err = client(10, 1).get(&server.url("/"), &[]).await.unwrap_err();
    assert!(
        matches!(err, IngestError::TooLarge { limit_mib: 1, .. }),
        "{err:?}"
    );

    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let err = client(10, 2)
        .get(&format!("http://{closed}/oai"), &[])
        .await
        .unwrap_err();
    assert!(
        matches!(err, IngestError::Unreachable { attempts: 2, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("HTTPS_PROXY"), "{err}");

    let err = client(10, 1)
        .get("ftp://example.org/", &[])
        .await
        .unwrap_err();
    assert!(matches!(err, IngestError::BadUrl { .. }), "{err:?}");
}
