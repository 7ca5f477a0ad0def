//! The server's limits on raw sockets: slow and idle connections are closed after
//! the header-read timeout, and connections over the cap wait to be served.

use std::sync::Arc;
use std::time::Duration;

use paperboy_search::engine::SearchEngine;
use paperboy_search::keyword::KeywordIndex;
use paperboy_store::Backend;
use paperboy_web::{ServeOptions, WebConfig, router, serve};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::TestDb;

/// Serves an empty site with `options`; returns its address.
async fn server(options: ServeOptions) -> (TestDb, std::net::SocketAddr) {
    let db = TestDb::new(Backend::Sqlite).await.expect("sqlite");
    let store = db.open().await;
    let index = Arc::new(KeywordIndex::open(&db.dir.path().join("index")).expect("index"));
    let search = Arc::new(SearchEngine::new(store.clone(), index, None));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = router(store, search, WebConfig::default(), None);
    tokio::spawn(serve(listener, app, options, std::future::pending()));
    (db, addr)
}

const REQUEST: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n";

/// Reads until the peer closes; true when it did within `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 4096];
    tokio::time::timeout(within, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

/// Reads one response head; its status line.
async fn status_line(stream: &mut TcpStream) -> String {
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await.expect("read");
        assert!(n > 0, "closed before a response");
        seen.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&seen)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_client_trickling_its_request_head_is_cut_off() {
    let (_db, addr) = server(ServeOptions {
        header_read_timeout: Duration::from_millis(500),
        ..ServeOptions::default()
    })
    .await;
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    // One byte every 100 ms: the head would take seconds.
    let trickle = async {
        for byte in REQUEST {
            if stream.write_all(&[*byte]).await.is_err() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    };
    let cut_off = tokio::time::timeout(Duration::from_secs(3), trickle)
        .await
        .unwrap_or(false);
    assert!(
        cut_off || closed_within(&mut stream, Duration::from_secs(1)).await,
        "the slow connection is still open"
    );
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let (_db, addr) = server(ServeOptions {
        header_read_timeout: Duration::from_millis(300),
        ..ServeOptions::default()
    })
    .await;
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(REQUEST).await.expect("write");
    assert_eq!(status_line(&mut stream).await, "HTTP/1.1 200 OK");
    assert!(
        closed_within(&mut stream, Duration::from_secs(3)).await,
        "kept open while idle"
    );
}

#[tokio::test]
async fn connections_over_the_cap_wait_for_a_free_one() {
    let (_db, addr) = server(ServeOptions {
        max_connections: 2,
        header_read_timeout: Duration::from_secs(30),
        ..ServeOptions::default()
    })
    .await;
    let mut first = TcpStream::connect(addr).await.expect("connect");
    first.write_all(REQUEST).await.expect("write");
    assert_eq!(status_line(&mut first).await, "HTTP/1.1 200 OK");
    let mut second = TcpStream::connect(addr).await.expect("connect");
    second.write_all(REQUEST).await.expect("write");
    assert_eq!(status_line(&mut second).await, "HTTP/1.1 200 OK");

    // Both slots are taken by open keep-alive connections: a third waits...
    let mut third = TcpStream::connect(addr)
        .await
        .expect("the kernel queues it");
    third.write_all(REQUEST).await.expect("write");
    let waiting = tokio::time::timeout(Duration::from_millis(500), status_line(&mut third)).await;
    assert!(waiting.is_err(), "served beyond the cap");
    // ...until one of them goes.
    drop(first);
    let served = tokio::time::timeout(Duration::from_secs(5), status_line(&mut third))
        .await
        .expect("served once a slot is free");
    assert_eq!(served, "HTTP/1.1 200 OK");
}
